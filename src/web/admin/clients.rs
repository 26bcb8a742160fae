//! `/admin/clients`: the application registry. A list with search,
//! filters and paging; a grouped form to register an application (OAuth
//! 2.0, OAuth 1.0a, or both) that keeps what was typed and says what is
//! wrong field by field; a credentials page that shows secrets exactly once;
//! rotate, disable and enable; delete with a confirmation that counts what
//! goes with it.

use super::when;
use crate::http::page::PageQuery;
use crate::http::page_error::PageError;
use crate::http::visitor::{Admin, AdminForm};
use crate::registry::applications::{self as registry, ClientError, ClientView, Credentials, NewClient};
use crate::registry::consumers::NewConsumer;
use crate::store::clients;
use crate::store::clients::Client;
use crate::store::page::is_id_cursor;
use crate::store::{StoreError, grants};
use crate::web::notice::{Done, Notice};
use crate::web::{Chrome, Visitor};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const PAGE: usize = 20;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/clients", web::get().to(list))
        .route("/admin/clients/new", web::get().to(new_form))
        .route("/admin/clients/new", web::post().to(create))
        .route("/admin/clients/{id}", web::get().to(show))
        .route("/admin/clients/{id}/edit", web::get().to(edit_form))
        .route("/admin/clients/{id}/edit", web::post().to(edit))
        .route("/admin/clients/{id}/rotate", web::post().to(rotate))
        .route("/admin/clients/{id}/enabled", web::post().to(enable))
        .route("/admin/clients/{id}/delete", web::get().to(confirm_delete))
        .route("/admin/clients/{id}/delete", web::post().to(delete));
}

pub(super) fn refused(e: ClientError) -> PageError {
    match e {
        ClientError::NotFound(k) => PageError::new(
            StatusCode::NOT_FOUND,
            crate::i18n::Text::key("err-no-application"),
            crate::i18n::Text::key("err-no-application-text").with("key", k),
        ),
        // The push layer's words, with the credential they are about.
        ClientError::Invalid { field, problem: problem @ crate::registry::error::Problem::PushCredential(_) } => {
            PageError::new(
                StatusCode::BAD_REQUEST,
                crate::i18n::Text::key("err-not-possible"),
                format!("{field}: {problem}"),
            )
        }
        ClientError::Invalid { problem, .. } => PageError::new(
            StatusCode::BAD_REQUEST,
            crate::i18n::Text::key("err-not-possible"),
            super::client_problems::text(&problem),
        ),
        e => PageError::internal(e),
    }
}

struct Row {
    view: ClientView,
    created: super::When,
}

