//! Sign-up on `/register`: closed by default, open when configured (with the
//! sign-in page's per-address limit), and an admin's one-time invite link
//! that works whatever the setting says.

use crate::harness::*;

/// The `value` of the element with this id in a page.
fn value_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\" readonly value=\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no #{id} in:\n{html}")) + marker.len();
    html[at..].split('"').next().unwrap().replace("&#x3D;", "=").replace("&amp;", "&")
}

/// Posts the sign-up form of `page_url` in `browser`.
fn sign_up(
    s: &Server,
    browser: &reqwest::blocking::Client,
    page_html: &str,
    invite: &str,
    fields: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let token = csrf(page_html);
    let mut form = vec![("csrf", token.as_str()), ("invite", invite)];
    form.extend_from_slice(fields);
    browser.post(s.url("/register")).form(&form).send().unwrap()
}

fn new_member<'a>(name: &'a str, password: &'a str, confirm: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![("username", name), ("display_name", ""), ("email", ""), ("password", password), ("password_confirm", confirm)]
}

#[test]
fn closed_registration_takes_an_admins_invite_once() {
    let s = Server::start();
    let r = s.client().get(s.url("/register")).send().unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("Registration is closed"));
    let login = s.client().get(s.url("/login")).send().unwrap().text().unwrap();
    assert!(!login.contains("/register"), "no sign-up link while closed");

    // The admin makes an invite link; it is shown once.
    let admin = setup_admin(&s, "root");
    let users = admin.get(s.url("/admin/users")).send().unwrap().text().unwrap();
    assert!(users.contains("New invite link"));
    let r = admin.post(s.url("/admin/users/invite")).form(&[("csrf", "forged")]).send().unwrap();
    assert_eq!(r.status(), 403);
    let r = admin.post(s.url("/admin/users/invite")).form(&[("csrf", csrf(&users).as_str())]).send().unwrap();
    assert_eq!(r.status(), 200);
    let link = value_of(&r.text().unwrap(), "invite-link");
    assert!(link.starts_with(&s.url("/register?invite=")), "{link}");
    let invite = link.split("invite=").nth(1).unwrap().to_string();
    let again = admin.get(s.url("/admin/users")).send().unwrap().text().unwrap();
    assert!(!again.contains(&invite), "shown once");

    // The invited person: readable errors, then an account and a session.
    let browser = s.client();
    let page = browser.get(&link).send().unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    assert!(html.contains("You were invited"));
    let r = sign_up(&s, &browser, &html, &invite, &new_member("newbie", PASSWORD, "something else"));
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("The two passwords differ."));
    let r = sign_up(&s, &browser, &html, &invite, &new_member("x", PASSWORD, PASSWORD));
    assert!(r.text().unwrap().contains("Must be 2 to 32 characters long."));
    let r = sign_up(&s, &browser, &html, &invite, &new_member("root", PASSWORD, PASSWORD));
    assert!(r.text().unwrap().contains("This username is taken"));
    let r = sign_up(&s, &browser, &html, &invite, &new_member("newbie", "short", "short"));
    assert!(r.text().unwrap().contains("at least 10 characters"));
    let r = sign_up(&s, &browser, &html, &invite, &new_member("newbie", PASSWORD, PASSWORD));
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), s.url("/account"));
    let account = browser.get(s.url("/account")).send().unwrap().text().unwrap();
    assert!(account.contains("id=\"account-username\">newbie<") && account.contains("Member<"), "{account}");

    // Used once: the link and its form both fail after that, readably.
    let r = s.client().get(&link).send().unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("This invite link is not valid"));
    let other = s.client();
    let r = sign_up(&s, &other, &html, &invite, &new_member("second", PASSWORD, PASSWORD));
    assert_eq!(r.status(), 403, "no CSRF cookie in a fresh browser");
    let page = other.get(s.url("/login")).send().unwrap().text().unwrap();
    let r = sign_up(&s, &other, &page, &invite, &new_member("second", PASSWORD, PASSWORD));
    assert_eq!(r.status(), 400);
    assert_eq!(sign_in(&s, &s.client(), "newbie", PASSWORD, "/account").status(), 303);

    let audit = admin.get(s.url("/admin/audit?action=user.")).send().unwrap().text().unwrap();
    assert!(audit.contains("user.invite") && audit.contains("user.signup"), "{audit}");
}

#[test]
fn open_registration_signs_up_under_the_sign_in_limit() {
    let s =
        Server::start_with(&[("LATCHKEY_REGISTRATION", "open"), ("LATCHKEY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "3")]);
    let browser = s.client();
    let login = browser.get(s.url("/login")).send().unwrap().text().unwrap();
    assert!(login.contains("id=\"register-link\""), "the sign-in page offers sign-up");
    let html = browser.get(s.url("/register")).send().unwrap().text().unwrap();
    assert!(html.contains("Create an account"));
    let r = sign_up(&s, &browser, &html, "", &new_member("opal", PASSWORD, PASSWORD));
    assert_eq!(r.status(), 303);
    let other = s.client();
    let html = other.get(s.url("/register")).send().unwrap().text().unwrap();
    let r = sign_up(&s, &other, &html, "", &new_member("opal", PASSWORD, PASSWORD));
    assert!(r.text().unwrap().contains("This username is taken"));
    let mut bad_email = new_member("onyx", PASSWORD, PASSWORD);
    bad_email[2] = ("email", "not-an-address");
    let r = sign_up(&s, &other, &html, "", &bad_email);
    assert!(r.text().unwrap().contains("Is not an e-mail address."));
    // The fourth attempt from this address in a minute, like a sign-in.
    let r = sign_up(&s, &other, &html, "", &new_member("onyx", PASSWORD, PASSWORD));
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().unwrap().contains("Too many attempts"));
    assert_eq!(sign_in(&s, &s.client(), "opal", PASSWORD, "/account").status(), 429, "one budget for both");

    // Invite-only: the page says an invite is needed.
    drop(s);
    let s = Server::start_with(&[("LATCHKEY_REGISTRATION", "invite")]);
    let r = s.client().get(s.url("/register")).send().unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().unwrap().contains("takes an invite link"));
    let r = s.client().get(s.url("/register?invite=made-up")).send().unwrap();
    assert_eq!(r.status(), 400);
}
