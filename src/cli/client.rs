//! `latchkey client add|list|show|rotate-secret|disable|enable|delete`.

use super::{Cli, call, print_reply};
use crate::auth::clients::NewClient;
use crate::manage::Request;
use std::process::ExitCode;

// Parsed once per process; the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, clap::Subcommand)]
pub enum ClientCommand {
    /// Register an OAuth 2.0 application; prints its credentials once.
    Add {
        #[arg(long)]
        name: String,
        /// Accepted for the DESIGN.md command line; OAuth 2.0 is what is registered.
        #[arg(long)]
        oauth2: bool,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        homepage: Option<String>,
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
        /// A public client (no secret; PKCE required).
        #[arg(long)]
        public: bool,
        /// authorization_code, implicit, password, client_credentials, refresh_token
        #[arg(long = "grant", value_name = "GRANT")]
        grants: Vec<String>,
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
        /// opaque (default) or jwt
        #[arg(long)]
        token_format: Option<String>,
        /// EdDSA (default), ES256 or RS256
        #[arg(long)]
        signing_alg: Option<String>,
        /// Access-token lifetime in seconds (default: the server's).
        #[arg(long)]
        access_ttl: Option<u64>,
        #[arg(long)]
        refresh_ttl: Option<u64>,
        /// Let a confidential client skip PKCE.
        #[arg(long)]
        no_pkce: bool,
        #[arg(long)]
        allow_plain_pkce: bool,
        /// Skip the consent page (for the site's own applications).
        #[arg(long)]
        first_party: bool,
        #[arg(long = "cors-origin", value_name = "ORIGIN")]
        cors_origins: Vec<String>,
        /// May introspect tokens issued to other applications.
        #[arg(long)]
        introspect_any: bool,
        #[arg(long)]
        json: bool,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    Show {
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// A new secret, printed once; the old one stops working.
    RotateSecret {
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// Refuse the application's requests and tokens until enabled again.
    Disable {
        client: String,
        #[arg(long)]
        json: bool,
    },
    Enable {
        client: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete the application with every grant and token.
    Delete {
        client: String,
        #[arg(long)]
        json: bool,
    },
}

fn credentials(v: &serde_json::Value) -> String {
    let mut out = format!(
        "Registered {:?} (id {}).\n  client_id:     {}\n",
        v["application"]["name"].as_str().unwrap_or_default(),
        v["application"]["id"].as_str().unwrap_or_default(),
        v["client_id"].as_str().unwrap_or_default()
    );
    match v["client_secret"].as_str() {
        Some(s) => out.push_str(&format!("  client_secret: {s}\nThe secret is shown this once; store it now.\n")),
        None => out.push_str("  (public client: no secret; PKCE is required)\n"),
    }
    out
}

fn show(v: &serde_json::Value) -> String {
    let list = |k: &str| {
        v[k].as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" ")).unwrap_or_default()
    };
    format!(
        "{} (id {}, {})\n  client_id:     {}\n  type:          {}\n  redirect URIs: {}\n  grants:        {}\n  scopes:        {}\n  tokens:        {} ({})\n  created:       {}\n",
        v["name"].as_str().unwrap_or_default(),
        v["id"].as_str().unwrap_or_default(),
        if v["enabled"].as_bool() == Some(true) { "enabled" } else { "disabled" },
        v["client_id"].as_str().unwrap_or_default(),
        if v["public"].as_bool() == Some(true) { "public" } else { "confidential" },
        list("redirect_uris"),
        list("grants"),
        v["scopes"].as_str().unwrap_or_default(),
        v["token_format"].as_str().unwrap_or_default(),
        v["signing_alg"].as_str().unwrap_or_default(),
        v["created_at"].as_str().unwrap_or_default(),
    )
}

pub fn run(cli: &Cli, cmd: &ClientCommand) -> ExitCode {
    match cmd {
        ClientCommand::Add {
            name,
            oauth2: _,
            description,
            homepage,
            redirect_uris,
            public,
            grants,
            scopes,
            token_format,
            signing_alg,
            access_ttl,
            refresh_ttl,
            no_pkce,
            allow_plain_pkce,
            first_party,
            cors_origins,
            introspect_any,
            json,
        } => {
            let new = NewClient {
                name: name.clone(),
                description: description.clone().unwrap_or_default(),
                homepage: homepage.clone().unwrap_or_default(),
                logo_url: String::new(),
                redirect_uris: redirect_uris.clone(),
                public: *public,
                grants: grants.clone(),
                scopes: scopes.clone(),
                token_format: token_format.clone(),
                signing_alg: signing_alg.clone(),
                access_ttl: *access_ttl,
                refresh_ttl: *refresh_ttl,
                pkce_required: !no_pkce,
                pkce_plain_allowed: *allow_plain_pkce,
                first_party: *first_party,
                cors_origins: cors_origins.clone(),
                introspect_any: *introspect_any,
            };
            print_reply(call(cli, Request::ClientAdd(Box::new(new))), *json, credentials)
        }
        ClientCommand::List { json } => print_reply(call(cli, Request::ClientList), *json, |v| {
            let mut out = format!("{:<5} {:<26} {:<24} {:<12} {}\n", "ID", "CLIENT_ID", "NAME", "TYPE", "STATUS");
            for c in v.as_array().into_iter().flatten() {
                out.push_str(&format!(
                    "{:<5} {:<26} {:<24} {:<12} {}\n",
                    c["id"].as_str().unwrap_or_default(),
                    c["client_id"].as_str().unwrap_or_default(),
                    c["name"].as_str().unwrap_or_default(),
                    if c["public"].as_bool() == Some(true) { "public" } else { "confidential" },
                    if c["enabled"].as_bool() == Some(true) { "enabled" } else { "disabled" },
                ));
            }
            out
        }),
        ClientCommand::Show { client, json } => {
            print_reply(call(cli, Request::ClientShow { client: client.clone() }), *json, show)
        }
        ClientCommand::RotateSecret { client, json } => {
            print_reply(call(cli, Request::ClientRotateSecret { client: client.clone() }), *json, credentials)
        }
        ClientCommand::Disable { client, json } => {
            print_reply(call(cli, Request::ClientEnable { client: client.clone(), enabled: false }), *json, show)
        }
        ClientCommand::Enable { client, json } => {
            print_reply(call(cli, Request::ClientEnable { client: client.clone(), enabled: true }), *json, show)
        }
        ClientCommand::Delete { client, json } => {
            print_reply(call(cli, Request::ClientDelete { client: client.clone() }), *json, |v| {
                format!(
                    "Deleted {:?} with {} grants and {} tokens.\n",
                    v["application"]["name"].as_str().unwrap_or_default(),
                    v["grants_removed"],
                    v["tokens_removed"]
                )
            })
        }
    }
}

/// `latchkey keys list|rotate`.
#[derive(Debug, clap::Subcommand)]
pub enum KeysCommand {
    /// The JWT signing keys: active and still published.
    List {
        #[arg(long)]
        json: bool,
    },
    /// New keys sign from now on; old ones stay published until their tokens expire.
    Rotate {
        #[arg(long)]
        json: bool,
    },
}

pub fn run_keys(cli: &Cli, cmd: &KeysCommand) -> ExitCode {
    let table = |v: &serde_json::Value| {
        let mut out = format!("{:<24} {:<6} {:<9} {}\n", "KID", "ALG", "STATE", "CREATED");
        for k in v.as_array().into_iter().flatten() {
            out.push_str(&format!(
                "{:<24} {:<6} {:<9} {}\n",
                k["kid"].as_str().unwrap_or_default(),
                k["alg"].as_str().unwrap_or_default(),
                if k["active"].as_bool() == Some(true) { "active" } else { "retired" },
                k["created_at"].as_str().unwrap_or_default(),
            ));
        }
        out
    };
    match cmd {
        KeysCommand::List { json } => print_reply(call(cli, Request::KeysList), *json, table),
        KeysCommand::Rotate { json } => print_reply(call(cli, Request::KeysRotate), *json, table),
    }
}
