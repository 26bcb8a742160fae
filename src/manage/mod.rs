//! Management operations: what `latchkey user|client|token|keys ...`,
//! `latchkey setup`, `demo` and `backup` ask for. A request is carried out by `execute`, either
//! in the running server (reached over the Unix socket in `socket`) or by
//! the command itself when no server runs. One code path per operation, two transports.

pub mod demo;
pub mod socket;

use crate::accounts::members::{self, MemberError, MemberView, NewMember};
use crate::accounts::setup::{self, SetupError};
use crate::app::App;
use crate::connections::providers::{self, ProviderView};
use crate::keys::keyring;
use crate::registry::applications::{self, ClientError, ClientView};
use crate::registry::grants::{self, GrantView};
use crate::store::GrantId;
use crate::store::audit::Who;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    UserAdd {
        username: String,
        display_name: String,
        email: String,
        password: String,
        admin: bool,
    },
    UserList,
    UserPasswd {
        username: String,
        password: String,
    },
    UserDisable {
        username: String,
        disabled: bool,
    },
    UserDelete {
        username: String,
    },
    SetupLink,
    ClientAdd(Box<crate::registry::applications::NewClient>),
    ClientList,
    ClientShow {
        client: String,
    },
    ClientRotateSecret {
        client: String,
    },
    ClientEnable {
        client: String,
        enabled: bool,
    },
    ClientDelete {
        client: String,
    },
    TokenList {
        member: Option<String>,
        client: Option<String>,
    },
    TokenRevoke {
        grant: u64,
    },
    KeysList,
    KeysRotate,
    Demo,
    /// A backup written to `file` (an absolute path) by whoever holds the
    /// database: the running server, or the command itself.
    Backup {
        file: String,
    },
    ProviderAdd(Box<crate::connections::providers::NewProvider>),
    ProviderList,
    ProviderShow {
        provider: String,
    },
    ProviderDisable {
        provider: String,
        disabled: bool,
    },
    ProviderDelete {
        provider: String,
    },
}

impl Request {
    /// What the audit log and the server's log call this request.
    pub fn name(&self) -> &'static str {
        match self {
            Request::UserAdd { .. } => "user add",
            Request::UserList => "user list",
            Request::UserPasswd { .. } => "user passwd",
            Request::UserDisable { .. } => "user disable",
            Request::UserDelete { .. } => "user delete",
            Request::SetupLink => "setup",
            Request::ClientAdd(_) => "client add",
            Request::ClientList => "client list",
            Request::ClientShow { .. } => "client show",
            Request::ClientRotateSecret { .. } => "client rotate-secret",
            Request::ClientEnable { .. } => "client enable/disable",
            Request::ClientDelete { .. } => "client delete",
            Request::TokenList { .. } => "token list",
            Request::TokenRevoke { .. } => "token revoke",
            Request::KeysList => "keys list",
            Request::KeysRotate => "keys rotate",
            Request::Demo => "demo",
            Request::Backup { .. } => "backup",
            Request::ProviderAdd(_) => "provider add",
            Request::ProviderList => "provider list",
            Request::ProviderShow { .. } => "provider show",
            Request::ProviderDisable { .. } => "provider disable",
            Request::ProviderDelete { .. } => "provider delete",
        }
    }
}

/// The answer: a JSON value on success, or a message for the operator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Reply {
    Ok(serde_json::Value),
    Err(String),
}

fn member(u: &crate::store::users::User) -> serde_json::Value {
    serde_json::to_value(MemberView::from(u)).unwrap_or_default()
}

fn msg(e: MemberError) -> String {
    e.to_string()
}

fn cmsg(e: ClientError) -> String {
    e.to_string()
}

