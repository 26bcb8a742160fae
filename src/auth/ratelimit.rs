//! Sign-in rate limits: attempts per client IP per minute, and failures per
//! username with a lock-out. Kept in memory (a restart forgets them, which a
//! lock-out of minutes can afford) and timed by the `Clock`.

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
    users: Mutex<HashMap<String, Failures>>,
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

impl LoginLimiter {
    pub fn new(clock: SharedClock, per_ip_per_minute: u32, max_failures: u32, lockout: Duration) -> Self {
        LoginLimiter {
            clock,
            per_ip_per_minute,
            max_failures,
            lockout: lockout.as_secs().max(1) as i64,
            ips: Mutex::new(HashMap::new()),
            users: Mutex::new(HashMap::new()),
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

    /// Refuses while the username is locked out.
    pub fn check_user(&self, username: &str) -> Result<(), RetryAfter> {
        let now = self.clock.now_ts();
        let users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        match users.get(&username.to_lowercase()) {
            Some(f) if f.locked_until > now => Err(RetryAfter((f.locked_until - now) as u64)),
            _ => Ok(()),
        }
    }

    /// Counts a failed sign-in; returns true when this failure locks the name.
    pub fn failed(&self, username: &str) -> bool {
        let now = self.clock.now_ts();
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        if users.len() > PRUNE_AT {
            let lockout = self.lockout;
            users.retain(|_, f| f.locked_until > now || now - f.first < lockout);
        }
        let f = users.entry(username.to_lowercase()).or_insert(Failures { first: now, count: 0, locked_until: 0 });
        // Failures count within one lock-out period.
        if now - f.first >= self.lockout {
            *f = Failures { first: now, count: 0, locked_until: 0 };
        }
        f.count += 1;
        if f.count >= self.max_failures && f.locked_until <= now {
            f.locked_until = now + self.lockout;
            f.first = now;
            f.count = 0;
            return true;
        }
        false
    }

    pub fn succeeded(&self, username: &str) {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        users.remove(&username.to_lowercase());
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
        assert!(!l.failed("Alice"));
        assert!(!l.failed("alice"));
        assert!(l.failed("ALICE"));
        let RetryAfter(s) = l.check_user("alice").unwrap_err();
        assert!(s > 800 && s <= 900);
        clock.advance(Duration::from_secs(901));
        assert!(l.check_user("alice").is_ok());
        l.failed("bob");
        l.succeeded("bob");
        assert!(l.check_user("bob").is_ok());
    }
}
