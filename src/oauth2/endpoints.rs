//! The OAuth 2.0 endpoints other than `/oauth2/authorize`: token,
//! revocation (RFC 7009), introspection (RFC 7662), JWKS, userinfo, and the
//! discovery documents (RFC 8414, OpenID Connect Discovery). Handlers parse,
//! call one operation, answer in the RFCs' JSON.

use super::error::{ErrorResponse, OAuthError};
use super::grants;
use super::request::{self, Params};
use super::tokens::{self, issuer};
use crate::app::App;
use crate::auth::secrets;
use crate::http::body::{self, BodyError};
use crate::registry::grants::{self as registry, Reason};
use crate::scopes::SCOPES;
use crate::store::grants::{self as stored, TokenKind};
use crate::store::{StoreError, users};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/oauth2/token", web::post().to(token))
        .route("/oauth2/revoke", web::post().to(revoke))
        .route("/oauth2/introspect", web::post().to(introspect))
        .route("/oauth2/jwks", web::get().to(jwks))
        .route("/oauth2/userinfo", web::get().to(userinfo))
        .route("/oauth2/userinfo", web::post().to(userinfo))
        .route("/.well-known/oauth-authorization-server", web::get().to(metadata))
        .route("/.well-known/openid-configuration", web::get().to(metadata));
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// An RFC 6749 §5.2 error; `Basic` challenge when the client tried Basic.
pub fn error_json(e: &ErrorResponse, basic: bool) -> HttpResponse {
    let mut r = HttpResponse::build(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST));
    r.insert_header(("Cache-Control", "no-store")).insert_header(("Pragma", "no-cache"));
    if basic && e.error == OAuthError::InvalidClient {
        r.insert_header(("WWW-Authenticate", "Basic realm=\"latchkey\""));
    }
    r.json(e.to_json())
}

/// A body that could not be read, as an RFC 6749 §5.2 error (413 when it
/// is too large).
fn body_error(e: BodyError) -> HttpResponse {
    let mut r = error_json(&ErrorResponse::new(OAuthError::InvalidRequest, e.to_string()), false);
    if let BodyError::TooLarge(_) = e {
        *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    }
    r
}

fn no_store(body: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).insert_header(("Pragma", "no-cache")).json(body)
}

fn client_ip(req: &HttpRequest, app: &App) -> std::net::IpAddr {
    crate::http::conn::of(req, &app.config.trusted_proxies).ip
}

/// The form body and the authenticated client of a token, revocation or
/// introspection request, or the RFC 6749 error to answer with.
fn authenticated(req: &HttpRequest, body: &[u8], app: &App) -> Result<(Params, request::ClientAuth), HttpResponse> {
    let p = Params::from_form(header(req, "content-type"), body).map_err(|e| error_json(&e, false))?;
    let auth = request::authenticate(app, header(req, "authorization"), &p)
        .map_err(|e| error_json(&e, header(req, "authorization").is_some()))?;
    Ok((p, auth))
}

async fn token(req: HttpRequest, payload: web::Payload, app: web::Data<App>) -> HttpResponse {
    let body = match body::read(&req, payload, body::MAX_FORM).await {
        Ok(b) => b,
        Err(e) => return body_error(e),
    };
    let (p, auth) = match authenticated(&req, &body, &app) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ip = client_ip(&req, &app);
    let (grant_type, result) = match p.get("grant_type") {
        None => ("", Err(ErrorResponse::new(OAuthError::InvalidRequest, "the parameter \"grant_type\" is missing"))),
        Some("authorization_code") => {
            ("authorization_code", grants::authorization_code::exchange(&app, &auth, &p, ip.to_string()).await)
        }
        Some("client_credentials") => {
            ("client_credentials", grants::client_credentials::exchange(&app, &auth, &p).await)
        }
        Some("password") => ("password", grants::password::exchange(&app, &auth, &p, ip).await),
        Some("refresh_token") => {
            ("refresh_token", grants::refresh_token::exchange(&app, &auth, &p, ip.to_string()).await)
        }
        Some(other) => (
            "",
            Err(ErrorResponse::new(
                OAuthError::UnsupportedGrantType,
                format!("{other:?} is not a grant type this server supports"),
            )),
        ),
    };
    match result {
        Ok(t) => {
            app.metrics.token_issued(grant_type);
            no_store(t)
        }
        Err(e) => error_json(&e, auth.basic),
    }
}

