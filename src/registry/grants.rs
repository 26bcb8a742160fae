//! Grants: one member's authorization of one application (or an
//! application's own, for client credentials and two-legged calls). Every
//! path that makes, narrows or ends a grant goes through `approve`, `narrow`
//! or `revoke` here, which also write the audit log; a reused single-use
//! credential revokes through `revoke_on_reuse`. A member's authorized
//! applications (the Applications page and `/api/v1/me/applications`) and
//! the admin's list of every grant (`/admin/tokens`, `latchkey token list`)
//! are read here too.

use crate::app::App;
use crate::scopes::ScopeSet;
use crate::store::audit::{self, Who};
use crate::store::clients::{self, Client};
use crate::store::grants;
use crate::store::grants::{Grant, Token, TokenKind};
use crate::store::{ClientId, GrantId, ReadTransaction, StoreError, UserId, WriteTransaction, users};
use serde::Serialize;
use std::collections::HashMap;

/// One application as the member sees it.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorizedApp {
    /// The application's public identifier (OAuth 2.0 client_id or OAuth 1.0a consumer key).
    pub client_id: String,
    pub name: String,
    pub homepage: String,
    pub scopes: Vec<ScopeWords>,
    pub authorized_at: i64,
    pub last_used: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeWords {
    pub name: String,
    pub description: String,
}

/// The public identifier a member (or an API client) names an application by.
pub fn public_key(c: &Client) -> String {
    c.oauth2
        .as_ref()
        .map(|o| o.client_id.clone())
        .or_else(|| c.oauth1.as_ref().map(|o| o.consumer_key.clone()))
        .unwrap_or_else(|| c.id.to_string())
}

fn authorized(c: &Client, g: &Grant) -> AuthorizedApp {
    AuthorizedApp {
        client_id: public_key(c),
        name: c.name.clone(),
        homepage: c.homepage.clone(),
        scopes: g
            .scopes
            .descriptions()
            .iter()
            .map(|s| ScopeWords { name: s.name.to_string(), description: s.description.to_string() })
            .collect(),
        authorized_at: g.created_at,
        last_used: g.last_used,
    }
}

pub fn for_member(app: &App, user: UserId) -> Result<Vec<AuthorizedApp>, StoreError> {
    app.store.read(|tx| {
        let mut out = vec![];
        for g in grants::for_member(tx, user)? {
            let Some(c) = clients::get(tx, g.client)? else { continue };
            out.push(authorized(&c, &g));
        }
        out.sort_by_key(|a| std::cmp::Reverse(a.last_used));
        Ok(out)
    })
}

