//! The push worker, a background task: it turns the activity outbox into
//! deliveries and sends them. Everything it knows is in the store, so a
//! restart carries on where it stopped.
//!
//! Fan-out: the oldest outbox entry is expanded one batch of group members
//! at a time (`BATCH`), each batch one write that enqueues a delivery per
//! device of every member who should hear of it (not the actor, not a
//! member who muted the group or is in quiet hours, only one who may see
//! the item) and moves the entry's cursor; the last batch removes the
//! entry. A post's own request never waits for this, whatever the group's
//! size.
//!
//! Delivery: due deliveries are sent with bounded concurrency
//! (`CONCURRENCY`), each with a timeout. Each result is written as soon as
//! it is known: an acknowledged delivery is removed at once, so it is not
//! sent again; 429, 5xx and network errors are retried with exponential
//! backoff and jitter, no earlier than `Retry-After`, until `push_max_age`;
//! a device the service says is gone (404/410) is deleted. What remains
//! is the moment between the service's acknowledgement and that write: a
//! crash there sends the notification again, with the same `Topic` header
//! and payload `id`, so the push service and the browser replace the first
//! rather than show it twice.

use super::{Outcome, apns, apns_http2, backoff, fcm, payload, webpush};
use crate::app::App;
use crate::clock::Timestamp;
use crate::store::push::{self as stored, Delivery, Service, Subscription};
use crate::store::push_credentials::PushCredentials;
use crate::store::social::activity;
use crate::store::{StoreError, stats};
use std::sync::Arc;
use std::time::Duration;

/// Members looked at per fan-out write.
pub const BATCH: usize = 500;
/// Deliveries read per round.
pub const ROUND: usize = 512;
/// Calls to push services in flight at once.
pub const CONCURRENCY: usize = 32;
/// The pause when there is nothing to do.
pub const IDLE: Duration = Duration::from_millis(200);

/// The clients and token caches of the senders, made once when the
/// worker starts; clones share them.
#[derive(Clone)]
pub struct Senders {
    /// HTTP/1.1 for Web Push and FCM.
    pub http: reqwest::Client,
    pub fcm: fcm::Tokens,
    /// HTTP/2 for APNs.
    pub apns: apns_http2::Client,
    pub apns_tokens: apns::Tokens,
    /// APNs certificates, read once.
    pub apns_certificates: apns::Opened,
}

impl Senders {
    /// The HTTP/1.1 client is the server's one outbound client (shared
    /// with connections: one pool, one load of the trusted roots).
    pub fn build(app: &App) -> Result<Senders, String> {
        Ok(Senders {
            http: app.outbound.client(&app.config)?,
            fcm: fcm::Tokens::default(),
            apns: apns_http2::Client::build(&app.config)?,
            apns_tokens: apns::Tokens::default(),
            apns_certificates: apns::Opened::default(),
        })
    }
}

