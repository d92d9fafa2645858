"""เข้าสู่ระบบด้วย LINE: LINE Login v2.1 (OpenID Connect) for the dashboard, through Authlib's
Flask client (authorization code flow with ``state``, ``nonce`` and PKCE S256;
``scope=openid profile``).

    GET /dashboard/login/line            → 302 to LINE's authorize endpoint
    GET /dashboard/login/line/callback   → the code exchanged for tokens, the ID token verified,
                                           a fresh session holding the LINE userId

Settings: ``LINE_LOGIN_CHANNEL_ID``, ``LINE_LOGIN_CHANNEL_SECRET`` (a LINE Login channel under
the *same provider* as the Messaging API channel: a userId is per provider), ``LINE_LOGIN_BASE_URL``
(the authorize host, ``https://access.line.me``); the token call goes to ``LINE_API_BASE_URL``.
The callback URL to register in the channel: ``https://<host>/dashboard/login/line/callback``.

**How the ID token is verified.** Here, by Authlib's OpenID Connect client (joserfc underneath),
not by ``POST /oauth2/v2.1/verify``: LINE signs a web login's ID token HS256 with the channel
secret, which the app already holds, so the signature, ``iss`` (``https://access.line.me``),
``aud`` (the channel id), ``exp``/``iat`` (2 minutes of leeway for clocks) and ``nonce`` (the one
Authlib kept in the session beside the ``state``) are checked without a second round trip to
LINE on every login, and without a second way for LINE to fail a login that already succeeded.

A verified ``sub`` is the LINE userId. Every login writes the audit trail: ``login`` (one row per
province the person holds a role in; department admins: none), or ``login_failed`` with the
reason (access_denied, state, token exchange, a bad ID token and which claim; a person with no
role). The session is made for anyone LINE vouches for; what they see is decided on every
request (bot/web/access.py): a person with no role gets a page saying whom to ask.
"""
from __future__ import annotations

import base64
import ipaddress
from urllib.parse import urlsplit

from flask import abort, current_app, request, session, url_for

from bot.web.dashboard import auth, bp

ISSUER = "https://access.line.me"
NAME = "line_login"               # the Authlib client's name (config keys LINE_LOGIN_CLIENT_…)
EXT = "nongpat.line_login"
LEEWAY_SECONDS = 120

# Thai for each reason a login is refused (the reason itself goes to the audit trail)
REASONS = {
    "access_denied": "ยกเลิกการเข้าสู่ระบบด้วย LINE แล้วครับ",
    "state": "การเข้าสู่ระบบหมดอายุหรือไม่ได้เริ่มจากหน้านี้ กรุณากดเข้าสู่ระบบด้วย LINE อีกครั้งครับ",
    "token": "LINE ไม่ยืนยันการเข้าสู่ระบบครั้งนี้ กรุณาลองอีกครั้งครับ",
    "id_token": "ยืนยันตัวตนจาก LINE ไม่ผ่าน กรุณาลองอีกครั้งครับ",
    "unreachable": "ติดต่อ LINE ไม่ได้ในขณะนี้ กรุณาลองใหม่อีกครั้งครับ",
}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def client():
    """The Authlib client of this app's LINE Login channel (made again when a setting
    changes)."""
    from authlib.integrations.flask_client import OAuth

    app = current_app._get_current_object()
    c = app.config
    settings = (c["LINE_LOGIN_CHANNEL_ID"], c["LINE_LOGIN_CHANNEL_SECRET"],
                (c.get("LINE_LOGIN_BASE_URL") or ISSUER).rstrip("/"),
                (c.get("LINE_API_BASE_URL") or "https://api.line.me").rstrip("/"))
    held = app.extensions.get(EXT)
    if held is not None and held[0] == settings:
        return held[1]
    channel_id, secret, login_base, api_base = settings
    oauth = OAuth(app)
    remote = oauth.register(
        NAME, overwrite=True, client_id=channel_id, client_secret=secret,
        authorize_url=f"{login_base}/oauth2/v2.1/authorize",
        access_token_url=f"{api_base}/oauth2/v2.1/token",
        client_kwargs={"scope": "openid profile", "code_challenge_method": "S256",
                       # LINE takes the client's id and secret in the form, not Basic auth
                       "token_endpoint_auth_method": "client_secret_post",
                       "default_timeout": 10},
        # what Authlib verifies the ID token with (server metadata given, not discovered):
        # LINE's issuer, and the channel secret as the HS256 key of a web login's ID token
        issuer=ISSUER, id_token_signing_alg_values_supported=["HS256"],
        jwks={"keys": [{"kty": "oct", "alg": "HS256", "k": _b64(secret.encode())}]})
    app.extensions[EXT] = (settings, remote)
    return remote


def claims_options() -> dict:
    return {"iss": {"essential": True, "value": ISSUER},
            "aud": {"essential": True, "value": current_app.config["LINE_LOGIN_CHANNEL_ID"]},
            "sub": {"essential": True}, "exp": {"essential": True}}


def redirect_uri() -> str:
    """https://<host>/dashboard/login/line/callback: https whatever the proxy in front says
    (LINE only calls back to the URL registered in the channel), plain http only for a
    loopback host (a developer's machine, the tests)."""
    url = url_for("dashboard.login_line_callback", _external=True)
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and url.startswith("http://"):
        url = "https://" + url[len("http://"):]
    return url


def _failed(reason: str, detail: str | None = None, user: str | None = None, status: int = 401):
    from bot.web.dashboard import views
    current_app.logger.warning("dashboard: LINE login refused (%s%s) from %s", reason,
                               f": {detail}" if detail else "", request.remote_addr)
    views.record(user or "line:?", "login_failed", None, None, None,
                 {"via": "line", "reason": reason, **({"detail": detail} if detail else {}),
                  "client": auth.client_address()})
    return views.login_page(REASONS.get(reason, REASONS["id_token"]), status)


@bp.get("/login/line")
def login_line():
    if not auth.line_configured():
        abort(404)
    from bot.web.dashboard.views import safe_next
    nxt = safe_next(request.args.get("next"))
    session[auth.NEXT_KEY] = nxt
    return client().authorize_redirect(redirect_uri())


@bp.get("/login/line/callback")
def login_line_callback():
    if not auth.line_configured():
        abort(404)
    import requests
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import ClaimError, ExpiredTokenError, JoseError

    from bot.web.dashboard.views import logged_in, safe_next
    nxt = safe_next(session.get(auth.NEXT_KEY))
    try:
        token = client().authorize_access_token(claims_options=claims_options(),
                                                leeway=LEEWAY_SECONDS)
    except MismatchingStateError:
        return _failed("state", status=400)
    except OAuthError as exc:
        reason = "access_denied" if exc.error == "access_denied" else "token"
        return _failed(reason, exc.error)
    except ExpiredTokenError:
        return _failed("id_token", "exp")
    except ClaimError as exc:
        return _failed("id_token", exc.claim)
    except JoseError as exc:
        return _failed("id_token", exc.error)
    except requests.RequestException as exc:
        return _failed("unreachable", exc.__class__.__name__, status=503)
    info = token.get("userinfo") or {}
    user = info.get("sub")
    if not isinstance(user, str) or not user:
        return _failed("id_token", "no id_token" if not info else "sub")
    auth.log_in_line(user, info.get("name"))
    return logged_in(user, "line", nxt, name=info.get("name"))
