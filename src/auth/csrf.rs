//! CSRF tokens. A signed-in page carries its session's token (synchronizer
//! token); a page for visitors (sign-in, setup) carries the value of a
//! `__Host-` cookie that only this origin can set (double submit). A form is
//! accepted when its token matches one the caller offers: signed-in forms
//! offer only the session's (see `http::visitor`).

use super::secrets::constant_time_eq;

pub fn verify(form_token: &str, session_token: Option<&str>, cookie_token: Option<&str>) -> bool {
    if form_token.len() < 32 {
        return false;
    }
    let matches = |t: Option<&str>| t.is_some_and(|t| constant_time_eq(t.as_bytes(), form_token.as_bytes()));
    matches(session_token) || matches(cookie_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_either_and_refuses_missing_or_short() {
        let t = "a".repeat(43);
        assert!(verify(&t, Some(&t), None));
        assert!(verify(&t, None, Some(&t)));
        assert!(!verify(&t, None, None));
        assert!(!verify("", Some(""), Some("")));
        assert!(!verify(&t, Some(&"b".repeat(43)), Some("c")));
    }
}
