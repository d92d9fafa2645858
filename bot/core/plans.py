"""Plans in the database: load a validated plan, find the active one (cached per process)."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.plan import Plan, load_plan_file, load_plan_text
from models import PlanRecord, Progress


@dataclass(frozen=True)
class ActivePlan:
    id: int
    plan: Plan


def progress_keys(plan: Plan) -> list[tuple[str, str, str]]:
    """Every (indicator, district, category) counter the plan needs; '' is the indicator total."""
    keys = []
    for ind in plan.indicators:
        for d in plan.districts:
            keys.append((ind.key, d.key, ""))
            keys.extend((ind.key, d.key, c.key) for c in ind.categories)
    return keys


def load_into(session: Session, source: Path | str, text: str | None = None) -> ActivePlan:
    """Validate and store a plan, make it the active one, and create its counters.

    Loading the same plan key again replaces its text and keeps its entries. Raises PlanError
    before touching the database when the file is not acceptable.
    """
    plan = load_plan_text(text, str(source)) if text is not None else load_plan_file(source)
    if text is None:
        text = Path(source).read_text(encoding="utf-8")
    record = session.scalar(select(PlanRecord).where(PlanRecord.key == plan.key))
    session.execute(update(PlanRecord).values(active=False))
    if record is None:
        record = PlanRecord(key=plan.key, source_text=text, active=True)
        session.add(record)
    else:
        record.source_text, record.active = text, True
        from models import utcnow
        record.loaded_at = utcnow()
    session.flush()
    existing = set(session.execute(
        select(Progress.indicator_key, Progress.district_key, Progress.category_key)
        .where(Progress.plan_id == record.id)).tuples())
    session.add_all(Progress(plan_id=record.id, indicator_key=i, district_key=d, category_key=c,
                             done=0)
                    for i, d, c in progress_keys(plan) if (i, d, c) not in existing)
    session.flush()
    return ActivePlan(record.id, plan)


_BUILT: dict[str, tuple[Plan, object]] = {}  # plan text → (Plan, companion): shared by apps


def _build(text: str, source: str, on_change) -> tuple[Plan, object]:
    key = f"{id(on_change)}:{text}"
    if key not in _BUILT:
        plan = load_plan_text(text, source)
        if len(_BUILT) > 8:
            _BUILT.clear()
        _BUILT[key] = (plan, on_change(plan) if on_change else None)
    return _BUILT[key]


class PlanCache:
    """The active plan, parsed once per change. Whether another process loaded a new plan is
    checked with one tiny query at most every ``max_age`` seconds."""

    def __init__(self, on_change=None, max_age: float = 2.0):
        self._lock = threading.Lock()
        self._stamp = None
        self._value: ActivePlan | None = None
        self._extra = None
        self._on_change = on_change  # builds per-plan companions (the Parser)
        self._max_age = max_age
        self._checked = 0.0

    def invalidate(self) -> None:
        """This process loaded a plan: look again on the next get."""
        self._checked = 0.0

    def fresh(self) -> tuple[ActivePlan, object] | None:
        """The cached plan while it needs no look at the database, else None."""
        if self._value is not None and time.monotonic() - self._checked < self._max_age:
            return self._value, self._extra
        return None

    def get(self, session: Session) -> tuple[ActivePlan, object]:
        cached = self.fresh()
        if cached is not None:
            return cached
        row = session.execute(select(PlanRecord.id, PlanRecord.loaded_at)
                              .where(PlanRecord.active.is_(True))).first()
        if row is None:
            raise LookupError("no active plan")
        stamp = (row.id, row.loaded_at)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    text = session.scalar(select(PlanRecord.source_text)
                                          .where(PlanRecord.id == row.id))
                    plan, self._extra = _build(text, f"plan #{row.id}", self._on_change)
                    self._value, self._stamp = ActivePlan(row.id, plan), stamp
        self._checked = time.monotonic()
        return self._value, self._extra
