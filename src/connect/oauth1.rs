//! Connecting an account at an OAuth 1.0a service (RFC 5849 §2, latchkey as
//! the client): temporary credentials with `oauth_callback` pointing at
//! `/account/connections/callback/oauth1` (the service must confirm it),
//! the member sent to the service's authorization URL, then the verifier
//! exchanged for token credentials, which are stored sealed. The pending
//! flow is keyed by the request token (the one thing the callback brings
//! back), works once, and only for the member and browser that started it.
//! OAuth 1.0a has no standard revocation: disconnecting deletes the tokens
//! here only.

use super::oauth2::Finished;
use super::relay::read_limited;
use crate::app::App;
use crate::auth::sealing::context;
use crate::auth::secrets;
use crate::connections::ConnectionError;
use crate::connections::members::{self, FLOW_TTL, Tokens};
use crate::connections::providers::{self, CALLBACK_PATH_OAUTH1};
use crate::ids::UserId;
use crate::oauth1::client::{self as sign, Outgoing, Signer};
use crate::oauth1::signature::SignatureMethod;
use crate::store::connections::{self as stored, OAuth1Signature, PendingFlow, Provider, Purpose};

/// The largest credentials answer read from a service.
const MAX_CREDENTIALS_ANSWER: usize = 64 * 1024;

/// A consumer's signing material for one provider, opened.
pub struct Consumer {
    pub key: String,
    secret: String,
    method: OAuth1Signature,
    rsa: Option<rsa::RsaPrivateKey>,
}

impl Consumer {
    /// The provider's consumer key, secret and (RSA-SHA1) private key.
    pub fn of(app: &App, p: &Provider) -> Result<Consumer, ConnectionError> {
        let o = p.kind.oauth1().ok_or_else(|| refused(format!("{} is not an OAuth 1.0a service", p.name)))?;
        let secret = providers::client_secret(app, p)?;
        let rsa = match (o.signature_method, providers::rsa_private_key(app, p)?) {
            (OAuth1Signature::RsaSha1, Some(der)) => {
                Some(sign::read_rsa_private_key_der(&der).map_err(ConnectionError::Internal)?)
            }
            (OAuth1Signature::RsaSha1, None) => {
                return Err(ConnectionError::Internal(format!("{} uses RSA-SHA1 but has no key pair", p.name)));
            }
            _ => None,
        };
        Ok(Consumer { key: p.client_id.clone(), secret, method: o.signature_method, rsa })
    }

    pub fn signer(&self) -> Signer<'_> {
        match (&self.rsa, self.method) {
            (Some(key), _) => Signer::Rsa(key),
            (None, OAuth1Signature::HmacSha256) => {
                Signer::Secret { method: SignatureMethod::HmacSha256, consumer_secret: &self.secret }
            }
            (None, _) => Signer::Secret { method: SignatureMethod::HmacSha1, consumer_secret: &self.secret },
        }
    }

    /// The signed `Authorization` value for one request.
    pub fn authorization(
        &self,
        request: &Outgoing<'_>,
        token: Option<(&str, &str)>,
        extra: &[(&str, &str)],
        now: i64,
    ) -> Result<String, ConnectionError> {
        let mut all: Vec<(&str, &str)> = vec![("oauth_version", "1.0")];
        all.extend_from_slice(extra);
        let nonce = secrets::token();
        sign::authorization(request, &self.key, &self.signer(), token, &all, now.max(0) as u64, &nonce)
            .map_err(|e| ConnectionError::Internal(e.to_string()))
    }
}

fn refused(words: impl Into<String>) -> ConnectionError {
    ConnectionError::Refused(words.into())
}

/// A started connection: where to send the browser, and the value of the
/// browser cookie the callback must carry.
pub struct Started {
    pub redirect: String,
    pub browser: String,
}

/// Asks the service for temporary credentials and stores the pending flow.
pub async fn start(
    app: &App,
    http: &reqwest::Client,
    p: &Provider,
    user: UserId,
    return_to: String,
) -> Result<Started, ConnectionError> {
    if p.disabled || !p.member_connect {
        return Err(refused(format!("{} does not take new connections", p.name)));
    }
    let o = p.kind.oauth1().ok_or_else(|| refused(format!("{} is not an OAuth 1.0a service", p.name)))?;
    let consumer = Consumer::of(app, p)?;
    let callback = providers::callback_url(app.config.public_url.as_str(), CALLBACK_PATH_OAUTH1);
    let url = checked(app, &o.request_url, &p.name).await?;
    let auth = consumer.authorization(
        &Outgoing { method: "POST", url: &url, form: &[] },
        None,
        &[("oauth_callback", &callback)],
        app.now(),
    )?;
    let body = post(http, &url, &auth, &p.name).await?;
    let temporary = sign::parse_temporary_credentials(&body).map_err(|e| refused(format!("{}: {e}", p.name)))?;

    let now = app.now();
    let browser = secrets::token();
    let digest = secrets::digest(&temporary.token);
    let flow = PendingFlow {
        provider: p.id,
        user: Some(user),
        purpose: Purpose::Connect,
        browser: secrets::digest(&browser),
        pkce_verifier: String::new(),
        nonce: String::new(),
        request_token: Some(temporary.token.clone()),
        sealed_request_secret: Some(app.sealer.seal(&context::pending_request_secret(&digest), &temporary.secret)?),
        return_to,
        created_at: now,
        expires_at: now + FLOW_TTL,
    };
    app.store.write(move |tx| stored::put_flow(tx, &digest, &flow)).await?;

    let mut redirect = url::Url::parse(&p.authorize_url)
        .map_err(|e| ConnectionError::Internal(format!("{}'s authorization URL: {e}", p.name)))?;
    redirect.query_pairs_mut().append_pair("oauth_token", &temporary.token);
    Ok(Started { redirect: redirect.into(), browser })
}

