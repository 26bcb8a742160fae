//! An application's push credentials, as admins enter them on its page in
//! the admin console: checked, sealed (`auth::sealing`, bound to the
//! service and the application), audited (`push.credentials.set`,
//! `push.credentials.remove`), never shown again; only replaced or
//! removed. The worker opens them when it sends to a device that
//! application registered.

use super::apns;
use super::fcm::ServiceAccount;
use crate::app::App;
use crate::ids::ClientId;
use crate::registry::applications as registry;
use crate::registry::error::{ClientError, Problem};
use crate::store::audit::{self, Who};
use crate::store::push_credentials::{self as stored, ApnsCredentials, context};

/// Which services an application has credentials for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Configured {
    pub fcm: bool,
    /// What may be shown of the APNs key: everything but the key.
    pub apns: Option<ApnsShown>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApnsShown {
    pub key_id: String,
    pub team_id: String,
    pub topic: String,
    /// When it was set: RFC 3339, and the time for the page to write in
    /// its language.
    pub set_at: (String, crate::clock::Timestamp),
}

pub fn configured(app: &App, client: ClientId) -> Result<Configured, ClientError> {
    let c = app.store.read(|tx| stored::get(tx, client))?;
    let apns = c.apns.map(|a| ApnsShown {
        key_id: a.key_id,
        team_id: a.team_id,
        topic: a.topic,
        set_at: (crate::clock::rfc3339(a.set_at), a.set_at),
    });
    Ok(Configured { fcm: c.fcm.is_some(), apns })
}

/// Checks and stores the service-account JSON of application `key`,
/// replacing any before.
pub async fn set_fcm(app: &App, key: &str, json: &str, who: Who) -> Result<ClientId, ClientError> {
    let client = registry::find(app, key)?;
    let sa = ServiceAccount::parse(json)
        .map_err(|message| ClientError::Invalid { field: "fcm", problem: Problem::PushCredential(message) })?;
    let sealed =
        app.sealer.seal(&context("fcm", client.id), json.trim()).map_err(|e| ClientError::Internal(e.to_string()))?;
    let now = app.now();
    let detail = format!("id {}, fcm, project {}, {}", client.id, sa.project_id, sa.client_email);
    app.store
        .write(move |tx| {
            let mut c = stored::get(tx, client.id)?;
            c.fcm = Some(sealed.clone());
            c.updated_at = now;
            stored::put(tx, client.id, &c)?;
            audit::record(tx, now, &who, "push.credentials.set", &client.name, &detail)?;
            Ok::<_, ClientError>(client.id)
        })
        .await
}

/// Removes application `key`'s FCM credentials; its FCM devices are no
/// longer sent to.
pub async fn remove_fcm(app: &App, key: &str, who: Who) -> Result<ClientId, ClientError> {
    let client = registry::find(app, key)?;
    let now = app.now();
    app.store
        .write(move |tx| {
            let mut c = stored::get(tx, client.id)?;
            if c.fcm.take().is_some() {
                c.updated_at = now;
                stored::put(tx, client.id, &c)?;
                let detail = format!("id {}, fcm", client.id);
                audit::record(tx, now, &who, "push.credentials.remove", &client.name, &detail)?;
            }
            Ok::<_, ClientError>(client.id)
        })
        .await
}

/// The service account of `client`, opened; `None` when there is none.
pub fn fcm(app: &App, client: ClientId, sealed: Option<&[u8]>) -> Result<Option<ServiceAccount>, String> {
    let Some(sealed) = sealed else { return Ok(None) };
    let json = app.sealer.open(&context("fcm", client), sealed).map_err(|e| format!("FCM credentials: {e}"))?;
    ServiceAccount::parse(&json).map(Some).map_err(|e| format!("FCM credentials: {e}"))
}

/// Checks and stores the APNs key of application `key` (the `.p8` file
/// sealed, the ids plain), replacing any before.
pub async fn set_apns(app: &App, key: &str, input: apns::Key, who: Who) -> Result<ClientId, ClientError> {
    let client = registry::find(app, key)?;
    let k = input
        .check()
        .map_err(|message| ClientError::Invalid { field: "apns", problem: Problem::PushCredential(message) })?;
    let sealed =
        app.sealer.seal(&context("apns", client.id), &k.key).map_err(|e| ClientError::Internal(e.to_string()))?;
    let now = app.now();
    let detail = format!("id {}, apns, key {}, team {}, topic {}", client.id, k.key_id, k.team_id, k.topic);
    let record =
        ApnsCredentials { sealed_key: sealed, key_id: k.key_id, team_id: k.team_id, topic: k.topic, set_at: now };
    app.store
        .write(move |tx| {
            let mut c = stored::get(tx, client.id)?;
            c.apns = Some(record.clone());
            c.updated_at = now;
            stored::put(tx, client.id, &c)?;
            audit::record(tx, now, &who, "push.credentials.set", &client.name, &detail)?;
            Ok::<_, ClientError>(client.id)
        })
        .await
}

/// Removes application `key`'s APNs key; its APNs devices are no longer
/// sent to.
pub async fn remove_apns(app: &App, key: &str, who: Who) -> Result<ClientId, ClientError> {
    let client = registry::find(app, key)?;
    let now = app.now();
    app.store
        .write(move |tx| {
            let mut c = stored::get(tx, client.id)?;
            if c.apns.take().is_some() {
                c.updated_at = now;
                stored::put(tx, client.id, &c)?;
                let detail = format!("id {}, apns", client.id);
                audit::record(tx, now, &who, "push.credentials.remove", &client.name, &detail)?;
            }
            Ok::<_, ClientError>(client.id)
        })
        .await
}

