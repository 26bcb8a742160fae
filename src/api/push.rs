//! Push notifications: `GET/POST /api/v1/me/push-subscriptions`,
//! `DELETE /api/v1/me/push-subscriptions/{id}`, `GET/PUT
//! /api/v1/me/push-preferences` (scope `push`, a member's token) and the
//! server's VAPID key, `GET /api/v1/push/vapid-public-key` (any token). A
//! subscription belongs to the member and to the application that
//! registered it; revoking that application's grant removes it.

use super::common::{Object, id, read, sid, writer};
use super::resource;
use crate::app::App;
use crate::clock::rfc3339;
use crate::http::caller::Caller;
use crate::http::problem::{ApiError, FieldError};
use crate::ids::SubscriptionId;
use crate::outbound::target;
use crate::push::subscriptions::{self, Input, PreferencesInput};
use crate::social;
use crate::store::push::{Preferences, Service, Subscription};
use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The handlers of this file in the OpenAPI document (see `doc.rs`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, delete, vapid_public_key, get_preferences, put_preferences))]
pub(super) struct Doc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/v1/me/push-subscriptions", "GET, POST").route(web::get().to(list)).route(web::post().to(create)),
    )
    .service(resource("/v1/me/push-subscriptions/{id}", "DELETE").route(web::delete().to(delete)))
    .service(
        resource("/v1/me/push-preferences", "GET, PUT")
            .route(web::get().to(get_preferences))
            .route(web::put().to(put_preferences)),
    )
    .service(resource("/v1/push/vapid-public-key", "GET").route(web::get().to(vapid_public_key)));
}

/// Which push service reaches the device.
#[allow(dead_code)] // read by the document only, never constructed
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum PushService {
    Webpush,
    Apns,
    Fcm,
}

/// Which APNs environment the device token belongs to.
#[allow(dead_code)] // read by the document only, never constructed
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ApnsEnvironment {
    Production,
    Sandbox,
}

/// A browser's Web Push keys (`PushSubscription.getKey`), base64url.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushKeys {
    /// The browser's P-256 public key, uncompressed (65 bytes).
    #[schema(example = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM")]
    pub p256dh: Option<String>,
    /// The 16-byte authentication secret.
    #[schema(example = "tBHItJI5svbpez7KI4CCXg")]
    pub auth: Option<String>,
}

/// A device to notify: `webpush` takes `endpoint` and `keys`; `apns` takes
/// `token` and `environment` (default `production`); `fcm` takes `token`.
/// An unknown field is a 422.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PushSubscriptionBody)]
pub struct SubscriptionBody {
    #[schema(value_type = PushService)]
    pub service: String,
    /// Web Push: the push service's endpoint URL (`https`, a public host).
    #[schema(example = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh")]
    pub endpoint: Option<String>,
    pub keys: Option<PushKeys>,
    /// APNs or FCM: the device's token.
    #[schema(example = "740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad")]
    pub token: Option<String>,
    #[schema(value_type = Option<ApnsEnvironment>)]
    pub environment: Option<String>,
}

/// A registered device.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PushSubscription)]
pub struct SubscriptionJson {
    #[schema(example = "12")]
    pub id: String,
    #[schema(value_type = PushService)]
    pub service: &'static str,
    /// Web Push only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABh")]
    pub endpoint: Option<String>,
    /// Web Push only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<PushKeys>,
    /// APNs and FCM only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad")]
    pub token: Option<String>,
    /// APNs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ApnsEnvironment>)]
    pub environment: Option<&'static str>,
    #[schema(format = DateTime, example = "2026-11-23T15:54:00Z")]
    pub created_at: String,
}

impl From<&Subscription> for SubscriptionJson {
    fn from(s: &Subscription) -> Self {
        let web = s.service == Service::WebPush;
        SubscriptionJson {
            id: sid(s.id),
            service: s.service.as_str(),
            endpoint: web.then(|| s.address.clone()),
            keys: web.then(|| PushKeys {
                p256dh: Some(URL_SAFE_NO_PAD.encode(&s.p256dh)),
                auth: Some(URL_SAFE_NO_PAD.encode(&s.auth)),
            }),
            token: (!web).then(|| s.address.clone()),
            environment: (s.service == Service::Apns).then_some(if s.sandbox { "sandbox" } else { "production" }),
            created_at: rfc3339(s.created_at),
        }
    }
}