/// What the service's redirect back brought.
pub struct Callback<'a> {
    pub oauth_token: &'a str,
    pub oauth_verifier: &'a str,
    /// The browser cookie set by [`start`].
    pub browser: Option<&'a str>,
}

/// Finishes a connection's flow: the flow of `oauth_token` (single use,
/// the same member and browser), the verifier exchanged for token
/// credentials. What it brought back is stored by the caller, as for
/// OAuth 2.0 (`web::connections::finished`).
pub async fn finish(
    app: &App,
    http: &reqwest::Client,
    back: Callback<'_>,
    user: UserId,
) -> Result<Finished, ConnectionError> {
    let flow = members::take_flow(app, back.oauth_token, back.browser).await?;
    if flow.user != Some(user) || flow.purpose != Purpose::Connect || flow.request_token.is_none() {
        return Err(refused("this connection was started by someone else; please start again"));
    }
    let request_secret = members::request_secret(app, back.oauth_token, &flow)?.unwrap_or_default();
    let p = providers::get(app, flow.provider)?
        .filter(|p| !p.disabled)
        .ok_or_else(|| refused("this service is no longer available"))?;
    let o = p.kind.oauth1().ok_or_else(|| refused(format!("{} is not an OAuth 1.0a service", p.name)))?;
    if back.oauth_verifier.is_empty() {
        return Err(refused(format!("{} sent no verifier: the connection was not approved", p.name)));
    }
    let consumer = Consumer::of(app, &p)?;
    let url = checked(app, &o.access_url, &p.name).await?;
    let auth = consumer.authorization(
        &Outgoing { method: "POST", url: &url, form: &[] },
        Some((back.oauth_token, &request_secret)),
        &[("oauth_verifier", back.oauth_verifier)],
        app.now(),
    )?;
    let body = post(http, &url, &auth, &p.name).await?;
    let credentials = sign::parse_token_credentials(&body).map_err(|e| refused(format!("{}: {e}", p.name)))?;
    // A service that does not say whose account it is still gets one
    // connection per member: connecting again replaces its tokens.
    let subject = credentials.remote_subject().map_or_else(|| format!("member:{user}"), |s| format!("id:{s}"));
    let name = credentials.remote_user().map_or_else(|| format!("your {} account", p.name), str::to_string);
    let tokens =
        Tokens { access_token: credentials.token, token_secret: Some(credentials.secret), refresh_token: None };
    Ok(Finished { flow, provider: p, subject, name, tokens, expires_at: None, scopes: String::new() })
}

/// A service URL checked against the outbound rule (DESIGN.md "Outbound
/// calls"), with the refusal in plain words.
async fn checked(app: &App, raw: &str, name: &str) -> Result<url::Url, ConnectionError> {
    crate::outbound::target::check(raw, app.config.outbound_allow_private)
        .await
        .map_err(|e| refused(format!("{name} cannot be reached: its address {e}")))
}

/// POSTs a signed credentials request and reads the form-encoded answer;
/// a refusal comes back in the service's words when it gave any.
async fn post(http: &reqwest::Client, url: &url::Url, auth: &str, name: &str) -> Result<String, ConnectionError> {
    let unreachable =
        |e: reqwest::Error| refused(format!("{name} could not be reached: {}", crate::outbound::error_chain(&e)));
    let response = http
        .post(url.clone())
        .header(reqwest::header::AUTHORIZATION, auth)
        .header(reqwest::header::CONTENT_LENGTH, "0")
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let body = read_limited(response, MAX_CREDENTIALS_ANSWER)
        .await
        .map_err(|e| refused(format!("{name}'s answer could not be read: {e}")))?;
    let body = String::from_utf8_lossy(&body).into_owned();
    if !status.is_success() {
        let words = match sign::parse_token_credentials(&body) {
            Err(sign::AnswerError::Problem(p)) => p,
            _ => format!("HTTP {status}"),
        };
        return Err(refused(format!("{name} refused: {words}")));
    }
    Ok(body)
}
