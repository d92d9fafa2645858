"""The catalog of plans: fiscal years, each province's current plan, PLAN_FILE's files, the cache
that notices another process's load or pin, and places named in words across provinces.

Ratchaburi 2565 is the real plan; the others are made up (bot/core/madeup.py).
"""
from __future__ import annotations

import datetime as dt
import time

import pytest

from bot.config import DEFAULT_PLAN
from bot.core.madeup import made_up_plan, write_made_up
from bot.core.plan import load_plan_text
from bot.core.places import Place, resolve
from bot.core.plans import (Catalog, PlanCache, PlanRow, current_of, fiscal_year_of,
                            fiscal_year_span, plan_files, thai_order)
from bot.timeutil import BANGKOK, fixed_clock
from tests.helpers import Chat

D = dt.date
KANCHANABURI = [("mueang", "เมืองกาญจนบุรี"), ("tha-muang", "ท่าม่วง"), ("tha-maka", "ท่ามะกา"),
                ("sai-yok", "ไทรโยค")]
NAKHON_PATHOM = [("mueang", "เมืองนครปฐม"), ("kamphaeng-saen", "กำแพงแสน"), ("bang-len", "บางเลน")]
CHIANG_MAI = [("mueang", "เมืองเชียงใหม่"), ("san-sai", "สันทราย")]


# --------------------------------------------------------------------------- fiscal years
@pytest.mark.parametrize("day, year", [
    (D(2021, 9, 30), 2564), (D(2021, 10, 1), 2565), (D(2022, 1, 1), 2565),
    (D(2022, 4, 19), 2565), (D(2022, 9, 30), 2565), (D(2022, 10, 1), 2566),
    (D(2022, 12, 31), 2566), (D(2024, 2, 29), 2567),
])
def test_fiscal_year_of(day, year):
    assert fiscal_year_of(day) == year


def test_fiscal_year_span_is_what_fiscal_year_of_counts():
    assert fiscal_year_span(2565) == (D(2021, 10, 1), D(2022, 9, 30))
    assert fiscal_year_span(2567) == (D(2023, 10, 1), D(2024, 9, 30))
    for year in range(2560, 2575):
        first, last = fiscal_year_span(year)
        assert fiscal_year_of(first) == fiscal_year_of(last) == year
        assert fiscal_year_of(first - dt.timedelta(days=1)) == year - 1
        assert fiscal_year_of(last + dt.timedelta(days=1)) == year + 1
        assert (last - first).days + 1 in (365, 366)


# --------------------------------------------------------------------------- current_of
def row(year: int, pinned: bool = False, province: str = "ratchaburi", id: int | None = None):
    return PlanRow(id or year, f"{province}-{year}", province, province, year, pinned)


@pytest.mark.parametrize("years, pinned, today, expected", [
    ([], None, D(2022, 4, 19), None),
    ([2565], None, D(2030, 1, 1), 2565),                   # one plan: whatever the date
    ([2565], None, D(2001, 1, 1), 2565),
    ([2565, 2566], None, D(2022, 9, 30), 2565),            # the year covering today
    ([2565, 2566], None, D(2022, 10, 1), 2566),
    ([2566, 2565, 2567], None, D(2023, 3, 1), 2566),       # order given does not matter
    ([2565, 2567], None, D(2023, 3, 1), 2565),             # 2566 missing: the latest begun
    ([2565, 2566], None, D(2025, 3, 1), 2566),             # after all: the latest begun
    ([2566, 2567], None, D(2022, 4, 19), 2566),            # none begun: the earliest
    ([2565, 2566], 2565, D(2022, 10, 1), 2565),            # pinned: whatever the date
    ([2565, 2566], 2566, D(2022, 4, 19), 2566),
    ([2564, 2565, 2566], 2564, D(2022, 4, 19), 2564),
])
def test_current_of(years, pinned, today, expected):
    found = current_of([row(y, y == pinned) for y in years], today)
    assert (found.fiscal_year if found else None) == expected


