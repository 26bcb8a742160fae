//! Connections over OAuth 1.0a, and calls on a member's behalf, against a
//! real counterpart: a SECOND latchkey server is the remote OAuth 1.0a
//! service. The first server trusts the second's CA (`outbound_ca_file`)
//! and may call loopback (`outbound_allow_private`). A member connects
//! (cookie-keeping clients on both servers, redirects followed by hand,
//! the remote consent form posted with its CSRF token); an application on
//! the first server with scope `connections` then calls the remote
//! `/api/v1/me` through the relay, signed HMAC-SHA1 or RSA-SHA1 by the
//! first server. Refusals: paths outside the API base, another member's
//! connection, a token without the scope, a private address when the
//! first server may not call one, a forged or reused `oauth_token` on the
//! callback, the remote refusing the verifier, a remote answer too large.

use crate::harness::*;
use crate::oauth1_client::{Consumer, Method, Outcome, Req, authorize, call, register_consumer, three_legged};
use serde_json::{Value, json};

/// The remote service and the site that connects to it.
struct Pair {
    remote: Server,
    /// The remote's admin, who edits the consumer registrations.
    remote_admin: reqwest::blocking::Client,
    local: Server,
    /// The first server's data directory lives here, across its restarts.
    _local_dir: tempfile::TempDir,
}

const CALLBACK: &str = "/account/connections/callback/oauth1";

fn local_env(remote: &Server, allow_private: bool) -> Vec<(String, String)> {
    let ca = remote.dir.join("tls/ca.pem").to_string_lossy().into_owned();
    let mut env = vec![("LATCHKEY_OUTBOUND_CA_FILE".to_string(), ca)];
    if allow_private {
        env.push(("LATCHKEY_OUTBOUND_ALLOW_PRIVATE".into(), "true".into()));
    }
    env
}

fn borrowed(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

fn pair() -> Pair {
    let remote = Server::start();
    let remote_admin = setup_admin(&remote, "root");
    add_member(&remote, "bob");
    let env = local_env(&remote, true);
    let dir = tempfile::tempdir().unwrap();
    let local = Server::start_in(&dir.path().join("data"), &borrowed(&env));
    add_member(&local, "ada");
    add_member(&local, "eve");
    Pair { remote, remote_admin, local, _local_dir: dir }
}

/// What the remote's admin sets on a consumer: the first server's callback
/// and a signature method (with a public key for RSA-SHA1).
fn edit_consumer(p: &Pair, c: &Consumer, method: &str, pem: Option<&str>) {
    let edit = p.remote.url(&format!("/admin/clients/{}/edit", c.key));
    let html = p.remote_admin.get(&edit).send().unwrap().text().unwrap();
    let callback = p.local.url(CALLBACK);
    let mut form = vec![
        ("csrf", csrf(&html)),
        ("name", "The local site".to_string()),
        ("oauth1", "on".to_string()),
        ("callback", callback),
        ("scopes", "read write".to_string()),
        ("signature_method", method.to_string()),
    ];
    if let Some(pem) = pem {
        form.push(("rsa_public_key", pem.to_string()));
    }
    let r = p.remote_admin.post(&edit).form(&form).send().unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
}

impl Pair {
    /// A consumer on the remote whose callback is the first server's.
    fn consumer(&self) -> Consumer {
        let callback = self.local.url(CALLBACK);
        let args = ["--name", "The local site", "--callback", &callback, "--scope", "read", "--scope", "write"];
        register_consumer(&self.remote, &args)
    }

    /// `latchkey provider add --oauth1` on the running first server (over
    /// the management socket): the provider as `--json` prints it.
    fn provider(&self, name: &str, c: &Consumer, method: &str) -> Value {
        let (request, authorize, access, api) = (
            self.remote.url("/oauth1/request"),
            self.remote.url("/oauth1/authorize"),
            self.remote.url("/oauth1/access"),
            self.remote.url("/api/v1/"),
        );
        let args = [
            "provider",
            "add",
            "--name",
            name,
            "--oauth1",
            "--request-url",
            &request,
            "--authorize-url",
            &authorize,
            "--access-url",
            &access,
            "--client-id",
            &c.key,
            "--client-secret-stdin",
            "--api-base",
            &api,
            "--signature-method",
            method,
            "--json",
        ];
        json(&self.local.cli(&args, Some(&c.secret)))
    }

    /// `member` on the first server connects to the remote as `remote_user`;
    /// returns the first server's browser.
    fn connect(&self, provider_id: &str, member: &str, remote_user: &str) -> reqwest::blocking::Client {
        self.connect_back(provider_id, member, remote_user).0
    }

    /// [`Pair::connect`], also returning the callback URL it followed.
    fn connect_back(&self, provider_id: &str, member: &str, remote_user: &str) -> (reqwest::blocking::Client, String) {
        let browser = signed_in(&self.local, member);
        let to_remote = start_connect(&self.local, &browser, provider_id);
        assert!(to_remote.starts_with(&self.remote.url("/oauth1/authorize?")), "{to_remote}");
        let token = oauth_token_in(&to_remote);
        let remote_browser = self.remote.client();
        let Outcome::Callback(back) = authorize(&self.remote, &remote_browser, remote_user, &token, "approve") else {
            panic!("the remote did not send the member back")
        };
        assert!(back.as_str().starts_with(&self.local.url(CALLBACK)), "{back}");
        let r = browser.get(back.as_str()).send().unwrap();
        assert_eq!(r.status(), 303, "callback: {}\n{}", r.text().unwrap_or_default(), self.local.log());
        assert_eq!(location(&r), self.local.url("/account/connections?done=connected"));
        (browser, back.to_string())
    }

    /// A password-grant token on the first server for `member` with `scopes`.
    fn app_token(&self, member: &str, scopes: &[&str]) -> String {
        let mut args = vec!["--name", "Relay app", "--grant", "password"];
        for s in scopes {
            args.extend_from_slice(&["--scope", s]);
        }
        let (id, secret) = register(&self.local, &args);
        password_token(&self.local, &id, &secret.unwrap(), member)
    }
}

fn oauth_token_in(url: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "oauth_token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no oauth_token in {url}"))
}

