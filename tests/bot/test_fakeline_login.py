"""The fake LINE server's LINE Login v2.1 provider, on its own (no app): the authorize request
is checked as LINE checks it, the token endpoint checks the code, the client's secret, the
redirect_uri and the PKCE verifier and answers an ID token signed HS256 with the channel
secret (or a wrong one, when told), and the verify endpoint checks an ID token as LINE does."""
from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from bot.line.fakeline import ID_TOKEN_FAULTS, FakeLine, read_id_token, sign_id_token

CHANNEL, SECRET = "1650000000", "c0ffee00c0ffee00c0ffee00c0ffee00"
CALLBACK = "https://bot.example/dashboard/login/line/callback"
VERIFIER = "v" * 50


def challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=") \
        .decode()


@pytest.fixture(scope="module")
def fake():
    with FakeLine() as f:
        yield f


@pytest.fixture(autouse=True)
def channel(fake):
    fake.reset()
    fake.add_login_channel(CHANNEL, SECRET, callback=CALLBACK)
    fake.login_as = "Uperson0000000000000000000000001"
    fake.names["Uperson0000000000000000000000001"] = "สมศรี ใจดี"


def authorize(fake, **change) -> requests.Response:
    q = {"response_type": "code", "client_id": CHANNEL, "redirect_uri": CALLBACK,
         "state": "s-123", "scope": "openid profile", "nonce": "n-456",
         "code_challenge": challenge(VERIFIER), "code_challenge_method": "S256"}
    q.update(change)
    q = {k: v for k, v in q.items() if v is not None}
    return requests.get(f"{fake.url}/oauth2/v2.1/authorize?{urlencode(q)}",
                        allow_redirects=False, timeout=5)


def code_of(resp) -> str:
    assert resp.status_code == 302, resp.text
    q = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert q["state"] == ["s-123"]
    return q["code"][0]


def token(fake, code: str, **change) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": CHANNEL, "client_secret": SECRET, "code_verifier": VERIFIER}
    form.update(change)
    return requests.post(f"{fake.url}/oauth2/v2.1/token", data=form, timeout=5)


def test_a_login_round_trip(fake):
    resp = authorize(fake)
    assert resp.headers["Location"].startswith(CALLBACK + "?code=")
    answer = token(fake, code_of(resp))
    assert answer.status_code == 200
    doc = answer.json()
    assert doc["token_type"] == "Bearer" and doc["expires_in"] > 0 and doc["access_token"]
    claims = read_id_token(doc["id_token"], SECRET)
    assert claims["iss"] == "https://access.line.me" and claims["aud"] == CHANNEL
    assert claims["sub"] == fake.login_as and claims["nonce"] == "n-456"
    assert claims["name"] == "สมศรี ใจดี" and claims["exp"] > time.time() > claims["iat"] - 5
    assert read_id_token(doc["id_token"], "another-secret") is None
    # a code is used once
    assert token(fake, code_of(authorize(fake))).status_code == 200
    code = code_of(authorize(fake))
    assert token(fake, code).status_code == 200
    assert token(fake, code).json()["error"] == "invalid_grant"


@pytest.mark.parametrize("change", [
    {"client_id": "999"}, {"redirect_uri": "https://evil.example/cb"}, {"state": None},
    {"nonce": None}, {"code_challenge": None}, {"code_challenge_method": "plain"},
    {"scope": "profile"}, {"response_type": "token"}])
def test_the_authorize_request_is_checked(fake, change):
    resp = authorize(fake, **change)
    assert resp.status_code == 400
    assert fake.login_refusals


def test_access_denied_goes_back_with_the_state(fake):
    fake.login_deny = True
    resp = authorize(fake)
    q = parse_qs(urlsplit(resp.headers["Location"]).query)
    assert q["error"] == ["access_denied"] and q["state"] == ["s-123"] and "code" not in q


@pytest.mark.parametrize("change,error", [
    ({"code_verifier": "w" * 50}, "invalid_grant"),
    ({"code_verifier": ""}, "invalid_grant"),
    ({"redirect_uri": CALLBACK + "x"}, "invalid_grant"),
    ({"client_secret": "wrong"}, "invalid_client"),
    ({"grant_type": "refresh_token"}, "unsupported_grant_type")])
def test_the_token_request_is_checked(fake, change, error):
    resp = token(fake, code_of(authorize(fake)), **change)
    assert resp.status_code == 400 and resp.json()["error"] == error


@pytest.mark.parametrize("fault", ID_TOKEN_FAULTS)
def test_each_fault_makes_the_id_token_wrong_in_one_way(fake, fault):
    fake.id_token_fault = fault
    doc = token(fake, code_of(authorize(fake))).json()
    claims = read_id_token(doc["id_token"], SECRET)
    if fault == "signature":
        assert claims is None
        return
    wrong = {"aud": claims["aud"] != CHANNEL, "iss": claims["iss"] != "https://access.line.me",
             "nonce": claims["nonce"] != "n-456", "expired": claims["exp"] < time.time()}
    assert [k for k, v in wrong.items() if v] == [fault]


def test_verify_checks_like_line(fake):
    now = int(time.time())
    good = {"iss": "https://access.line.me", "sub": "Ux", "aud": CHANNEL, "exp": now + 60,
            "iat": now, "nonce": "n1"}

    def verify(claims, secret=SECRET, **extra):
        return requests.post(f"{fake.url}/oauth2/v2.1/verify", timeout=5, data={
            "id_token": sign_id_token(claims, secret), "client_id": CHANNEL, **extra})
    assert verify(good, nonce="n1", user_id="Ux").json()["sub"] == "Ux"
    assert verify(good, secret="another-secret").status_code == 400
    assert verify({**good, "aud": "43"}).status_code == 400
    assert verify({**good, "iss": "https://evil.example"}).status_code == 400
    assert verify({**good, "exp": now - 1}).status_code == 400
    assert verify(good, nonce="n2").status_code == 400
    assert verify(good, user_id="Uy").status_code == 400


def test_login_lives_on_the_api_host_only(fake):
    resp = requests.get(f"{fake.data_url}/oauth2/v2.1/authorize", allow_redirects=False,
                        timeout=5)
    assert resp.status_code == 404
