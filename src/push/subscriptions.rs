//! A member's devices and push preferences: what the subscription routes
//! do. A device is known by its service and address (endpoint URL or
//! token); registering one that is already known updates that record
//! (new keys, new owner, new application) instead of adding a second, so a
//! device never gets a notification twice. Refusals are `Ok(Err(_))` from
//! the write closures (`social::write`), so they do not abort a batch.
//! The endpoint's network check (`target`) is async and runs before the
//! write, in the handler.

use crate::clock::Timestamp;
use crate::ids::{ClientId, GroupId, SubscriptionId, UserId};
use crate::social::SocialError;
use crate::store::WriteTransaction;
use crate::store::push::{self as stored, Preferences, QuietHours, Service, Subscription};
use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use std::collections::BTreeMap;

/// The longest endpoint URL or device token taken.
pub const MAX_ADDRESS: usize = 2048;
/// How many devices one member may register (oldest first to go).
pub const MAX_PER_MEMBER: usize = 50;

/// A subscription as a client sends it, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub service: String,
    pub endpoint: Option<String>,
    pub p256dh: Option<String>,
    pub auth: Option<String>,
    pub token: Option<String>,
    pub environment: Option<String>,
}

/// A checked subscription, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub service: Service,
    pub address: String,
    pub p256dh: Vec<u8>,
    pub auth: Vec<u8>,
    pub sandbox: bool,
}

fn b64(raw: &str) -> Option<Vec<u8>> {
    let raw = raw.trim_end_matches('=');
    URL_SAFE_NO_PAD.decode(raw).ok().or_else(|| URL_SAFE.decode(raw).ok())
}