/// Presses Connect for `provider_id` on `/account/connections`; returns
/// where the first server sends the browser.
fn start_connect(s: &Server, browser: &reqwest::blocking::Client, provider_id: &str) -> String {
    let page = browser.get(s.url("/account/connections")).send().unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    let r = browser
        .post(s.url("/account/connections/connect"))
        .form(&[("csrf", csrf(&html).as_str()), ("provider", provider_id)])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303, "connect: {}\n{}", r.text().unwrap_or_default(), s.log());
    location(&r)
}

/// Sends `r` and checks the answer against the server's OpenAPI document.
fn documented(s: &Server, method: &str, path: &str, r: reqwest::blocking::RequestBuilder) -> (u16, Value) {
    let a = crate::openapi::send(r);
    if let Err(e) = crate::openapi::Document::fetch(s).check(method, path, &a) {
        panic!("the document does not describe this answer: {e}");
    }
    let text = String::from_utf8_lossy(&a.body).into_owned();
    (a.status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn relay(s: &Server, token: &str, id: &str, body: &Value) -> (u16, Value) {
    let path = format!("/api/v1/me/connections/{id}/request");
    let r = s.client().post(s.url(&path)).bearer_auth(token).json(body);
    documented(s, "POST", &path, r)
}

fn connections(s: &Server, token: &str) -> Value {
    let r = s.client().get(s.url("/api/v1/me/connections")).bearer_auth(token);
    let (status, list) = documented(s, "GET", "/api/v1/me/connections", r);
    assert_eq!(status, 200, "{list}");
    list
}

/// The relayed remote JSON body.
fn remote_json(answer: &Value) -> Value {
    serde_json::from_str(answer["body"].as_str().unwrap_or_else(|| panic!("no text body: {answer}"))).unwrap()
}

#[test]
fn hmac_sha1_connection_relays_the_remote_api_and_refuses_what_it_must() {
    let p = pair();
    let consumer = p.consumer();
    let provider = p.provider("Remote", &consumer, "HMAC-SHA1");
    let pid = provider["id"].as_str().unwrap().to_string();
    p.connect(&pid, "ada", "bob");

    let token = p.app_token("ada", &["connections"]);
    let list = connections(&p.local, &token);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["provider"], "Remote");
    assert!(items[0]["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(list["next_cursor"], Value::Null);
    let id = items[0]["id"].as_str().unwrap().to_string();

    // The remote member's own JSON, signed by the first server.
    let (status, answer) = relay(&p.local, &token, &id, &json!({"method": "GET", "path": "me"}));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], 200, "{answer}");
    assert!(answer["content_type"].as_str().unwrap().starts_with("application/json"));
    assert_eq!(remote_json(&answer)["username"], "bob");
    // The remote tokens never show.
    assert!(!answer.to_string().contains("lkoa_") && !list.to_string().contains("lkoa_"));

    // A query is signed too (RFC 5849 §3.4.1.3): the remote accepts it.
    let (status, answer) =
        relay(&p.local, &token, &id, &json!({"method": "GET", "path": "users", "query": {"q": "bo b", "limit": "5"}}));
    assert_eq!((status, answer["status"].as_u64()), (200, Some(200)), "{answer}");
    // A JSON body: a post written on the remote as bob.
    let (status, answer) = relay(
        &p.local,
        &token,
        &id,
        &json!({"method": "POST", "path": "posts", "body": "{\"body\":\"from afar\",\"access\":\"members\"}"}),
    );
    assert_eq!((status, answer["status"].as_u64()), (200, Some(201)), "{answer}");
    assert_eq!(
        remote_json(&answer)["author"],
        remote_json(&relay(&p.local, &token, &id, &json!({"method": "GET", "path": "me"})).1)["id"]
    );
    // A form body is signed with the request (RFC 5849 §3.4.1.3): the
    // remote's signature check passes (not a 401) before it says that it
    // wants JSON.
    let (status, answer) = relay(
        &p.local,
        &token,
        &id,
        &json!({"method": "POST", "path": "posts", "body": "body=hi+there&access=members", "content_type": "application/x-www-form-urlencoded"}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_ne!(answer["status"].as_u64(), Some(401), "{answer}");
    assert!(answer["status"].as_u64().unwrap() >= 400, "{answer}");
    // A remote 404 is relayed as it is, not turned into ours.
    let (status, answer) = relay(&p.local, &token, &id, &json!({"method": "GET", "path": "posts/999999"}));
    assert_eq!((status, answer["status"].as_u64()), (200, Some(404)), "{answer}");

    // An OAuth 1.0a application on the first server sees the same.
    let app1 = register_consumer(
        &p.local,
        &["--name", "Signed app", "--callback", "https://app.example/cb", "--scope", "connections"],
    );
    let http = p.local.client();
    let tok = three_legged(&p.local, &http, &Method::HmacSha1, &app1, "ada", "https://app.example/cb");
    let signed = call(
        &http,
        &Method::HmacSha1,
        &Req::new(&p.local, "GET", "/api/v1/me/connections", &app1).token(&tok.0, &tok.1),
    );
    assert_eq!(signed.status, 200, "{signed:?}");
    assert_eq!(signed.json()["items"][0]["id"], id.as_str());

    // Paths that would leave the API base: refused before any call.
    for path in [
        "../oauth1/request",
        "%2e%2e/%2e%2e/admin",
        "https://evil.example/api/v1/me",
        "/api/v1/me",
        "me/..%2F..%2Fadmin",
    ] {
        let (status, problem) = relay(&p.local, &token, &id, &json!({"method": "GET", "path": path}));
        assert_eq!(status, 422, "{path}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "path", "{problem}");
    }
    let (status, _) = relay(&p.local, &token, &id, &json!({"method": "TRACE", "path": "me"}));
    assert_eq!(status, 422);
    // A refused path is audited as asked, but no control character of it.
    let (status, _) = relay(&p.local, &token, &id, &json!({"method": "GET\u{1b}[2J", "path": "me\u{1b}]0;owned\u{7}"}));
    assert_eq!(status, 422);

    // Another member's connection is not there for eve.
    let eves = p.app_token("eve", &["connections"]);
    let (status, problem) = relay(&p.local, &eves, &id, &json!({"method": "GET", "path": "me"}));
    assert_eq!(status, 404, "{problem}");
    assert_eq!(connections(&p.local, &eves)["items"], json!([]));
    let (status, _) = relay(&p.local, &token, "999999", &json!({"method": "GET", "path": "me"}));
    assert_eq!(status, 404);

    // `connections` is its own scope, in neither shorthand.
    let reader = p.app_token("ada", &["read", "write"]);
    let (status, problem) = relay(&p.local, &reader, &id, &json!({"method": "GET", "path": "me"}));
    assert_eq!(status, 403, "{problem}");
    let r = p.local.client().get(p.local.url("/api/v1/me/connections")).bearer_auth(&reader).send().unwrap();
    assert_eq!(r.status(), 403);
    let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_string();
    assert!(challenge.contains("insufficient_scope") && challenge.contains("connections"), "{challenge}");

    // Every relayed call is in the audit log: method, path and status.
    let admin = p.local.cli(&["user", "add", "root", "--admin", "--password-stdin"], Some(PASSWORD));
    assert!(admin.status.success());
    let audit = signed_in(&p.local, "root").get(p.local.url("/admin/audit")).send().unwrap().text().unwrap();
    assert!(audit.contains("connection.request"), "{audit}");
    assert!(audit.contains("GET me → 200") && audit.contains("POST posts → 201"), "{audit}");
    assert!(!audit.contains("from afar"), "the body is not logged");
    assert!(audit.contains("]0;owned") && !audit.contains('\u{1b}') && !audit.contains("&#x1b;"), "{audit}");
}

#[test]
fn rsa_sha1_connection_signs_with_the_key_latchkey_made() {
    let p = pair();
    // The consumer exists before the provider (its key is needed there);
    // the provider's public key is then registered on it.
    let consumer = p.consumer();
    let provider = p.provider("Keyed", &consumer, "RSA-SHA1");
    let pid = provider["id"].as_str().unwrap().to_string();
    let pem = provider["rsa_public_key"].as_str().unwrap_or_else(|| panic!("no public key shown: {provider}"));
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    assert!(!provider.to_string().contains("PRIVATE"), "{provider}");
    let shown = json(&p.local.cli(&["provider", "show", &pid, "--json"], None));
    assert_eq!(shown["rsa_public_key"].as_str(), Some(pem));
    assert!(!shown.to_string().contains("PRIVATE"), "{shown}");
    // The remote admin switches the consumer to RSA-SHA1 with that key.
    edit_consumer(&p, &consumer, "RSA-SHA1", Some(pem));

    p.connect(&pid, "ada", "bob");
    let token = p.app_token("ada", &["connections"]);
    let id = connections(&p.local, &token)["items"][0]["id"].as_str().unwrap().to_string();
    let (status, answer) = relay(&p.local, &token, &id, &json!({"method": "GET", "path": "me"}));
    assert_eq!((status, answer["status"].as_u64()), (200, Some(200)), "{answer}");
    assert_eq!(remote_json(&answer)["username"], "bob");
}

#[test]
fn the_callback_refuses_forged_reused_and_refused_tokens() {
    let p = pair();
    let consumer = p.consumer();
    let pid = p.provider("Remote", &consumer, "HMAC-SHA1")["id"].as_str().unwrap().to_string();
    let token = p.app_token("ada", &["connections"]);

    // A service that refuses latchkey's consumer credentials: the Connect
    // button ends on a page with the service's words, not a 500.
    let wrong = Consumer { secret: "not-the-secret".into(), ..consumer.clone() };
    let bad = p.provider("Wrong secret", &wrong, "HMAC-SHA1")["id"].as_str().unwrap().to_string();
    let browser = signed_in(&p.local, "ada");
    let html = browser.get(p.local.url("/account/connections")).send().unwrap().text().unwrap();
    let r = browser
        .post(p.local.url("/account/connections/connect"))
        .form(&[("csrf", csrf(&html).as_str()), ("provider", bad.as_str())])
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let words = r.text().unwrap();
    assert!((400..500).contains(&status) || status == 502, "{status}: {words}");
    assert!(words.contains("signature_invalid") || words.contains("refused"), "{words}");

    // A forged oauth_token: no flow, no call to the remote.
    let forged = format!("{CALLBACK}?oauth_token=lkrq_forged&oauth_verifier=123");
    let r = browser.get(p.local.url(&forged)).send().unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let words = r.text().unwrap();
    assert!(words.contains("start again"), "{words}");

    // The remote refuses a wrong verifier; the page says so in words.
    let to_remote = start_connect(&p.local, &browser, &pid);
    let rtoken =
        url::Url::parse(&to_remote).unwrap().query_pairs().find(|(k, _)| k == "oauth_token").unwrap().1.into_owned();
    let Outcome::Callback(back) = authorize(&p.remote, &p.remote.client(), "bob", &rtoken, "approve") else { panic!() };
    let mut wrong = back.clone();
    wrong
        .query_pairs_mut()
        .clear()
        .append_pair("oauth_token", &rtoken)
        .append_pair("oauth_verifier", "not-the-verifier");
    let r = browser.get(wrong.as_str()).send().unwrap();
    let status = r.status().as_u16();
    let words = r.text().unwrap();
    assert!((400..600).contains(&status) && status != 500, "{status}: {words}");
    assert!(words.contains("refused"), "{words}");
    // That flow is spent: the right verifier now finds nothing to finish.
    let r = browser.get(back.as_str()).send().unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(connections(&p.local, &token)["items"], json!([]));

    // A good connection, then the same callback again: refused, and the
    // connection stays the one made.
    let (browser, used) = p.connect_back(&pid, "ada", "bob");
    assert_eq!(connections(&p.local, &token)["items"].as_array().unwrap().len(), 1);
    let r = browser.get(&used).send().unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert!(r.text().unwrap().contains("start again"));
    assert_eq!(connections(&p.local, &token)["items"].as_array().unwrap().len(), 1);
    let again = start_connect(&p.local, &browser, &pid);
    let t2 = url::Url::parse(&again).unwrap().query_pairs().find(|(k, _)| k == "oauth_token").unwrap().1.into_owned();
    let Outcome::Callback(back2) = authorize(&p.remote, &p.remote.client(), "bob", &t2, "approve") else { panic!() };
    // Another member's browser cannot finish ada's flow.
    let eve = signed_in(&p.local, "eve");
    let r = eve.get(back2.as_str()).send().unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());

    // Disconnect deletes the tokens here (OAuth 1.0a has no standard
    // remote revocation); the relay no longer finds the connection.
    let id = connections(&p.local, &token)["items"][0]["id"].as_str().unwrap().to_string();
    let html = browser.get(p.local.url("/account/connections")).send().unwrap().text().unwrap();
    let r = browser
        .post(p.local.url("/account/connections/disconnect"))
        .form(&[("csrf", csrf(&html).as_str()), ("id", id.as_str())])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().unwrap_or_default());
    assert_eq!(connections(&p.local, &token)["items"], json!([]));
    let (status, problem) = relay(&p.local, &token, &id, &json!({"method": "GET", "path": "me"}));
    assert_eq!(status, 404, "{problem}");
}

#[test]
fn limits_and_private_addresses() {
    let p = pair();
    let consumer = p.consumer();
    let pid = p.provider("Remote", &consumer, "HMAC-SHA1")["id"].as_str().unwrap().to_string();
    p.connect(&pid, "ada", "bob");
    let token = p.app_token("ada", &["connections"]);
    let id = connections(&p.local, &token)["items"][0]["id"].as_str().unwrap().to_string();

    // A remote answer over 1 MiB is a 502, not a cut body.
    let (rid, rsecret) = register(&p.remote, &["--name", "Uploader", "--grant", "password", "--scope", "files:write"]);
    let bobs = password_token(&p.remote, &rid, &rsecret.unwrap(), "bob");
    let big = vec![b'x'; (1 << 20) + 100];
    let boundary = "relay-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&big);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    let r = p
        .remote
        .client()
        .post(p.remote.url("/api/v1/files"))
        .bearer_auth(&bobs)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let file: Value = r.json().unwrap();
    let content = format!("files/{}/content", file["id"].as_str().unwrap());
    let (status, problem) = relay(&p.local, &token, &id, &json!({"method": "GET", "path": content}));
    assert_eq!(status, 502, "{problem}");
    assert_eq!(problem["type"], "tag:latchkey,2026:remote-too-large", "{problem}");
    // Its metadata is small and comes through.
    let meta = format!("files/{}", file["id"].as_str().unwrap());
    let (status, answer) = relay(&p.local, &token, &id, &json!({"method": "GET", "path": meta}));
    assert_eq!((status, answer["status"].as_u64()), (200, Some(200)), "{answer}");

    // The same site without `outbound_allow_private`: the remote's
    // loopback address is refused.
    let Pair { remote, mut local, .. } = p;
    assert!(local.stop().success());
    let strict = Server::start_in(&local.dir, &borrowed(&local_env(&remote, false)));
    let (sid, ssecret) = register(&strict, &["--name", "Strict app", "--grant", "password", "--scope", "connections"]);
    let token = password_token(&strict, &sid, &ssecret.unwrap(), "ada");
    let (status, problem) = relay(&strict, &token, &id, &json!({"method": "GET", "path": "me"}));
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["type"], "tag:latchkey,2026:remote-address-refused", "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("not public"), "{problem}");
}

#[test]
fn an_oauth2_connection_is_relayed_with_its_bearer_token() {
    let p = pair();
    let redirect = p.local.url("/account/connections/callback");
    let (client_id, secret) = register(
        &p.remote,
        &["--name", "The local site", "--redirect-uri", &redirect, "--scope", "openid", "--scope", "read"],
    );
    let (discovery, api) = (p.remote.url("/.well-known/openid-configuration"), p.remote.url("/api/v1/"));
    let args = [
        "provider",
        "add",
        "--name",
        "Remote ID",
        "--oidc-discovery",
        &discovery,
        "--client-id",
        &client_id,
        "--client-secret-stdin",
        "--scope",
        "read",
        "--api-base",
        &api,
        "--json",
    ];
    let provider = json(&p.local.cli(&args, secret.as_deref()));
    let pid = provider["id"].as_str().unwrap();

    // Connect: the remote's consent, then back to the first server.
    let browser = signed_in(&p.local, "ada");
    let to_remote = start_connect(&p.local, &browser, pid);
    let remote_browser = signed_in(&p.remote, "bob");
    let consent = remote_browser.get(&to_remote).send().unwrap();
    assert_eq!(consent.status(), 200);
    let html = consent.text().unwrap();
    let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf(&html)), ("decision".into(), "approve".into())];
    form.extend(url::Url::parse(&to_remote).unwrap().query_pairs().into_owned());
    let r = remote_browser.post(p.remote.url("/oauth2/authorize")).form(&form).send().unwrap();
    assert_eq!(r.status(), 302, "{}", r.text().unwrap_or_default());
    let back = location(&r);
    assert!(back.starts_with(&redirect), "{back}");
    let r = browser.get(&back).send().unwrap();
    assert_eq!(r.status(), 303, "{}\n{}", r.text().unwrap_or_default(), p.local.log());

    let token = p.app_token("ada", &["connections"]);
    let list = connections(&p.local, &token);
    assert_eq!(list["items"][0]["provider"], "Remote ID", "{list}");
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let (status, answer) = relay(&p.local, &token, &id, &json!({"method": "GET", "path": "me"}));
    assert_eq!((status, answer["status"].as_u64()), (200, Some(200)), "{answer}");
    assert_eq!(remote_json(&answer)["username"], "bob");
    assert!(!answer.to_string().contains("lkat_"), "{answer}");
}