/// One page of `for_member`, newest application first (keyset, after
/// `after`: a cursor `grants::is_member_cursor` accepts).
pub fn page_for_member(
    app: &App,
    user: UserId,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<crate::store::page::Page<AuthorizedApp>, StoreError> {
    app.store.read(|tx| {
        grants::page_for_member(tx, user, after, limit, |g| Ok(clients::get(tx, g.client)?.map(|c| authorized(&c, &g))))
    })
}

/// Revokes the member's grant to the application named by `key`; `None`
/// when the member had not authorized it. Returns the application and how
/// many tokens died.
pub async fn revoke_for_member(
    app: &App,
    user: UserId,
    key: &str,
    who: Who,
) -> Result<Option<(ClientId, usize)>, StoreError> {
    let Some(client) = app.store.read(|tx| super::applications::lookup(tx, key))? else { return Ok(None) };
    let now = app.now();
    let client_id = client.id;
    app.store
        .write(move |tx| match grants::find(tx, Some(user), client_id)? {
            Some(g) => Ok(revoke(tx, g.id, now, &who, Reason::Member)?.map(|n| (client_id, n))),
            None => Ok(None),
        })
        .await
}

/// How a grant is approved, which decides what the audit log says.
#[derive(Debug, Clone, Copy)]
pub enum How<'a> {
    /// A member allowed an OAuth 2.0 application on the consent page (or
    /// consent was remembered): `grant.approve` with the scopes.
    OAuth2Consent(&'a Who),
    /// A member allowed an OAuth 1.0a request token: `grant.approve` with
    /// `OAuth 1.0a: ` and the scopes.
    OAuth1Consent(&'a Who),
    /// No person approves here: the application's own grant (client
    /// credentials, two-legged OAuth 1.0a), the password grant, or the
    /// OAuth 1.0a access-token exchange after an audited consent. Nothing
    /// is audited, as before.
    Unattended,
}

/// The member's (or, with `user` `None`, the application's own) grant to
/// `client`, created or widened to cover `scopes`; consent is remembered.
pub fn approve(
    tx: &WriteTransaction,
    user: Option<UserId>,
    client: ClientId,
    scopes: &ScopeSet,
    now: i64,
    how: How<'_>,
) -> Result<Grant, StoreError> {
    let grant = match grants::find(tx, user, client)? {
        Some(mut g) => {
            let merged = g.scopes.union(scopes);
            if merged != g.scopes {
                g.scopes = merged;
                grants::put(tx, &mut g)?;
            }
            g
        }
        None => grants::insert(
            tx,
            Grant {
                id: GrantId(0),
                client,
                user,
                scopes: scopes.clone(),
                created_at: now,
                last_used: now,
                revision: 0,
            },
        )?,
    };
    let target = format!("client {client}");
    match how {
        How::OAuth2Consent(who) => {
            audit::record(tx, now, who, "grant.approve", &target, &scopes.to_string())?;
        }
        How::OAuth1Consent(who) => {
            audit::record(tx, now, who, "grant.approve", &target, &format!("OAuth 1.0a: {scopes}"))?;
        }
        How::Unattended => {}
    }
    Ok(grant)
}

/// Why `narrow` changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NarrowRefusal {
    #[error("there is no grant {0}")]
    NotFound(GrantId),
    #[error("narrowing cannot add scopes the grant does not hold")]
    Widens,
    #[error("a grant cannot be narrowed to no scopes; revoke it instead")]
    Empty,
}

/// Replaces the grant's scopes by `scopes`, a non-empty subset of them, and
/// cuts every stored token of the grant (codes, access, refresh and OAuth
/// 1.0a tokens) down to the same set, so that a refresh cannot bring the old
/// scopes back. JWT access tokens cannot be changed; they keep their claims
/// until they expire. A refusal is `Ok(Err(..))`, so that it does not abort
/// the group-commit batch.
pub fn narrow(
    tx: &WriteTransaction,
    grant: GrantId,
    scopes: &ScopeSet,
    now: i64,
    who: &Who,
) -> Result<Result<Grant, NarrowRefusal>, StoreError> {
    let Some(mut g) = grants::get(tx, grant)? else {
        return Ok(Err(NarrowRefusal::NotFound(grant)));
    };
    let had = g.scopes.clone();
    if scopes.is_empty() {
        return Ok(Err(NarrowRefusal::Empty));
    }
    if !scopes.is_subset(&had) {
        return Ok(Err(NarrowRefusal::Widens));
    }
    g.scopes = scopes.clone();
    grants::put(tx, &mut g)?;
    for digest in grants::token_digests(tx, g.id)? {
        let Some(mut t) = grants::token(tx, &digest)? else { continue };
        let cut = t.scopes.intersection(scopes);
        // A kept replay would answer a retry with the wider scopes.
        if cut != t.scopes || t.replay.is_some() {
            t.scopes = cut;
            t.replay = None;
            grants::put_token(tx, &digest, &t)?;
        }
    }
    audit::record(tx, now, who, "grant.narrow", &format!("grant {}", g.id), &format!("{had} -> {}", g.scopes))?;
    Ok(Ok(g))
}

/// Why a grant is revoked; decides the audit record, which is the one each
/// path wrote before these operations were brought together.
#[derive(Debug, Clone, Copy)]
pub enum Reason<'a> {
    /// An admin, on `/admin/tokens` or with `latchkey token revoke` (the
    /// record's actor tells which): `grant.revoke` on the application.
    Admin,
    /// The member, on the Applications page or through the API:
    /// `grant.revoke` on the application.
    Member,
    /// The application revoked one of its tokens (RFC 7009), which ends the
    /// grant: `token.revoke` on the grant, `token` saying which kind.
    Application { token: &'a str },
    /// A single-use credential came back: `action` on the grant, with what
    /// happened (see `revoke_on_reuse`).
    Reuse { action: &'a str, what_happened: &'a str },
    /// The member or the application was deleted; that deletion's own
    /// record (`user.delete`, `client.delete`) stands for its grants.
    Deleted,
    /// A security event of the member's (a new password, a reset, being
    /// disabled): that event's own record stands for its grants.
    Security,
}

/// Removes the grant and every token under it (an OAuth 1.0a token leaves
/// a tombstone, see `store::grants::revoke`) and writes the audit record
/// `reason` calls for. Returns how many tokens died, or `None` when there
/// was no such grant (nothing is written then).
pub fn revoke(
    tx: &WriteTransaction,
    grant: GrantId,
    now: i64,
    who: &Who,
    reason: Reason<'_>,
) -> Result<Option<usize>, StoreError> {
    let Some(g) = grants::get(tx, grant)? else {
        return Ok(None);
    };
    let n = grants::revoke(tx, &g)?;
    let app_name =
        || -> Result<String, StoreError> { Ok(clients::get(tx, g.client)?.map(|c| c.name).unwrap_or_default()) };
    match reason {
        Reason::Admin => {
            let detail = format!("grant {}, {n} tokens, by an admin", g.id);
            audit::record(tx, now, who, "grant.revoke", &app_name()?, &detail)?;
        }
        Reason::Member => {
            let detail = format!("grant {}, {n} tokens, by the member", g.id);
            audit::record(tx, now, who, "grant.revoke", &app_name()?, &detail)?;
        }
        Reason::Application { token } => {
            audit::record(tx, now, who, "token.revoke", &format!("grant {}", g.id), token)?;
        }
        Reason::Reuse { action, what_happened } => {
            let detail = format!("{what_happened}; {n} tokens revoked");
            audit::record(tx, now, who, action, &format!("grant {}", g.id), &detail)?;
        }
        Reason::Deleted | Reason::Security => {}
    }
    Ok(Some(n))
}

/// Ends every grant of the member, with every OAuth 2.0 and OAuth 1.0a
/// token under them (RFC 9700 §4.14.2, RFC 6819 §5.2.2.3): what a new
/// password, a reset or disabling the member calls for. Returns how many
/// grants and tokens ended, for the event's own audit record.
pub fn end_member_tokens(
    tx: &WriteTransaction,
    user: UserId,
    now: i64,
    who: &Who,
) -> Result<(usize, usize), StoreError> {
    let mut ended = (0, 0);
    for g in grants::for_member(tx, user)? {
        if let Some(n) = revoke(tx, g.id, now, who, Reason::Security)? {
            ended.0 += 1;
            ended.1 += n;
        }
    }
    Ok(ended)
}

/// The audit detail for [`end_member_tokens`]' count.
pub fn ended_detail((grants, tokens): (usize, usize)) -> String {
    format!("ended {grants} grants with {tokens} tokens")
}

/// A single-use credential came back a second time: whoever holds it may
/// have stolen it, so the whole grant is revoked (RFC 6749 §4.1.2, RFC 9700
/// §4.14.2) and the audit log says why (`action`, `what_happened`).
pub fn revoke_on_reuse(
    tx: &WriteTransaction,
    grant: GrantId,
    now: i64,
    who: &Who,
    action: &str,
    what_happened: &str,
) -> Result<(), StoreError> {
    revoke(tx, grant, now, who, Reason::Reuse { action, what_happened })?;
    Ok(())
}

/// One grant as the admin sees it (`/admin/tokens`, `latchkey token list`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantSummary {
    pub id: GrantId,
    pub client: ClientId,
    /// The application's name (or `application N` when it is gone).
    pub application: String,
    /// The member's username, or `(the application itself)`.
    pub member: String,
    pub user: Option<UserId>,
    /// `OAuth 1.0a` or `OAuth 2.0`.
    pub protocol: &'static str,
    pub scopes: String,
    pub created_at: i64,
    pub last_used: i64,
    /// Tokens neither expired nor used (a used code or rotated refresh
    /// token is kept only to recognise a second use).
    pub live_tokens: usize,
}