#[derive(Template)]
#[template(path = "admin_clients.html")]
struct ListView {
    c: Chrome,
    q: String,
    protocol: String,
    status: String,
    kind: String,
    rows: Vec<Row>,
    notice: Option<String>,
    next: Option<String>,
    sort: super::Sort,
    sort_href: String,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    protocol: String,
    #[serde(default)]
    status: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    order: String,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

fn keep(c: &Client, q: &ListQuery) -> bool {
    let text = q.q.trim().to_lowercase();
    let view = ClientView::from(c);
    let text_ok = text.is_empty()
        || c.name.to_lowercase().contains(&text)
        || view.client_id.to_lowercase().contains(&text)
        || view.oauth1.as_ref().is_some_and(|o| o.consumer_key.to_lowercase().contains(&text));
    let protocol_ok = match q.protocol.as_str() {
        "oauth2" => c.oauth2.is_some(),
        "oauth1" => c.oauth1.is_some(),
        _ => true,
    };
    let status_ok = match q.status.as_str() {
        "enabled" => c.enabled,
        "disabled" => !c.enabled,
        _ => true,
    };
    let kind_ok = match q.kind.as_str() {
        "public" => c.is_public(),
        "confidential" => c.oauth2.is_some() && !c.is_public(),
        _ => true,
    };
    text_ok && protocol_ok && status_ok && kind_ok
}

fn filters(q: &ListQuery) -> String {
    serde_urlencoded::to_string([
        ("q", q.q.as_str()),
        ("protocol", q.protocol.as_str()),
        ("status", q.status.as_str()),
        ("type", q.kind.as_str()),
    ])
    .unwrap_or_default()
}

/// A page of the applications that match the filters, newest first (or
/// oldest, with `?order=oldest`).
async fn list(v: Admin, q: web::Query<ListQuery>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let asked = PageQuery { cursor: q.cursor.clone(), limit: q.limit.clone() };
    let page = asked.for_page(PAGE, is_id_cursor)?;
    let sort = super::Sort::parse(&q.order, true);
    let p = v.app.store.read(|tx| {
        clients::page(tx, page.after(), page.limit, sort.order(), |c| {
            Ok(keep(&c, &q).then(|| Row { view: ClientView::from(&c), created: when(c.created_at) }))
        })
    })?;
    let view = ListView {
        c: v.chrome("nav-applications", false),
        q: q.q.clone(),
        protocol: q.protocol.clone(),
        status: q.status.clone(),
        kind: q.kind.clone(),
        rows: p.items,
        notice: Notice::from_query(req.query_string()).text(&v.app, &v.tr()),
        next: super::next_query(&format!("{}&order={}", filters(&q), sort.param()), p.next.as_deref(), &asked),
        sort,
        sort_href: sort.toggle(&filters(&q)),
    };
    Ok(v.render(StatusCode::OK, &view))
}

/// The form as typed, so a refused form comes back as it was.
#[derive(Default, Clone)]
pub struct Form {
    pub name: String,
    pub description: String,
    pub homepage: String,
    pub logo_url: String,
    pub oauth2: bool,
    pub redirect_uris: String,
    pub public: bool,
    pub grants: Vec<String>,
    pub scopes: String,
    pub token_format: String,
    pub signing_alg: String,
    pub access_ttl: String,
    pub refresh_ttl: String,
    pub pkce_required: bool,
    pub pkce_plain_allowed: bool,
    pub first_party: bool,
    pub cors_origins: String,
    pub introspect_any: bool,
    pub oauth1: bool,
    pub callback: String,
    pub legacy_1_0: bool,
    pub signature_methods: Vec<String>,
    pub rsa_public_key: String,
    pub two_legged: bool,
    pub token_ttl: String,
}

impl Form {
    fn fresh() -> Form {
        Form {
            oauth2: true,
            grants: vec!["authorization_code".into(), "refresh_token".into()],
            scopes: "openid profile email offline_access read".into(),
            token_format: "opaque".into(),
            signing_alg: "EdDSA".into(),
            pkce_required: true,
            callback: "oob".into(),
            signature_methods: vec!["HMAC-SHA1".into()],
            ..Default::default()
        }
    }

