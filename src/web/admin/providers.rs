//! `/admin/providers`: the remote providers members connect to and sign
//! in with. A list with the form to add one (OIDC from a discovery URL,
//! OAuth 2.0 by hand, OAuth 1.0a), whose secret is entered once and never
//! shown again; a page per provider with its callback URL to register at
//! the provider; disable, enable, delete. Every change is audited by the
//! operations it calls.

use crate::connect::{self, FlowError};
use crate::connections::ConnectionError;
use crate::connections::providers::{self, NewProvider, ProviderView};
use crate::http::page_error::PageError;
use crate::http::visitor::{Admin, AdminForm};
use crate::i18n::{Text, Tr};
use crate::web::Chrome;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/providers", web::get().to(list))
        .route("/admin/providers", web::post().to(create))
        .route("/admin/providers/{id}", web::get().to(show))
        .route("/admin/providers/{id}/disabled", web::post().to(disable))
        .route("/admin/providers/{id}/delete", web::post().to(delete));
}

fn refused(e: ConnectionError) -> PageError {
    match e {
        ConnectionError::NotFound(_) => {
            PageError::new(StatusCode::NOT_FOUND, Text::key("prov-err-no-such"), Text::key("prov-err-no-such-text"))
        }
        ConnectionError::Invalid { .. } | ConnectionError::Refused(_) => {
            PageError::new(StatusCode::BAD_REQUEST, Text::key("prov-err-not-possible"), e.to_string())
        }
        ConnectionError::Internal(m) => PageError::internal(m),
        ConnectionError::Store(e) => e.into(),
    }
}

fn public_url(a: &Admin) -> String {
    a.app.config.public_url.as_str().to_string()
}

#[derive(Template)]
#[template(path = "admin_providers.html")]
struct ListView {
    c: Chrome,
    rows: Vec<ProviderView>,
    notice: Option<String>,
    error: Option<String>,
    form: ProviderForm,
    /// The OAuth 2.0 callback to register at a provider.
    callback: String,
}

#[derive(Deserialize, Default, Clone)]
struct ProviderForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    protocol: String,
    #[serde(default)]
    discovery_url: String,
    #[serde(default)]
    authorize_url: String,
    #[serde(default)]
    token_url: String,
    #[serde(default)]
    userinfo_url: String,
    #[serde(default)]
    revocation_url: String,
    #[serde(default)]
    request_url: String,
    #[serde(default)]
    access_url: String,
    #[serde(default)]
    signature_method: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    scopes: String,
    #[serde(default)]
    api_base: String,
    #[serde(default)]
    sign_in: Option<String>,
    #[serde(default)]
    member_connect: Option<String>,
}

crate::has_csrf!(ProviderForm);

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl ProviderForm {
    fn new_provider(&self) -> NewProvider {
        NewProvider {
            name: self.name.clone(),
            protocol: self.protocol.clone(),
            discovery_url: opt(&self.discovery_url).filter(|_| self.protocol == "oidc"),
            authorize_url: self.authorize_url.clone(),
            token_url: self.token_url.clone(),
            userinfo_url: opt(&self.userinfo_url),
            revocation_url: opt(&self.revocation_url),
            request_url: self.request_url.clone(),
            access_url: self.access_url.clone(),
            signature_method: opt(&self.signature_method),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            scopes: self.scopes.split_whitespace().map(str::to_string).collect(),
            api_base: self.api_base.clone(),
            sign_in: self.sign_in.is_some(),
            member_connect: self.member_connect.is_some(),
            ..Default::default()
        }
    }
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    done: String,
}

fn render_list(
    a: &Admin,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    form: ProviderForm,
) -> Result<HttpResponse, PageError> {
    let url = public_url(a);
    let rows = providers::list(&a.app).map_err(refused)?.iter().map(|p| ProviderView::new(p, &url)).collect();
    let view = ListView {
        c: a.chrome("admin-providers", false),
        rows,
        notice,
        error,
        form,
        callback: providers::callback_url(&url, providers::CALLBACK_PATH),
    };
    Ok(a.render(status, &view))
}

async fn list(a: Admin, q: web::Query<ListQuery>) -> Result<HttpResponse, PageError> {
    let notice = match q.done.as_str() {
        "deleted" => Some(a.tr().t("prov-notice-deleted")),
        _ => None,
    };
    let form = ProviderForm { protocol: "oidc".into(), member_connect: Some("on".into()), ..Default::default() };
    render_list(&a, StatusCode::OK, notice, None, form)
}

