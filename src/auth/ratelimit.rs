//! Sign-in rate limits: attempts per client IP per minute, and failures per
//! username and client address with a lock-out. Kept in memory (a restart
//! forgets them, which a lock-out of minutes can afford) and timed by the
//! `Clock`.
//!
//! The lock-out is per username *and* address, so that someone who knows a
//! username (the admin's, say) cannot lock its owner out from everywhere by
//! failing on purpose. The account as a whole is slowed instead: once its
//! failures from all addresses reach the limit, every attempt waits a
//! progressive delay (250 ms, doubling to 8 s) before the password is
//! checked, and a correct password from an address with no recent failures
//! still signs in.

use crate::clock::{SharedClock, Timestamp};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

/// Past this many entries, stale ones are pruned on the next call.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

struct Window {
    start: Timestamp,
    count: u32,
}

struct Failures {
    first: Timestamp,
    count: u32,
    locked_until: Timestamp,
}

pub struct LoginLimiter {
    clock: SharedClock,
    per_ip_per_minute: u32,
    max_failures: u32,
    lockout: i64,
    ips: Mutex<HashMap<IpAddr, Window>>,
    /// Failures per account, from every address: they slow, never lock.
    users: Mutex<HashMap<String, Failures>>,
    /// Failures per account and address: they lock that address out.
    pairs: Mutex<HashMap<(String, IpAddr), Failures>>,
    /// Password-grant attempts per application, so one leaked client cannot
    /// be used to spray passwords at the whole membership.
    per_client_per_minute: u32,
    clients: Mutex<HashMap<u64, Window>>,
}

/// One fixed one-minute window per key.
fn count_in_window<K: std::hash::Hash + Eq>(
    map: &Mutex<HashMap<K, Window>>,
    key: K,
    budget: u32,
    now: Timestamp,
) -> Result<(), RetryAfter> {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() > PRUNE_AT {
        map.retain(|_, w| now - w.start < 60);
    }
    let w = map.entry(key).or_insert(Window { start: now, count: 0 });
    if now - w.start >= 60 {
        *w = Window { start: now, count: 0 };
    }
    if w.count >= budget {
        return Err(RetryAfter((60 - (now - w.start)).max(1) as u64));
    }
    w.count += 1;
    Ok(())
}

/// The API's per-member write budget: a fixed one-minute window per member,
/// over every application they use, so no app (or stolen token) can flood
/// the community in their name.
pub struct WriteLimiter {
    clock: SharedClock,
    per_minute: u32,
    members: Mutex<HashMap<u64, Window>>,
}

impl WriteLimiter {
    pub fn new(clock: SharedClock, per_minute: u32) -> Self {
        WriteLimiter { clock, per_minute, members: Mutex::new(HashMap::new()) }
    }

    /// Counts one write by the member; refuses past the budget.
    pub fn write_by(&self, member: u64) -> Result<(), RetryAfter> {
        count_in_window(&self.members, member, self.per_minute, self.clock.now_ts())
    }
}

