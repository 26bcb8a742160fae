//! Data directories as each released schema left them, for the upgrade
//! tests: `tests/fixtures/schema-N/` holds a `latchkey.redb` and the
//! `secret.key` its sealed secrets were sealed with (a test key, published
//! on purpose). They are committed, so that a later change to the frozen
//! record structs or to the migration ladder meets the bytes an older
//! latchkey really wrote, not bytes made by today's code.
//!
//! They were written by `write_fixtures` below (run it with
//! `cargo test --lib ops::fixtures::write_fixtures -- --ignored`; it
//! replaces the files), each in the form its era had:
//!
//! - schema 1: redb 2's file format v2 (written with redb 2.6, as latchkey
//!   did then), members v1, applications v2, grants v1, tokens v2, and only
//!   the tables schema 1 had;
//! - schema 2: redb 4 (file format v3), members v2, applications v3,
//!   grants v2, tokens v2, with the schema-2 indexes by application and by
//!   expiry;
//! - schema 3: the records of then, plus a group with a post (version 1
//!   post records, before attachments and shares);
//! - today's schema: today's records through today's store functions.
//!
//! Each holds the members `ada` (admin) and `bob` with the password
//! `FIXTURE_PASSWORD`, the OAuth 2.0 application `lk_fixture_oauth2` (secret
//! `fixture-client-secret`), the OAuth 1.0a consumer `fixture-consumer-key`
//! (secret `fixture-consumer-secret`, sealed), and bob's grant to the first
//! with the access token `fixture-access-token` (valid until 2100).

#![allow(clippy::unwrap_used)]

use crate::clock::Timestamp;
use crate::ids::{ClientId, GrantId, PostId, UserId};
use crate::scopes::ScopeSet;
use crate::store::clients::{Client, OAuth1App, OAuth2App, TokenFormat};
use crate::store::codec::encode;
use crate::store::grants::{Grant, Token, TokenKind, TokenV2};
use crate::store::key::Key;
use crate::store::users::{User, UserV1, UserV2};
use crate::store::{grants, schema, users};
use std::path::{Path, PathBuf};

pub const FIXTURE_PASSWORD: &str = "correct horse battery";
pub const ACCESS_TOKEN: &str = "fixture-access-token";
pub const CLIENT_ID: &str = "lk_fixture_oauth2";
pub const CLIENT_SECRET: &str = "fixture-client-secret";
pub const CONSUMER_KEY: &str = "fixture-consumer-key";
pub const CONSUMER_SECRET: &str = "fixture-consumer-secret";
const SECRET_KEY: [u8; 32] = *b"latchkey test fixture secret key";
const T: Timestamp = 1_764_547_200; // 2025-12-01
const EXPIRES: Timestamp = 4_102_444_800; // 2100-01-01

/// `tests/fixtures/schema-N`.
pub fn dir(schema: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("schema-{schema}"))
}

fn sha(s: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes()).into()
}

