"""Fields the table does not show: missing, corrections, candidates, unknown, explicit, as_text."""
from bot.language import PROVINCE, Command, Intent, Topic
from bot.language.normalize import normalise
from bot.language.numbers import thai_words_to_int


def test_missing_amount(parser):
    c = parser.parse("บันทึก จปฐ ครัวเรือน")
    assert (c.intent, c.explicit, c.missing, c.needs_confirmation) == (
        Intent.LOG, True, ("amount",), False)


def test_missing_indicator_when_unit_is_shared(parser):
    c = parser.parse("บันทึก 120 ครัวเรือน")
    assert c.indicator is None and c.amount == 120 and c.missing == ("indicator",)


def test_two_amounts_lists_candidates(parser):
    c = parser.parse("บันทึก จปฐ 120 ครัวเรือน 130 ครัวเรือน")
    assert c.problem == "two-amounts" and c.amount is None and c.candidates == (120, 130)


def test_no_verb(parser):
    c = parser.parse("จปฐ 35 ครัวเรือน")
    assert (c.intent, c.explicit, c.needs_confirmation, c.problem, c.amount) == (
        Intent.LOG, False, True, "no-verb", 35)


def test_corrections_are_reported(parser):
    c = parser.parse("บันทืก ออมทัพย์ 1 กลุ่ม บ้านโปง")
    assert c.needs_confirmation
    assert dict(c.corrections) == {"บันทืก": "บันทึก", "ออมทัพย์": "ออมทรัพย์",
                                   "บ้านโปง": "บ้านโป่ง"}
    assert (c.indicator, c.amount, c.district) == ("savings", 1, "ban-pong")


def test_unknown_span_in_complete_log(parser):
    c = parser.parse("บันทึก จปฐ 120 ครัวเรือน บ้านนายดำ")
    assert c.needs_confirmation and c.amount == 120 and c.unknown


def test_exact_parse_records_at_once(parser):
    c = parser.parse("บันทึก จปฐ 120 ครัวเรือน")
    assert c == Command(intent=Intent.LOG, indicator="jpt", amount=120, unit="household",
                        explicit=True)


def test_as_text(parser):
    c = parser.parse("ยอด tpmap แยกมิติ แบบข้อความ")
    assert c.as_text and c.topic is Topic.BREAKDOWN and c.indicator == "tpmap"


def test_province(parser):
    assert parser.parse("ยอดรวมจังหวัด").district == PROVINCE
    assert parser.parse("ผูกกลุ่ม จังหวัด").district == PROVINCE
    assert parser.parse("ยอดอำเภอ").district is None


def test_bind_without_district(parser):
    c = parser.parse("ผูกกลุ่ม")
    assert c.intent is Intent.BIND and c.missing == ("district",)


def test_edit_and_zero(parser):
    assert parser.parse("แก้ไข 150").amount == 150
    c = parser.parse("บันทึก จปฐ 0 ครัวเรือน")
    assert c.amount == 0 and c.problem == "zero"


def test_never_negative(parser):
    for text in ("บันทึก จปฐ -5 ครัวเรือน", "แก้ไข -3", "บันทึก จปฐ −5"):
        c = parser.parse(text)
        assert c.amount is None and c.problem == "negative"


def test_dash_as_separator_is_not_minus(parser):
    c = parser.parse("บันทึก จปฐ - 20 ครัวเรือน")
    assert c.amount == 20 and c.problem is None


def test_plan_vocabulary_not_hard_coded(plan):
    """A plan with another name for a district is understood without code changes."""
    import dataclasses

    from bot.language import Parser
    d = plan.districts[0]
    other = dataclasses.replace(plan, districts=(dataclasses.replace(
        d, aliases=d.aliases + ("ราชบุรีเหนือ",)),) + plan.districts[1:])
    p = Parser(other)
    assert p.parse("ยอด ราชบุรีเหนือ").district == d.key


def test_normalise():
    assert normalise("บันทึก\u00a0จปฐ\u200b\u200d\ufeff ๑๒๐") == "บันทึก จปฐ 120"
    assert normalise("ยอดดดดด") == "ยอด"
    assert normalise("ดํา") == "ดำ"
    assert normalise("ＴＰＭＡＰ １２０") == "tpmap 120"
    assert normalise("555") == "555"


