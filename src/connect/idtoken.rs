//! An OIDC provider's id_token, checked as OIDC Core §3.1.3.7 asks: the
//! signature against the provider's key set (fetched, cached, fetched
//! again once when a new `kid` appears), `iss`, `aud`, `azp`, `exp` (by
//! the Clock, not the system time) and the flow's `nonce`. Only asymmetric
//! algorithms are taken: never `none`, never a MAC.

use super::{FlowError, get_json};
use crate::app::App;
use crate::clock::Timestamp;
use crate::store::connections::Oidc;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

/// How far the provider's clock may be from ours.
const LEEWAY: i64 = 60;

const ALLOWED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

fn refused(m: impl Into<String>) -> FlowError {
    FlowError::Refused(format!("The provider's id_token was refused: {}.", m.into()))
}

/// The key in `set` that may have signed with `alg` and `kid`.
fn pick<'a>(set: &'a JwkSet, kid: Option<&str>, alg: Algorithm) -> Option<&'a Jwk> {
    let fits = |k: &&Jwk| {
        let alg_ok = k.common.key_algorithm.is_none_or(|ka| Algorithm::try_from(ka).ok() == Some(alg));
        let use_ok = k.common.public_key_use.as_ref().is_none_or(|u| *u == jsonwebtoken::jwk::PublicKeyUse::Signature);
        alg_ok && use_ok && DecodingKey::from_jwk(k).is_ok()
    };
    match kid {
        Some(kid) => set.keys.iter().filter(|k| k.common.key_id.as_deref() == Some(kid)).find(fits),
        None => set.keys.iter().find(fits),
    }
}

async fn key_set(app: &App, uri: &str) -> Result<JwkSet, FlowError> {
    let v = get_json(app, "Reading the provider's keys", uri, true).await?;
    serde_json::from_value(v).map_err(|_| FlowError::Remote(format!("The provider's key set at {uri} cannot be read")))
}

/// Checks `token` and returns its claims.
pub async fn validate(
    app: &App,
    oidc: &Oidc,
    client_id: &str,
    token: &str,
    nonce: &str,
    now: Timestamp,
) -> Result<serde_json::Map<String, serde_json::Value>, FlowError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| refused("it is not a signed JWT"))?;
    if !ALLOWED.contains(&header.alg) {
        return Err(refused(format!("it is signed with {:?}, which latchkey does not accept", header.alg)));
    }
    let mut set = key_set(app, &oidc.jwks_uri).await?;
    if pick(&set, header.kid.as_deref(), header.alg).is_none() {
        // Keys rotate: fetch once more before refusing.
        app.outbound.forget(&oidc.jwks_uri);
        set = key_set(app, &oidc.jwks_uri).await?;
    }
    let jwk = pick(&set, header.kid.as_deref(), header.alg)
        .ok_or_else(|| refused("it is signed with a key the provider does not publish"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| refused("the provider's key cannot be used"))?;
    let mut v = Validation::new(header.alg);
    v.required_spec_claims.clear();
    v.validate_exp = false;
    v.validate_nbf = false;
    v.set_issuer(&[&oidc.issuer]);
    v.set_audience(&[client_id]);
    let data =
        jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &key, &v).map_err(|e| {
            match e.kind() {
                ErrorKind::InvalidSignature => refused("its signature does not verify with the provider's keys"),
                ErrorKind::InvalidIssuer => refused(format!("it was not issued by {}", oidc.issuer)),
                ErrorKind::InvalidAudience => refused("it was issued to another application"),
                ErrorKind::MissingRequiredClaim(c) => refused(format!("it has no {c}")),
                _ => refused(e.to_string()),
            }
        })?;
    let claims = data.claims;
    check_claims(&claims, client_id, nonce, now)?;
    Ok(claims)
}

/// The checks on the claims that the library does not make.
pub fn check_claims(
    claims: &serde_json::Map<String, serde_json::Value>,
    client_id: &str,
    nonce: &str,
    now: Timestamp,
) -> Result<(), FlowError> {
    let exp = claims.get("exp").and_then(|e| e.as_i64()).ok_or_else(|| refused("it has no exp"))?;
    if exp + LEEWAY <= now {
        return Err(refused("it has expired"));
    }
    if claims.get("iat").and_then(|i| i.as_i64()).is_some_and(|iat| iat > now + LEEWAY) {
        return Err(refused("it was issued in the future"));
    }
    if claims.get("nbf").and_then(|i| i.as_i64()).is_some_and(|nbf| nbf > now + LEEWAY) {
        return Err(refused("it is not valid yet"));
    }
    if claims.get("nonce").and_then(|n| n.as_str()) != Some(nonce) {
        return Err(refused("its nonce is not the one this sign-in sent"));
    }
    let several = claims.get("aud").and_then(|a| a.as_array()).is_some_and(|a| a.len() > 1);
    match claims.get("azp").and_then(|a| a.as_str()) {
        Some(azp) if azp != client_id => return Err(refused("it was issued to another party (azp)")),
        None if several => return Err(refused("it names several audiences but no azp")),
        _ => {}
    }
    if claims.get("sub").and_then(|s| s.as_str()).is_none_or(str::is_empty) {
        return Err(refused("it has no sub"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn claims_are_checked_by_the_clock_nonce_and_azp() {
        let ok = json!({"sub": "s", "exp": 1000, "iat": 900, "nonce": "n", "aud": "c"});
        assert!(check_claims(&claims(ok.clone()), "c", "n", 950).is_ok());
        assert!(check_claims(&claims(ok.clone()), "c", "n", 1000 + LEEWAY).is_err());
        assert!(check_claims(&claims(ok.clone()), "c", "other", 950).is_err());
        let mut no_sub = ok.clone();
        no_sub["sub"] = json!("");
        assert!(check_claims(&claims(no_sub), "c", "n", 950).is_err());
        let mut several = ok.clone();
        several["aud"] = json!(["c", "d"]);
        assert!(check_claims(&claims(several.clone()), "c", "n", 950).is_err());
        several["azp"] = json!("c");
        assert!(check_claims(&claims(several.clone()), "c", "n", 950).is_ok());
        several["azp"] = json!("d");
        assert!(check_claims(&claims(several), "c", "n", 950).is_err());
        let mut future = ok;
        future["iat"] = json!(950 + LEEWAY + 1);
        assert!(check_claims(&claims(future), "c", "n", 950).is_err());
    }
}
