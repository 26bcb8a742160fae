//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the API,
//! generated from the `#[utoipa::path]` annotations next to the handlers.
//! What depends on the configuration (the server URL, the OAuth URLs of
//! the security schemes) is filled in when it is served.
//!
//! The server serves `openapi.json` beside this file, not the generator:
//! the generated builders (one function per route and per schema) would
//! be about a megabyte of the binary for a document that only changes with
//! the code. The unit test `the_served_document_is_the_generated_one`
//! fails when the two differ, and writes the file anew when run with
//! `LATCHKEY_BLESS=1` (`LATCHKEY_BLESS=1 cargo test --lib openapi`); the
//! public URL is a placeholder in the file, replaced when it is served.
//!
//! # How to document a route
//!
//! 1. Above the handler, write `#[utoipa::path(...)]` like those in
//!    `me.rs`: the method, the full `path` (`/api/v1/...`, path parameters
//!    in braces), a `tag` (the resource), a unique `operation_id`
//!    (`verb_resource`: `list_groups`, `get_group`, `update_group`), the
//!    `params(...)` (a `Query` struct deriving `IntoParams`; list routes
//!    take `crate::http::page::PageQuery`), the `request_body`, and
//!    `security(("oauth2" = ["scope"]), ("oauth1" = ["scope"]))` with the
//!    scope the handler `require`s (both names, each with the scope).
//!    The handler's `///` comment becomes the summary and description.
//! 2. In `responses(...)`: every success status with its `body` (a list is
//!    `crate::http::page::Listing<Item>`) and the headers it always
//!    carries: `ETag` on an answer built with `common::ok_tagged`, `ETag`
//!    and `Location` on one built with `common::created` (the tests check
//!    that a header named there is sent); a 304 where `If-None-Match` is
//!    read (with that header parameter). Then the errors from
//!    `super::schema`: `(status = 401, response = Unauthorized)`, `403
//!    Forbidden` (a missing scope; an application's own token on a route
//!    that needs a member: `caller.member()`, `common::writer`), and where
//!    they can happen `404 NotFound` (a path id), `409 Conflict`, `412
//!    Stale` (with an `If-Match` header parameter), `413 TooLarge`, `415
//!    UnsupportedMediaType` (a JSON body), `422 Unprocessable` (a body, a
//!    query, a page), `429 TooMany` (`common::writer`); and always
//!    `("4XX", ClientError)` and `("5XX", ServerError)`.
//! 3. Bodies are the real types the handler serializes: derive
//!    `utoipa::ToSchema` beside `Serialize`/`Deserialize`, with a
//!    `#[schema(example = ...)]` on each field (and `format = DateTime`
//!    for times), `#[schema(as = Name)]` for the name clients see, and a
//!    word list of `super::schema` (`value_type = GroupAccess`) for a
//!    `&'static str` of fixed words. Not a `json!` value: its shape cannot
//!    be described. A `deny_unknown_fields` body is closed in the document
//!    by itself. A schema states only what the handler enforces exactly
//!    (a pattern, a word list): a length that is checked after trimming is
//!    said in words, or schemathesis rightly finds invalid input accepted.
//! 4. Add the handler to its file's `Doc` (`#[derive(utoipa::OpenApi)]
//!    #[openapi(paths(...))] pub(super) struct Doc;` beside `routes`); a
//!    new file adds its `Doc` to `parts()` below (one line each), and its
//!    tag, with a sentence, to `tags(...)` of `Common`.
//! 5. Write the served file anew: `LATCHKEY_BLESS=1 cargo test --lib
//!    api::doc` (then commit `src/api/openapi.json`).
//! 6. Run `cargo test --test it openapi` (it fails on a route under `/api`
//!    that the document lacks, and on an answer it does not describe) and
//!    `.ci/schemathesis` (README, "API documentation").

use super::schema::RangeNotSatisfiable;
use super::schema::{
    ClientError, Conflict, Forbidden, NotFound, OAUTH1, OAUTH2, ServerError, Stale, TooLarge, TooMany, Unauthorized,
    Unprocessable, UnsupportedMediaType,
};
use crate::app::App;
use crate::config::Config;
use crate::http::problem::{FieldError, Problem};
use crate::scopes::{SCOPES, SHORTHANDS};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, AuthorizationCode, ClientCredentials, Flow, Http, HttpAuthScheme, OAuth2, Password, Scopes,
    SecurityScheme,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/openapi.json", "GET").route(web::get().to(openapi_json)));
}

