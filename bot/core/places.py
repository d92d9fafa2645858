"""Which province or district a few typed words name, across every loaded province.

District names repeat across provinces (every province has an อำเภอเมือง…): a name that fits
districts of several provinces is *ambiguous* and the caller asks, listing the candidates;
adding the province (``อำเภอเมือง จังหวัดราชบุรี``) settles it. Pure: reads a Catalog only.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.core.plans import Catalog

_SPACE = re.compile(r"\s+")
_PROVINCE_MARK = re.compile(r"(?:จังหวัด|จ\.)")
_DISTRICT_MARK = re.compile(r"(?:อำเภอ|อ\.)")
_LEVEL = re.compile(r"^ระดับ")
_POLITE = re.compile(r"(?:ครับผม|ครับ|ค่ะ|คะ|นะ|จ้า)+$")
DEPARTMENT_WORDS = ("กรมการพัฒนาชุมชน", "ระดับกรม", "ส่วนกลาง", "กรม", "พช.", "department")


@dataclass(frozen=True)
class Place:
    scope: str                       # district | province | department
    province_key: str | None = None
    district_key: str | None = None


@dataclass(frozen=True)
class Resolution:
    place: Place | None = None
    candidates: tuple[Place, ...] = field(default=())   # when several districts fit
    province_key: str | None = None  # the province the words name, when they name one
    unknown: str | None = None       # what could not be found


def _clean(text: str) -> str:
    return _POLITE.sub("", _SPACE.sub("", text or "")).lower()


def resolve(catalog: Catalog, today: dt.date, text: str) -> Resolution:
    """Resolve ``text`` (the words after ผูกกลุ่ม) to a place."""
    t = _clean(text)
    if not t:
        return Resolution()
    if any(t == w.lower() or t == "ระดับ" + w.lower() for w in DEPARTMENT_WORDS):
        return Resolution(Place("department"))
    provinces = catalog.province_keys()
    # a province named: "จังหวัดราชบุรี", "จ.ราชบุรี", a province key, or the name alone
    named: str | None = None
    rest = t
    for key in sorted(provinces, key=lambda k: -len(catalog.province_name(k) or "")):
        name = (catalog.province_name(key) or "").lower()
        for form in (f"จังหวัด{name}", f"จ.{name}", key.lower()):
            if form and form in rest:
                named, rest = key, rest.replace(form, " ", 1)
                break
        if named:
            break
    rest = _LEVEL.sub("", rest).strip()   # "ระดับจังหวัดราชบุรี": the bot's own words
    only_province_word = not _DISTRICT_MARK.sub("", _PROVINCE_MARK.sub("", rest)).strip()
    if named and only_province_word:
        return Resolution(Place("province", named), province_key=named)
    if not named and only_province_word and _PROVINCE_MARK.fullmatch(rest or "-"):
        # "ผูกกลุ่ม จังหวัด": the province when there is only one
        only = catalog.only_province
        return Resolution(Place("province", only), province_key=only) if only else \
            Resolution(unknown="จังหวัด")
    # districts: the longest alias found in the words wins; ties across provinces are asked
    body = rest.replace(" ", "")
    best = _districts(catalog, today, [named] if named else provinces, body)
    if not best and not named:
        # "บางเลน นครปฐม": a district, then its province's bare name
        for key in sorted(provinces, key=lambda k: -len(catalog.province_name(k) or "")):
            name = _clean(catalog.province_name(key) or "")
            if name and body == name:     # a province's name alone ("ผูกกลุ่ม ราชบุรี")
                return Resolution(Place("province", key), province_key=key)
            if name and body.endswith(name) and len(body) > len(name):
                best = _districts(catalog, today, [key], body[:-len(name)])
                if best:
                    break
    if not best:
        return Resolution(province_key=named, unknown=rest.strip() or text.strip())
    top = max(best.values())
    fits = tuple(Place("district", p, d) for (p, d), n in best.items() if n == top)
    if len(fits) == 1:
        return Resolution(fits[0], province_key=fits[0].province_key)
    return Resolution(candidates=fits, province_key=named)


def _districts(catalog: Catalog, today: dt.date, provinces: list[str],
               body: str) -> dict[tuple[str, str], int]:
    """{(province, district): length of the alias that is the words} in those provinces."""
    best: dict[tuple[str, str], int] = {}
    forms = _district_forms(body)
    for key in provinces:
        active = catalog.current(key, today)
        if active is None:
            continue
        for d in active.plan.districts:
            for alias in (d.name, *d.aliases, d.key):
                a = _clean(alias)
                for form in {a, _DISTRICT_MARK.sub("", a, count=1)}:
                    if len(form) >= 2 and form in forms:
                        best[(key, d.key)] = max(best.get((key, d.key), 0), len(form))
    return best


def _district_forms(body: str) -> set[str]:
    """The words as typed, with and without a leading อำเภอ / อ."""
    return {body, _DISTRICT_MARK.sub("", body, count=1)}
