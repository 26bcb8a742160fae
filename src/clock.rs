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

/// `0000-01-01T00:00:00Z` and `9999-12-31T23:59:59Z`: the years RFC 3339
/// can write (four digits).
const FIRST_RFC3339: Timestamp = -62_167_219_200;
const LAST_RFC3339: Timestamp = 253_402_300_799;

/// RFC 3339 text for a stored timestamp, in UTC to the second
/// (`2026-11-23T15:54:00Z`); the number itself outside the years 0 to
/// 9999. Written by hand: every item of every API page carries two of
/// these, and the general formatter of the `time` crate (which the tests
/// compare this with) was most of the cost of turning a page of posts into
/// JSON.
pub fn rfc3339(ts: Timestamp) -> String {
    if !(FIRST_RFC3339..=LAST_RFC3339).contains(&ts) {
        return ts.to_string();
    }
    let (days, secs) = (ts.div_euclid(86_400), ts.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let mut out = [0u8; 20];
    let mut put = |at: usize, value: i64, digits: usize| {
        let mut v = value;
        for i in (0..digits).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, month, 2);
    put(8, day, 2);
    put(11, secs / 3600, 2);
    put(14, secs / 60 % 60, 2);
    put(17, secs % 60, 2);
    for (at, c) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'Z')] {
        out[at] = c;
    }
    // Twenty ASCII bytes, copied at once (collecting them as `char`s
    // took a tenth of a page of posts' serialisation).
    String::from_utf8(out.to_vec()).unwrap_or_else(|_| ts.to_string())
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard
/// Hinnant's `civil_from_days`): (year, month 1-12, day 1-31).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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

    /// What the `time` crate writes, as `rfc3339` did before it was written
    /// by hand.
    fn by_time(ts: Timestamp) -> String {
        OffsetDateTime::from_unix_timestamp(ts)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| ts.to_string())
    }

    #[test]
    fn rfc3339_writes_what_the_time_crate_writes() {
        let mut cases = vec![
            0,
            -1,
            1,
            86_399,
            86_400,
            951_782_400,    // 2000-02-29
            951_868_799,    // 2000-02-29T23:59:59
            4_107_542_400,  // 2100-03-01 (2100 is no leap year)
            -2_208_988_800, // 1900-01-01
            FIRST_RFC3339,
            FIRST_RFC3339 - 1,
            LAST_RFC3339,
            LAST_RFC3339 + 1,
            i64::MIN,
            i64::MAX,
        ];
        // A walk over the whole range in uneven steps, so every month,
        // leap day and time of day comes up.
        let mut t = FIRST_RFC3339;
        while t < LAST_RFC3339 {
            cases.push(t);
            t += 7_777_777 + t.rem_euclid(86_400);
        }
        for ts in cases {
            assert_eq!(rfc3339(ts), by_time(ts), "{ts}");
        }
    }

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(human(90), "1970-01-01 00:01 UTC");
    }
}