/// The caller's devices (every one, at most 50).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PushSubscriptionList)]
pub struct SubscriptionList {
    pub items: Vec<SubscriptionJson>,
    /// Always `null`: the list is never cut.
    #[schema(required = true, value_type = Option<String>)]
    pub next_cursor: Option<String>,
}

fn no_store() -> (&'static str, &'static str) {
    ("Cache-Control", "no-store")
}

/// The caller's registered devices, every application's.
#[utoipa::path(
    get,
    path = "/api/v1/me/push-subscriptions",
    tag = "push",
    operation_id = "list_push_subscriptions",
    security(("oauth2" = ["push"]), ("oauth1" = ["push"])),
    responses(
        (status = 200, description = "The devices, oldest first", body = SubscriptionList, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn list(caller: Caller, app: web::Data<App>) -> Result<HttpResponse, ApiError> {
    caller.require("push")?;
    let me = caller.member()?.id;
    let subs = read(&app, |tx| Ok(crate::store::push::of_user(tx, me)?))?;
    let items = subs.iter().map(SubscriptionJson::from).collect();
    Ok(HttpResponse::Ok().insert_header(no_store()).json(SubscriptionList { items, next_cursor: None }))
}

/// Registers a device for the caller through the calling application. The
/// same device (service and endpoint or token) registered again updates
/// its record (200) rather than adding another. A Web Push endpoint must
/// be `https` and its host must resolve to public addresses only.
#[utoipa::path(
    post,
    path = "/api/v1/me/push-subscriptions",
    tag = "push",
    operation_id = "create_push_subscription",
    request_body(content = SubscriptionBody, description = "The device; an unknown field is a 422"),
    security(("oauth2" = ["push"]), ("oauth1" = ["push"])),
    responses(
        (status = 201, description = "A new device", body = SubscriptionJson, headers(("Location" = String, description = "The subscription's URL"))),
        (status = 200, description = "A device already registered, updated", body = SubscriptionJson),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn create(caller: Caller, app: web::Data<App>, body: Object<SubscriptionBody>) -> Result<HttpResponse, ApiError> {
    caller.require("push")?;
    let me = writer(&caller, &app)?;
    let client = caller.principal.client;
    let b = body.into_inner();
    let (p256dh, auth) = match b.keys {
        Some(k) => (k.p256dh, k.auth),
        None => (None, None),
    };
    let input =
        Input { service: b.service, endpoint: b.endpoint, p256dh, auth, token: b.token, environment: b.environment };
    let device = subscriptions::validate(input)?;
    if device.service == Service::WebPush {
        target::check(&device.address, app.config.outbound_allow_private)
            .await
            .map_err(|e| ApiError::invalid(vec![FieldError::new("endpoint", e.to_string())]))?;
    }
    let now = app.now();
    let (s, created) =
        social::write(&app.store, move |tx| subscriptions::register(tx, me, client, device.clone(), now)).await?;
    let json = SubscriptionJson::from(&s);
    Ok(if created {
        HttpResponse::Created()
            .insert_header(("Location", app.config.url(&format!("/api/v1/me/push-subscriptions/{}", s.id))))
            .json(json)
    } else {
        HttpResponse::Ok().json(json)
    })
}

/// Removes one of the caller's devices (any application's).
#[utoipa::path(
    delete,
    path = "/api/v1/me/push-subscriptions/{id}",
    tag = "push",
    operation_id = "delete_push_subscription",
    params(("id" = String, Path, pattern = "^[0-9]+$", description = "The subscription's id", example = "12")),
    security(("oauth2" = ["push"]), ("oauth1" = ["push"])),
    responses(
        (status = 204, description = "The device will get no more notifications"),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 404, response = super::schema::NotFound),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn delete(caller: Caller, app: web::Data<App>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    caller.require("push")?;
    let sub = SubscriptionId(id(&path, "push subscription")?);
    let me = writer(&caller, &app)?;
    social::write(&app.store, move |tx| subscriptions::remove(tx, me, sub)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The server's VAPID public key (RFC 8292), for a browser's
/// `pushManager.subscribe({applicationServerKey})`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = VapidPublicKey)]
pub struct VapidJson {
    /// The uncompressed P-256 point, base64url without padding.
    #[schema(example = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U")]
    pub public_key: String,
}

/// The server's Web Push application server key. Any token may read it.
#[utoipa::path(
    get,
    path = "/api/v1/push/vapid-public-key",
    tag = "push",
    operation_id = "get_vapid_public_key",
    security(("oauth2" = []), ("oauth1" = [])),
    responses(
        (status = 200, description = "The key", body = VapidJson),
        (status = 401, response = super::schema::Unauthorized),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn vapid_public_key(_caller: Caller, app: web::Data<App>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "max-age=3600"))
        .json(VapidJson { public_key: app.vapid.public_key_b64() }))
}

/// No notifications between two times of day in the member's time zone.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursJson {
    /// `HH:MM`, 24-hour clock.
    #[schema(pattern = "^[0-2][0-9]:[0-5][0-9]$", example = "22:00")]
    pub from: String,
    #[schema(pattern = "^[0-2][0-9]:[0-5][0-9]$", example = "07:00")]
    pub to: String,
    /// An IANA time zone name.
    #[schema(example = "Europe/Amsterdam")]
    pub time_zone: String,
}

/// Which groups notify (a group not named does) and the quiet hours.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PushPreferences)]
pub struct PreferencesJson {
    /// Group id -> whether its activity notifies.
    #[serde(default)]
    #[schema(example = json!({"3": false}))]
    pub groups: BTreeMap<String, bool>,
    #[serde(default)]
    #[schema(required = false)]
    pub quiet_hours: Option<QuietHoursJson>,
}

impl From<&Preferences> for PreferencesJson {
    fn from(p: &Preferences) -> Self {
        PreferencesJson {
            groups: p.groups.iter().map(|(g, on)| (sid(g), *on)).collect(),
            quiet_hours: p.quiet_hours.as_ref().map(|q| QuietHoursJson {
                from: subscriptions::clock_time(q.from),
                to: subscriptions::clock_time(q.to),
                time_zone: q.time_zone.clone(),
            }),
        }
    }
}

/// The caller's push preferences.
#[utoipa::path(
    get,
    path = "/api/v1/me/push-preferences",
    tag = "push",
    operation_id = "get_push_preferences",
    security(("oauth2" = ["push"]), ("oauth1" = ["push"])),
    responses(
        (status = 200, description = "The preferences", body = PreferencesJson, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn get_preferences(caller: Caller, app: web::Data<App>) -> Result<HttpResponse, ApiError> {
    caller.require("push")?;
    let me = caller.member()?.id;
    let p = read(&app, |tx| Ok(crate::store::push::preferences(tx, me)?))?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(PreferencesJson::from(&p)))
}

/// Replaces the caller's push preferences.
#[utoipa::path(
    put,
    path = "/api/v1/me/push-preferences",
    tag = "push",
    operation_id = "put_push_preferences",
    request_body(content = PreferencesJson, description = "The whole preferences; an unknown field is a 422"),
    security(("oauth2" = ["push"]), ("oauth1" = ["push"])),
    responses(
        (status = 200, description = "The preferences as stored", body = PreferencesJson, headers(("Cache-Control" = String, description = "`no-store`"))),
        (status = 401, response = super::schema::Unauthorized),
        (status = 403, response = super::schema::Forbidden),
        (status = 415, response = super::schema::UnsupportedMediaType),
        (status = 422, response = super::schema::Unprocessable),
        (status = 429, response = super::schema::TooMany),
        (status = "4XX", response = super::schema::ClientError),
        (status = "5XX", response = super::schema::ServerError),
    )
)]
async fn put_preferences(
    caller: Caller,
    app: web::Data<App>,
    body: Object<PreferencesJson>,
) -> Result<HttpResponse, ApiError> {
    caller.require("push")?;
    let me = writer(&caller, &app)?;
    let b = body.into_inner();
    let input = PreferencesInput { groups: b.groups, quiet_hours: b.quiet_hours.map(|q| (q.from, q.to, q.time_zone)) };
    let p = subscriptions::validate_preferences(input)?;
    let stored = p.clone();
    social::write(&app.store, move |tx| Ok(crate::store::push::put_preferences(tx, me, &stored)?)).await?;
    Ok(HttpResponse::Ok().insert_header(no_store()).json(PreferencesJson::from(&p)))
}
