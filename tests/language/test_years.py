"""Fiscal years in messages: Command.year (a Buddhist-era year named outright) and
Command.year_offset (relative to the current fiscal year).  A year is never an amount; a date's
year is not ``year``; chatter that mentions a year stays silent."""
import pytest

from bot.language import Intent

# message, intent, year, year_offset, amount, indicator, district ("-" = None)
CASES = [
    # a year named outright
    ("ยอด ปี 2565", "query", 2565, None, None, None, None),
    ("ยอด 2565", "query", 2565, None, None, None, None),
    ("ยอดปี 2565", "query", 2565, None, None, None, None),
    ("ยอดปี2565", "query", 2565, None, None, None, None),
    ("ยอด ปีงบ 2565", "query", 2565, None, None, None, None),
    ("ยอด ปีงบประมาณ 2565", "query", 2565, None, None, None, None),
    ("ยอด ปีงบประมาณ พ.ศ. 2565", "query", 2565, None, None, None, None),
    ("ยอด พ.ศ. 2565", "query", 2565, None, None, None, None),
    ("ยอด ปี 65", "query", 2565, None, None, None, None),
    ("ยอดปีงบ65", "query", 2565, None, None, None, None),
    ("ยอด ปี ๒๕๖๕", "query", 2565, None, None, None, None),
    ("ยอดรวม 2566", "query", 2566, None, None, None, None),
    ("ยอด จปฐ ปี 2565", "query", 2565, None, None, "jpt", None),
    ("ยอด บ้านโป่ง ปี 2566", "query", 2566, None, None, None, "ban-pong"),
    ("ยอดรวมจังหวัด ปี 2565", "query", 2565, None, None, None, "province"),
    ("ขอยอด ออมทรัพย์ ปีงบ 66 ครับ", "query", 2566, None, None, "savings", None),
    ("เหลืออีกเท่าไหร่ จปฐ ปี 2565", "query", 2565, None, None, "jpt", None),
    ("อันดับ จปฐ ปี 2565", "ranking", 2565, None, None, "jpt", None),
    ("ของฉัน ปี 2565", "mine", 2565, None, None, None, None),
    ("ประวัติ ปีงบ 2565", "history", 2565, None, None, None, None),
    ("ใครยังไม่ส่ง จปฐ ปี 2565", "missing", 2565, None, None, "jpt", None),
    # relative to this fiscal year
    ("ยอดปีที่แล้ว", "query", None, -1, None, None, None),
    ("ยอด ปีที่แล้ว", "query", None, -1, None, None, None),
    ("ยอดปีก่อน", "query", None, -1, None, None, None),
    ("ยอดปีงบที่แล้ว", "query", None, -1, None, None, None),
    ("ยอด ปีงบประมาณที่แล้ว", "query", None, -1, None, None, None),
    ("ยอด จปฐ ปีที่แล้ว", "query", None, -1, None, "jpt", None),
    ("ยอด ปีที่ผ่านมา", "query", None, -1, None, None, None),
    ("ยอด ปีนี้", "query", None, 0, None, None, None),
    ("ยอด ปีงบนี้", "query", None, 0, None, None, None),
    ("ยอด บ้านโป่ง ปีนี้ ครับ", "query", None, 0, None, None, "ban-pong"),
    ("อันดับ ออมทรัพย์ ปีที่แล้ว", "ranking", None, -1, None, "savings", None),
    ("ของฉัน ปีที่แล้ว", "mine", None, -1, None, None, None),
    ("ประวัติ ปีก่อน", "history", None, -1, None, None, None),
    ("ใครยังไม่ส่ง จปฐ ปีที่แล้ว", "missing", None, -1, None, "jpt", None),
    ("ปีที่แล้ว จปฐ ได้เท่าไหร่", "query", None, -1, None, "jpt", None),
    # a year on a log: reported, never the amount
    ("บันทึก จปฐ 35 หลัง ปี 2565", "log", 2565, None, 35, "jpt", None),
    ("บันทึก จปฐ 35 ครัวเรือน ปีงบประมาณ 2565", "log", 2565, None, 35, "jpt", None),
    ("บันทึก ปี 65 จปฐ 35 ครัวเรือน", "log", 2565, None, 35, "jpt", None),
    ("บันทึก จปฐ 35 ครัวเรือน ปีที่แล้ว", "log", None, -1, 35, "jpt", None),
    ("บันทึก ออมทรัพย์ 1 กลุ่ม ปีนี้", "log", None, 0, 1, "savings", None),
    # …and numbers that are not a year
    ("บันทึก จปฐ 2565 ครัวเรือน", "log", None, None, 2565, "jpt", None),
    ("บันทึก จ.ป.ฐ. 2500 ค่ะ", "log", None, None, 2500, "jpt", None),
    ("บันทึก จปฐ 35 ครัวเรือน 1 ส.ค. 2565", "log", None, None, 35, "jpt", None),
    ("บันทึก จปฐ 35 ครัวเรือน 1 ส.ค. พ.ศ. 2565", "log", None, None, 35, "jpt", None),
    ("บันทึก จปฐ 35 ครัวเรือน วันที่ 5 สิงหาคม 2565", "log", None, None, 35, "jpt", None),
    ("บันทึก จปฐ 20 ครัวเรือน 65 ปี", "log", None, None, 20, "jpt", None),
    ("ยอด จปฐ 2565", "log", None, None, 2565, "jpt", None),     # ยอด + indicator + number: a total told
    ("ยอด ปี 2022", "query", None, None, None, None, None),      # C.E.: not read as a year
    # a year where no year belongs, or two years: not understood (a change naming a year is
    # read, for its handler to refuse with the reason)
    ("ยอด 2565 ครัวเรือน", "none", None, None, None, None, None),
    ("ยอด ปี 2565 ปีที่แล้ว", "none", None, None, None, None, None),
    ("ยกเลิก ปี 2565", "undo", 2565, None, None, None, None),  # the handler refuses it
    ("ยืนยัน ปีที่แล้ว", "none", None, None, None, None, None),
    # chatter that mentions a year stays silent
    ("ปีที่แล้วไปเที่ยวมา", "none", None, None, None, None, None),
    ("ปี 2565 ยอดดีมาก", "none", None, None, None, None, None),
    ("ปีนี้ฝนตกเยอะมาก", "none", None, None, None, None, None),
    ("ปีก่อนก็จัดงานแบบนี้แหละ", "none", None, None, None, None, None),
    ("ปีงบ 66 จะมีโครงการใหม่ไหมคะ", "none", None, None, None, None, None),
    ("เกษียณปี 2570 ค่ะ", "none", None, None, None, None, None),
    ("ลูกเกิดปี 65 ครับ", "none", None, None, None, None, None),
    ("ปีที่ผ่านมาขอบคุณทุกคนมากนะคะ", "none", None, None, None, None, None),
    ("ส่งรายงานภายใน 30 ก.ย. 2565 นะคะ", "none", None, None, None, None, None),
    ("ประชุม 1 ส.ค. 2565 ที่อำเภอ", "none", None, None, None, None, None),
    ("ยอดเยี่ยมมากปีนี้", "none", None, None, None, None, None),
]


