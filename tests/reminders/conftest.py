"""Fixtures for reminder tests: a round wired to the test app's database and the fake LINE."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.config import DEFAULT_PLAN
from bot.core.plan import load_plan_file
from bot.core.plans import PlanCache
from models import Group, utcnow
from models.queries import bind_group, record_entry
from reminders.rounds import Rounds, Settings

FAST = Settings(backoff=0.005, max_backoff=0.02, attempts=5, workers=4, lock_wait=20.0)


@pytest.fixture(scope="session")
def plan():
    return load_plan_file(DEFAULT_PLAN)


@pytest.fixture
def svc(make_app):
    return make_app(REMINDER_SETTINGS=FAST).extensions["nongpat"]


@pytest.fixture
def rounds(svc):
    return Rounds(svc.engine, svc.sessions, svc.line, plans=PlanCache(), settings=FAST)


def bind(svc, group_id: str, district: str | None = None, *, muted: bool = False,
         left: bool = False, province: str | None = None, department: bool = False) -> None:
    """district=None binds to the province (``province``: which one, when several have plans);
    department=True binds a department group."""
    scope = "department" if department else "district" if district else "province"
    with svc.sessions() as s, s.begin():
        g = bind_group(s, group_id, scope, district, "test", province_key=province)
        g.muted = muted
        if left:
            g.left_at = utcnow()


def unbound(svc, group_id: str) -> None:
    with svc.sessions() as s, s.begin():
        s.add(Group(group_id=group_id, joined_at=utcnow(), muted=False))


def log_progress(svc, indicator: str, district: str, amount: int, category: str | None = None,
                 province: str | None = None):
    with svc.sessions() as s, s.begin():
        active = svc.bot.current_plan(s, province)
        record_entry(s, plan_id=active.id, indicator_key=indicator, district_key=district,
                     category_key=category, amount=amount, source_type="cli",
                     text=f"test {indicator} {amount}")


def d(y: int, m: int, day: int) -> dt.date:
    return dt.date(y, m, day)
