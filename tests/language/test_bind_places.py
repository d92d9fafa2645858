"""ผูกกลุ่ม across provinces: Command.place carries the words after the verb, whatever the plan
reads of them, so that a handler can resolve them against every loaded province; the
department is DEPARTMENT; a district with its own province's name is one place."""
import pytest

from bot.language import DEPARTMENT, PROVINCE, Intent
from bot.language import command as command_module

# message, district, place, needs_confirmation
CASES = [
    # this plan's places, as before, now with the words
    ("ผูกกลุ่ม อำเภอบ้านโป่ง", "ban-pong", "อำเภอบ้านโป่ง", False),
    ("ผูกกลุ่มอำเภอบ้านโป่ง", "ban-pong", "อำเภอบ้านโป่ง", False),
    ("ผูก กลุ่ม   อำเภอบ้านโป่ง", "ban-pong", "อำเภอบ้านโป่ง", False),
    ("ผูกกลุ่ม\nอ.โพธาราม", "photharam", "อ.โพธาราม", False),
    ("ขอผูกกลุ่ม บ้านคา ครับ", "ban-kha", "บ้านคา ครับ", False),
    ("ผูกกลุ่มกับ อำเภอบ้านโป่ง", "ban-pong", "อำเภอบ้านโป่ง", False),
    ("bind บ้านโป่ง", "ban-pong", "บ้านโป่ง", False),
    ("ผูกกลุม บ้านโป่ง", "ban-pong", "บ้านโป่ง", True),
    ("ผูกกลุ่ม บ้านโปง", "ban-pong", "บ้านโปง", True),
    ("ผูกกลุ่ม จังหวัด", PROVINCE, "จังหวัด", False),
    ("ผูกกลุ่ม จังหวัดราชบุรี", PROVINCE, "จังหวัดราชบุรี", False),
    ("ผูกกลุ่ม ราชบุรี", PROVINCE, "ราชบุรี", False),
    ("ผูกกลุ่ม", None, None, False),
    # a district with its own province's name is one place
    ("ผูกกลุ่ม อำเภอเมือง จังหวัดราชบุรี", "mueang-ratchaburi", "อำเภอเมือง จังหวัดราชบุรี", False),
    ("ผูกกลุ่ม อ.เมือง จ.ราชบุรี", "mueang-ratchaburi", "อ.เมือง จ.ราชบุรี", False),
    ("ผูกกลุ่ม บ้านโป่ง จังหวัดราชบุรี", "ban-pong", "บ้านโป่ง จังหวัดราชบุรี", False),
    ("ผูกกลุ่ม บ้านโป่ง ราชบุรี", "ban-pong", "บ้านโป่ง ราชบุรี", False),
    # …but not with the whole province
    ("ผูกกลุ่ม บ้านโป่ง ทั้งจังหวัด", None, "บ้านโป่ง ทั้งจังหวัด", False),
    # the department
    ("ผูกกลุ่ม กรม", DEPARTMENT, "กรม", False),
    ("ผูกกลุ่ม ระดับกรม", DEPARTMENT, "ระดับกรม", False),
    ("ผูกกลุ่ม กรมการพัฒนาชุมชน", DEPARTMENT, "กรมการพัฒนาชุมชน", False),
    ("ผูกกลุ่ม ส่วนกลาง", DEPARTMENT, "ส่วนกลาง", False),
    ("ผูกกลุ่ม กรม ครับ", DEPARTMENT, "กรม ครับ", False),
    ("ผูกกลุ่มกรม", DEPARTMENT, "กรม", False),
    # places of other provinces: BIND, no district of this plan, the words kept
    ("ผูกกลุ่ม อำเภอเมืองกาญจนบุรี", None, "อำเภอเมืองกาญจนบุรี", False),
    ("ผูกกลุ่ม อำเภอเมือง จังหวัดกาญจนบุรี", None, "อำเภอเมือง จังหวัดกาญจนบุรี", False),
    ("ผูกกลุ่ม อำเภอท่าม่วง จังหวัดกาญจนบุรี", None, "อำเภอท่าม่วง จังหวัดกาญจนบุรี", False),
    ("ผูกกลุ่ม จังหวัดกาญจนบุรี", None, "จังหวัดกาญจนบุรี", False),
    ("ผูกกลุ่ม กาญจนบุรี", None, "กาญจนบุรี", False),
    ("ผูกกลุ่ม อ.ท่าม่วง", None, "อ.ท่าม่วง", False),
    ("ผูกกลุ่ม ท่าม่วง", None, "ท่าม่วง", False),
    ("ผูกกลุ่ม  ด่านมะขามเตี้ย  ค่ะ", None, "ด่านมะขามเตี้ย ค่ะ", False),
    ("ผูกกลุ่ม อำเภอบางเลน จ.นครปฐม", None, "อำเภอบางเลน จ.นครปฐม", False),
]


def test_department_constant():
    assert DEPARTMENT == "department" == command_module.DEPARTMENT
    assert DEPARTMENT != PROVINCE


@pytest.mark.parametrize("msg,district,place,confirm", CASES,
                         ids=[f"{i}:{c[0][:30]}" for i, c in enumerate(CASES)])
def test_bind_place(parser, msg, district, place, confirm):
    c = parser.parse(msg)
    assert c.intent is Intent.BIND, c
    assert (c.district, c.place, c.needs_confirmation) == (district, place, confirm), c
    assert c.problem != "unclear"
    if district is None:
        assert c.missing == ("district",)


@pytest.mark.parametrize("msg", [
    "ผูกกลุ่มกันไว้นะคะ เดี๋ยวหลง 555",
    "ผูกกลุ่ม กันไว้นะคะ",
    "ผูกกลุ่มไลน์ใหม่ให้หน่อย",
    "ผูกกลุ่ม อำเภอไหนดีคะ",
    "ใครผูกกลุ่มไว้ อำเภอเมืองกาญจนบุรี",
])
def test_talk_about_binding_stays_silent(parser, msg):
    assert parser.parse(msg).intent is Intent.NONE


def test_place_only_on_bind(parser):
    for msg in ("ยอด บ้านโป่ง", "บันทึก จปฐ 5 ครัวเรือน อำเภอบ้านโป่ง", "ยกเลิก"):
        assert parser.parse(msg).place is None


def test_how_to_bind_is_help(parser):
    c = parser.parse("ผูกกลุ่ม ยังไง")
    assert c.intent is Intent.HELP and c.place is None
