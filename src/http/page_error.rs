//! The edge error types: an HTML page for browsers. (The API's problem+json
//! and the OAuth protocols' own formats live with those faces.)

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorView<'a> {
    base: &'a str,
    css: &'a str,
    status: u16,
    title: &'a str,
    message: &'a str,
}

/// An error shown to a person as a readable page.
#[derive(Debug, thiserror::Error)]
#[error("{title}: {message}")]
pub struct PageError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
    pub retry_after: Option<u64>,
    /// Not an error page but a 303 to this absolute URL (sign in first).
    pub location: Option<String>,
}

impl PageError {
    pub fn new(status: StatusCode, title: impl Into<String>, message: impl Into<String>) -> Self {
        PageError { status, title: title.into(), message: message.into(), retry_after: None, location: None }
    }

    /// A request that needs a session: 303 to `location` (the sign-in page).
    pub fn sign_in(location: String) -> Self {
        let mut e = Self::new(StatusCode::SEE_OTHER, "Sign in first", "This page is for signed-in members.");
        e.location = Some(location);
        e
    }

    /// Whether this is the redirect to sign in rather than an error page.
    pub fn is_sign_in(&self) -> bool {
        self.location.is_some()
    }

    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The form was not sent from this site's current page, or it is too old. Go back, reload the page and try again.",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Not allowed", message)
    }

    /// A form body that was too large or could not be read.
    pub fn body(e: crate::http::body::BodyError) -> Self {
        let status = match e {
            crate::http::body::BodyError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            crate::http::body::BodyError::Unreadable => StatusCode::BAD_REQUEST,
        };
        Self::new(status, "The form could not be read", format!("{e}. Go back and try again."))
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Page not found", "There is nothing at this address.")
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "request failed");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Something went wrong",
            "The server could not complete this request. Nothing was changed; please try again in a moment.",
        )
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
        let view = ErrorView {
            base: "",
            css: crate::http::assets::CSS_PATH.as_str(),
            status: self.status.as_u16(),
            title: &self.title,
            message: &self.message,
        };
        let body = view.render().unwrap_or_else(|_| self.message.clone());
        let mut r = HttpResponse::build(self.status);
        r.content_type("text/html; charset=utf-8").insert_header(("Cache-Control", "no-store"));
        if let Some(s) = self.retry_after {
            r.insert_header(("Retry-After", s.to_string()));
        }
        r.body(body)
    }
}
