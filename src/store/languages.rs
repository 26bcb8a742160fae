//! The language each member chose for the pages on `/account`
//! (`member_languages`: UserId -> tag). No row: the browser's
//! `Accept-Language`, then the site's `site_language`. A plain tag, not a
//! record: a tag this version does not know (from a newer one) reads as
//! no choice. Choosing is audited in the same transaction.

use super::audit::{self, Who};
use super::schema::MEMBER_LANGUAGES;
use super::{At, ReadableTable, StoreError, Tables, WriteTransaction};
use crate::clock::Timestamp;
use crate::i18n::Lang;
use crate::ids::UserId;

/// The member's own choice, if any.
pub fn get(tx: &impl Tables, user: UserId) -> Result<Option<Lang>, StoreError> {
    const OP: &str = "languages.get";
    let t = tx.table(&MEMBER_LANGUAGES).during(OP)?;
    let v = t.get(user.0).at(OP, &MEMBER_LANGUAGES)?;
    Ok(v.and_then(|v| Lang::parse(v.value())))
}

/// Sets (`Some`) or clears (`None`: follow the browser) the member's
/// language, audited as `account.language` (`old -> new`). Returns whether
/// anything changed.
pub fn set(
    tx: &WriteTransaction,
    user: UserId,
    lang: Option<Lang>,
    who: &Who,
    now: Timestamp,
) -> Result<bool, StoreError> {
    const OP: &str = "languages.set";
    let old = get(tx, user)?;
    if old == lang {
        return Ok(false);
    }
    let mut t = tx.table(&MEMBER_LANGUAGES).during(OP)?;
    match lang {
        Some(l) => {
            t.insert(user.0, l.code()).at(OP, &MEMBER_LANGUAGES)?;
        }
        None => {
            t.remove(user.0).at(OP, &MEMBER_LANGUAGES)?;
        }
    }
    drop(t);
    let shown = |l: Option<Lang>| l.map_or("browser", Lang::code);
    audit::record(
        tx,
        now,
        who,
        "account.language",
        &user.0.to_string(),
        &format!("{} -> {}", shown(old), shown(lang)),
    )?;
    Ok(true)
}

/// Removes the member's row (the member is deleted).
pub fn forget(tx: &WriteTransaction, user: UserId) -> Result<(), StoreError> {
    const OP: &str = "languages.forget";
    tx.table(&MEMBER_LANGUAGES).during(OP)?.remove(user.0).at(OP, &MEMBER_LANGUAGES)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_choice_is_kept_cleared_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let u = UserId(7);
        assert_eq!(store.read(|tx| get(tx, u)).unwrap(), None);
        let changed = store
            .write_blocking(move |tx| {
                let a = set(tx, u, Some(Lang::Nl), &Who::cli(), 10)?;
                let b = set(tx, u, Some(Lang::Nl), &Who::cli(), 11)?;
                Ok::<_, StoreError>((a, b))
            })
            .unwrap();
        assert_eq!(changed, (true, false), "the same choice again changes nothing");
        assert_eq!(store.read(|tx| get(tx, u)).unwrap(), Some(Lang::Nl));
        assert_eq!(store.read(|tx| get(tx, UserId(8))).unwrap(), None, "one member's choice only");
        store.write_blocking(move |tx| set(tx, u, None, &Who::cli(), 12)).unwrap();
        assert_eq!(store.read(|tx| get(tx, u)).unwrap(), None);
        let log = store.read(|tx| audit::recent(tx, None, 10)).unwrap();
        let lines: Vec<_> = log.iter().map(|(_, e)| format!("{} {}", e.action, e.detail)).collect();
        assert_eq!(lines, ["account.language nl -> browser", "account.language browser -> nl"]);
        store.write_blocking(move |tx| set(tx, u, Some(Lang::En), &Who::cli(), 13)).unwrap();
        store.write_blocking(move |tx| forget(tx, u)).unwrap();
        assert_eq!(store.read(|tx| get(tx, u)).unwrap(), None);
    }
}
