"""Answers worth asking for, end to end through /callback: what LINE received."""
import datetime as dt

from bot.line import flex
from bot.timeutil import fixed_clock
from tests.conftest import NOW
from tests.helpers import ADMIN, Chat, post, text_event

G = "Cbanpong000000000000000000000000"
G2 = "Cbangphae00000000000000000000000"
PROV = "Cprovince0000000000000000000000"


def sent(chat, text, user="Uofficer1", group=G):
    ev = text_event(text, user=user, group=group)
    assert post(chat.client, ev).status_code == 200
    chat.app.extensions["nongpat"].line.drain()
    got = chat.fake.replies_to(ev["replyToken"])
    assert len(got) == 1, text
    return got[0]


def flex_of(s):
    return next(m for m in s.messages if m["type"] == "flex")


def two_districts_logged(chat):
    """บ้านโป่ง 1,000 / 34,227 (2.9%) and บางแพ 820 / 8,204 (10.0%)."""
    chat.bind(G)
    chat.bind(G2, "อำเภอบางแพ")
    chat.say("บันทึก จปฐ 1000 ครัวเรือน", group=G)
    chat.say("บันทึก จปฐ 820 ครัวเรือน", group=G2, user="Ub")


def quick(s):
    return [i["action"]["label"] for i in s.messages[-1].get("quickReply", {}).get("items", [])]


