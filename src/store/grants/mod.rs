//! Grants and the tokens under them. Every token (authorization code,
//! access token, refresh token, OAuth 1.0a access token) names its grant
//! and is indexed under it, so revoking a grant removes every token at once.
//! Tokens are keyed by the SHA-256 of their value: the database never holds
//! a usable token. (An OAuth 1.0a token's secret is kept sealed, since HMAC
//! needs it back.)

mod records;

pub use records::{Grant, Replay, Token, TokenKind};
#[cfg(test)]
pub(crate) use records::{GrantV1, TokenV1, TokenV2};

use super::codec::{decode, encode, revise};
use super::key::{Key, u64_at};
use super::schema::{GRANTS, GRANTS_BY_CLIENT, GRANTS_BY_MEMBER, TOKENS, TOKENS_BY_EXPIRY, TOKENS_BY_GRANT};
use super::{At, ClientId, GrantId, ReadableTable, StoreError, Tables, UserId, WriteTransaction, next_id};
use crate::clock::Timestamp;

/// `GRANTS_BY_MEMBER` key: UserId (0 for the application's own grant) ++ ClientId.
fn member_key(user: Option<UserId>, client: ClientId) -> Key {
    Key::new().u64(user.map(|u| u.0).unwrap_or(0)).u64(client.0)
}

/// `GRANTS_BY_CLIENT` key: ClientId ++ GrantId.
fn client_key(client: ClientId, grant: GrantId) -> Key {
    Key::new().u64(client.0).u64(grant.0)
}

/// `TOKENS_BY_GRANT` key: GrantId ++ token digest.
fn token_index_key(grant: GrantId, digest: &[u8; 32]) -> Key {
    Key::new().u64(grant.0).bytes(digest)
}

/// `TOKENS_BY_EXPIRY` key: expiry time ++ token digest.
fn expiry_key(expires_at: Timestamp, digest: &[u8; 32]) -> Key {
    Key::new().time(expires_at).bytes(digest)
}

/// The digest at the end of an index key.
fn digest_at(key: &[u8], at: usize) -> Option<[u8; 32]> {
    key.get(at..).and_then(|d| d.try_into().ok())
}

pub fn get(tx: &impl Tables, id: GrantId) -> Result<Option<Grant>, StoreError> {
    const OP: &str = "grants.get";
    tx.table(&GRANTS).during(OP)?.get(id.0).at(OP, &GRANTS)?.map(|v| decode(v.value())).transpose()
}

/// The grant of `user` (or the application itself) to `client`, if any.
pub fn find(tx: &impl Tables, user: Option<UserId>, client: ClientId) -> Result<Option<Grant>, StoreError> {
    const OP: &str = "grants.find";
    let idx = tx.table(&GRANTS_BY_MEMBER).during(OP)?;
    let id = idx.get(member_key(user, client).as_slice()).at(OP, &GRANTS_BY_MEMBER)?.map(|v| GrantId(v.value()));
    match id {
        Some(id) => get(tx, id),
        None => Ok(None),
    }
}

pub fn insert(tx: &WriteTransaction, mut grant: Grant) -> Result<Grant, StoreError> {
    const OP: &str = "grants.insert";
    grant.id = GrantId(next_id(tx, GrantId::SEQUENCE)?);
    let mut idx = tx.table(&GRANTS_BY_MEMBER).during(OP)?;
    idx.insert(member_key(grant.user, grant.client).as_slice(), grant.id.0).at(OP, &GRANTS_BY_MEMBER)?;
    drop(idx);
    let mut by_client = tx.table(&GRANTS_BY_CLIENT).during(OP)?;
    by_client.insert(client_key(grant.client, grant.id).as_slice(), ()).at(OP, &GRANTS_BY_CLIENT)?;
    drop(by_client);
    put(tx, &mut grant)?;
    Ok(grant)
}

