"""Any text at all: the parser returns a Command, quickly, and never raises."""
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.language import Command, Intent

FAST = 1.0           # seconds: catches a runaway parse (backtracking), not speed (bench/parse.py)
SETTINGS = settings(max_examples=200, deadline=500,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

thai = st.characters(min_codepoint=0x0E00, max_codepoint=0x0E7F)
words = st.sampled_from(["บันทึก", "ยอด", "จปฐ", "กชช.2ค", "TPMAP", "ออมทรัพย์", "120", "๑๒๐",
                         "ครัวเรือน", "กลุ่ม", "บ้านโป่ง", "อ.", "หมู่", "ม.", "7", "-", "ครับ",
                         "สิบ", "ร้อย", "ยี่", "เอ็ด", "ๆ", "ํา", "\u200b", "\u00a0", " ", "\n",
                         "?", "แก้ไข", "ยกเลิก", "เหลือ", "กี่", "วัน", "บาท", "%", "1,234",
                         "ผูกกลุ่ม", "จังหวัด", "ได้", "ส่ง"])


def _check(parser, text):
    t = time.perf_counter()
    c = parser.parse(text)
    elapsed = time.perf_counter() - t
    assert isinstance(c, Command)
    assert elapsed < FAST, f"{elapsed:.3f}s for {len(text)} chars"
    assert c.amount is None or c.amount >= 0
    assert c.understood == (c.intent is not Intent.NONE)
    return c


@SETTINGS
@given(st.text(max_size=300))
def test_any_text(parser, text):
    _check(parser, text)


@SETTINGS
@given(st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=80)
       .map(lambda s: (s * (5000 // len(s) + 1))[:5000]))
def test_long_text_any_plane(parser, text):
    _check(parser, text)


@SETTINGS
@given(st.text(alphabet=thai, max_size=200))
def test_thai_soup(parser, text):
    _check(parser, text)


@SETTINGS
@given(st.lists(words, max_size=25).map("".join))
def test_command_words_soup(parser, text):
    c = _check(parser, text)
    # an amount is only ever a number that was typed
    if c.amount is not None:
        assert c.amount <= 10_000_000


@SETTINGS
@given(st.lists(words, max_size=25).map(" ".join))
def test_command_words_spaced(parser, text):
    _check(parser, text)


def test_long_inputs_are_fast(parser):
    for text in ("บันทึก จปฐ 120 ครัวเรือน " * 250, "ก" * 5000, "1" * 5000, "\u200b" * 5000,
                 "บันทึก" + " " * 4990 + "จปฐ 1", "ๆ" * 5000, "\x00" * 5000,
                 "ยอด" + "\u0e48" * 4000):
        c = _check(parser, text)
        assert c.intent is Intent.NONE or len(text.strip()) < 200


def test_not_a_string(parser):
    for value in (None, 12, b"\xe0\xb8\x9a", ["ยอด"]):
        assert parser.parse(value) == Command()


def test_deterministic(parser):
    msgs = ["บันทึก จปฐ บ้านโปง 120", "ยอด", "ประชุม 9 โมง", "บันทืก ออมทัพย์ 1 กลุ่ม"]
    first = [parser.parse(m) for m in msgs]
    assert [parser.parse(m) for m in msgs] == first
