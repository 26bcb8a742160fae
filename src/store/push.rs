//! Push notifications' stored state: members' subscriptions (one per
//! device, found again by its address so that registering it twice
//! updates it), their preferences, and the worker's durable progress: how
//! far each outbox entry's fan-out has gone and every delivery not yet
//! acknowledged by its push service.

use super::codec::{Record, decode, encode};
use super::key::{Key, u64_at};
use super::schema::{
    PUSH_DELIVERIES, PUSH_DELIVERIES_DUE, PUSH_FANOUT, PUSH_PREFERENCES, PUSH_SUBSCRIPTIONS,
    PUSH_SUBSCRIPTIONS_BY_DEVICE, PUSH_SUBSCRIPTIONS_BY_GRANT, PUSH_SUBSCRIPTIONS_BY_USER,
};
use super::{At, ReadableTable, StoreError, Tables, WriteTransaction, next_id};
use crate::clock::Timestamp;
use crate::ids::{ActivityId, ClientId, DeliveryId, GroupId, SubscriptionId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which push service a device is reached through. Append only: postcard
/// stores the variant's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Service {
    WebPush,
    Apns,
    Fcm,
}

impl Service {
    pub const NAMES: [&'static str; 3] = ["webpush", "apns", "fcm"];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::WebPush => "webpush",
            Service::Apns => "apns",
            Service::Fcm => "fcm",
        }
    }

    pub fn parse(s: &str) -> Option<Service> {
        match s {
            "webpush" => Some(Service::WebPush),
            "apns" => Some(Service::Apns),
            "fcm" => Some(Service::Fcm),
            _ => None,
        }
    }

    fn tag(self) -> u8 {
        match self {
            Service::WebPush => 1,
            Service::Apns => 2,
            Service::Fcm => 3,
        }
    }
}

/// One device of one member, registered by one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub user: UserId,
    pub client: ClientId,
    pub service: Service,
    /// The Web Push endpoint URL, or the APNs / FCM device token.
    pub address: String,
    /// Web Push: the browser's P-256 public key (65 bytes, uncompressed).
    pub p256dh: Vec<u8>,
    /// Web Push: the 16-byte authentication secret.
    pub auth: Vec<u8>,
    /// APNs: the sandbox environment rather than production.
    pub sandbox: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Record for Subscription {
    const KIND: &'static str = "push subscription";
    const VERSION: u8 = 1;
}

/// "Do not disturb" between two times of day in the member's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    /// Minutes after midnight.
    pub from: u16,
    pub to: u16,
    /// An IANA time zone name (`Europe/Amsterdam`) or `UTC`.
    pub time_zone: String,
}

/// A member's push preferences. Groups not named notify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub groups: BTreeMap<GroupId, bool>,
    pub quiet_hours: Option<QuietHours>,
}

impl Preferences {
    pub fn notifies(&self, group: GroupId) -> bool {
        self.groups.get(&group).copied().unwrap_or(true)
    }
}

impl Record for Preferences {
    const KIND: &'static str = "push preferences";
    const VERSION: u8 = 1;
}

/// One notification of one activity entry to one device, until its push
/// service has acknowledged it (then the row goes) or the worker gives up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub activity: ActivityId,
    pub group: GroupId,
    pub subscription: SubscriptionId,
    pub user: UserId,
    /// Attempts made so far.
    pub attempts: u32,
    /// Not to be tried before this time (backoff, `Retry-After`).
    pub due: Timestamp,
    /// When the entry was recorded: the worker gives up past `push_max_age`.
    pub created_at: Timestamp,
    pub last_error: Option<String>,
}

impl Record for Delivery {
    const KIND: &'static str = "push delivery";
    const VERSION: u8 = 1;
}

fn device_key(service: Service, address: &str) -> Key {
    Key::new().bytes(&[service.tag()]).text(address)
}

fn user_key(user: UserId, id: SubscriptionId) -> Key {
    Key::new().u64(user.0).u64(id.0)
}

fn grant_key(user: UserId, client: ClientId, id: SubscriptionId) -> Key {
    Key::new().u64(user.0).u64(client.0).u64(id.0)
}

