//! Anyone asking for a page: the `Visitor` extractor (their session if
//! they have one, where they come from, the CSRF token for their forms),
//! the layout data every page gets (`Chrome`), the `Member` and `Admin`
//! gates that pages put in their signatures instead of checking by hand, and
//! `VisitorForm`, `MemberForm` and `AdminForm`, which read a posted form
//! (`T: HasCsrf`) only after the gate and refuse it without the right CSRF
//! token, so no handler can forget the check.

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
    /// The site's name (in the header, the title and the footer).
    pub site: String,
    /// The logo's path (`/site/logo.<hash>.<ext>`), when there is one.
    pub logo: Option<String>,
    /// The accent stylesheet's path (`/site/accent.<rrggbb>.css`), when an
    /// accent colour is set.
    pub accent_css: Option<String>,
    /// The page's words: `{{ c.t.t("key") }}` (see `i18n`).
    pub t: crate::i18n::Tr,
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
    /// The language of the pages this visitor sees (`http::lang::choose`).
    pub lang: crate::i18n::Lang,
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
            let lang = crate::http::lang::choose(&app, &req, active.as_ref().map(|a| a.user.id));
            Ok(Visitor { app, conn, active, lang, anon_csrf, anon_csrf_is_new })
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

    /// The site's identity in force (the admin's settings over the file's);
    /// the file's alone if the store cannot be read, so a page still shows.
    pub fn site(&self) -> crate::store::site::Site {
        crate::http::lang::site(&self.app)
    }

    /// The catalogue in this visitor's language.
    pub fn tr(&self) -> crate::i18n::Tr {
        crate::http::lang::tr(&self.app, self.lang)
    }

    /// The layout data, the title being a catalogue key. `for_visitors`
    /// pages (sign-in, setup) carry the cookie-bound token, so they work
    /// whether or not a session is live.
    pub fn chrome(&self, title_key: &str, for_visitors: bool) -> Chrome {
        let title = self.tr().t(title_key);
        self.chrome_titled(title, for_visitors)
    }

    /// The layout data with a title already in words.
    pub fn chrome_titled(&self, title: String, for_visitors: bool) -> Chrome {
        let csrf = match (&self.active, for_visitors) {
            (Some(a), false) => a.session.csrf.clone(),
            _ => self.anon_csrf.clone(),
        };
        let site = self.site();
        Chrome {
            site: site.name,
            logo: site.logo.map(|l| l.path()),
            accent_css: site.accent.map(crate::http::site::accent_path),
            base: self.app.config.base_path().to_string(),
            css: assets::CSS_PATH.as_str(),
            js: assets::JS_PATH.as_str(),
            title,
            t: self.tr(),
            user: self.active.as_ref().map(|a| ChromeUser {
                username: a.user.username.clone(),
                display_name: a.user.display_name.clone(),
                admin: a.user.admin,
            }),
            csrf,
        }
    }

    /// A signed-in form's token: with a session, only the session's token
    /// counts (the visitor cookie's token from before sign-in is refused, so
    /// a token planted before sign-in cannot ride the session); without
    /// one, the visitor cookie's.
    pub fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        let ok = match &self.active {
            Some(a) => csrf::verify(token, Some(a.session.csrf.as_str()), None),
            None => csrf::verify(token, None, self.visitor_cookie_token()),
        };
        if ok { Ok(()) } else { Err(PageError::csrf()) }
    }

    /// A visitors' form (sign-in, setup, reset, sign-out), rendered with the
    /// visitor cookie's token even to someone signed in ("switch user"):
    /// either token counts.
    pub fn check_visitor_csrf(&self, token: &str) -> Result<(), PageError> {
        let session = self.active.as_ref().map(|a| a.session.csrf.as_str());
        if csrf::verify(token, session, self.visitor_cookie_token()) { Ok(()) } else { Err(PageError::csrf()) }
    }

    fn visitor_cookie_token(&self) -> Option<&str> {
        (!self.anon_csrf_is_new).then_some(self.anon_csrf.as_str())
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

/// Where a request without a session goes: the sign-in page, coming back to
/// this path and query. A form post cannot be replayed by a redirect, and
/// most post routes have no page at their address, so those sign in
/// without a way back (and land on the account page).
fn sign_in_for(app: &App, req: &HttpRequest) -> PageError {
    if !matches!(*req.method(), actix_web::http::Method::GET | actix_web::http::Method::HEAD) {
        return PageError::sign_in(app.config.url("/login"));
    }
    let here = match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    };
    let q = serde_urlencoded::to_string([("return_to", here.as_str())]).unwrap_or_default();
    PageError::sign_in(app.config.url(&format!("/login?{q}")))
}

