//! `/admin/clients/{id}/push/...`: an application's push credentials,
//! entered on its page: FCM's service account; for APNs a token key or a
//! certificate, each replacing the other. They are stored sealed and
//! never shown again; the page says only whether they are there and what
//! names them (`push::credentials`).

use super::clients::refused;
use crate::http::page_error::PageError;
use crate::http::visitor::AdminForm;
use crate::push::credentials;
use crate::web::notice::{Done, Notice};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/clients/{id}/push/fcm", web::post().to(set_fcm))
        .route("/admin/clients/{id}/push/fcm/remove", web::post().to(remove_fcm))
        .route("/admin/clients/{id}/push/apns", web::post().to(set_apns))
        .route("/admin/clients/{id}/push/apns/certificate", web::post().to(set_apns_certificate))
        .route("/admin/clients/{id}/push/apns/remove", web::post().to(remove_apns));
}

#[derive(Deserialize)]
struct CredentialsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    credentials: String,
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// The `.p8` key and what Apple's developer account shows beside it.
#[derive(Deserialize)]
struct ApnsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    key_id: String,
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    topic: String,
}

/// The certificate (with its chain), its key (or both in `certificate`,
/// as `openssl pkcs12 -nodes` writes them) and the topic.
#[derive(Deserialize)]
struct ApnsCertificateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    certificate: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    topic: String,
}

crate::has_csrf!(CredentialsForm, CsrfOnly, ApnsForm, ApnsCertificateForm);

async fn set_fcm(
    AdminForm(v, form): AdminForm<CredentialsForm>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let client = credentials::set_fcm(&v.app, &id, &form.credentials, v.who()).await.map_err(refused)?;
    Ok(v.redirect(&Notice::of(Done::FcmCredentialsSet).id(client.0).after(&format!("/admin/clients/{client}"))))
}

async fn remove_fcm(AdminForm(v, _): AdminForm<CsrfOnly>, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let client = credentials::remove_fcm(&v.app, &id, v.who()).await.map_err(refused)?;
    Ok(v.redirect(&Notice::of(Done::FcmCredentialsRemoved).id(client.0).after(&format!("/admin/clients/{client}"))))
}

async fn set_apns(AdminForm(v, form): AdminForm<ApnsForm>, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let key = crate::push::apns::Key { key: form.key, key_id: form.key_id, team_id: form.team_id, topic: form.topic };
    let client = credentials::set_apns(&v.app, &id, key, v.who()).await.map_err(refused)?;
    Ok(v.redirect(&Notice::of(Done::ApnsCredentialsSet).id(client.0).after(&format!("/admin/clients/{client}"))))
}

async fn set_apns_certificate(
    AdminForm(v, form): AdminForm<ApnsCertificateForm>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let input = crate::push::apns_cert::Certificate { certificate: form.certificate, key: form.key, topic: form.topic };
    let client = credentials::set_apns_certificate(&v.app, &id, input, v.who()).await.map_err(refused)?;
    Ok(v.redirect(&Notice::of(Done::ApnsCertificateSet).id(client.0).after(&format!("/admin/clients/{client}"))))
}

async fn remove_apns(AdminForm(v, _): AdminForm<CsrfOnly>, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let client = credentials::remove_apns(&v.app, &id, v.who()).await.map_err(refused)?;
    Ok(v.redirect(&Notice::of(Done::ApnsCredentialsRemoved).id(client.0).after(&format!("/admin/clients/{client}"))))
}