/// Checks the fields each service needs (the endpoint's reachability is
/// `target::check`, done apart because it resolves a name).
pub fn validate(i: Input) -> Result<Device, SocialError> {
    let mut errors: Vec<(&'static str, String)> = vec![];
    let Some(service) = Service::parse(&i.service) else {
        return Err(SocialError::Invalid(vec![("service", format!("must be one of {}", Service::NAMES.join(", ")))]));
    };
    let mut device = Device { service, address: String::new(), p256dh: vec![], auth: vec![], sandbox: false };
    let must_not = |errors: &mut Vec<(&'static str, String)>, field: &'static str, present: bool| {
        if present {
            errors.push((field, format!("does not apply to {}", service.as_str())));
        }
    };
    match service {
        Service::WebPush => {
            match i.endpoint.as_deref() {
                None | Some("") => errors.push(("endpoint", "is required for webpush".into())),
                Some(e) if e.len() > MAX_ADDRESS => errors.push(("endpoint", format!("at most {MAX_ADDRESS} bytes"))),
                Some(e) => device.address = e.to_string(),
            }
            match i.p256dh.as_deref().map(b64) {
                Some(Some(k)) if k.len() == 65 && p256::PublicKey::from_sec1_bytes(&k).is_ok() => device.p256dh = k,
                None => errors.push(("keys.p256dh", "is required for webpush".into())),
                _ => errors.push(("keys.p256dh", "must be an uncompressed P-256 point, base64url (65 bytes)".into())),
            }
            match i.auth.as_deref().map(b64) {
                Some(Some(a)) if a.len() == 16 => device.auth = a,
                None => errors.push(("keys.auth", "is required for webpush".into())),
                _ => errors.push(("keys.auth", "must be 16 bytes, base64url".into())),
            }
            must_not(&mut errors, "token", i.token.is_some());
            must_not(&mut errors, "environment", i.environment.is_some());
        }
        Service::Apns | Service::Fcm => {
            match i.token.as_deref() {
                None | Some("") => errors.push(("token", format!("is required for {}", service.as_str()))),
                Some(t) if t.len() > MAX_ADDRESS || t.chars().any(|c| c.is_whitespace() || c.is_control()) => {
                    errors.push(("token", format!("at most {MAX_ADDRESS} characters, no spaces")))
                }
                Some(t) => device.address = t.to_string(),
            }
            must_not(&mut errors, "endpoint", i.endpoint.is_some());
            must_not(&mut errors, "keys", i.p256dh.is_some() || i.auth.is_some());
            match (service, i.environment.as_deref()) {
                (Service::Apns, None | Some("production")) => {}
                (Service::Apns, Some("sandbox")) => device.sandbox = true,
                (Service::Apns, Some(_)) => errors.push(("environment", "must be production or sandbox".into())),
                (_, e) => must_not(&mut errors, "environment", e.is_some()),
            }
        }
    }
    if errors.is_empty() { Ok(device) } else { Err(SocialError::Invalid(errors)) }
}

/// Stores the device for the member through this application; `true` in
/// the answer when it is new (201), `false` when a known device was
/// updated (200).
pub fn register(
    tx: &WriteTransaction,
    user: UserId,
    client: ClientId,
    d: Device,
    now: Timestamp,
) -> Result<(Subscription, bool), SocialError> {
    let known = stored::by_device(tx, d.service, &d.address)?;
    let created = known.is_none();
    let s = Subscription {
        id: known.as_ref().map_or(SubscriptionId(0), |k| k.id),
        user,
        client,
        service: d.service,
        address: d.address,
        p256dh: d.p256dh,
        auth: d.auth,
        sandbox: d.sandbox,
        created_at: known.as_ref().map_or(now, |k| k.created_at),
        updated_at: now,
    };
    let s = stored::put(tx, s)?;
    if created {
        let mine = stored::of_user(tx, user)?;
        for old in mine.iter().take(mine.len().saturating_sub(MAX_PER_MEMBER)) {
            stored::delete(tx, old.id)?;
        }
    }
    Ok((s, created))
}

/// Removes one of the member's devices; another member's is a 404.
pub fn remove(tx: &WriteTransaction, user: UserId, id: SubscriptionId) -> Result<(), SocialError> {
    match stored::get(tx, id)? {
        Some(s) if s.user == user => {
            stored::delete(tx, id)?;
            Ok(())
        }
        _ => Err(SocialError::NotFound("push subscription")),
    }
}

/// Preferences as a client sends them.
#[derive(Debug, Clone, Default)]
pub struct PreferencesInput {
    pub groups: BTreeMap<String, bool>,
    /// `from`, `to` (`HH:MM`) and the time zone.
    pub quiet_hours: Option<(String, String, String)>,
}

fn minutes(raw: &str) -> Option<u16> {
    let (h, m) = raw.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `HH:MM` of minutes after midnight.
pub fn clock_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Checks preferences: group ids, times of day, a time zone this server
/// knows.
pub fn validate_preferences(i: PreferencesInput) -> Result<Preferences, SocialError> {
    let mut errors: Vec<(&'static str, String)> = vec![];
    let mut groups = BTreeMap::new();
    for (k, v) in i.groups {
        match k.parse::<u64>() {
            Ok(id) if id > 0 && groups.len() < 10_000 => {
                groups.insert(GroupId(id), v);
            }
            _ => errors.push(("groups", format!("`{k}` is not a group id"))),
        }
    }
    let mut quiet_hours = None;
    if let Some((from, to, tz)) = i.quiet_hours {
        let f = minutes(&from);
        let t = minutes(&to);
        if f.is_none() {
            errors.push(("quiet_hours.from", "must be a time of day, HH:MM".into()));
        }
        if t.is_none() {
            errors.push(("quiet_hours.to", "must be a time of day, HH:MM".into()));
        }
        if jiff::tz::TimeZone::get(&tz).is_err() {
            errors.push(("quiet_hours.time_zone", "must be an IANA time zone name, like Europe/Amsterdam".into()));
        }
        if let (Some(from), Some(to)) = (f, t) {
            quiet_hours = Some(QuietHours { from, to, time_zone: tz });
        }
    }
    if errors.is_empty() { Ok(Preferences { groups, quiet_hours }) } else { Err(SocialError::Invalid(errors)) }
}

/// Whether `now` falls in the quiet hours (which may run past midnight).
/// An unknown zone (the server's zone data changed) counts as UTC.
pub fn is_quiet(q: &QuietHours, now: Timestamp) -> bool {
    let tz = jiff::tz::TimeZone::get(&q.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(ts) = jiff::Timestamp::from_second(now) else { return false };
    let local = ts.to_zoned(tz);
    let m = local.hour() as u16 * 60 + local.minute() as u16;
    match q.from.cmp(&q.to) {
        std::cmp::Ordering::Less => q.from <= m && m < q.to,
        std::cmp::Ordering::Greater => m >= q.from || m < q.to,
        std::cmp::Ordering::Equal => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webpush() -> Input {
        Input {
            service: "webpush".into(),
            endpoint: Some("https://push.example/abc".into()),
            p256dh: Some(
                URL_SAFE_NO_PAD.encode(p256::SecretKey::from_slice(&[7u8; 32]).unwrap().public_key().to_sec1_bytes()),
            ),
            auth: Some(URL_SAFE_NO_PAD.encode([7u8; 16])),
            ..Input::default()
        }
    }

    fn fields(e: SocialError) -> Vec<&'static str> {
        match e {
            SocialError::Invalid(f) => f.into_iter().map(|(f, _)| f).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_service_needs_its_own_fields() {
        let d = validate(webpush()).unwrap();
        assert_eq!((d.service, d.p256dh.len(), d.auth.len()), (Service::WebPush, 65, 16));
        let bad = Input { p256dh: Some("AAAA".into()), token: Some("x".into()), ..webpush() };
        assert_eq!(fields(validate(bad).unwrap_err()), ["keys.p256dh", "token"]);
        // The right length, but not a point on the curve.
        let off = Input { p256dh: Some(URL_SAFE_NO_PAD.encode([4u8; 65])), ..webpush() };
        assert_eq!(fields(validate(off).unwrap_err()), ["keys.p256dh"]);
        let apns = Input {
            service: "apns".into(),
            token: Some("a1b2".into()),
            environment: Some("sandbox".into()),
            ..Input::default()
        };
        assert!(validate(apns.clone()).unwrap().sandbox);
        let bad = Input { environment: Some("test".into()), ..apns };
        assert_eq!(fields(validate(bad).unwrap_err()), ["environment"]);
        let fcm = Input { service: "fcm".into(), environment: Some("sandbox".into()), ..Input::default() };
        assert_eq!(fields(validate(fcm).unwrap_err()), ["token", "environment"]);
        assert_eq!(fields(validate(Input { service: "gcm".into(), ..Input::default() }).unwrap_err()), ["service"]);
    }

    #[test]
    fn preferences_and_quiet_hours() {
        let p = validate_preferences(PreferencesInput {
            groups: [("3".to_string(), false)].into(),
            quiet_hours: Some(("22:00".into(), "07:00".into(), "Europe/Amsterdam".into())),
        })
        .unwrap();
        assert!(!p.notifies(GroupId(3)) && p.notifies(GroupId(4)));
        let q = p.quiet_hours.unwrap();
        assert_eq!((clock_time(q.from), clock_time(q.to)), ("22:00".into(), "07:00".into()));
        // 2026-07-01 21:30 UTC is 23:30 in Amsterdam (summer time): quiet.
        assert!(is_quiet(&q, 1_782_941_400));
        // 2026-07-01 10:00 UTC is noon there: not quiet.
        assert!(!is_quiet(&q, 1_782_900_000));
        let e = validate_preferences(PreferencesInput {
            groups: [("x".to_string(), true)].into(),
            quiet_hours: Some(("25:00".into(), "7:00".into(), "Mars/Olympus".into())),
        })
        .unwrap_err();
        assert_eq!(fields(e), ["groups", "quiet_hours.from", "quiet_hours.to", "quiet_hours.time_zone"]);
    }
}