    fn parse(pairs: Vec<(String, String)>) -> (Form, String) {
        let mut f = Form::default();
        let mut csrf = String::new();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => csrf = v,
                "name" => f.name = v,
                "description" => f.description = v,
                "homepage" => f.homepage = v,
                "logo_url" => f.logo_url = v,
                "oauth2" => f.oauth2 = true,
                "redirect_uris" => f.redirect_uris = v,
                "client_type" => f.public = v == "public",
                "grant" => f.grants.push(v),
                "scopes" => f.scopes = v,
                "token_format" => f.token_format = v,
                "signing_alg" => f.signing_alg = v,
                "access_ttl" => f.access_ttl = v,
                "refresh_ttl" => f.refresh_ttl = v,
                "pkce_required" => f.pkce_required = true,
                "pkce_plain_allowed" => f.pkce_plain_allowed = true,
                "first_party" => f.first_party = true,
                "cors_origins" => f.cors_origins = v,
                "introspect_any" => f.introspect_any = true,
                "oauth1" => f.oauth1 = true,
                "callback" => f.callback = v,
                "legacy_1_0" => f.legacy_1_0 = true,
                "signature_method" => f.signature_methods.push(v),
                "rsa_public_key" => f.rsa_public_key = v,
                "two_legged" => f.two_legged = true,
                "token_ttl" => f.token_ttl = v,
                _ => {}
            }
        }
        (f, csrf)
    }

    fn from_client(c: &Client) -> Form {
        let mut f = Form {
            name: c.name.clone(),
            description: c.description.clone(),
            homepage: c.homepage.clone(),
            logo_url: c.logo_url.clone(),
            first_party: c.first_party,
            ..Form::fresh()
        };
        f.oauth2 = c.oauth2.is_some();
        if let Some(o) = &c.oauth2 {
            f.redirect_uris = o.redirect_uris.join("\n");
            f.public = o.secret_digest.is_none();
            f.grants = o.grants.clone();
            f.token_format = match o.token_format {
                crate::store::clients::TokenFormat::Jwt => "jwt".into(),
                crate::store::clients::TokenFormat::Opaque => "opaque".into(),
            };
            f.signing_alg = o.signing_alg.clone();
            f.access_ttl = o.access_ttl.map(|t| t.to_string()).unwrap_or_default();
            f.refresh_ttl = o.refresh_ttl.map(|t| t.to_string()).unwrap_or_default();
            f.pkce_required = o.pkce_required;
            f.pkce_plain_allowed = o.pkce_plain_allowed;
            f.cors_origins = o.cors_origins.join("\n");
            f.introspect_any = o.introspect_any;
            f.scopes = c.scopes.to_string();
        }
        f.oauth1 = c.oauth1.is_some();
        if let Some(o) = &c.oauth1 {
            f.callback = o.callback.clone();
            f.legacy_1_0 = o.legacy_1_0;
            f.signature_methods = o.signature_methods.clone();
            f.rsa_public_key = o.rsa_public_key.clone().unwrap_or_default();
            f.two_legged = o.two_legged;
            f.token_ttl = o.token_ttl.map(|t| t.to_string()).unwrap_or_default();
            if c.oauth2.is_none() {
                f.scopes = o.scopes.to_string();
            }
        }
        f
    }

    fn has_grant(&self, g: &str) -> bool {
        self.grants.iter().any(|x| x == g)
    }

    fn has_method(&self, m: &str) -> bool {
        self.signature_methods.iter().any(|x| x == m)
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    }

    fn seconds(field: &'static str, text: &str) -> Result<Option<u64>, (String, String)> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse().map(Some).map_err(|_| (field.to_string(), "clients-seconds-error".to_string()))
    }

    fn to_new(&self) -> Result<NewClient, (String, String)> {
        if !self.oauth2 && !self.oauth1 {
            return Err(("protocols".into(), "clients-protocols-error".into()));
        }
        let oauth1 = if self.oauth1 {
            Some(NewConsumer {
                callback: Some(self.callback.trim().to_string()).filter(|c| !c.is_empty()),
                signature_methods: self.signature_methods.clone(),
                rsa_public_key: Some(self.rsa_public_key.trim().to_string()).filter(|k| !k.is_empty()),
                two_legged: self.two_legged,
                legacy_1_0: self.legacy_1_0,
                token_ttl: Form::seconds("token_ttl", &self.token_ttl)?,
            })
        } else {
            None
        };
        Ok(NewClient {
            name: self.name.clone(),
            oauth2: self.oauth2,
            oauth1,
            description: self.description.clone(),
            homepage: self.homepage.clone(),
            logo_url: self.logo_url.clone(),
            redirect_uris: Form::lines(&self.redirect_uris),
            public: self.public,
            grants: self.grants.clone(),
            scopes: self.scopes.split_whitespace().map(str::to_string).collect(),
            token_format: Some(self.token_format.clone()).filter(|t| !t.is_empty()),
            signing_alg: Some(self.signing_alg.clone()).filter(|t| !t.is_empty()),
            access_ttl: Form::seconds("access_ttl", &self.access_ttl)?,
            refresh_ttl: Form::seconds("refresh_ttl", &self.refresh_ttl)?,
            pkce_required: self.pkce_required,
            pkce_plain_allowed: self.pkce_plain_allowed,
            first_party: self.first_party,
            cors_origins: Form::lines(&self.cors_origins),
            introspect_any: self.introspect_any,
        })
    }
}

/// The posted form, read as pairs since `grant` and `signature_method`
/// repeat.
#[derive(Deserialize)]
#[serde(from = "Vec<(String, String)>")]
struct Posted {
    f: Form,
    csrf: String,
}

impl From<Vec<(String, String)>> for Posted {
    fn from(pairs: Vec<(String, String)>) -> Self {
        let (f, csrf) = Form::parse(pairs);
        Posted { f, csrf }
    }
}

crate::has_csrf!(Posted);

#[derive(Template)]
#[template(path = "admin_client_form.html")]
struct FormView {
    c: Chrome,
    f: Form,
    errors: Vec<(String, String)>,
    /// `Some(id)` when editing an existing application.
    editing: Option<String>,
}