def test_table_size():
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("msg,intent,year,offset,amount,indicator,district", CASES,
                         ids=[f"{i}:{c[0][:30]}" for i, c in enumerate(CASES)])
def test_year(parser, msg, intent, year, offset, amount, indicator, district):
    c = parser.parse(msg)
    got = (c.intent.value, c.year, c.year_offset, c.amount, c.indicator, c.district)
    assert got == (intent, year, offset, amount, indicator, district), c


def test_year_is_none_unless_named(parser):
    for msg in ("ยอด", "ยอด จปฐ", "บันทึก จปฐ 120 ครัวเรือน", "อันดับ จปฐ", "ของฉัน"):
        c = parser.parse(msg)
        assert c.intent is not Intent.NONE and c.year is None and c.year_offset is None, c
    c = parser.parse("ยอด ปีนี้")
    assert c.year_offset == 0 and c.year is None


def test_a_change_naming_a_year_is_read_so_that_it_can_be_refused(parser):
    """ยกเลิก / แก้ไข naming a year reach their handlers with the year (which refuse another
    year's change with the reason), instead of staying silent."""
    for text, intent, year, offset in (("ยกเลิก ปี 2565", Intent.UNDO, 2565, None),
                                       ("แก้ไข จปฐ 20 ปี 2565", Intent.EDIT, 2565, None),
                                       ("ยกเลิก จปฐ ปีที่แล้ว", Intent.UNDO, None, -1)):
        c = parser.parse(text)
        assert (c.intent, c.year, c.year_offset) == (intent, year, offset), text
    assert parser.parse("แก้เป็น 2565").amount == 2565      # an amount, not a year