pub fn get(tx: &impl Tables, id: SubscriptionId) -> Result<Option<Subscription>, StoreError> {
    const OP: &str = "push.get";
    tx.table(&PUSH_SUBSCRIPTIONS)
        .during(OP)?
        .get(id.0)
        .at(OP, &PUSH_SUBSCRIPTIONS)?
        .map(|v| decode(v.value()))
        .transpose()
}

/// The subscription already registered for this device, if any.
pub fn by_device(tx: &impl Tables, service: Service, address: &str) -> Result<Option<Subscription>, StoreError> {
    const OP: &str = "push.by_device";
    let id = tx
        .table(&PUSH_SUBSCRIPTIONS_BY_DEVICE)
        .during(OP)?
        .get(device_key(service, address).as_slice())
        .at(OP, &PUSH_SUBSCRIPTIONS_BY_DEVICE)?
        .map(|v| v.value());
    match id {
        Some(id) => get(tx, SubscriptionId(id)),
        None => Ok(None),
    }
}

/// Stores a subscription: a new one (id 0) gets an id; an existing one is
/// replaced, its indexes moved with it (a device may change hands).
pub fn put(tx: &WriteTransaction, mut s: Subscription) -> Result<Subscription, StoreError> {
    const OP: &str = "push.put";
    if s.id.0 == 0 {
        s.id = SubscriptionId(next_id(tx, SubscriptionId::SEQUENCE)?);
    } else if let Some(old) = get(tx, s.id)? {
        unindex(tx, &old)?;
    }
    tx.table(&PUSH_SUBSCRIPTIONS).during(OP)?.insert(s.id.0, encode(&s)?.as_slice()).at(OP, &PUSH_SUBSCRIPTIONS)?;
    tx.table(&PUSH_SUBSCRIPTIONS_BY_USER)
        .during(OP)?
        .insert(user_key(s.user, s.id).as_slice(), ())
        .at(OP, &PUSH_SUBSCRIPTIONS_BY_USER)?;
    tx.table(&PUSH_SUBSCRIPTIONS_BY_GRANT)
        .during(OP)?
        .insert(grant_key(s.user, s.client, s.id).as_slice(), ())
        .at(OP, &PUSH_SUBSCRIPTIONS_BY_GRANT)?;
    tx.table(&PUSH_SUBSCRIPTIONS_BY_DEVICE)
        .during(OP)?
        .insert(device_key(s.service, &s.address).as_slice(), s.id.0)
        .at(OP, &PUSH_SUBSCRIPTIONS_BY_DEVICE)?;
    Ok(s)
}

fn unindex(tx: &WriteTransaction, s: &Subscription) -> Result<(), StoreError> {
    const OP: &str = "push.unindex";
    tx.table(&PUSH_SUBSCRIPTIONS_BY_USER)
        .during(OP)?
        .remove(user_key(s.user, s.id).as_slice())
        .at(OP, &PUSH_SUBSCRIPTIONS_BY_USER)?;
    tx.table(&PUSH_SUBSCRIPTIONS_BY_GRANT)
        .during(OP)?
        .remove(grant_key(s.user, s.client, s.id).as_slice())
        .at(OP, &PUSH_SUBSCRIPTIONS_BY_GRANT)?;
    tx.table(&PUSH_SUBSCRIPTIONS_BY_DEVICE)
        .during(OP)?
        .remove(device_key(s.service, &s.address).as_slice())
        .at(OP, &PUSH_SUBSCRIPTIONS_BY_DEVICE)?;
    Ok(())
}

/// Removes a subscription; `true` when there was one. Its pending
/// deliveries find it gone and are dropped by the worker.
pub fn delete(tx: &WriteTransaction, id: SubscriptionId) -> Result<bool, StoreError> {
    const OP: &str = "push.delete";
    let Some(s) = get(tx, id)? else { return Ok(false) };
    unindex(tx, &s)?;
    tx.table(&PUSH_SUBSCRIPTIONS).during(OP)?.remove(id.0).at(OP, &PUSH_SUBSCRIPTIONS)?;
    Ok(true)
}

