#!/usr/bin/env python3
"""requests-oauthlib (OAuth1Session and OAuth1, signing with oauthlib)
against a running latchkey: the three-legged OAuth 1.0a flow with a
callback URL (HMAC-SHA1) and out of band (HMAC-SHA256), API calls signed in
the Authorization header, the query and a form body, PLAINTEXT, and the
problem reports of a wrong secret and a replayed request.

tests/it/oauth1.rs starts the server, registers the consumers and runs this
script with its configuration as JSON on standard input:

    {"base": "https://localhost:PORT", "ca": "DATA_DIR/tls/ca.pem",
     "username": "...", "password": "...",
     "sha1": {"key": "...", "secret": "...", "callback": "http://127.0.0.1:PORT/py"},
     "sha256": {"key": "...", "secret": "..."}}

Every request trusts only that CA and ignores the environment's proxy and
CA variables. The member's browser is a cookie-keeping requests.Session
posting the pages' forms. It prints a line per check and "oauth1 interop:
all checks passed" at the end; a failed check raises.
"""

import json
import re
import sys
from urllib.parse import parse_qs, urlsplit

import requests
from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA256,
    SIGNATURE_PLAINTEXT,
    SIGNATURE_TYPE_BODY,
    SIGNATURE_TYPE_QUERY,
)
from requests_oauthlib import OAuth1, OAuth1Session
from requests_oauthlib.oauth1_session import TokenRequestDenied

CSRF = re.compile(r'name="csrf" value="([^"]*)"')
VERIFIER = re.compile(r'<code id="verifier">([^<]*)</code>')


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"  ok: {what}")


def session(cfg, cls=requests.Session, *args, **kwargs):
    s = cls(*args, **kwargs)
    s.verify = cfg["ca"]
    s.trust_env = False
    return s


def approve(cfg, browser, authorization_url):
    """Sign in when asked, allow on the consent page; the last response."""
    base = cfg["base"]
    r = browser.get(authorization_url, allow_redirects=False)
    if r.status_code == 303 and "/login?" in r.headers["location"]:
        return_to = parse_qs(urlsplit(r.headers["location"]).query)["return_to"][0]
        page = browser.get(base + "/login")
        r = browser.post(
            base + "/login",
            data={
                "csrf": CSRF.search(page.text).group(1),
                "username": cfg["username"],
                "password": cfg["password"],
                "return_to": return_to,
            },
            allow_redirects=False,
        )
        check(r.status_code == 303, "signed in, sent back to the authorization page")
        r = browser.get(r.headers["location"], allow_redirects=False)
    check(r.status_code == 200 and 'action="/oauth1/authorize"' in r.text, "the consent page")
    token = parse_qs(urlsplit(authorization_url).query)["oauth_token"][0]
    return browser.post(
        base + "/oauth1/authorize",
        data={"csrf": CSRF.search(r.text).group(1), "oauth_token": token, "decision": "approve"},
        allow_redirects=False,
    )


def problem(r):
    return parse_qs(r.text).get("oauth_problem", [""])[0]