/// Replaces a stored grant (its member and application never change), with
/// the next revision when it changed.
pub fn put(tx: &WriteTransaction, grant: &mut Grant) -> Result<(), StoreError> {
    const OP: &str = "grants.put";
    let mut t = tx.table(&GRANTS).during(OP)?;
    let stored = t.get(grant.id.0).at(OP, &GRANTS)?.map(|v| v.value().to_vec());
    if let Some(bytes) = revise(stored.as_deref(), grant)? {
        t.insert(grant.id.0, bytes.as_slice()).at(OP, &GRANTS)?;
    }
    Ok(())
}

/// The digests of every token under `grant`.
pub fn token_digests(tx: &impl Tables, grant: GrantId) -> Result<Vec<[u8; 32]>, StoreError> {
    const OP: &str = "grants.token_digests";
    digests_in(OP, &tx.table(&TOKENS_BY_GRANT).during(OP)?, grant)
}

/// The digests the `TOKENS_BY_GRANT` index holds for `grant`.
fn digests_in(
    op: &'static str,
    idx: &impl ReadableTable<&'static [u8], ()>,
    grant: GrantId,
) -> Result<Vec<[u8; 32]>, StoreError> {
    let lo = token_index_key(grant, &[0; 32]);
    let hi = token_index_key(grant, &[0xff; 32]);
    let mut out = vec![];
    for row in idx.range(lo.as_slice()..=hi.as_slice()).at(op, &TOKENS_BY_GRANT)? {
        let (k, _) = row.at(op, &TOKENS_BY_GRANT)?;
        out.extend(digest_at(k.value(), 8));
    }
    Ok(out)
}

/// Counts the live tokens of a grant (for pages that say what goes with it).
pub fn token_count(tx: &impl Tables, grant: GrantId) -> Result<usize, StoreError> {
    const OP: &str = "grants.token_count";
    let idx = tx.table(&TOKENS_BY_GRANT).during(OP)?;
    let lo = token_index_key(grant, &[0; 32]);
    let hi = token_index_key(grant, &[0xff; 32]);
    Ok(idx.range(lo.as_slice()..=hi.as_slice()).at(OP, &TOKENS_BY_GRANT)?.count())
}

/// Removes the grant and every token under it; returns how many tokens went.
/// OAuth 1.0a access tokens leave a tombstone, so that a consumer still
/// signing with one hears `token_revoked` rather than `token_rejected`.
pub fn revoke(tx: &WriteTransaction, grant: &Grant) -> Result<usize, StoreError> {
    const OP: &str = "grants.revoke";
    let digests = digests_in(OP, &tx.table(&TOKENS_BY_GRANT).during(OP)?, grant.id)?;
    let revoked_at = grant.last_used.max(grant.created_at);
    {
        let mut tokens = tx.table(&TOKENS).during(OP)?;
        let mut idx = tx.table(&TOKENS_BY_GRANT).during(OP)?;
        let mut by_expiry = tx.table(&TOKENS_BY_EXPIRY).during(OP)?;
        for d in &digests {
            let gone = tokens.remove(d.as_slice()).at(OP, &TOKENS)?;
            let gone = gone.map(|v| decode::<Token>(v.value())).transpose().ok().flatten();
            if let Some(e) = gone.as_ref().and_then(Token::sweep_at) {
                by_expiry.remove(expiry_key(e, d).as_slice()).at(OP, &TOKENS_BY_EXPIRY)?;
            }
            if gone.is_some_and(|t| t.kind == TokenKind::OAuth1Access) {
                super::oauth1::put_tombstone(tx, d, revoked_at)?;
            }
            idx.remove(token_index_key(grant.id, d).as_slice()).at(OP, &TOKENS_BY_GRANT)?;
        }
    }
    tx.table(&GRANTS).during(OP)?.remove(grant.id.0).at(OP, &GRANTS)?;
    let mut members = tx.table(&GRANTS_BY_MEMBER).during(OP)?;
    members.remove(member_key(grant.user, grant.client).as_slice()).at(OP, &GRANTS_BY_MEMBER)?;
    let mut by_client = tx.table(&GRANTS_BY_CLIENT).during(OP)?;
    by_client.remove(client_key(grant.client, grant.id).as_slice()).at(OP, &GRANTS_BY_CLIENT)?;
    // The devices the application registered for the member go with it.
    if let Some(user) = grant.user {
        super::push::delete_for_grant(tx, user, grant.client)?;
    }
    Ok(digests.len())
}