/// A visitor with a live session. Without one the request ends as a 303 to
/// `/login?return_to=<this path and query>` (a form post: to `/login`).
pub struct Member {
    visitor: Visitor,
    /// The live session and its member.
    pub active: Active,
}

impl Member {
    fn of(req: &HttpRequest, v: Visitor) -> Result<Member, PageError> {
        match v.active.clone() {
            Some(active) => Ok(Member { visitor: v, active }),
            None => Err(sign_in_for(&v.app, req)),
        }
    }
}

impl std::ops::Deref for Member {
    type Target = Visitor;

    fn deref(&self) -> &Visitor {
        &self.visitor
    }
}

impl FromRequest for Member {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move { Member::of(&req, visitor.await?) })
    }
}

/// A member who is an admin; other members get a 403 page, visitors
/// without a session go to sign in.
pub struct Admin(Member);

impl Admin {
    fn of(m: Member) -> Result<Admin, PageError> {
        if m.active.user.admin {
            Ok(Admin(m))
        } else {
            Err(PageError::forbidden(crate::i18n::Text::key("err-admins-only")))
        }
    }
}

impl std::ops::Deref for Admin {
    type Target = Member;

    fn deref(&self) -> &Member {
        &self.0
    }
}

impl FromRequest for Admin {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let member = Member::from_request(req, payload);
        Box::pin(async move { Admin::of(member.await?) })
    }
}

/// A posted form that carries a CSRF token in its `csrf` field.
pub trait HasCsrf {
    fn csrf(&self) -> &str;
}

/// `impl HasCsrf` for forms whose token is the field `csrf: String`.
#[macro_export]
macro_rules! has_csrf {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::http::visitor::HasCsrf for $t {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        }
    )*};
}

/// Reads the form (through `web::Form`, so the app's `FormConfig` applies)
/// once `who` is let in, and checks its token the way `Visitor::check_csrf`
/// does.
fn form_of<W: 'static, T: serde::de::DeserializeOwned + HasCsrf + 'static>(
    who: impl std::future::Future<Output = Result<W, PageError>> + 'static,
    check: fn(&W, &str) -> Result<(), PageError>,
    req: &HttpRequest,
    payload: &mut actix_web::dev::Payload,
) -> LocalBoxFuture<'static, Result<(W, T), actix_web::Error>> {
    let form = web::Form::<T>::from_request(req, payload);
    Box::pin(async move {
        let who = match who.await {
            Ok(w) => w,
            Err(refused) => {
                // Read the form anyway (within the form limit), so the answer
                // does not leave an unread body on a connection the client
                // will use again, which it would find closed under it.
                let _ = form.await;
                return Err(refused.into());
            }
        };
        let form = form.await?.into_inner();
        check(&who, form.csrf())?;
        Ok((who, form))
    })
}

/// A form post from anyone (sign-in, setup, password reset, sign-out), its
/// CSRF token checked: the session's or the visitor cookie's.
pub struct VisitorForm<T>(pub Visitor, pub T);

impl<T: serde::de::DeserializeOwned + HasCsrf + 'static> FromRequest for VisitorForm<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let f = form_of(Visitor::from_request(req, payload), Visitor::check_visitor_csrf, req, payload);
        Box::pin(async move { f.await.map(|(v, t)| VisitorForm(v, t)) })
    }
}

/// A form post from a member, its CSRF token checked; without a session,
/// the same redirect to sign in as `Member`.
pub struct MemberForm<T>(pub Member, pub T);

impl<T: serde::de::DeserializeOwned + HasCsrf + 'static> FromRequest for MemberForm<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let f = form_of(Member::from_request(req, payload), |m: &Member, t| m.visitor.check_csrf(t), req, payload);
        Box::pin(async move { f.await.map(|(m, t)| MemberForm(m, t)) })
    }
}

/// A form post from an admin, its CSRF token checked; refused like `Admin`.
pub struct AdminForm<T>(pub Admin, pub T);

impl<T: serde::de::DeserializeOwned + HasCsrf + 'static> FromRequest for AdminForm<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let f = form_of(Admin::from_request(req, payload), |a: &Admin, t| a.0.visitor.check_csrf(t), req, payload);
        Box::pin(async move { f.await.map(|(a, t)| AdminForm(a, t)) })
    }
}
