#!/usr/bin/env python3
"""Authlib's OAuth 2.0 client (its requests integration, OAuth2Session)
against a running latchkey: client credentials, the authorization code flow
with PKCE (S256), refresh, introspection and revocation, and the id_token
verified against the published JWKS with authlib.jose (signature, iss, aud,
exp, nonce, azp, at_hash) for every signing algorithm the server offers.

tests/it/interop.rs starts the server, registers the applications and runs
this script with its configuration as JSON on standard input:

    {"base": "https://localhost:PORT", "ca": "DATA_DIR/tls/ca.pem",
     "username": "...", "password": "...", "email": "...",
     "client_credentials": {"client_id": "...", "client_secret": "..."},
     "code_clients": [{"client_id": "...", "client_secret": "..." or null,
                       "alg": "EdDSA" | "ES256" | "RS256",
                       "redirect_uri": "http://127.0.0.1:PORT/callback"}]}

Every HTTPS request trusts only that CA (and ignores the proxy and CA
variables of the environment). The browser's part (sign-in and
consent) is a cookie-keeping requests.Session posting the pages' forms.
It prints a line per check and "interop: all checks passed" at the end; a
failed check raises, so the exit status is non-zero.
"""

import json
import re
import sys
import time
import warnings
from urllib.parse import parse_qs, parse_qsl, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

# authlib.jose still works in Authlib 1.x but warns that joserfc replaces it.
warnings.filterwarnings("ignore", category=DeprecationWarning)
from authlib.jose import JsonWebKey, JsonWebToken  # noqa: E402
from authlib.oidc.core import CodeIDToken  # noqa: E402
from authlib.oidc.core.util import create_half_hash  # noqa: E402

CSRF = re.compile(r'name="csrf" value="([^"]*)"')
ALGS = ["EdDSA", "ES256", "RS256"]


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"  ok: {what}")


def expect_jose_error(code, fn, *args, **kwargs):
    """Authlib 1.9 raises authlib.jose errors for signatures and joserfc's
    for OpenID claims; both carry the RFC-style code in `error`."""
    try:
        fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - told apart by their error code
        if getattr(e, "error", None) != code:
            raise
        check(True, f"refused with {code}")
        return
    raise AssertionError(f"expected {code}, the token verified")


