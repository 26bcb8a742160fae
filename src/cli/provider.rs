//! `latchkey provider add|list|show|disable|delete`: remote providers
//! members connect to (connections), through the management socket.

use super::{Cli, call, print_reply};
use crate::connections::providers::NewProvider;
use crate::manage::Request;
use std::io::BufRead;
use std::process::ExitCode;

// Parsed once per process; the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, clap::Subcommand)]
pub enum ProviderCommand {
    /// Register a remote provider (OpenID Connect, OAuth 2.0 or OAuth 1.0a).
    Add {
        #[arg(long)]
        name: String,
        /// OpenID Connect: the issuer or its discovery document's URL.
        #[arg(long, value_name = "URL", conflicts_with_all = ["oauth2", "oauth1"])]
        oidc_discovery: Option<String>,
        /// OAuth 2.0 with endpoints given by hand.
        #[arg(long, conflicts_with = "oauth1")]
        oauth2: bool,
        /// OAuth 1.0a (client id and secret are the consumer key and secret).
        #[arg(long)]
        oauth1: bool,
        #[arg(long, value_name = "URL")]
        authorize_url: Option<String>,
        #[arg(long, value_name = "URL", requires = "oauth2")]
        token_url: Option<String>,
        #[arg(long, value_name = "URL")]
        userinfo_url: Option<String>,
        /// OAuth 2.0: the RFC 7009 revocation endpoint.
        #[arg(long, value_name = "URL")]
        revocation_url: Option<String>,
        #[arg(long, value_name = "URL", requires = "oauth1")]
        request_url: Option<String>,
        #[arg(long, value_name = "URL", requires = "oauth1")]
        access_url: Option<String>,
        /// OAuth 1.0a: HMAC-SHA1 (default), HMAC-SHA256 or RSA-SHA1.
        #[arg(long, value_name = "M", requires = "oauth1")]
        signature_method: Option<String>,
        #[arg(long, value_name = "ID")]
        client_id: String,
        /// Read the client (or consumer) secret from the first line of stdin.
        #[arg(long)]
        client_secret_stdin: bool,
        #[arg(long = "scope", value_name = "S")]
        scopes: Vec<String>,
        /// Calls on a member's behalf go only under this URL.
        #[arg(long, value_name = "URL")]
        api_base: String,
        /// A "sign in with" button on /login (OpenID Connect only).
        #[arg(long)]
        sign_in: bool,
        /// Members may not connect their accounts (sign-in only).
        #[arg(long)]
        no_member_connect: bool,
        #[arg(long)]
        json: bool,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    Show {
        provider: String,
        #[arg(long)]
        json: bool,
    },
    /// Start no flow, refresh nothing and sign no one in with it.
    Disable {
        provider: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete the provider with members' connections (revoked remotely) and sign-in links.
    Delete {
        provider: String,
        #[arg(long)]
        json: bool,
    },
}

fn show(v: &serde_json::Value) -> String {
    let t = |k: &str| v[k].as_str().unwrap_or("-").to_string();
    let mut out = format!(
        "{} (id {}, {}, {})\n",
        t("name"),
        t("id"),
        t("protocol"),
        if v["disabled"].as_bool() == Some(true) { "disabled" } else { "enabled" }
    );
    for (label, key) in [
        ("issuer", "issuer"),
        ("authorize URL", "authorize_url"),
        ("token URL", "token_url"),
        ("userinfo URL", "userinfo_url"),
        ("revocation URL", "revocation_url"),
        ("JWKS URI", "jwks_uri"),
        ("request URL", "request_url"),
        ("access URL", "access_url"),
        ("signature", "signature_method"),
        ("client id", "client_id"),
        ("API base", "api_base"),
        ("callback URL", "callback_url"),
        ("created", "created_at"),
    ] {
        if v[key].is_string() {
            out.push_str(&format!("  {label:<15} {}\n", t(key)));
        }
    }
    let scopes: Vec<&str> = v["scopes"].as_array().into_iter().flatten().filter_map(|s| s.as_str()).collect();
    out.push_str(&format!("  {:<15} {}\n", "scopes", scopes.join(" ")));
    out.push_str(&format!(
        "  {:<15} {}\n  {:<15} {}\n",
        "members connect",
        if v["member_connect"].as_bool() == Some(true) { "yes" } else { "no" },
        "sign-in button",
        if v["sign_in"].as_bool() == Some(true) { "yes" } else { "no" },
    ));
    if let Some(pem) = v["rsa_public_key"].as_str() {
        out.push_str(&format!("  RSA public key to register at the service:\n{pem}\n"));
    }
    out
}

fn read_secret(from_stdin: bool) -> Result<String, String> {
    if !from_stdin {
        return Err("pass the client secret on stdin with --client-secret-stdin".into());
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn run(cli: &Cli, cmd: &ProviderCommand) -> ExitCode {
    match cmd {
        ProviderCommand::Add {
            name,
            oidc_discovery,
            oauth2,
            oauth1,
            authorize_url,
            token_url,
            userinfo_url,
            revocation_url,
            request_url,
            access_url,
            signature_method,
            client_id,
            client_secret_stdin,
            scopes,
            api_base,
            sign_in,
            no_member_connect,
            json,
        } => {
            let protocol = match (oidc_discovery.is_some(), *oauth2, *oauth1) {
                (true, false, false) => "oidc",
                (false, true, false) => "oauth2",
                (false, false, true) => "oauth1",
                _ => {
                    eprintln!("latchkey: give one of --oidc-discovery URL, --oauth2 or --oauth1");
                    return ExitCode::from(2);
                }
            };
            let secret = match read_secret(*client_secret_stdin) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("latchkey: {e}");
                    return ExitCode::from(2);
                }
            };
            let new = NewProvider {
                name: name.clone(),
                protocol: protocol.into(),
                discovery_url: oidc_discovery.clone(),
                authorize_url: authorize_url.clone().unwrap_or_default(),
                token_url: token_url.clone().unwrap_or_default(),
                userinfo_url: userinfo_url.clone(),
                revocation_url: revocation_url.clone(),
                request_url: request_url.clone().unwrap_or_default(),
                access_url: access_url.clone().unwrap_or_default(),
                signature_method: signature_method.clone(),
                client_id: client_id.clone(),
                client_secret: secret,
                scopes: scopes.clone(),
                api_base: api_base.clone(),
                sign_in: *sign_in,
                member_connect: !no_member_connect,
                ..Default::default()
            };
            print_reply(call(cli, Request::ProviderAdd(Box::new(new))), *json, show)
        }
        ProviderCommand::List { json } => print_reply(call(cli, Request::ProviderList), *json, |v| {
            let mut out = format!("{:<5} {:<24} {:<7} {:<9} {}\n", "ID", "NAME", "TYPE", "STATUS", "CALLBACK");
            for p in v.as_array().into_iter().flatten() {
                out.push_str(&format!(
                    "{:<5} {:<24} {:<7} {:<9} {}\n",
                    p["id"].as_str().unwrap_or_default(),
                    p["name"].as_str().unwrap_or_default(),
                    p["protocol"].as_str().unwrap_or_default(),
                    if p["disabled"].as_bool() == Some(true) { "disabled" } else { "enabled" },
                    p["callback_url"].as_str().unwrap_or_default(),
                ));
            }
            out
        }),
        ProviderCommand::Show { provider, json } => {
            print_reply(call(cli, Request::ProviderShow { provider: provider.clone() }), *json, show)
        }
        ProviderCommand::Disable { provider, json } => {
            print_reply(call(cli, Request::ProviderDisable { provider: provider.clone(), disabled: true }), *json, show)
        }
        ProviderCommand::Delete { provider, json } => {
            print_reply(call(cli, Request::ProviderDelete { provider: provider.clone() }), *json, |v| {
                let mut out = format!(
                    "Deleted {:?} with {} connection(s).\n",
                    v["provider"]["name"].as_str().unwrap_or_default(),
                    v["connections_removed"]
                );
                for f in v["revocation_failures"].as_array().into_iter().flatten() {
                    out.push_str(&format!("  not revoked remotely: {}\n", f.as_str().unwrap_or_default()));
                }
                out
            })
        }
    }
}
