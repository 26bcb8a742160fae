//! An application's credentials for the push services that need them
//! (FCM's service account; APNs' key or certificate), kept sealed in their own table
//! keyed by the application, so the client record does not change. They
//! are written by admins, read by the push worker, never shown again.

use super::codec::{Record, decode, decode_old, encode};
use super::schema::PUSH_CREDENTIALS;
use super::{At, ReadableTable, StoreError, Tables, WriteTransaction};
use crate::ids::ClientId;
use serde::{Deserialize, Serialize};

/// The sealed secrets of one application (`auth::sealing`, bound to the
/// application and the service: see [`context`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushCredentials {
    /// FCM: the sealed service-account JSON.
    pub fcm: Option<Vec<u8>>,
    /// APNs: a token key or a certificate, never both.
    pub apns: Option<ApnsCredentials>,
    pub updated_at: i64,
}

/// An application's APNs credentials: Apple offers two kinds, and an
/// application has one of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApnsCredentials {
    /// A token-based `.p8` key.
    Token(ApnsKey),
    /// A client certificate and its key.
    Certificate(ApnsCertificate),
}

impl ApnsCredentials {
    /// The app's bundle id (`apns-topic`).
    pub fn topic(&self) -> &str {
        match self {
            ApnsCredentials::Token(k) => &k.topic,
            ApnsCredentials::Certificate(c) => &c.topic,
        }
    }
}

/// An application's APNs key: the private key sealed, the rest plain, as
/// the admin page shows it (none of it is secret).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApnsKey {
    /// The `.p8` file's PEM text, sealed.
    pub sealed_key: Vec<u8>,
    pub key_id: String,
    pub team_id: String,
    /// The app's bundle id (`apns-topic`).
    pub topic: String,
    pub set_at: i64,
}

/// An application's APNs certificate: the private key sealed; the
/// certificate chain (public) plain, with what the page shows of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApnsCertificate {
    /// The private key's PEM text, sealed.
    pub sealed_key: Vec<u8>,
    /// The chain as PEM, the client certificate first.
    pub chain: String,
    /// The client certificate's subject CN.
    pub subject: String,
    pub not_after: i64,
    pub topic: String,
    pub set_at: i64,
}

/// Version 1, frozen: APNs was a sealed blob no code ever wrote.
#[derive(Deserialize)]
struct PushCredentialsV1 {
    fcm: Option<Vec<u8>>,
    #[allow(dead_code)]
    apns: Option<Vec<u8>>,
    updated_at: i64,
}

/// Version 2, frozen: APNs was a token key only.
#[derive(Deserialize)]
struct PushCredentialsV2 {
    fcm: Option<Vec<u8>>,
    apns: Option<ApnsKeyV2>,
    updated_at: i64,
}

#[derive(Deserialize)]
struct ApnsKeyV2 {
    sealed_key: Vec<u8>,
    key_id: String,
    team_id: String,
    topic: String,
    set_at: i64,
}

impl Record for PushCredentials {
    const KIND: &'static str = "push credentials";
    const VERSION: u8 = 3;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => {
                let old: PushCredentialsV1 = decode_old(Self::KIND, version, body)?;
                Ok(PushCredentials { fcm: old.fcm, apns: None, updated_at: old.updated_at })
            }
            2 => {
                let old: PushCredentialsV2 = decode_old(Self::KIND, version, body)?;
                let apns = old.apns.map(|k| {
                    ApnsCredentials::Token(ApnsKey {
                        sealed_key: k.sealed_key,
                        key_id: k.key_id,
                        team_id: k.team_id,
                        topic: k.topic,
                        set_at: k.set_at,
                    })
                });
                Ok(PushCredentials { fcm: old.fcm, apns, updated_at: old.updated_at })
            }
            v => Err(StoreError::Corrupt(format!("{} record has unknown version {v}", Self::KIND))),
        }
    }
}

/// What a sealed credential is bound to: the service and the application.
pub fn context(service: &str, client: ClientId) -> Vec<u8> {
    format!("push credentials\0{service}\0{}", client.0).into_bytes()
}

