//! An application's push credentials, as admins enter them on its page in
//! the admin console: checked, sealed (`auth::sealing`, bound to the
//! service and the application), audited (`push.credentials.set`,
//! `push.credentials.remove`), never shown again; only replaced or
//! removed. The worker opens them when it sends to a device that
//! application registered. APNs takes a token key or a certificate, and
//! an application has one of them: entering one replaces the other.

use super::apns;
use super::apns_cert::{self, Identity};
use super::fcm::ServiceAccount;
use crate::app::App;
use crate::ids::ClientId;
use crate::registry::applications as registry;
use crate::registry::error::{ClientError, Problem};
use crate::store::audit::{self, Who};
use crate::store::push_credentials::{self as stored, ApnsCertificate, ApnsCredentials, ApnsKey, context};

/// Which services an application has credentials for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Configured {
    pub fcm: bool,
    /// What may be shown of the APNs key: everything but the key.
    pub apns: Option<ApnsShown>,
}

/// What may be shown of the APNs credentials: everything but the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApnsShown {
    pub topic: String,
    /// When it was set: RFC 3339, and the time for the page to write in
    /// its language.
    pub set_at: (String, crate::clock::Timestamp),
    /// A token key: its ids.
    pub key: Option<ApnsKeyShown>,
    /// A certificate: its subject and expiry.
    pub certificate: Option<ApnsCertificateShown>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApnsKeyShown {
    pub key_id: String,
    pub team_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApnsCertificateShown {
    /// The client certificate's subject CN.
    pub subject: String,
    /// Its notAfter, as `set_at`.
    pub expires: (String, crate::clock::Timestamp),
    /// Expired by the server's clock: Apple refuses it.
    pub expired: bool,
}

pub fn configured(app: &App, client: ClientId) -> Result<Configured, ClientError> {
    let c = app.store.read(|tx| stored::get(tx, client))?;
    let now = app.now();
    let apns = c.apns.map(|a| match a {
        ApnsCredentials::Token(k) => ApnsShown {
            topic: k.topic,
            set_at: (crate::clock::rfc3339(k.set_at), k.set_at),
            key: Some(ApnsKeyShown { key_id: k.key_id, team_id: k.team_id }),
            certificate: None,
        },
        ApnsCredentials::Certificate(c) => ApnsShown {
            topic: c.topic,
            set_at: (crate::clock::rfc3339(c.set_at), c.set_at),
            key: None,
            certificate: Some(ApnsCertificateShown {
                subject: c.subject,
                expires: (crate::clock::rfc3339(c.not_after), c.not_after),
                expired: now > c.not_after,
            }),
        },
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

/// What an audit line says an APNs change replaced, if anything.
fn replaced(before: Option<&ApnsCredentials>) -> String {
    match before {
        None => String::new(),
        Some(ApnsCredentials::Token(k)) => format!(", replaces the token key {}", k.key_id),
        Some(ApnsCredentials::Certificate(c)) => format!(", replaces the certificate {:?}", c.subject),
    }
}

/// Stores `record` as application `client`'s APNs credentials, replacing
/// a token key or a certificate, and audits it with `detail`.
async fn put_apns(
    app: &App,
    client: crate::store::clients::Client,
    record: ApnsCredentials,
    detail: String,
    who: Who,
) -> Result<ClientId, ClientError> {
    let now = app.now();
    app.store
        .write(move |tx| {
            let mut c = stored::get(tx, client.id)?;
            let detail = format!("{detail}{}", replaced(c.apns.as_ref()));
            c.apns = Some(record.clone());
            c.updated_at = now;
            stored::put(tx, client.id, &c)?;
            audit::record(tx, now, &who, "push.credentials.set", &client.name, &detail)?;
            Ok::<_, ClientError>(client.id)
        })
        .await
}

/// Checks and stores the APNs key of application `key` (the `.p8` file
/// sealed, the ids plain), replacing a key or certificate before.
pub async fn set_apns(app: &App, key: &str, input: apns::Key, who: Who) -> Result<ClientId, ClientError> {
    let client = registry::find(app, key)?;
    let k = input
        .check()
        .map_err(|message| ClientError::Invalid { field: "apns", problem: Problem::PushCredential(message) })?;
    let sealed =
        app.sealer.seal(&context("apns", client.id), &k.key).map_err(|e| ClientError::Internal(e.to_string()))?;
    let detail = format!("id {}, apns, key {}, team {}, topic {}", client.id, k.key_id, k.team_id, k.topic);
    let record = ApnsCredentials::Token(ApnsKey {
        sealed_key: sealed,
        key_id: k.key_id,
        team_id: k.team_id,
        topic: k.topic,
        set_at: app.now(),
    });
    put_apns(app, client, record, detail, who).await
}

/// Checks and stores the APNs certificate of application `key` (the key
/// sealed, the chain plain), replacing a key or certificate before. The
/// certificate must be valid now.
pub async fn set_apns_certificate(
    app: &App,
    key: &str,
    input: apns_cert::Certificate,
    who: Who,
) -> Result<ClientId, ClientError> {
    let client = registry::find(app, key)?;
    let id = input
        .check(app.now())
        .map_err(|e| ClientError::Invalid { field: "apns", problem: Problem::ApnsCertificate(e) })?;
    let sealed = app
        .sealer
        .seal(&context("apns-certificate", client.id), &id.key_pem)
        .map_err(|e| ClientError::Internal(e.to_string()))?;
    let detail = format!(
        "id {}, apns, certificate {:?}, expires {}, topic {}",
        client.id,
        id.subject,
        crate::clock::human(id.not_after),
        id.topic
    );
    let record = ApnsCredentials::Certificate(ApnsCertificate {
        sealed_key: sealed,
        chain: id.chain_pem,
        subject: id.subject,
        not_after: id.not_after,
        topic: id.topic,
        set_at: app.now(),
    });
    put_apns(app, client, record, detail, who).await
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

/// The APNs credentials of `client`, opened; `None` when there are none.
/// A certificate is read once and kept in `opened` (reading an RSA key
/// costs more than a notification).
pub fn apns(
    app: &App,
    client: ClientId,
    stored: Option<&ApnsCredentials>,
    opened: &apns::Opened,
) -> Result<Option<apns::Credentials>, String> {
    match stored {
        None => Ok(None),
        Some(ApnsCredentials::Token(a)) => {
            let key = app
                .sealer
                .open(&context("apns", client), &a.sealed_key)
                .map_err(|e| format!("APNs credentials: {e}"))?;
            let k = apns::Key { key, key_id: a.key_id.clone(), team_id: a.team_id.clone(), topic: a.topic.clone() };
            Ok(Some(apns::Credentials::Token(k)))
        }
        Some(ApnsCredentials::Certificate(c)) => {
            let id = opened.get_or_open(client, &c.sealed_key, || {
                let key = app
                    .sealer
                    .open(&context("apns-certificate", client), &c.sealed_key)
                    .map_err(|e| format!("APNs certificate: {e}"))?;
                Identity::read(&c.chain, &key, &c.topic).map_err(|e| format!("APNs certificate: {e}"))
            })?;
            Ok(Some(apns::Credentials::Certificate(id)))
        }
    }
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

    const NOW: i64 = 1_782_900_000; // 2026-07-01 10:00 UTC
    const RSA: &str = include_str!("../../tests/fixtures/fcm/key.pem");

    async fn phone_app(app: &App) -> (String, ClientId) {
        let new = serde_json::from_value(
            serde_json::json!({"name": "Phone app", "redirect_uris": ["https://phone.example/cb"]}),
        )
        .unwrap();
        let key = registry::register(app, new, Who::cli()).await.unwrap().client_id.unwrap();
        let id = registry::find(app, &key).unwrap().id;
        (key, id)
    }

    fn last_audit(app: &App) -> audit::AuditEvent {
        app.store.read(|tx| audit::recent(tx, None, 1)).unwrap().remove(0).1
    }

    fn token_key() -> apns::Key {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        apns::Key {
            key: pair.serialize_pem(),
            key_id: "ABC123DEFG".into(),
            team_id: "TEAM123456".into(),
            topic: "org.example.app".into(),
        }
    }

    /// An APNs-like client certificate for the RSA fixture key, valid for
    /// a day either side of `NOW`.
    fn certificate() -> apns_cert::Certificate {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, "Apple Push Services: org.example.app");
        p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        p.not_before = time::OffsetDateTime::from_unix_timestamp(NOW - 86_400).unwrap();
        p.not_after = time::OffsetDateTime::from_unix_timestamp(NOW + 86_400).unwrap();
        let cert = p.signed_by(&rcgen::KeyPair::from_pem(RSA).unwrap(), &issuer).unwrap().pem();
        apns_cert::Certificate { certificate: cert, key: RSA.into(), topic: "org.example.app".into() }
    }

    #[tokio::test]
    async fn an_apns_key_is_checked_sealed_shown_without_the_key_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(NOW));
        let (key, id) = phone_app(&app).await;
        let input = token_key();
        let bad =
            apns::Key { key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".into(), ..input.clone() };
        assert!(matches!(set_apns(&app, &key, bad, Who::cli()).await, Err(ClientError::Invalid { field: "apns", .. })));
        assert!(configured(&app, id).unwrap().apns.is_none());

        set_apns(&app, &key, input.clone(), Who::cli()).await.unwrap();
        let shown = configured(&app, id).unwrap().apns.unwrap();
        let k = shown.key.clone().unwrap();
        assert_eq!((k.key_id.as_str(), k.team_id.as_str()), ("ABC123DEFG", "TEAM123456"));
        assert_eq!((shown.topic.as_str(), shown.set_at.0.as_str()), ("org.example.app", "2026-07-01T10:00:00Z"));
        assert!(shown.certificate.is_none());
        let e = last_audit(&app);
        assert_eq!((e.action.as_str(), e.target.as_str()), ("push.credentials.set", "Phone app"));
        assert!(e.detail.contains("apns") && !e.detail.contains("PRIVATE KEY"), "{}", e.detail);

        let stored_row = app.store.read(|tx| stored::get(tx, id)).unwrap().apns.unwrap();
        let ApnsCredentials::Token(t) = &stored_row else { panic!("{stored_row:?}") };
        assert!(!String::from_utf8_lossy(&t.sealed_key).contains("PRIVATE KEY"));
        let opened = apns::Opened::default();
        let Some(apns::Credentials::Token(k)) = apns(&app, id, Some(&stored_row), &opened).unwrap() else {
            panic!("a token key")
        };
        assert_eq!(k, input.clone().check().unwrap());
        assert!(apns(&app, ClientId(id.0 + 1), Some(&stored_row), &opened).is_err(), "bound to the application");

        remove_apns(&app, &key, Who::cli()).await.unwrap();
        assert_eq!(configured(&app, id).unwrap(), Configured::default());
        let e = last_audit(&app);
        assert_eq!((e.action.as_str(), e.detail.contains("apns")), ("push.credentials.remove", true));
    }

    #[tokio::test]
    async fn a_certificate_replaces_a_token_key_and_the_other_way_round() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::for_tests(dir.path(), FrozenClock::at(NOW));
        let (key, id) = phone_app(&app).await;
        set_apns(&app, &key, token_key(), Who::cli()).await.unwrap();

        // Refused: the key is not the certificate's; nothing changes.
        let other = rcgen::KeyPair::generate().unwrap().serialize_pem();
        let wrong = apns_cert::Certificate { key: other, ..certificate() };
        match set_apns_certificate(&app, &key, wrong, Who::cli()).await {
            Err(ClientError::Invalid { field: "apns", problem: Problem::ApnsCertificate(e) }) => {
                assert_eq!(e, apns_cert::CertError::KeyMismatch)
            }
            other => panic!("{other:?}"),
        }
        assert!(configured(&app, id).unwrap().apns.unwrap().key.is_some());

        set_apns_certificate(&app, &key, certificate(), Who::cli()).await.unwrap();
        let shown = configured(&app, id).unwrap().apns.unwrap();
        assert!(shown.key.is_none(), "one or the other");
        let c = shown.certificate.unwrap();
        assert_eq!(c.subject, "Apple Push Services: org.example.app");
        assert_eq!((c.expires.0.as_str(), c.expired), ("2026-07-02T10:00:00Z", false));
        let e = last_audit(&app);
        assert_eq!(e.action, "push.credentials.set");
        assert!(
            e.detail.contains("certificate \"Apple Push Services: org.example.app\", expires 2026-07-02 10:00 UTC")
                && e.detail.ends_with("replaces the token key ABC123DEFG"),
            "{}",
            e.detail
        );
        assert!(!e.detail.contains("PRIVATE"));

        // Sealed, bound to the application and to certificates; read once.
        let row = app.store.read(|tx| stored::get(tx, id)).unwrap().apns.unwrap();
        let ApnsCredentials::Certificate(sealed) = &row else { panic!("{row:?}") };
        assert!(!String::from_utf8_lossy(&sealed.sealed_key).contains("PRIVATE KEY"));
        assert!(sealed.chain.starts_with("-----BEGIN CERTIFICATE-----"));
        let opened = apns::Opened::default();
        let Some(apns::Credentials::Certificate(first)) = apns(&app, id, Some(&row), &opened).unwrap() else {
            panic!("a certificate")
        };
        assert_eq!((first.topic.as_str(), first.not_after), ("org.example.app", NOW + 86_400));
        let again = apns(&app, id, Some(&row), &opened).unwrap().unwrap();
        let apns::Credentials::Certificate(again) = again else { panic!() };
        assert!(std::sync::Arc::ptr_eq(&first.certified, &again.certified), "read once");
        assert!(apns(&app, ClientId(id.0 + 1), Some(&row), &apns::Opened::default()).is_err());
        let as_token = ApnsCredentials::Token(crate::store::push_credentials::ApnsKey {
            sealed_key: sealed.sealed_key.clone(),
            ..Default::default()
        });
        assert!(apns(&app, id, Some(&as_token), &opened).is_err(), "a certificate's key is not a token key");

        // Expired by the clock: shown as such.
        let mut past = sealed.clone();
        past.not_after = NOW - 1;
        app.store
            .write(move |tx| {
                let mut c = stored::get(tx, id)?;
                c.apns = Some(ApnsCredentials::Certificate(past.clone()));
                stored::put(tx, id, &c)
            })
            .await
            .unwrap();
        assert!(configured(&app, id).unwrap().apns.unwrap().certificate.unwrap().expired);

        set_apns(&app, &key, token_key(), Who::cli()).await.unwrap();
        assert!(configured(&app, id).unwrap().apns.unwrap().certificate.is_none());
        let e = last_audit(&app);
        assert!(
            e.detail.ends_with("replaces the certificate \"Apple Push Services: org.example.app\""),
            "{}",
            e.detail
        );
    }
}