/// The APNs key of `client`, opened; `None` when there is none.
pub fn apns(app: &App, client: ClientId, stored: Option<&ApnsCredentials>) -> Result<Option<apns::Key>, String> {
    let Some(a) = stored else { return Ok(None) };
    let key = app.sealer.open(&context("apns", client), &a.sealed_key).map_err(|e| format!("APNs credentials: {e}"))?;
    Ok(Some(apns::Key { key, key_id: a.key_id.clone(), team_id: a.team_id.clone(), topic: a.topic.clone() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FrozenClock;

    const KEY: &str = include_str!("../../tests/fixtures/fcm/key.pem");

    fn last_audit(app: &App) -> audit::AuditEvent {
        app.store.read(|tx| audit::recent(tx, None, 1)).unwrap().remove(0).1
    }

    #[tokio::test]
    async fn credentials_are_sealed_audited_replaced_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(1_782_900_000));
        let new = serde_json::from_value(
            serde_json::json!({"name": "Phone app", "redirect_uris": ["https://phone.example/cb"]}),
        )
        .unwrap();
        let creds = registry::register(&app, new, Who::cli()).await.unwrap();
        let key = creds.client_id.unwrap();
        let id = registry::find(&app, &key).unwrap().id;
        assert_eq!(configured(&app, id).unwrap(), Configured::default());

        let json = serde_json::json!({"project_id": "demo", "client_email": "push@demo.example",
            "private_key": KEY, "token_uri": "https://oauth2.googleapis.com/token"})
        .to_string();
        assert!(matches!(
            set_fcm(&app, &key, "{\"project_id\": \"demo\"}", Who::cli()).await,
            Err(ClientError::Invalid { field: "fcm", .. })
        ));
        assert!(matches!(set_fcm(&app, "nope", &json, Who::cli()).await, Err(ClientError::NotFound(_))));
        set_fcm(&app, &key, &json, Who::cli()).await.unwrap();
        assert!(configured(&app, id).unwrap().fcm);
        let e = last_audit(&app);
        assert_eq!((e.action.as_str(), e.target.as_str()), ("push.credentials.set", "Phone app"));
        assert!(!e.detail.contains("PRIVATE KEY"));

        // Sealed: the key is not in the stored bytes, and it opens only for
        // this application.
        let sealed = app.store.read(|tx| stored::get(tx, id)).unwrap().fcm.unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("PRIVATE KEY"));
        let sa = fcm(&app, id, Some(&sealed)).unwrap().unwrap();
        assert_eq!(sa.client_email, "push@demo.example");
        assert!(fcm(&app, ClientId(id.0 + 1), Some(&sealed)).is_err());
        assert_eq!(fcm(&app, id, None).unwrap(), None);

        remove_fcm(&app, &key, Who::cli()).await.unwrap();
        assert_eq!(configured(&app, id).unwrap(), Configured::default());
        assert_eq!(last_audit(&app).action, "push.credentials.remove");

        // Deleting the application takes its credentials with it.
        set_fcm(&app, &key, &json, Who::cli()).await.unwrap();
        registry::delete(&app, &key, Who::cli()).await.unwrap();
        assert_eq!(app.store.read(|tx| stored::get(tx, id)).unwrap(), Default::default());
    }
}

#[cfg(test)]
mod apns_tests {
    use super::*;
    use crate::clock::FrozenClock;

    #[tokio::test]
    async fn an_apns_key_is_checked_sealed_shown_without_the_key_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(1_782_900_000));
        let new = serde_json::from_value(
            serde_json::json!({"name": "Phone app", "redirect_uris": ["https://phone.example/cb"]}),
        )
        .unwrap();
        let key = registry::register(&app, new, Who::cli()).await.unwrap().client_id.unwrap();
        let id = registry::find(&app, &key).unwrap().id;
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let input = apns::Key {
            key: pair.serialize_pem(),
            key_id: "ABC123DEFG".into(),
            team_id: "TEAM123456".into(),
            topic: "org.example.app".into(),
        };
        let bad =
            apns::Key { key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".into(), ..input.clone() };
        assert!(matches!(set_apns(&app, &key, bad, Who::cli()).await, Err(ClientError::Invalid { field: "apns", .. })));
        assert!(configured(&app, id).unwrap().apns.is_none());

        set_apns(&app, &key, input.clone(), Who::cli()).await.unwrap();
        let shown = configured(&app, id).unwrap().apns.unwrap();
        assert_eq!((shown.key_id.as_str(), shown.team_id.as_str()), ("ABC123DEFG", "TEAM123456"));
        assert_eq!((shown.topic.as_str(), shown.set_at.0.as_str()), ("org.example.app", "2026-07-01T10:00:00Z"));
        let e = app.store.read(|tx| audit::recent(tx, None, 1)).unwrap().remove(0).1;
        assert_eq!((e.action.as_str(), e.target.as_str()), ("push.credentials.set", "Phone app"));
        assert!(e.detail.contains("apns") && !e.detail.contains("PRIVATE KEY"), "{}", e.detail);

        let stored_row = app.store.read(|tx| stored::get(tx, id)).unwrap().apns.unwrap();
        assert!(!String::from_utf8_lossy(&stored_row.sealed_key).contains("PRIVATE KEY"));
        assert_eq!(apns(&app, id, Some(&stored_row)).unwrap().unwrap(), input.clone().check().unwrap());
        assert!(apns(&app, ClientId(id.0 + 1), Some(&stored_row)).is_err(), "bound to the application");

        remove_apns(&app, &key, Who::cli()).await.unwrap();
        assert_eq!(configured(&app, id).unwrap(), Configured::default());
        let e = app.store.read(|tx| audit::recent(tx, None, 1)).unwrap().remove(0).1;
        assert_eq!((e.action.as_str(), e.detail.contains("apns")), ("push.credentials.remove", true));
    }
}
