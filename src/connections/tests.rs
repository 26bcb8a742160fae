//! The operations on a real store: providers, connections, flows, links.

use super::ConnectionError;
use super::links;
use super::members::{self, FlowStart, NewConnection};
use super::providers::{self, NewProvider};
use crate::app::App;
use crate::clock::FrozenClock;
use crate::ids::{ConnectionId, ProviderId, UserId};
use crate::store::audit::Who;
use crate::store::connections::{self, Purpose};

const T: i64 = 1_800_000_000;

fn new_provider(name: &str) -> NewProvider {
    NewProvider {
        name: name.into(),
        protocol: "oidc".into(),
        issuer: Some("https://id.example".into()),
        jwks_uri: Some("https://id.example/jwks".into()),
        authorize_url: "https://id.example/authorize".into(),
        token_url: "https://id.example/token".into(),
        revocation_url: Some("https://id.example/revoke".into()),
        client_id: "client-1".into(),
        client_secret: "the secret".into(),
        api_base: "https://id.example/api".into(),
        member_connect: true,
        sign_in: true,
        ..Default::default()
    }
}

fn conn(user: UserId, provider: ProviderId, subject: &str, access: &str) -> NewConnection {
    NewConnection {
        user,
        provider,
        remote_user: format!("remote {subject}"),
        remote_subject: subject.into(),
        access_token: access.into(),
        token_secret: None,
        refresh_token: Some(format!("refresh-{access}")),
        expires_at: Some(T + 3600),
        scopes: "openid".into(),
    }
}

#[tokio::test]
async fn providers_are_added_once_by_name_sealed_disabled_and_deleted_with_their_connections() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::for_tests(dir.path(), FrozenClock::at(T));
    let p = providers::add(&app, new_provider("Remote"), Who::cli()).await.unwrap();
    assert_ne!(p.sealed_secret, b"the secret".to_vec());
    assert_eq!(providers::client_secret(&app, &p).unwrap(), "the secret");
    let again = providers::add(&app, new_provider("remote"), Who::cli()).await;
    assert!(matches!(again, Err(ConnectionError::Invalid { field: "name", .. })));
    assert_eq!(providers::find(&app, "REMOTE").unwrap().id, p.id);
    assert_eq!(providers::find(&app, &p.id.to_string()).unwrap().id, p.id);
    assert!(matches!(providers::find(&app, "other"), Err(ConnectionError::NotFound(_))));

    let off = providers::set_disabled(&app, "Remote", true, Who::cli()).await.unwrap();
    assert!(off.disabled);
    assert_eq!(providers::list(&app).unwrap(), vec![off]);

    let alice = app.add_test_member("alice").await;
    let c = members::save(&app, conn(alice, p.id, "sub-1", "at-1"), Who::cli()).await.unwrap();
    links::link(&app, p.id, "sub-1", "Alice", alice, Who::cli()).await.unwrap();
    let (gone, conns) = providers::delete(&app, "Remote", Who::cli()).await.unwrap();
    assert_eq!((gone.id, conns.len(), conns[0].id), (p.id, 1, c.id));
    assert!(members::of_user(&app, alice).unwrap().is_empty());
    assert!(links::of_user(&app, alice).unwrap().is_empty());
    assert!(providers::list(&app).unwrap().is_empty());
}

