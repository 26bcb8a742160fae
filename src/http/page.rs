//! `?cursor=&limit=` for list routes, and the `{"items": [...],
//! "next_cursor": ...}` answer. The cursor is the store's next key,
//! base64url: opaque to clients, and harmless if forged (every row is still
//! filtered for the caller).

use crate::http::page_error::PageError;
use crate::http::problem::{ApiError, FieldError};
use crate::store::page::Page;
use actix_web::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// `?cursor=&limit=`; `limit` is read as text so that a bad one is a 422
/// naming the field rather than the extractor's generic refusal.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page; leave it out for the first.
    #[param(max_length = 512, pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// How many items per page.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<String>,
}

/// A checked page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<Vec<u8>>,
    pub limit: usize,
}

impl PageQuery {
    /// The API's check: default 20, at most 100, a 422 problem naming the
    /// field. A `limit` given empty (`?limit=`) is no number (the document
    /// says an integer); the pages take it for the default, as forms send it.
    pub fn check(&self) -> Result<PageRequest, ApiError> {
        let given_empty = self.limit.as_deref().is_some_and(|l| l.trim().is_empty());
        let r = if given_empty { Err(Self::bad_limit()) } else { self.parse(DEFAULT_LIMIT) };
        r.map_err(|e| ApiError::invalid(vec![e]))
    }

    fn bad_limit() -> FieldError {
        FieldError::new("limit", format!("must be a whole number from 1 to {MAX_LIMIT}"))
    }

    /// A page request with this default limit (at most `MAX_LIMIT`).
    pub fn parse(&self, default: usize) -> Result<PageRequest, FieldError> {
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => default,
            Some(l) => match l.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(Self::bad_limit()),
            },
        };
        let bad_cursor = || FieldError::new("cursor", "is not a cursor this site gave out");
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) if c.len() <= 512 => Some(URL_SAFE_NO_PAD.decode(c).map_err(|_| bad_cursor())?),
            Some(_) => return Err(bad_cursor()),
        };
        Ok(PageRequest { after, limit })
    }

    /// For a page (not the API): the default limit, and a cursor that `fits`
    /// the list (`store::page::is_id_cursor` for a `by_id` list), or a 400
    /// page.
    pub fn for_page(&self, default: usize, fits: impl Fn(&[u8]) -> bool) -> Result<PageRequest, PageError> {
        let invalid = |e: FieldError| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                crate::i18n::Text::key("err-bad-address"),
                format!("{}: {}", e.field, e.message),
            )
        };
        let r = self.parse(default).map_err(invalid)?;
        r.fits(fits).map_err(invalid)
    }
}

impl PageRequest {
    pub fn after(&self) -> Option<&[u8]> {
        self.after.as_deref()
    }

    /// Refuses a cursor that does not belong to the list (it would be a store
    /// error further down, not the client's 4xx).
    pub fn fits(self, fits: impl Fn(&[u8]) -> bool) -> Result<PageRequest, FieldError> {
        match &self.after {
            Some(a) if !fits(a) => Err(FieldError::new("cursor", "is not a cursor of this list")),
            _ => Ok(self),
        }
    }
}

/// A next-page cursor as clients see it (base64url).
pub fn cursor(next: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(next)
}

/// The JSON list shape of every list route.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Listing<T> {
    /// At most `limit` items (default 20, at most 100).
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; `null` on the last page.
    #[schema(required = true, example = "AAAAAAAAAAc")]
    pub next_cursor: Option<String>,
}

impl<T> From<Page<T>> for Listing<T> {
    fn from(p: Page<T>) -> Self {
        Listing { items: p.items, next_cursor: p.next.as_deref().map(cursor) }
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
        for bad in ["0", "101", "-1", "x", "1e3", "", " "] {
            assert!(q(None, Some(bad)).check().is_err(), "{bad:?}");
        }
        assert_eq!(q(None, Some("")).parse(5).unwrap().limit, 5, "a page's form may send it empty");
        assert_eq!(q(Some(""), None).check().unwrap().after, None, "an empty cursor is the first page");
        let page = Page { items: vec![1], next: Some(vec![0, 0, 0, 0, 0, 0, 0, 7]) };
        let listing = Listing::from(page);
        let back = q(listing.next_cursor.as_deref(), None).check().unwrap();
        assert_eq!(back.after, Some(vec![0, 0, 0, 0, 0, 0, 0, 7]));
        assert!(q(Some("not base64!"), None).check().is_err());
    }
}
