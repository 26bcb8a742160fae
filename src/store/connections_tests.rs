//! Connections' records and key layouts, their stored bytes frozen:
//! reordering a field or a variant must fail here rather than misread
//! every existing file.

use super::*;
use crate::store::Store;

fn provider(kind: ProviderKind) -> Provider {
    Provider {
        id: ProviderId(2),
        name: "n".into(),
        kind,
        authorize_url: "a".into(),
        client_id: "c".into(),
        sealed_secret: vec![9],
        scopes: vec!["s".into()],
        api_base: "b".into(),
        member_connect: true,
        sign_in: false,
        disabled: true,
        created_at: 5,
    }
}

fn endpoints() -> OAuth2Endpoints {
    OAuth2Endpoints {
        token_url: "t".into(),
        userinfo_url: Some("u".into()),
        revocation_url: None,
        token_auth: TokenAuth::ClientSecretPost,
    }
}

fn frozen<R: Record + PartialEq + std::fmt::Debug>(r: &R, bytes: &[u8]) {
    assert_eq!(encode(r).unwrap(), bytes, "{r:?}");
    assert_eq!(&decode::<R>(bytes).unwrap(), r);
}

#[test]
fn stored_bytes_are_stable() {
    let oidc = provider(ProviderKind::Oidc(Oidc {
        issuer: "i".into(),
        jwks_uri: "j".into(),
        discovery_url: Some("d".into()),
        iss_parameter_supported: true,
        endpoints: endpoints(),
    }));
    frozen(
        &oidc,
        &[
            1, 2, 1, 110, 0, 1, 105, 1, 106, 1, 1, 100, 1, 1, 116, 1, 1, 117, 0, 1, 1, 97, 1, 99, 1, 9, 1, 1, 115, 1,
            98, 1, 0, 1, 10,
        ],
    );
    frozen(
        &provider(ProviderKind::OAuth2(endpoints())),
        &[1, 2, 1, 110, 1, 1, 116, 1, 1, 117, 0, 1, 1, 97, 1, 99, 1, 9, 1, 1, 115, 1, 98, 1, 0, 1, 10],
    );
    let oauth1 = provider(ProviderKind::OAuth1(OAuth1Endpoints {
        request_url: "r".into(),
        access_url: "x".into(),
        signature_method: OAuth1Signature::RsaSha1,
        sealed_rsa_key: Some(vec![1]),
        rsa_public_key_pem: Some("p".into()),
    }));
    frozen(
        &oauth1,
        &[1, 2, 1, 110, 2, 1, 114, 1, 120, 2, 1, 1, 1, 1, 1, 112, 1, 97, 1, 99, 1, 9, 1, 1, 115, 1, 98, 1, 0, 1, 10],
    );
    let c = Connection {
        id: ConnectionId(3),
        user: UserId(4),
        provider: ProviderId(2),
        remote_user: "r".into(),
        remote_subject: "s".into(),
        sealed_access_token: vec![1],
        sealed_token_secret: None,
        sealed_refresh_token: Some(vec![2]),
        expires_at: Some(70),
        scopes: "o".into(),
        created_at: 6,
        refreshed_at: None,
        needs_reconnect: Some("w".into()),
    };
    frozen(&c, &[1, 3, 4, 2, 1, 114, 1, 115, 1, 1, 0, 1, 1, 2, 1, 140, 1, 1, 111, 12, 0, 1, 1, 119]);
    let f = PendingFlow {
        provider: ProviderId(2),
        user: Some(UserId(4)),
        purpose: Purpose::Link,
        browser: [7; 32],
        pkce_verifier: "v".into(),
        nonce: "n".into(),
        request_token: Some("t".into()),
        sealed_request_secret: None,
        return_to: "/".into(),
        created_at: 1,
        expires_at: 2,
    };
    frozen(&f, &[[1u8, 2, 1, 4, 2].as_slice(), &[7; 32], &[1, 118, 1, 110, 1, 1, 116, 0, 1, 47, 2, 4]].concat());
    let l = SignInLink {
        provider: ProviderId(2),
        subject: "s".into(),
        user: UserId(4),
        remote_user: "r".into(),
        created_at: 1,
        last_used: Some(3),
    };
    frozen(&l, &[1, 2, 1, 115, 4, 1, 114, 2, 1, 6]);
    let p = PendingIdentity {
        provider: ProviderId(2),
        subject: "s".into(),
        remote_user: "r".into(),
        browser: [1; 32],
        return_to: "/a".into(),
        expires_at: 9,
    };
    frozen(&p, &[[1u8, 2, 1, 115, 1, 114].as_slice(), &[1; 32], &[2, 47, 97, 18]].concat());
}