# --------------------------------------------------------------------------- plan_files
def test_plan_files(tmp_path):
    d = tmp_path / "plans"
    (d / "sub").mkdir(parents=True)
    for name in ("b-2565.yaml", "a-2565.yml", "notes.txt", "c.yaml.bak", "sub/d-2565.yaml"):
        (d / name).write_text("x", encoding="utf-8")
    one = tmp_path / "one.yaml"
    one.write_text("x", encoding="utf-8")
    assert plan_files(one) == [one]
    assert plan_files(str(d)) == [d / "a-2565.yml", d / "b-2565.yaml"]   # sorted, not sub/
    assert plan_files(f" {one} , {d} ,,") == [one, d / "a-2565.yml", d / "b-2565.yaml"]
    # named twice (alone and in its directory): once
    assert plan_files(f"{d / 'b-2565.yaml'},{d}") == [d / "b-2565.yaml", d / "a-2565.yml"]
    # what is not there is kept (loading it says so), an empty spec names nothing
    assert plan_files(tmp_path / "gone.yaml") == [tmp_path / "gone.yaml"]
    assert plan_files("") == [] and plan_files(" , ") == []
    assert plan_files(tmp_path / "sub-that-is-empty") == [tmp_path / "sub-that-is-empty"]


# --------------------------------------------------------------------------- Catalog
def catalog(*extra: tuple[int, str, bool]) -> Catalog:
    """Ratchaburi 2565 (real) and 2566, Kanchanaburi and Nakhon Pathom 2565 (made up), plus
    ``extra`` plan texts as (id, text, pinned)."""
    texts = {1: (DEFAULT_PLAN.read_text(encoding="utf-8"), False),
             2: (made_up_plan("ratchaburi", "ราชบุรี", 2566), False),
             3: (made_up_plan("kanchanaburi", "กาญจนบุรี", 2565, KANCHANABURI), False),
             4: (made_up_plan("nakhon-pathom", "นครปฐม", 2565, NAKHON_PATHOM), False)}
    texts.update({i: (t, p) for i, t, p in extra})
    plans = {i: load_plan_text(t) for i, (t, _) in texts.items()}
    rows = [PlanRow(i, p.key, p.province_key, p.province_name, p.fiscal_year, texts[i][1])
            for i, p in plans.items()]
    return Catalog(reversed(rows), plans)


def test_catalog_by_province_and_year():
    c = catalog()
    assert len(c) == 4
    assert c.province_keys() == ["kanchanaburi", "nakhon-pathom", "ratchaburi"]
    assert c.province_name("nakhon-pathom") == "นครปฐม" and c.province_name("atlantis") is None
    assert [r.fiscal_year for r in c.plans_of("ratchaburi")] == [2565, 2566]
    assert c.only_province is None and c.default(D(2022, 4, 19)) is None
    assert c.current("ratchaburi", D(2022, 4, 19)).id == 1
    assert c.current("ratchaburi", D(2022, 10, 1)).id == 2
    assert c.current(None, D(2022, 4, 19)) is None and c.current("atlantis", D(2022, 4, 19)) is None
    assert c.find("ratchaburi", 2566).plan.fiscal_year == 2566
    assert c.find("kanchanaburi", 2566) is None and c.find(None, 2565) is None
    assert [a.id for a in c.currents(D(2022, 10, 1))] == [3, 4, 2]
    assert c.years() == [2565, 2566]
    assert c.by_key("nakhon-pathom-2565").id == 4 and c.by_key("x") is None
    one = Catalog([PlanRow(1, "ratchaburi-2565", "ratchaburi", "ราชบุรี", 2565, False)],
                  {1: load_plan_text(DEFAULT_PLAN.read_text(encoding="utf-8"))})
    assert one.only_province == "ratchaburi" and one.default(D(2030, 1, 1)).id == 1