/// What every part shares: the description, the tags in their order, the
/// problem schema and the error responses.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "latchkey API",
        description = "The social JSON API of a latchkey site. Every route under `/api/v1` takes an OAuth 2.0 \
bearer token (`Authorization: Bearer ...`) or an OAuth 1.0a signed request (RFC 5849), and needs the scope \
its operation names. `GET /api` says where to get either.\n\n\
Conventions: plain JSON objects, snake_case, string ids, RFC 3339 UTC times. Lists are \
`{\"items\": [...], \"next_cursor\": ...}` with `?cursor=&limit=` (default 20, at most 100). Updates answer \
with an `ETag`, and `PATCH` and `DELETE` honour `If-Match` (412 when stale). Writes count against a \
per-member budget shared by every application (429 with `Retry-After` past it); an application's own token \
(no member) reads public content only and writes nothing (403). Every error is `application/problem+json` \
(RFC 9457); a 422 lists the fields to fix in `errors`.",
        license(name = "MIT OR Apache-2.0"),
    ),
    tags(
        (name = "index", description = "What this server is and how to authenticate"),
        (name = "me", description = "The caller: profile, password, avatar, sign-in link and authorized applications"),
        (name = "users", description = "Members' public profiles"),
        (name = "groups", description = "Groups, their members and join requests"),
        (name = "posts", description = "Posts on members' streams and in groups, with likes and reports"),
        (name = "comments", description = "Comments on posts, one level of replies"),
        (name = "activity", description = "What happened in the caller's groups, and what they have not read"),
        (name = "tags", description = "The tags of the posts the caller can see"),
        (name = "friends", description = "Friends and friend requests, the caller's news feed, and sharing posts"),
        (name = "events", description = "Events, enrollments and calendars (iCalendar)"),
        (name = "files", description = "Uploaded files: in a group or one's own space, their bytes (with ranges) and image previews"),
        (name = "folders", description = "Folders of files, nested, in a group or one's own space"),
        (name = "push", description = "The caller's devices and push preferences, and the server's Web Push key"),
        (name = "connections", description = "The caller's accounts at other sites, and calls to their APIs signed by latchkey"),
    ),
    components(
        schemas(Problem, FieldError),
        responses(
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            Stale,
            TooLarge,
            UnsupportedMediaType,
            RangeNotSatisfiable,
            Unprocessable,
            TooMany,
            ClientError,
            ServerError
        ),
    )
)]
struct Common;

/// Each resource file's `Doc`, in the order of the document.
fn parts() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        super::index::Doc::openapi(),
        super::me::Doc::openapi(),
        super::users::Doc::openapi(),
        super::groups::Doc::openapi(),
        super::posts::Doc::openapi(),
        super::tags::Doc::openapi(),
        super::friends::Doc::openapi(),
        super::events::Doc::openapi(),
        super::calendar::Doc::openapi(),
        super::files::Doc::openapi(),
        super::folders::Doc::openapi(),
        super::push::Doc::openapi(),
        super::connections::Doc::openapi(),
    ]
}

/// The document the annotations make: the parts merged, the server and
/// the security schemes at the configured public URL. The server serves
/// [`served`] instead (this with the placeholder URL, as committed); this
/// is public for the test that compares the two and for tools.
pub fn document(config: &Config) -> Value {
    let mut doc = Common::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    for part in parts() {
        doc.merge(part);
    }
    let base = config.public_url.as_str().trim_end_matches('/').to_string();
    doc.servers = Some(vec![utoipa::openapi::Server::new(base)]);
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(OAUTH2, oauth2_scheme(config));
    components.add_security_scheme(
        OAUTH1,
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::OAuth)
                .description(Some(
                    "OAuth 1.0a (RFC 5849): requests signed with the consumer's and the token's secrets \
(HMAC-SHA1, HMAC-SHA256, RSA-SHA1 or, over HTTPS, PLAINTEXT), in an `Authorization: OAuth ...` header, the query \
or a form body. Get token credentials at the endpoints `GET /api` lists under `authentication.oauth1`; a consumer \
registered for it may also sign with its own credentials alone (two-legged). The scopes are the consumer's \
registration's.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        super::calendar::CALENDAR_TOKEN,
        SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
            "token",
            "A member's calendar feed token (`calendar_url` on `GET /me`): the credential of their calendar feed alone",
        ))),
    );
    let mut v = serde_json::to_value(&doc).unwrap_or_else(|_| json!({}));
    // The registry's spelling, as in the `WWW-Authenticate: OAuth` challenge
    // (utoipa writes every scheme in lower case; they compare case-blind).
    v["components"]["securitySchemes"][OAUTH1]["scheme"] = json!("OAuth");
    // RFC 9457 §3.2: a problem may carry extension members (OAuth 1.0a's
    // `oauth_problem` reports are), so the schema says it stays open.
    v["components"]["schemas"]["Problem"]["additionalProperties"] = json!(true);
    v
}