async fn create(AdminForm(a, form): AdminForm<ProviderForm>) -> Result<HttpResponse, PageError> {
    match connect::discovery::add(&a.app, form.new_provider(), a.who()).await {
        Ok(p) => Ok(a.redirect(&format!("/admin/providers/{}?done=created", p.id))),
        Err(e) => {
            let message = match e {
                FlowError::Connection(ConnectionError::Internal(m)) => return Err(PageError::internal(m)),
                FlowError::Connection(ConnectionError::Store(e)) => return Err(e.into()),
                FlowError::Connection(ConnectionError::Invalid { field, message }) => {
                    invalid_words(&a.tr(), field, &message)
                }
                e => e.to_string(),
            };
            // What was typed comes back, the secret aside.
            let kept = ProviderForm { client_secret: String::new(), ..form };
            render_list(&a, StatusCode::BAD_REQUEST, None, Some(message), kept)
        }
    }
}

#[derive(Template)]
#[template(path = "admin_provider.html")]
struct ShowView {
    c: Chrome,
    p: ProviderView,
    notice: Option<String>,
    connections: usize,
    /// When it was added (seconds since 1970).
    added: i64,
}

async fn show(a: Admin, path: web::Path<String>, q: web::Query<ListQuery>) -> Result<HttpResponse, PageError> {
    let p = providers::find(&a.app, &path).map_err(refused)?;
    let connections = a.app.store.read(|tx| crate::store::connections::of_provider(tx, p.id))?.len();
    let notice = match q.done.as_str() {
        "created" => Some(a.tr().t("prov-notice-created")),
        "disabled" => Some(a.tr().t("prov-notice-disabled")),
        "enabled" => Some(a.tr().t("prov-notice-enabled")),
        _ => None,
    };
    let view = ShowView {
        c: a.chrome_titled(p.name.clone(), false),
        p: ProviderView::new(&p, &public_url(&a)),
        notice,
        connections,
        added: p.created_at,
    };
    Ok(a.render(StatusCode::OK, &view))
}

#[derive(Deserialize)]
struct DisableForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    disabled: String,
}

crate::has_csrf!(DisableForm);

async fn disable(
    AdminForm(a, form): AdminForm<DisableForm>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let disabled = form.disabled == "true";
    let p = providers::set_disabled(&a.app, &path, disabled, a.who()).await.map_err(refused)?;
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(a.redirect(&format!("/admin/providers/{}?done={done}", p.id)))
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    csrf: String,
}

crate::has_csrf!(DeleteForm);

async fn delete(
    AdminForm(a, _form): AdminForm<DeleteForm>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    match connect::delete_provider(&a.app, &path, a.who()).await {
        Ok(_) => Ok(a.redirect("/admin/providers?done=deleted")),
        Err(FlowError::Connection(e)) => Err(refused(e)),
        Err(e) => Err(PageError::new(StatusCode::BAD_GATEWAY, Text::key("prov-err-not-possible"), e.to_string())),
    }
}

/// A field the admin got wrong, in the page's language: the field's label
/// (and its name, as the command line knows it) and what is wrong with it;
/// words this version does not know are shown as they are.
fn invalid_words(t: &Tr, field: &str, message: &str) -> String {
    let label = match field {
        "name" => "col-name",
        "protocol" => "col-protocol",
        "discovery_url" => "prov-discovery",
        "issuer" => "prov-issuer",
        "authorize_url" => "prov-authorize-url",
        "token_url" => "prov-token-url",
        "userinfo_url" => "prov-userinfo-url",
        "revocation_url" => "prov-revocation-url",
        "request_url" => "prov-request-url",
        "access_url" => "prov-access-url",
        "signature_method" => "prov-signature",
        "client_id" => "prov-client-id",
        "client_secret" => "prov-client-secret",
        "scopes" => "col-scopes",
        "api_base" => "prov-api-base",
        "sign_in" => "prov-sign-in-button",
        _ => return crate::web::setup::capitalise(&format!("{field}: {message}")),
    };
    let message = match message {
        "is required" => t.t("prov-invalid-required"),
        "must be 1 to 60 characters" => t.t("prov-invalid-name-length"),
        "is too long" => t.t("prov-invalid-too-long"),
        "only an OpenID Connect provider can sign members in" => t.t("prov-invalid-sign-in-oidc"),
        m => m.to_string(),
    };
    t.with_pairs("prov-err-field", &[("label", &t.t(label)), ("field", field), ("message", &message)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Catalogue, Lang};
    use std::sync::Arc;

    #[test]
    fn a_wrong_field_is_named_in_the_pages_language() {
        let cat = Arc::new(Catalogue::load().unwrap());
        let (en, nl) = (Tr::new(cat.clone(), Lang::En), Tr::new(cat, Lang::Nl));
        assert_eq!(invalid_words(&en, "client_secret", "is required"), "Client secret (client_secret): is required");
        assert_eq!(invalid_words(&nl, "client_secret", "is required"), "Clientgeheim (client_secret): is verplicht");
        assert_eq!(
            invalid_words(&nl, "api_base", "must not have a query"),
            "API-basis (api_base): must not have a query"
        );
        assert_eq!(invalid_words(&nl, "token_auth", "x: write y"), "Token_auth: x: write y.");
    }
}
