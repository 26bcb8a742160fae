//! The OAuth 2.0 / OIDC authorization code flow as a client: the redirect
//! to the provider (PKCE S256, `state`, `nonce`), the callback (the state
//! taken once and checked against the browser, RFC 9207's `iss`, the code
//! exchanged, the id_token checked, the remote account read), the refresh
//! of a connection's tokens, and RFC 7009 revocation.

use super::{FlowError, Redirect, call_failed, client, idtoken, json_answer, oauth_error};
use crate::app::App;
use crate::clock::Timestamp;
use crate::connections::members::{self, FlowStart, Tokens};
use crate::connections::providers::{self, CALLBACK_PATH, callback_url};
use crate::oauth2::pkce;
use crate::store::connections::{Connection, OAuth2Endpoints, PendingFlow, Provider, TokenAuth};

/// What the provider sent back to the callback.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CallbackParams {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub iss: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// A finished flow: what it was for, with whom, and what came back.
#[derive(Debug, Clone)]
pub struct Finished {
    pub flow: PendingFlow,
    pub provider: Provider,
    /// The remote account's stable id (`sub`).
    pub subject: String,
    /// Its display name (or the subject).
    pub name: String,
    pub tokens: Tokens,
    pub expires_at: Option<Timestamp>,
    pub scopes: String,
}

fn redirect_uri(app: &App) -> String {
    callback_url(app.config.public_url.as_str(), CALLBACK_PATH)
}

fn endpoints(p: &Provider) -> Result<&OAuth2Endpoints, FlowError> {
    p.kind.oauth2().ok_or_else(|| FlowError::NotAvailable(format!("{} is not an OAuth 2.0 provider", p.name)))
}

/// Makes the pending flow and the provider's authorization URL.
pub async fn start(app: &App, p: &Provider, start: FlowStart) -> Result<Redirect, FlowError> {
    endpoints(p)?;
    let started = members::start_flow(app, start).await?;
    let mut url = url::Url::parse(&p.authorize_url)
        .map_err(|_| FlowError::Remote(format!("{}'s authorization URL is not a URL", p.name)))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &p.client_id)
            .append_pair("redirect_uri", &redirect_uri(app))
            .append_pair("state", &started.state)
            .append_pair("code_challenge", &pkce::challenge_s256(&started.flow.pkce_verifier))
            .append_pair("code_challenge_method", "S256");
        if !p.scopes.is_empty() {
            q.append_pair("scope", &p.scopes.join(" "));
        }
        if p.kind.oidc().is_some() {
            q.append_pair("nonce", &started.flow.nonce);
        }
    }
    Ok(Redirect { url: url.to_string(), browser: started.browser })
}

/// A token endpoint's answer.
struct TokenAnswer {
    access_token: String,
    refresh_token: Option<String>,
    expires_at: Option<Timestamp>,
    scope: Option<String>,
    id_token: Option<String>,
}

/// POSTs `form` to the token endpoint with the client's credentials.
async fn token_request(
    app: &App,
    p: &Provider,
    what: &str,
    form: &[(&str, &str)],
) -> Result<Result<TokenAnswer, String>, FlowError> {
    let e = endpoints(p)?;
    let secret = providers::client_secret(app, p)?;
    let mut form: Vec<(&str, &str)> = form.to_vec();
    let mut req = client(app)?.post(&e.token_url).header("Accept", "application/json");
    match e.token_auth {
        TokenAuth::ClientSecretBasic => {
            // RFC 6749 §2.3.1: each part form-encoded before Basic.
            let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            req = req.basic_auth(enc(&p.client_id), Some(enc(&secret)));
        }
        TokenAuth::ClientSecretPost => {
            form.push(("client_id", &p.client_id));
            form.push(("client_secret", &secret));
        }
    }
    let resp = req.form(&form).send().await.map_err(|err| call_failed(what, &err))?;
    let (status, v) = json_answer(what, resp).await?;
    if let Some(err) = oauth_error(&v) {
        return Ok(Err(err));
    }
    if status != 200 {
        return Err(FlowError::Remote(format!("{what}: the provider answered {status}")));
    }
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string).filter(|s| !s.is_empty());
    let access_token =
        text("access_token").ok_or_else(|| FlowError::Remote(format!("{what}: the answer has no access_token")))?;
    let kind = text("token_type").unwrap_or_default();
    if !kind.eq_ignore_ascii_case("bearer") {
        return Err(FlowError::Remote(format!("{what}: the token type {kind:?} is not Bearer")));
    }
    let now = app.now();
    Ok(Ok(TokenAnswer {
        access_token,
        refresh_token: text("refresh_token"),
        expires_at: v.get("expires_in").and_then(|x| x.as_i64()).filter(|s| *s > 0).map(|s| now + s),
        scope: text("scope"),
        id_token: text("id_token"),
    }))
}

