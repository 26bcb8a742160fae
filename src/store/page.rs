//! Keyset pagination: a page is the rows after a key, in key order or
//! newest first, up to a limit; the next page starts after the last key of
//! this one. No offset, so a page costs the same wherever it is, and rows
//! added meanwhile are neither skipped nor repeated.

use super::{ReadableTable, StoreError};

/// One page of `T`, and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Vec<u8>>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

/// Which way a page runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Ascending,
    /// Newest first, for tables keyed by ascending ids or times.
    Descending,
}

/// A page of a table keyed by `u64`, after the key in `after` (8 bytes,
/// big-endian, as [`Page::next`] gives it). `keep` turns a row into an item
/// or skips it (filters, rows the caller may not see).
pub fn by_id<T>(
    table: &impl ReadableTable<u64, &'static [u8]>,
    after: Option<&[u8]>,
    limit: usize,
    order: Order,
    mut keep: impl FnMut(u64, &[u8]) -> Result<Option<T>, StoreError>,
) -> Result<Page<T>, StoreError> {
    let after = match after {
        None => None,
        Some(b) => Some(u64::from_be_bytes(b.try_into().map_err(|_| StoreError::Internal("bad cursor".into()))?)),
    };
    let rows = match (order, after) {
        (Order::Ascending, None) => table.range::<u64>(..)?,
        (Order::Ascending, Some(a)) => table.range(a.saturating_add(1)..)?,
        (Order::Descending, None) => table.range::<u64>(..)?,
        (Order::Descending, Some(a)) => table.range(..a)?,
    };
    let mut items = vec![];
    let mut last = None;
    let mut more = false;
    let mut visit = |k: u64, v: &[u8]| -> Result<bool, StoreError> {
        if items.len() == limit {
            more = true;
            return Ok(false);
        }
        if let Some(t) = keep(k, v)? {
            items.push(t);
            last = Some(k);
        }
        Ok(true)
    };
    if order == Order::Ascending {
        for row in rows {
            let (k, v) = row?;
            if !visit(k.value(), v.value())? {
                break;
            }
        }
    } else {
        for row in rows.rev() {
            let (k, v) = row?;
            if !visit(k.value(), v.value())? {
                break;
            }
        }
    }
    let next = if more { last.map(|k| k.to_be_bytes().to_vec()) } else { None };
    Ok(Page { items, next })
}

/// Whether `after` can be a cursor of a `by_id` list (8 bytes); anything
/// else would be refused by `by_id` as a store error.
pub fn is_id_cursor(after: &[u8]) -> bool {
    after.len() == 8
}

/// A page of the rows of a byte-keyed table whose keys start with `prefix`,
/// after the full key in `after`.
pub fn by_prefix<V: redb::Value + 'static, T>(
    table: &impl ReadableTable<&'static [u8], V>,
    prefix: &[u8],
    after: Option<&[u8]>,
    limit: usize,
    order: Order,
    mut keep: impl FnMut(&[u8], V::SelfType<'_>) -> Result<Option<T>, StoreError>,
) -> Result<Page<T>, StoreError> {
    if after.is_some_and(|a| !a.starts_with(prefix)) {
        return Err(StoreError::Internal("the cursor belongs to another list".into()));
    }
    let mut end = prefix.to_vec();
    let bounded = super::key::increment(&mut end);
    let mut items = vec![];
    let mut last: Option<Vec<u8>> = None;
    let mut more = false;
    macro_rules! walk {
        ($rows:expr) => {
            for row in $rows {
                let (k, v) = row?;
                let key = k.value();
                if after.is_some_and(|a| match order {
                    Order::Ascending => key <= a,
                    Order::Descending => key >= a,
                }) {
                    continue;
                }
                if items.len() == limit {
                    more = true;
                    break;
                }
                if let Some(t) = keep(key, v.value())? {
                    items.push(t);
                    last = Some(key.to_vec());
                }
            }
        };
    }
    let start: &[u8] = match (order, after) {
        (Order::Ascending, Some(a)) => a,
        _ => prefix,
    };
    match (order, bounded) {
        (Order::Ascending, true) => walk!(table.range::<&[u8]>(start..end.as_slice())?),
        (Order::Ascending, false) => walk!(table.range::<&[u8]>(start..)?),
        (Order::Descending, true) => {
            let hi: &[u8] = after.unwrap_or(end.as_slice());
            walk!(table.range::<&[u8]>(prefix..hi)?.rev())
        }
        (Order::Descending, false) => match after {
            Some(a) => walk!(table.range::<&[u8]>(prefix..a)?.rev()),
            None => walk!(table.range::<&[u8]>(prefix..)?.rev()),
        },
    }
    Ok(Page { items, next: if more { last } else { None } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    const NUMS: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("test_nums");
    const KEYS: redb::TableDefinition<&[u8], ()> = redb::TableDefinition::new("test_keys");

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("db")).unwrap();
        s.write_blocking(|tx| {
            let mut t = tx.open_table(NUMS)?;
            let mut k = tx.open_table(KEYS)?;
            for i in 1..=25u64 {
                t.insert(i, [i as u8].as_slice())?;
                k.insert([b'a', 0, i as u8].as_slice(), ())?;
                k.insert([b'b', 0, i as u8].as_slice(), ())?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
        (dir, s)
    }

    #[test]
    fn pages_by_id_cover_every_row_once_both_ways() {
        let (_d, s) = store();
        for order in [Order::Ascending, Order::Descending] {
            let mut seen = vec![];
            let mut after: Option<Vec<u8>> = None;
            let mut pages = 0;
            loop {
                let p = s
                    .read(|tx| {
                        let t = tx.open_table(NUMS)?;
                        by_id(&t, after.as_deref(), 10, order, |k, _| Ok((k % 2 == 1).then_some(k)))
                    })
                    .unwrap();
                pages += 1;
                seen.extend(p.items);
                match p.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            let mut want: Vec<u64> = (1..=25).filter(|k| k % 2 == 1).collect();
            if order == Order::Descending {
                want.reverse();
            }
            assert_eq!(seen, want, "{order:?}");
            assert_eq!(pages, 2);
        }
    }

    #[test]
    fn pages_by_prefix_stay_inside_the_prefix() {
        let (_d, s) = store();
        for order in [Order::Ascending, Order::Descending] {
            let mut seen = vec![];
            let mut after: Option<Vec<u8>> = None;
            loop {
                let p = s
                    .read(|tx| {
                        let t = tx.open_table(KEYS)?;
                        by_prefix(&t, b"a\0", after.as_deref(), 7, order, |k, ()| Ok(Some(k[2])))
                    })
                    .unwrap();
                seen.extend(p.items);
                match p.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            let mut want: Vec<u8> = (1..=25).collect();
            if order == Order::Descending {
                want.reverse();
            }
            assert_eq!(seen, want, "{order:?}");
        }
        let wrong = s.read(|tx| {
            let t = tx.open_table(KEYS)?;
            by_prefix(&t, b"a\0", Some(b"b\0\x01"), 7, Order::Ascending, |k, ()| Ok(Some(k[2])))
        });
        assert!(wrong.is_err(), "a cursor from another list is refused");
    }
}