/// Every grant, in id order.
pub fn list(tx: &impl Tables) -> Result<Vec<Grant>, StoreError> {
    const OP: &str = "grants.list";
    let t = tx.table(&GRANTS).during(OP)?;
    let mut out = vec![];
    for row in t.iter().at(OP, &GRANTS)? {
        out.push(decode(row.at(OP, &GRANTS)?.1.value())?);
    }
    Ok(out)
}

/// The grants given to one application (members' and its own), in id
/// order, found through the application index.
pub fn for_client(tx: &impl Tables, client: ClientId) -> Result<Vec<Grant>, StoreError> {
    const OP: &str = "grants.for_client";
    let idx = tx.table(&GRANTS_BY_CLIENT).during(OP)?;
    let lo = client_key(client, GrantId(0));
    let hi = client_key(client, GrantId(u64::MAX));
    let mut out = vec![];
    for row in idx.range(lo.as_slice()..=hi.as_slice()).at(OP, &GRANTS_BY_CLIENT)? {
        let (k, _) = row.at(OP, &GRANTS_BY_CLIENT)?;
        if let Some(g) = u64_at(k.value(), 8).map(GrantId) {
            out.extend(get(tx, g)?);
        }
    }
    Ok(out)
}

/// Stores a token (new, or rewritten when a code or refresh token is used),
/// indexed under its grant and its expiry.
pub fn put_token(tx: &WriteTransaction, digest: &[u8; 32], token: &Token) -> Result<(), StoreError> {
    const OP: &str = "grants.put_token";
    let mut tokens = tx.table(&TOKENS).during(OP)?;
    let old = tokens.insert(digest.as_slice(), encode(token)?.as_slice()).at(OP, &TOKENS)?;
    let old_expiry = old.and_then(|v| decode::<Token>(v.value()).ok()).and_then(|t| t.sweep_at());
    drop(tokens);
    let mut idx = tx.table(&TOKENS_BY_GRANT).during(OP)?;
    idx.insert(token_index_key(token.grant, digest).as_slice(), ()).at(OP, &TOKENS_BY_GRANT)?;
    let mut by_expiry = tx.table(&TOKENS_BY_EXPIRY).during(OP)?;
    if let Some(e) = old_expiry.filter(|&e| Some(e) != token.sweep_at()) {
        by_expiry.remove(expiry_key(e, digest).as_slice()).at(OP, &TOKENS_BY_EXPIRY)?;
    }
    if let Some(e) = token.sweep_at() {
        by_expiry.insert(expiry_key(e, digest).as_slice(), ()).at(OP, &TOKENS_BY_EXPIRY)?;
    }
    Ok(())
}

fn token_in(
    op: &'static str,
    t: &impl ReadableTable<&'static [u8], &'static [u8]>,
    digest: &[u8; 32],
) -> Result<Option<Token>, StoreError> {
    t.get(digest.as_slice()).at(op, &TOKENS)?.map(|v| decode(v.value())).transpose()
}

pub fn token(tx: &impl Tables, digest: &[u8; 32]) -> Result<Option<Token>, StoreError> {
    const OP: &str = "grants.token";
    token_in(OP, &tx.table(&TOKENS).during(OP)?, digest)
}