/// RFC 7009. An unknown token, or another application's, is answered 200
/// with nothing done, so the endpoint tells nobody what exists.
async fn revoke(req: HttpRequest, payload: web::Payload, app: web::Data<App>) -> HttpResponse {
    let body = match body::read(&req, payload, body::MAX_FORM).await {
        Ok(b) => b,
        Err(e) => return body_error(e),
    };
    let (p, auth) = match authenticated(&req, &body, &app) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let value = match p.require("token") {
        Ok(v) => v.to_string(),
        Err(e) => return error_json(&e, auth.basic),
    };
    if let Some(hint) = p.get("token_type_hint") {
        if hint != "access_token" && hint != "refresh_token" {
            let e = ErrorResponse::new(
                OAuthError::UnsupportedTokenType,
                "token_type_hint must be access_token or refresh_token",
            );
            return error_json(&e, auth.basic);
        }
    }
    let client = auth.client.id;
    let now = app.now();
    let jwt_grant = if value.split('.').count() == 3 {
        match tokens::check_access(&app, &value) {
            Ok(Some(info)) if info.client == client => Some(info.grant),
            _ => None,
        }
    } else {
        None
    };
    let digest = secrets::digest(&value);
    let who = crate::store::audit::Who { actor: format!("client:{client}"), ip: client_ip(&req, &app).to_string() };
    let done = app
        .store
        .write(move |tx| {
            // A JWT cannot be deleted; revoking it revokes its grant.
            if let Some(gid) = jwt_grant {
                registry::revoke(tx, gid, now, &who, Reason::Application { token: "JWT access token" })?;
                return Ok(());
            }
            let Some(t) = stored::token(tx, &digest)? else {
                return Ok(());
            };
            if t.client != client {
                return Ok(());
            }
            let kind = format!("{:?}", t.kind);
            if t.kind == TokenKind::Refresh {
                // RFC 7009 §2.1: revoking a refresh token ends the grant's access tokens too.
                registry::revoke(tx, t.grant, now, &who, Reason::Application { token: &kind })?;
                return Ok(());
            }
            stored::delete_token(tx, &digest, t.grant)?;
            crate::store::audit::record(tx, now, &who, "token.revoke", &format!("grant {}", t.grant), &kind)?;
            Ok::<_, StoreError>(())
        })
        .await;
    match done {
        Ok(()) => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).finish(),
        Err(e) => error_json(&grants::server_error(e), auth.basic),
    }
}

/// Whether the member a token acts for (if any) may still use it.
fn member_is_live(app: &App, user: Option<crate::store::UserId>) -> bool {
    match user {
        None => true,
        Some(u) => app.store.read(|tx| users::get(tx, u)).ok().flatten().is_some_and(|u| !u.disabled),
    }
}

