"""The cards on the mid-April scene (tests/scenario.py): each says where a district stands in
words and colour from the one status (bot.core.status), shows every district's percent in
full, never rounds a slow pace up to 1 a day, says "(ทั้งจังหวัด)" when the figures are the
province's, and its แบบข้อความ form says the same."""
from __future__ import annotations

import re

import pytest

from bot.core.status import COLORS, LABELS
from bot.line import flex
from models.queries import load_board
from tests.conftest import NOW
from tests.helpers import ADMIN, post, text_event
from tests.scenario import group_of, seed_mid_april

PROV = "Cprovince0000000000000000000000"


@pytest.fixture
def scene(app, chat):
    seed_mid_april(app)
    chat.bind(PROV, "จังหวัด")
    svc = app.extensions["nongpat"]
    with svc.sessions() as s:
        active = svc.bot.current_plan(s)
        board = load_board(s, active.id, active.plan, NOW)
    return chat, board


def answer(chat, text, group=PROV, user=ADMIN):
    ev = text_event(text, user=user, group=group)
    assert post(chat.client, ev).status_code == 200
    got = chat.sent_to(ev)
    assert got is not None, text
    return got


def card(chat, text, group=PROV):
    sent = answer(chat, text, group)
    return next(m for m in sent.messages if m["type"] == "flex")


def walk(node, kind):
    out = []
    if isinstance(node, dict):
        if node.get("type") == kind:
            out.append(node)
        for v in node.values():
            out += walk(v, kind)
    elif isinstance(node, list):
        for v in node:
            out += walk(v, kind)
    return out


def rows(bubble):
    """The district rows of a card: (name, texts, bar fill colour or None)."""
    out = []
    for box in walk(bubble, "box"):
        inner = box.get("contents", [])
        if box.get("layout") == "vertical" and inner and inner[0].get("layout") == "horizontal":
            words = walk(box, "text")
            fill = [b["contents"][0].get("backgroundColor") for b in walk(box, "box")
                    if b.get("backgroundColor") == flex.GREY and b.get("contents")]
            out.append((words, fill[0] if fill else None))
    return out


def facts(text):
    """The numbers, dates and status words a reader takes from an answer."""
    found = set(re.findall(r"\d[\d,.]*%?", text))
    return found | {w for w in (*LABELS.values(), "ทั้งจังหวัด") if w in text}


def test_province_card_every_district_percent_in_full_coloured_by_status(scene):
    chat, board = scene
    bubble = card(chat, "ยอดรวมจังหวัด จปฐ")["contents"]
    found = rows(bubble)
    assert len(found) == 10
    expected = board.worst_first("jpt")
    assert [words[0]["text"] for words, _ in found] == [s.name for s in expected]
    for (words, fill), st in zip(found, expected):
        name, label, percent, figure = (w["text"] for w in words[:4])
        assert (label, percent) == (st.label, f"{st.percent:.1f}%"), st.name
        assert figure == f"{st.done:,} / {st.target:,} ครัวเรือน"
        assert fill == st.color and words[1]["color"] == st.ink and words[2]["color"] == st.ink
    assert found[0][0][0]["text"] == "จอมบึง"       # 31 %, furthest below its line
    colours = {fill for _, fill in found}
    assert {COLORS["behind"][0], COLORS["on-track"][0], COLORS["done"][0],
            COLORS["silent"][0]} == colours      # 31 % and 97 % no longer look alike
    text = flex.all_text(bubble)
    assert "💤 ไม่มีการบันทึกมา 11 วัน (ล่าสุด 8 เม.ย. 2565)" in text
    assert "ล่าช้า 2 · ไม่มีความเคลื่อนไหว 1 · ตามแผน 6 · ครบแล้ว 1" in text
    assert all(t["wrap"] is True for t in walk(bubble, "text"))


def test_silent_district_card_says_how_long_not_only_the_last_seven_days(scene):
    chat, _ = scene
    text = flex.all_text(card(chat, "ยอด จปฐ", group_of("chom-bueng"))["contents"])
    assert "🔴 ล่าช้า · ได้ 3,756 จากที่ควรได้ 7,921" in text
    assert "💤 ไม่มีการบันทึกมา 11 วัน (ล่าสุด 8 เม.ย. 2565)" in text
    assert "ต้องได้วันละ 929 ครัวเรือน (9 วันทำการที่เหลือ)" in text
    assert "7 วันล่าสุดยังไม่มีการบันทึก" not in text
    quiet = flex.all_text(card(chat, "ยอด จปฐ", group_of("ban-kha"))["contents"])
    assert "🟠 ไม่มีความเคลื่อนไหว · ได้ 4,475 (ควรได้ 3,250)" in quiet
    assert "💤 ไม่มีการบันทึกมา 12 วัน (ล่าสุด 7 เม.ย. 2565)" in quiet


