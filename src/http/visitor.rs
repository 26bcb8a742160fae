//! Anyone asking for a page: the `Visitor` extractor (their session if
//! they have one, where they come from, the CSRF token for their forms),
//! the layout data every page gets (`Chrome`), and the `Member` and `Admin`
//! gates that pages put in their signatures instead of checking by hand.

use crate::accounts::sessions::{self, Active};
use crate::app::App;
use crate::auth::{csrf, secrets};
use crate::http::assets;
use crate::http::conn;
use crate::http::page_error::PageError;
use crate::store::audit::Who;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::future::LocalBoxFuture;

/// What the base layout needs on every page.
pub struct Chrome {
    /// The public URL's path without its trailing slash ("" at the root).
    pub base: String,
    pub css: &'static str,
    pub js: &'static str,
    pub title: String,
    pub user: Option<ChromeUser>,
    pub csrf: String,
}

pub struct ChromeUser {
    pub username: String,
    pub display_name: String,
    pub admin: bool,
}

/// Anyone asking for a page: the app, where they come from, their session if
/// they have one, and the CSRF cookie value for visitors' forms.
pub struct Visitor {
    pub app: App,
    pub conn: conn::Conn,
    pub active: Option<Active>,
    anon_csrf: String,
    anon_csrf_is_new: bool,
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let app = req.app_data::<web::Data<App>>().map(|a| a.get_ref().clone());
        let req = req.clone();
        Box::pin(async move {
            let app = app.ok_or_else(|| PageError::internal("application state missing"))?;
            let conn = conn::of(&req, &app.config.trusted_proxies);
            let cookie = req.cookie(sessions::cookie_name(&app)).map(|c| c.value().to_string());
            let active = match cookie {
                Some(c) if c.len() < 128 => sessions::resolve(&app, &c).await?,
                _ => None,
            };
            let existing =
                req.cookie(sessions::csrf_cookie_name(&app)).map(|c| c.value().to_string()).filter(|v| v.len() == 43);
            let (anon_csrf, anon_csrf_is_new) = match existing {
                Some(v) => (v, false),
                None => (secrets::token(), true),
            };
            Ok(Visitor { app, conn, active, anon_csrf, anon_csrf_is_new })
        })
    }
}

impl Visitor {
    pub fn who(&self) -> Who {
        match &self.active {
            Some(a) => Who::user(a.user.id, &a.user.username, self.conn.ip.to_string()),
            None => Who::anonymous(self.conn.ip.to_string()),
        }
    }

    /// The layout data. `for_visitors` pages (sign-in, setup) carry the
    /// cookie-bound token, so they work whether or not a session is live.
    pub fn chrome(&self, title: &str, for_visitors: bool) -> Chrome {
        let csrf = match (&self.active, for_visitors) {
            (Some(a), false) => a.session.csrf.clone(),
            _ => self.anon_csrf.clone(),
        };
        Chrome {
            base: self.app.config.base_path().to_string(),
            css: assets::CSS_PATH.as_str(),
            js: assets::JS_PATH.as_str(),
            title: title.to_string(),
            user: self.active.as_ref().map(|a| ChromeUser {
                username: a.user.username.clone(),
                display_name: a.user.display_name.clone(),
                admin: a.user.admin,
            }),
            csrf,
        }
    }

    pub fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        let session = self.active.as_ref().map(|a| a.session.csrf.as_str());
        let cookie = (!self.anon_csrf_is_new).then_some(self.anon_csrf.as_str());
        if csrf::verify(token, session, cookie) { Ok(()) } else { Err(PageError::csrf()) }
    }

    fn cookie<'c>(&self, name: &'c str, value: String, same_site: SameSite) -> Cookie<'c> {
        Cookie::build(name, value)
            .path("/")
            .secure(self.app.config.secure_cookies())
            .http_only(true)
            .same_site(same_site)
            .finish()
    }

    pub fn session_cookie(&self, value: String) -> Cookie<'static> {
        self.cookie(sessions::cookie_name(&self.app), value, SameSite::Lax)
    }

    pub fn clear_session_cookie(&self) -> Cookie<'static> {
        let mut c = self.session_cookie(String::new());
        c.make_removal();
        c
    }

    fn finish(&self, mut b: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
        if self.anon_csrf_is_new {
            b.cookie(self.cookie(sessions::csrf_cookie_name(&self.app), self.anon_csrf.clone(), SameSite::Strict));
        }
        b
    }

    pub fn render(&self, status: StatusCode, view: &impl Template) -> HttpResponse {
        match view.render() {
            Ok(body) => self
                .finish(HttpResponse::build(status))
                .content_type("text/html; charset=utf-8")
                .insert_header(("Cache-Control", "no-store"))
                .body(body),
            Err(e) => actix_web::ResponseError::error_response(&PageError::internal(e)),
        }
    }

    /// 303 to an app path (a path under the public URL).
    pub fn redirect(&self, path: &str) -> HttpResponse {
        self.redirect_with(path, |_| {})
    }

    pub fn redirect_with(&self, path: &str, f: impl FnOnce(&mut actix_web::HttpResponseBuilder)) -> HttpResponse {
        let mut b = self.finish(HttpResponse::SeeOther());
        b.insert_header(("Location", self.app.config.url(path))).insert_header(("Cache-Control", "no-store"));
        f(&mut b);
        b.finish()
    }

    /// Sends a visitor without a session to sign in, coming back to `here`.
    pub fn to_login(&self, here: &str) -> HttpResponse {
        let q = serde_urlencoded::to_string([("return_to", here)]).unwrap_or_default();
        self.redirect(&format!("/login?{q}"))
    }
}
