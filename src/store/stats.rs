//! Counters for the dashboard's charts, so that it reads a few dozen rows
//! by key instead of scanning the audit log or the tokens. `stats` maps
//! metric name ++ the start of its hour (or day) to a number:
//!
//! - hourly counters, added to in the same transaction as the event they
//!   count (a token issued, a sign-in failure, a lock-out), by [`bump`];
//! - daily gauges (the number of active grants), written by [`gauge`] from
//!   the hourly statistics task: the last write of a day stands for it.
//!
//! Counting began with schema 4: events from before it are not counted.

use super::key::Key;
use super::schema::STATS;
use super::{At, ReadableTable, StoreError, Tables, WriteTransaction};
use crate::clock::Timestamp;

pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;

/// Access tokens issued through OAuth 2.0 (every grant type, JWT or not).
pub const TOKENS_OAUTH2: &str = "tokens.oauth2";
/// OAuth 1.0a access tokens issued (token credentials).
pub const TOKENS_OAUTH1: &str = "tokens.oauth1";
/// Failed sign-ins (pages, the password grant, xAuth).
pub const SIGNIN_FAILURES: &str = "signin.failures";
/// Lock-outs: a name locked for an address after too many failures.
pub const LOCKOUTS: &str = "signin.lockouts";
/// Daily gauge: grants in force.
pub const ACTIVE_GRANTS: &str = "grants.active";
/// Push deliveries by outcome, per hour: taken by the push service,
/// device gone (subscription removed), refused for good, to be tried again,
/// and given up after `push_max_age`.
pub const PUSH_DELIVERED: &str = "push.delivered";
pub const PUSH_GONE: &str = "push.gone";
pub const PUSH_FAILED: &str = "push.failed";
pub const PUSH_RETRIED: &str = "push.retried";
pub const PUSH_EXPIRED: &str = "push.expired";

fn key(metric: &str, start: Timestamp) -> Key {
    Key::new().text(metric).time(start)
}

/// The start of the bucket of width `width` that holds `at`.
pub fn floor(at: Timestamp, width: i64) -> Timestamp {
    at.div_euclid(width) * width
}

/// Adds `by` to `metric`'s counter for the hour of `at`.
pub fn bump(tx: &WriteTransaction, metric: &str, at: Timestamp, by: u64) -> Result<(), StoreError> {
    const OP: &str = "stats.bump";
    let mut t = tx.table(&STATS).during(OP)?;
    let k = key(metric, floor(at, HOUR));
    let now = t.get(k.as_slice()).at(OP, &STATS)?.map_or(0, |v| v.value());
    t.insert(k.as_slice(), now.saturating_add(by)).at(OP, &STATS)?;
    Ok(())
}

/// Sets `metric`'s gauge for the day of `at`.
pub fn gauge(tx: &WriteTransaction, metric: &str, at: Timestamp, value: u64) -> Result<(), StoreError> {
    const OP: &str = "stats.gauge";
    tx.table(&STATS).during(OP)?.insert(key(metric, floor(at, DAY)).as_slice(), value).at(OP, &STATS)?;
    Ok(())
}

/// Writes today's gauge of active grants (the grants table's length, read
/// without a scan); the statistics task runs it every hour.
pub fn snapshot(tx: &WriteTransaction, now: Timestamp) -> Result<(), StoreError> {
    let n = super::count(tx, &super::schema::GRANTS)?;
    gauge(tx, ACTIVE_GRANTS, now, n)
}

/// `n` buckets of `width` seconds, the first starting at `from` (a bucket
/// start): the stored numbers, `None` where nothing was written. One range
/// read over `n` keys at most.
pub fn series(
    tx: &impl Tables,
    metric: &str,
    from: Timestamp,
    width: i64,
    n: usize,
) -> Result<Vec<Option<u64>>, StoreError> {
    const OP: &str = "stats.series";
    let t = tx.table(&STATS).during(OP)?;
    let mut out = vec![None; n];
    let lo = key(metric, from);
    let hi = key(metric, from + width * n as i64);
    for row in t.range(lo.as_slice()..hi.as_slice()).at(OP, &STATS)? {
        let (k, v) = row.at(OP, &STATS)?;
        let Some(start) = super::key::u64_at(k.value(), k.value().len().saturating_sub(8)) else { continue };
        let start = (start ^ (1 << 63)) as i64;
        let i = (start - from).div_euclid(width);
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
            *slot = Some(v.value());
        }
    }
    Ok(out)
}

/// The last value written for `metric` before `before`, if any (one read).
pub fn last_before(tx: &impl Tables, metric: &str, before: Timestamp) -> Result<Option<u64>, StoreError> {
    const OP: &str = "stats.last_before";
    let t = tx.table(&STATS).during(OP)?;
    let lo = key(metric, i64::MIN);
    let hi = key(metric, before);
    let last = t.range(lo.as_slice()..hi.as_slice()).at(OP, &STATS)?.next_back();
    Ok(match last {
        Some(row) => Some(row.at(OP, &STATS)?.1.value()),
        None => None,
    })
}

/// The sum of `metric`'s hourly counters over `[from, to)` (hour starts).
pub fn sum(tx: &impl Tables, metric: &str, from: Timestamp, to: Timestamp) -> Result<u64, StoreError> {
    let n = ((to - from).max(0) / HOUR) as usize;
    Ok(series(tx, metric, from, HOUR, n)?.into_iter().flatten().sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn counters_add_up_by_hour_and_read_back_by_range() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let t0 = 1_700_000_000 - 1_700_000_000 % HOUR;
        store
            .write_blocking(move |tx| {
                bump(tx, TOKENS_OAUTH2, t0 + 5, 1)?;
                bump(tx, TOKENS_OAUTH2, t0 + 3599, 2)?;
                bump(tx, TOKENS_OAUTH2, t0 + 3 * HOUR, 4)?;
                // Another metric and another time do not leak in.
                bump(tx, TOKENS_OAUTH1, t0 + 5, 100)?;
                bump(tx, TOKENS_OAUTH2, t0 - HOUR, 1000)?;
                bump(tx, TOKENS_OAUTH2, t0 + 4 * HOUR, 1000)?;
                gauge(tx, ACTIVE_GRANTS, t0, 7)?;
                gauge(tx, ACTIVE_GRANTS, t0 + 60, 9)?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let s = store.read(|tx| series(tx, TOKENS_OAUTH2, t0, HOUR, 4)).unwrap();
        assert_eq!(s, [Some(3), None, None, Some(4)]);
        assert_eq!(store.read(|tx| sum(tx, TOKENS_OAUTH2, t0, t0 + 4 * HOUR)).unwrap(), 7);
        let day = floor(t0, DAY);
        assert_eq!(store.read(|tx| series(tx, ACTIVE_GRANTS, day, DAY, 2)).unwrap(), [Some(9), None]);
        assert_eq!(store.read(|tx| last_before(tx, ACTIVE_GRANTS, day + DAY)).unwrap(), Some(9));
        assert_eq!(store.read(|tx| last_before(tx, ACTIVE_GRANTS, day)).unwrap(), None);
        assert_eq!(floor(-1, HOUR), -HOUR);
    }
}