/// The callback: everything checked, the tokens and the remote account.
pub async fn finish(app: &App, params: &CallbackParams, browser: Option<&str>) -> Result<Finished, FlowError> {
    // The state goes first and works once, whatever follows.
    let flow = members::take_flow(app, &params.state, browser).await?;
    let p = providers::get(app, flow.provider)?
        .ok_or_else(|| FlowError::Refused("The provider of this attempt was deleted.".into()))?;
    if p.disabled {
        return Err(FlowError::Refused(format!("{} is disabled on this site.", p.name)));
    }
    if let Some(oidc) = p.kind.oidc() {
        // RFC 9207: a sent `iss` must match; an advertised one must be sent.
        match params.iss.as_deref() {
            Some(iss) if iss != oidc.issuer => {
                return Err(FlowError::Refused(format!(
                    "The answer claims to come from {iss}, not from {} (RFC 9207); nothing was connected.",
                    oidc.issuer
                )));
            }
            None if oidc.iss_parameter_supported => {
                return Err(FlowError::Refused(format!(
                    "The answer does not say it comes from {} (RFC 9207); nothing was connected.",
                    oidc.issuer
                )));
            }
            _ => {}
        }
    }
    if let Some(e) = &params.error {
        let d = params.error_description.as_deref().unwrap_or("");
        let words = match e.as_str() {
            "access_denied" => format!("{} was not allowed (you or the provider declined).", p.name),
            _ => format!("{} refused: {e}{}", p.name, if d.is_empty() { String::new() } else { format!(" ({d})") }),
        };
        return Err(FlowError::Remote(words));
    }
    let code = params.code.as_deref().filter(|c| !c.is_empty());
    let code = code.ok_or_else(|| FlowError::Remote(format!("{} sent back no authorization code.", p.name)))?;
    let redirect = redirect_uri(app);
    let what = format!("Exchanging the code with {}", p.name);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect.as_str()),
        ("code_verifier", flow.pkce_verifier.as_str()),
    ];
    let t = token_request(app, &p, &what, &form)
        .await?
        .map_err(|e| FlowError::Remote(format!("{} refused the code: {e}", p.name)))?;
    let (subject, name) = identity(app, &p, &flow, &t).await?;
    Ok(Finished {
        subject,
        name,
        scopes: t.scope.clone().unwrap_or_else(|| p.scopes.join(" ")),
        tokens: Tokens { access_token: t.access_token, token_secret: None, refresh_token: t.refresh_token },
        expires_at: t.expires_at,
        flow,
        provider: p,
    })
}

fn name_of(v: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    ["name", "preferred_username", "username", "login", "nickname"]
        .iter()
        .find_map(|k| v.get(*k).and_then(|x| x.as_str()).map(str::trim).filter(|s| !s.is_empty()))
        .map(|s| s.chars().take(200).collect())
}

