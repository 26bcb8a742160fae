//! Reading a request body with a limit, so that each endpoint answers an
//! oversized or broken body in its own protocol's format (RFC 6749 JSON,
//! RFC 5849 `oauth_problem`, a page) instead of the framework's plain text.

use actix_web::HttpRequest;
use actix_web::web::{self, Bytes, BytesMut};
use futures_util::StreamExt;

/// The largest form body the protocol endpoints and pages read.
pub const MAX_FORM: usize = 256 * 1024;

/// How much of an oversized body is read and thrown away before the answer,
/// as a multiple of the limit: a client still sending when the server
/// answers and closes would see a broken pipe instead of the answer. Past
/// this, the body is left unread and the connection is closed after the
/// answer.
const DRAIN_FACTOR: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than the limit (which it carries, for the message).
    TooLarge(usize),
    /// The connection failed or the encoding was broken.
    Unreadable,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge(limit) => write!(f, "the request body may be at most {limit} bytes"),
            BodyError::Unreadable => write!(f, "the request body could not be read"),
        }
    }
}

/// The whole body, at most `limit` bytes. An oversized body (by
/// `Content-Length` or as it arrives) is refused without being kept.
pub async fn read(req: &HttpRequest, mut payload: web::Payload, limit: usize) -> Result<Bytes, BodyError> {
    let declared =
        req.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > (limit * DRAIN_FACTOR) as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    let mut bytes = BytesMut::new();
    let mut seen = 0usize;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        seen += chunk.len();
        if seen > limit * DRAIN_FACTOR {
            break;
        }
        if seen <= limit {
            bytes.extend_from_slice(&chunk);
        }
    }
    if seen > limit {
        return Err(BodyError::TooLarge(limit));
    }
    Ok(bytes.freeze())
}