def test_provinces_are_in_thai_dictionary_order():
    """A leading vowel counts after its consonant: เชียงใหม่ comes under ช (after กาญจนบุรี,
    before นครปฐม), not after every consonant."""
    c = catalog((5, made_up_plan("chiang-mai", "เชียงใหม่", 2565, CHIANG_MAI), False))
    assert c.province_keys() == ["kanchanaburi", "chiang-mai", "nakhon-pathom", "ratchaburi"]
    assert sorted(["ราชบุรี", "แพร่", "เชียงใหม่", "น่าน", "นนทบุรี", "กาญจนบุรี"],
                  key=thai_order) == ["กาญจนบุรี", "เชียงใหม่", "นนทบุรี", "น่าน", "แพร่",
                                      "ราชบุรี"]


def test_an_old_copy_set_apart_is_no_province():
    """Migration 0005 keeps an old test copy of the active plan as province
    'ratchaburi~<its key>': kept (by id and key), but not a province of the catalog."""
    text = DEFAULT_PLAN.read_text(encoding="utf-8")
    plans = {1: load_plan_text(text),
             2: load_plan_text(text.replace("key: ratchaburi-2565", "key: rb-test"))}
    rows = [PlanRow(1, "ratchaburi-2565", "ratchaburi", "ราชบุรี", 2565, False),
            PlanRow(2, "rb-test", "ratchaburi~rb-test", "ราชบุรี", 2565, False)]
    c = Catalog(rows, plans)
    assert len(c) == 2 and [r.id for r in c.set_apart] == [2]
    assert c.province_keys() == ["ratchaburi"] and c.only_province == "ratchaburi"
    assert [a.id for a in c.currents(D(2022, 4, 19))] == [1]
    assert c.by_key("rb-test").id == 2 and c.get(2).plan.key == "rb-test"
    assert c.current("ratchaburi~rb-test", D(2022, 4, 19)) is None
    found = resolve(c, D(2022, 4, 19), "อำเภอบ้านโป่ง")
    assert found.place == Place("district", "ratchaburi", "ban-pong")


# --------------------------------------------------------------------------- places
TODAY = D(2022, 4, 19)


def district(province: str, key: str) -> Place:
    return Place("district", province, key)


@pytest.mark.parametrize("words, place", [
    # a district name that one province has, written as officers write it
    ("อำเภอบ้านโป่ง", district("ratchaburi", "ban-pong")),
    ("บ้านโป่ง", district("ratchaburi", "ban-pong")),
    ("อ.บ้านโป่ง", district("ratchaburi", "ban-pong")),
    ("อำเภอ บ้านโป่ง ครับ", district("ratchaburi", "ban-pong")),
    ("ban-pong", district("ratchaburi", "ban-pong")),
    ("ท่าม่วง", district("kanchanaburi", "tha-muang")),
    ("ดำเนินฯ", district("ratchaburi", "damnoen-saduak")),          # an alias
    # a full อำเภอเมือง name is one place
    ("อำเภอเมืองกาญจนบุรี", district("kanchanaburi", "mueang")),
    ("เมืองนครปฐม", district("nakhon-pathom", "mueang")),
    ("อำเภอเมืองราชบุรี", district("ratchaburi", "mueang-ratchaburi")),
    # district + province
    ("อำเภอเมือง จังหวัดกาญจนบุรี", district("kanchanaburi", "mueang")),
    ("อ.เมือง จ.นครปฐม", district("nakhon-pathom", "mueang")),
    ("อำเภอเมืองจังหวัดราชบุรี", district("ratchaburi", "mueang-ratchaburi")),
    ("จังหวัดราชบุรี อำเภอเมือง", district("ratchaburi", "mueang-ratchaburi")),
    ("เมือง kanchanaburi", district("kanchanaburi", "mueang")),
    ("อำเภอท่าม่วง จังหวัดกาญจนบุรี ค่ะ", district("kanchanaburi", "tha-muang")),
    # a province only
    ("จังหวัดกาญจนบุรี", Place("province", "kanchanaburi")),
    ("จ.ราชบุรี", Place("province", "ratchaburi")),
    ("ราชบุรี", Place("province", "ratchaburi")),
    ("จังหวัดนครปฐมครับ", Place("province", "nakhon-pathom")),
    ("kanchanaburi", Place("province", "kanchanaburi")),
    # the department
    ("กรม", Place("department")), ("ระดับกรม", Place("department")),
    ("กรมการพัฒนาชุมชน", Place("department")), ("ส่วนกลาง", Place("department")),
    ("พช.", Place("department")), ("department", Place("department")),
    ("กรม ครับ", Place("department")),
])
def test_resolve_a_place(words, place):
    found = resolve(catalog(), TODAY, words)
    assert found.place == place, found
    assert not found.candidates and found.unknown is None
    assert found.province_key == place.province_key


