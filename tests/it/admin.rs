//! The admin console's member and audit pages: each action, each refusal.

use crate::harness::*;

fn page(c: &reqwest::blocking::Client, s: &Server, path: &str) -> (u16, String) {
    let r = c.get(s.url(path)).send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

fn act(
    c: &reqwest::blocking::Client,
    s: &Server,
    user: &str,
    what: &str,
    csrf_token: &str,
) -> reqwest::blocking::Response {
    c.post(s.url(&format!("/admin/users/{user}/action"))).form(&[("csrf", csrf_token), ("do", what)]).send().unwrap()
}

#[test]
fn admin_pages_are_for_admins_only() {
    let s = Server::start();
    setup_admin(&s, "root");
    add_member(&s, "max");
    let anon = s.client();
    let r = anon.get(s.url("/admin/users")).send().unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).contains("/login?return_to=%2Fadmin%2Fusers"));
    let member = s.client();
    assert_eq!(sign_in(&s, &member, "max", PASSWORD, "/account").status(), 303);
    for p in [
        "/admin",
        "/admin/users",
        "/admin/users/new",
        "/admin/audit",
        "/admin/audit/export?format=csv",
        "/admin/users/root/delete",
    ] {
        let (st, body) = page(&member, &s, p);
        assert_eq!(st, 403, "{p}");
        assert!(body.contains("This page is for the site"), "{body}");
    }
    let html = member.get(s.url("/account")).send().unwrap().text().unwrap();
    let r = act(&member, &s, "root", "disable", &csrf(&html));
    assert_eq!(r.status(), 403);
}

#[test]
fn admin_manages_members() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    let (st, dash) = page(&admin, &s, "/admin");
    assert_eq!(st, 200);
    assert!(dash.contains("id=\"count-members\">1<"), "{dash}");

    // Creating: bad input keeps the form, then success.
    let (_, form) = page(&admin, &s, "/admin/users/new");
    let token = csrf(&form);
    let r = admin
        .post(s.url("/admin/users/new"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "jo"),
            ("display_name", "Jo Kept"),
            ("email", "not-an-email"),
            ("password", PASSWORD),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().unwrap();
    assert!(body.contains("Is not an e-mail address") && body.contains("value=\"Jo Kept\""), "{body}");
    let r = admin
        .post(s.url("/admin/users/new"))
        .form(&[("csrf", ""), ("username", "jo"), ("password", PASSWORD)])
        .send()
        .unwrap();
    assert_eq!(r.status(), 403, "no CSRF token");
    let r = admin
        .post(s.url("/admin/users/new"))
        .form(&[("csrf", token.as_str()), ("username", "jo"), ("email", "jo@example.org"), ("password", PASSWORD)])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, list) = page(&admin, &s, "/admin/users?q=jo");
    assert!(list.contains(">jo<") && !list.contains(">root<"), "search narrows the list");

    // Disable / enable, make and unmake admin; the last admin stays.
    assert_eq!(act(&admin, &s, "jo", "disable", &token).status(), 303);
    assert_eq!(sign_in(&s, &s.client(), "jo", PASSWORD, "/").status(), 401);
    assert_eq!(act(&admin, &s, "jo", "enable", &token).status(), 303);
    assert_eq!(sign_in(&s, &s.client(), "jo", PASSWORD, "/").status(), 303);
    let r = act(&admin, &s, "root", "unmake_admin", &token);
    assert_eq!(r.status(), 409, "never the last admin");
    assert!(r.text().unwrap().contains("without an enabled admin"));
    assert_eq!(act(&admin, &s, "jo", "make_admin", &token).status(), 303);
    assert_eq!(act(&admin, &s, "jo", "unmake_admin", &token).status(), 303);

    // A one-time reset link: the member chooses a new password with it, once.
    let r = act(&admin, &s, "jo", "reset", &token);
    assert_eq!(r.status(), 200);
    let html = r.text().unwrap();
    let link = html
        .split("id=\"reset-link\" readonly value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#x3D;", "=");
    let member = s.client();
    let reset_page = member.get(&link).send().unwrap();
    assert_eq!(reset_page.status(), 200);
    let reset_html = reset_page.text().unwrap();
    let link_token = link.split("token=").nth(1).unwrap();
    let r = member
        .post(s.url("/reset"))
        .form(&[
            ("csrf", csrf(&reset_html).as_str()),
            ("token", link_token),
            ("password", "brand new secret"),
            ("confirm", "brand new secret"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(member.get(&link).send().unwrap().status(), 400, "used once");
    assert_eq!(sign_in(&s, &s.client(), "jo", PASSWORD, "/").status(), 401);
    assert_eq!(sign_in(&s, &s.client(), "jo", "brand new secret", "/").status(), 303);

    // Delete with a confirmation that says what goes.
    let (st, confirm) = page(&admin, &s, "/admin/users/jo/delete");
    assert_eq!(st, 200);
    assert!(confirm.contains("id=\"delete-grants\">0<"));
    assert_eq!(
        admin.post(s.url("/admin/users/jo/delete")).form(&[("csrf", token.as_str())]).send().unwrap().status(),
        303
    );
    assert_eq!(page(&admin, &s, "/admin/users/jo/delete").0, 404);

    // The audit log saw it all; filters, paging and export work.
    let (st, audit) = page(&admin, &s, "/admin/audit?action=user.");
    assert_eq!(st, 200);
    for action in
        ["user.create", "user.disable", "user.enable", "user.admin.grant", "user.password_reset", "user.delete"]
    {
        assert!(audit.contains(action), "{action} in the log");
    }
    assert!(!audit.contains("login.success"), "filtered by action prefix");
    assert_eq!(page(&admin, &s, "/admin/audit?from=yesterday").0, 400);
    let csv = admin.get(s.url("/admin/audit/export?format=csv&action=user.delete")).send().unwrap();
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = csv.text().unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains("user.delete,jo"));
    let jsonl = admin.get(s.url("/admin/audit/export?format=jsonl&target=jo")).send().unwrap().text().unwrap();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["target"].as_str().unwrap().contains("jo"));
    }
    assert!(jsonl.lines().count() >= 6);
}

