//! CORS for the endpoints browser applications call: the token,
//! revocation, introspection and userinfo endpoints and the API allow an
//! origin that some enabled application registered; the JWKS and the
//! discovery documents are public. Pages never answer cross-origin.

use crate::app::App;
use crate::store::clients;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

enum Policy {
    /// Anyone may read it.
    Public,
    /// Only origins an application registered.
    Registered,
    None,
}

fn policy(path: &str) -> Policy {
    if path == "/oauth2/jwks" || path.starts_with("/.well-known/") {
        Policy::Public
    } else if path == "/oauth2/authorize" {
        Policy::None
    } else if path.starts_with("/oauth2/") || path == "/api" || path.starts_with("/api/") {
        Policy::Registered
    } else {
        Policy::None
    }
}

fn registered(app: &App, origin: &str) -> bool {
    app.store
        .read(clients::list)
        .map(|cs| {
            cs.iter()
                .filter(|c| c.enabled)
                .filter_map(|c| c.oauth2.as_ref())
                .any(|o| o.cors_origins.iter().any(|x| x == origin))
        })
        .unwrap_or(false)
}

pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let origin = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_string);
    let allow = match (origin.as_deref(), policy(req.path())) {
        (Some(_), Policy::Public) => Some("*".to_string()),
        (Some(o), Policy::Registered) => {
            let ok = req.app_data::<web::Data<App>>().is_some_and(|app| registered(app, o));
            ok.then(|| o.to_string())
        }
        _ => None,
    };
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight && origin.is_some() {
        let mut r = HttpResponse::NoContent();
        if let Some(a) = &allow {
            r.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, a.as_str()))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PUT, PATCH, DELETE"))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type, If-Match"))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"));
        }
        r.insert_header((header::VARY, "Origin"));
        return Ok(req.into_response(r.finish()).map_into_right_body());
    }
    let mut res = next.call(req).await?;
    if let Some(a) = allow {
        if let Ok(v) = HeaderValue::from_str(&a) {
            res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            res.headers_mut()
                .insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("WWW-Authenticate, ETag"));
        }
        res.headers_mut().append(header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(res.map_into_left_body())
}