@pytest.mark.parametrize("words", ["อำเภอเมือง", "เมือง", "อ.เมือง", "อำเภอ เมือง"])
def test_a_district_name_of_several_provinces_is_ambiguous(words):
    found = resolve(catalog(), TODAY, words)
    assert found.place is None and found.unknown is None
    assert set(found.candidates) == {district("kanchanaburi", "mueang"),
                                     district("nakhon-pathom", "mueang"),
                                     district("ratchaburi", "mueang-ratchaburi")}


@pytest.mark.parametrize("words, province, unknown", [
    ("แอตแลนติส", None, "แอตแลนติส"),
    ("อำเภอแอตแลนติส จังหวัดราชบุรี", "ratchaburi", "อำเภอแอตแลนติส"),
    ("อำเภอบ้านโป่ง จังหวัดกาญจนบุรี", "kanchanaburi", "อำเภอบ้านโป่ง"),  # another province's
    ("จังหวัด", None, "จังหวัด"),          # several provinces: which one?
])
def test_what_cannot_be_found_is_named(words, province, unknown):
    found = resolve(catalog(), TODAY, words)
    assert found.place is None and not found.candidates
    assert (found.province_key, found.unknown) == (province, unknown)


def test_resolve_with_one_province_and_nothing():
    one = Catalog([PlanRow(1, "ratchaburi-2565", "ratchaburi", "ราชบุรี", 2565, False)],
                  {1: load_plan_text(DEFAULT_PLAN.read_text(encoding="utf-8"))})
    assert resolve(one, TODAY, "จังหวัด").place == Place("province", "ratchaburi")
    assert resolve(one, TODAY, "อำเภอเมือง").place == district("ratchaburi", "mueang-ratchaburi")
    assert resolve(one, TODAY, "") == resolve(one, TODAY, "   ") == type(resolve(one, TODAY, ""))()


def test_districts_come_from_the_current_plan():
    """A district that only next year's plan has is found once that plan is current."""
    nxt = made_up_plan("ratchaburi", "ราชบุรี", 2566,
                       [("mueang-ratchaburi", "เมืองราชบุรี"), ("ban-pong", "บ้านโป่ง"),
                        ("new-district", "บ้านใหม่")])
    c = catalog((2, nxt, False))
    assert resolve(c, D(2022, 9, 30), "อำเภอบ้านใหม่").unknown == "อำเภอบ้านใหม่"
    assert resolve(c, D(2022, 10, 1), "อำเภอบ้านใหม่").place == \
        district("ratchaburi", "new-district")


def test_province_level_in_the_bots_own_words():
    assert resolve(catalog(), TODAY, "ระดับจังหวัดราชบุรี").place == \
        Place("province", "ratchaburi")


def test_a_district_and_a_province_name_without_the_word_province():
    assert resolve(catalog(), TODAY, "บางเลน นครปฐม").place == \
        district("nakhon-pathom", "bang-len")


