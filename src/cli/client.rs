//! `latchkey client add|list|show|rotate-secret|disable|enable|delete`.

use super::{Cli, call, print_reply};
use crate::manage::Request;
use crate::registry::applications::NewClient;
use crate::registry::consumers::NewConsumer;
use std::process::ExitCode;

// Parsed once per process; the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, clap::Subcommand)]
pub enum ClientCommand {
    /// Register an application (OAuth 2.0, OAuth 1.0a or both); prints its credentials once.
    Add {
        #[arg(long)]
        name: String,
        /// Register OAuth 2.0 (the default unless --oauth1 is given alone).
        #[arg(long)]
        oauth2: bool,
        /// Register an OAuth 1.0a consumer (with --oauth2 too: both).
        #[arg(long)]
        oauth1: bool,
        /// OAuth 1.0a: the callback URL, or oob (the default).
        #[arg(long, value_name = "URL|oob", requires = "oauth1")]
        callback: Option<String>,
        /// OAuth 1.0a: HMAC-SHA1 (default), HMAC-SHA256, RSA-SHA1, PLAINTEXT; repeat for several.
        #[arg(long = "signature-method", value_name = "METHOD", requires = "oauth1")]
        signature_methods: Vec<String>,
        /// OAuth 1.0a: a PEM file with the consumer's RSA public key (for RSA-SHA1).
        #[arg(long, value_name = "FILE", requires = "oauth1")]
        rsa_public_key: Option<std::path::PathBuf>,
        /// OAuth 1.0a: allow requests signed with the consumer alone, acting as the application.
        #[arg(long, requires = "oauth1")]
        two_legged: bool,
        /// OAuth 1.0a: the original 1.0 flow, without oauth_verifier (for old consumers only).
        #[arg(long = "legacy-1-0", requires = "oauth1")]
        legacy_1_0: bool,
        /// OAuth 1.0a: access-token lifetime in seconds (default: valid until revoked).
        #[arg(long, value_name = "SECS", requires = "oauth1")]
        oauth1_token_ttl: Option<u64>,
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
        "Registered {:?} (id {}).\n",
        v["application"]["name"].as_str().unwrap_or_default(),
        v["application"]["id"].as_str().unwrap_or_default(),
    );
    let mut secrets = 0;
    if let Some(id) = v["client_id"].as_str() {
        out.push_str(&format!("  client_id:       {id}\n"));
        match v["client_secret"].as_str() {
            Some(s) => {
                secrets += 1;
                out.push_str(&format!("  client_secret:   {s}\n"));
            }
            None => out.push_str("  (public client: no secret; PKCE is required)\n"),
        }
    }
    if let Some(key) = v["consumer_key"].as_str() {
        out.push_str(&format!("  consumer_key:    {key}\n"));
        if let Some(s) = v["consumer_secret"].as_str() {
            secrets += 1;
            out.push_str(&format!("  consumer_secret: {s}\n"));
        }
    }
    match secrets {
        0 => {}
        1 => out.push_str("The secret is shown this once; store it now.\n"),
        _ => out.push_str("The secrets are shown this once; store them now.\n"),
    }
    out
}

fn show(v: &serde_json::Value) -> String {
    let list = |k: &str| {
        v[k].as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" ")).unwrap_or_default()
    };
    let mut out = format!(
        "{} (id {}, {})\n",
        v["name"].as_str().unwrap_or_default(),
        v["id"].as_str().unwrap_or_default(),
        if v["enabled"].as_bool() == Some(true) { "enabled" } else { "disabled" },
    );
    if !v["client_id"].as_str().unwrap_or_default().is_empty() {
        out.push_str(&format!(
            "  client_id:     {}\n  type:          {}\n  redirect URIs: {}\n  grants:        {}\n  scopes:        {}\n  tokens:        {} ({})\n",
            v["client_id"].as_str().unwrap_or_default(),
            if v["public"].as_bool() == Some(true) { "public" } else { "confidential" },
            list("redirect_uris"),
            list("grants"),
            v["scopes"].as_str().unwrap_or_default(),
            v["token_format"].as_str().unwrap_or_default(),
            v["signing_alg"].as_str().unwrap_or_default(),
        ));
    }
    let o = &v["oauth1"];
    if o.is_object() {
        let methods = o["signature_methods"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        let ttl = o["token_ttl"].as_u64().map(|t| format!("{t}s")).unwrap_or_else(|| "until revoked".into());
        out.push_str(&format!(
            "  OAuth {}:\n  consumer_key:  {}\n  callback:      {}\n  signatures:    {}{}\n  two-legged:    {}\n  scopes:        {}\n  tokens valid:  {}\n",
            o["revision"].as_str().unwrap_or_default(),
            o["consumer_key"].as_str().unwrap_or_default(),
            o["callback"].as_str().unwrap_or_default(),
            methods,
            if o["rsa_public_key"].as_bool() == Some(true) { " (RSA public key registered)" } else { "" },
            if o["two_legged"].as_bool() == Some(true) { "allowed" } else { "no" },
            o["scopes"].as_str().unwrap_or_default(),
            ttl,
        ));
    }
    out.push_str(&format!("  created:       {}\n", v["created_at"].as_str().unwrap_or_default()));
    out
}

pub fn run(cli: &Cli, cmd: &ClientCommand) -> ExitCode {
    match cmd {
        ClientCommand::Add {
            name,
            oauth2,
            oauth1,
            callback,
            signature_methods,
            rsa_public_key,
            two_legged,
            legacy_1_0,
            oauth1_token_ttl,
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
            let rsa_public_key = match rsa_public_key {
                Some(path) => match std::fs::read_to_string(path) {
                    Ok(pem) => Some(pem),
                    Err(e) => {
                        eprintln!("latchkey: cannot read {}: {e}", path.display());
                        return ExitCode::from(2);
                    }
                },
                None => None,
            };
            let consumer = oauth1.then(|| NewConsumer {
                callback: callback.clone(),
                signature_methods: signature_methods.clone(),
                rsa_public_key,
                two_legged: *two_legged,
                legacy_1_0: *legacy_1_0,
                token_ttl: *oauth1_token_ttl,
            });
            let new = NewClient {
                name: name.clone(),
                oauth2: *oauth2 || !*oauth1,
                oauth1: consumer,
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
            let mut out = format!(
                "{:<5} {:<26} {:<26} {:<24} {:<12} {}\n",
                "ID", "CLIENT_ID", "CONSUMER_KEY", "NAME", "TYPE", "STATUS"
            );
            for c in v.as_array().into_iter().flatten() {
                let oauth2 = !c["client_id"].as_str().unwrap_or_default().is_empty();
                let kind = match (oauth2, c["public"].as_bool() == Some(true)) {
                    (false, _) => "oauth1",
                    (true, true) => "public",
                    (true, false) => "confidential",
                };
                let or_dash = |s: &str| if s.is_empty() { "-".to_string() } else { s.to_string() };
                out.push_str(&format!(
                    "{:<5} {:<26} {:<26} {:<24} {:<12} {}\n",
                    c["id"].as_str().unwrap_or_default(),
                    or_dash(c["client_id"].as_str().unwrap_or_default()),
                    or_dash(c["oauth1"]["consumer_key"].as_str().unwrap_or_default()),
                    c["name"].as_str().unwrap_or_default(),
                    kind,
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
