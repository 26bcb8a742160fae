//! The consent page both protocols show (`templates/consent.html`): which
//! application, what it may do, and a form that posts the decision back to
//! the protocol's own authorization endpoint. Also the answer's
//! Content-Security-Policy, which must let that form end in a redirect to
//! the application.

use super::Chrome;
use actix_web::HttpResponse;
use actix_web::http::header::{CONTENT_SECURITY_POLICY, HeaderValue};
use askama::Template;

#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentView {
    pub c: Chrome,
    /// Where the decision is posted, under the public URL's path
    /// (`/oauth2/authorize` or `/oauth1/authorize`).
    pub action: &'static str,
    pub name: String,
    pub description: String,
    pub homepage: String,
    pub scopes: Vec<(String, String)>,
    pub hidden: Vec<(String, String)>,
    pub switch_url: String,
}

/// Widens `form-action` by the origin (or custom scheme) of `target`, where
/// the approval's redirect goes: browsers check a form's redirects too.
pub fn allow_redirect_to(r: &mut HttpResponse, target: &str) {
    let dest = match url::Url::parse(target) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u.origin().ascii_serialization(),
        Ok(u) => format!("{}:", u.scheme()),
        Err(_) => return,
    };
    let csp = crate::http::headers::CSP.replace("form-action 'self'", &format!("form-action 'self' {dest}"));
    if let Ok(h) = HeaderValue::from_str(&csp) {
        r.headers_mut().insert(CONTENT_SECURITY_POLICY, h);
    }
}
