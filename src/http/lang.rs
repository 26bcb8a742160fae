//! Which language a page is in: the member's own choice (`/account`,
//! `store::languages`), then the browser's `Accept-Language`, then the
//! site's `site_language`. And `localize`, the middleware that renders an
//! error page (`PageError`) in that language with the site's name, since
//! an error response is made without the request at hand.

use crate::app::App;
use crate::http::page_error::PageError;
use crate::http::visitor::Visitor;
use crate::i18n::{Lang, Tr};
use crate::ids::UserId;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpRequest};

/// The site's own language (`site_language`; English if it names none the
/// pages have).
pub fn site_language(app: &App) -> Lang {
    Lang::parse(&app.config.site_language).unwrap_or_default()
}

/// The language of a page for this request and member (if signed in).
pub fn choose(app: &App, req: &HttpRequest, member: Option<UserId>) -> Lang {
    let chosen = member.and_then(|u| {
        app.store.read(|tx| crate::store::languages::get(tx, u)).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "a member's language could not be read");
            None
        })
    });
    chosen
        .or_else(|| {
            let header = req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE)?;
            crate::i18n::negotiate(header.to_str().ok()?)
        })
        .unwrap_or_else(|| site_language(app))
}

/// Renders a `PageError` answer again in the visitor's language, with the
/// site's name and public path. Other answers pass untouched.
pub async fn localize<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    // The request is cloned only after the inner services are done with it
    // (routing needs it unshared).
    let res = next.call(req).await?;
    let is_page = res
        .response()
        .error()
        .and_then(|e| e.as_error::<PageError>())
        .is_some_and(|e| !e.is_sign_in() && res.response().headers().contains_key("content-type"));
    if !is_page {
        return Ok(res.map_into_left_body());
    }
    let http = res.request().clone();
    let Ok(v) = Visitor::from_request(&http, &mut actix_web::dev::Payload::None).await else {
        return Ok(res.map_into_left_body());
    };
    let Some(e) = res.response().error().and_then(|e| e.as_error::<PageError>()) else {
        return Ok(res.map_into_left_body());
    };
    let page = e.page(&v.tr(), v.app.config.base_path(), &v.site().name);
    let mut res = res.into_response(page);
    // What the original answer set apart from its body (Retry-After is
    // set again by `page`).
    res.response_mut().headers_mut().remove("content-length");
    Ok(res.map_into_right_body())
}

/// The site's identity in force (the admin's settings over the file's);
/// the file's alone if the store cannot be read, so a page still shows.
pub fn site(app: &App) -> crate::store::site::Site {
    let config = &app.config;
    app.store.read(|tx| crate::store::site::effective(tx, config)).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the site settings could not be read; the file's are shown");
        crate::store::site::Site::from_config(config)
    })
}

/// A `Tr` for this app in `lang`.
pub fn tr(app: &App, lang: Lang) -> Tr {
    Tr::new(app.catalogue.clone(), lang)
}