def test_district_card_per_indicator_with_deadline_and_pace(chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 1000 ครัวเรือน", group=G)
    s = sent(chat, "ยอด")
    f = flex_of(s)
    assert f["contents"]["type"] == "carousel" and len(f["contents"]["contents"]) == 3
    jpt = flex.all_text(f["contents"]["contents"][0])
    assert "1,000 / 34,227\nครัวเรือน" in jpt and "2.9% · เหลืออีก 33,227 ครัวเรือน" in jpt
    assert "1 พ.ค. 2565 (อีก 12 วัน)" in jpt
    # where the straight line stands today (Songkran off), and 33,227 over the 9 working days left
    assert "🔴 ล่าช้า · ได้ 1,000 จากที่ควรได้ 22,379" in jpt
    assert "ต้องได้วันละ 3,692 ครัวเรือน (9 วันทำการที่เหลือ) · 7 วันล่าสุดได้ 1,000 ครัวเรือน" in jpt
    assert "1,000 / 34,227" in f["altText"] and "อำเภอบ้านโป่ง" in f["altText"]
    assert "ล่าช้า" in f["altText"]
    labels = quick(s)
    assert 0 < len(labels) <= 13 and "ยอดจังหวัด" in labels and "แบบข้อความ" in labels


def test_same_facts_as_plain_text(chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 1000 ครัวเรือน", group=G)
    s = sent(chat, "ยอด แบบข้อความ")
    assert all(m["type"] == "text" for m in s.messages)
    assert "1,000 / 34,227 ครัวเรือน (2.9%) เหลืออีก 33,227" in s.text
    assert "🔴 ล่าช้า · ได้ 1,000 จากที่ควรได้ 22,379" in s.text
    assert "ต้องได้วันละ 3,692 ครัวเรือน" in s.text
    card = flex.all_text(flex_of(sent(chat, "ยอด"))["contents"])
    assert facts(card) == facts(s.text)


def facts(text):
    """The numbers, dates and status words a reader takes from an answer."""
    import re
    words = set(re.findall(r"\d[\d,.]*%?", text))
    words |= {w for w in ("ครบแล้ว", "ตามแผน", "ล่าช้า", "ไม่มีความเคลื่อนไหว", "ทั้งจังหวัด",
                          "ไม่มีเป้ารายอำเภอ") if w in text}
    return words


def test_province_card_lists_every_district_worst_first(chat):
    two_districts_logged(chat)
    s = sent(chat, "ยอดรวมจังหวัด จปฐ")
    bubble = flex_of(s)["contents"]
    assert bubble["type"] == "bubble"
    text = flex.all_text(bubble)
    order = [line for line in text.split("\n") if line in
             ("เมืองราชบุรี", "บ้านโป่ง", "โพธาราม", "ดำเนินสะดวก", "บางแพ", "ปากท่อ", "จอมบึง",
              "วัดเพลง", "สวนผึ้ง", "บ้านคา")]
    # all ten behind the line: the furthest below it first (nothing logged, the largest
    # target first), บ้านโป่ง at 4 % of where it should be, บางแพ at 15 % last
    assert len(order) == 10 and order[0] == "เมืองราชบุรี" and order[-2:] == ["บ้านโป่ง", "บางแพ"]
    assert "10.0%\n820 / 8,204 ครัวเรือน" in text and "2.9%\n1,000 / 34,227 ครัวเรือน" in text
    assert text.count("ล่าช้า") >= 10
    assert flex.size_of(bubble) < flex.MAX_BUBBLE_BYTES


def test_quick_replies_after_a_log(chat):
    chat.bind(G)
    s = sent(chat, "บันทึก ออมทรัพย์ 1 กลุ่ม")
    assert quick(s) == ["ยกเลิก", "ยอดอำเภอ", "ยอดจังหวัด"]


def test_pace_uses_only_the_last_seven_days(make_app, fake_line):
    old = Chat(make_app(CLOCK=fixed_clock(NOW - dt.timedelta(days=10))), fake_line)
    old.bind(G)
    old.say("บันทึก จปฐ 5000 ครัวเรือน", group=G)
    today = Chat(make_app(), fake_line)
    today.say("บันทึก จปฐ 700 ครัวเรือน", group=G)
    s = sent(today, "ยอด จปฐ แบบข้อความ")
    assert "5,700 / 34,227" in s.text
    assert "7 วันล่าสุดได้ 700 ครัวเรือน" in s.text  # the 5,000 of 10 days ago not counted


def test_ranking_is_a_card_with_status_colours_and_days_left(chat):
    two_districts_logged(chat)
    s = sent(chat, "อันดับ จปฐ")
    f = flex_of(s)
    assert f["altText"].startswith("อันดับ จปฐ. ณ 19 เม.ย. 2565: 1. บางแพ 10.0% · 2. บ้านโป่ง 2.9%")
    text = flex.all_text(f["contents"])
    assert "ตามร้อยละของเป้าหมาย" in text and "กำหนดส่ง 1 พ.ค. 2565 (อีก 12 วัน)" in text
    lines = text.split("\n")
    first = lines.index("🥇")
    assert lines[first:first + 5] == ["🥇", "บางแพ", "ล่าช้า", "10.0%", "820 / 8,204 ครัวเรือน"]
    assert lines[lines.index("🥈") + 1] == "บ้านโป่ง"
    assert "10." in lines and text.count("ล่าช้า") >= 10
    assert "รวมจังหวัด: 1.1% · 1,820 / 167,839 ครัวเรือน\n🔴 ล่าช้า" in text
    assert "แบบข้อความ" in quick(s)
    plain = sent(chat, "อันดับ จปฐ แบบข้อความ").text.split("\n")
    assert "ร้อยละ" in plain[1]
    assert plain[3].startswith("🥇 บางแพ: 10.0% · 820 / 8,204 ครัวเรือน · 🔴 ล่าช้า")
    assert plain[4].startswith("🥈 บ้านโป่ง: 2.9%")
    assert len([l for l in plain if ": " in l]) == 11  # 10 districts + the province


def test_breakdowns(chat):
    chat.bind(G)
    chat.say("บันทึก TPMAP 3 ครัวเรือน มิติรายได้", group=G)
    chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม สัมมาชีพ", group=G)
    s = sent(chat, "ยอด TPMAP แยกมิติ แบบข้อความ")
    assert "– รายได้: 3 ครัวเรือน" in s.text and "– สุขภาพ: 0 ครัวเรือน" in s.text
    assert "(ยอดของอำเภอ · ไม่มีเป้ารายอำเภอ)" in s.text and "(ทั้งจังหวัด)" in s.text
    s = sent(chat, "ยอดรวมจังหวัด ออมทรัพย์ แยกประเภท", group=PROV, user=ADMIN)
    text = flex.all_text(flex_of(s)["contents"])
    assert "1 / 20 กลุ่ม" in text and "0 / 11 กลุ่ม" in text and "กองทุนแม่ของแผ่นดิน" in text
    assert "5.0%\n1 / 20 กลุ่ม" in text  # the percent first


def test_deadlines(chat):
    chat.bind(G)
    s = sent(chat, "กำหนดส่ง")
    assert "1 พ.ค. 2565" in s.text and "อีก 12 วัน" in s.text
    assert "23 เม.ย. 2565 – 29 เม.ย. 2565" in s.text and "30 ก.ย. 2565" in s.text


def test_register_and_who_has_not_reported(chat, fake_line):
    chat.bind(G)
    chat.bind(G2, "อำเภอบางแพ")
    fake_line.names.update({"Ua": "สมศรี", "Ub": "สมชาย", "Uc": "สมหญิง"})
    for u in ("Ua", "Ub"):
        chat.say("สวัสดีครับ", user=u, group=G)  # the display name gets cached
        assert "ลงทะเบียน" in sent(chat, "ลงทะเบียน", user=u).text
    chat.say("สวัสดีครับ", user="Uc", group=G2)
    sent(chat, "ลงทะเบียน", user="Uc", group=G2)
    assert "ไว้แล้ว" in sent(chat, "ลงทะเบียน", user="Ua").text
    chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม", user="Ua", group=G)
    s = sent(chat, "ใครยังไม่ส่ง ออมทรัพย์")
    assert "1 จาก 2 คน" in s.text and "สมชาย" in s.text and "สมศรี" not in s.text
    s = sent(chat, "ใครยังไม่ส่ง ออมทรัพย์", user=ADMIN, group=PROV) if chat.bind(
        PROV, "จังหวัด") else None
    assert "ลงทะเบียน 3 / 41 คน" in s.text and "ยังไม่ส่งกลุ่มออมทรัพย์เพื่อการผลิต 2 คน" in s.text


def test_mine_and_history(chat, fake_line):
    chat.bind(G)
    fake_line.names["Ua"] = "สมศรี"
    chat.say("บันทึก จปฐ 10 ครัวเรือน", user="Ua", group=G)
    chat.say("บันทึก จปฐ 20 ครัวเรือน", user="Ua", group=G)
    chat.say("แก้ไข 25", user="Ua", group=G)
    chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม", user="Ub", group=G)
    chat.say("ยกเลิก", user="Ub", group=G)
    s = sent(chat, "ของฉัน", user="Ua")
    assert "จปฐ.: รวม 35 ครัวเรือน (2 รายการ)" in s.text
    assert "แก้จาก 20" in s.text
    s = sent(chat, "ประวัติ", user="Ua")
    lines = s.text.split("\n")
    assert lines[0].startswith("🕘 3 รายการล่าสุด")
    assert lines[1].startswith("❌") and "ยกเลิกแล้ว" in lines[1]
    assert "สมศรี" in s.text and "19 เม.ย. 2565" in s.text
