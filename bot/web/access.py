"""Who is asking, on the web, and what they may see: one place for the dashboard, its exports,
the meeting brief and the JSON API.

A request is one of:
- a LINE user logged in with "เข้าสู่ระบบด้วย LINE" (the session keeps their userId, never their
  roles: :func:`bot.core.roles.person_of` is read on every request, so a revoke takes effect on
  the next click);
- the shared ``DASHBOARD_TOKEN`` (the token login form of the embedded default, or a script's
  ``Authorization: Bearer``): everything, as a department admin;
- a per-province API token (bot/web/tokens.py), as a bearer: a province admin of its province
  (a token made for every province: everything).

What each may do is bot.core.roles.ACCESS, read through :func:`bot.core.roles.may` at the
place the request touches (a province, a district). The dashboard's guard
(bot/web/dashboard/views.py) and the API's (bot/web/api.py) both stand in front of every route.
"""
from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy.exc import SQLAlchemyError

from bot.core.plans import Catalog
from bot.core.roles import DEPARTMENT_ADMIN, PROVINCE_ADMIN, ROLE_NAMES, Person, may
from bot.web import tokens

DASHBOARD_TOKEN_ACTOR = "token:DASHBOARD_TOKEN"
EVERYTHING = Person(None, is_department_admin=True)


@dataclass(frozen=True)
class Viewer:
    person: Person
    actor: str                  # who, in the audit trail: a userId, "token:<name>"
    via: str                    # "session" (a browser) | "bearer" (a script)
    kind: str                   # "line" | "dashboard_token" | "api_token"
    token_id: int | None = None

    @property
    def department(self) -> bool:
        return self.person.is_department_admin


def token_person(province_key: str | None) -> Person:
    """What an API token may do: a province admin of its province; every province: all."""
    if province_key is None:
        return EVERYTHING
    return Person(None, province_admin_of=frozenset({province_key}))


def services():
    return current_app.extensions["nongpat"]


def now_utc() -> dt.datetime:
    return current_app.config["CLOCK"]().astimezone(dt.timezone.utc)


def dashboard_token_matches(given: str) -> bool:
    tok = current_app.config.get("DASHBOARD_TOKEN")
    if not tok or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), tok.encode())


def bearer_viewer() -> tuple[Viewer | None, int]:
    """(the viewer of ``Authorization: Bearer …``, 200), or (None, 401) without the header,
    (None, 403) with a token that is not DASHBOARD_TOKEN nor a live API token."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None, 401
    given = header[7:].strip()
    if dashboard_token_matches(given):
        return Viewer(EVERYTHING, DASHBOARD_TOKEN_ACTOR, "bearer", "dashboard_token"), 200
    if not given.startswith(tokens.PREFIX):
        return None, 403
    svc = services()
    with svc.read_sessions() as s:
        row = tokens.find(s, given)
    if row is None:
        return None, 403
    now = now_utc()
    if tokens.due_for_touch(row, now):
        try:
            from bot.db import write_lock
            with write_lock(svc.engine), svc.sessions() as s, s.begin():
                tokens.touch(s, row.id, now)
        except SQLAlchemyError as exc:  # a busy database must not refuse the reader
            current_app.logger.warning("api token %s: last use not recorded (%s)", row.id,
                                       exc.__class__.__name__)
    return Viewer(token_person(row.province_key), tokens.actor(row), "bearer", "api_token",
                  row.id), 200


# --------------------------------------------------------------------------- places
def provinces_of(person: Person, catalog: Catalog) -> list[str]:
    """The provinces (with plans, in the catalog's order) whose figures the person sees, as a
    whole or one district of."""
    keys = catalog.province_keys()
    if person.is_department_admin:
        return keys
    mine = person.provinces
    return [k for k in keys if k in mine]


def districts_of(person: Person, province_key: str, plan=None) -> list[str]:
    """The districts of ``province_key`` the person heads (in the plan's order when given)."""
    mine = {d for p, d in person.district_head_of if p == province_key}
    if plan is not None:
        return [d.key for d in plan.districts if d.key in mine]
    return sorted(mine)


def sees_province(person: Person, province_key: str) -> bool:
    """The province as a whole (every district, the province's totals)."""
    return may(person, "view", province_key)


def role_words(person: Person, catalog: Catalog | None = None) -> list[str]:
    """'ผู้ดูแลระบบของกรม', 'ผู้ดูแลจังหวัดราชบุรี', 'หัวหน้าอำเภอบ้านโป่ง จังหวัดราชบุรี'."""
    def pname(key: str) -> str:
        return (catalog.province_name(key) if catalog else None) or key

    def dname(p: str, d: str) -> str:
        rows = catalog.plans_of(p) if catalog and catalog.province_of(p) else []
        district = catalog.get(rows[-1].id).plan.district(d) if rows else None
        return district.name if district else d
    out = []
    if person.is_department_admin:
        out.append(ROLE_NAMES[DEPARTMENT_ADMIN])
    out += [f"{ROLE_NAMES[PROVINCE_ADMIN]}{pname(p)}" for p in sorted(person.province_admin_of)]
    out += [f"หัวหน้าอำเภอ{dname(p, d)} จังหวัด{pname(p)}"
            for p, d in sorted(person.district_head_of)]
    return out
