//! An OIDC provider's id_token, checked as OIDC Core §3.1.3.7 asks: the
//! signature against the provider's key set (fetched, cached, fetched
//! again once when a new `kid` appears), `iss`, `aud`, `azp`, `exp` (by
//! the Clock, not the system time) and the flow's `nonce`. Only asymmetric
//! algorithms are taken: never `none`, never a MAC.

use super::{FlowError, get_json};
use crate::app::App;
use crate::clock::Timestamp;
use crate::keys::jwk::{self, JwkError};
use crate::store::connections::Oidc;
use serde_json::Value;

/// How far the provider's clock may be from ours.
const LEEWAY: i64 = 60;

fn refused(m: impl Into<String>) -> FlowError {
    FlowError::Refused(format!("The provider's id_token was refused: {}.", m.into()))
}

async fn key_set(app: &App, uri: &str) -> Result<Value, FlowError> {
    let v = get_json(app, "Reading the provider's keys", uri, true).await?;
    if v.get("keys").is_some_and(Value::is_array) {
        Ok(v)
    } else {
        Err(FlowError::Remote(format!("The provider's key set at {uri} cannot be read")))
    }
}

/// Checks `token` and returns its claims.
pub async fn validate(
    app: &App,
    oidc: &Oidc,
    client_id: &str,
    token: &str,
    nonce: &str,
    now: Timestamp,
) -> Result<serde_json::Map<String, Value>, FlowError> {
    let said = |e: JwkError| refused(e.to_string());
    let header = jwk::header(token).map_err(said)?;
    let mut set = key_set(app, &oidc.jwks_uri).await?;
    if !jwk::has_key(&set, &header) {
        // Keys rotate: fetch once more before refusing.
        app.outbound.forget(&oidc.jwks_uri);
        set = key_set(app, &oidc.jwks_uri).await?;
    }
    let claims = jwk::verify(token, &set).map_err(said)?;
    check_claims(&claims, &oidc.issuer, client_id, nonce, now)?;
    Ok(claims)
}

/// What OIDC Core §3.1.3.7 asks of the claims once the signature holds.
pub fn check_claims(
    claims: &serde_json::Map<String, Value>,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now: Timestamp,
) -> Result<(), FlowError> {
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(refused(format!("it was not issued by {issuer}")));
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == client_id,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    };
    if !audience_ok {
        return Err(refused("it was issued to another application"));
    }
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
        let ok = json!({"iss": "https://op", "sub": "s", "exp": 1000, "iat": 900, "nonce": "n", "aud": "c"});
        assert!(check_claims(&claims(ok.clone()), "https://op", "c", "n", 950).is_ok());
        assert!(check_claims(&claims(ok.clone()), "https://op", "c", "n", 1000 + LEEWAY).is_err());
        assert!(check_claims(&claims(ok.clone()), "https://op", "c", "other", 950).is_err());
        let mut no_sub = ok.clone();
        no_sub["sub"] = json!("");
        assert!(check_claims(&claims(no_sub), "https://op", "c", "n", 950).is_err());
        let mut several = ok.clone();
        several["aud"] = json!(["c", "d"]);
        assert!(check_claims(&claims(several.clone()), "https://op", "c", "n", 950).is_err());
        several["azp"] = json!("c");
        assert!(check_claims(&claims(several.clone()), "https://op", "c", "n", 950).is_ok());
        several["azp"] = json!("d");
        assert!(check_claims(&claims(several), "https://op", "c", "n", 950).is_err());
        let mut other_iss = ok.clone();
        other_iss["iss"] = json!("https://evil");
        assert!(check_claims(&claims(other_iss), "https://op", "c", "n", 950).is_err());
        let mut other_aud = ok.clone();
        other_aud["aud"] = json!(["d"]);
        assert!(check_claims(&claims(other_aud), "https://op", "c", "n", 950).is_err());
        let mut future = ok;
        future["iat"] = json!(950 + LEEWAY + 1);
        assert!(check_claims(&claims(future), "https://op", "c", "n", 950).is_err());
    }
}
