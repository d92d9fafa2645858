"""Flex builders: structure, not snapshots — bars match percent, altText carries the numbers,
sizes stay under LINE's limits, and the SDK's models accept every message."""
import pytest
from linebot.v3.messaging import FlexMessage

from bot.line import flex
from bot.line.client import to_sdk_messages
from bot.line.messages import Reply
from bot.core.progress import Figure


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


@pytest.mark.parametrize("done,target,width", [
    (0, 100, "0%"), (1, 3, "33%"), (50, 100, "50%"), (34227, 34227, "100%"), (50, 40, "100%")])
def test_bar_width_matches_percent(done, target, width):
    fig = Figure("ban-pong", "บ้านโป่ง", target, done)
    bubble = flex.indicator_bubble("จปฐ.", "อำเภอบ้านโป่ง", fig, "ครัวเรือน")
    assert bars(bubble)[0]["width"] == width


def test_no_target_means_no_bar():
    bubble = flex.indicator_bubble("TPMAP", "อำเภอบ้านโป่ง", Figure("x", "x", None, 3), "ครัวเรือน")
    assert bars(bubble) == []
    assert "3 ครัวเรือน" in flex.all_text(bubble)


def test_colour_follows_the_forecast():
    fig = Figure("a", "a", 100, 40)
    assert bars(flex.indicator_bubble("t", "s", fig, "u", on_track=False))[0]["backgroundColor"] == flex.RED
    assert bars(flex.indicator_bubble("t", "s", fig, "u", on_track=True))[0]["backgroundColor"] == flex.GREEN
    assert bars(flex.indicator_bubble("t", "s", Figure("a", "a", 10, 10), "u"))[0]["backgroundColor"] == flex.GREEN


def long_province_bubbles(n_bubbles=3):
    names = ["เมืองราชบุรีและพื้นที่ใกล้เคียงที่มีชื่อยาวมากเป็นพิเศษ" * 2] * 10
    rows = [(Figure(f"d{i}", names[i], 36191, 12345 + i), "ครัวเรือน") for i in range(10)]
    fig = Figure("jpt", "จปฐ.", 167839, 123456)
    notes = ["🗓 กำหนดส่ง 1 พ.ค. 2565 (อีก 12 วัน) · ขั้นถัดไป: ศจพ.อ. ประชุมบูรณาการแนวทาง 30 เม.ย. 2565",
             "📈 ต้องได้วันละ 3,000 ครัวเรือน · ด้วยอัตรา 7 วันล่าสุด จะครบประมาณ 28 เม.ย. 2565 — ทันกำหนด"]
    return [flex.indicator_bubble("จปฐ.", "จังหวัดราชบุรี", fig, "ครัวเรือน", notes, rows)
            for _ in range(n_bubbles)]


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
        flex.message("x", long_province_bubbles(12) * 1)  # 12 long bubbles exceed 50 KB
    msg = flex.message("ก" * 1000, long_province_bubbles(1))
    assert len(msg.alt_text) == flex.MAX_ALT and msg.alt_text.endswith("…")
    assert msg.contents["type"] == "bubble"
