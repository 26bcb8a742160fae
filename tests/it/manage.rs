//! `latchkey user ...` against a live server (over the socket) and offline
//! (opening the database), with the same results.

use crate::harness::*;
use std::os::unix::fs::PermissionsExt;

fn exercise(dir: &std::path::Path) {
    let v = json(&cli(
        dir,
        &["user", "add", "Carol", "--email", "carol@example.org", "--password-stdin", "--json"],
        Some(&format!("{PASSWORD}\n")),
    ));
    assert_eq!(v["username"], "Carol");
    assert_eq!(v["admin"], false);
    let dup = cli(dir, &["user", "add", "carol", "--password-stdin"], Some(PASSWORD));
    assert_eq!(dup.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already taken"));
    let weak = cli(dir, &["user", "add", "dave", "--password-stdin"], Some("short"));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 10"));
    let list = json(&cli(dir, &["user", "list", "--json"], None));
    assert!(list.as_array().unwrap().iter().any(|u| u["username"] == "Carol"));
    let text = cli(dir, &["user", "list"], None);
    assert!(String::from_utf8_lossy(&text.stdout).contains("Carol"));
    assert_eq!(json(&cli(dir, &["user", "disable", "carol", "--json"], None))["disabled"], true);
    assert_eq!(json(&cli(dir, &["user", "enable", "carol", "--json"], None))["disabled"], false);
    json(&cli(dir, &["user", "passwd", "carol", "--password-stdin", "--json"], Some("another long one\n")));
    let missing = cli(dir, &["user", "delete", "nobody"], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no member named"));
}

#[test]
fn user_commands_work_against_a_live_server_and_offline() {
    let mut s = Server::start();
    let sock = s.dir.join("latchkey.sock");
    assert_eq!(std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&s.dir).unwrap().permissions().mode() & 0o777, 0o700);
    exercise(&s.dir);
    // The live server saw the changes at once: carol signs in with the new password.
    assert_eq!(sign_in(&s, &s.client(), "carol", "another long one", "/account").status(), 303);
    assert!(s.log().contains("management request"));

    // Disabling ends her sessions in the running server.
    let c = s.client();
    assert_eq!(sign_in(&s, &c, "carol", "another long one", "/account").status(), 303);
    json(&cli(&s.dir, &["user", "disable", "carol", "--json"], None));
    assert_eq!(c.get(s.url("/account")).send().unwrap().status(), 303);
    assert_eq!(sign_in(&s, &s.client(), "carol", "another long one", "/account").status(), 401);

    assert!(s.stop().success());
    assert!(!sock.exists(), "socket removed on shutdown");

    // Offline: the same commands open the database themselves.
    let offline = tempfile::tempdir().unwrap();
    exercise(offline.path());
    let admin =
        json(&cli(offline.path(), &["user", "add", "boss", "--admin", "--password-stdin", "--json"], Some(PASSWORD)));
    assert_eq!(admin["admin"], true);
    let last = cli(offline.path(), &["user", "delete", "boss"], None);
    assert_eq!(last.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&last.stderr).contains("without an enabled admin"));
    json(&cli(offline.path(), &["user", "delete", "carol", "--json"], None));
}

#[test]
fn admin_added_on_the_command_line_ends_setup() {
    let s = Server::start();
    assert!(s.setup_link.is_some());
    json(&cli(&s.dir, &["user", "add", "owner", "--admin", "--password-stdin", "--json"], Some(PASSWORD)));
    let r = s.client().get(s.setup_link.as_ref().unwrap()).send().unwrap();
    assert!(r.text().unwrap().contains("This site is set up"));
    assert_eq!(sign_in(&s, &s.client(), "owner", PASSWORD, "/account").status(), 303);
}

/// The one grant a `token list --json` printed, found by application name.
fn grant_of<'a>(list: &'a serde_json::Value, application: &str) -> &'a serde_json::Value {
    let all = list.as_array().unwrap();
    let mine: Vec<_> = all.iter().filter(|g| g["application"] == application).collect();
    assert_eq!(mine.len(), 1, "{list}");
    mine[0]
}