pub fn delete_token(tx: &WriteTransaction, digest: &[u8; 32], grant: GrantId) -> Result<(), StoreError> {
    const OP: &str = "grants.delete_token";
    let gone = tx.table(&TOKENS).during(OP)?.remove(digest.as_slice()).at(OP, &TOKENS)?.map(|v| v.value().to_vec());
    let expiry = gone.and_then(|v| decode::<Token>(&v).ok()).and_then(|t| t.sweep_at());
    let mut idx = tx.table(&TOKENS_BY_GRANT).during(OP)?;
    idx.remove(token_index_key(grant, digest).as_slice()).at(OP, &TOKENS_BY_GRANT)?;
    if let Some(e) = expiry {
        let mut by_expiry = tx.table(&TOKENS_BY_EXPIRY).during(OP)?;
        by_expiry.remove(expiry_key(e, digest).as_slice()).at(OP, &TOKENS_BY_EXPIRY)?;
    }
    Ok(())
}

/// Removes tokens that expired before `before`, and the replays kept on
/// retired refresh tokens whose grace ended before it; returns how many
/// tokens went. Only the due part of the expiry index is read.
pub fn sweep_expired(tx: &WriteTransaction, before: Timestamp) -> Result<usize, StoreError> {
    const OP: &str = "grants.sweep_expired";
    let mut doomed = vec![];
    let mut stale = vec![];
    let mut replays_done = vec![];
    {
        let by_expiry = tx.table(&TOKENS_BY_EXPIRY).during(OP)?;
        let tokens = tx.table(&TOKENS).during(OP)?;
        let end = Key::new().time(before);
        for row in by_expiry.range(..end.as_slice()).at(OP, &TOKENS_BY_EXPIRY)? {
            let (k, _) = row.at(OP, &TOKENS_BY_EXPIRY)?;
            let Some(d) = digest_at(k.value(), 8) else { continue };
            match tokens.get(d.as_slice()).at(OP, &TOKENS)?.map(|v| decode::<Token>(v.value())) {
                Some(Ok(tok)) if tok.expires_at.is_some_and(|e| e < before) => doomed.push((d, tok.grant)),
                Some(Ok(tok)) if tok.replay.as_ref().is_some_and(|r| r.until < before) => replays_done.push((d, tok)),
                // A token that cannot be read stays, as it always has.
                Some(Err(_)) => {}
                // Gone, or renewed under another expiry: the entry is stale.
                _ => stale.push(k.value().to_vec()),
            }
        }
    }
    for (d, g) in &doomed {
        delete_token(tx, d, *g)?;
    }
    // Rewritten without the replay, the token is indexed at its expiry again.
    for (d, mut tok) in replays_done {
        tok.replay = None;
        put_token(tx, &d, &tok)?;
    }
    let mut by_expiry = tx.table(&TOKENS_BY_EXPIRY).during(OP)?;
    for k in &stale {
        by_expiry.remove(k.as_slice()).at(OP, &TOKENS_BY_EXPIRY)?;
    }
    Ok(doomed.len())
}

/// Writes the batched "last used" times.
pub fn touch(tx: &WriteTransaction, seen: &[(GrantId, Timestamp)]) -> Result<(), StoreError> {
    for &(id, at) in seen {
        if let Some(mut g) = get(tx, id)? {
            if at > g.last_used {
                g.last_used = at;
                put(tx, &mut g)?;
            }
        }
    }
    Ok(())
}

/// The grants one member has given, found through the member index.
pub fn for_member(tx: &impl Tables, user: UserId) -> Result<Vec<Grant>, StoreError> {
    const OP: &str = "grants.for_member";
    let idx = tx.table(&GRANTS_BY_MEMBER).during(OP)?;
    let lo = member_key(Some(user), ClientId(0));
    let hi = member_key(Some(user), ClientId(u64::MAX));
    let mut out = vec![];
    for row in idx.range(lo.as_slice()..=hi.as_slice()).at(OP, &GRANTS_BY_MEMBER)? {
        let (_, id) = row.at(OP, &GRANTS_BY_MEMBER)?;
        if let Some(g) = get(tx, GrantId(id.value()))? {
            out.push(g);
        }
    }
    Ok(out)
}

