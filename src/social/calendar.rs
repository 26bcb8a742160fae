//! Calendars: a member's private feed token (made, replaced, revoked, and
//! found again from the token alone), and events written as iCalendar
//! (RFC 5545) for `GET /events/{id}.ics` and the feed.
//!
//! The feed's token is the credential of a URL that calendar apps poll
//! without OAuth. Like every token it is 256 random bits found by its
//! SHA-256; unlike the others it is also kept sealed at rest (bound to
//! its digest), because the member is shown their feed's URL again on
//! `/account` and as `calendar_url` on `GET /me`. Replacing it revokes
//! the old one in the same transaction.

use crate::auth::sealing::{Sealer, context};
use crate::auth::secrets;
use crate::clock::Timestamp;
use crate::ids::UserId;
use crate::store::audit::{self, Who};
use crate::store::social::calendar::{self as stored, CalendarFeed};
use crate::store::social::events::Event;
use crate::store::{Store, StoreError, Tables, users};

/// Makes the member a new feed token, revoking the one they had; answers
/// the token (to be shown to the member only). Audited as
/// `calendar.replace` in the same transaction.
pub async fn replace(
    store: &Store,
    sealer: &Sealer,
    user: UserId,
    who: Who,
    now: Timestamp,
) -> Result<String, StoreError> {
    let token = secrets::token();
    let digest = secrets::digest(&token);
    let sealed = sealer
        .seal(&context::calendar_feed(&digest), &token)
        .map_err(|e| StoreError::Internal(format!("sealing a calendar token: {e}")))?;
    let feed = CalendarFeed { user, digest, sealed, created_at: now };
    store
        .write(move |tx| {
            stored::replace(tx, &feed)?;
            audit::record(tx, now, &who, "calendar.replace", &format!("user:{user}"), "")?;
            Ok::<_, StoreError>(())
        })
        .await?;
    Ok(token)
}

/// Revokes the member's feed token (audited as `calendar.revoke`); `false`
/// when they had none.
pub async fn revoke(store: &Store, user: UserId, who: Who, now: Timestamp) -> Result<bool, StoreError> {
    store
        .write(move |tx| {
            let had = stored::revoke(tx, user)?;
            if had {
                audit::record(tx, now, &who, "calendar.revoke", &format!("user:{user}"), "")?;
            }
            Ok::<_, StoreError>(had)
        })
        .await
}

/// The member's current feed token and when it was made, if they have one
/// (and it still opens with this data directory's key).
pub fn token_of(tx: &impl Tables, sealer: &Sealer, user: UserId) -> Result<Option<(String, Timestamp)>, StoreError> {
    let Some(feed) = stored::of_member(tx, user)? else { return Ok(None) };
    Ok(sealer.open(&context::calendar_feed(&feed.digest), &feed.sealed).ok().map(|t| (t, feed.created_at)))
}

/// The member a feed token belongs to: a current token of a member who is
/// still enabled. Anything else is no one, whatever the reason.
pub fn member_for(tx: &impl Tables, token: &str) -> Result<Option<UserId>, StoreError> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let Some(user) = stored::member_of(tx, &secrets::digest(token))? else { return Ok(None) };
    Ok(users::get(tx, user)?.filter(|u| !u.disabled).map(|u| u.id))
}

/// What an iCalendar document says besides its events.
pub struct Calendar<'a> {
    /// The site's host name, which makes each event's `UID` unique
    /// (`event-<id>@<host>`).
    pub host: &'a str,
    /// The calendar's name (`X-WR-CALNAME`), for a feed.
    pub name: Option<&'a str>,
    /// The event's address on the API, for its `URL`.
    pub url: &'a dyn Fn(&Event) -> String,
}

