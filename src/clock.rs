//! Time for everything that expires: passed in as a `Clock`, never read from a
//! global, so tests can move it forward.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use time::OffsetDateTime;

/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;

    fn now_ts(&self) -> Timestamp {
        self.now().unix_timestamp()
    }
}

pub type SharedClock = Arc<dyn Clock>;

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that follows real time plus an offset the test can move forward.
#[derive(Debug, Default)]
pub struct TestClock {
    offset_secs: AtomicI64,
}

impl TestClock {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.offset_secs.fetch_add(by.as_secs() as i64, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.offset_secs.load(Ordering::SeqCst))
    }
}

/// A clock that stands still until the test moves it: for unit tests of
/// operations, where every timestamp must be predictable.
#[derive(Debug)]
pub struct FrozenClock {
    at: AtomicI64,
}

impl FrozenClock {
    pub fn at(ts: Timestamp) -> Self {
        FrozenClock { at: AtomicI64::new(ts) }
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.at.fetch_add(by.as_secs() as i64, Ordering::SeqCst);
    }
}

impl Clock for FrozenClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.at.load(Ordering::SeqCst)).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// RFC 3339 text for a stored timestamp.
pub fn rfc3339(ts: Timestamp) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| ts.to_string())
}

/// A stored timestamp for people: `2026-11-23 15:54 UTC`.
pub fn human(ts: Timestamp) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).ok())
        .unwrap_or_else(|| ts.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_clock_moves_forward() {
        let c = TestClock::new();
        let before = c.now_ts();
        c.advance(std::time::Duration::from_secs(3600));
        assert!(c.now_ts() >= before + 3600);
    }

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(human(90), "1970-01-01 00:01 UTC");
    }
}