/// RFC 7662, for authenticated confidential clients. A client sees its
/// own tokens only, unless registered to introspect others'.
async fn introspect(req: HttpRequest, payload: web::Payload, app: web::Data<App>) -> HttpResponse {
    let body = match body::read(&req, payload, body::MAX_FORM).await {
        Ok(b) => b,
        Err(e) => return body_error(e),
    };
    let (p, auth) = match authenticated(&req, &body, &app) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !auth.confidential {
        let e = ErrorResponse::new(OAuthError::InvalidClient, "introspection needs a confidential client");
        return error_json(&e, auth.basic);
    }
    let value = match p.require("token") {
        Ok(v) => v,
        Err(e) => return error_json(&e, auth.basic),
    };
    let any = auth.client.oauth2.as_ref().is_some_and(|o| o.introspect_any);
    let inactive = || no_store(serde_json::json!({ "active": false }));
    let iss = issuer(&app);
    let now = app.now();
    let mut known_name = None;
    let found = match tokens::check_access(&app, value) {
        // A disabled or deleted member's token is no longer active.
        Ok(Some(info)) if info.user.is_some() && info.member.as_ref().is_none_or(|m| m.disabled) => None,
        Ok(Some(info)) => {
            known_name = info.member.map(|m| m.username);
            Some((info.client, info.client_id, info.user, info.scopes, info.issued_at, info.expires_at, "access_token"))
        }
        Ok(None) => {
            let digest = secrets::digest(value);
            match app.store.read(|tx| stored::token(tx, &digest)) {
                Ok(Some(t))
                    if t.kind == TokenKind::Refresh
                        && !t.expired(now)
                        && t.used_at.is_none()
                        && member_is_live(&app, t.user) =>
                {
                    let cid = app
                        .store
                        .read(|tx| crate::store::clients::get(tx, t.client))
                        .ok()
                        .flatten()
                        .and_then(|c| c.oauth2.map(|o| o.client_id))
                        .unwrap_or_default();
                    Some((t.client, cid, t.user, t.scopes, t.issued_at, t.expires_at, "refresh_token"))
                }
                _ => None,
            }
        }
        Err(e) => return error_json(&grants::server_error(e), auth.basic),
    };
    let Some((client, client_id, user, scope, iat, exp, kind)) = found else {
        return inactive();
    };
    if client != auth.client.id && !any {
        return inactive();
    }
    let username = known_name
        .or_else(|| user.and_then(|u| app.store.read(|tx| users::get(tx, u)).ok().flatten()).map(|u| u.username));
    let mut body = serde_json::json!({
        "active": true,
        "scope": scope,
        "client_id": client_id,
        "token_type": if kind == "access_token" { "Bearer" } else { "refresh_token" },
        "iat": iat,
        "iss": iss,
        "sub": user.map(|u| u.to_string()).unwrap_or_else(|| client_id.clone()),
    });
    if let Some(e) = exp {
        body["exp"] = e.into();
    }
    if let Some(u) = username {
        body["username"] = u.into();
    }
    no_store(body)
}

async fn jwks(app: web::Data<App>) -> HttpResponse {
    match crate::keys::jwks(&app.keyring.published()) {
        Ok(v) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "public, max-age=300"))
            .content_type("application/jwk-set+json")
            .body(v.to_string()),
        Err(e) => error_json(&grants::server_error(e), false),
    }
}

/// OpenID Connect userinfo: the claims the token's scopes allow.
async fn userinfo(caller: crate::http::caller::Caller) -> Result<HttpResponse, crate::http::caller::BearerError> {
    caller.require("openid")?;
    let user = caller.member()?;
    let scopes = &caller.scopes;
    let mut claims = serde_json::json!({ "sub": user.id.to_string() });
    if scopes.contains("profile") {
        claims["name"] = user.display_name.clone().into();
        claims["preferred_username"] = user.username.clone().into();
    }
    if scopes.contains("email") && !user.email.is_empty() {
        claims["email"] = user.email.clone().into();
    }
    Ok(no_store(claims))
}

/// RFC 8414 and OpenID Connect Discovery: exactly what this server does.
async fn metadata(app: web::Data<App>) -> HttpResponse {
    let iss = issuer(&app);
    let u = |p: &str| app.config.url(p);
    let scopes: Vec<&str> = SCOPES.iter().map(|s| s.name).collect();
    let mut body = serde_json::json!({
        "issuer": iss,
        "authorization_endpoint": u("oauth2/authorize"),
        "token_endpoint": u("oauth2/token"),
        "revocation_endpoint": u("oauth2/revoke"),
        "introspection_endpoint": u("oauth2/introspect"),
        "userinfo_endpoint": u("oauth2/userinfo"),
        "jwks_uri": u("oauth2/jwks"),
        "scopes_supported": scopes,
        "response_types_supported": ["code", "token"],
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": ["authorization_code", "implicit", "password", "client_credentials", "refresh_token"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA", "ES256", "RS256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "preferred_username", "email"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
    });
    if let Some(u) = &app.config.policy_url {
        body["op_policy_uri"] = u.as_str().into();
    }
    if let Some(u) = &app.config.documentation_url {
        body["service_documentation"] = u.as_str().into();
    }
    HttpResponse::Ok().insert_header(("Cache-Control", "public, max-age=300")).json(body)
}