/// The protocol a grant's tokens speak; a grant without tokens speaks its
/// application's (OAuth 2.0 when it has both).
fn protocol(tokens: &[([u8; 32], Token)], client: Option<&Client>) -> &'static str {
    let oauth1_tokens = tokens.iter().any(|(_, t)| t.kind == TokenKind::OAuth1Access);
    let oauth1_only = tokens.is_empty() && client.is_some_and(|c| c.oauth2.is_none());
    if oauth1_tokens || oauth1_only { "OAuth 1.0a" } else { "OAuth 2.0" }
}

/// Summarises grants in one transaction, reading each application and
/// member once however many grants name them.
pub struct Summarizer<'t, T: crate::store::Tables> {
    tx: &'t T,
    now: i64,
    apps: HashMap<ClientId, Option<Client>>,
    people: HashMap<UserId, Option<String>>,
}

impl<'t, T: crate::store::Tables> Summarizer<'t, T> {
    pub fn new(tx: &'t T, now: i64) -> Self {
        Summarizer { tx, now, apps: HashMap::new(), people: HashMap::new() }
    }

    pub fn of(&mut self, g: &Grant) -> Result<GrantSummary, StoreError> {
        let tokens = grants::tokens_of(self.tx, g.id)?;
        if !self.apps.contains_key(&g.client) {
            self.apps.insert(g.client, clients::get(self.tx, g.client)?);
        }
        if let Some(u) = g.user.filter(|u| !self.people.contains_key(u)) {
            self.people.insert(u, users::get(self.tx, u)?.map(|u| u.username));
        }
        let client = self.apps.get(&g.client).and_then(Option::as_ref);
        let now = self.now;
        Ok(GrantSummary {
            id: g.id,
            client: g.client,
            application: client.map(|c| c.name.clone()).unwrap_or_else(|| format!("application {}", g.client)),
            member: match g.user {
                Some(u) => self.people.get(&u).cloned().flatten().unwrap_or_else(|| format!("member {u}")),
                None => "(the application itself)".into(),
            },
            user: g.user,
            protocol: protocol(&tokens, client),
            scopes: g.scopes.to_string(),
            created_at: g.created_at,
            last_used: g.last_used,
            live_tokens: tokens.iter().filter(|(_, t)| !t.expired(now) && t.used_at.is_none()).count(),
        })
    }
}

