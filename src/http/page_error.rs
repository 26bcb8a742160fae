//! The edge error types: an HTML page for browsers. (The API's problem+json
//! and the OAuth protocols' own formats live with those faces.) A page
//! error's words are catalogue texts (`i18n::Text`): `http::lang::localize`
//! renders the page in the visitor's language with the site's name;
//! `error_response` alone (no middleware) renders it in English.

use crate::i18n::{Catalogue, Lang, Text, Tr};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorView<'a> {
    base: &'a str,
    css: &'a str,
    status: u16,
    title: &'a str,
    message: &'a str,
    site: &'a str,
    t: &'a Tr,
}

/// An error shown to a person as a readable page.
#[derive(Debug, thiserror::Error)]
#[error("{title:?}: {message:?}")]
pub struct PageError {
    pub status: StatusCode,
    /// Boxed: page errors travel in every page handler's `Result`.
    pub title: Box<Text>,
    pub message: Box<Text>,
    pub retry_after: Option<u64>,
    /// Not an error page but a 303 to this absolute URL (sign in first).
    pub location: Option<String>,
}

impl PageError {
    pub fn new(status: StatusCode, title: impl Into<Text>, message: impl Into<Text>) -> Self {
        PageError {
            status,
            title: Box::new(title.into()),
            message: Box::new(message.into()),
            retry_after: None,
            location: None,
        }
    }

    /// A request that needs a session: 303 to `location` (the sign-in page).
    pub fn sign_in(location: String) -> Self {
        let mut e =
            Self::new(StatusCode::SEE_OTHER, Text::key("err-sign-in-first"), Text::key("err-sign-in-first-text"));
        e.location = Some(location);
        e
    }

    /// Whether this is the redirect to sign in rather than an error page.
    pub fn is_sign_in(&self) -> bool {
        self.location.is_some()
    }

    pub fn csrf() -> Self {
        Self::new(StatusCode::FORBIDDEN, Text::key("err-form-expired"), Text::key("err-form-expired-text"))
    }

    pub fn forbidden(message: impl Into<Text>) -> Self {
        Self::new(StatusCode::FORBIDDEN, Text::key("err-not-allowed"), message)
    }

    /// A form body that was too large or could not be read.
    pub fn body(e: crate::http::body::BodyError) -> Self {
        let status = match e {
            crate::http::body::BodyError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            crate::http::body::BodyError::Unreadable => StatusCode::BAD_REQUEST,
        };
        let message = match e {
            crate::http::body::BodyError::TooLarge(n) => Text::key("err-form-too-large").num("limit", n as i64),
            crate::http::body::BodyError::Unreadable => Text::key("err-form-unreadable-text"),
        };
        Self::new(status, Text::key("err-form-unreadable"), message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, Text::key("err-not-found"), Text::key("err-not-found-text"))
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "request failed");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, Text::key("err-internal"), Text::key("err-internal-text"))
    }
}

impl From<crate::store::StoreError> for PageError {
    fn from(e: crate::store::StoreError) -> Self {
        PageError::internal(e)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(location) = &self.location {
            return HttpResponse::SeeOther()
                .insert_header(("Location", location.as_str()))
                .insert_header(("Cache-Control", "no-store"))
                .finish();
        }
        // Without the localizing middleware (unit tests of handlers): English,
        // the default name.
        match Catalogue::load() {
            Ok(c) => self.page(&Tr::new(Arc::new(c), Lang::En), "", crate::site::DEFAULT_NAME),
            Err(_) => self.page_with(format!("{:?}", self.message)),
        }
    }
}

impl PageError {
    /// The error page in `t`'s language, under the public path `base`,
    /// with the site's name.
    pub fn page(&self, t: &Tr, base: &str, site: &str) -> HttpResponse {
        let title = t.text(&self.title);
        let message = t.text(&self.message);
        let view = ErrorView {
            base,
            css: crate::http::assets::CSS_PATH.as_str(),
            status: self.status.as_u16(),
            title: &title,
            message: &message,
            site,
            t,
        };
        self.page_with(view.render().unwrap_or(message))
    }

    fn page_with(&self, body: String) -> HttpResponse {
        let mut r = HttpResponse::build(self.status);
        r.content_type("text/html; charset=utf-8").insert_header(("Cache-Control", "no-store"));
        if let Some(s) = self.retry_after {
            r.insert_header(("Retry-After", s.to_string()));
        }
        r.body(body)
    }
}
