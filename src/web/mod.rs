//! The pages: setup, sign-in, account (and later consent and admin). Handlers
//! parse, call one operation, render an askama view.

pub mod account;
pub mod admin;
pub mod applications;
pub mod avatars;
pub mod calendar;
pub mod connections;
pub mod connections_oauth1;
pub mod consent;
pub mod login;
pub mod notice;
pub mod ops;
pub mod register;
pub mod reset;
pub mod setup;
pub mod signin_link;

pub use crate::http::visitor::{Chrome, Visitor};

use crate::http::assets;
use crate::http::page_error::PageError;
use crate::i18n::Text;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::FormConfig::default().limit(64 * 1024).error_handler(|e, _| {
        PageError::new(StatusCode::BAD_REQUEST, Text::key("err-form-unreadable"), e.to_string()).into()
    }))
    .app_data(web::QueryConfig::default().error_handler(|e, _| {
        PageError::new(StatusCode::BAD_REQUEST, Text::key("err-bad-address"), e.to_string()).into()
    }))
    .route("/", web::get().to(index))
    .configure(ops::routes)
    .configure(assets::routes)
    .configure(crate::http::site::routes)
    .configure(setup::routes)
    .configure(login::routes)
    .configure(signin_link::routes)
    .configure(register::routes)
    .configure(avatars::routes)
    .configure(account::routes)
    .configure(applications::routes)
    .configure(calendar::routes)
    .configure(reset::routes)
    .configure(admin::routes)
    .configure(connections::routes)
    .configure(connections_oauth1::routes);
}

async fn index(v: Visitor) -> HttpResponse {
    if v.active.is_some() { v.redirect("/account") } else { v.redirect("/login") }
}

/// Anything no route matched.
pub async fn not_found() -> Result<HttpResponse, PageError> {
    Err(PageError::not_found())
}