/// Every grant, newest first, with its application, member and live tokens.
pub fn summaries(tx: &ReadTransaction, now: i64) -> Result<Vec<GrantSummary>, StoreError> {
    let mut s = Summarizer::new(tx, now);
    let mut out = grants::list(tx)?.iter().map(|g| s.of(g)).collect::<Result<Vec<_>, _>>()?;
    out.sort_by_key(|s| std::cmp::Reverse(s.id.0));
    Ok(out)
}

/// Why `list` or `revoke_by_admin` did nothing.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("there is no member named {0:?}")]
    NoMember(String),
    #[error("there is no grant {0}")]
    NoGrant(GrantId),
    #[error(transparent)]
    Application(#[from] super::ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A grant for the command line and scripts: string ids, RFC 3339 times.
#[derive(Debug, Clone, Serialize)]
pub struct GrantView {
    pub id: String,
    pub application: String,
    /// The application's numeric id.
    pub client: String,
    pub member: String,
    pub protocol: String,
    pub scopes: String,
    pub created_at: String,
    pub last_used: String,
    pub live_tokens: usize,
}

impl From<&GrantSummary> for GrantView {
    fn from(g: &GrantSummary) -> Self {
        GrantView {
            id: g.id.to_string(),
            application: g.application.clone(),
            client: g.client.to_string(),
            member: g.member.clone(),
            protocol: g.protocol.to_string(),
            scopes: g.scopes.clone(),
            created_at: crate::clock::rfc3339(g.created_at),
            last_used: crate::clock::rfc3339(g.last_used),
            live_tokens: g.live_tokens,
        }
    }
}

/// Every grant (newest first), or those of one member (a username) and/or
/// one application (client_id, consumer key or numeric id).
pub fn list(app: &App, member: Option<&str>, client: Option<&str>) -> Result<Vec<GrantSummary>, GrantError> {
    let user = match member {
        Some(name) => {
            let found = app.store.read(|tx| users::by_name(tx, name))?;
            Some(found.ok_or_else(|| GrantError::NoMember(name.to_string()))?.id)
        }
        None => None,
    };
    let client = client.map(|key| super::applications::find(app, key)).transpose()?.map(|c| c.id);
    let now = app.now();
    let all = app.store.read(|tx| summaries(tx, now))?;
    Ok(all
        .into_iter()
        .filter(|g| user.is_none_or(|u| g.user == Some(u)) && client.is_none_or(|c| g.client == c))
        .collect())
}

/// Revokes one grant for an admin (`latchkey token revoke`): the grant as
/// it was, and how many tokens died with it.
pub async fn revoke_by_admin(app: &App, grant: GrantId, who: Who) -> Result<(GrantSummary, usize), GrantError> {
    let now = app.now();
    let all = app.store.read(|tx| summaries(tx, now))?;
    let summary = all.into_iter().find(|g| g.id == grant).ok_or(GrantError::NoGrant(grant))?;
    let n = app.store.write(move |tx| revoke(tx, grant, now, &who, Reason::Admin)).await?;
    // Revoked by someone else between the read and the write.
    let n = n.ok_or(GrantError::NoGrant(grant))?;
    Ok((summary, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;
    use crate::registry::applications::{self, NewClient};
    use crate::store::audit::AuditEvent;

    const NOW: i64 = 1_700_000_000;

    fn set(s: &str) -> ScopeSet {
        ScopeSet::parse(s).unwrap()
    }

    fn audits(app: &App) -> Vec<AuditEvent> {
        app.store.read(|tx| audit::recent(tx, None, 100)).unwrap().into_iter().map(|(_, e)| e).collect()
    }

    /// An app with the member `kim` and the application `Tally`.
    async fn fixture(dir: &std::path::Path) -> (App, UserId, ClientId) {
        let app = App::for_tests(dir, FrozenClock::at(NOW));
        let user = app.add_test_member("kim").await;
        let new: NewClient =
            serde_json::from_value(serde_json::json!({ "name": "Tally", "grants": ["password"], "scopes": ["read"] }))
                .unwrap();
        let key = applications::register(&app, new, Who::cli()).await.unwrap().client_id.unwrap();
        (app.clone(), user, applications::find(&app, &key).unwrap().id)
    }

    fn token(grant: &Grant, kind: TokenKind, scopes: &str) -> Token {
        Token {
            kind,
            grant: grant.id,
            client: grant.client,
            user: grant.user,
            scopes: set(scopes),
            issued_at: NOW,
            expires_at: Some(NOW + 3600),
            redirect_uri: None,
            pkce: None,
            nonce: None,
            auth_time: NOW,
            used_at: None,
            secret: None,
            replay: None,
        }
    }

    /// A grant of `scopes` with one access and one refresh token.
    async fn grant_with_tokens(app: &App, user: UserId, client: ClientId, scopes: &'static str) -> Grant {
        app.store
            .write(move |tx| {
                let g = approve(tx, Some(user), client, &set(scopes), NOW, How::Unattended)?;
                grants::put_token(tx, &[1; 32], &token(&g, TokenKind::Access, scopes))?;
                grants::put_token(tx, &[2; 32], &token(&g, TokenKind::Refresh, scopes))?;
                Ok::<_, StoreError>(g)
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn approve_creates_then_widens_and_audits_a_person_s_consent_only() {
        let dir = tempfile::tempdir().unwrap();
        let (app, user, client) = fixture(dir.path()).await;
        let before = audits(&app).len();
        let who = Who::user(user, "kim", "10.0.0.1");
        let w = who.clone();
        let first = app
            .store
            .write(move |tx| approve(tx, Some(user), client, &set("profile"), NOW, How::OAuth2Consent(&w)))
            .await
            .unwrap();
        assert_eq!((first.scopes.to_string().as_str(), first.created_at, first.user), ("profile", NOW, Some(user)));
        let w = who.clone();
        let wider = app
            .store
            .write(move |tx| approve(tx, Some(user), client, &set("posts:read"), NOW + 5, How::OAuth1Consent(&w)))
            .await
            .unwrap();
        assert_eq!(wider.id, first.id, "consent is remembered on the same grant");
        assert_eq!(wider.scopes.to_string(), "posts:read profile");
        assert_eq!(wider.created_at, NOW);
        let own =
            app.store.write(move |tx| approve(tx, None, client, &set("read"), NOW, How::Unattended)).await.unwrap();
        assert_ne!(own.id, first.id, "the application's own grant is another");
        let log = audits(&app);
        assert_eq!(log.len(), before + 2, "the unattended approval writes nothing");
        assert_eq!((log[1].action.as_str(), log[1].target.clone()), ("grant.approve", format!("client {client}")));
        assert_eq!((log[1].detail.as_str(), log[1].actor.as_str()), ("profile", "user:1:kim"));
        assert_eq!(log[0].detail, "OAuth 1.0a: posts:read");
    }

    #[tokio::test]
    async fn narrow_cuts_the_grant_and_its_tokens_and_never_widens() {
        let dir = tempfile::tempdir().unwrap();
        let (app, user, client) = fixture(dir.path()).await;
        let g = grant_with_tokens(&app, user, client, "posts:read profile").await;
        let id = g.id;
        let narrowed =
            app.store.write(move |tx| narrow(tx, id, &set("profile"), NOW + 1, &Who::cli())).await.unwrap().unwrap();
        assert_eq!((narrowed.id, narrowed.scopes.to_string().as_str()), (id, "profile"));
        for d in [[1; 32], [2; 32]] {
            assert_eq!(app.store.read(|tx| grants::token(tx, &d)).unwrap().unwrap().scopes, set("profile"));
        }
        let e = &audits(&app)[0];
        assert_eq!((e.action.as_str(), e.target.clone()), ("grant.narrow", format!("grant {id}")));
        assert_eq!(e.detail, "posts:read profile -> profile");

        let n = |s: &'static str| {
            let app = app.clone();
            async move { app.store.write(move |tx| narrow(tx, id, &set(s), NOW, &Who::cli())).await.unwrap() }
        };
        assert_eq!(n("profile posts:read").await, Err(NarrowRefusal::Widens));
        assert_eq!(n("").await, Err(NarrowRefusal::Empty));
        let missing = app.store.write(|tx| narrow(tx, GrantId(99), &set("profile"), NOW, &Who::cli())).await.unwrap();
        assert_eq!(missing, Err(NarrowRefusal::NotFound(GrantId(99))));
        assert_eq!(app.store.read(|tx| grants::get(tx, id)).unwrap().unwrap().scopes, set("profile"));
    }

    #[tokio::test]
    async fn revoke_kills_every_token_and_writes_the_reason_s_record() {
        let dir = tempfile::tempdir().unwrap();
        let (app, user, client) = fixture(dir.path()).await;
        let g = grant_with_tokens(&app, user, client, "profile").await;
        let id = g.id;
        let before = audits(&app).len();
        let n = app.store.write(move |tx| revoke(tx, id, NOW + 9, &Who::cli(), Reason::Admin)).await.unwrap();
        assert_eq!(n, Some(2));
        assert!(app.store.read(|tx| grants::get(tx, id)).unwrap().is_none());
        assert!(app.store.read(|tx| grants::token(tx, &[1; 32])).unwrap().is_none());
        assert!(app.store.read(|tx| grants::token(tx, &[2; 32])).unwrap().is_none());
        let e = &audits(&app)[0];
        assert_eq!((e.action.as_str(), e.target.as_str(), e.at), ("grant.revoke", "Tally", NOW + 9));
        assert_eq!(e.detail, format!("grant {id}, 2 tokens, by an admin"));
        let again = app.store.write(move |tx| revoke(tx, id, NOW, &Who::cli(), Reason::Member)).await.unwrap();
        assert_eq!(again, None);
        assert_eq!(audits(&app).len(), before + 1, "nothing written for a grant that is gone");

        // The member's own revocation, by the application's public key.
        grant_with_tokens(&app, user, client, "profile").await;
        let key = public_key(&app.store.read(|tx| clients::get(tx, client)).unwrap().unwrap());
        assert_eq!(revoke_for_member(&app, user, &key, Who::cli()).await.unwrap().map(|(_, n)| n), Some(2));
        assert_eq!(revoke_for_member(&app, user, &key, Who::cli()).await.unwrap(), None);
        assert!(audits(&app)[0].detail.ends_with("2 tokens, by the member"));

        // A deletion's own record stands for its grants.
        let g = grant_with_tokens(&app, user, client, "profile").await;
        let before = audits(&app).len();
        let id = g.id;
        let n = app.store.write(move |tx| revoke(tx, id, NOW, &Who::cli(), Reason::Deleted)).await.unwrap();
        assert_eq!((n, audits(&app).len()), (Some(2), before));
    }

    #[tokio::test]
    async fn a_reused_credential_revokes_the_grant_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let (app, user, client) = fixture(dir.path()).await;
        let g = grant_with_tokens(&app, user, client, "profile").await;
        let id = g.id;
        let who = Who { actor: format!("client:{client}"), ip: "10.0.0.2".into() };
        app.store
            .write(move |tx| {
                revoke_on_reuse(tx, id, NOW, &who, "grant.revoke.code_reuse", "an authorization code was used twice")
            })
            .await
            .unwrap();
        assert!(app.store.read(|tx| grants::get(tx, id)).unwrap().is_none());
        let e = &audits(&app)[0];
        assert_eq!((e.action.as_str(), e.target.clone()), ("grant.revoke.code_reuse", format!("grant {id}")));
        assert_eq!(e.detail, "an authorization code was used twice; 2 tokens revoked");
        assert_eq!(e.ip, "10.0.0.2");
    }

    #[tokio::test]
    async fn the_admin_list_filters_by_member_and_application() {
        let dir = tempfile::tempdir().unwrap();
        let (app, user, client) = fixture(dir.path()).await;
        grant_with_tokens(&app, user, client, "profile").await;
        app.store.write(move |tx| approve(tx, None, client, &set("read"), NOW + 1, How::Unattended)).await.unwrap();
        let all = list(&app, None, None).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].member, "(the application itself)", "newest first");
        let kim = &list(&app, Some("kim"), None).unwrap()[0];
        assert_eq!((kim.application.as_str(), kim.protocol, kim.live_tokens), ("Tally", "OAuth 2.0", 2));
        assert_eq!(list(&app, None, Some(&client.to_string())).unwrap().len(), 2);
        assert!(matches!(list(&app, Some("nobody"), None), Err(GrantError::NoMember(_))));
        assert!(matches!(list(&app, None, Some("lk_nothing")), Err(GrantError::Application(_))));
        let (gone, n) = revoke_by_admin(&app, kim.id, Who::cli()).await.unwrap();
        assert_eq!((gone.member.as_str(), n), ("kim", 2));
        assert!(matches!(revoke_by_admin(&app, kim.id, Who::cli()).await, Err(GrantError::NoGrant(_))));
    }
}