/// Every subscription of a member, in id order.
pub fn of_user(tx: &impl Tables, user: UserId) -> Result<Vec<Subscription>, StoreError> {
    const OP: &str = "push.of_user";
    let ids: Vec<u64> = {
        let t = tx.table(&PUSH_SUBSCRIPTIONS_BY_USER).during(OP)?;
        let lo = user_key(user, SubscriptionId(0));
        let hi = user_key(user, SubscriptionId(u64::MAX));
        let mut ids = vec![];
        for row in t.range(lo.as_slice()..=hi.as_slice()).at(OP, &PUSH_SUBSCRIPTIONS_BY_USER)? {
            ids.extend(u64_at(row.at(OP, &PUSH_SUBSCRIPTIONS_BY_USER)?.0.value(), 8));
        }
        ids
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(get(tx, SubscriptionId(id))?);
    }
    Ok(out)
}

/// Removes the subscriptions a member registered through one application
/// (its grant is revoked); returns how many went.
pub fn delete_for_grant(tx: &WriteTransaction, user: UserId, client: ClientId) -> Result<usize, StoreError> {
    const OP: &str = "push.delete_for_grant";
    let ids: Vec<u64> = {
        let t = tx.table(&PUSH_SUBSCRIPTIONS_BY_GRANT).during(OP)?;
        let lo = grant_key(user, client, SubscriptionId(0));
        let hi = grant_key(user, client, SubscriptionId(u64::MAX));
        let mut ids = vec![];
        for row in t.range(lo.as_slice()..=hi.as_slice()).at(OP, &PUSH_SUBSCRIPTIONS_BY_GRANT)? {
            ids.extend(u64_at(row.at(OP, &PUSH_SUBSCRIPTIONS_BY_GRANT)?.0.value(), 16));
        }
        ids
    };
    for id in &ids {
        delete(tx, SubscriptionId(*id))?;
    }
    Ok(ids.len())
}

/// Removes a member's every device and their preferences (the member is
/// deleted).
pub fn delete_for_user(tx: &WriteTransaction, user: UserId) -> Result<(), StoreError> {
    const OP: &str = "push.delete_for_user";
    for s in of_user(tx, user)? {
        delete(tx, s.id)?;
    }
    tx.table(&PUSH_PREFERENCES).during(OP)?.remove(user.0).at(OP, &PUSH_PREFERENCES)?;
    Ok(())
}

pub fn preferences(tx: &impl Tables, user: UserId) -> Result<Preferences, StoreError> {
    const OP: &str = "push.preferences";
    Ok(tx
        .table(&PUSH_PREFERENCES)
        .during(OP)?
        .get(user.0)
        .at(OP, &PUSH_PREFERENCES)?
        .map(|v| decode(v.value()))
        .transpose()?
        .unwrap_or_default())
}

pub fn put_preferences(tx: &WriteTransaction, user: UserId, p: &Preferences) -> Result<(), StoreError> {
    const OP: &str = "push.put_preferences";
    tx.table(&PUSH_PREFERENCES).during(OP)?.insert(user.0, encode(p)?.as_slice()).at(OP, &PUSH_PREFERENCES)?;
    Ok(())
}

/// The last member id an outbox entry's fan-out has expanded, if it began.
pub fn fanout_cursor(tx: &impl Tables, activity: ActivityId) -> Result<Option<u64>, StoreError> {
    const OP: &str = "push.fanout_cursor";
    Ok(tx.table(&PUSH_FANOUT).during(OP)?.get(activity.0).at(OP, &PUSH_FANOUT)?.map(|v| v.value()))
}

pub fn set_fanout_cursor(tx: &WriteTransaction, activity: ActivityId, last: Option<u64>) -> Result<(), StoreError> {
    const OP: &str = "push.set_fanout_cursor";
    let mut t = tx.table(&PUSH_FANOUT).during(OP)?;
    match last {
        Some(l) => t.insert(activity.0, l).at(OP, &PUSH_FANOUT)?,
        None => t.remove(activity.0).at(OP, &PUSH_FANOUT)?,
    };
    Ok(())
}

