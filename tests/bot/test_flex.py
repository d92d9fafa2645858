"""Flex builders: structure, not snapshots — bars match percent and take the status's colour,
the status is said in words beside every bar, a district's percent comes first and in full, no
text can be cut (every text wraps), sizes stay under LINE's limits, and the SDK's models accept
every message."""
import datetime as dt

import pytest
from linebot.v3.messaging import FlexMessage

from bot.core.progress import Figure
from bot.core.status import BEHIND, COLORS, DONE, LABELS, NO_TARGET, ON_TRACK, SILENT, Status
from bot.line import flex
from bot.line.client import to_sdk_messages
from bot.line.messages import Reply

TODAY = dt.date(2022, 4, 19)


def status(name="จอมบึง", done=3756, target=12115, state=BEHIND, silent=False, expected=7921,
           unit="ครัวเรือน") -> Status:
    last = dt.date(2022, 4, 11) if silent else TODAY
    return Status("jpt", "chom-bueng", name, unit, done, target, TODAY, dt.date(2022, 3, 28),
                  dt.date(2022, 5, 1), expected if target else None, 929.0 if target else None,
                  9 if target else None, None, last, silent, state)


def bars(node, out=None):
    """The filled inner boxes of every progress bar, in order."""
    out = [] if out is None else out
    if isinstance(node, dict):
        if node.get("backgroundColor") == flex.GREY and node.get("contents"):
            out.append(node["contents"][0])
        for v in node.values():
            bars(v, out)
    elif isinstance(node, list):
        for v in node:
            bars(v, out)
    return out


def texts(node, out=None):
    out = [] if out is None else out
    if isinstance(node, dict):
        if node.get("type") == "text":
            out.append(node)
        for v in node.values():
            texts(v, out)
    elif isinstance(node, list):
        for v in node:
            texts(v, out)
    return out


@pytest.mark.parametrize("done,target,width", [
    (0, 100, "0%"), (1, 3, "33%"), (50, 100, "50%"), (34227, 34227, "100%"), (50, 40, "100%")])
def test_bar_width_matches_percent(done, target, width):
    assert bars(flex.status_bar(status(done=done, target=target)))[0]["width"] == width
    assert bars(flex.status_row(status(done=done, target=target)))[0]["width"] == width


@pytest.mark.parametrize("state", [BEHIND, SILENT, ON_TRACK, DONE])
def test_a_district_row_colours_its_bar_by_status_and_says_it_in_words(state):
    st = status(state=state, done=12115 if state == DONE else 3756)
    row = flex.status_row(st)
    assert bars(row)[0]["backgroundColor"] == COLORS[state][0]
    label = next(t for t in texts(row) if t["text"] == LABELS[state])
    assert label["color"] == COLORS[state][1]


def test_behind_and_on_track_no_longer_look_alike():
    """97 % and 31 % were both amber; now the colour is the status's, not the percent's."""
    behind = bars(flex.status_row(status(done=3756, state=BEHIND)))[0]["backgroundColor"]
    ahead = bars(flex.status_row(status(done=11752, state=ON_TRACK)))[0]["backgroundColor"]
    assert behind != ahead


def test_percent_first_in_full_then_done_over_target():
    row = flex.status_row(status())
    words = [t["text"] for t in texts(row)]
    assert words.index("31.0%") < words.index("3,756 / 12,115 ครัวเรือน")
    percent = next(t for t in texts(row) if t["text"] == "31.0%")
    assert percent["flex"] == 0          # its own width: the longer figure cannot squeeze it


def test_quiet_line_and_rank():
    row = flex.status_row(status(silent=True), "💤 ไม่มีการบันทึกมา 8 วัน", lead="🥇")
    words = [t["text"] for t in texts(row)]
    assert words[0] == "🥇" and "💤 ไม่มีการบันทึกมา 8 วัน" in words