#[test]
fn admin_reviews_and_revokes_grants_and_tokens() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    add_member(&s, "kim");
    let (id, secret) =
        register(&s, &["--name", "Tally", "--grant", "password", "--grant", "refresh_token", "--scope", "profile"]);
    let (id, secret) = (id.as_str(), secret.as_deref().unwrap());
    let http = s.client();
    let t: serde_json::Value = http
        .post(s.url("/oauth2/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "password"), ("username", "kim"), ("password", PASSWORD)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let access = t["access_token"].as_str().unwrap();
    let refresh = t["refresh_token"].as_str().unwrap();

    let (st, list) = page(&admin, &s, "/admin/tokens?application=tally&protocol=oauth2&state=active");
    assert_eq!(st, 200);
    assert!(list.contains(">Tally<") && list.contains(">kim<"), "{list}");
    assert!(!page(&admin, &s, "/admin/tokens?protocol=oauth1").1.contains(">Tally<"));
    let grant = list.split("/admin/tokens/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let (st, detail) = page(&admin, &s, &format!("/admin/tokens/{grant}"));
    assert_eq!(st, 200);
    assert!(detail.contains("OAuth 2.0 access token") && detail.contains("OAuth 2.0 refresh token"));
    assert!(!detail.contains(access) && !detail.contains(refresh), "never the token itself");

    // Revoke the access token alone: the refresh token still works.
    let rows: Vec<&str> = detail.split("<tr>").filter(|r| r.contains("OAuth 2.0 access token")).collect();
    let token_id = rows[0].split("name=\"token\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let token = csrf(&detail);
    let r = admin
        .post(s.url(&format!("/admin/tokens/{grant}/revoke-token")))
        .form(&[("csrf", token.as_str()), ("token", token_id)])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(http.get(s.url("/api/v1/me")).bearer_auth(access).send().unwrap().status(), 401);
    let r: serde_json::Value = http
        .post(s.url("/oauth2/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let access2 = r["access_token"].as_str().unwrap();
    assert_eq!(http.get(s.url("/api/v1/me")).bearer_auth(access2).send().unwrap().status(), 200);

    // Revoke the grant: everything under it dies; missing CSRF is refused.
    assert_eq!(
        admin.post(s.url(&format!("/admin/tokens/{grant}/revoke"))).form(&[("csrf", "x")]).send().unwrap().status(),
        403
    );
    let r =
        admin.post(s.url(&format!("/admin/tokens/{grant}/revoke"))).form(&[("csrf", token.as_str())]).send().unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(http.get(s.url("/api/v1/me")).bearer_auth(access2).send().unwrap().status(), 401);
    assert_eq!(page(&admin, &s, &format!("/admin/tokens/{grant}")).0, 404);
    let (_, dash) = page(&admin, &s, "/admin");
    assert!(dash.contains("id=\"count-grants\">0<"));
}

fn field(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\" readonly value=\"");
    html.split(&marker).nth(1).unwrap_or_else(|| panic!("no {id} in {html}")).split('"').next().unwrap().to_string()
}

#[test]
fn admin_registers_rotates_disables_and_deletes_applications() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    let (st, form) = page(&admin, &s, "/admin/clients/new");
    assert_eq!(st, 200);
    let token = csrf(&form);
    let post = |body: &[(&str, &str)]| admin.post(s.url("/admin/clients/new")).form(body).send().unwrap();

    // Bad input keeps the form and names the field.
    let r = post(&[
        ("csrf", &token),
        ("name", "Keeps Its Name"),
        ("oauth2", "1"),
        ("redirect_uris", "http://example.com/cb"),
        ("client_type", "confidential"),
        ("grant", "authorization_code"),
    ]);
    assert_eq!(r.status(), 400);
    let body = r.text().unwrap();
    assert!(body.contains("value=\"Keeps Its Name\"") && body.contains("id=\"redirect-error\""), "{body}");
    let r = post(&[("csrf", &token), ("name", "Nothing")]);
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("Choose OAuth 2.0, OAuth 1.0a, or both"));
    assert_eq!(post(&[("csrf", "bad"), ("name", "x"), ("oauth2", "1")]).status(), 403);

    // Both protocols at once; the secrets show once.
    let r = post(&[
        ("csrf", &token),
        ("name", "Gallery"),
        ("homepage", "https://gallery.example"),
        ("oauth2", "1"),
        ("redirect_uris", "https://gallery.example/cb"),
        ("client_type", "confidential"),
        ("grant", "client_credentials"),
        ("grant", "authorization_code"),
        ("scopes", "read"),
        ("token_format", "opaque"),
        ("signing_alg", "EdDSA"),
        ("pkce_required", "1"),
        ("oauth1", "1"),
        ("callback", "oob"),
        ("signature_method", "HMAC-SHA1"),
    ]);
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let creds = r.text().unwrap();
    let client_id = field(&creds, "client_id");
    let secret = field(&creds, "client_secret");
    assert!(!field(&creds, "consumer_key").is_empty() && !field(&creds, "consumer_secret").is_empty());
    let http = s.client();
    let tok = |secret: &str| {
        http.post(s.url("/oauth2/token"))
            .basic_auth(&client_id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .unwrap()
    };
    assert_eq!(tok(&secret).status(), 200);
    let (_, list) = page(&admin, &s, "/admin/clients?q=gall&protocol=oauth1&status=enabled&type=confidential");
    assert!(list.contains(">Gallery<"), "{list}");
    assert!(!page(&admin, &s, "/admin/clients?status=disabled").1.contains(">Gallery<"));
    let id = list
        .split("/admin/clients/")
        .find(|p| p.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (_, detail) = page(&admin, &s, &format!("/admin/clients/{id}"));
    assert!(!detail.contains(&secret), "never shown again");

    // Edit keeps the credentials; bad input keeps the form.
    let (st, edit) = page(&admin, &s, &format!("/admin/clients/{id}/edit"));
    assert_eq!(st, 200);
    assert!(edit.contains("value=\"Gallery\"") && edit.contains("https://gallery.example/cb"));
    let save = |name: &str, redirect: &str| {
        admin
            .post(s.url(&format!("/admin/clients/{id}/edit")))
            .form(&[
                ("csrf", token.as_str()),
                ("name", name),
                ("oauth2", "1"),
                ("redirect_uris", redirect),
                ("client_type", "confidential"),
                ("grant", "client_credentials"),
                ("grant", "authorization_code"),
                ("scopes", "read"),
                ("token_format", "opaque"),
                ("signing_alg", "EdDSA"),
                ("pkce_required", "1"),
                ("oauth1", "1"),
                ("callback", "oob"),
                ("signature_method", "HMAC-SHA1"),
            ])
            .send()
            .unwrap()
    };
    let r = save("Gallery Two", "javascript:alert(1)");
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("value=\"Gallery Two\""));
    assert_eq!(save("Gallery Two", "https://gallery.example/cb2").status(), 303);
    let (_, detail) = page(&admin, &s, &format!("/admin/clients/{id}"));
    assert!(detail.contains("Gallery Two") && detail.contains("https://gallery.example/cb2"));
    assert_eq!(tok(&secret).status(), 200, "credentials unchanged by an edit");

    // Rotate: the old secret stops working.
    let r = admin.post(s.url(&format!("/admin/clients/{id}/rotate"))).form(&[("csrf", token.as_str())]).send().unwrap();
    let fresh = field(&r.text().unwrap(), "client_secret");
    assert_eq!(tok(&secret).status(), 401);
    assert_eq!(tok(&fresh).status(), 200);

    // Disable, enable.
    let r = admin
        .post(s.url(&format!("/admin/clients/{id}/enabled")))
        .form(&[("csrf", token.as_str()), ("enabled", "0")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(tok(&fresh).json::<serde_json::Value>().unwrap()["error"], "unauthorized_client");
    admin
        .post(s.url(&format!("/admin/clients/{id}/enabled")))
        .form(&[("csrf", token.as_str()), ("enabled", "1")])
        .send()
        .unwrap();
    let live = tok(&fresh).json::<serde_json::Value>().unwrap()["access_token"].as_str().unwrap().to_string();

    // Delete says what goes, then removes it all.
    let (_, confirm) = page(&admin, &s, &format!("/admin/clients/{id}/delete"));
    assert!(confirm.contains("id=\"delete-grants\">1<"), "{confirm}");
    let r = admin.post(s.url(&format!("/admin/clients/{id}/delete"))).form(&[("csrf", token.as_str())]).send().unwrap();
    assert_eq!(r.status(), 303);
    let intro = http
        .post(s.url("/oauth2/introspect"))
        .basic_auth(&client_id, Some(&fresh))
        .form(&[("token", live.as_str())])
        .send()
        .unwrap();
    assert_eq!(intro.status(), 401, "the application is gone");
    assert_eq!(page(&admin, &s, &format!("/admin/clients/{id}")).0, 404);
}

/// Console polish: empty lists say what to do next, a grant not used since
/// it was made says "never", and table headers break only between words.
#[test]
fn empty_states_guide_and_unused_grants_say_never() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    let (_, clients) = page(&admin, &s, "/admin/clients");
    assert!(
        clients.contains("No applications yet") && clients.contains("/admin/clients/new\">register one"),
        "{clients}"
    );
    let (_, filtered) = page(&admin, &s, "/admin/clients?q=nothing-like-this");
    assert!(filtered.contains("No applications match these filters."), "{filtered}");
    let (_, tokens) = page(&admin, &s, "/admin/tokens");
    assert!(tokens.contains("No grants yet."), "{tokens}");

    let (id, secret) = register(&s, &["--name", "Robot", "--grant", "client_credentials", "--scope", "profile"]);
    let r = s
        .client()
        .post(s.url("/oauth2/token"))
        .basic_auth(&id, secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, tokens) = page(&admin, &s, "/admin/tokens");
    let row = tokens.split("id=\"grants-table\"").nth(1).unwrap();
    assert!(row.contains("<td>never</td>"), "issued but not used yet: {row}");

    let css_path =
        tokens.split("href=\"").find(|p| p.starts_with("/static/style.")).unwrap().split('"').next().unwrap();
    let css = s.client().get(s.url(css_path)).send().unwrap().text().unwrap();
    assert!(css.contains("th { font-size: .9rem; color: var(--muted); overflow-wrap: normal; word-break: normal;"));
}

/// Console polish: every admin list can be turned around by its date
/// column, and its next-page link keeps the order.
#[test]
fn admin_lists_sort_by_their_date_column() {
    let s = Server::start();
    let admin = setup_admin(&s, "root");
    for name in ["ann", "ben", "cid"] {
        add_member(&s, name);
    }
    let order = |html: &str| -> Vec<String> {
        let body = html.split("id=\"users-table\"").nth(1).unwrap().split("</table>").next().unwrap();
        ["root", "ann", "ben", "cid"]
            .iter()
            .filter_map(|n| body.find(&format!(">{n}<")).map(|at| (at, n.to_string())))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_values()
            .collect()
    };
    let (_, oldest) = page(&admin, &s, "/admin/users");
    assert_eq!(order(&oldest), ["root", "ann", "ben", "cid"]);
    assert!(oldest.contains("aria-sort=\"ascending\"") && oldest.contains("href=\"?order=newest\""), "{oldest}");
    let (_, newest) = page(&admin, &s, "/admin/users?order=newest");
    assert_eq!(order(&newest), ["cid", "ben", "ann", "root"]);
    let (_, paged) = page(&admin, &s, "/admin/users?order=newest&limit=2");
    assert_eq!(order(&paged), ["cid", "ben"]);
    let next =
        paged.split("/admin/users?").find(|p| p.contains("id=\"next-page\"")).unwrap().split('"').next().unwrap();
    assert!(next.contains("order=newest"), "{next}");
    let (_, second) = page(
        &admin,
        &s,
        &format!(
            "/admin/users?{}",
            next.replace("&amp;", "&").replace("&#38;", "&").replace("&#x3D;", "=").replace("&#61;", "=")
        ),
    );
    assert_eq!(order(&second), ["ann", "root"], "the next page keeps the order");
    for path in ["/admin/audit?order=oldest", "/admin/tokens?order=oldest", "/admin/clients?order=oldest"] {
        assert_eq!(page(&admin, &s, path).0, 200, "{path}");
    }
    let (_, audit) = page(&admin, &s, "/admin/audit");
    assert!(audit.contains("aria-sort=\"descending\""));
}
