//! Headless Chromium through the admin console and the member's
//! Applications page, with screenshots of each page at desktop and phone
//! widths under `target/screenshots/`.

use crate::browser::{browser, shot, start_driver, tools};
use crate::harness::*;
use crate::oauth1_client::{Consumer, Method, Place, me as oauth1_me, three_legged};
use crate::webdriver::Browser;
use serde_json::Value;

/// Screenshots at 1280 and 360 px, and no sideways scrolling on the phone.
fn both_widths(b: &Browser, name: &str) {
    b.resize(1280, 900);
    shot(b, &format!("{name}-desktop"));
    b.resize(360, 780);
    shot(b, &format!("{name}-phone"));
    let width = b.execute("return document.documentElement.scrollWidth");
    assert!(width.as_u64().unwrap() <= 360, "{name}: the page fits a phone ({width})");
    b.resize(1280, 900);
}

fn value(b: &Browser, id: &str) -> String {
    b.execute(&format!("return document.getElementById('{id}').value")).as_str().unwrap().to_string()
}

#[test]
fn browser_admin_registers_applications_and_revokes_grants() {
    let Some((chromium, driver_path)) = tools() else {
        return;
    };
    let s = Server::start();
    setup_admin(&s, "root");
    assert!(
        s.cli(&["user", "add", "eve", "--display-name", "Eve", "--password-stdin"], Some(PASSWORD)).status.success()
    );
    let driver = start_driver(&driver_path);
    let profile = tempfile::tempdir().unwrap();
    let b = browser(&chromium, &driver, &s.dir, profile.path(), 1280, 900);
    b.goto(&s.url("/login?return_to=/admin"));
    b.fill("#username", "root");
    b.fill("#password", PASSWORD);
    b.click("button[type=submit].primary");
    b.find("#count-members");
    both_widths(&b, "20-admin-dashboard");

    // Register an OAuth 2.0 application and copy its secret.
    b.goto(&s.url("/admin/clients/new"));
    both_widths(&b, "21-admin-new-application");
    b.fill("#name", "Garden Planner");
    b.fill("#homepage", "https://garden.example");
    b.fill("#redirect_uris", "https://garden.example/cb");
    b.click("input[name=grant][value=password]");
    b.fill("#scopes", "profile read");
    b.click("#register");
    b.find("#client_secret");
    let client_id = value(&b, "client_id");
    let secret = value(&b, "client_secret");
    b.click("button.copy[data-copy=client_secret]");
    // The clipboard answers asynchronously: give the script a moment.
    let copied = b.wait_text("button.copy[data-copy=client_secret]", "Copied");
    assert_eq!(copied, "Copied", "the copy button's script runs under the CSP");
    both_widths(&b, "22-admin-credentials");

    // Register an OAuth 1.0a consumer too.
    b.goto(&s.url("/admin/clients/new"));
    b.fill("#name", "Old Desktop App");
    b.click("#oauth2");
    b.click("#oauth1");
    b.fill("#callback", "https://desk.example/ready");
    b.click("#register");
    b.find("#consumer_secret");
    let consumer = Consumer { key: value(&b, "consumer_key"), secret: value(&b, "consumer_secret"), client_id: None };
    assert!(!consumer.key.is_empty() && !consumer.secret.is_empty());
    assert!(!b.exists_id("client_secret"), "no OAuth 2.0 part");
    b.goto(&s.url("/admin/clients"));
    assert!(b.source().contains("Old Desktop App") && b.source().contains("Garden Planner"));
    both_widths(&b, "23-admin-applications");

    // A real client gets a token with the copied secret.
    let http = s.client();
    let t: Value = http
        .post(s.url("/oauth2/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "password"), ("username", "eve"), ("password", PASSWORD)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let access = t["access_token"].as_str().unwrap().to_string();
    assert_eq!(http.get(s.url("/api/v1/me")).bearer_auth(&access).send().unwrap().status(), 200);

    // And a real OAuth 1.0a client with the copied consumer credentials.
    let m = Method::HmacSha1;
    let tok1 = three_legged(&s, &http, &m, &consumer, "eve", "https://desk.example/ready");
    assert_eq!(oauth1_me(&s, &http, &m, &consumer, &tok1, Place::Header).status, 200);

    // The admin sees the grants and revokes them: the next calls fail.
    b.goto(&s.url("/admin/tokens?application=desktop"));
    b.click("#grants-table tbody a");
    b.click("#revoke-grant");
    b.find(".notice");
    assert_eq!(oauth1_me(&s, &http, &m, &consumer, &tok1, Place::Header).status, 401);
    b.goto(&s.url("/admin/tokens?application=garden"));
    both_widths(&b, "24-admin-tokens");
    b.click("#grants-table tbody a");
    b.find("#revoke-grant");
    both_widths(&b, "25-admin-grant");
    b.click("#revoke-grant");
    b.find(".notice");
    assert_eq!(http.get(s.url("/api/v1/me")).bearer_auth(&access).send().unwrap().status(), 401);

    b.goto(&s.url("/admin/users"));
    both_widths(&b, "26-admin-members");
    b.goto(&s.url("/admin/audit"));
    assert!(b.source().contains("grant.revoke"));
    both_widths(&b, "27-admin-audit");

    // The member revokes an application on their Applications page.
    let t: Value = http
        .post(s.url("/oauth2/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "password"), ("username", "eve"), ("password", PASSWORD)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let access = t["access_token"].as_str().unwrap().to_string();
    let member_profile = tempfile::tempdir().unwrap();
    let m = browser(&chromium, &driver, &s.dir, member_profile.path(), 1280, 900);
    m.goto(&s.url("/login?return_to=/account/applications"));
    m.fill("#username", "eve");
    m.fill("#password", PASSWORD);
    m.click("button[type=submit].primary");
    assert!(m.wait_text("main", "Garden Planner").contains("Garden Planner"));
    both_widths(&m, "28-account-applications");
    m.click("button.danger");
    assert!(m.wait_text(".notice", "no longer has access").contains("Garden Planner no longer has access"));
    assert_eq!(http.get(s.url("/api/v1/me")).bearer_auth(&access).send().unwrap().status(), 401);
}