/// OAuth 2.0 with the flows an API client uses; the authorization code
/// flow with PKCE for apps acting for a member (Swagger UI on `/api/doc`
/// uses it), client credentials for the application's own calls, and the
/// password grant for first-party apps registered for it.
fn oauth2_scheme(config: &Config) -> SecurityScheme {
    let scopes = || {
        Scopes::from_iter(
            SCOPES.iter().map(|s| (s.name.to_string(), s.description.to_string())).chain(
                SHORTHANDS
                    .iter()
                    .map(|s| (s.name.to_string(), format!("{} (shorthand: every {} scope)", s.description, s.name))),
            ),
        )
    };
    let authorize = config.url("oauth2/authorize");
    let token = config.url("oauth2/token");
    SecurityScheme::OAuth2(OAuth2::with_description(
        [
            Flow::AuthorizationCode(AuthorizationCode::with_refresh_url(
                authorize,
                token.clone(),
                scopes(),
                token.clone(),
            )),
            Flow::ClientCredentials(ClientCredentials::new(token.clone(), scopes())),
            Flow::Password(Password::with_refresh_url(token.clone(), scopes(), token)),
        ],
        "OAuth 2.0 bearer tokens (RFC 6750), opaque or JWT (RFC 9068). The authorization code flow needs PKCE \
(`S256`) for public clients; each application may ask only for the scopes it is registered for. Discovery: \
`/.well-known/oauth-authorization-server`."
            .to_string(),
    ))
}

/// The committed document, generated by [`document`] with
/// [`PLACEHOLDER_URL`] as the public URL (checked by a unit test), as the
/// build script packs it: gzip-compressed.
const COMMITTED_GZ: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/openapi.json.gz"));

/// The public URL the committed document is made with.
const PLACEHOLDER_URL: &str = "https://public-url.latchkey.invalid";

/// The committed document at the configured public URL.
pub fn served(config: &Config) -> String {
    let base = config.public_url.as_str().trim_end_matches('/');
    // As a JSON string's contents: a parsed URL has no quote or control
    // character, but the document stays valid JSON whatever it holds.
    let quoted = serde_json::to_string(base).unwrap_or_default();
    let escaped = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or_default();
    committed().replace(PLACEHOLDER_URL, escaped)
}

/// The committed document's text (empty if the build's copy were damaged,
/// which the unit tests would catch first).
fn committed() -> String {
    use std::io::Read;
    let mut text = String::new();
    let _ = flate2::read::GzDecoder::new(COMMITTED_GZ).read_to_string(&mut text);
    text
}