/// The events as an RFC 5545 document: CRLF line ends, lines folded at 75
/// octets, TEXT values escaped, times in UTC.
pub fn ics(cal: &Calendar<'_>, events: &[Event]) -> String {
    let mut out = String::with_capacity(256 + events.len() * 400);
    let mut put = |name: &str, value: &str| line(&mut out, name, value);
    put("BEGIN", "VCALENDAR");
    put("VERSION", "2.0");
    put("PRODID", "-//latchkey//Events//EN");
    put("CALSCALE", "GREGORIAN");
    put("METHOD", "PUBLISH");
    if let Some(name) = cal.name {
        put("NAME", &text(name));
        put("X-WR-CALNAME", &text(name));
        put("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
        put("X-PUBLISHED-TTL", "PT1H");
    }
    for e in events {
        put("BEGIN", "VEVENT");
        put("UID", &format!("event-{}@{}", e.id, cal.host));
        put("DTSTAMP", &utc(e.updated_at));
        put("CREATED", &utc(e.created_at));
        put("LAST-MODIFIED", &utc(e.updated_at));
        put("SEQUENCE", &e.revision.saturating_sub(1).to_string());
        put("DTSTART", &utc(e.start));
        put("DTEND", &utc(e.end));
        put("SUMMARY", &text(&e.title));
        if !e.description.is_empty() {
            put("DESCRIPTION", &text(&e.description));
        }
        if !e.location.is_empty() {
            put("LOCATION", &text(&e.location));
        }
        put("URL;VALUE=URI", &(cal.url)(e));
        put("END", "VEVENT");
    }
    put("END", "VCALENDAR");
    out
}

/// A TEXT value (RFC 5545 §3.3.11): backslash, `;` and `,` escaped, a line
/// break written `\n`; other control characters (stored text has none)
/// become spaces, so nothing can end the line or start a property.
pub fn text(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 8);
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push('\t'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A UTC DATE-TIME: `20261205T170000Z`.
pub fn utc(ts: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z")).ok())
        .unwrap_or_else(|| "19700101T000000Z".to_string())
}

/// One content line, folded (§3.1): at most 75 octets a line, cut between
/// characters, each continuation starting with a space.
fn line(out: &mut String, name: &str, value: &str) {
    let whole = format!("{name}:{value}");
    let mut room = 75;
    let mut used = 0;
    for c in whole.chars() {
        if used + c.len_utf8() > room {
            out.push_str("\r\n ");
            used = 0;
            room = 74;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new token replaces the old one at once; both changes are audited;
    /// the token opens again (for the member's pages) from its sealed copy.
    #[actix_web::test]
    async fn replacing_and_revoking_are_audited() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let sealer = Sealer::in_data_dir(dir.path());
        let (bob, who) = (UserId(4), Who::user(UserId(4), "bob", "192.0.2.7"));
        let first = replace(&store, &sealer, bob, who.clone(), 10).await.unwrap();
        let second = replace(&store, &sealer, bob, who.clone(), 11).await.unwrap();
        assert_ne!(first, second);
        assert_eq!(first.len(), 43, "256 random bits");
        let digest_of = |t: &str| store.read(|tx| stored::member_of(tx, &secrets::digest(t))).unwrap();
        assert_eq!((digest_of(&first), digest_of(&second)), (None, Some(bob)));
        assert_eq!(store.read(|tx| token_of(tx, &sealer, bob)).unwrap(), Some((second.clone(), 11)));
        let stored_bytes = store.read(|tx| stored::of_member(tx, bob)).unwrap().unwrap();
        assert!(!stored_bytes.sealed.windows(second.len()).any(|w| w == second.as_bytes()), "sealed, not plain");
        assert!(revoke(&store, bob, who.clone(), 12).await.unwrap());
        assert!(!revoke(&store, bob, who, 13).await.unwrap(), "nothing left to revoke: not audited");
        assert_eq!(digest_of(&second), None);
        let log = store.read(|tx| audit::recent(tx, None, 10)).unwrap();
        let actions: Vec<(&str, &str, &str)> =
            log.iter().map(|(_, e)| (e.action.as_str(), e.target.as_str(), e.ip.as_str())).collect();
        assert_eq!(
            actions,
            [
                ("calendar.revoke", "user:4", "192.0.2.7"),
                ("calendar.replace", "user:4", "192.0.2.7"),
                ("calendar.replace", "user:4", "192.0.2.7")
            ]
        );
    }
    use crate::ids::{EventId, GroupId};
    use crate::store::social::Access;

    fn event() -> Event {
        Event {
            id: EventId(7),
            group: Some(GroupId(1)),
            organiser: UserId(1),
            title: "Seeds; swaps, and \\ more".into(),
            description: "Bring jars.\nAnd labels: ünïcödé ".repeat(8),
            location: "Hall\u{1b}[31m".into(),
            start: 1_796_490_000,
            end: 1_796_497_200,
            capacity: None,
            access: Access::Members,
            created_at: 1_796_040_000,
            updated_at: 1_796_040_060,
            revision: 3,
        }
    }

    #[test]
    fn lines_are_folded_escaped_and_end_in_crlf() {
        let url = |e: &Event| format!("https://example.org/api/v1/events/{}", e.id);
        let doc = ics(&Calendar { host: "example.org", name: Some("Ada's events"), url: &url }, &[event()]);
        assert!(doc.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(doc.ends_with("END:VCALENDAR\r\n"));
        for l in doc.split("\r\n") {
            assert!(l.len() <= 75, "{l:?}");
            assert!(!l.contains('\n') && !l.contains('\r'));
        }
        let unfolded = doc.replace("\r\n ", "");
        assert!(unfolded.contains("\r\nUID:event-7@example.org\r\n"));
        assert!(unfolded.contains("\r\nDTSTART:20261205T170000Z\r\nDTEND:20261205T190000Z\r\n"));
        assert!(unfolded.contains("\r\nSUMMARY:Seeds\\; swaps\\, and \\\\ more\r\n"));
        assert!(unfolded.contains("\r\nLOCATION:Hall [31m\r\n"), "no escape character gets through");
        assert!(unfolded.contains("Bring jars.\\nAnd labels: ünïcödé "));
        assert!(unfolded.contains("\r\nSEQUENCE:2\r\n"));
        // Folding never splits a character.
        let mut out = String::new();
        line(&mut out, "X", &"é".repeat(100));
        assert!(out.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(out.replace("\r\n ", ""), format!("X:{}\r\n", "é".repeat(100)));
    }
}
