"""TRUSTED_PROXIES: behind a proxy the login form's rate limit counts the client's address (from
X-Forwarded-For), not the proxy's; without it the header is ignored (a client cannot pick its
own address)."""
from __future__ import annotations

import pytest

from tests.helpers import DASHBOARD_TOKEN  # noqa: F401  (the app's token)


def _attempts(client, addresses: list[str]) -> list[int]:
    out = []
    for addr in addresses:
        page = client.get("/dashboard/login")
        token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
        resp = client.post("/dashboard/login", data={"token": "wrong", "csrf_token": token},
                           headers={"X-Forwarded-For": addr})
        out.append(resp.status_code)
    return out


@pytest.mark.parametrize("hops, limited", [(1, False), (0, True)])
def test_the_rate_limit_counts_the_forwarded_client_only_behind_a_trusted_proxy(
        make_app, hops, limited):
    app = make_app(TRUSTED_PROXIES=hops, DASHBOARD_LOGIN_LIMIT="3 per minute")
    client = app.test_client()
    statuses = _attempts(client, [f"203.0.113.{n}" for n in range(6)])  # six clients, once each
    assert (429 in statuses) == limited, statuses