/// The document, with an `ETag`: it changes only with the build or the
/// public URL, so clients may keep it five minutes and then revalidate.
async fn openapi_json(app: web::Data<App>, req: HttpRequest) -> HttpResponse {
    super::cacheable(&req, served(&app.config).into_bytes(), "application/json", "public, max-age=300")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn doc() -> Value {
        let toml = "public_url = \"https://community.example.org/base/\"";
        let dir = std::env::temp_dir();
        let config = Config::resolve(dir, Settings::from_toml(toml).expect("settings")).expect("config");
        document(&config)
    }

    fn config_at(url: &str) -> Config {
        let toml = format!("public_url = \"{url}\"");
        Config::resolve(std::env::temp_dir(), Settings::from_toml(&toml).expect("settings")).expect("config")
    }

    /// The committed `openapi.json` is what the annotations generate; with
    /// `LATCHKEY_BLESS=1` a stale file is written anew (then commit it).
    #[test]
    fn the_served_document_is_the_generated_one() {
        let generated = document(&config_at(&format!("{PLACEHOLDER_URL}/")));
        let committed: Value = serde_json::from_str(&committed()).unwrap_or(Value::Null);
        if committed == generated {
            return;
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api/openapi.json");
        if std::env::var_os("LATCHKEY_BLESS").is_some() {
            let mut text = serde_json::to_string_pretty(&generated).expect("json");
            text.push('\n');
            std::fs::write(path, text).expect("write openapi.json");
            eprintln!("wrote {path}; rebuild and commit it");
            return;
        }
        panic!(
            "{path} is not what the annotations generate: run `LATCHKEY_BLESS=1 cargo test --lib openapi` \
             and commit the file"
        );
    }

    #[test]
    fn the_served_document_names_the_configured_url() {
        let served: Value = serde_json::from_str(&served(&config_at("https://community.example.org/base/")))
            .expect("the served document is JSON");
        let generated = doc();
        assert_eq!(served["servers"], json!([{"url": "https://community.example.org/base"}]));
        assert_eq!(served["components"]["securitySchemes"], generated["components"]["securitySchemes"]);
        assert!(!served.to_string().contains("latchkey.invalid"));
    }

    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let mut out = vec![];
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                out.push((method.clone(), path.clone(), op));
            }
        }
        out
    }

    #[test]
    fn urls_come_from_the_configuration() {
        let d = doc();
        assert_eq!(d["openapi"], "3.1.0");
        assert_eq!(d["servers"][0]["url"], "https://community.example.org/base");
        let flows = &d["components"]["securitySchemes"]["oauth2"]["flows"];
        assert_eq!(
            flows["authorizationCode"]["authorizationUrl"],
            "https://community.example.org/base/oauth2/authorize"
        );
        for flow in ["authorizationCode", "clientCredentials", "password"] {
            assert_eq!(flows[flow]["tokenUrl"], "https://community.example.org/base/oauth2/token", "{flow}");
        }
        assert_eq!(
            d["components"]["securitySchemes"]["oauth1"],
            json!({
                "type": "http",
                "scheme": "OAuth",
                "description": d["components"]["securitySchemes"]["oauth1"]["description"],
            })
        );
    }

    #[test]
    fn every_scope_of_the_catalogue_is_offered_with_its_words() {
        let d = doc();
        for flow in ["authorizationCode", "clientCredentials", "password"] {
            let scopes = &d["components"]["securitySchemes"]["oauth2"]["flows"][flow]["scopes"];
            for s in SCOPES {
                assert_eq!(scopes[s.name], s.description, "{flow} {}", s.name);
            }
            assert_eq!(scopes.as_object().map(|o| o.len()), Some(SCOPES.len() + SHORTHANDS.len()));
        }
    }

    /// The rules of "How to document a route" that a machine can check.
    #[test]
    fn every_operation_follows_the_house_rules() {
        let d = doc();
        let ops = operations(&d);
        assert!(ops.len() >= 4, "{ops:?}");
        let mut ids = std::collections::BTreeSet::new();
        for (method, path, op) in ops {
            let what = format!("{method} {path}");
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(ids.insert(id.to_string()), "{what}: operation_id {id:?} is used twice");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{what}: no tag");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{what}: no /// comment");
            let responses = op["responses"].as_object().expect("responses");
            for range in ["4XX", "5XX"] {
                assert!(responses.contains_key(range), "{what}: no {range} problem response");
            }
            for (status, r) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let name = r["$ref"].as_str().unwrap_or_default();
                    let problem = name.starts_with("#/components/responses/")
                        && d["components"]["responses"][&name["#/components/responses/".len()..]]["content"]
                            ["application/problem+json"]
                            .is_object();
                    assert!(problem, "{what} {status}: not a problem response of schema.rs: {r}");
                }
            }
            let feed = op["security"][0][super::super::calendar::CALENDAR_TOKEN].is_array();
            if path.starts_with("/api/v1/") && !feed {
                // Both protocols, each naming the scope the handler requires.
                let security = op["security"].as_array().expect("security");
                let scopes: Vec<&Value> = security.iter().map(|req| &req[OAUTH2]).filter(|s| s.is_array()).collect();
                assert_eq!(scopes.len(), 1, "{what}: one oauth2 requirement");
                let oauth1: Vec<&Value> = security.iter().map(|req| &req[OAUTH1]).filter(|s| s.is_array()).collect();
                assert_eq!(oauth1, scopes, "{what}: oauth1 names the same scopes");
                for s in scopes[0].as_array().into_iter().flatten() {
                    let s = s.as_str().unwrap_or_default();
                    assert!(SCOPES.iter().any(|c| c.name == s), "{what}: {s} is not in the scope catalogue");
                }
            }
        }
    }

    #[test]
    fn shared_shapes_are_in_the_document() {
        let d = doc();
        let schemas = &d["components"]["schemas"];
        assert!(schemas["Problem"]["properties"]["errors"]["items"]["$ref"].is_string(), "{}", schemas["Problem"]);
        let required: Vec<&str> =
            schemas["Problem"]["required"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
        assert_eq!(required, ["type", "title", "status", "detail"]);
        let listing = schemas.as_object().into_iter().flatten().find(|(k, _)| k.starts_with("Listing"));
        let (_, listing) = listing.expect("a Listing schema");
        assert!(listing["properties"]["items"].is_object() && listing["properties"]["next_cursor"].is_object());
    }
}
