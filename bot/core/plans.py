"""Plans in the database: one per (province, fiscal year); each province's current plan.

``load_into`` validates and stores a plan (adding it, or replacing the plan of the same province
and year, leaving every other alone). ``PlanCache`` keeps, per process, a :class:`Catalog` of
every loaded plan, parsed once per change; whether another process loaded or pinned a plan is
checked with one tiny query at most every ``max_age`` seconds.

A province's *current* plan (``current_of``) is the one an operator pinned (``flask plan use``),
else the one whose fiscal year (1 Oct – 30 Sep) covers today, else the latest that has begun,
else the earliest: a deployment with one plan always answers from it, whatever the date.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.core.plan import BE_OFFSET, Plan, PlanError, load_plan_file, load_plan_text
from models import PlanRecord, Progress, utcnow


@dataclass(frozen=True)
class ActivePlan:
    """A plan chosen for some work, with its database id (entries and counters refer to it)."""
    id: int
    plan: Plan


@dataclass(frozen=True)
class PlanRow:
    """What the catalog knows of a loaded plan besides its contents."""
    id: int
    key: str
    province_key: str
    province_name: str
    fiscal_year: int               # B.E.
    pinned: bool


SET_APART = "~"


def is_set_apart(province_key: str) -> bool:
    """Migration 0005 keeps an old copy of a plan whose (province, fiscal year) another plan
    holds (a test load under another key) as province ``<province>~<its key>``: its entries
    stay, but it is no province — never current, never among the provinces (binding, the
    national figures, reminders, the only province of a one-province deployment)."""
    return SET_APART in province_key


_TONE = re.compile(r"[\u0e47-\u0e4c]")
_LEADING_VOWEL = re.compile(r"([\u0e40-\u0e44])([\u0e01-\u0e2e])")


def thai_order(name: str) -> str:
    """A sort key in Thai dictionary order: a leading vowel (เ แ โ ใ ไ) counts after its
    consonant and tone marks count last, so เชียงใหม่ comes under ช, not after ฮ."""
    return _LEADING_VOWEL.sub(r"\2\1", _TONE.sub("", name)) + "".join(_TONE.findall(name))


def fiscal_year_of(day: dt.date) -> int:
    """The B.E. fiscal year a day falls in: 1 Oct 2564 – 30 Sep 2565 is 2565."""
    return day.year + BE_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year_span(year: int) -> tuple[dt.date, dt.date]:
    """First and last day (C.E. dates) of the B.E. fiscal year."""
    ce = year - BE_OFFSET
    return dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)


def as_of(fiscal_year: int, now: dt.datetime) -> dt.datetime:
    """The moment a plan's figures are measured at: now, or for a fiscal year that has ended,
    its last minute (its deadlines and pace as they stood at its end, not "overdue" forever)."""
    last = fiscal_year_span(fiscal_year)[1]
    if now.date() <= last:
        return now
    return now.replace(year=last.year, month=last.month, day=last.day, hour=23, minute=59,
                       second=0, microsecond=0)


def current_of(rows: Iterable[PlanRow], today: dt.date) -> PlanRow | None:
    """The current plan among one province's plans (see the module's docstring)."""
    rows = sorted(rows, key=lambda r: r.fiscal_year)
    if not rows:
        return None
    pinned = [r for r in rows if r.pinned]
    if pinned:
        return pinned[-1]
    year = fiscal_year_of(today)
    begun = [r for r in rows if r.fiscal_year <= year]
    return begun[-1] if begun else rows[0]


def progress_keys(plan: Plan) -> list[tuple[str, str, str]]:
    """Every (indicator, district, category) counter the plan needs; '' is the indicator total."""
    keys = []
    for ind in plan.indicators:
        for d in plan.districts:
            keys.append((ind.key, d.key, ""))
            keys.extend((ind.key, d.key, c.key) for c in ind.categories)
    return keys


def plan_files(spec: str | os.PathLike) -> list[Path]:
    """The plan files ``PLAN_FILE`` names: one file, a directory (its ``*.yaml``/``*.yml``,
    not those of its sub-directories), or several of either separated by commas."""
    found: list[Path] = []
    for part in str(spec).split(","):
        part = part.strip()
        if not part:
            continue
        path = Path(part)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def load_into(session: Session, source: Path | str, text: str | None = None) -> ActivePlan:
    """Validate and store a plan, and create its counters. A plan of the same province and
    fiscal year is replaced (its entries kept); other plans are left alone. Raises PlanError
    before touching the database when the file is not acceptable."""
    plan = load_plan_text(text, str(source)) if text is not None else load_plan_file(source)
    if text is None:
        text = Path(source).read_text(encoding="utf-8")
    if is_set_apart(plan.province_key):
        raise PlanError(f"{source}: province.key '{plan.province_key}' ต้องไม่มีเครื่องหมาย "
                        f"'{SET_APART}' (ใช้แยกสำเนาแผนเก่า)")
    record = session.scalar(select(PlanRecord).where(
        PlanRecord.province_key == plan.province_key,
        PlanRecord.fiscal_year == plan.fiscal_year))
    other = session.scalar(select(PlanRecord).where(PlanRecord.key == plan.key))
    if other is not None and other is not record:
        raise PlanError(f"{source}: key '{plan.key}' เป็นของแผนจังหวัด{other.province_name} "
                        f"ปี {other.fiscal_year} อยู่แล้ว (แผนหนึ่งระบุด้วยจังหวัดและปีงบประมาณ)")
    now = utcnow()
    if record is None:
        record = PlanRecord(key=plan.key, province_key=plan.province_key,
                            province_name=plan.province_name, fiscal_year=plan.fiscal_year,
                            source_text=text, pinned=False, loaded_at=now, changed_at=now,
                            revision=1)
        session.add(record)
    else:
        record.key, record.province_name, record.source_text = (plan.key, plan.province_name,
                                                                text)
        record.loaded_at = record.changed_at = now
        record.revision = (record.revision or 0) + 1
    session.flush()
    existing = set(session.execute(
        select(Progress.indicator_key, Progress.district_key, Progress.category_key)
        .where(Progress.plan_id == record.id)).tuples())
    session.add_all(Progress(plan_id=record.id, indicator_key=i, district_key=d, category_key=c,
                             done=0)
                    for i, d, c in progress_keys(plan) if (i, d, c) not in existing)
    session.flush()
    return ActivePlan(record.id, plan)


def pin(session: Session, province_key: str, fiscal_year: int | None) -> PlanRecord | None:
    """Make the province's plan of ``fiscal_year`` its current one whatever the date; None
    un-pins (the calendar chooses again). Returns the pinned record (None when un-pinned);
    raises LookupError when the province has no plan of that year."""
    rows = session.scalars(select(PlanRecord).where(
        PlanRecord.province_key == province_key)).all()
    if not rows:
        raise LookupError(province_key)
    chosen = next((r for r in rows if r.fiscal_year == fiscal_year), None)
    if fiscal_year is not None and chosen is None:
        raise LookupError(f"{province_key} {fiscal_year}")
    now = utcnow()
    for r in rows:
        if r.pinned != (r is chosen):
            r.pinned, r.changed_at = r is chosen, now
            r.revision = (r.revision or 0) + 1
    session.flush()
    return chosen


class Catalog:
    """Every loaded plan (an immutable snapshot): by id, by province, by year."""

    def __init__(self, rows: Iterable[PlanRow], plans: dict[int, Plan]):
        self.rows = tuple(sorted(rows, key=lambda r: (thai_order(r.province_name),
                                                      r.province_key, r.fiscal_year)))
        self._plans = plans
        self._by_province: dict[str, list[PlanRow]] = {}
        for r in self.rows:
            if not is_set_apart(r.province_key):
                self._by_province.setdefault(r.province_key, []).append(r)
        self.set_apart = tuple(r for r in self.rows if is_set_apart(r.province_key))

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, plan_id: int) -> ActivePlan:
        return ActivePlan(plan_id, self._plans[plan_id])

    def province_keys(self) -> list[str]:
        """Every province with a plan, in Thai alphabetical order of its name."""
        return list(self._by_province)

    def province_name(self, province_key: str) -> str | None:
        rows = self._by_province.get(province_key)
        return rows[-1].province_name if rows else None

    def province_of(self, given: str) -> str | None:
        """The province a key or a Thai name (with or without จังหวัด) names, or None."""
        name = given.removeprefix("จังหวัด").strip()
        return next((k for k in self.province_keys()
                     if given == k or name == self.province_name(k)), None)

    def plans_of(self, province_key: str) -> list[PlanRow]:
        """The province's plans, oldest year first."""
        return list(self._by_province.get(province_key, ()))

    @property
    def only_province(self) -> str | None:
        """The province when only one has plans (the embedded default), else None."""
        return next(iter(self._by_province)) if len(self._by_province) == 1 else None

    def current_row(self, province_key: str | None, today: dt.date) -> PlanRow | None:
        if province_key is None:
            return None
        return current_of(self._by_province.get(province_key, ()), today)

    def current(self, province_key: str | None, today: dt.date) -> ActivePlan | None:
        row = self.current_row(province_key, today)
        return self.get(row.id) if row else None

    def find(self, province_key: str | None, fiscal_year: int) -> ActivePlan | None:
        row = next((r for r in self._by_province.get(province_key or "", ())
                    if r.fiscal_year == fiscal_year), None)
        return self.get(row.id) if row else None

    def default(self, today: dt.date) -> ActivePlan | None:
        """The current plan of the only province; None when several provinces have plans."""
        return self.current(self.only_province, today)

    def currents(self, today: dt.date) -> list[ActivePlan]:
        """Every province's current plan, in the catalog's order."""
        return [self.current(p, today) for p in self._by_province]  # type: ignore[misc]

    def years(self) -> list[int]:
        return sorted({r.fiscal_year for r in self.rows})

    def by_key(self, key: str) -> PlanRow | None:
        return next((r for r in self.rows if r.key == key), None)