def test_no_target_means_no_bar():
    st = status(target=None, done=3, state=NO_TARGET)
    row = flex.count_row(st.name, flex.figure_line(st, st.unit))
    assert bars(row) == []
    assert "3 ครัวเรือน" in flex.all_text(row)


def test_a_category_has_a_neutral_bar():
    row = flex.figure_row(Figure("sammachip", "หมู่บ้านสัมมาชีพ", 20, 16), "กลุ่ม")
    assert bars(row)[0]["backgroundColor"] == flex.NEUTRAL
    assert [t["text"] for t in texts(row)][1:3] == ["80.0%", "16 / 20 กลุ่ม"]


def test_the_big_figure_keeps_its_unit_beside_it():
    box = flex.big_figure(status(), "ครัวเรือน")
    assert box["layout"] == "baseline"
    assert [t["text"] for t in texts(box)] == ["3,756 / 12,115", "ครัวเรือน"]


def long_province_bubbles(n_bubbles=3):
    """A province card with ten long district names (and long notes), as big as ours get."""
    name = "เมืองราชบุรีและพื้นที่ใกล้เคียงที่มีชื่อยาวมากเป็นพิเศษ" * 2
    states = [BEHIND, SILENT, ON_TRACK, DONE, ON_TRACK, BEHIND, ON_TRACK, ON_TRACK, SILENT, BEHIND]
    rows = [flex.status_row(status(name, 12345 + i, 36191, s, s == SILENT),
                            "💤 ไม่มีการบันทึกมา 12 วัน (ล่าสุด 7 เม.ย. 2565)" if s == SILENT
                            else None) for i, s in enumerate(states)]
    province = status("ราชบุรี", 123456, 167839, ON_TRACK)
    notes = ["🔵 ตามแผน · ได้ 120,547 (ควรได้ 109,740)",
             "🗓 กำหนดส่ง 1 พ.ค. 2565 (อีก 12 วัน) · ขั้นถัดไป: ศจพ.อ. ประชุมบูรณาการแนวทาง 30 เม.ย. 2565",
             "📈 ต้องได้วันละ 5,255 ครัวเรือน (9 วันทำการที่เหลือ) · 7 วันล่าสุดได้ 32,300 ครัวเรือน"]
    body = [flex.text("จปฐ.", "lg", weight="bold"), flex.text("จังหวัดราชบุรี", "xs", flex.MUTED),
            flex.big_figure(province, "ครัวเรือน"), flex.status_bar(province),
            *(flex.text(n, "xs", margin="md") for n in notes), flex.separator(), *rows]
    return [flex.bubble(body) for _ in range(n_bubbles)]


def test_every_text_wraps():
    """LINE cuts a text without wrap: true ("12,115 ครัวเรือน (…")."""
    bubble = long_province_bubbles(1)[0]
    assert texts(bubble) and all(t["wrap"] is True for t in texts(bubble))


def test_ten_long_district_rows_fit_lines_limits_and_the_sdk_accepts_them():
    bubbles = long_province_bubbles(3)
    assert flex.size_of(bubbles[0]) < flex.MAX_BUBBLE_BYTES
    msg = flex.message("ยอดจังหวัดราชบุรี: จปฐ. 123,456 / 167,839 ครัวเรือน", bubbles)
    assert flex.size_of(msg.contents) < flex.MAX_CAROUSEL_BYTES
    assert msg.contents["type"] == "carousel" and len(msg.contents["contents"]) == 3
    assert len(bars(bubbles[0])) == 11  # the province bar and one per district
    sdk = to_sdk_messages(Reply(flex=[msg]))
    assert isinstance(sdk[0], FlexMessage)


def test_oversized_and_overlong_are_refused_or_clipped():
    with pytest.raises(ValueError):
        flex.message("x", long_province_bubbles(12))  # 12 long bubbles exceed 50 KB
    msg = flex.message("ก" * 1000, long_province_bubbles(1))
    assert len(msg.alt_text) == flex.MAX_ALT and msg.alt_text.endswith("…")
    assert msg.contents["type"] == "bubble"
