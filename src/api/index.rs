//! `GET /api`: the index of the API and of both protocols' endpoints.
//!
//! `authentication.oauth1` carries the keys the WordPress REST API's OAuth
//! 1.0a plugin (WP-API/OAuth1) publishes in its index, `request`,
//! `authorize`, `access` and `version: "0.1"`, so that WordPress OAuth 1.0a
//! clients discover latchkey unchanged; the longer names beside them are
//! what the index said before and stay for the clients that read them.

use super::resource;
use super::schema::{ClientError, ServerError};
use crate::app::App;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("", "GET").route(web::get().to(index)));
}

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(index))]
pub(super) struct Doc;

/// The API's index.
#[derive(Serialize, ToSchema)]
pub struct Index {
    #[schema(example = "latchkey")]
    name: &'static str,
    /// latchkey's version.
    #[schema(example = "0.1.0")]
    version: &'static str,
    /// This document, `GET /api/openapi.json`.
    #[schema(format = "uri", example = "https://localhost:8443/api/openapi.json")]
    openapi: String,
    /// The browsable documentation, `/api/doc`.
    #[schema(format = "uri", example = "https://localhost:8443/api/doc")]
    documentation: String,
    authentication: Authentication,
}

/// How to get credentials: every API route takes either protocol's.
#[derive(Serialize, ToSchema)]
pub struct Authentication {
    oauth1: OAuth1,
    oauth2: OAuth2,
}

/// OAuth 1.0a (RFC 5849) endpoints, under the WordPress REST API's names.
#[derive(Serialize, ToSchema)]
pub struct OAuth1 {
    /// Temporary credentials (`POST`, `oauth_callback` required, or `oob`).
    #[schema(format = "uri", example = "https://localhost:8443/oauth1/request")]
    request: String,
    /// Resource owner authorization (the member signs in and consents).
    #[schema(format = "uri", example = "https://localhost:8443/oauth1/authorize")]
    authorize: String,
    /// Token credentials (`POST`, with `oauth_verifier`).
    #[schema(format = "uri", example = "https://localhost:8443/oauth1/access")]
    access: String,
    /// The version of the WordPress OAuth 1.0a API these keys follow.
    #[schema(example = "0.1")]
    version: &'static str,
    /// Same as `request`.
    #[schema(format = "uri", example = "https://localhost:8443/oauth1/request")]
    request_token_url: String,
    /// Same as `authorize`.
    #[schema(format = "uri", example = "https://localhost:8443/oauth1/authorize")]
    authorize_url: String,
    /// Same as `access`.
    #[schema(format = "uri", example = "https://localhost:8443/oauth1/access")]
    access_token_url: String,
    #[schema(example = json!(["HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "PLAINTEXT"]))]
    signature_methods: [&'static str; 4],
    /// The realm of `WWW-Authenticate: OAuth` challenges.
    #[schema(example = "https://localhost:8443/")]
    realm: String,
}

/// OAuth 2.0 and OpenID Connect endpoints; the metadata documents say
/// everything else (grants, PKCE methods, signing algorithms).
#[derive(Serialize, ToSchema)]
pub struct OAuth2 {
    /// The `iss` of tokens and of the metadata.
    #[schema(format = "uri", example = "https://localhost:8443")]
    issuer: String,
    #[schema(format = "uri", example = "https://localhost:8443/oauth2/authorize")]
    authorize: String,
    #[schema(format = "uri", example = "https://localhost:8443/oauth2/token")]
    token: String,
    /// RFC 7009 token revocation.
    #[schema(format = "uri", example = "https://localhost:8443/oauth2/revoke")]
    revoke: String,
    /// RFC 7662 token introspection.
    #[schema(format = "uri", example = "https://localhost:8443/oauth2/introspect")]
    introspect: String,
    /// OpenID Connect userinfo.
    #[schema(format = "uri", example = "https://localhost:8443/oauth2/userinfo")]
    userinfo: String,
    /// The public signing keys (JWKS) of ID tokens and JWT access tokens.
    #[schema(format = "uri", example = "https://localhost:8443/oauth2/jwks")]
    jwks: String,
    /// RFC 8414 authorization server metadata.
    #[schema(format = "uri", example = "https://localhost:8443/.well-known/oauth-authorization-server")]
    metadata: String,
    /// OpenID Connect Discovery.
    #[schema(format = "uri", example = "https://localhost:8443/.well-known/openid-configuration")]
    openid_configuration: String,
    /// Same as `authorize` (RFC 8414's name).
    #[schema(format = "uri", example = "https://localhost:8443/oauth2/authorize")]
    authorization_endpoint: String,
    /// Same as `token` (RFC 8414's name).
    #[schema(format = "uri", example = "https://localhost:8443/oauth2/token")]
    token_endpoint: String,
}

impl Index {
    fn new(app: &App) -> Index {
        let u = |p: &str| app.config.url(p);
        Index {
            name: "latchkey",
            version: env!("CARGO_PKG_VERSION"),
            openapi: u("api/openapi.json"),
            documentation: u("api/doc"),
            authentication: Authentication {
                oauth1: OAuth1 {
                    request: u("oauth1/request"),
                    authorize: u("oauth1/authorize"),
                    access: u("oauth1/access"),
                    version: "0.1",
                    request_token_url: u("oauth1/request"),
                    authorize_url: u("oauth1/authorize"),
                    access_token_url: u("oauth1/access"),
                    signature_methods: ["HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "PLAINTEXT"],
                    realm: app.config.public_url.to_string(),
                },
                oauth2: OAuth2 {
                    issuer: crate::oauth2::tokens::issuer(app),
                    authorize: u("oauth2/authorize"),
                    token: u("oauth2/token"),
                    revoke: u("oauth2/revoke"),
                    introspect: u("oauth2/introspect"),
                    userinfo: u("oauth2/userinfo"),
                    jwks: u("oauth2/jwks"),
                    metadata: u(".well-known/oauth-authorization-server"),
                    openid_configuration: u(".well-known/openid-configuration"),
                    authorization_endpoint: u("oauth2/authorize"),
                    token_endpoint: u("oauth2/token"),
                },
            },
        }
    }
}

/// The API's name, version and where to get credentials.
///
/// Needs no credential. It changes only with latchkey's version or its
/// public URL, so it may be cached (`ETag`, `If-None-Match`).
#[utoipa::path(
    get,
    path = "/api",
    tag = "index",
    operation_id = "index",
    params(("If-None-Match" = Option<String>, Header, description = "An `ETag` of this index read before: 304 when it still holds")),
    responses(
        (status = 200, description = "The index", body = Index, headers(
            ("ETag" = String, description = "The revision of the index"),
            ("Cache-Control" = String, description = "`public, max-age=300`")
        )),
        (status = 304, description = "Not modified: the `If-None-Match` revision is current", headers(
            ("ETag" = String, description = "The revision of the index")
        )),
        (status = "4XX", response = ClientError),
        (status = "5XX", response = ServerError),
    )
)]
async fn index(app: web::Data<App>, req: HttpRequest) -> HttpResponse {
    let body = serde_json::to_vec(&Index::new(&app)).unwrap_or_default();
    super::cacheable(&req, body, "application/json", "public, max-age=300")
}