/// The tokens under one grant, with their digests.
pub fn tokens_of(tx: &impl Tables, grant: GrantId) -> Result<Vec<([u8; 32], Token)>, StoreError> {
    const OP: &str = "grants.tokens_of";
    let tokens = tx.table(&TOKENS).during(OP)?;
    let mut out = vec![];
    for d in digests_in(OP, &tx.table(&TOKENS_BY_GRANT).during(OP)?, grant)? {
        if let Some(t) = token_in(OP, &tokens, &d)? {
            out.push((d, t));
        }
    }
    Ok(out)
}

/// Fills the indexes added in schema 2 from the grants and tokens of an
/// older file (see `migrate`). Records that cannot be read are left out, as
/// the scans these indexes replace skipped them.
pub(super) fn index_v2(tx: &WriteTransaction) -> Result<(usize, usize), StoreError> {
    const OP: &str = "grants.index_v2";
    let mut by_client = vec![];
    for row in tx.table(&GRANTS).during(OP)?.iter().at(OP, &GRANTS)? {
        let (_, v) = row.at(OP, &GRANTS)?;
        if let Ok(g) = decode::<Grant>(v.value()) {
            by_client.push(client_key(g.client, g.id));
        }
    }
    let mut by_expiry = vec![];
    for row in tx.table(&TOKENS).during(OP)?.iter().at(OP, &TOKENS)? {
        let (k, v) = row.at(OP, &TOKENS)?;
        let (Some(d), Ok(t)) = (digest_at(k.value(), 0), decode::<Token>(v.value())) else { continue };
        by_expiry.extend(t.sweep_at().map(|e| expiry_key(e, &d)));
    }
    let mut t = tx.table(&GRANTS_BY_CLIENT).during(OP)?;
    for k in &by_client {
        t.insert(k.as_slice(), ()).at(OP, &GRANTS_BY_CLIENT)?;
    }
    let mut t = tx.table(&TOKENS_BY_EXPIRY).during(OP)?;
    for k in &by_expiry {
        t.insert(k.as_slice(), ()).at(OP, &TOKENS_BY_EXPIRY)?;
    }
    Ok((by_client.len(), by_expiry.len()))
}

/// How many stored tokens (not codes) were issued at or after `since`.
pub fn tokens_issued_since(tx: &impl Tables, since: Timestamp) -> Result<usize, StoreError> {
    const OP: &str = "grants.tokens_issued_since";
    let t = tx.table(&TOKENS).during(OP)?;
    let mut n = 0;
    for row in t.iter().at(OP, &TOKENS)? {
        let (_, v) = row.at(OP, &TOKENS)?;
        if let Ok(tok) = decode::<Token>(v.value()) {
            if tok.kind != TokenKind::Code && tok.issued_at >= since {
                n += 1;
            }
        }
    }
    Ok(n)
}

/// A page of grants, newest first, after the cursor `after`; `keep` filters
/// and shapes each one.
pub fn page<T>(
    tx: &impl Tables,
    after: Option<&[u8]>,
    limit: usize,
    order: super::page::Order,
    mut keep: impl FnMut(Grant) -> Result<Option<T>, StoreError>,
) -> Result<super::page::Page<T>, StoreError> {
    let t = tx.table(&GRANTS)?;
    super::page::by_id(&t, after, limit, order, |_, v| keep(decode(v)?))
}

/// Whether `after` is a cursor of `page_for_member` for this member.
pub fn is_member_cursor(user: UserId, after: &[u8]) -> bool {
    after.len() == 16 && after.starts_with(&user.0.to_be_bytes())
}

