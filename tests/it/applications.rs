//! The member's Applications page and `/api/v1/me/applications`: what has
//! access, and revoking it ends every token at once.

use crate::harness::*;
use serde_json::Value;

#[test]
fn member_sees_and_revokes_applications_on_the_page_and_through_the_api() {
    let s = Server::start();
    add_member(&s, "rita");
    let (a_id, a_secret) = register(
        &s,
        &[
            "--name",
            "Recipe Box",
            "--homepage",
            "https://recipes.example",
            "--grant",
            "password",
            "--scope",
            "profile",
            "--scope",
            "posts:read",
        ],
    );
    let a_secret = a_secret.unwrap();
    let (b_id, b_secret) = register(
        &s,
        &["--name", "Tidy Manager", "--grant", "password", "--scope", "profile", "--scope", "applications"],
    );
    let b_secret = b_secret.unwrap();
    let a_token = password_token(&s, &a_id, &a_secret, "rita");
    let b_token = password_token(&s, &b_id, &b_secret, "rita");
    let http = s.client();
    assert_eq!(http.get(s.url("/api/v1/me")).bearer_auth(&a_token).send().unwrap().status(), 200);

    // The page lists both, with scopes in plain words.
    let browser = s.client();
    assert_eq!(sign_in(&s, &browser, "rita", PASSWORD, "/account/applications").status(), 303);
    let html = browser.get(s.url("/account/applications")).send().unwrap().text().unwrap();
    assert!(html.contains("Recipe Box") && html.contains("Tidy Manager"), "{html}");
    assert!(html.contains("https://recipes.example"));
    assert!(html.contains("(posts:read)"));

    // Revoke needs the CSRF token, then kills the application's tokens at once.
    let r = browser
        .post(s.url("/account/applications/revoke"))
        .form(&[("csrf", "nope"), ("client_id", a_id.as_str())])
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = browser
        .post(s.url("/account/applications/revoke"))
        .form(&[("csrf", csrf(&html).as_str()), ("client_id", a_id.as_str()), ("name", "Recipe Box")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = browser.get(s.url(&location(&r).replace(&s.base, ""))).send().unwrap().text().unwrap();
    assert!(page.contains("Recipe Box no longer has access"));
    assert_eq!(http.get(s.url("/api/v1/me")).bearer_auth(&a_token).send().unwrap().status(), 401);

    // Through the API with the `applications` scope.
    let list: Value = http.get(s.url("/api/v1/me/applications")).bearer_auth(&b_token).send().unwrap().json().unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["name"], "Tidy Manager");
    assert!(list["next_cursor"].is_null());
    let r = http
        .get(s.url("/api/v1/me/applications"))
        .bearer_auth(password_token(&s, &a_id, &a_secret, "rita"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403, "needs the applications scope");
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("insufficient_scope"));
    let r = http.delete(s.url("/api/v1/me/applications/no-such-app")).bearer_auth(&b_token).send().unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = http.delete(s.url(&format!("/api/v1/me/applications/{b_id}"))).bearer_auth(&b_token).send().unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(
        http.get(s.url("/api/v1/me")).bearer_auth(&b_token).send().unwrap().status(),
        401,
        "its own token died too"
    );
}

/// Hardening: no page says words taken from its URL. The old free-text
/// parameters (`?revoked=`, `?notice=`) are ignored, and a notice key names
/// things by id, read from the store.
#[test]
fn pages_never_echo_a_sentence_from_the_url() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    add_member(&s, "rita");
    let browser = s.client();
    assert_eq!(sign_in(&s, &browser, "rita", PASSWORD, "/account").status(), 303);
    let lure = "Your account is locked. Call +1 555 0100 now";
    let q = serde_urlencoded::to_string([("revoked", lure), ("notice", lure)]).unwrap();
    let page = browser.get(s.url(&format!("/account/applications?{q}"))).send().unwrap().text().unwrap();
    assert!(!page.contains("Call +1 555"), "{page}");
    for path in ["/admin/users", "/admin/clients", "/admin/tokens"] {
        let q = serde_urlencoded::to_string([("notice", lure), ("done", lure)]).unwrap();
        let r = admin.get(s.url(&format!("{path}?{q}"))).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(!r.text().unwrap().contains("Call +1 555"), "{path}");
    }
    // A key with an id: the name comes from the store.
    let (id, _) = register(&s, &["--name", "Recipe Box", "--grant", "client_credentials", "--scope", "profile"]);
    let show = admin.get(s.url("/admin/clients")).send().unwrap().text().unwrap();
    assert!(show.contains("Recipe Box"));
    let numeric = s.cli(&["client", "show", &id, "--json"], None);
    let numeric = json(&numeric)["id"].as_str().unwrap().to_string();
    let page = admin.get(s.url(&format!("/admin/clients/{numeric}?done=app_saved&id={numeric}"))).send().unwrap();
    assert!(page.text().unwrap().contains("Saved Recipe Box."));
    let page = admin.get(s.url("/admin/clients?done=app_saved&id=999")).send().unwrap();
    assert!(!page.text().unwrap().contains("Saved"), "an id that names nothing says nothing");
}

