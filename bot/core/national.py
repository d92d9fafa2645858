"""The department's view: per indicator, the national target and done, and every province's.

Indicators are national missions: the same key (jpt, tpmap, savings) in every province's plan
is the same mission. Totals read the ``progress`` counters (one small aggregate over the
chosen plans), so the cost does not grow with the number of entries.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.core.plans import ActivePlan, Catalog
from models import Progress

_p = Progress.__table__
_TOTALS = (select(_p.c.plan_id, _p.c.indicator_key, func.sum(_p.c.done))
           .where(_p.c.plan_id.in_(bindparam("ids", expanding=True)), _p.c.category_key == "")
           .group_by(_p.c.plan_id, _p.c.indicator_key))


@dataclass(frozen=True)
class ProvinceFigure:
    province_key: str
    province_name: str
    plan_id: int
    fiscal_year: int
    target: int
    done: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.done / self.target if self.target else None


@dataclass
class IndicatorSummary:
    key: str
    name: str
    unit: str
    target: int = 0
    done: int = 0
    provinces: list[ProvinceFigure] = field(default_factory=list)  # best percent first

    @property
    def percent(self) -> float | None:
        return 100.0 * self.done / self.target if self.target else None


def chosen_plans(catalog: Catalog, today: dt.date, fiscal_year: int | None) -> list[ActivePlan]:
    """Each province's plan of ``fiscal_year`` (provinces without one are left out), or each
    province's current plan."""
    if fiscal_year is None:
        return [a for a in catalog.currents(today) if a is not None]
    found = (catalog.find(p, fiscal_year) for p in catalog.province_keys())
    return [a for a in found if a is not None]


def national_summary(session: Session, catalog: Catalog, today: dt.date,
                     fiscal_year: int | None = None) -> list[IndicatorSummary]:
    plans = chosen_plans(catalog, today, fiscal_year)
    done: dict[tuple[int, str], int] = {}
    if plans:
        rows = session.connection().execute(_TOTALS, {"ids": [a.id for a in plans]})
        done = {(pid, key): int(n or 0) for pid, key, n in rows}
    out: dict[str, IndicatorSummary] = {}
    for a in plans:
        for ind in a.plan.indicators:
            s = out.get(ind.key)
            if s is None:
                s = out[ind.key] = IndicatorSummary(ind.key, ind.name,
                                                    a.plan.units[ind.unit].name)
            n = done.get((a.id, ind.key), 0)
            s.target += ind.target
            s.done += n
            s.provinces.append(ProvinceFigure(a.plan.province_key, a.plan.province_name, a.id,
                                              a.plan.fiscal_year, ind.target, n))
    for s in out.values():
        s.provinces.sort(key=lambda f: (-(f.percent if f.percent is not None else -1),
                                        -f.done, f.province_name))
    return list(out.values())