/// Enqueues a delivery under a new id.
pub fn enqueue(tx: &WriteTransaction, mut d: Delivery) -> Result<Delivery, StoreError> {
    d.id = DeliveryId(next_id(tx, DeliveryId::SEQUENCE)?);
    put_delivery(tx, &d)?;
    Ok(d)
}

fn due_key(due: Timestamp, id: DeliveryId) -> Key {
    Key::new().time(due).u64(id.0)
}

/// Stores a delivery, its place in the due order moved with it.
pub fn put_delivery(tx: &WriteTransaction, d: &Delivery) -> Result<(), StoreError> {
    const OP: &str = "push.put_delivery";
    let mut by_due = tx.table(&PUSH_DELIVERIES_DUE).during(OP)?;
    if let Some(old) = get_delivery(tx, d.id)? {
        by_due.remove(due_key(old.due, old.id).as_slice()).at(OP, &PUSH_DELIVERIES_DUE)?;
    }
    by_due.insert(due_key(d.due, d.id).as_slice(), ()).at(OP, &PUSH_DELIVERIES_DUE)?;
    tx.table(&PUSH_DELIVERIES).during(OP)?.insert(d.id.0, encode(d)?.as_slice()).at(OP, &PUSH_DELIVERIES)?;
    Ok(())
}

pub fn get_delivery(tx: &impl Tables, id: DeliveryId) -> Result<Option<Delivery>, StoreError> {
    const OP: &str = "push.get_delivery";
    tx.table(&PUSH_DELIVERIES).during(OP)?.get(id.0).at(OP, &PUSH_DELIVERIES)?.map(|v| decode(v.value())).transpose()
}

/// Removes a delivery (acknowledged, given up, or its device gone).
pub fn remove_delivery(tx: &WriteTransaction, id: DeliveryId) -> Result<bool, StoreError> {
    const OP: &str = "push.remove_delivery";
    let Some(d) = get_delivery(tx, id)? else { return Ok(false) };
    tx.table(&PUSH_DELIVERIES_DUE).during(OP)?.remove(due_key(d.due, d.id).as_slice()).at(OP, &PUSH_DELIVERIES_DUE)?;
    tx.table(&PUSH_DELIVERIES).during(OP)?.remove(id.0).at(OP, &PUSH_DELIVERIES)?;
    Ok(true)
}

/// Up to `limit` deliveries due at `now`, the longest due first (read in
/// due order: those waiting out a backoff are never looked at).
pub fn due(tx: &impl Tables, now: Timestamp, limit: usize) -> Result<Vec<Delivery>, StoreError> {
    const OP: &str = "push.due";
    let t = tx.table(&PUSH_DELIVERIES_DUE).during(OP)?;
    let hi = due_key(now, DeliveryId(u64::MAX));
    let mut ids = vec![];
    for row in t.range(..=hi.as_slice()).at(OP, &PUSH_DELIVERIES_DUE)?.take(limit) {
        ids.extend(u64_at(row.at(OP, &PUSH_DELIVERIES_DUE)?.0.value(), 8).map(DeliveryId));
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(get_delivery(tx, id)?);
    }
    Ok(out)
}

