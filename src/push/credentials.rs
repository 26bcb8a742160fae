//! An application's push credentials, as admins enter them on its page in
//! the admin console: checked, sealed (`auth::sealing`, bound to the
//! service and the application), audited (`push.credentials.set`,
//! `push.credentials.remove`), never shown again; only replaced or
//! removed. The worker opens them when it sends to a device that
//! application registered.

use super::fcm::ServiceAccount;
use crate::app::App;
use crate::ids::ClientId;
use crate::registry::applications as registry;
use crate::registry::error::ClientError;
use crate::store::audit::{self, Who};
use crate::store::push_credentials::{self as stored, context};

/// Which services an application has credentials for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Configured {
    pub fcm: bool,
}

pub fn configured(app: &App, client: ClientId) -> Result<Configured, ClientError> {
    let c = app.store.read(|tx| stored::get(tx, client))?;
    Ok(Configured { fcm: c.fcm.is_some() })
}

/// Checks and stores the service-account JSON of application `key`,
/// replacing any before.
pub async fn set_fcm(app: &App, key: &str, json: &str, who: Who) -> Result<ClientId, ClientError> {
    let client = registry::find(app, key)?;
    let sa = ServiceAccount::parse(json).map_err(|message| ClientError::Invalid { field: "fcm", message })?;
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
        assert_eq!(configured(&app, id).unwrap(), Configured { fcm: false });

        let json = serde_json::json!({"project_id": "demo", "client_email": "push@demo.example",
            "private_key": KEY, "token_uri": "https://oauth2.googleapis.com/token"})
        .to_string();
        assert!(matches!(
            set_fcm(&app, &key, "{\"project_id\": \"demo\"}", Who::cli()).await,
            Err(ClientError::Invalid { field: "fcm", .. })
        ));
        assert!(matches!(set_fcm(&app, "nope", &json, Who::cli()).await, Err(ClientError::NotFound(_))));
        set_fcm(&app, &key, &json, Who::cli()).await.unwrap();
        assert_eq!(configured(&app, id).unwrap(), Configured { fcm: true });
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
        assert_eq!(configured(&app, id).unwrap(), Configured { fcm: false });
        assert_eq!(last_audit(&app).action, "push.credentials.remove");

        // Deleting the application takes its credentials with it.
        set_fcm(&app, &key, &json, Who::cli()).await.unwrap();
        registry::delete(&app, &key, Who::cli()).await.unwrap();
        assert_eq!(app.store.read(|tx| stored::get(tx, id)).unwrap(), Default::default());
    }
}
