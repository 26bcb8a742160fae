//! Interoperability with client libraries other people wrote: the `oauth2`
//! and `openidconnect` crates, and Python's Authlib (`tests/python/interop.py`).
//! Each speaks to the real server over HTTPS trusting only the CA it made; the
//! browser's part (sign-in and consent) is played by a cookie-keeping client.
//!
//! The Python test needs `python3` with `authlib` and `requests`; without
//! them it skips loudly, unless LATCHKEY_BROWSER_TESTS=require or CI is set
//! (as in `.ci/run`), where a missing tool is a failure.

use crate::harness::*;
use base64::Engine;
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IntrospectionUrl, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, RevocationUrl, Scope, StandardRevocableToken,
    TokenIntrospectionResponse, TokenResponse, TokenUrl,
};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{AccessTokenHash, ClaimsVerificationError, IssuerUrl, Nonce, TokenResponse as _};
use serde_json::Value;
use std::time::Duration;

/// What the libraries send their requests with: trusts exactly this
/// server's CA and never follows a redirect (both crates require that).
fn library_http(s: &Server) -> reqwest::blocking::Client {
    let ca = std::fs::read(s.dir.join("tls/ca.pem")).unwrap();
    reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// The browser's part of the code flow for an authorization URL a library
/// built: open it, approve on the consent page (or go straight back when
/// consent is remembered), and return the redirect it ends in.
fn approve(s: &Server, browser: &reqwest::blocking::Client, auth_url: &url::Url) -> url::Url {
    assert!(auth_url.as_str().starts_with(&s.url("/oauth2/authorize?")), "{auth_url}");
    let r = browser.get(auth_url.as_str()).send().unwrap();
    let location = match r.status().as_u16() {
        200 => {
            let html = r.text().unwrap();
            let mut form: Vec<(String, String)> =
                vec![("csrf".into(), csrf(&html)), ("decision".into(), "approve".into())];
            form.extend(auth_url.query_pairs().into_owned());
            let r = browser.post(s.url("/oauth2/authorize")).form(&form).send().unwrap();
            assert_eq!(r.status(), 302, "{}", r.text().unwrap_or_default());
            location(&r)
        }
        302 => location(&r),
        other => panic!("authorize answered {other}: {}", r.text().unwrap_or_default()),
    };
    url::Url::parse(&location).unwrap()
}

fn query_param(u: &url::Url, name: &str) -> Option<String> {
    u.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// `http://127.0.0.1:<port>/callback`: a loopback redirect, any port allowed
/// (RFC 8252 §7.3) against the registered `http://127.0.0.1/callback`.
fn loopback_redirect() -> String {
    format!("http://127.0.0.1:{}/callback", free_port())
}

const REGISTERED_CALLBACK: &str = "http://127.0.0.1/callback";

#[test]
fn oauth2_crate_client_credentials_introspection_and_revocation() {
    let s = Server::start();
    let http = library_http(&s);
    let (id, secret) = register(&s, &["--name", "Robot", "--grant", "client_credentials", "--scope", "read"]);
    let secret = secret.expect("a confidential client has a secret");
    let client = BasicClient::new(ClientId::new(id.clone()))
        .set_client_secret(ClientSecret::new(secret.clone()))
        .set_token_uri(TokenUrl::new(s.url("/oauth2/token")).unwrap())
        .set_introspection_url(IntrospectionUrl::new(s.url("/oauth2/introspect")).unwrap())
        .set_revocation_url(RevocationUrl::new(s.url("/oauth2/revoke")).unwrap());

    // client_secret_basic (the library's default).
    let token = client
        .exchange_client_credentials()
        .add_scope(Scope::new("read".into()))
        .request(&http)
        .expect("client credentials grant");
    assert_eq!(*token.token_type(), BasicTokenType::Bearer);
    assert!(token.refresh_token().is_none(), "RFC 6749 §4.4.3");
    assert!(token.expires_in().is_some_and(|d| d > Duration::ZERO));
    let scopes: Vec<String> = token.scopes().expect("scope is returned").iter().map(|s| s.to_string()).collect();
    assert!(scopes.iter().any(|s| s == "posts:read"), "{scopes:?}");

    // RFC 7662 through the library: active, this client's, these scopes.
    let info = client.introspect(token.access_token()).request(&http).expect("introspection");
    assert!(info.active());
    assert_eq!(info.client_id().map(|c| c.as_str()), Some(id.as_str()));
    assert!(info.scopes().expect("introspection gives the scope").iter().any(|s| s.as_str() == "posts:read"));

    // client_secret_post works as well.
    let post = BasicClient::new(ClientId::new(id.clone()))
        .set_client_secret(ClientSecret::new(secret.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::new(s.url("/oauth2/token")).unwrap());
    let token2 = post.exchange_client_credentials().request(&http).expect("client_secret_post");
    assert_ne!(token2.access_token().secret(), token.access_token().secret());

    // RFC 7009 through the library, then introspection says inactive.
    client
        .revoke_token(StandardRevocableToken::AccessToken(token.access_token().clone()))
        .unwrap()
        .request(&http)
        .expect("revocation");
    let info = client.introspect(token.access_token()).request(&http).expect("introspection after revocation");
    assert!(!info.active());

    // A wrong secret comes back as a parsed RFC 6749 §5.2 error.
    let wrong = BasicClient::new(ClientId::new(id))
        .set_client_secret(ClientSecret::new("not the secret".into()))
        .set_token_uri(TokenUrl::new(s.url("/oauth2/token")).unwrap());
    match wrong.exchange_client_credentials().request(&http) {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidClient)
        }
        other => panic!("expected invalid_client, got {other:?}"),
    }
}

#[test]
fn oauth2_crate_code_with_pkce_and_refresh() {
    let s = Server::start();
    add_member(&s, "pia");
    let http = library_http(&s);
    let (id, secret) = register(
        &s,
        &[
            "--name",
            "Desk app",
            "--public",
            "--redirect-uri",
            REGISTERED_CALLBACK,
            "--scope",
            "openid",
            "--scope",
            "profile",
            "--scope",
            "email",
            "--scope",
            "offline_access",
        ],
    );
    assert!(secret.is_none(), "a public client has no secret");
    let redirect = loopback_redirect();
    let client = BasicClient::new(ClientId::new(id.clone()))
        .set_auth_uri(AuthUrl::new(s.url("/oauth2/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(s.url("/oauth2/token")).unwrap())
        .set_revocation_url(RevocationUrl::new(s.url("/oauth2/revoke")).unwrap())
        .set_redirect_uri(RedirectUrl::new(redirect.clone()).unwrap());
    let browser = signed_in(&s, "pia");

    let start = |challenge: PkceCodeChallenge| {
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("offline_access".into()))
            .set_pkce_challenge(challenge)
            .url();
        let back = approve(&s, &browser, &url);
        assert!(back.as_str().starts_with(&redirect), "{back}");
        assert_eq!(query_param(&back, "state").as_deref(), Some(state.secret().as_str()));
        assert_eq!(query_param(&back, "iss").as_deref(), Some(s.base.as_str()), "RFC 9207");
        AuthorizationCode::new(query_param(&back, "code").expect("a code"))
    };

    // A verifier that does not match the challenge is refused.
    let (challenge, _verifier) = PkceCodeChallenge::new_random_sha256();
    let code = start(challenge);
    match client.exchange_code(code).set_pkce_verifier(PkceCodeVerifier::new("x".repeat(64))).request(&http) {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidGrant)
        }
        other => panic!("expected invalid_grant, got {other:?}"),
    }

    // The right one gives tokens, a refresh token for offline_access.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let code = start(challenge);
    let token = client.exchange_code(code.clone()).set_pkce_verifier(verifier).request(&http).expect("code exchange");
    assert_eq!(*token.token_type(), BasicTokenType::Bearer);
    let access = token.access_token().secret().clone();
    let refresh = token.refresh_token().expect("offline_access").clone();
    assert_eq!(me_status(&s, &access), 200);

    // Refresh through the library: a new access token and a rotated refresh token.
    let refreshed = client.exchange_refresh_token(&refresh).request(&http).expect("refresh");
    let access2 = refreshed.access_token().secret().clone();
    let refresh2 = refreshed.refresh_token().expect("rotated").clone();
    assert_ne!(access2, access);
    assert_ne!(refresh2.secret(), refresh.secret());
    assert_eq!(me_status(&s, &access2), 200);
    let narrower = client
        .exchange_refresh_token(&refresh2)
        .add_scope(Scope::new("profile".into()))
        .request(&http)
        .expect("refresh with a narrower scope");
    assert_eq!(
        narrower.scopes().map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        Some(vec!["profile".to_string()])
    );
    let refresh3 = narrower.refresh_token().expect("rotated again").clone();

    // A public client revokes its refresh token (RFC 7009, no secret); the
    // grant goes with it.
    client
        .revoke_token(StandardRevocableToken::RefreshToken(refresh3.clone()))
        .unwrap()
        .request(&http)
        .expect("revocation");
    match client.exchange_refresh_token(&refresh3).request(&http) {
        Err(RequestTokenError::ServerResponse(e)) => {
            assert_eq!(*e.error(), BasicErrorResponseType::InvalidGrant)
        }
        other => panic!("expected invalid_grant, got {other:?}"),
    }
    assert_eq!(me_status(&s, narrower.access_token().secret()), 401);
}

/// One application per signing algorithm the server offers.
struct OidcApp {
    alg: CoreJwsSigningAlgorithm,
    alg_name: &'static str,
    id: String,
    secret: Option<String>,
}

fn oidc_apps(s: &Server) -> Vec<OidcApp> {
    let scopes = ["--scope", "openid", "--scope", "profile", "--scope", "email", "--scope", "offline_access"];
    let mut apps = Vec::new();
    // EdDSA is the default (no flag); the RS256 one is confidential, for
    // client_secret_basic.
    for (alg, alg_name, flag, public) in [
        (CoreJwsSigningAlgorithm::EdDsa, "EdDSA", None, true),
        (CoreJwsSigningAlgorithm::EcdsaP256Sha256, "ES256", Some("ES256"), true),
        (CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, "RS256", Some("RS256"), false),
    ] {
        let name = format!("OIDC {alg_name}");
        let mut args = vec!["--name", name.as_str(), "--redirect-uri", REGISTERED_CALLBACK];
        if public {
            args.push("--public");
        } else {
            args.extend(["--grant", "authorization_code", "--grant", "refresh_token"]);
        }
        if let Some(f) = flag {
            args.extend(["--signing-alg", f]);
        }
        args.extend(scopes);
        let (id, secret) = register(s, &args);
        assert_eq!(secret.is_none(), public);
        apps.push(OidcApp { alg, alg_name, id, secret });
    }
    apps
}

#[test]
fn openidconnect_crate_discovery_code_flow_and_id_token_per_algorithm() {
    let s = Server::start();
    add_member(&s, "ivo");
    let http = library_http(&s);
    let issuer = IssuerUrl::new(s.base.clone()).unwrap();

    // Discovery: the crate checks that the document names this issuer and
    // fetches the JWKS it points at.
    let meta = CoreProviderMetadata::discover(&issuer, &http).expect("discovery");
    assert_eq!(meta.issuer(), &issuer);
    let algs = meta.id_token_signing_alg_values_supported();
    for alg in [
        CoreJwsSigningAlgorithm::EdDsa,
        CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    ] {
        assert!(algs.contains(&alg), "{alg:?} in {algs:?}");
    }
    assert!(meta.jwks().keys().len() >= 3, "one key per algorithm");

    let browser = signed_in(&s, "ivo");
    // Tokens issued from here on are issued in a later second than the
    // sign-in, so an auth_time that is not the sign-in's shows.
    std::thread::sleep(Duration::from_millis(1100));
    for app in oidc_apps(&s) {
        let what = app.alg_name;
        let redirect = loopback_redirect();
        let client = CoreClient::from_provider_metadata(
            meta.clone(),
            openidconnect::ClientId::new(app.id.clone()),
            app.secret.clone().map(openidconnect::ClientSecret::new),
        )
        .set_redirect_uri(openidconnect::RedirectUrl::new(redirect.clone()).unwrap());
        let (challenge, verifier) = openidconnect::PkceCodeChallenge::new_random_sha256();
        let (auth_url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                openidconnect::CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(openidconnect::Scope::new("profile".into()))
            .add_scope(openidconnect::Scope::new("email".into()))
            .add_scope(openidconnect::Scope::new("offline_access".into()))
            .set_pkce_challenge(challenge)
            .url();
        let back = approve(&s, &browser, &auth_url);
        assert!(back.as_str().starts_with(&redirect), "{what}: {back}");
        assert_eq!(query_param(&back, "state").as_deref(), Some(state.secret().as_str()));
        let code = query_param(&back, "code").expect("a code");

        let token = client
            .exchange_code(openidconnect::AuthorizationCode::new(code))
            .unwrap()
            .set_pkce_verifier(verifier)
            .request(&http)
            .unwrap_or_else(|e| panic!("{what}: code exchange: {e:?}"));
        let id_token = token.id_token().expect("openid gives an id_token");
        let verifier = client.id_token_verifier();

        // Signature against the published JWKS, iss, aud, exp and nonce.
        let claims =
            id_token.claims(&verifier, &nonce).unwrap_or_else(|e| panic!("{what}: id_token verification: {e:?}"));
        assert_eq!(id_token.signing_alg().unwrap(), &app.alg, "{what}");
        assert_eq!(claims.issuer(), &issuer);
        assert_eq!(claims.audiences(), &[openidconnect::Audience::new(app.id.clone())]);
        assert_eq!(claims.preferred_username().map(|u| u.as_str()), Some("ivo"));
        assert_eq!(claims.email().map(|e| e.as_str()), Some("ivo@example.org"));
        let auth_time = claims.auth_time().expect("auth_time");
        assert!(auth_time < claims.issue_time(), "{what}: auth_time is when the member signed in");

        // at_hash with the algorithm's hash (SHA-512 for Ed25519).
        let expected = claims.access_token_hash().expect("at_hash");
        let actual = AccessTokenHash::from_token(
            token.access_token(),
            id_token.signing_alg().unwrap(),
            id_token.signing_key(&verifier).unwrap(),
        )
        .unwrap();
        assert_eq!(&actual, expected, "{what}: at_hash");

        // The wrong nonce, and a payload changed under the signature, fail.
        assert!(matches!(
            id_token.claims(&verifier, &Nonce::new("another".into())),
            Err(ClaimsVerificationError::InvalidNonce(_))
        ));
        let forged = forge_subject(&id_token.to_string());
        assert!(
            matches!(forged.claims(&verifier, &nonce), Err(ClaimsVerificationError::SignatureVerification(_))),
            "{what}: a changed payload must not verify"
        );

        // UserInfo through the crate, checked against the id_token's subject.
        let info: CoreUserInfoClaims = client
            .user_info(token.access_token().clone(), Some(claims.subject().clone()))
            .unwrap()
            .request(&http)
            .unwrap_or_else(|e| panic!("{what}: userinfo: {e:?}"));
        assert_eq!(info.preferred_username().map(|u| u.as_str()), Some("ivo"));

        // Refresh through the crate; a new id_token (OIDC Core §12.2) keeps
        // iss, sub, aud and auth_time, and carries no nonce.
        let refresh = token.refresh_token().expect("offline_access");
        let refreshed = client
            .exchange_refresh_token(refresh)
            .unwrap()
            .request(&http)
            .unwrap_or_else(|e| panic!("{what}: refresh: {e:?}"));
        assert_ne!(refreshed.access_token().secret(), token.access_token().secret());
        if let Some(again) = refreshed.id_token() {
            let c2 = again
                .claims(&verifier, |n: Option<&Nonce>| match n {
                    None => Ok(()),
                    Some(_) => Err("a refreshed id_token should carry no nonce".to_string()),
                })
                .unwrap_or_else(|e| panic!("{what}: refreshed id_token: {e:?}"));
            assert_eq!(c2.subject(), claims.subject());
            assert_eq!(c2.issuer(), claims.issuer());
            assert_eq!(c2.audiences(), claims.audiences());
            assert_eq!(
                c2.auth_time(),
                claims.auth_time(),
                "{what}: a refreshed id_token's auth_time is the original sign-in's (OIDC Core §12.2)"
            );
            let expected = c2.access_token_hash().expect("at_hash");
            let actual = AccessTokenHash::from_token(
                refreshed.access_token(),
                again.signing_alg().unwrap(),
                again.signing_key(&verifier).unwrap(),
            )
            .unwrap();
            assert_eq!(&actual, expected);
        }
        assert_eq!(me_status(&s, refreshed.access_token().secret()), 200);
    }
}

/// The same JWT with `sub` changed and the original signature kept.
fn forge_subject(jwt: &str) -> CoreIdToken {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
    let mut claims: Value = serde_json::from_slice(&b64.decode(&parts[1]).unwrap()).unwrap();
    claims["sub"] = Value::String("someone-else".into());
    parts[1] = b64.encode(serde_json::to_vec(&claims).unwrap());
    parts.join(".").parse().unwrap()
}

#[test]
fn authlib_python_client() {
    let Some(python) = python_with(&["authlib", "requests"], "authlib.__version__", "Python interop test") else {
        return;
    };
    let s = Server::start();
    add_member(&s, "lou");
    let (cc_id, cc_secret) = register(&s, &["--name", "Py robot", "--grant", "client_credentials", "--scope", "read"]);
    let apps = oidc_apps(&s);
    let config = serde_json::json!({
        "base": s.base,
        "ca": s.dir.join("tls/ca.pem"),
        "username": "lou",
        "password": PASSWORD,
        "email": "lou@example.org",
        "client_credentials": {"client_id": cc_id, "client_secret": cc_secret},
        "code_clients": apps.iter().map(|a| serde_json::json!({
            "client_id": a.id,
            "client_secret": a.secret,
            "alg": a.alg_name,
            "redirect_uri": loopback_redirect(),
        })).collect::<Vec<_>>(),
    });
    let stdout = run_python(&python, "interop.py", &config, &s);
    assert!(stdout.contains("interop: all checks passed"), "{stdout}");
}
