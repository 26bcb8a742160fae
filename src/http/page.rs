//! `?cursor=&limit=` for list routes, and the `{"items": [...],
//! "next_cursor": ...}` answer. The cursor is the store's next key,
//! base64url: opaque to clients, and harmless if forged (every row is still
//! filtered for the caller).

use crate::http::problem::ApiError;
use crate::store::page::Page;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// A checked page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<Vec<u8>>,
    pub limit: usize,
}

impl PageQuery {
    pub fn check(&self) -> Result<PageRequest, ApiError> {
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_LIMIT,
            Some(l) => match l.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(ApiError::field("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))),
            },
        };
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) if c.len() <= 512 => Some(
                URL_SAFE_NO_PAD
                    .decode(c)
                    .map_err(|_| ApiError::field("cursor", "is not a cursor this API gave out"))?,
            ),
            Some(_) => return Err(ApiError::field("cursor", "is not a cursor this API gave out")),
        };
        Ok(PageRequest { after, limit })
    }
}

/// The JSON list shape of every list route.
#[derive(Debug, Serialize)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> From<Page<T>> for Listing<T> {
    fn from(p: Page<T>) -> Self {
        Listing { items: p.items, next_cursor: p.next.map(|n| URL_SAFE_NO_PAD.encode(n)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors_are_checked() {
        let q = |c: Option<&str>, l: Option<&str>| PageQuery { cursor: c.map(Into::into), limit: l.map(Into::into) };
        assert_eq!(q(None, None).check().unwrap(), PageRequest { after: None, limit: 20 });
        assert_eq!(q(None, Some("100")).check().unwrap().limit, 100);
        for bad in ["0", "101", "-1", "x", "1e3"] {
            assert!(q(None, Some(bad)).check().is_err(), "{bad}");
        }
        let page = Page { items: vec![1], next: Some(vec![0, 0, 0, 0, 0, 0, 0, 7]) };
        let listing = Listing::from(page);
        let back = q(listing.next_cursor.as_deref(), None).check().unwrap();
        assert_eq!(back.after, Some(vec![0, 0, 0, 0, 0, 0, 0, 7]));
        assert!(q(Some("not base64!"), None).check().is_err());
    }
}