fn subject_of(v: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    match v.get("sub").or_else(|| v.get("id")) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// The remote account: from the id_token (OIDC, required), or the
/// userinfo endpoint; (subject, display name).
async fn identity(app: &App, p: &Provider, flow: &PendingFlow, t: &TokenAnswer) -> Result<(String, String), FlowError> {
    let e = endpoints(p)?;
    let mut subject = None;
    let mut name = None;
    if let Some(oidc) = p.kind.oidc() {
        let token = t.id_token.as_deref().ok_or_else(|| {
            FlowError::Refused(format!("{} sent no id_token, so who you are there is not proven.", p.name))
        })?;
        let claims = idtoken::validate(app, oidc, &p.client_id, token, &flow.nonce, app.now()).await?;
        subject = subject_of(&claims);
        name = name_of(&claims);
    }
    if let (Some(url), true) = (&e.userinfo_url, name.is_none()) {
        let what = format!("Reading your account at {}", p.name);
        let resp = client(app)?
            .get(url)
            .bearer_auth(&t.access_token)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|err| call_failed(&what, &err))?;
        let (status, v) = json_answer(&what, resp).await?;
        if status != 200 {
            return Err(FlowError::Remote(format!("{what}: the provider answered {status}")));
        }
        let info = v.as_object().cloned().unwrap_or_default();
        match (&subject, subject_of(&info)) {
            // OIDC Core §5.3.2: userinfo about another subject is ignored.
            (Some(s), Some(u)) if *s != u => {
                return Err(FlowError::Refused(format!("{} described another account than the id_token.", p.name)));
            }
            (None, found) => subject = found,
            _ => {}
        }
        name = name_of(&info);
    }
    let subject = subject.unwrap_or_default();
    let name =
        name.unwrap_or_else(|| if subject.is_empty() { format!("your {} account", p.name) } else { subject.clone() });
    Ok((subject, name))
}

/// What a refresh came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    Done,
    /// Nothing to do now (a disabled provider, no refresh token).
    Skipped,
    /// Refused for good (`invalid_grant`...): the member must reconnect.
    Refused(String),
}

/// Refreshes one connection's tokens and stores the new ones.
pub async fn refresh(app: &App, c: &Connection) -> Result<Refreshed, FlowError> {
    let p = providers::get(app, c.provider)?
        .ok_or_else(|| FlowError::Refused(format!("the provider of connection {} is gone", c.id)))?;
    if p.disabled {
        return Ok(Refreshed::Skipped);
    }
    let tokens = members::tokens(app, c)?;
    let Some(refresh_token) = tokens.refresh_token else { return Ok(Refreshed::Skipped) };
    let what = format!("Refreshing the connection to {}", p.name);
    match token_request(app, &p, &what, &[("grant_type", "refresh_token"), ("refresh_token", &refresh_token)]).await? {
        Ok(t) => {
            members::refreshed(app, c.id, &t.access_token, t.refresh_token.as_deref(), t.expires_at).await?;
            Ok(Refreshed::Done)
        }
        Err(e) => {
            let reason = format!("{} refused to renew access: {e}", p.name);
            members::needs_reconnect(app, c.id, &reason).await?;
            Ok(Refreshed::Refused(reason))
        }
    }
}

/// Revokes a connection's tokens at the provider (RFC 7009), refresh token
/// first (which ends the access token with it at most providers). `Ok`
/// when there is nothing to revoke at or no revocation endpoint.
pub async fn revoke(app: &App, p: &Provider, c: &Connection) -> Result<(), FlowError> {
    let Some(url) = p.kind.oauth2().and_then(|e| e.revocation_url.clone()) else { return Ok(()) };
    let tokens = members::tokens(app, c)?;
    let secret = providers::client_secret(app, p)?;
    let mut todo = vec![];
    if let Some(r) = &tokens.refresh_token {
        todo.push((r.clone(), "refresh_token"));
    }
    todo.push((tokens.access_token.clone(), "access_token"));
    let what = format!("Revoking access at {}", p.name);
    for (token, hint) in todo {
        let mut form = vec![("token", token.as_str()), ("token_type_hint", hint)];
        let mut req = client(app)?.post(&url);
        match p.kind.oauth2().map(|e| e.token_auth).unwrap_or_default() {
            TokenAuth::ClientSecretBasic => {
                let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                req = req.basic_auth(enc(&p.client_id), Some(enc(&secret)));
            }
            TokenAuth::ClientSecretPost => {
                form.push(("client_id", &p.client_id));
                form.push(("client_secret", &secret));
            }
        }
        let resp = req.form(&form).send().await.map_err(|e| call_failed(&what, &e))?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(FlowError::Remote(format!("{what}: the provider answered {status}")));
        }
    }
    Ok(())
}
