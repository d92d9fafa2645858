"""A fiscal year's plan (targets, milestones, vocabulary) read from YAML and validated.

Pure: no Flask, no database. ``load_plan_text`` returns a frozen :class:`Plan` or raises
:class:`PlanError` whose message names the offending line, so an operator can fix the file.
Dates are written ``YYYY-MM-DD`` in B.E. (a year above 2400) or C.E.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_REMIND_DAYS = (14, 7, 3, 1, 0)
BE_OFFSET = 543


def be_year(year: int) -> int:
    """A year as typed (2566, or C.E. 2023) in B.E."""
    return year + BE_OFFSET if year < 2400 else year


class PlanError(ValueError):
    """The plan file is not acceptable; the message is meant for the operator."""


@dataclass(frozen=True)
class Unit:
    key: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class District:
    key: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    target: int | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    full_name: str
    unit: str
    aliases: tuple[str, ...]
    target: int
    district_targets: dict[str, int]
    categories: tuple[Category, ...]
    people_target: int | None = None
    existing: int | None = None

    def category(self, key: str | None) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def district_target(self, district_key: str) -> int | None:
        return self.district_targets.get(district_key)


@dataclass(frozen=True)
class Milestone:
    key: str
    indicator: str
    kind: str  # "deadline" | "event"
    title: str
    start: dt.date
    end: dt.date  # == start for a single day
    remind_days: tuple[int, ...] = DEFAULT_REMIND_DAYS
    overdue_every: int = 3
    progress: bool = True  # does the indicator's count measure this milestone?

    @property
    def date(self) -> dt.date:
        """The day that matters: a deadline's due date, an event's first day."""
        return self.end if self.kind == "deadline" else self.start


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str


@dataclass(frozen=True)
class Plan:
    key: str
    province_key: str
    province_name: str
    fiscal_year: int
    officers: int
    timezone: str
    units: dict[str, Unit]
    districts: tuple[District, ...]
    indicators: tuple[Indicator, ...]
    milestones: tuple[Milestone, ...]
    holidays: tuple[Holiday, ...] = field(default_factory=tuple)
    # remind districts that already met their target? "congratulate" | "skip"
    when_met: str = "congratulate"

    def district(self, key: str | None) -> District | None:
        return next((d for d in self.districts if d.key == key), None)

    def indicator(self, key: str | None) -> Indicator | None:
        return next((i for i in self.indicators if i.key == key), None)

    def milestones_for(self, indicator_key: str) -> list[Milestone]:
        return [m for m in self.milestones if m.indicator == indicator_key]

    def next_deadline(self, indicator_key: str | None, today: dt.date) -> Milestone | None:
        """The soonest deadline on or after ``today`` (for an indicator, or any)."""
        due = [m for m in self.milestones
               if m.kind == "deadline" and m.date >= today
               and (indicator_key is None or m.indicator == indicator_key)]
        # prefer the milestone the count measures when two fall due together
        return min(due, key=lambda m: (m.date, not m.progress), default=None)

    def progress_deadlines(self, indicator_key: str) -> list[Milestone]:
        """The deadlines the indicator's count is measured against, soonest first."""
        return sorted((m for m in self.milestones
                       if m.kind == "deadline" and m.progress and m.indicator == indicator_key),
                      key=lambda m: m.date)

    @property
    def holiday_dates(self) -> frozenset[dt.date]:
        return frozenset(h.date for h in self.holidays)


# --------------------------------------------------------------------------- loading

class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader (libyaml's, when PyYAML has it: a department's worker parses every province's
    plans at start) that remembers the line of every mapping and of each of its keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value
                            if isinstance(k, yaml.ScalarNode)}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Keep dates as text: "2565-05-01" is a B.E. date, not the year 2565 C.E.
_LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_date(text: Any) -> dt.date:
    """``2565-05-01`` (B.E.) or ``2022-05-01`` (C.E.) → a C.E. :class:`datetime.date`."""
    if isinstance(text, dt.date):
        d = text
    else:
        try:
            d = dt.date.fromisoformat(str(text).strip())
        except ValueError:
            raise ValueError(f"วันที่ '{text}' ไม่ถูกต้อง (ใช้รูปแบบ YYYY-MM-DD เช่น 2565-05-01)") from None
    if d.year > 2400:
        d = d.replace(year=d.year - BE_OFFSET)
    return d


class _Reader:
    """Small helpers that raise PlanError with the file and line of the problem."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, node: dict | None, key: str | None, message: str) -> PlanError:
        line = None
        if isinstance(node, dict):
            line = node.get("__lines__", {}).get(key) if key else None
            line = line or node.get("__line__")
        where = f"{self.source}, บรรทัด {line}" if line else self.source
        return PlanError(f"{where}: {message}")

    def get(self, node: dict, key: str, kind: type | tuple = str, required: bool = True,
            default: Any = None) -> Any:
        if not isinstance(node, dict):
            raise self.fail(None, None, f"ต้องเป็นรายการแบบ key: value (พบ {node!r})")
        if key not in node:
            if required:
                raise self.fail(node, None, f"ไม่มีค่า '{key}'")
            return default
        value = node[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(node, key, f"'{key}' ต้องเป็นจำนวนเต็ม (พบ {value!r})")
        if kind is not int and not isinstance(value, kind):
            raise self.fail(node, key, f"'{key}' มีชนิดข้อมูลไม่ถูกต้อง (พบ {value!r})")
        return value

    def count(self, node: dict, key: str, required: bool = True) -> int | None:
        value = self.get(node, key, int, required=required)
        if value is not None and value < 0:
            raise self.fail(node, key, f"'{key}' ติดลบไม่ได้ (พบ {value})")
        return value

    def aliases(self, node: dict, name: str) -> tuple[str, ...]:
        raw = self.get(node, "aliases", list, required=False, default=[])
        out = [str(a).strip() for a in raw if str(a).strip()]
        if name not in out:
            out.insert(0, name)
        return tuple(dict.fromkeys(out))

    def date(self, node: dict, key: str) -> dt.date:
        try:
            return parse_date(node[key])
        except ValueError as exc:
            raise self.fail(node, key, str(exc)) from None


def load_plan_text(text: str, source: str = "plan") -> Plan:
    try:
        doc = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}, บรรทัด {mark.line + 1}" if mark else source
        raise PlanError(f"{where}: อ่านไฟล์ YAML ไม่ได้ ({getattr(exc, 'problem', exc)})") from None
    r = _Reader(source)
    if not isinstance(doc, dict):
        raise PlanError(f"{source}: ไฟล์แผนต้องเป็น mapping ของ key: value")

    province = r.get(doc, "province", dict)
    units = {}
    for ukey, unode in r.get(doc, "units", dict).items():
        if ukey.startswith("__"):
            continue
        name = r.get(unode, "name")
        units[ukey] = Unit(ukey, name, r.aliases(unode, name))

    districts: list[District] = []
    for dnode in r.get(doc, "districts", list):
        key, name = r.get(dnode, "key"), r.get(dnode, "name")
        if any(d.key == key for d in districts):
            raise r.fail(dnode, "key", f"อำเภอ '{key}' ซ้ำ")
        districts.append(District(key, name, r.aliases(dnode, name)))
    if not districts:
        raise r.fail(doc, "districts", "ต้องมีอย่างน้อยหนึ่งอำเภอ")
    district_keys = {d.key for d in districts}

    indicators: list[Indicator] = []
    for inode in r.get(doc, "indicators", list):
        key, name = r.get(inode, "key"), r.get(inode, "name")
        unit = r.get(inode, "unit")
        if unit not in units:
            raise r.fail(inode, "unit", f"หน่วย '{unit}' ไม่อยู่ในรายการ units")
        dtargets_node = r.get(inode, "district_targets", dict, required=False, default={})
        dtargets = {}
        for dkey in dtargets_node:
            if dkey.startswith("__"):
                continue
            if dkey not in district_keys:
                raise r.fail(dtargets_node, dkey, f"ไม่รู้จักอำเภอ '{dkey}' ในเป้าหมายของ {key}")
            dtargets[dkey] = r.count(dtargets_node, dkey)
        categories = []
        for cnode in r.get(inode, "categories", list, required=False, default=[]):
            cname = r.get(cnode, "name")
            categories.append(Category(r.get(cnode, "key"), cname,
                                       r.count(cnode, "target", required=False),
                                       r.aliases(cnode, cname)))
        target = r.count(inode, "target")
        if dtargets and len(dtargets) == len(district_keys) and sum(dtargets.values()) != target:
            raise r.fail(inode, "target", f"เป้ารวม {key} ({target:,}) ไม่เท่ากับผลรวมรายอำเภอ "
                                          f"({sum(dtargets.values()):,})")
        if any(i.key == key for i in indicators):
            raise r.fail(inode, "key", f"ตัวชี้วัด '{key}' ซ้ำ")
        indicators.append(Indicator(
            key=key, name=name, full_name=r.get(inode, "full_name", required=False, default=name),
            unit=unit, aliases=r.aliases(inode, name), target=target, district_targets=dtargets,
            categories=tuple(categories), people_target=r.count(inode, "people_target", False),
            existing=r.count(inode, "existing", False)))
    indicator_keys = {i.key for i in indicators}

    milestones: list[Milestone] = []
    for mnode in r.get(doc, "milestones", list, required=False, default=[]):
        ind = r.get(mnode, "indicator")
        if ind not in indicator_keys:
            raise r.fail(mnode, "indicator", f"ไม่รู้จักตัวชี้วัด '{ind}'")
        kind = r.get(mnode, "kind", required=False, default="deadline")
        if kind not in ("deadline", "event"):
            raise r.fail(mnode, "kind", f"kind ต้องเป็น deadline หรือ event (พบ '{kind}')")
        if "date" in mnode:
            start = end = r.date(mnode, "date")
        else:
            start, end = r.date(mnode, "start"), r.date(mnode, "end")
            if end < start:
                raise r.fail(mnode, "end", "วันสิ้นสุดมาก่อนวันเริ่ม")
        remind = r.get(mnode, "remind_days", list, required=False, default=list(DEFAULT_REMIND_DAYS))
        if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in remind):
            raise r.fail(mnode, "remind_days", "remind_days ต้องเป็นรายการจำนวนเต็มไม่ติดลบ")
        milestones.append(Milestone(
            key=r.get(mnode, "key"), indicator=ind, kind=kind, title=r.get(mnode, "title"),
            start=start, end=end, remind_days=tuple(sorted(set(remind), reverse=True)),
            overdue_every=r.count(mnode, "overdue_every", False) or 3,
            progress=bool(r.get(mnode, "progress", bool, required=False, default=True))))

    holidays = []
    for hnode in r.get(doc, "holidays", list, required=False, default=[]):
        holidays.append(Holiday(r.date(hnode, "date"), r.get(hnode, "name", required=False, default="")))

    when_met = r.get(doc, "when_met", required=False, default="congratulate")
    if when_met not in ("congratulate", "skip"):
        raise r.fail(doc, "when_met", "when_met ต้องเป็น congratulate หรือ skip")
    fiscal_year = r.count(doc, "fiscal_year")
    return Plan(
        key=r.get(doc, "key"), province_key=r.get(province, "key"),
        province_name=r.get(province, "name"),
        fiscal_year=be_year(fiscal_year),
        officers=r.count(doc, "officers"), timezone=r.get(doc, "timezone", required=False,
                                                           default="Asia/Bangkok"),
        units=units, districts=tuple(districts), indicators=tuple(indicators),
        milestones=tuple(milestones), holidays=tuple(holidays), when_met=when_met)


def load_plan_file(path: str | Path) -> Plan:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"{path}: เปิดไฟล์ไม่ได้ ({exc.strerror})") from None
    return load_plan_text(text, source=str(path))