fn json(v: impl Serialize) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Offline, the keyring starts empty: load it before answering.
async fn keys_loaded(app: &App) -> Result<(), String> {
    if app.keyring.published().is_empty() {
        app.load_keys().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub async fn execute(app: &App, req: Request) -> Reply {
    let who = Who::cli();
    let result: Result<serde_json::Value, String> = match req {
        Request::UserAdd {
            username,
            display_name,
            email,
            password,
            admin,
        } => members::create(
            app,
            NewMember {
                username,
                display_name,
                email,
                password,
                admin,
            },
            who,
        )
        .await
        .map(|u| member(&u))
        .map_err(msg),
        Request::UserList => members::list(app)
            .map(|us| serde_json::Value::Array(us.iter().map(member).collect()))
            .map_err(msg),
        Request::UserPasswd { username, password } => {
            members::set_password(app, &username, password, who, None)
                .await
                .map(|u| member(&u))
                .map_err(msg)
        }
        Request::UserDisable { username, disabled } => {
            members::set_disabled(app, &username, disabled, who)
                .await
                .map(|u| member(&u))
                .map_err(msg)
        }
        Request::UserDelete { username } => members::delete(app, &username, who)
            .await
            .map(|u| member(&u))
            .map_err(msg),
        Request::SetupLink => match setup::new_link(app, who).await {
            Ok(url) => {
                let config = &app.config;
                let site = app
                    .store
                    .read(|tx| crate::store::site::effective(tx, config))
                    .map_or_else(|_| config.site_name.clone(), |s| s.name);
                Ok(serde_json::json!({ "url": url, "expires_in": setup::LIFETIME_SECS, "site": site }))
            }
            Err(SetupError::AdminExists) => Err(
                "this site already has an admin; sign in, or add members with `latchkey user add`"
                    .into(),
            ),
            Err(e) => Err(e.to_string()),
        },
        Request::ClientAdd(new) => applications::register(app, *new, who).await.map(json).map_err(cmsg),
        Request::ClientList => applications::list(app)
            .map(|cs| serde_json::Value::Array(cs.iter().map(|c| json(ClientView::from(c))).collect()))
            .map_err(cmsg),
        Request::ClientShow { client } => applications::find(app, &client).map(|c| json(ClientView::from(&c))).map_err(cmsg),
        Request::ClientRotateSecret { client } => applications::rotate_secret(app, &client, who).await.map(json).map_err(cmsg),
        Request::ClientEnable { client, enabled } => applications::set_enabled(app, &client, enabled, who)
            .await
            .map(|c| json(ClientView::from(&c)))
            .map_err(cmsg),
        Request::ClientDelete { client } => applications::delete(app, &client, who)
            .await
            .map(|(c, g, t)| serde_json::json!({ "application": ClientView::from(&c), "grants_removed": g, "tokens_removed": t }))
            .map_err(cmsg),
        Request::TokenList { member, client } => grants::list(app, member.as_deref(), client.as_deref())
            .map(|gs| serde_json::Value::Array(gs.iter().map(|g| json(GrantView::from(g))).collect()))
            .map_err(|e| e.to_string()),
        Request::TokenRevoke { grant } => grants::revoke_by_admin(app, GrantId(grant), who)
            .await
            .map(|(g, n)| serde_json::json!({ "grant": GrantView::from(&g), "tokens_revoked": n }))
            .map_err(|e| e.to_string()),
        Request::KeysList => keys_loaded(app).await.map(|()| json(app.keyring.views())),
        Request::Demo => demo::load(app, who).await.map(json),
        Request::Backup { file } => {
            crate::ops::backup::create(app, std::path::Path::new(&file), false, who).await.map(json)
        }
        Request::ProviderAdd(new) => crate::connect::discovery::add(app, *new, who)
            .await
            .map(|p| json(ProviderView::new(&p, app.config.public_url.as_str())))
            .map_err(|e| e.to_string()),
        Request::ProviderList => providers::list(app)
            .map(|ps| json(ps.iter().map(|p| ProviderView::new(p, app.config.public_url.as_str())).collect::<Vec<_>>()))
            .map_err(|e| e.to_string()),
        Request::ProviderShow { provider } => providers::find(app, &provider)
            .map(|p| json(ProviderView::new(&p, app.config.public_url.as_str())))
            .map_err(|e| e.to_string()),
        Request::ProviderDisable { provider, disabled } => providers::set_disabled(app, &provider, disabled, who)
            .await
            .map(|p| json(ProviderView::new(&p, app.config.public_url.as_str())))
            .map_err(|e| e.to_string()),
        Request::ProviderDelete { provider } => crate::connect::delete_provider(app, &provider, who)
            .await
            .map(|(p, n, failures)| serde_json::json!({
                "provider": ProviderView::new(&p, app.config.public_url.as_str()),
                "connections_removed": n,
                "revocation_failures": failures,
            }))
            .map_err(|e| e.to_string()),
        Request::KeysRotate => keyring::rotate(&app.keyring, &app.store, &app.sealer, app.now(), who).await.map(json).map_err(|e| e.to_string()),
    };
    match result {
        Ok(v) => Reply::Ok(v),
        Err(e) => Reply::Err(e),
    }
}