/// Hardening (RFC 9700 §4.14.2, RFC 6819 §5.2.2.3): a new password (on the
/// account page, by an admin, or through a reset link) and disabling a
/// member end every OAuth 2.0 and OAuth 1.0a token of every application the
/// member authorized, and the page says so.
#[test]
fn security_events_end_the_members_tokens() {
    use crate::oauth1_client::{Method, Place, me as oauth1_me, register_consumer, three_legged};
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    add_member(&s, "kim");
    let (id, secret) = register(&s, &["--name", "Phone", "--grant", "password", "--scope", "profile"]);
    let secret = secret.unwrap();
    let consumer = register_consumer(&s, &["--name", "Reader", "--callback", "https://reader.example/cb"]);
    let http = s.client();
    let m = Method::HmacSha1;
    let bearer = |password: &str| -> String {
        let v: Value = http
            .post(s.url("/oauth2/token"))
            .basic_auth(&id, Some(&secret))
            .form(&[("grant_type", "password"), ("username", "kim"), ("password", password)])
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["access_token"].as_str().unwrap_or_else(|| panic!("{v}")).to_string()
    };
    let both = || (bearer(PASSWORD), three_legged(&s, &http, &m, &consumer, "kim", "https://reader.example/cb"));
    let dead = |(o2, o1): &(String, (String, String)), event: &str| {
        assert_eq!(me_status(&s, o2), 401, "OAuth 2.0 token after {event}");
        assert_eq!(
            oauth1_me(&s, &http, &m, &consumer, o1, Place::Header).status,
            401,
            "OAuth 1.0a token after {event}"
        );
    };

    // An admin sets a new password on the command line.
    let tokens = both();
    assert_eq!(me_status(&s, &tokens.0), 200);
    let out = s.cli(&["user", "passwd", "kim", "--password-stdin"], Some(PASSWORD));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dead(&tokens, "user passwd");

    // The member changes it on the account page, which says what ended.
    let tokens = both();
    let browser = s.client();
    assert_eq!(sign_in(&s, &browser, "kim", PASSWORD, "/account").status(), 303);
    let page = browser.get(s.url("/account")).send().unwrap().text().unwrap();
    let new = "a brand new passphrase";
    let r = browser
        .post(s.url("/account/password"))
        .form(&[("csrf", csrf(&page).as_str()), ("current", PASSWORD), ("new", new), ("confirm", new)])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    dead(&tokens, "a password change");
    let page = browser.get(s.url(&location(&r).replace(&s.base, ""))).send().unwrap().text().unwrap();
    assert!(page.contains("applications you authorized lost their access"), "{page}");

    // A reset link the admin hands over, used by the member.
    let o2 = bearer(new);
    let users = admin.get(s.url("/admin/users")).send().unwrap().text().unwrap();
    let r = admin
        .post(s.url("/admin/users/kim/action"))
        .form(&[("csrf", csrf(&users).as_str()), ("do", "reset")])
        .send()
        .unwrap();
    let html = r.text().unwrap();
    assert!(html.contains("ends their sessions and their applications"), "{html}");
    let link = html.split("id=\"reset-link\" readonly value=\"").nth(1).unwrap().split('"').next().unwrap();
    let link = link.replace("&#x3D;", "=");
    let member = s.client();
    let reset_html = member.get(&link).send().unwrap().text().unwrap();
    let r = member
        .post(s.url("/reset"))
        .form(&[
            ("csrf", csrf(&reset_html).as_str()),
            ("token", link.split("token=").nth(1).unwrap()),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(me_status(&s, &o2), 401, "OAuth 2.0 token after a reset");

    // Disabling the member.
    let tokens = both();
    let out = s.cli(&["user", "disable", "kim"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dead(&tokens, "user disable");
    let out = s.cli(&["user", "enable", "kim"], None);
    assert!(out.status.success());
    dead(&tokens, "enabling again");
}
