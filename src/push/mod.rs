//! Push notifications: members' devices and preferences
//! (`subscriptions`), the rule for where the server may call out to
//! (`target`), what a notification says (`payload`, in the site's language
//! from `words`), and the worker that turns the activity outbox into
//! notifications (`worker`: fan-out in batches, durable deliveries,
//! retries) through one sender per service (`webpush`; `fcm` and `apns`
//! with the applications' `credentials`, `apns` over the HTTP/2
//! connections of `apns_http2`, with a token key or a certificate read by
//! `apns_cert`).
//! Nothing here runs inside a request except the subscription operations.

pub mod apns;
pub mod apns_cert;
pub mod apns_http2;
pub mod credentials;
pub mod fcm;
pub mod payload;
pub mod subscriptions;
pub mod webpush;
pub mod words;
pub mod worker;

pub use crate::outbound::{client, target};

use crate::clock::Timestamp;

/// What became of one attempt to deliver a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The push service took it (2xx): done, never to be sent again.
    Delivered,
    /// The device is gone (404, 410, or an address that cannot work): the
    /// subscription is deleted.
    Gone(String),
    /// Worth trying again (429, 5xx, a network error or timeout), no
    /// earlier than the time given when the service said (`Retry-After`).
    Retry(String, Option<Timestamp>),
    /// Refused for good (another 4xx): dropped.
    Failed(String),
}

impl Outcome {
    /// The metrics label.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Gone(_) => "gone",
            Outcome::Retry(..) => "retry",
            Outcome::Failed(_) => "failed",
        }
    }
}

/// Maps a push service's HTTP answer to an outcome.
pub fn outcome(status: u16, retry_after: Option<&str>, now: Timestamp) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        404 | 410 => Outcome::Gone(format!("the push service answered {status}")),
        429 | 500..=599 => Outcome::Retry(format!("the push service answered {status}"), retry_at(retry_after, now)),
        _ => Outcome::Failed(format!("the push service answered {status}")),
    }
}

/// `Retry-After` as a time: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
/// `now` is cut to the second, so a delay counts from the next second: a
/// retry never comes before the service asked.
pub fn retry_at(header: Option<&str>, now: Timestamp) -> Option<Timestamp> {
    let h = header?.trim();
    if let Ok(secs) = h.parse::<u32>() {
        return Some(now + 1 + i64::from(secs));
    }
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(h, &format).ok().map(|t| t.assume_utc().unix_timestamp())
}

/// The wait before attempt `attempts + 1`: exponential from one second,
/// capped at an hour, with full jitter in its upper half so that devices
/// that failed together do not retry together.
pub fn backoff(attempts: u32, jitter: f64) -> i64 {
    let base = 1i64 << attempts.min(12);
    let capped = base.min(3600);
    let half = capped as f64 / 2.0;
    (half + half * jitter.clamp(0.0, 1.0)).ceil().max(1.0) as i64
}

/// An error with its causes, on one line (reqwest hides the useful part).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_outcomes() {
        assert_eq!(outcome(201, None, 0), Outcome::Delivered);
        assert!(matches!(outcome(410, None, 0), Outcome::Gone(_)));
        assert!(matches!(outcome(404, None, 0), Outcome::Gone(_)));
        assert_eq!(outcome(429, Some("30"), 100), Outcome::Retry("the push service answered 429".into(), Some(131)));
        assert!(matches!(outcome(503, None, 0), Outcome::Retry(_, None)));
        assert!(matches!(outcome(400, None, 0), Outcome::Failed(_)));
        assert!(matches!(outcome(413, None, 0), Outcome::Failed(_)));
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(retry_at(Some("120"), 1000), Some(1121));
        assert_eq!(retry_at(Some("Wed, 21 Oct 2015 07:28:00 GMT"), 0), Some(1_445_412_480));
        assert_eq!(retry_at(Some("soon"), 0), None);
        assert_eq!(retry_at(None, 0), None);
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        assert_eq!((backoff(0, 0.0), backoff(0, 1.0)), (1, 1));
        assert_eq!((backoff(3, 0.0), backoff(3, 1.0)), (4, 8));
        assert_eq!(backoff(30, 1.0), 3600);
        assert_eq!(backoff(30, 0.0), 1800);
    }
}