impl FormView {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

async fn new_form(v: Admin) -> Result<HttpResponse, PageError> {
    Ok(v.render(
        StatusCode::OK,
        &FormView { c: v.chrome("clients-new", false), f: Form::fresh(), errors: vec![], editing: None },
    ))
}

#[derive(Template)]
#[template(path = "admin_credentials.html")]
struct CredentialsView {
    c: Chrome,
    creds: Credentials,
    what: &'static str,
}

fn credentials(v: &Visitor, creds: Credentials, what: &'static str) -> HttpResponse {
    v.render(StatusCode::OK, &CredentialsView { c: v.chrome("credentials-title", false), creds, what })
}

async fn create(AdminForm(v, Posted { f, .. }): AdminForm<Posted>) -> Result<HttpResponse, PageError> {
    let again = |f: Form, field: String, message: String| {
        v.render(
            StatusCode::BAD_REQUEST,
            &FormView {
                c: v.chrome("clients-new", false),
                f,
                errors: vec![(field, v.tr().t_or(&message))],
                editing: None,
            },
        )
    };
    let new = match f.to_new() {
        Ok(n) => n,
        Err((field, message)) => return Ok(again(f, field, message)),
    };
    match registry::register(&v.app, new, v.who()).await {
        Ok(creds) => Ok(credentials(&v, creds, "credentials-registered")),
        Err(ClientError::Invalid { field, problem }) => {
            Ok(again(f, field.to_string(), v.tr().text(&super::client_problems::text(&problem))))
        }
        Err(e) => Err(refused(e)),
    }
}

#[derive(Template)]
#[template(path = "admin_client.html")]
struct DetailView {
    c: Chrome,
    view: ClientView,
    created: super::When,
    notice: Option<String>,
    /// Which push credentials the application has (never their contents).
    push: crate::push::credentials::Configured,
}

async fn show(v: Admin, id: web::Path<String>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let c = registry::find(&v.app, &id).map_err(refused)?;
    let view = DetailView {
        c: v.chrome("title-application", false),
        view: ClientView::from(&c),
        created: when(c.created_at),
        notice: Notice::from_query(req.query_string()).text(&v.app, &v.tr()),
        push: crate::push::credentials::configured(&v.app, c.id).map_err(refused)?,
    };
    Ok(v.render(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    enabled: String,
}

crate::has_csrf!(CsrfForm);

async fn rotate(AdminForm(v, _): AdminForm<CsrfForm>, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let creds = registry::rotate_secret(&v.app, &id, v.who()).await.map_err(refused)?;
    Ok(credentials(&v, creds, "credentials-rotated"))
}

async fn enable(AdminForm(v, form): AdminForm<CsrfForm>, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let on = form.enabled == "1";
    let c = registry::set_enabled(&v.app, &id, on, v.who()).await.map_err(refused)?;
    let done = if on { Done::AppEnabled } else { Done::AppDisabled };
    Ok(v.redirect(&Notice::of(done).id(c.id.0).after(&format!("/admin/clients/{}", c.id))))
}

#[derive(Template)]
#[template(path = "admin_client_delete.html")]
struct DeleteView {
    c: Chrome,
    id: String,
    name: String,
    grants: usize,
    tokens: usize,
}

async fn confirm_delete(v: Admin, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let c = registry::find(&v.app, &id).map_err(refused)?;
    let (n_grants, n_tokens) = v.app.store.read(|tx| {
        let gs = grants::for_client(tx, c.id)?;
        let mut n = 0;
        for g in &gs {
            n += grants::token_count(tx, g.id)?;
        }
        Ok::<_, StoreError>((gs.len(), n))
    })?;
    let view = DeleteView {
        c: v.chrome("title-delete-application", false),
        id: c.id.to_string(),
        name: c.name,
        grants: n_grants,
        tokens: n_tokens,
    };
    Ok(v.render(StatusCode::OK, &view))
}

async fn delete(AdminForm(v, _): AdminForm<CsrfForm>, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let (_, g, t) = registry::delete(&v.app, &id, v.who()).await.map_err(refused)?;
    Ok(v.redirect(&Notice::of(Done::AppDeleted).counts(g as u64, t as u64).after("/admin/clients")))
}

async fn edit_form(v: Admin, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let c = registry::find(&v.app, &id).map_err(refused)?;
    let view = FormView {
        c: v.chrome("title-edit-application", false),
        f: Form::from_client(&c),
        errors: vec![],
        editing: Some(c.id.to_string()),
    };
    Ok(v.render(StatusCode::OK, &view))
}

async fn edit(
    AdminForm(v, Posted { f, .. }): AdminForm<Posted>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let again = |f: Form, field: String, message: String| {
        v.render(
            StatusCode::BAD_REQUEST,
            &FormView {
                c: v.chrome("title-edit-application", false),
                f,
                errors: vec![(field, v.tr().t_or(&message))],
                editing: Some(id.to_string()),
            },
        )
    };
    let new = match f.to_new() {
        Ok(n) => n,
        Err((field, message)) => return Ok(again(f, field, message)),
    };
    match registry::edit(&v.app, &id, new, v.who()).await {
        Ok(c) => Ok(v.redirect(&Notice::of(Done::AppSaved).id(c.id.0).after(&format!("/admin/clients/{}", c.id)))),
        Err(ClientError::Invalid { field, problem }) => {
            Ok(again(f, field.to_string(), v.tr().text(&super::client_problems::text(&problem))))
        }
        Err(e) => Err(refused(e)),
    }
}