#[tokio::test]
async fn connections_keep_tokens_sealed_renew_in_place_and_belong_to_their_member() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::for_tests(dir.path(), FrozenClock::at(T));
    let p = providers::add(&app, new_provider("Remote"), Who::cli()).await.unwrap();
    let alice = app.add_test_member("alice").await;
    let bob = app.add_test_member("bob").await;
    let c = members::save(&app, conn(alice, p.id, "sub-1", "at-1"), Who::cli()).await.unwrap();
    assert_ne!(c.sealed_access_token, b"at-1".to_vec());
    let t = members::tokens(&app, &c).unwrap();
    assert_eq!((t.access_token.as_str(), t.refresh_token.as_deref()), ("at-1", Some("refresh-at-1")));

    // The same remote account again: new tokens on the same connection.
    let again = members::save(&app, conn(alice, p.id, "sub-1", "at-2"), Who::cli()).await.unwrap();
    assert_eq!(again.id, c.id);
    assert_eq!(members::tokens(&app, &again).unwrap().access_token, "at-2");
    // Another member may connect the same remote account: their own connection.
    let b = members::save(&app, conn(bob, p.id, "sub-1", "at-3"), Who::cli()).await.unwrap();
    assert_ne!(b.id, c.id);
    assert_eq!(members::of_user(&app, alice).unwrap().len(), 1);

    // Refresh order, and a refused refresh leaves the queue.
    let due = members::expiring(&app, T + 3600, 10).unwrap();
    assert_eq!(due.iter().map(|c| c.id).collect::<Vec<_>>(), vec![c.id, b.id]);
    assert!(members::expiring(&app, T + 3599, 10).unwrap().is_empty());
    members::refreshed(&app, c.id, "at-4", None, Some(T + 7200)).await.unwrap();
    let now = members::get_for_user(&app, alice, c.id).unwrap();
    let t = members::tokens(&app, &now).unwrap();
    assert_eq!((t.access_token.as_str(), t.refresh_token.as_deref()), ("at-4", Some("refresh-at-2")));
    members::needs_reconnect(&app, b.id, "invalid_grant").await.unwrap();
    assert!(members::expiring(&app, T + 99_999, 10).unwrap().iter().all(|x| x.id != b.id));
    assert_eq!(members::get_for_user(&app, bob, b.id).unwrap().needs_reconnect.as_deref(), Some("invalid_grant"));

    // Someone else's connection is not found, nor deleted.
    assert!(matches!(members::get_for_user(&app, bob, c.id), Err(ConnectionError::NotFound(_))));
    assert!(matches!(members::disconnect(&app, bob, c.id, Who::cli()).await, Err(ConnectionError::NotFound(_))));
    assert_eq!(members::disconnect(&app, alice, c.id, Who::cli()).await.unwrap().id, c.id);
    assert!(members::of_user(&app, alice).unwrap().is_empty());
    assert!(matches!(
        members::disconnect(&app, alice, ConnectionId(999), Who::cli()).await,
        Err(ConnectionError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_state_works_once_in_the_browser_that_started_it_and_expires() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::for_tests(dir.path(), FrozenClock::at(T));
    let start = FlowStart {
        provider: ProviderId(1),
        user: None,
        purpose: Purpose::SignIn,
        return_to: "/".into(),
        request_token: Some(("rt".into(), "rt-secret".into())),
    };
    let s = members::start_flow(&app, start.clone()).await.unwrap();
    assert_ne!(s.state, s.browser);
    assert!(matches!(members::take_flow(&app, "forged", Some(&s.browser)).await, Err(ConnectionError::Refused(_))));
    let flow = members::take_flow(&app, &s.state, Some(&s.browser)).await.unwrap();
    assert_eq!(flow, s.flow);
    assert_eq!(members::request_secret(&app, &s.state, &flow).unwrap().as_deref(), Some("rt-secret"));
    assert!(matches!(members::take_flow(&app, &s.state, Some(&s.browser)).await, Err(ConnectionError::Refused(_))));

    // Another browser: refused, and the state is spent.
    let s = members::start_flow(&app, start.clone()).await.unwrap();
    assert!(members::take_flow(&app, &s.state, Some("another")).await.is_err());
    assert!(members::take_flow(&app, &s.state, Some(&s.browser)).await.is_err());
    let s = members::start_flow(&app, start).await.unwrap();
    assert!(members::take_flow(&app, &s.state, None).await.is_err());

    // Expiry, at the store level: taken late, or swept.
    let digest = crate::auth::secrets::digest("late");
    let mut f = s.flow.clone();
    f.expires_at = T + 10;
    {
        let f = f.clone();
        app.store.write(move |tx| connections::put_flow(tx, &digest, &f))
    }
    .await
    .unwrap();
    assert_eq!(app.store.write(move |tx| connections::take_flow(tx, &digest, T + 10)).await.unwrap(), None);
    {
        let f = f.clone();
        app.store.write(move |tx| connections::put_flow(tx, &digest, &f))
    }
    .await
    .unwrap();
    assert_eq!(app.store.write(move |tx| connections::sweep_flows(tx, T + 9)).await.unwrap(), 0);
    assert_eq!(app.store.write(move |tx| connections::sweep_flows(tx, T + 10)).await.unwrap(), 1);
    assert_eq!(app.store.write(move |tx| connections::take_flow(tx, &digest, T)).await.unwrap(), None);
}

#[tokio::test]
async fn links_belong_to_one_member_and_the_last_way_in_stays() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::for_tests(dir.path(), FrozenClock::at(T));
    let p = ProviderId(7);
    let alice = app.add_test_member("alice").await; // no password
    let bob = app.add_test_member("bob").await;
    links::link(&app, p, "sub-a", "Alice", alice, Who::cli()).await.unwrap();
    assert_eq!(links::find(&app, p, "sub-a").unwrap().unwrap().user, alice);
    assert!(matches!(links::link(&app, p, "sub-a", "x", bob, Who::cli()).await, Err(ConnectionError::Refused(_))));
    // Alice has no password: her only link stays.
    assert!(matches!(links::unlink(&app, alice, p, "sub-a", Who::cli()).await, Err(ConnectionError::Refused(_))));
    assert!(matches!(links::unlink(&app, bob, p, "sub-a", Who::cli()).await, Err(ConnectionError::NotFound(_))));
    // With a second link, one may go.
    links::link(&app, ProviderId(8), "sub-a2", "Alice", alice, Who::cli()).await.unwrap();
    assert_eq!(links::of_user(&app, alice).unwrap().len(), 2);
    links::unlink(&app, alice, p, "sub-a", Who::cli()).await.unwrap();
    assert_eq!(links::find(&app, p, "sub-a").unwrap(), None);
    assert_eq!(links::of_user(&app, alice).unwrap().len(), 1);
    links::used(&app, ProviderId(8), "sub-a2").await.unwrap();
    assert_eq!(links::find(&app, ProviderId(8), "sub-a2").unwrap().unwrap().last_used, Some(T));
}
