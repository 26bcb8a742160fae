//! The community's stored records: groups and their members, posts with
//! their tags, likes and comments, each group's activity river with the
//! push outbox, and members' reports. Records are versioned (`codec`);
//! counters that change with activity (members, likes, comments, the
//! activity sequence) live in their own small tables so that they never
//! move a record's revision, which is its `ETag`.
//!
//! The rules (who may see or change what) are in `social/`; this module
//! only stores and indexes.

pub mod activity;
pub mod calendar;
pub mod comments;
pub mod events;
pub mod files;
pub mod friends;
pub mod groups;
pub mod posts;
pub mod reports;

use super::StoreError;
use super::page::{Order, Page};
use serde::{Deserialize, Serialize};

/// Who may see a piece of content (Elgg's access levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Access {
    /// Anyone, applications acting on their own too.
    Public,
    /// Any signed-in member.
    Members,
    /// Members of the group the content is in.
    Group,
    /// Its author alone.
    Private,
    /// Its author and the author's friends (own stream only). Last: postcard
    /// stores the variant's index.
    Friends,
}

impl Access {
    pub const NAMES: [&'static str; 5] = ["public", "members", "group", "private", "friends"];

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::Members => "members",
            Access::Group => "group",
            Access::Private => "private",
            Access::Friends => "friends",
        }
    }

    pub fn parse(s: &str) -> Option<Access> {
        match s {
            "public" => Some(Access::Public),
            "members" => Some(Access::Members),
            "group" => Some(Access::Group),
            "private" => Some(Access::Private),
            "friends" => Some(Access::Friends),
            _ => None,
        }
    }
}

/// What one step of a scan does with the row it was shown.
pub enum Step<T> {
    Take(T),
    Skip,
    /// Nothing further down the scan can match (a `since` bound passed).
    Stop,
}

/// Reads ids in order from `ids` (already positioned after the cursor),
/// keeping what `visit` takes, until `limit` items are kept or `budget`
/// rows have been looked at. The next cursor is the last id looked at, so
/// a filter that matches little still answers in bounded time and the
/// client carries on from where the scan stopped; ids are never reused, so
/// rows inserted meanwhile are neither repeated nor skipped.
pub fn scan<T>(
    ids: impl Iterator<Item = Result<u64, StoreError>>,
    limit: usize,
    budget: usize,
    mut visit: impl FnMut(u64) -> Result<Step<T>, StoreError>,
) -> Result<Page<T>, StoreError> {
    let mut items = Vec::with_capacity(limit.min(100));
    let mut last = None;
    for (looked, id) in ids.enumerate() {
        let id = id?;
        if items.len() == limit || looked == budget {
            return Ok(Page { items, next: last.map(|l: u64| l.to_be_bytes().to_vec()) });
        }
        match visit(id)? {
            Step::Take(t) => items.push(t),
            Step::Skip => {}
            Step::Stop => return Ok(Page { items, next: None }),
        }
        last = Some(id);
    }
    Ok(Page { items, next: None })
}

/// The ids of an index keyed `prefix ++ id (8 bytes)`, after `after`, in
/// `order`.
pub fn index_ids<'t, V: redb::Value + 'static>(
    table: &'t impl redb::ReadableTable<&'static [u8], V>,
    prefix: &[u8],
    after: Option<u64>,
    order: Order,
) -> Result<Box<dyn Iterator<Item = Result<u64, StoreError>> + 't>, StoreError> {
    let key = |id: u64| {
        let mut k = prefix.to_vec();
        k.extend_from_slice(&id.to_be_bytes());
        k
    };
    let (lo, hi) = match (order, after) {
        (Order::Ascending, Some(a)) => (key(a.saturating_add(1)), key(u64::MAX)),
        (Order::Descending, Some(a)) => (key(0), key(a)),
        (_, None) => (key(0), key(u64::MAX)),
    };
    // `hi` is exclusive for a descending page after `a`, inclusive otherwise.
    let inclusive = !(order == Order::Descending && after.is_some());
    let range =
        if inclusive { table.range(lo.as_slice()..=hi.as_slice()) } else { table.range(lo.as_slice()..hi.as_slice()) }
            .map_err(StoreError::from)?;
    let n = prefix.len();
    let id =
        move |row: Result<(redb::AccessGuard<'_, &'static [u8]>, redb::AccessGuard<'_, V>), redb::StorageError>| {
            let (k, _) = row?;
            super::key::u64_at(k.value(), n).ok_or_else(|| StoreError::Corrupt("index key".into()))
        };
    Ok(match order {
        Order::Ascending => Box::new(range.map(id)),
        Order::Descending => Box::new(range.rev().map(id)),
    })
}

/// The ids of a table keyed by `u64`, after `after`, in `order`.
pub fn table_ids<'t>(
    table: &'t impl redb::ReadableTable<u64, &'static [u8]>,
    after: Option<u64>,
    order: Order,
) -> Result<Box<dyn Iterator<Item = Result<u64, StoreError>> + 't>, StoreError> {
    let range = match (order, after) {
        (Order::Ascending, Some(a)) => table.range(a.saturating_add(1)..),
        (Order::Descending, Some(a)) => table.range(..a),
        (_, None) => table.range::<u64>(..),
    }
    .map_err(StoreError::from)?;
    let id = |row: Result<(redb::AccessGuard<'_, u64>, redb::AccessGuard<'_, &'static [u8]>), redb::StorageError>| {
        Ok(row?.0.value())
    };
    Ok(match order {
        Order::Ascending => Box::new(range.map(id)),
        Order::Descending => Box::new(range.rev().map(id)),
    })
}

/// A cursor of a social list: the 8 bytes of the last id looked at.
pub fn cursor_id(after: Option<&[u8]>) -> Option<u64> {
    after.and_then(|a| <[u8; 8]>::try_from(a).ok()).map(u64::from_be_bytes)
}

/// Whether a client's cursor can belong to a social list.
pub fn is_id_cursor(after: &[u8]) -> bool {
    after.len() == 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scan_stops_at_its_limit_or_its_budget_and_says_where() {
        let ids = || (1..=10u64).map(Ok);
        let even = |id: u64| Ok(if id.is_multiple_of(2) { Step::Take(id) } else { Step::Skip });
        let p = scan(ids(), 2, 100, even).unwrap();
        assert_eq!(p.items, [2, 4]);
        assert_eq!(p.next, Some(4u64.to_be_bytes().to_vec()));
        // Budget of 3 rows: one match, and the cursor after the third row.
        let p = scan(ids(), 5, 3, even).unwrap();
        assert_eq!(p.items, [2]);
        assert_eq!(p.next, Some(3u64.to_be_bytes().to_vec()));
        // Exactly exhausted: no next page.
        let p = scan(ids(), 5, 100, even).unwrap();
        assert_eq!((p.items.len(), p.next), (5, None));
        let p = scan(ids(), 5, 100, |id| Ok(if id > 3 { Step::Stop } else { Step::Take(id) })).unwrap();
        assert_eq!((p.items, p.next), (vec![1, 2, 3], None));
        assert_eq!(cursor_id(Some(&7u64.to_be_bytes())), Some(7));
        assert!(!is_id_cursor(b"abc"));
    }
}
