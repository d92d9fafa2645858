"""The plan file: every figure of the source, and validation that names the line."""
import datetime as dt
from pathlib import Path

import pytest

from bot.core.plan import PlanError, load_plan_file, load_plan_text

PLAN = Path(__file__).resolve().parents[2] / "plans" / "ratchaburi-2565.yaml"


@pytest.fixture(scope="module")
def plan():
    return load_plan_file(PLAN)


def test_ratchaburi_2565_holds_every_figure(plan):
    assert (plan.province_name, plan.fiscal_year, plan.officers) == ("ราชบุรี", 2565, 41)
    jpt = plan.indicator("jpt")
    assert jpt.target == 167839 and sum(jpt.district_targets.values()) == 167839
    assert jpt.district_targets == {
        "mueang-ratchaburi": 36191, "ban-pong": 34227, "photharam": 28790,
        "damnoen-saduak": 18787, "bang-phae": 8204, "pak-tho": 13874, "chom-bueng": 12115,
        "wat-phleng": 2869, "suan-phueng": 7810, "ban-kha": 4972}
    tp = plan.indicator("tpmap")
    assert (tp.target, tp.people_target) == (4038, 6204)
    assert {c.key: c.target for c in tp.categories} == {
        "health": 863, "living": 420, "education": 141, "public-services": 5, "income": 3015}
    sv = plan.indicator("savings")
    assert (sv.target, sv.existing, sv.unit) == (41, 140, "group")
    assert {c.key: c.target for c in sv.categories} == {
        "kkkj": 5, "mother-fund": 11, "sammachip": 20, "sufficiency": 5}
    ms = {m.key: m for m in plan.milestones}
    assert (ms["jpt-test-1"].start, ms["jpt-test-1"].end) == (dt.date(2022, 3, 21), dt.date(2022, 3, 27))
    assert ms["jpt-briefing"].date == dt.date(2022, 3, 28)
    assert ms["jpt-allowance"].date == dt.date(2022, 3, 28)
    assert (ms["jpt-test-2"].start, ms["jpt-test-2"].end) == (dt.date(2022, 4, 23), dt.date(2022, 4, 29))
    assert ms["jpt-complete"].date == dt.date(2022, 5, 1)
    assert ms["tpmap-plans"].date == dt.date(2022, 4, 8)
    assert ms["tpmap-meeting"].date == dt.date(2022, 4, 30)
    assert ms["tpmap-complete"].date == dt.date(2022, 9, 30)
    assert ms["savings-complete"].date == dt.date(2022, 8, 1)
    assert {d.key for d in plan.districts} >= {"ban-pong", "damnoen-saduak"}
    assert "ดำเนินฯ" in plan.district("damnoen-saduak").aliases


def broken(old: str, new: str) -> str:
    text = PLAN.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(i for i, l in enumerate(text.splitlines(), 1) if needle in l)


@pytest.mark.parametrize("old,new,needle,words", [
    ("      ban-kha: 4972", "      ban-khaa: 4972", "ban-khaa", "ไม่รู้จักอำเภอ 'ban-khaa'"),
    ('date: "2565-05-01"', 'date: "2565-05-41"', "2565-05-41", "วันที่ '2565-05-41' ไม่ถูกต้อง"),
    ("target: 4038", "target: -4038", "target: -4038", "ติดลบไม่ได้"),
    ("indicator: savings, kind", "indicator: saving, kind", "indicator: saving,", "ไม่รู้จักตัวชี้วัด"),
])
def test_typos_are_refused_naming_the_line(old, new, needle, words):
    text = broken(old, new)
    with pytest.raises(PlanError) as err:
        load_plan_text(text, "plans/x.yaml")
    assert words in str(err.value)
    assert f"plans/x.yaml, บรรทัด {line_of(text, needle)}" in str(err.value)


def test_district_targets_must_add_up():
    with pytest.raises(PlanError, match="ไม่เท่ากับผลรวมรายอำเภอ"):
        load_plan_text(broken("target: 167839", "target: 167840"))


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(PlanError, match="บรรทัด"):
        load_plan_text(broken("officers: 41", "officers: [41"))


def test_plan_without_per_district_targets_works(plan):
    assert plan.indicator("tpmap").district_target("ban-pong") is None