#[test]
fn token_commands_list_and_revoke_grants_live_and_offline() {
    let mut s = Server::start();
    let admin = setup_admin(&s, "root");
    add_member(&s, "kim");
    let (tally, tally_secret) =
        register(&s, &["--name", "Tally", "--grant", "password", "--grant", "refresh_token", "--scope", "profile"]);
    let tally_secret = tally_secret.unwrap();
    let (robot, robot_secret) = register(&s, &["--name", "Robot", "--grant", "client_credentials", "--scope", "read"]);
    let access = password_token(&s, &tally, &tally_secret, "kim");
    let r = s
        .client()
        .post(s.url("/oauth2/token"))
        .basic_auth(&robot, robot_secret.as_deref())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);

    // Live: the same facts as /admin/tokens.
    let list = json(&s.cli(&["token", "list", "--json"], None));
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    let g = grant_of(&list, "Tally");
    assert_eq!(g["member"], "kim");
    assert_eq!(g["protocol"], "OAuth 2.0");
    assert_eq!(g["scopes"], "profile");
    assert_eq!(g["live_tokens"], 2, "access and refresh token");
    assert!(g["created_at"].as_str().unwrap().ends_with('Z') && g["last_used"].is_string(), "{g}");
    let grant = g["id"].as_str().unwrap().to_string();
    assert_eq!(grant_of(&list, "Robot")["member"], "(the application itself)");
    let kims = json(&s.cli(&["token", "list", "--member", "kim", "--json"], None));
    assert_eq!(kims.as_array().unwrap().len(), 1);
    let robots = json(&s.cli(&["token", "list", "--client", &robot, "--json"], None));
    assert_eq!(robots.as_array().unwrap().len(), 1);
    assert_eq!(robots[0]["application"], "Robot");
    let text = s.cli(&["token", "list"], None);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.starts_with("ID") && text.contains("Tally") && text.contains("kim"), "{text}");
    let nobody = s.cli(&["token", "list", "--member", "nobody"], None);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no member named"));
    assert_eq!(s.cli(&["token", "list", "--client", "lk_nothing"], None).status.code(), Some(1));

    // Revoking ends every token of the grant at once, and is audited.
    assert_eq!(me_status(&s, &access), 200);
    let done = json(&s.cli(&["token", "revoke", &grant, "--json"], None));
    assert_eq!(done["tokens_revoked"], 2);
    assert_eq!(done["grant"]["application"], "Tally");
    assert_eq!(me_status(&s, &access), 401);
    let again = s.cli(&["token", "revoke", &grant], None);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("there is no grant"));
    assert_eq!(s.cli(&["token", "revoke", "not-a-number"], None).status.code(), Some(2));
    let audit = admin.get(s.url("/admin/audit?action=grant.revoke")).send().unwrap().text().unwrap();
    assert!(audit.contains("<td>cli</td>") && audit.contains("by an admin"), "{audit}");

    // Offline: the same commands open the database themselves, on a new grant.
    password_token(&s, &tally, &tally_secret, "kim");
    assert!(s.stop().success());
    let list = json(&cli(&s.dir, &["token", "list", "--client", &tally, "--json"], None));
    let grant = grant_of(&list, "Tally")["id"].as_str().unwrap().to_string();
    let text = cli(&s.dir, &["token", "revoke", &grant], None);
    assert!(text.status.success(), "{}", String::from_utf8_lossy(&text.stderr));
    assert!(String::from_utf8_lossy(&text.stdout).contains("Revoked grant"));
    let left = json(&cli(&s.dir, &["token", "list", "--json"], None));
    assert_eq!(left.as_array().unwrap().len(), 1, "only Robot's own grant: {left}");
    assert_eq!(cli(&s.dir, &["token", "revoke", &grant], None).status.code(), Some(1));
}

/// `latchkey demo` against the running server (over the socket), then the
/// three commands it printed, run by the shell with curl, give real data;
/// stopped, a second run refuses.
#[test]
fn demo_loads_a_community_whose_printed_commands_work() {
    let mut s = Server::start_with(FAST_HASH);
    let out = s.cli(&["demo"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("ada, grace, linus, mary"), "{text}");
    let commands: Vec<&str> =
        text.lines().map(str::trim).filter(|l| l.starts_with("TOKEN=") || l.starts_with("curl ")).collect();
    assert_eq!(commands.len(), 3, "{text}");
    assert!(commands[0].contains(&format!("--cacert {}", s.dir.join("tls/ca.pem").display())), "{text}");
    let script = format!("set -e\n{}\necho\n{}\n", commands.join("\n"), "echo \"token:${#TOKEN}\"");
    let run = std::process::Command::new("bash").arg("-c").arg(&script).output().unwrap();
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{said}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(said.contains("\"name\":\"Community garden\"") && said.contains("\"name\":\"Book club\""), "{said}");
    assert!(said.contains("Seed swap on Saturday") && said.contains("\"like_count\":2"), "{said}");
    s.stop();
    let again = cli(&s.dir, &["demo", "--json"], None);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("loaded already"));
}