fn hash_password() -> String {
    use argon2::PasswordHasher;
    let params = argon2::Params::new(8192, 1, 1, None).unwrap();
    let salt = argon2::password_hash::SaltString::encode_b64(b"fixture salt 16b").unwrap();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(FIXTURE_PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

fn sealed_consumer_secret(data_dir: &Path) -> Vec<u8> {
    let sealer = crate::auth::sealing::Sealer::in_data_dir(data_dir);
    sealer.seal(&crate::auth::sealing::context::consumer_secret(CONSUMER_KEY), CONSUMER_SECRET).unwrap()
}

fn oauth2_app() -> OAuth2App {
    OAuth2App {
        client_id: CLIENT_ID.into(),
        secret_digest: Some(sha(CLIENT_SECRET)),
        redirect_uris: vec!["https://app.example.org/callback".into()],
        grants: vec!["authorization_code".into(), "refresh_token".into(), "password".into()],
        token_format: TokenFormat::Opaque,
        signing_alg: "EdDSA".into(),
        access_ttl: None,
        refresh_ttl: None,
        pkce_required: true,
        pkce_plain_allowed: false,
        cors_origins: vec![],
        introspect_any: false,
    }
}

fn oauth1_app(sealed: Vec<u8>) -> OAuth1App {
    OAuth1App {
        consumer_key: CONSUMER_KEY.into(),
        sealed_secret: sealed,
        callback: "oob".into(),
        legacy_1_0: false,
        signature_methods: vec!["HMAC-SHA1".into()],
        rsa_public_key: None,
        two_legged: false,
        scopes: ScopeSet::parse("read write push").unwrap(),
        token_ttl: None,
    }
}

/// The two applications as today's record.
fn clients(sealed: Vec<u8>) -> [Client; 2] {
    let base = |id: u64, name: &str| Client {
        id: ClientId(id),
        name: name.into(),
        description: String::new(),
        homepage: String::new(),
        logo_url: String::new(),
        scopes: ScopeSet::parse("read write").unwrap(),
        first_party: false,
        enabled: true,
        created_at: T,
        oauth2: None,
        oauth1: None,
        revision: 1,
    };
    let mut web = base(1, "Fixture app");
    web.oauth2 = Some(oauth2_app());
    let mut printer = base(2, "Fixture printer");
    printer.scopes = ScopeSet::parse("read write push").unwrap();
    printer.oauth1 = Some(oauth1_app(sealed));
    [web, printer]
}

/// (id, username, admin).
const MEMBERS: [(u64, &str, bool); 2] = [(1, "ada", true), (2, "bob", false)];

fn token_v2() -> TokenV2 {
    TokenV2 {
        kind: TokenKind::Access,
        grant: GrantId(1),
        client: ClientId(1),
        user: Some(UserId(2)),
        scopes: "read write".into(),
        issued_at: T,
        expires_at: Some(EXPIRES),
        redirect_uri: None,
        pkce: None,
        nonce: None,
        auth_time: T,
        used_at: None,
        secret: None,
    }
}

fn postcard_record<S: serde::Serialize>(version: u8, body: &S) -> Vec<u8> {
    let mut out = vec![version];
    out.extend(postcard::to_stdvec(body).unwrap());
    out
}

/// Schema 1, in redb 2's file format, as latchkey wrote it before redb 4.
fn write_schema_1(data_dir: &Path) {
    use redb2::TableDefinition as Def;
    const META: Def<&str, &[u8]> = Def::new("meta");
    const USERS: Def<u64, &[u8]> = Def::new("users");
    const USERS_BY_NAME: Def<&str, u64> = Def::new("users_by_name");
    const CLIENTS: Def<u64, &[u8]> = Def::new("clients");
    const CLIENT_KEYS: Def<&str, u64> = Def::new("client_keys");
    const GRANTS: Def<u64, &[u8]> = Def::new("grants");
    const GRANTS_BY_MEMBER: Def<&[u8], u64> = Def::new("grants_by_member");
    const TOKENS: Def<&[u8], &[u8]> = Def::new("tokens");
    const TOKENS_BY_GRANT: Def<&[u8], ()> = Def::new("tokens_by_grant");
    let hash = hash_password();
    let sealed = sealed_consumer_secret(data_dir);
    let db = redb2::Database::create(data_dir.join("latchkey.redb")).unwrap();
    let tx = db.begin_write().unwrap();
    {
        let mut meta = tx.open_table(META).unwrap();
        meta.insert("schema_version", 1u32.to_be_bytes().as_slice()).unwrap();
        for (seq, n) in [(UserId::SEQUENCE, 2u64), (ClientId::SEQUENCE, 2), (GrantId::SEQUENCE, 1)] {
            meta.insert(seq, n.to_be_bytes().as_slice()).unwrap();
        }
        let mut us = tx.open_table(USERS).unwrap();
        let mut by_name = tx.open_table(USERS_BY_NAME).unwrap();
        for (id, name, admin) in MEMBERS {
            let u = UserV1 {
                id: UserId(id),
                username: name.into(),
                display_name: name.to_uppercase(),
                email: format!("{name}@example.org"),
                password_hash: hash.clone(),
                admin,
                disabled: false,
                created_at: T,
                password_changed_at: T,
            };
            us.insert(id, postcard_record(1, &u).as_slice()).unwrap();
            by_name.insert(name, id).unwrap();
        }
        let mut cs = tx.open_table(CLIENTS).unwrap();
        let mut keys = tx.open_table(CLIENT_KEYS).unwrap();
        for c in clients(sealed) {
            let v2 = crate::store::clients::ClientV2 {
                id: c.id,
                name: c.name,
                description: c.description,
                homepage: c.homepage,
                logo_url: c.logo_url,
                scopes: c.scopes.to_string(),
                first_party: c.first_party,
                enabled: c.enabled,
                created_at: c.created_at,
                oauth2: c.oauth2.clone(),
                oauth1: c.oauth1.clone(),
            };
            cs.insert(c.id.0, postcard_record(2, &v2).as_slice()).unwrap();
            let key = c.oauth2.map(|o| o.client_id).or(c.oauth1.map(|o| o.consumer_key)).unwrap();
            keys.insert(key.as_str(), c.id.0).unwrap();
        }
        let g = crate::store::grants::GrantV1 {
            id: GrantId(1),
            client: ClientId(1),
            user: Some(UserId(2)),
            scopes: "read write".into(),
            created_at: T,
            last_used: T,
        };
        tx.open_table(GRANTS).unwrap().insert(1, postcard_record(1, &g).as_slice()).unwrap();
        let by_member = Key::new().u64(2).u64(1);
        tx.open_table(GRANTS_BY_MEMBER).unwrap().insert(by_member.as_slice(), 1).unwrap();
        let d = sha(ACCESS_TOKEN);
        tx.open_table(TOKENS).unwrap().insert(d.as_slice(), postcard_record(2, &token_v2()).as_slice()).unwrap();
        tx.open_table(TOKENS_BY_GRANT).unwrap().insert(Key::new().u64(1).bytes(&d).as_slice(), ()).unwrap();
    }
    tx.commit().unwrap();
}

/// Schema 2, in redb 4's format: revisions on every record, and the
/// indexes by application and by expiry.
fn write_schema_2(data_dir: &Path) {
    let hash = hash_password();
    let sealed = sealed_consumer_secret(data_dir);
    let path = data_dir.join("latchkey.redb");
    let db = redb::Database::create(&path).unwrap();
    let tx = db.begin_write().unwrap();
    {
        // Only the tables written here; the others come from `create_all`
        // at the first open, as they did for a real schema-2 file.
        let mut meta = tx.open_table(schema::META).unwrap();
        meta.insert("schema_version", 2u32.to_be_bytes().as_slice()).unwrap();
        for (seq, n) in [(UserId::SEQUENCE, 2u64), (ClientId::SEQUENCE, 2), (GrantId::SEQUENCE, 1)] {
            meta.insert(seq, n.to_be_bytes().as_slice()).unwrap();
        }
        let mut us = tx.open_table(schema::USERS).unwrap();
        let mut by_name = tx.open_table(schema::USERS_BY_NAME).unwrap();
        for (id, name, admin) in MEMBERS {
            let u = UserV2 {
                id: UserId(id),
                username: name.into(),
                display_name: name.to_uppercase(),
                email: format!("{name}@example.org"),
                password_hash: hash.clone(),
                admin,
                disabled: false,
                created_at: T,
                password_changed_at: T,
                revision: 1,
            };
            us.insert(id, postcard_record(2, &u).as_slice()).unwrap();
            by_name.insert(name, id).unwrap();
        }
        let mut cs = tx.open_table(schema::CLIENTS).unwrap();
        let mut keys = tx.open_table(schema::CLIENT_KEYS).unwrap();
        for c in clients(sealed) {
            cs.insert(c.id.0, encode(&c).unwrap().as_slice()).unwrap();
            let key = c.oauth2.map(|o| o.client_id).or(c.oauth1.map(|o| o.consumer_key)).unwrap();
            keys.insert(key.as_str(), c.id.0).unwrap();
        }
        let g = Grant {
            id: GrantId(1),
            client: ClientId(1),
            user: Some(UserId(2)),
            scopes: ScopeSet::parse("read write").unwrap(),
            created_at: T,
            last_used: T,
            revision: 1,
        };
        tx.open_table(schema::GRANTS).unwrap().insert(1, postcard_record(2, &g).as_slice()).unwrap();
        tx.open_table(schema::GRANTS_BY_MEMBER).unwrap().insert(Key::new().u64(2).u64(1).as_slice(), 1).unwrap();
        tx.open_table(schema::GRANTS_BY_CLIENT).unwrap().insert(Key::new().u64(1).u64(1).as_slice(), ()).unwrap();
        let d = sha(ACCESS_TOKEN);
        tx.open_table(schema::TOKENS)
            .unwrap()
            .insert(d.as_slice(), postcard_record(2, &token_v2()).as_slice())
            .unwrap();
        tx.open_table(schema::TOKENS_BY_GRANT).unwrap().insert(Key::new().u64(1).bytes(&d).as_slice(), ()).unwrap();
        let by_expiry = Key::new().time(EXPIRES).bytes(&d);
        tx.open_table(schema::TOKENS_BY_EXPIRY).unwrap().insert(by_expiry.as_slice(), ()).unwrap();
    }
    tx.commit().unwrap();
}

/// Today's schema ([`crate::store::SCHEMA_VERSION`]): today's records
/// through today's store functions, and a group with a post. (The committed
/// `schema-3` was written by this function when schema 3 was current; it is
/// kept as released.)
fn write_current(data_dir: &Path) {
    let hash = hash_password();
    let sealed = sealed_consumer_secret(data_dir);
    let store = crate::store::Store::open(&data_dir.join("latchkey.redb")).unwrap();
    store
        .write_blocking(move |tx| {
            for (_, name, admin) in MEMBERS {
                users::insert(
                    tx,
                    User {
                        id: UserId(0),
                        username: name.into(),
                        display_name: name.to_uppercase(),
                        email: format!("{name}@example.org"),
                        password_hash: hash.clone(),
                        admin,
                        disabled: false,
                        created_at: T,
                        password_changed_at: T,
                        revision: 0,
                        bio: format!("{name} was here"),
                        avatar: None,
                    },
                )?;
            }
            for mut c in clients(sealed.clone()) {
                c.id = ClientId(0);
                crate::store::clients::insert(tx, c)?;
            }
            let g = grants::insert(
                tx,
                Grant {
                    id: GrantId(0),
                    client: ClientId(1),
                    user: Some(UserId(2)),
                    scopes: ScopeSet::parse("read write").unwrap(),
                    created_at: T,
                    last_used: T,
                    revision: 0,
                },
            )?;
            let t = token_v2();
            let token = Token {
                kind: t.kind,
                grant: g.id,
                client: t.client,
                user: t.user,
                scopes: ScopeSet::parse(&t.scopes).unwrap(),
                issued_at: t.issued_at,
                expires_at: t.expires_at,
                redirect_uri: None,
                pkce: None,
                nonce: None,
                auth_time: t.auth_time,
                used_at: None,
                secret: None,
                replay: None,
            };
            grants::put_token(tx, &sha(ACCESS_TOKEN), &token)?;
            Ok::<_, crate::store::StoreError>(())
        })
        .unwrap();
    store
        .write_blocking(|tx| {
            let input = crate::social::groups::GroupInput {
                name: Some("Fixture garden".into()),
                description: Some("Soil".into()),
                membership: None,
                access: None,
            };
            let g = crate::social::groups::create(tx, UserId(1), &input, T)?;
            let post = crate::social::posts::PostInput {
                kind: None,
                group: Some(g.group.id),
                title: None,
                body: Some("First post".into()),
                tags: Some(vec!["fixture".into()]),
                access: Some("public".into()),
                ..Default::default()
            };
            crate::social::posts::create(tx, UserId(1), &post, T)?;
            Ok::<_, crate::social::SocialError>(())
        })
        .unwrap();
    store.close();
}

/// Writes every fixture into `root/schema-N`: `secret.key` and the
/// database gzip-compressed (`latchkey.redb.gz`; a redb file is mostly
/// empty pages, and redb 2's preallocates megabytes of them).
pub fn write_all(root: &Path) {
    let current = crate::store::SCHEMA_VERSION;
    for (n, write) in [(1, write_schema_1 as fn(&Path)), (2, write_schema_2), (current, write_current)] {
        let d = root.join(format!("schema-{n}"));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("secret.key"), SECRET_KEY).unwrap();
        write(&d);
        let raw = std::fs::read(d.join("latchkey.redb")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(vec![], flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &raw).unwrap();
        std::fs::write(d.join("latchkey.redb.gz"), gz.finish().unwrap()).unwrap();
        std::fs::remove_file(d.join("latchkey.redb")).unwrap();
    }
}

/// Makes `data_dir` a copy of the fixture in `from` (a `schema-N` folder).
pub fn install(from: &Path, data_dir: &Path) {
    std::fs::create_dir_all(data_dir).unwrap();
    std::fs::copy(from.join("secret.key"), data_dir.join("secret.key")).unwrap();
    let mut raw = vec![];
    let gz = std::fs::File::open(from.join("latchkey.redb.gz")).unwrap();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut raw).unwrap();
    std::fs::write(data_dir.join("latchkey.redb"), raw).unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::App;
    use crate::clock::FrozenClock;

    /// Replaces the committed fixtures; run by hand only (see the module docs).
    #[test]
    #[ignore]
    fn write_fixtures() {
        write_all(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"));
    }

    /// Opens each committed fixture (migrating it), reads its members,
    /// applications, grants and token back, and checks that the
    /// generator still makes a file that reads the same.
    #[tokio::test]
    async fn every_released_schema_opens_migrates_and_reads_back() {
        let made = tempfile::tempdir().unwrap();
        let root = made.path().to_path_buf();
        tokio::task::spawn_blocking(move || write_all(&root)).await.unwrap();
        for n in 1..=crate::store::SCHEMA_VERSION {
            assert!(n == crate::store::SCHEMA_VERSION || dir(n).exists(), "every released schema has a fixture");
            let sources = [("committed", dir(n)), ("generated", made.path().join(format!("schema-{n}")))];
            for (what, source) in sources.into_iter().filter(|(_, d)| d.exists()) {
                let tmp = tempfile::tempdir().unwrap();
                install(&source, tmp.path());
                let before = crate::store::plan(&tmp.path().join("latchkey.redb")).unwrap();
                match n {
                    1 => assert_eq!(before, crate::store::Plan::ConvertFormat { format: 2 }, "{what} {n}"),
                    _ => assert_eq!(before, crate::store::Plan::Migrate { found: n }, "{what} {n}"),
                }
                let app = App::for_tests(tmp.path(), FrozenClock::at(T + 60));
                check(&app, n, what).await;
                app.store.close();
                drop(app);
                let after = crate::store::plan(&tmp.path().join("latchkey.redb")).unwrap();
                assert_eq!(after, crate::store::Plan::Migrate { found: crate::store::SCHEMA_VERSION });
            }
        }
    }

    async fn check(app: &App, n: u32, what: &str) {
        let at = format!("{what} schema-{n}");
        let (ada, bob, web, printer, grant, token) = app
            .store
            .read(|tx| {
                Ok((
                    users::by_name(tx, "ada")?,
                    users::by_name(tx, "bob")?,
                    crate::store::clients::by_key(tx, CLIENT_ID)?,
                    crate::store::clients::by_key(tx, CONSUMER_KEY)?,
                    grants::for_member(tx, UserId(2))?,
                    grants::token(tx, &sha(ACCESS_TOKEN))?,
                ))
            })
            .unwrap();
        let (ada, bob) = (ada.expect(&at), bob.expect(&at));
        assert!(ada.admin && !bob.admin, "{at}");
        assert_eq!(bob.email, "bob@example.org", "{at}");
        assert!(app.passwords.verify(FIXTURE_PASSWORD.into(), Some(bob.password_hash.clone())).await, "{at}");
        let web = web.expect(&at);
        assert_eq!(web.oauth2.as_ref().unwrap().secret_digest, Some(sha(CLIENT_SECRET)), "{at}");
        let printer = printer.expect(&at);
        let sealed = &printer.oauth1.as_ref().unwrap().sealed_secret;
        let secret = app.sealer.open(&crate::auth::sealing::context::consumer_secret(CONSUMER_KEY), sealed).expect(&at);
        assert_eq!(secret, CONSUMER_SECRET, "{at}: the consumer secret unseals with the fixture's secret.key");
        assert_eq!(grant.len(), 1, "{at}");
        assert_eq!((grant[0].client, grant[0].scopes.to_string()), (web.id, "read write".to_string()), "{at}");
        let token = token.expect(&at);
        assert_eq!((token.grant, token.expires_at), (grant[0].id, Some(EXPIRES)), "{at}");
        // The schema-2 indexes exist for every file, filled by the migration.
        let (by_client, by_expiry) = app
            .store
            .read(|tx| Ok((grants::for_client(tx, web.id)?.len(), crate::store::count(tx, &schema::TOKENS_BY_EXPIRY)?)))
            .unwrap();
        assert_eq!((by_client, by_expiry), (1, 1), "{at}");
        // A write works and keeps the record readable.
        let mut b = bob.clone();
        b.display_name = "Bob B.".into();
        app.store.write(move |tx| users::put(tx, &mut b.clone())).await.unwrap();
        let again = app.store.read(|tx| users::by_name(tx, "bob")).unwrap().unwrap();
        assert_eq!(again.display_name, "Bob B.", "{at}");
        if n >= 3 {
            let groups = app.store.read(|tx| crate::store::count(tx, &schema::GROUPS)).unwrap();
            let posts = app.store.read(|tx| crate::store::count(tx, &schema::POSTS)).unwrap();
            assert_eq!((groups, posts), (1, 1), "{at}");
            // Schema 3 wrote the post as record version 1: it reads back
            // with no attachments and sharing nothing.
            let post = app.store.read(|tx| crate::store::social::posts::get(tx, PostId(1))).unwrap().expect(&at);
            assert_eq!((post.body.as_str(), post.attachments.len(), post.shared), ("First post", 0, None), "{at}");
        }
    }
}