/// A page of the grants one member has given, through the member index,
/// newest application first, after the cursor `after` (see
/// `is_member_cursor`); `keep` filters and shapes each grant.
pub fn page_for_member<T>(
    tx: &impl Tables,
    user: UserId,
    after: Option<&[u8]>,
    limit: usize,
    mut keep: impl FnMut(Grant) -> Result<Option<T>, StoreError>,
) -> Result<super::page::Page<T>, StoreError> {
    let idx = tx.table(&GRANTS_BY_MEMBER)?;
    let grants = tx.table(&GRANTS)?;
    let prefix = user.0.to_be_bytes();
    super::page::by_prefix(&idx, &prefix, after, limit, super::page::Order::Descending, |_, id| {
        match grants.get(id)? {
            Some(v) => keep(decode(v.value())?),
            None => Ok(None),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scopes::ScopeSet;
    use crate::store::codec::Record;
    use crate::store::{Store, Tables};

    #[test]
    fn a_version_1_token_reads_without_a_secret() {
        let old = TokenV1 {
            kind: TokenKind::Refresh,
            grant: GrantId(3),
            client: ClientId(2),
            user: Some(UserId(1)),
            scopes: "profile".into(),
            issued_at: 10,
            expires_at: Some(20),
            redirect_uri: None,
            pkce: Some(("S256".into(), "abc".into())),
            nonce: Some("n".into()),
            auth_time: 9,
            used_at: None,
        };
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_stdvec(&old).unwrap());
        let t: Token = decode(&bytes).unwrap();
        assert_eq!((t.kind, t.grant, t.client, t.user), (TokenKind::Refresh, GrantId(3), ClientId(2), Some(UserId(1))));
        assert_eq!((t.issued_at, t.expires_at, t.auth_time), (10, Some(20), 9));
        assert_eq!(t.pkce, Some(("S256".into(), "abc".into())));
        assert_eq!((t.scopes.to_string(), t.secret.clone(), t.replay.clone()), ("profile".into(), None, None));
        assert_eq!(encode(&t).unwrap()[0], Token::VERSION);
        assert!(decode::<Token>(&[1, 0xff]).is_err());
    }

    #[test]
    fn a_version_1_grant_reads_at_revision_1() {
        let old = GrantV1 {
            id: GrantId(5),
            client: ClientId(2),
            user: Some(UserId(1)),
            scopes: "read write".into(),
            created_at: 10,
            last_used: 12,
        };
        let mut bytes = vec![1u8];
        bytes.extend(postcard::to_stdvec(&old).unwrap());
        let g: Grant = decode(&bytes).unwrap();
        assert_eq!((g.id, g.client, g.user), (GrantId(5), ClientId(2), Some(UserId(1))));
        assert_eq!((g.scopes.to_string().as_str(), g.created_at, g.last_used, g.revision), ("read write", 10, 12, 1));
        assert_eq!(encode(&g).unwrap()[0], Grant::VERSION);
        assert!(decode::<Grant>(&[1, 0xff]).is_err());
    }

    fn count(store: &Store, def: &'static redb::TableDefinition<'static, &'static [u8], ()>) -> u64 {
        store.read(|tx| Ok(redb::ReadableTableMetadata::len(&tx.table(def)?)?)).unwrap()
    }

    #[test]
    fn indexes_follow_grants_and_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let tok = |grant, expires_at| Token {
            kind: TokenKind::Refresh,
            grant,
            client: ClientId(2),
            user: Some(UserId(1)),
            scopes: ScopeSet::parse("read").unwrap(),
            issued_at: 1,
            expires_at,
            redirect_uri: None,
            pkce: None,
            nonce: None,
            auth_time: 1,
            used_at: None,
            secret: None,
            replay: None,
        };
        let ids = store
            .write_blocking(move |tx| {
                let mut ids = vec![];
                for (user, client) in [(1, 2), (1, 3), (4, 2)] {
                    let g = Grant {
                        id: GrantId(0),
                        client: ClientId(client),
                        user: Some(UserId(user)),
                        scopes: ScopeSet::parse("read").unwrap(),
                        created_at: 1,
                        last_used: 1,
                        revision: 0,
                    };
                    ids.push(insert(tx, g)?.id);
                }
                put_token(tx, &[1; 32], &tok(ids[0], Some(50)))?;
                put_token(tx, &[2; 32], &tok(ids[0], None))?;
                put_token(tx, &[3; 32], &tok(ids[2], Some(10)))?;
                // Rewritten with a later expiry: the old entry goes.
                put_token(tx, &[3; 32], &tok(ids[2], Some(60)))?;
                put_token(tx, &[4; 32], &tok(ids[1], Some(20)))?;
                delete_token(tx, &[4; 32], ids[1])?;
                Ok::<_, StoreError>(ids)
            })
            .unwrap();
        let of = |c| store.read(|tx| for_client(tx, ClientId(c))).unwrap().iter().map(|g| g.id).collect::<Vec<_>>();
        assert_eq!(of(2), [ids[0], ids[2]]);
        assert_eq!(of(3), [ids[1]]);
        assert_eq!(count(&store, &TOKENS_BY_EXPIRY), 2);
        assert_eq!(store.write_blocking(|tx| sweep_expired(tx, 55)).unwrap(), 1, "only the token expired at 50");
        assert_eq!(count(&store, &TOKENS_BY_EXPIRY), 1);
        let first = store.read(|tx| get(tx, ids[0])).unwrap().unwrap();
        assert_eq!(store.write_blocking(move |tx| revoke(tx, &first)).unwrap(), 1);
        let third = store.read(|tx| get(tx, ids[2])).unwrap().unwrap();
        assert_eq!(store.write_blocking(move |tx| revoke(tx, &third)).unwrap(), 1);
        assert_eq!(of(2), []);
        assert_eq!((count(&store, &TOKENS_BY_EXPIRY), count(&store, &GRANTS_BY_CLIENT)), (0, 1));
    }

    #[test]
    fn revoking_a_grant_leaves_tombstones_for_oauth1_tokens_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        let make = |kind| Token {
            kind,
            grant: GrantId(0),
            client: ClientId(1),
            user: Some(UserId(1)),
            scopes: ScopeSet::parse("read").unwrap(),
            issued_at: 1,
            expires_at: None,
            redirect_uri: None,
            pkce: None,
            nonce: None,
            auth_time: 1,
            used_at: None,
            secret: Some(vec![1, 2, 3]),
            replay: None,
        };
        let (a, b) = (make(TokenKind::OAuth1Access), make(TokenKind::Access));
        store
            .write_blocking(move |tx| {
                let g = insert(
                    tx,
                    Grant {
                        id: GrantId(0),
                        client: ClientId(1),
                        user: Some(UserId(1)),
                        scopes: ScopeSet::parse("read").unwrap(),
                        created_at: 5,
                        last_used: 7,
                        revision: 0,
                    },
                )?;
                put_token(tx, &[1; 32], &Token { grant: g.id, ..a.clone() })?;
                put_token(tx, &[2; 32], &Token { grant: g.id, ..b.clone() })?;
                assert_eq!(revoke(tx, &g)?, 2);
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert!(store.read(|tx| crate::store::oauth1::revoked(tx, &[1; 32])).unwrap());
        assert!(!store.read(|tx| crate::store::oauth1::revoked(tx, &[2; 32])).unwrap());
        assert!(store.read(|tx| token(tx, &[1; 32])).unwrap().is_none());
    }

    /// The stored bytes of grant and token records, frozen: reordering a
    /// field or a variant must fail here rather than misread every file.
    #[test]
    fn stored_bytes_are_stable() {
        let g = Grant {
            id: GrantId(1),
            client: ClientId(2),
            user: Some(UserId(3)),
            scopes: ScopeSet::parse("read").unwrap(),
            created_at: 10,
            last_used: 20,
            revision: 4,
        };
        let bytes = encode(&g).unwrap();
        assert_eq!(bytes, [2, 1, 2, 1, 3, 4, 114, 101, 97, 100, 20, 40, 4]);
        assert_eq!(decode::<Grant>(&bytes).unwrap(), g);

        // Version 2, as it was written: its bytes still read, scopes not in
        // today's vocabulary ("s") dropped, and no replay.
        let v2 = TokenV2 {
            kind: TokenKind::Code,
            grant: GrantId(1),
            client: ClientId(2),
            user: None,
            scopes: "s".into(),
            issued_at: 10,
            expires_at: Some(20),
            redirect_uri: Some("r".into()),
            pkce: Some(("S256".into(), "c".into())),
            nonce: Some("n".into()),
            auth_time: 9,
            used_at: Some(11),
            secret: Some(vec![5, 6]),
        };
        let mut bytes = vec![2u8];
        bytes.extend(postcard::to_stdvec(&v2).unwrap());
        assert_eq!(
            bytes,
            [
                2, 0, 1, 2, 0, 1, 115, 20, 1, 40, 1, 1, 114, 1, 4, 83, 50, 53, 54, 1, 99, 1, 1, 110, 18, 1, 22, 1, 2,
                5, 6
            ]
        );
        let t = Token {
            kind: TokenKind::Code,
            grant: GrantId(1),
            client: ClientId(2),
            user: None,
            scopes: ScopeSet::default(),
            issued_at: 10,
            expires_at: Some(20),
            redirect_uri: Some("r".into()),
            pkce: Some(("S256".into(), "c".into())),
            nonce: Some("n".into()),
            auth_time: 9,
            used_at: Some(11),
            secret: Some(vec![5, 6]),
            replay: None,
        };
        assert_eq!(decode::<Token>(&bytes).unwrap(), t);
        // A scope set is stored as the string it replaced: version 3 is
        // version 2's bytes plus the replay.
        let t = Token {
            scopes: ScopeSet::parse("openid").unwrap(),
            replay: Some(Replay { until: 30, sealed: vec![7] }),
            ..t
        };
        let v2 = TokenV2 { scopes: "openid".into(), ..v2 };
        let bytes = encode(&t).unwrap();
        assert_eq!(
            bytes,
            [
                3, 0, 1, 2, 0, 6, 111, 112, 101, 110, 105, 100, 20, 1, 40, 1, 1, 114, 1, 4, 83, 50, 53, 54, 1, 99, 1,
                1, 110, 18, 1, 22, 1, 2, 5, 6, 1, 60, 1, 7
            ]
        );
        assert_eq!(bytes[1..bytes.len() - 4], postcard::to_stdvec(&v2).unwrap());
        assert_eq!(decode::<Token>(&bytes).unwrap(), t);
        let kinds = [TokenKind::Code, TokenKind::Access, TokenKind::Refresh, TokenKind::OAuth1Access];
        assert_eq!(postcard::to_stdvec(&kinds).unwrap(), [0, 1, 2, 3]);
    }

    /// The layouts of the grant and token index keys, frozen: existing files
    /// hold them.
    #[test]
    fn key_layouts_are_stable() {
        let mut member = vec![0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2];
        assert_eq!(member_key(Some(UserId(1)), ClientId(2)).into_vec(), member);
        member[7] = 0;
        assert_eq!(member_key(None, ClientId(2)).into_vec(), member);
        assert_eq!(client_key(ClientId(2), GrantId(1)).into_vec(), [0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1]);
        let mut by_grant = vec![0, 0, 0, 0, 0, 0, 1, 0];
        by_grant.extend([7; 32]);
        assert_eq!(token_index_key(GrantId(256), &[7; 32]).into_vec(), by_grant);
        let mut by_expiry = vec![0x80, 0, 0, 0, 0, 0, 0, 100];
        by_expiry.extend([7; 32]);
        assert_eq!(expiry_key(100, &[7; 32]).into_vec(), by_expiry);
        assert!(expiry_key(-1, &[0xff; 32]).into_vec() < expiry_key(0, &[0; 32]).into_vec());
    }
}