impl LoginLimiter {
    pub fn new(clock: SharedClock, per_ip_per_minute: u32, max_failures: u32, lockout: Duration) -> Self {
        LoginLimiter {
            clock,
            per_ip_per_minute,
            max_failures,
            lockout: lockout.as_secs().max(1) as i64,
            ips: Mutex::new(HashMap::new()),
            users: Mutex::new(HashMap::new()),
            pairs: Mutex::new(HashMap::new()),
            per_client_per_minute: per_ip_per_minute.saturating_mul(10),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one password-grant attempt by an application (ten times the
    /// per-IP budget: an application speaks for many members).
    pub fn attempt_by_client(&self, client: u64) -> Result<(), RetryAfter> {
        count_in_window(&self.clients, client, self.per_client_per_minute, self.clock.now_ts())
    }

    /// Counts one attempt from `ip`; refuses past the per-minute budget.
    pub fn attempt_from(&self, ip: IpAddr) -> Result<(), RetryAfter> {
        count_in_window(&self.ips, ip, self.per_ip_per_minute, self.clock.now_ts())
    }

    /// Refuses while the username is locked out for `ip`; otherwise says
    /// how long the attempt must wait first (zero unless the account has
    /// had too many failures from anywhere lately).
    pub fn check_user(&self, username: &str, ip: IpAddr) -> Result<Duration, RetryAfter> {
        let now = self.clock.now_ts();
        let name = username.to_lowercase();
        {
            let pairs = self.pairs.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(f) = pairs.get(&(name.clone(), ip)) {
                if f.locked_until > now {
                    return Err(RetryAfter((f.locked_until - now) as u64));
                }
            }
        }
        let users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        let recent = users.get(&name).filter(|f| now - f.first < self.lockout).map_or(0, |f| f.count);
        Ok(match recent.checked_sub(self.max_failures) {
            None => Duration::ZERO,
            Some(excess) => Duration::from_millis(250 << excess.min(5)),
        })
    }

    /// Counts a failed sign-in from `ip`; returns true when this failure
    /// locks the name out for that address.
    pub fn failed(&self, username: &str, ip: IpAddr) -> bool {
        let now = self.clock.now_ts();
        let name = username.to_lowercase();
        let lockout = self.lockout;
        {
            let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
            if users.len() > PRUNE_AT {
                users.retain(|_, f| now - f.first < lockout);
            }
            let f = users.entry(name.clone()).or_insert(Failures { first: now, count: 0, locked_until: 0 });
            if now - f.first >= lockout {
                *f = Failures { first: now, count: 0, locked_until: 0 };
            }
            f.count = f.count.saturating_add(1);
        }
        let mut pairs = self.pairs.lock().unwrap_or_else(|e| e.into_inner());
        if pairs.len() > PRUNE_AT {
            pairs.retain(|_, f| f.locked_until > now || now - f.first < lockout);
        }
        let f = pairs.entry((name, ip)).or_insert(Failures { first: now, count: 0, locked_until: 0 });
        // Failures count within one lock-out period.
        if now - f.first >= lockout {
            *f = Failures { first: now, count: 0, locked_until: 0 };
        }
        f.count += 1;
        if f.count >= self.max_failures && f.locked_until <= now {
            f.locked_until = now + lockout;
            f.first = now;
            f.count = 0;
            return true;
        }
        false
    }

    /// A correct password from `ip`: its failures are forgotten, and the
    /// account is no longer slowed.
    pub fn succeeded(&self, username: &str, ip: IpAddr) {
        let name = username.to_lowercase();
        self.users.lock().unwrap_or_else(|e| e.into_inner()).remove(&name);
        self.pairs.lock().unwrap_or_else(|e| e.into_inner()).remove(&(name, ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::TestClock;
    use std::sync::Arc;

    #[test]
    fn ip_budget_resets_after_a_minute() {
        let clock = TestClock::new();
        let l = LoginLimiter::new(clock.clone(), 3, 5, Duration::from_secs(900));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            l.attempt_from(ip).unwrap();
        }
        assert!(l.attempt_from(ip).is_err());
        assert!(l.attempt_from("192.0.2.2".parse().unwrap()).is_ok());
        for _ in 0..30 {
            l.attempt_by_client(7).unwrap();
        }
        assert!(l.attempt_by_client(7).is_err(), "ten times the per-IP budget per application");
        assert!(l.attempt_by_client(8).is_ok());
        clock.advance(Duration::from_secs(61));
        assert!(l.attempt_from(ip).is_ok());
    }

    #[test]
    fn username_locks_after_failures_and_unlocks_later() {
        let clock = TestClock::new();
        let l = LoginLimiter::new(clock.clone() as Arc<_>, 100, 3, Duration::from_secs(900));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(!l.failed("Alice", ip));
        assert!(!l.failed("alice", ip));
        assert!(l.failed("ALICE", ip));
        let RetryAfter(s) = l.check_user("alice", ip).unwrap_err();
        assert!(s > 800 && s <= 900);
        clock.advance(Duration::from_secs(901));
        assert!(l.check_user("alice", ip).is_ok());
        l.failed("bob", ip);
        l.succeeded("bob", ip);
        assert_eq!(l.check_user("bob", ip), Ok(Duration::ZERO));
    }

    #[test]
    fn failures_elsewhere_slow_the_account_but_never_lock_a_clean_address() {
        let clock = TestClock::new();
        let l = LoginLimiter::new(clock.clone() as Arc<_>, 100, 3, Duration::from_secs(900));
        let attacker: IpAddr = "198.51.100.1".parse().unwrap();
        let owner: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..2 {
            l.failed("admin", attacker);
        }
        assert_eq!(l.check_user("admin", owner), Ok(Duration::ZERO), "below the limit: no delay");
        assert!(l.failed("admin", attacker));
        assert!(l.check_user("admin", attacker).is_err(), "the failing address is locked out");
        assert_eq!(l.check_user("admin", owner), Ok(Duration::from_millis(250)), "the owner only waits");
        for _ in 0..20 {
            l.failed("admin", format!("198.51.100.{}", 10).parse().unwrap());
        }
        assert_eq!(l.check_user("admin", owner), Ok(Duration::from_secs(8)), "the delay is capped");
        l.succeeded("admin", owner);
        assert_eq!(l.check_user("admin", owner), Ok(Duration::ZERO));
        assert!(l.check_user("admin", attacker).is_err(), "the attacker's lock-out stays");
    }
}