def test_a_slow_pace_reads_per_week_never_rounded_up_to_one_a_day(scene):
    chat, _ = scene
    for text in (flex.all_text(card(chat, "ยอดรวมจังหวัด ออมทรัพย์")["contents"]),
                 answer(chat, "ยอดรวมจังหวัด ออมทรัพย์ แบบข้อความ").text,
                 flex.all_text(card(chat, "ยอด ออมทรัพย์", group_of("ban-pong"))["contents"])):
        assert "ต้องได้สัปดาห์ละ 1.8 กลุ่ม (69 วันทำการที่เหลือ)" in text
        assert "วันละ 1 กลุ่ม" not in text and "ทันกำหนด" not in text
        assert "ล่าช้า" in text


def test_a_district_card_of_the_provinces_figures_says_so(scene):
    chat, _ = scene
    bubble = card(chat, "ยอด TPMAP", group_of("ban-pong"))["contents"]
    text = flex.all_text(bubble)
    assert text.split("\n")[2:4] == ["20", "ครัวเรือน"]            # its own count
    assert "ยอดของอำเภอ · ไม่มีเป้ารายอำเภอ" in text
    assert "ทั้งจังหวัด: 200 / 4,038 ครัวเรือน (5.0%) เหลืออีก 3,838 ครัวเรือน" in text
    assert "ตามแผน (ทั้งจังหวัด) · ได้ 200 (ควรได้ 139)" in text
    assert "📈 ทั้งจังหวัดต้องได้วันละ 35 ครัวเรือน (112 วันทำการที่เหลือ)" in text
    # a district with a target of its own never says it
    assert "ทั้งจังหวัด" not in flex.all_text(card(chat, "ยอด จปฐ", group_of("ban-pong"))["contents"])
    silent = flex.all_text(card(chat, "ยอด TPMAP", group_of("chom-bueng"))["contents"])
    assert "💤 ยังไม่มีการบันทึกเลย" in silent


def test_ranking_card_by_percent_with_status_colours_and_days_left(scene):
    chat, board = scene
    f = card(chat, "อันดับ จปฐ")
    assert f["altText"].startswith("อันดับ จปฐ. ณ 19 เม.ย. 2565: 1. วัดเพลง 100.0% · 2. บ้านคา 90.0%")
    text = flex.all_text(f["contents"])
    assert "กำหนดส่ง 1 พ.ค. 2565 (อีก 12 วัน)" in text
    found = rows(f["contents"])
    by_name = {s.name: s for s in board.districts["jpt"]}
    names = [words[1]["text"] for words, _ in found]
    assert names[0] == "วัดเพลง" and names[-1] == "จอมบึง"
    assert [words[0]["text"] for words, _ in found][:4] == ["🥇", "🥈", "🥉", "4."]
    for words, fill in found:
        st = by_name[words[1]["text"]]
        assert words[2]["text"] == st.label and fill == st.color
    assert "รวมจังหวัด: 71.8% · 120,547 / 167,839 ครัวเรือน\n🔵 ตามแผน · ได้ 120,547 (ควรได้ 109,740)" in text
    tpmap = flex.all_text(card(chat, "อันดับ TPMAP")["contents"])
    assert "ตามจำนวนที่บันทึก" in tpmap and "กำหนดส่ง 30 ก.ย. 2565 (อีก 164 วัน)" in tpmap


@pytest.mark.parametrize("question,group", [
    ("ยอดรวมจังหวัด", PROV), ("ยอด", group_of("chom-bueng")), ("ยอด", group_of("ban-kha")),
    ("อันดับ จปฐ", PROV), ("อันดับ ออมทรัพย์", PROV),
    ("ยอดรวมจังหวัด ออมทรัพย์ แยกประเภท", PROV), ("ยอด TPMAP แยกมิติ", group_of("ban-pong"))])
def test_the_card_and_its_text_form_say_the_same(scene, question, group):
    chat, _ = scene
    f = card(chat, question, group)
    plain = answer(chat, f"{question} แบบข้อความ", group)
    assert all(m["type"] == "text" for m in plain.messages)
    assert facts(flex.all_text(f["contents"])) == facts(plain.text)
    size = flex.size_of(f["contents"])
    assert size < (flex.MAX_CAROUSEL_BYTES if f["contents"]["type"] == "carousel"
                   else flex.MAX_BUBBLE_BYTES)
    assert len(f["altText"]) <= flex.MAX_ALT