/// Runs until the task is stopped. A failed step is logged and retried.
pub async fn run(app: App) {
    let senders = match Senders::build(&app) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "push: cannot build the HTTP client; no notifications will be sent");
            return;
        }
    };
    loop {
        match step(&app, &senders).await {
            Ok(0) => tokio::time::sleep(IDLE).await,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "push: a step failed; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// One fan-out batch and one round of deliveries; how much was done.
pub async fn step(app: &App, senders: &Senders) -> Result<usize, StoreError> {
    let expanded = fan_out(app).await?;
    let sent = deliver(app, senders).await?;
    Ok(expanded + sent)
}

/// Expands one batch of the oldest outbox entry; 0 when the outbox is empty.
pub async fn fan_out(app: &App) -> Result<usize, StoreError> {
    let now = app.now();
    app.store
        .write(move |tx| {
            let Some(entry) = activity::outbox(tx, 1)?.into_iter().next() else { return Ok(0) };
            let cursor = stored::fanout_cursor(tx, entry.activity)?.unwrap_or(0);
            let a = activity::get(tx, entry.group, entry.activity)?;
            let members = match &a {
                Some(_) => stored::members_after(tx, entry.group, cursor, BATCH)?,
                None => vec![],
            };
            if let Some(a) = &a {
                // Per application: whether it has FCM and APNs credentials.
                let mut apps = std::collections::HashMap::new();
                for m in members.iter().filter(|m| m.user != a.actor && m.is_member()) {
                    if !should_hear(tx, a, m.user, now)? {
                        continue;
                    }
                    // FCM and APNs devices are sent to when their
                    // application has credentials for the service.
                    for s in stored::of_user(tx, m.user)? {
                        let (fcm, apns) = match apps.get(&s.client) {
                            Some(has) => *has,
                            None => {
                                let c = crate::store::push_credentials::get(tx, s.client)?;
                                *apps.entry(s.client).or_insert((c.fcm.is_some(), c.apns.is_some()))
                            }
                        };
                        let sends = match s.service {
                            Service::WebPush => true,
                            Service::Fcm => fcm,
                            Service::Apns => apns,
                        };
                        if !sends {
                            continue;
                        }
                        stored::enqueue(
                            tx,
                            Delivery {
                                id: crate::ids::DeliveryId(0),
                                activity: a.id,
                                group: a.group,
                                subscription: s.id,
                                user: m.user,
                                attempts: 0,
                                due: now,
                                created_at: a.at,
                                last_error: None,
                            },
                        )?;
                    }
                }
            }
            match members.last().filter(|_| members.len() == BATCH) {
                Some(last) => stored::set_fanout_cursor(tx, entry.activity, Some(last.user.0))?,
                None => {
                    stored::set_fanout_cursor(tx, entry.activity, None)?;
                    activity::remove_outbox(tx, entry.activity)?;
                }
            }
            Ok(members.len().max(1))
        })
        .await
}

/// Whether `user` is to be notified of `a` now: an enabled member who has
/// not muted the group, is not in quiet hours, and may see the item.
fn should_hear(
    tx: &crate::store::WriteTransaction,
    a: &activity::Activity,
    user: crate::ids::UserId,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let prefs = stored::preferences(tx, user)?;
    if !prefs.notifies(a.group) || prefs.quiet_hours.as_ref().is_some_and(|q| super::subscriptions::is_quiet(q, now)) {
        return Ok(false);
    }
    if crate::store::users::get(tx, user)?.is_none_or(|u| u.disabled) {
        return Ok(false);
    }
    crate::social::activity::member_sees(tx, a, user)
}

/// What one due delivery turned out to need.
enum Job {
    /// Drop it: its device, entry or item is gone, or it is too old.
    Drop(Delivery, &'static str),
    /// With the application's sealed credentials for an FCM or APNs device.
    Send(Delivery, Subscription, Vec<u8>, Box<PushCredentials>),
}

/// Sends one round of due deliveries; how many were handled.
pub async fn deliver(app: &App, senders: &Senders) -> Result<usize, StoreError> {
    let now = app.now();
    let max_age = app.config.push_max_age.as_secs() as i64;
    let language = app.config.site_language.clone();
    let config = app.config.clone();
    let jobs = app.store.read(|tx| {
        let mut jobs = vec![];
        for d in stored::due(tx, now, ROUND)? {
            if now - d.created_at > max_age {
                jobs.push(Job::Drop(d, "expired"));
                continue;
            }
            let Some(sub) = stored::get(tx, d.subscription)?.filter(|s| s.user == d.user) else {
                jobs.push(Job::Drop(d, "unsubscribed"));
                continue;
            };
            let Some(a) = activity::get(tx, d.group, d.activity)? else {
                jobs.push(Job::Drop(d, "withdrawn"));
                continue;
            };
            // Seen again at send time: the item may have gone or changed.
            if !crate::social::activity::member_sees(tx, &a, d.user)? {
                jobs.push(Job::Drop(d, "withdrawn"));
                continue;
            }
            match payload::build(tx, &a, d.user, &language, |p| config.url(p))? {
                Some(p) => {
                    let mut json = serde_json::to_value(&p).unwrap_or_default();
                    json["id"] = serde_json::Value::String(d.id.to_string());
                    let sealed = match sub.service {
                        Service::Fcm | Service::Apns => crate::store::push_credentials::get(tx, sub.client)?,
                        Service::WebPush => PushCredentials::default(),
                    };
                    jobs.push(Job::Send(d, sub, json.to_string().into_bytes(), Box::new(sealed)));
                }
                None => jobs.push(Job::Drop(d, "withdrawn")),
            }
        }
        Ok(jobs)
    })?;
    let n = jobs.len();
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut running = tokio::task::JoinSet::new();
    for job in jobs {
        let (app, senders, limit) = (app.clone(), senders.clone(), limit.clone());
        running.spawn(async move {
            let _permit = limit.acquire_owned().await;
            match job {
                Job::Drop(d, why) => {
                    app.store.write(move |tx| stored::remove_delivery(tx, d.id)).await?;
                    app.metrics.push_delivery("none", why);
                }
                Job::Send(d, sub, body, sealed) => {
                    let outcome = send(&app, &senders, &sub, &d, &body, &sealed).await;
                    record(&app, d, &sub, outcome).await?;
                }
            }
            Ok::<(), StoreError>(())
        });
    }
    while let Some(done) = running.join_next().await {
        match done {
            Ok(r) => r?,
            Err(e) => tracing::error!(error = %e, "push: a delivery task ended abnormally"),
        }
    }
    Ok(n)
}

async fn send(
    app: &App,
    s: &Senders,
    sub: &Subscription,
    d: &Delivery,
    body: &[u8],
    sealed: &PushCredentials,
) -> Outcome {
    let now = app.now();
    let allow = app.config.outbound_allow_private;
    let missing =
        || Outcome::Failed(format!("{} credentials are not configured for this application", sub.service.as_str()));
    match sub.service {
        Service::WebPush => {
            let subject = app.config.public_url.to_string();
            let topic = format!("d{}", d.id);
            webpush::send(&s.http, &app.vapid, sub, body, &subject, now, allow, &topic).await
        }
        Service::Fcm => match super::credentials::fcm(app, sub.client, sealed.fcm.as_deref()) {
            Ok(Some(sa)) => fcm::send(&s.http, &s.fcm, sub.client, &sa, &sub.address, body, now, allow).await,
            Ok(None) => missing(),
            Err(e) => Outcome::Failed(e),
        },
        Service::Apns => match super::credentials::apns(app, sub.client, sealed.apns.as_ref(), &s.apns_certificates) {
            Ok(Some(c)) => {
                apns::send(&s.apns, &s.apns_tokens, sub.client, &c, &sub.address, sub.sandbox, body, now).await
            }
            Ok(None) => missing(),
            Err(e) => Outcome::Failed(e),
        },
    }
}

/// Writes what became of one attempt.
async fn record(app: &App, d: Delivery, sub: &Subscription, outcome: Outcome) -> Result<(), StoreError> {
    let now = app.now();
    let max_age = app.config.push_max_age.as_secs() as i64;
    let label = outcome.label();
    let service = sub.service.as_str();
    let sub_id = sub.id;
    let mut outcome_label = label;
    match outcome {
        Outcome::Delivered => {
            app.store
                .write(move |tx| {
                    stats::bump(tx, stats::PUSH_DELIVERED, now, 1)?;
                    stored::remove_delivery(tx, d.id)
                })
                .await?;
        }
        Outcome::Gone(why) => {
            tracing::info!(subscription = %sub_id, reason = %why, "push: the device is gone; removing it");
            app.store
                .write(move |tx| {
                    stats::bump(tx, stats::PUSH_GONE, now, 1)?;
                    stored::remove_delivery(tx, d.id)?;
                    stored::delete(tx, sub_id)
                })
                .await?;
        }
        Outcome::Failed(why) => {
            tracing::warn!(subscription = %sub_id, reason = %why, "push: delivery refused; dropped");
            app.metrics.push_error(service, &why);
            app.store
                .write(move |tx| {
                    stats::bump(tx, stats::PUSH_FAILED, now, 1)?;
                    stored::remove_delivery(tx, d.id)
                })
                .await?;
        }
        Outcome::Retry(why, after) => {
            let wait = backoff(d.attempts, jitter());
            let due = after.map_or(now + wait, |a| a.max(now + 1));
            app.metrics.push_error(service, &why);
            if due - d.created_at > max_age {
                outcome_label = "expired";
                app.store
                    .write(move |tx| {
                        stats::bump(tx, stats::PUSH_EXPIRED, now, 1)?;
                        stored::remove_delivery(tx, d.id)
                    })
                    .await?;
            } else {
                let next = Delivery { attempts: d.attempts + 1, due, last_error: Some(why), ..d };
                app.store
                    .write(move |tx| {
                        stats::bump(tx, stats::PUSH_RETRIED, now, 1)?;
                        stored::put_delivery(tx, &next)
                    })
                    .await?;
            }
        }
    }
    app.metrics.push_delivery(service, outcome_label);
    Ok(())
}

fn jitter() -> f64 {
    let mut b = [0u8; 4];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b);
    f64::from(u32::from_be_bytes(b)) / f64::from(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;
    use crate::ids::{GroupId, SubscriptionId, UserId};
    use crate::social::activity::About;
    use crate::store::push::{Preferences, QuietHours};
    use crate::store::social::groups::{self, Group, Joining, Membership, Role, State};
    use crate::store::social::{Access, activity::What};
    use crate::store::users::{self, User};

    const NOW: i64 = 1_782_900_000; // 2026-07-01 10:00 UTC

    fn user(tx: &crate::store::WriteTransaction, n: usize) -> Result<UserId, StoreError> {
        let u = User {
            id: UserId(0),
            username: format!("m{n}"),
            display_name: format!("Member {n}"),
            email: String::new(),
            password_hash: String::new(),
            admin: false,
            disabled: n == 7,
            created_at: NOW,
            password_changed_at: NOW,
            revision: 0,
            bio: String::new(),
            avatar: None,
        };
        Ok(users::insert(tx, u)?.id)
    }

    /// A group of `n` members, each with one device; member 0 joined last.
    #[tokio::test]
    async fn a_large_group_is_fanned_out_in_batches_that_resume() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(NOW));
        let n = BATCH * 2 + 100;
        let group = app
            .store
            .write(move |tx| {
                let mut ids = vec![];
                for i in 0..n {
                    ids.push(user(tx, i)?);
                }
                let g = groups::insert(
                    tx,
                    Group {
                        id: GroupId(0),
                        name: "Big".into(),
                        description: String::new(),
                        membership: Joining::Open,
                        access: Access::Public,
                        created_by: ids[0],
                        created_at: NOW,
                        updated_at: NOW,
                        hidden: false,
                        revision: 0,
                    },
                )?;
                for (i, u) in ids.iter().enumerate() {
                    let m = Membership {
                        group: g.id,
                        user: *u,
                        role: if i == 0 { Role::Admin } else { Role::Member },
                        state: if i == 9 { State::Requested } else { State::Member },
                        joined_at: NOW,
                        read_mark: 0,
                    };
                    groups::put_membership(tx, &m)?;
                    stored::put(
                        tx,
                        Subscription {
                            id: SubscriptionId(0),
                            user: *u,
                            client: crate::ids::ClientId(1),
                            service: Service::WebPush,
                            address: format!("https://push.example/{i}"),
                            p256dh: vec![],
                            auth: vec![],
                            sandbox: false,
                            created_at: NOW,
                            updated_at: NOW,
                        },
                    )?;
                }
                // Member 3 muted the group, member 5 is in quiet hours.
                stored::put_preferences(
                    tx,
                    ids[3],
                    &Preferences { groups: [(g.id, false)].into(), quiet_hours: None },
                )?;
                let quiet = QuietHours { from: 9 * 60, to: 11 * 60, time_zone: "UTC".into() };
                stored::put_preferences(
                    tx,
                    ids[5],
                    &Preferences { groups: Default::default(), quiet_hours: Some(quiet) },
                )?;
                crate::social::activity::record(tx, g.id, What::MemberJoined, ids[0], About::default(), NOW)?;
                Ok::<_, StoreError>(g.id)
            })
            .await
            .unwrap();
        let deliveries = |app: &App| app.store.read(|tx| stored::due(tx, NOW, usize::MAX)).unwrap();
        let outbox = |app: &App| app.store.read(|tx| activity::outbox(tx, 10).map(|o| o.len())).unwrap();
        assert_eq!(fan_out(&app).await.unwrap(), BATCH);
        assert_eq!(outbox(&app), 1, "the entry stays until its last batch");
        let first = deliveries(&app).len();
        assert_eq!(fan_out(&app).await.unwrap(), BATCH);
        assert_eq!(fan_out(&app).await.unwrap(), 100);
        assert_eq!(outbox(&app), 0);
        assert_eq!(fan_out(&app).await.unwrap(), 0, "nothing left");
        let all = deliveries(&app);
        // Everyone but the actor, the muted, the quiet, the disabled (7)
        // and the one who only asked to join (9).
        assert_eq!(all.len(), n - 5);
        assert!(first < all.len());
        let mut users: Vec<u64> = all.iter().map(|d| d.user.0).collect();
        users.sort_unstable();
        users.dedup();
        assert_eq!(users.len(), all.len(), "one delivery per device");
        assert!(all.iter().all(|d| d.group == group && d.attempts == 0));
    }
}