# --------------------------------------------------------------------------- PlanCache
def test_plan_cache_notices_another_process(make_app, tmp_path):
    """Two apps on one database (two processes): what one loads or pins, the other's cache sees
    at its next look — at once with max_age 0, after max_age otherwise, never while fresh."""
    a = make_app(PLAN_FILE=str(DEFAULT_PLAN))
    b = make_app()
    reads = b.extensions["nongpat"].read_sessions
    at_once, slow, short = PlanCache(max_age=0), PlanCache(max_age=3600), PlanCache(max_age=0.3)

    def look(cache):
        with reads() as s:
            return cache.get(s)

    first = look(at_once)
    assert len(first) == 1 and len(look(slow)) == 1 and len(look(short)) == 1
    runner = a.test_cli_runner()
    kan = write_made_up(tmp_path, "kanchanaburi", "กาญจนบุรี", 2565, KANCHANABURI)
    assert runner.invoke(args=["plan", "load", str(kan)]).exit_code == 0
    assert look(at_once).province_keys() == ["kanchanaburi", "ratchaburi"]
    # an unchanged plan is not parsed again
    assert look(at_once).get(1).plan is first.get(1).plan
    assert len(look(slow)) == 1                       # still fresh: no look at the database
    slow.invalidate()
    assert len(look(slow)) == 2
    time.sleep(0.35)
    assert len(look(short)) == 2                      # max_age passed: it looked again

    nxt = write_made_up(tmp_path, "ratchaburi", "ราชบุรี", 2566)
    assert runner.invoke(args=["plan", "load", str(nxt)]).exit_code == 0
    assert runner.invoke(args=["plan", "use", "ratchaburi", "2566"]).exit_code == 0
    assert look(at_once).current("ratchaburi", D(2022, 4, 19)).plan.fiscal_year == 2566
    # a plan replaced (same province and year): the new text, the same id
    text = DEFAULT_PLAN.read_text(encoding="utf-8").replace("officers: 41", "officers: 43")
    revised = tmp_path / "revised.yaml"
    revised.write_text(text, encoding="utf-8")
    assert runner.invoke(args=["plan", "load", str(revised)]).exit_code == 0
    again = look(at_once)
    assert again.get(1).plan.officers == 43 and again.get(1).plan is not first.get(1).plan
    assert runner.invoke(args=["plan", "use", "ratchaburi", "--auto"]).exit_code == 0
    assert look(at_once).current("ratchaburi", D(2022, 4, 19)).plan.fiscal_year == 2565


def test_the_other_app_answers_from_what_was_pinned(make_app, fake_line, tmp_path):
    """App b's own cache (max_age 2 s): a pin made through app a changes where b's logs go."""
    nxt = write_made_up(tmp_path, "ratchaburi", "ราชบุรี", 2566)
    a = make_app(PLAN_FILE=f"{DEFAULT_PLAN},{nxt}")
    b = make_app(CLOCK=fixed_clock(dt.datetime(2022, 4, 19, 11, 0, tzinfo=BANGKOK)))
    chat = Chat(b, fake_line)
    runner = a.test_cli_runner()
    assert runner.invoke(args=["groups", "bind", "Cbanpong", "ratchaburi/ban-pong"]).exit_code == 0
    assert "/ 34,227" in chat.say("บันทึก จปฐ 10 ครัวเรือน", user="Uofficer1", group="Cbanpong")
    assert runner.invoke(args=["plan", "use", "ratchaburi", "2566"]).exit_code == 0
    time.sleep(2.1)
    reply = chat.say("บันทึก จปฐ 20 ครัวเรือน", user="Uofficer1", group="Cbanpong")
    assert "บันทึกแล้ว" in reply and "/ 34,227" not in reply
    svc = b.extensions["nongpat"]
    from models.queries import counters
    with svc.sessions() as s:
        catalog = svc.bot.plans.get(s)
        assert counters(s, catalog.find("ratchaburi", 2565).id)[("jpt", "ban-pong", "")] == 10
        assert counters(s, catalog.find("ratchaburi", 2566).id)[("jpt", "ban-pong", "")] == 20