#[test]
fn key_layouts_are_stable() {
    assert_eq!(user_key(UserId(1), ConnectionId(2)).into_vec(), [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    assert_eq!(
        remote_key(ProviderId(1), "s", ConnectionId(2)).into_vec(),
        [0, 0, 0, 0, 0, 0, 0, 1, b's', 0, 0, 0, 0, 0, 0, 0, 0, 2]
    );
    assert_eq!(link_key(ProviderId(1), "s").into_vec(), [0, 0, 0, 0, 0, 0, 0, 1, b's', 0]);
    assert_eq!(
        link_user_key(UserId(3), ProviderId(1), "s").into_vec(),
        [0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, b's', 0]
    );
}

#[tokio::test]
async fn indexes_follow_their_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.redb")).unwrap();
    let c = |id: u64, user: u64, subject: &str, expires: Option<i64>| Connection {
        id: ConnectionId(id),
        user: UserId(user),
        provider: ProviderId(1),
        remote_user: "r".into(),
        remote_subject: subject.into(),
        sealed_access_token: vec![1],
        sealed_token_secret: None,
        sealed_refresh_token: Some(vec![2]),
        expires_at: expires,
        scopes: String::new(),
        created_at: 0,
        refreshed_at: None,
        needs_reconnect: None,
    };
    let (a, b, d) = (c(1, 7, "x", Some(50)), c(2, 8, "x", Some(40)), c(3, 7, "y", None));
    for x in [&a, &b, &d] {
        let x = x.clone();
        store.write(move |tx| put(tx, &x)).await.unwrap();
    }
    let ids = |v: Vec<Connection>| v.into_iter().map(|c| c.id.0).collect::<Vec<_>>();
    assert_eq!(ids(store.read(|tx| of_user(tx, UserId(7))).unwrap()), [1, 3]);
    assert_eq!(ids(store.read(|tx| by_remote(tx, ProviderId(1), "x")).unwrap()), [1, 2]);
    assert_eq!(ids(store.read(|tx| of_provider(tx, ProviderId(1))).unwrap()), [1, 2, 3]);
    assert_eq!(ids(store.read(|tx| expiring(tx, 100, 10)).unwrap()), [2, 1]);
    // Moved expiry: the old index entry goes.
    let moved = Connection { expires_at: Some(500), ..a.clone() };
    store.write(move |tx| put(tx, &moved)).await.unwrap();
    assert_eq!(ids(store.read(|tx| expiring(tx, 100, 10)).unwrap()), [2]);
    store.write(|tx| delete(tx, ConnectionId(2))).await.unwrap();
    assert_eq!(ids(store.read(|tx| by_remote(tx, ProviderId(1), "x")).unwrap()), [1]);
    assert!(store.read(|tx| expiring(tx, 1000, 10)).unwrap().iter().all(|c| c.id.0 == 1));
    assert_eq!(ids(store.write(|tx| delete_for_user(tx, UserId(7))).await.unwrap()), [1, 3]);
    assert!(store.read(|tx| of_provider(tx, ProviderId(1))).unwrap().is_empty());
}