pub fn get(tx: &impl Tables, client: ClientId) -> Result<PushCredentials, StoreError> {
    const OP: &str = "push_credentials.get";
    Ok(tx
        .table(&PUSH_CREDENTIALS)
        .during(OP)?
        .get(client.0)
        .at(OP, &PUSH_CREDENTIALS)?
        .map(|v| decode(v.value()))
        .transpose()?
        .unwrap_or_default())
}

/// Stores `c`, or removes the row when it holds nothing.
pub fn put(tx: &WriteTransaction, client: ClientId, c: &PushCredentials) -> Result<(), StoreError> {
    const OP: &str = "push_credentials.put";
    let mut t = tx.table(&PUSH_CREDENTIALS).during(OP)?;
    if c.fcm.is_none() && c.apns.is_none() {
        t.remove(client.0).at(OP, &PUSH_CREDENTIALS)?;
    } else {
        t.insert(client.0, encode(c)?.as_slice()).at(OP, &PUSH_CREDENTIALS)?;
    }
    Ok(())
}

/// Removes an application's credentials (the application is deleted).
pub fn remove(tx: &WriteTransaction, client: ClientId) -> Result<(), StoreError> {
    put(tx, client, &PushCredentials::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_records_still_decode() {
        #[derive(Serialize)]
        struct V1 {
            fcm: Option<Vec<u8>>,
            apns: Option<Vec<u8>>,
            updated_at: i64,
        }
        let mut old = vec![1u8];
        old.extend(postcard::to_stdvec(&V1 { fcm: Some(vec![1, 2, 3]), apns: None, updated_at: 77 }).unwrap());
        let c: PushCredentials = decode(&old).unwrap();
        assert_eq!(c, PushCredentials { fcm: Some(vec![1, 2, 3]), apns: None, updated_at: 77 });
        assert!(decode::<PushCredentials>(&[4, 0]).is_err());
    }

    #[test]
    fn version_2_token_keys_still_decode_and_certificates_round_trip() {
        #[derive(Serialize)]
        struct KeyV2 {
            sealed_key: Vec<u8>,
            key_id: String,
            team_id: String,
            topic: String,
            set_at: i64,
        }
        #[derive(Serialize)]
        struct V2 {
            fcm: Option<Vec<u8>>,
            apns: Option<KeyV2>,
            updated_at: i64,
        }
        let key = KeyV2 {
            sealed_key: vec![9],
            key_id: "ABC123DEFG".into(),
            team_id: "TEAM123456".into(),
            topic: "org.example.app".into(),
            set_at: 5,
        };
        let mut old = vec![2u8];
        old.extend(postcard::to_stdvec(&V2 { fcm: None, apns: Some(key), updated_at: 5 }).unwrap());
        let token = ApnsCredentials::Token(ApnsKey {
            sealed_key: vec![9],
            key_id: "ABC123DEFG".into(),
            team_id: "TEAM123456".into(),
            topic: "org.example.app".into(),
            set_at: 5,
        });
        assert_eq!(
            decode::<PushCredentials>(&old).unwrap(),
            PushCredentials { fcm: None, apns: Some(token.clone()), updated_at: 5 }
        );
        let mut none = vec![2u8];
        none.extend(postcard::to_stdvec(&V2 { fcm: Some(vec![1]), apns: None, updated_at: 6 }).unwrap());
        assert_eq!(decode::<PushCredentials>(&none).unwrap().apns, None);

        for apns in [
            token,
            ApnsCredentials::Certificate(ApnsCertificate {
                sealed_key: vec![7],
                chain: "-----BEGIN CERTIFICATE-----\n".into(),
                subject: "Apple Push Services: org.example.app".into(),
                not_after: 1_800_000_000,
                topic: "org.example.app".into(),
                set_at: 6,
            }),
        ] {
            assert_eq!(apns.topic(), "org.example.app");
            let now = PushCredentials { fcm: None, apns: Some(apns), updated_at: 6 };
            let bytes = encode(&now).unwrap();
            assert_eq!(bytes[0], 3);
            assert_eq!(decode::<PushCredentials>(&bytes).unwrap(), now);
        }
    }
}
