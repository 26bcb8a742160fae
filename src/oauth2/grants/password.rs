//! `password` (RFC 6749 §4.3), only for applications registered for it.
//! The password check is the sign-in page's own: argon2 on the bounded
//! pool, the same per-IP and per-username limits, the same audit events.

use super::{allowed_scopes, id_token_input, requested_scopes, server_error, wants_refresh};
use crate::accounts::members::{self, LoginError};
use crate::app::App;
use crate::oauth2::error::{ErrorResponse, OAuthError};
use crate::oauth2::request::{ClientAuth, Params, allow_grant};
use crate::oauth2::tokens::{self, Issuer, TokenResponse};
use crate::registry::grants::{How, approve};
use crate::store::StoreError;

pub async fn exchange(
    app: &App,
    auth: &ClientAuth,
    p: &Params,
    ip: std::net::IpAddr,
) -> Result<TokenResponse, ErrorResponse> {
    allow_grant(&auth.client, "password")?;
    let username = p.require("username")?;
    let password = p.require("password")?;
    if let Err(r) = app.limiter.attempt_by_client(auth.client.id.0) {
        return Err(ErrorResponse::new(
            OAuthError::InvalidGrant,
            format!("this application made too many sign-in attempts; try again in {} seconds", r.0),
        ));
    }
    let scopes = requested_scopes(&auth.client, p.get("scope"), allowed_scopes(&auth.client))?;
    let user = match members::authenticate(app, username, password, ip).await {
        Ok(u) => u,
        Err(LoginError::Wrong) => {
            return Err(ErrorResponse::new(OAuthError::InvalidGrant, "wrong username or password"));
        }
        Err(LoginError::Limited(s)) => {
            return Err(ErrorResponse::new(
                OAuthError::InvalidGrant,
                format!("too many attempts; try again in {s} seconds"),
            ));
        }
        Err(LoginError::Store(e)) => return Err(server_error(e)),
    };
    let iss = Issuer::new(app, &auth.client)?;
    let refresh = wants_refresh(&auth.client, &scopes);
    let client = auth.client.id;
    let id_input = id_token_input(&user, &scopes, None, iss.now, None);
    app.store
        .write(move |tx| {
            let grant = approve(tx, Some(user.id), client, &scopes, iss.now, How::Unattended)?;
            tokens::issue(tx, &iss, &grant, &scopes, refresh.then_some(&scopes), id_input.as_ref(), iss.now)
        })
        .await
        .map_err(|e: StoreError| server_error(e))
}