/// Up to `limit` memberships (and requests) of a group with a member id
/// above `after`, in id order: one batch of a fan-out.
pub fn members_after(
    tx: &impl Tables,
    group: GroupId,
    after: u64,
    limit: usize,
) -> Result<Vec<super::social::groups::Membership>, StoreError> {
    const OP: &str = "push.members_after";
    let lo = Key::new().u64(group.0).u64(after.saturating_add(1));
    let hi = Key::new().u64(group.0).u64(u64::MAX);
    if after == u64::MAX {
        return Ok(vec![]);
    }
    let t = tx.table(&super::schema::MEMBERS).during(OP)?;
    let mut out = vec![];
    for row in t.range(lo.as_slice()..=hi.as_slice()).at(OP, &super::schema::MEMBERS)?.take(limit) {
        out.push(decode(row.at(OP, &super::schema::MEMBERS)?.1.value())?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn sub(user: u64, client: u64, address: &str) -> Subscription {
        Subscription {
            id: SubscriptionId(0),
            user: UserId(user),
            client: ClientId(client),
            service: Service::WebPush,
            address: address.into(),
            p256dh: vec![4; 65],
            auth: vec![1; 16],
            sandbox: false,
            created_at: 1,
            updated_at: 1,
        }
    }

    #[tokio::test]
    async fn deliveries_come_out_in_due_order_and_backoff_holds_none_up() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.redb")).unwrap();
        let d = |due: i64| Delivery {
            id: DeliveryId(0),
            activity: ActivityId(1),
            group: GroupId(1),
            subscription: SubscriptionId(1),
            user: UserId(1),
            attempts: 0,
            due,
            created_at: 0,
            last_error: None,
        };
        let ids = store
            .write(move |tx| {
                let mut ids = vec![];
                // Many waiting first, then one due now.
                for _ in 0..50 {
                    ids.push(enqueue(tx, d(1_000))?.id);
                }
                ids.push(enqueue(tx, d(10))?.id);
                Ok::<_, StoreError>(ids)
            })
            .await
            .unwrap();
        let now = store.read(|tx| due(tx, 20, 5)).unwrap();
        assert_eq!(now.iter().map(|d| d.id).collect::<Vec<_>>(), [ids[50]]);
        // Backed off: moves in the order; removed: gone from it.
        let moved = Delivery { due: 5_000, attempts: 1, ..now[0].clone() };
        store.write(move |tx| put_delivery(tx, &moved)).await.unwrap();
        assert!(store.read(|tx| due(tx, 20, 5)).unwrap().is_empty());
        assert_eq!(store.read(|tx| due(tx, 1_000, 100)).unwrap().len(), 50);
        let first = ids[0];
        assert!(store.write(move |tx| remove_delivery(tx, first)).await.unwrap());
        assert_eq!(store.read(|tx| due(tx, 9_999, 100)).unwrap().len(), 50);
        assert_eq!(store.read(|tx| due(tx, 9_999, 100)).unwrap().last().unwrap().attempts, 1);
    }

    #[tokio::test]
    async fn indexes_follow_the_record_and_the_grant_takes_its_devices() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.redb")).unwrap();
        let (a, b) = store
            .write(|tx| {
                let a = put(tx, sub(1, 7, "https://push.example/a"))?;
                let b = put(tx, sub(1, 8, "https://push.example/b"))?;
                Ok::<_, StoreError>((a, b))
            })
            .await
            .unwrap();
        // The device changes hands: it moves to member 2, under client 7.
        let moved = Subscription { user: UserId(2), ..a.clone() };
        store.write(move |tx| put(tx, moved.clone()).map(|_| ())).await.unwrap();
        store
            .read(|tx| {
                assert!(of_user(tx, UserId(1))?.iter().map(|s| s.id).eq([b.id]));
                assert_eq!(of_user(tx, UserId(2))?.len(), 1);
                assert_eq!(by_device(tx, Service::WebPush, "https://push.example/a")?.unwrap().user, UserId(2));
                assert_eq!(by_device(tx, Service::Fcm, "https://push.example/a")?, None);
                Ok(())
            })
            .unwrap();
        let n = store.write(|tx| delete_for_grant(tx, UserId(1), ClientId(8))).await.unwrap();
        assert_eq!(n, 1);
        let n = store.write(|tx| delete_for_grant(tx, UserId(1), ClientId(7))).await.unwrap();
        assert_eq!(n, 0, "member 1's grant of client 7 no longer holds the device");
        store
            .read(|tx| {
                assert!(of_user(tx, UserId(1))?.is_empty());
                assert_eq!(by_device(tx, Service::WebPush, "https://push.example/b")?, None);
                Ok(())
            })
            .unwrap();
        // Member 2 is deleted: the device they hold goes too.
        store.write(|tx| delete_for_user(tx, UserId(2))).await.unwrap();
        store
            .read(|tx| {
                assert!(of_user(tx, UserId(2))?.is_empty());
                assert_eq!(by_device(tx, Service::WebPush, "https://push.example/a")?, None);
                Ok(())
            })
            .unwrap();
    }
}
