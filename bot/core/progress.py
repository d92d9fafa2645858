"""Progress figures: the plan's targets joined with the running totals. Pure (no I/O)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot import thai
from bot.core.plan import Indicator, Milestone, Plan

Counters = dict[tuple[str, str, str], int]


@dataclass(frozen=True)
class Figure:
    key: str
    name: str
    target: int | None
    done: int

    @property
    def remaining(self) -> int | None:
        return None if self.target is None else max(self.target - self.done, 0)

    @property
    def percent(self) -> float | None:
        return None if not self.target else round(100.0 * self.done / self.target, 1)

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "target": self.target, "done": self.done}


def district_figure(plan: Plan, counters: Counters, ind: Indicator, district_key: str) -> Figure:
    d = plan.district(district_key)
    return Figure(district_key, d.name if d else district_key, ind.district_target(district_key),
                  counters.get((ind.key, district_key, ""), 0))


def district_figures(plan: Plan, counters: Counters, ind: Indicator) -> list[Figure]:
    return [district_figure(plan, counters, ind, d.key) for d in plan.districts]


def category_figures(plan: Plan, counters: Counters, ind: Indicator,
                     district_key: str | None = None) -> list[Figure]:
    out = []
    for c in ind.categories:
        if district_key:
            done = counters.get((ind.key, district_key, c.key), 0)
            target = None
        else:
            done = sum(counters.get((ind.key, d.key, c.key), 0) for d in plan.districts)
            target = c.target
        out.append(Figure(c.key, c.name, target, done))
    return out


def province_figure(plan: Plan, counters: Counters, ind: Indicator) -> Figure:
    done = sum(counters.get((ind.key, d.key, ""), 0) for d in plan.districts)
    return Figure(ind.key, ind.name, ind.target, done)


def api_document(plan: Plan, counters: Counters, board=None) -> dict:
    """The body of GET /api/v1/progress (documented in docs/operations.md). With ``board``
    (bot.core.status.Board), every district object and each indicator (the province) carries
    its status fields too."""
    indicators = []
    for ind in plan.indicators:
        total = province_figure(plan, counters, ind)
        districts = [f.as_dict() for f in district_figures(plan, counters, ind)]
        doc = {"key": ind.key, "name": ind.name, "unit": plan.units[ind.unit].name,
               "target": ind.target, "done": total.done, "districts": districts,
               "categories": [f.as_dict() for f in category_figures(plan, counters, ind)]}
        if board is not None:
            doc.update(board.province[ind.key].as_api())
            for d in districts:
                d.update(board.cell(ind.key, d["key"]).as_api())
        indicators.append(doc)
    return {"province": plan.province_name, "fiscal_year": plan.fiscal_year,
            "indicators": indicators}


def deadline_for(plan: Plan, indicator_key: str, today: dt.date) -> Milestone | None:
    """The next deadline the indicator's count is measured against, else the last one missed."""
    due = plan.progress_deadlines(indicator_key)
    return next((m for m in due if m.date >= today), due[-1] if due else None)


def deadline_text(plan: Plan, indicator_key: str, today: dt.date) -> str | None:
    """'กำหนดส่ง 1 พ.ค. 2565 (อีก 12 วัน)', plus a sooner step of the mission when there is one."""
    m = deadline_for(plan, indicator_key, today)
    sooner = plan.next_deadline(indicator_key, today)
    parts = []
    if m is not None:
        parts.append(f"กำหนดส่ง {thai.date(m.date)} ({thai.days_left(m.date, today)})")
    if sooner is not None and sooner is not m and (m is None or sooner.date < m.date):
        parts.append(f"ขั้นถัดไป: {sooner.title} {thai.date(sooner.date)} "
                     f"({thai.days_left(sooner.date, today)})")
    return " · ".join(parts) or None


def figure_text(f: Figure, unit: str) -> str:
    """'1,320 / 34,227 ครัวเรือน (3.9%) เหลืออีก 32,907' or '3 ครัวเรือน' when there is no target."""
    if f.target is None:
        return f"{thai.number(f.done)} {unit}"
    rem = f.remaining
    tail = "ครบเป้าแล้ว 🎉" if rem == 0 else f"เหลืออีก {thai.number(rem)} {unit}"
    return (f"{thai.number(f.done)} / {thai.number(f.target)} {unit} "
            f"({thai.percent(f.done, f.target)}) {tail}")