def callback_flow(cfg):
    base, c = cfg["base"], cfg["sha1"]
    oauth = session(cfg, OAuth1Session, c["key"], client_secret=c["secret"], callback_uri=c["callback"])
    temp = oauth.fetch_request_token(base + "/oauth1/request")
    check(temp.get("oauth_callback_confirmed") == "true", "temporary credentials, callback confirmed")
    url = oauth.authorization_url(base + "/oauth1/authorize")
    back = approve(cfg, session(cfg), url)
    check(back.status_code == 303, "the member allowed; back to the callback")
    location = back.headers["location"]
    check(location.startswith(c["callback"]), "the callback the consumer sent")
    oauth.parse_authorization_response(location)
    token = oauth.fetch_access_token(base + "/oauth1/access")
    check(token["oauth_token"].startswith("lkoa_"), "token credentials")

    me = oauth.get(base + "/api/v1/me", params={"q": "a b+c", "empty": ""})
    check(me.status_code == 200 and me.json()["username"] == cfg["username"], "API call, Authorization header")
    for kind in (SIGNATURE_TYPE_QUERY,):
        auth = OAuth1(
            c["key"],
            client_secret=c["secret"],
            resource_owner_key=token["oauth_token"],
            resource_owner_secret=token["oauth_token_secret"],
            signature_type=kind,
        )
        r = session(cfg).get(base + "/api/v1/me", auth=auth)
        check(r.status_code == 200 and r.json()["username"] == cfg["username"], f"API call, signature in the {kind}")

    # The form body carries the parameters: a temporary-credentials request.
    body = OAuth1(c["key"], client_secret=c["secret"], callback_uri=c["callback"], signature_type=SIGNATURE_TYPE_BODY)
    r = session(cfg).post(base + "/oauth1/request", data={"extra": "signed too"}, auth=body)
    check(r.status_code == 200 and "oauth_token=" in r.text, "temporary credentials, signature in the body")

    # A wrong secret: 401 with the base string the server computed.
    wrong = session(cfg, OAuth1Session, c["key"], client_secret="wrong", callback_uri=c["callback"])
    try:
        wrong.fetch_request_token(base + "/oauth1/request")
        raise AssertionError("a wrong secret was accepted")
    except TokenRequestDenied as e:
        r = e.response
        check(r.status_code == 401 and problem(r) == "signature_invalid", "wrong secret: signature_invalid")
        advice = parse_qs(r.text)["oauth_problem_advice"][0]
        check(advice.startswith("POST&" + requests.utils.quote(base + "/oauth1/request", safe="")), "advice: base string")
        check(r.headers["www-authenticate"].startswith('OAuth realm="'), "WWW-Authenticate: OAuth realm")

    # The very same signed request twice: the nonce is refused the second time.
    prepared = session(cfg).prepare_request(
        requests.Request(
            "GET",
            base + "/api/v1/me",
            auth=OAuth1(
                c["key"],
                client_secret=c["secret"],
                resource_owner_key=token["oauth_token"],
                resource_owner_secret=token["oauth_token_secret"],
            ),
        )
    )
    s = session(cfg)
    check(s.send(prepared).status_code == 200, "signed request once")
    again = s.send(prepared)
    check(again.status_code == 401 and again.json()["oauth_problem"] == "nonce_used", "replayed: nonce_used")


def oob_flow(cfg):
    base, c = cfg["base"], cfg["sha256"]
    oauth = session(
        cfg, OAuth1Session, c["key"], client_secret=c["secret"], callback_uri="oob", signature_method=SIGNATURE_HMAC_SHA256
    )
    oauth.fetch_request_token(base + "/oauth1/request")
    page = approve(cfg, session(cfg), oauth.authorization_url(base + "/oauth1/authorize"))
    found = VERIFIER.search(page.text)
    check(page.status_code == 200 and found, "oob: the verifier is shown to the member")
    token = oauth.fetch_access_token(base + "/oauth1/access", verifier=found.group(1))
    me = oauth.get(base + "/api/v1/me")
    check(me.status_code == 200, "API call signed with HMAC-SHA256")
    plain = OAuth1(
        c["key"],
        client_secret=c["secret"],
        resource_owner_key=token["oauth_token"],
        resource_owner_secret=token["oauth_token_secret"],
        signature_method=SIGNATURE_PLAINTEXT,
    )
    r = session(cfg).get(base + "/api/v1/me", auth=plain)
    check(r.status_code == 200 and r.json()["username"] == cfg["username"], "API call signed with PLAINTEXT over HTTPS")


def main():
    cfg = json.load(sys.stdin)
    callback_flow(cfg)
    oob_flow(cfg)
    print("oauth1 interop: all checks passed")


if __name__ == "__main__":
    main()