def test_number_words():
    cases = {"สิบห้า": 15, "ร้อยยี่สิบ": 120, "หนึ่งร้อยยี่สิบ": 120, "หนึ่ง": 1, "ยี่สิบเอ็ด": 21,
             "สองพันห้าร้อย": 2500, "สามหมื่นสี่พันสองร้อยยี่สิบเจ็ด": 34227,
             "สองสาม": None, "ยี่": None, "เอ็ด": None, "หนึ่งสิบ": None, "พันร้อย": None}
    for words, value in cases.items():
        assert thai_words_to_int(words) == value, words


def test_running_total(parser):
    c = parser.parse("บันทึก จปฐ รวม 2,103 ครัวเรือน")
    assert (c.intent, c.indicator, c.amount, c.running_total, c.explicit) == (
        Intent.LOG, "jpt", 2103, True, True)
    assert parser.parse("ยอดรวม จปฐ 2,103 ครัวเรือน").running_total
    assert parser.parse("ยอดรวม จปฐ").intent is Intent.QUERY
    assert not parser.parse("บันทึก จปฐ 120 ครัวเรือน").running_total
    c = parser.parse("บันทึก จปฐ รวม 2103 ครัวเรือน 2200 ครัวเรือน")
    assert c.running_total and c.problem == "two-amounts" and c.candidates == (2103, 2200)


def test_unclear_typed_command(parser):
    for text in ("บันทึก ซซซ 20 ครัวเรือน", "บันทึก xyz 20 ครัวเรือน", "ยกเลิก ซซซ", "ลงยอด ซซซ 5"):
        c = parser.parse(text)
        assert (c.intent, c.explicit, c.problem, c.amount) == (
            Intent.LOG, True, "unclear", None), text
        assert c.unknown, text
    for text in ("บันทึกไว้แล้วนะ", "บันทึกการประชุมส่งให้แล้วนะครับ", "บันทึกเรียบร้อยแล้วค่ะ"):
        assert parser.parse(text).intent is Intent.NONE, text


def test_short_name_typos_are_confirmed(parser):
    for typo in ("จปธ", "จปร", "จฐป", "จป", "จปฐฐ", "จบฐ"):
        c = parser.parse(f"บันทึก {typo} 20 ครัวเรือน")
        assert (c.indicator, c.amount, c.needs_confirmation) == ("jpt", 20, True), typo
        assert c.corrections and c.corrections[0][0] == typo
    c = parser.parse("บันทึก TPMAP 3 ครัวเรือน รายไต้")
    assert c.category == "income" and ("รายไต้", "รายได้") in c.corrections
    # outside a command, a misspelling is left alone
    assert parser.parse("จปธ").intent is Intent.NONE


def test_odd_code_points_never_change_the_number(parser):
    for text in ("บันทึก จปฐ 1\ufe0f\u20e32\ufe0f\u20e3 ครัวเรือน", "บันทึก จปฐ 12\ud83d ครัวเรือน",
                 "บันทึก จปฐ 12\ue000 ครัวเรือน", "บันทึก จปฐ 12\ufffd ครัวเรือน",
                 "บันทึก\ud83d จปฐ 12 ครัวเรือน"):
        c = parser.parse(text)
        assert (c.intent, c.indicator, c.amount) == (Intent.LOG, "jpt", 12), repr(text)
    assert normalise("1\ufe0f\u20e3\ud83d\ue000") == "1"


def test_laughter_is_never_an_amount(parser):
    for text in ("ได้อยู่5555", "5555+", "55555 ออมทรัพย์ได้แล้ว", "จปฐ ได้แล้ว555",
                 "ออมทรัพย์ ได้อยู่5555"):
        c = parser.parse(text)
        assert c.amount is None and c.intent is Intent.NONE, text
    assert parser.parse("บันทึก จปฐ 555 ครัวเรือน").amount == 555
    c = parser.parse("บันทึก จปฐ 5555")
    assert c.amount == 5555 and c.needs_confirmation


def test_ranges_ask(parser):
    c = parser.parse("บันทึก จปฐ 20-30 ครัวเรือน")
    assert c.amount is None and c.problem == "two-amounts" and c.candidates == (20, 30)