def expect_oauth_error(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except OAuthError as e:
        check(e.error == code, f"refused with {code} (got {e.error}: {e.description})")
        return
    raise AssertionError(f"expected the error {code}, the request succeeded")


class Interop:
    def __init__(self, cfg):
        self.cfg = cfg
        self.base = cfg["base"]
        self.ca = cfg["ca"]
        http = self.trusting(requests.Session())
        r = http.get(self.base + "/.well-known/openid-configuration", timeout=30)
        r.raise_for_status()
        self.meta = r.json()
        check(self.meta["issuer"] == self.base, "discovery names this issuer")
        r = http.get(self.meta["jwks_uri"], timeout=30)
        r.raise_for_status()
        self.keys = JsonWebKey.import_key_set(r.json())
        self.jwt = JsonWebToken(ALGS)

    def trusting(self, session):
        """Trust only the server's CA. Without trust_env=False, requests lets
        REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE override a session's verify."""
        session.trust_env = False
        session.verify = self.ca
        return session

    def session(self, client_id, client_secret, **kwargs):
        return self.trusting(OAuth2Session(client_id, client_secret, **kwargs))

    # -- client credentials -------------------------------------------------

    def client_credentials(self):
        print("client credentials")
        c = self.cfg["client_credentials"]
        token_url = self.meta["token_endpoint"]
        s = self.session(c["client_id"], c["client_secret"], scope="read")
        check(s.token_endpoint_auth_method == "client_secret_basic", "client_secret_basic")
        tok = s.fetch_token(token_url, grant_type="client_credentials")
        check(tok["token_type"].lower() == "bearer", "a bearer token")
        check("refresh_token" not in tok, "no refresh token (RFC 6749 §4.4.3)")
        check("posts:read" in tok["scope"].split(), "read expands to posts:read")
        check(tok.get("expires_at") is not None, "expires_in understood")

        r = s.introspect_token(self.meta["introspection_endpoint"], token=tok["access_token"])
        r.raise_for_status()
        info = r.json()
        check(info["active"] is True, "introspection: active")
        check(info["client_id"] == c["client_id"], "introspection: this client")

        # The session sends the token itself; an application's token is not a member.
        r = s.get(self.base + "/api/v1/me")
        check(r.status_code == 403, f"application token on /api/v1/me is 403 (got {r.status_code})")

        post = self.session(
            c["client_id"], c["client_secret"], token_endpoint_auth_method="client_secret_post"
        )
        tok2 = post.fetch_token(token_url, grant_type="client_credentials")
        check(tok2["access_token"] != tok["access_token"], "client_secret_post works too")

        r = s.revoke_token(
            self.meta["revocation_endpoint"], token=tok["access_token"], token_type_hint="access_token"
        )
        check(r.status_code == 200, "revocation (RFC 7009)")
        r = s.introspect_token(self.meta["introspection_endpoint"], token=tok["access_token"])
        check(r.json()["active"] is False, "introspection after revocation: inactive")

        wrong = self.session(c["client_id"], "not the secret")
        expect_oauth_error("invalid_client", wrong.fetch_token, token_url, grant_type="client_credentials")

    # -- the browser --------------------------------------------------------

    def sign_in(self):
        b = self.trusting(requests.Session())
        page = b.get(self.base + "/login", timeout=30)
        page.raise_for_status()
        r = b.post(
            self.base + "/login",
            data={
                "csrf": CSRF.search(page.text).group(1),
                "username": self.cfg["username"],
                "password": self.cfg["password"],
                "return_to": "/account",
            },
            allow_redirects=False,
            timeout=30,
        )
        check(r.status_code == 303, f"signed in (got {r.status_code})")
        return b

    def approve(self, browser, url):
        """Opens the authorization URL and approves; returns where it redirects."""
        r = browser.get(url, allow_redirects=False, timeout=30)
        if r.status_code == 200:
            form = parse_qsl(urlsplit(url).query) + [
                ("csrf", CSRF.search(r.text).group(1)),
                ("decision", "approve"),
            ]
            r = browser.post(self.base + "/oauth2/authorize", data=form, allow_redirects=False, timeout=30)
        if r.status_code != 302:
            raise AssertionError(f"authorize answered {r.status_code}: {r.text[:2000]}")
        return r.headers["Location"]

    # -- id_token -----------------------------------------------------------

    def verify_id_token(self, id_token, client_id, access_token, nonce=None):
        params = {"client_id": client_id, "access_token": access_token}
        if nonce is not None:
            params["nonce"] = nonce
        claims = self.jwt.decode(
            id_token,
            self.keys,
            claims_cls=CodeIDToken,
            claims_options={
                "iss": {"essential": True, "value": self.base},
                "aud": {"essential": True, "value": client_id},
            },
            claims_params=params,
        )
        claims.validate(leeway=5)
        check("at_hash" in claims, "at_hash present and matching the access token")
        return claims

    # -- the code flow ------------------------------------------------------

    def code_flow(self, browser, c):
        alg = c["alg"]
        print(f"code flow with PKCE, id_token {alg}")
        public = c["client_secret"] is None
        s = self.session(
            c["client_id"],
            c["client_secret"],
            scope="openid profile email offline_access",
            redirect_uri=c["redirect_uri"],
            code_challenge_method="S256",
        )
        check(
            s.token_endpoint_auth_method == ("none" if public else "client_secret_basic"),
            f"client authentication {s.token_endpoint_auth_method}",
        )
        verifier = generate_token(64)
        nonce = generate_token(24)
        url, state = s.create_authorization_url(
            self.meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        check("code_challenge_method=S256" in url, "S256 challenge in the authorization URL")
        back = self.approve(browser, url)
        check(back.startswith(c["redirect_uri"] + "?"), "back at the loopback redirect URI")
        q = parse_qs(urlsplit(back).query)
        check(q.get("state") == [state], "state comes back")
        check(q.get("iss") == [self.base], "iss comes back (RFC 9207)")

        # Authlib parses the redirect, checks state and sends the verifier.
        tok = s.fetch_token(
            self.meta["token_endpoint"], authorization_response=back, state=state, code_verifier=verifier
        )
        check(tok["token_type"].lower() == "bearer", "a bearer token")
        check("refresh_token" in tok, "offline_access gives a refresh token")
        claims = self.verify_id_token(tok["id_token"], c["client_id"], tok["access_token"], nonce)
        check(claims.header["alg"] == alg, f"signed {alg}")
        check(claims["nonce"] == nonce, "nonce")
        check(claims["preferred_username"] == self.cfg["username"], "preferred_username")
        check(claims["email"] == self.cfg["email"], "email")
        check(claims["auth_time"] < claims["iat"], "auth_time is the sign-in, before the token")
        if "c_hash" in claims:
            code = q["code"][0]
            check(claims["c_hash"] == create_half_hash(code, alg).decode(), "c_hash matches the code")

        # A wrong nonce, and a payload changed under the signature, fail.
        print("  a wrong nonce:")
        expect_jose_error(
            "invalid_claim", self.verify_id_token, tok["id_token"], c["client_id"], tok["access_token"], "other"
        )
        print("  a payload changed under the signature:")
        forged = forge_subject(tok["id_token"])
        expect_jose_error("bad_signature", self.verify_id_token, forged, c["client_id"], tok["access_token"], nonce)

        # The session carries the token to the API and to userinfo.
        r = s.get(self.base + "/api/v1/me")
        check(r.status_code == 200 and r.json()["username"] == self.cfg["username"], "/api/v1/me")
        r = s.get(self.meta["userinfo_endpoint"])
        r.raise_for_status()
        check(r.json()["sub"] == claims["sub"], "userinfo has the id_token's sub")

        # Refresh: new tokens, the refresh token rotated.
        old_refresh = tok["refresh_token"]
        new = s.refresh_token(self.meta["token_endpoint"], refresh_token=old_refresh)
        check(new["access_token"] != tok["access_token"], "refresh: a new access token")
        check(new.get("refresh_token") not in (None, old_refresh), "refresh: the refresh token rotated")
        if "id_token" in new:
            c2 = self.verify_id_token(new["id_token"], c["client_id"], new["access_token"])
            check("nonce" not in c2, "refreshed id_token: no nonce (OIDC Core §12.2)")
            check(
                (c2["iss"], c2["sub"], c2["aud"]) == (claims["iss"], claims["sub"], claims["aud"]),
                "refreshed id_token: same iss, sub, aud",
            )
            check(
                c2["auth_time"] == claims["auth_time"],
                f"refreshed id_token: auth_time of the original sign-in (OIDC Core §12.2; "
                f"got {c2['auth_time']}, sign-in {claims['auth_time']})",
            )
        r = s.get(self.base + "/api/v1/me")
        check(r.status_code == 200, "the session uses the refreshed token")

        # Revoking the refresh token (RFC 7009) ends the grant.
        r = s.revoke_token(
            self.meta["revocation_endpoint"], token=new["refresh_token"], token_type_hint="refresh_token"
        )
        check(r.status_code == 200, "refresh token revoked")
        expect_oauth_error(
            "invalid_grant", s.refresh_token, self.meta["token_endpoint"], refresh_token=new["refresh_token"]
        )
        r = s.get(self.base + "/api/v1/me")
        check(r.status_code == 401, "the grant's access token is dead too")


def forge_subject(jwt):
    """The same JWT with sub changed and the original signature kept."""
    import base64

    def dec(s):
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

    def enc(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    head, body, sig = jwt.split(".")
    claims = json.loads(dec(body))
    claims["sub"] = "someone-else"
    return ".".join([head, enc(json.dumps(claims).encode()), sig])


def main():
    cfg = json.load(sys.stdin)
    t = Interop(cfg)
    t.client_credentials()
    browser = t.sign_in()
    # Tokens are issued in a later second than the sign-in, so an auth_time
    # that is not the sign-in's shows.
    time.sleep(1.1)
    for c in cfg["code_clients"]:
        t.code_flow(browser, c)
    print("interop: all checks passed")


if __name__ == "__main__":
    main()