_SHARED: dict[tuple[int, str], object] = {}  # (builder, plan text) → Plan or companion
_SHARED_MAX = 512                            # every app of a process shares them (tests)


def _shared(builder: Callable, text: str, make: Callable[[], object]) -> object:
    key = (id(builder), text)
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        found = _SHARED[key] = make()
    return found


_STAMP = select(func.count(PlanRecord.id), func.sum(PlanRecord.revision))
_ROWS = select(PlanRecord.id, PlanRecord.key, PlanRecord.province_key, PlanRecord.province_name,
               PlanRecord.fiscal_year, PlanRecord.pinned, PlanRecord.revision)


class PlanCache:
    """The catalog of loaded plans, each parsed once per change, and per-plan companions (the
    Parser) built on first use. Whether another process loaded or pinned a plan is checked with
    one tiny query at most every ``max_age`` seconds."""

    def __init__(self, on_change: Callable[[Plan], object] | None = None,
                 max_age: float = 2.0):
        self._lock = threading.Lock()
        self._stamp = None
        self._catalog: Catalog | None = None
        self._parsed: dict[int, tuple[object, Plan]] = {}        # id → (revision, Plan)
        self._texts: dict[int, str] = {}
        self._companions: dict[tuple[int, object], object] = {}  # (id, revision) → Parser
        self._on_change = on_change
        self._max_age = max_age
        self._checked = float("-inf")

    def invalidate(self) -> None:
        """This process loaded or pinned a plan: look again on the next get. (Not 0: the
        monotonic clock's zero is arbitrary — on Linux the boot — so 0 may be within max_age.)"""
        self._checked = float("-inf")

    def fresh(self) -> Catalog | None:
        """The cached catalog while it needs no look at the database, else None."""
        if self._catalog is not None and time.monotonic() - self._checked < self._max_age:
            return self._catalog
        return None

    def get(self, session: Session) -> Catalog:
        cached = self.fresh()
        if cached is not None:
            return cached
        stamp = tuple(session.execute(_STAMP).one())
        if stamp != self._stamp or self._catalog is None:
            with self._lock:
                if stamp != self._stamp or self._catalog is None:
                    self._catalog = self._reload(session)
                    self._stamp = stamp
        self._checked = time.monotonic()
        if not len(self._catalog):
            raise LookupError("no plan loaded")
        return self._catalog

    def _reload(self, session: Session) -> Catalog:
        rows = session.execute(_ROWS).all()
        plans: dict[int, Plan] = {}
        parsed: dict[int, tuple[object, Plan]] = {}
        for r in rows:
            known = self._parsed.get(r.id)
            if known is None or known[0] != r.revision:
                text = session.scalar(select(PlanRecord.source_text)
                                      .where(PlanRecord.id == r.id))
                known = (r.revision, _shared(load_plan_text, text,
                                               lambda: load_plan_text(text, f"plan #{r.id}")))
                self._texts[r.id] = text
            parsed[r.id] = known
            plans[r.id] = known[1]
        self._parsed = parsed
        live = {(i, stamp) for i, (stamp, _) in parsed.items()}
        self._companions = {k: v for k, v in self._companions.items() if k in live}
        return Catalog((PlanRow(r.id, r.key, r.province_key, r.province_name, r.fiscal_year,
                                bool(r.pinned)) for r in rows), plans)

    def companion(self, plan_id: int):
        """The plan's companion (its Parser), built on first use and kept while the plan is."""
        stamp, plan = self._parsed[plan_id]
        key = (plan_id, stamp)
        found = self._companions.get(key)
        if found is None and self._on_change is not None:
            with self._lock:
                found = self._companions.get(key)
                if found is None:
                    found = self._companions[key] = _shared(
                        self._on_change, self._texts[plan_id], lambda: self._on_change(plan))
        return found
