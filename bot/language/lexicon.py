"""The vocabulary: language-level words (verbs, particles, query words) and the plan's names.

Everything the parser recognises is an entry ``surface form → (slot, key)``.  Language-level
words live here; districts, indicators, categories and units come from the :class:`Plan` (never
hard-coded), so a new province or fiscal year needs no code change.

Multi-word phrases (``ใครยังไม่ส่ง``, ``แบบข้อความ``, ``กชช.2ค``) are entries too: the parser
joins consecutive tokens (ignoring the spaces between them) and takes the longest entry.

Two layers: :class:`Common` (the language-level words and a set of indicators, categories and
units, with their prefixes, typo variants and fuzzy index) is built once per process for each
distinct set and shared; :class:`Lexicon` adds one plan's districts and province name.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable

from pythainlp.corpus import thai_words

from bot.core.plan import Plan
from bot.language.fuzzy import FUZZY_MIN_LEN, FuzzyIndex, typo_variants

# --------------------------------------------------------------------------- command words
# slot "cmd": the key names a command family; the parser maps families to intents.
COMMANDS: dict[str, str] = {}


def _cmd(key: str, *forms: str) -> None:
    for f in forms:
        COMMANDS[f] = key


# "record": บันทึก is a command word anywhere; the weak verbs are ordinary Thai words that count
# only when an indicator (or category) is named in the same message.
_cmd("log", "บันทึก", "บันทึกข้อมูล", "บันทึกยอด", "ลงยอด", "ลงข้อมูล", "คีย์ข้อมูล")
_cmd("logweak", "ส่ง", "ส่งยอด", "เก็บ", "เก็บข้อมูล", "จัดเก็บ", "สำรวจ", "จัดตั้ง", "ตั้ง", "เพิ่ม", "เพิ่มอีก", "ลง", "รายงาน", "รายงานผล", "คีย์", "กรอก",
     "อัปเดต", "อัพเดท", "อัพเดต", "อัปเดท")
_cmd("got", "ได้", "ได้แล้ว", "ทำได้", "เก็บได้", "จัดตั้งได้", "ตั้งได้", "ตั้งกลุ่มได้")
_cmd("query", "ยอด", "ยอดรวม", "ดูยอด", "เช็คยอด", "เช็กยอด", "เช็ค", "เช็ก", "สรุปยอด", "ขอยอด",
     "ความคืบหน้า", "ผลการดำเนินงาน", "สถานะ")
_cmd("deadline", "กำหนดส่ง", "วันกำหนดส่ง", "เส้นตาย", "deadline", "หมดเขต", "วันสุดท้าย",
     "ครบกำหนด")
_cmd("undo", "ยกเลิก", "ยกเลิกรายการล่าสุด", "ยกเลิกล่าสุด", "ยกเลิกรายการ", "ลบรายการล่าสุด",
     "ลบรายการ", "ลบล่าสุด", "undo", "ลบอันล่าสุด", "ลบอันเมื่อกี้", "ลบอันเมื่อกี๊",
     "ลบเมื่อกี้", "ลบเมื่อกี๊", "ลบรายการเมื่อกี้", "ลบรายการเมื่อกี๊", "ลบอันที่แล้ว",
     "ลบที่บันทึกไป", "ลบอันที่บันทึกไป", "ลบอันนั้น")
_cmd("edit", "แก้ไข", "แก้", "แก้เป็น", "แก้ไขเป็น", "แก้ยอด", "แก้ไขยอด", "แก้ไขล่าสุด",
     "แก้ไขรายการล่าสุด", "edit")
# "fix": the right figure after a slip (ที่ถูกคือ 43): an EDIT only with an amount and nothing else
_cmd("fix", "ที่ถูกคือ", "ที่ถูกต้องคือ", "ที่ถูกเป็น", "ที่ถูกต้องเป็น", "ถูกคือ", "ถูกต้องคือ",
     "ที่ถูก", "ที่ถูกต้อง", "ต้องเป็น", "จริงๆคือ", "จริงๆ คือ")
_cmd("confirm", "ยืนยัน", "ยืนยันรายการ", "confirm")
_cmd("bind", "ผูกกลุ่ม", "ผูกกลุ่มกับ", "bind")
_cmd("help", "วิธีใช้", "วิธีใช้งาน", "help", "ช่วยเหลือ", "คำสั่ง", "เมนู", "menu", "คู่มือ",
     "ใช้ยังไง", "ใช้งานยังไง", "ใช้อย่างไร", "ใช้งานอย่างไร", "/help")
_cmd("mute", "ปิดแจ้งเตือน", "ปิดการแจ้งเตือน", "ปิดเตือน", "หยุดแจ้งเตือน", "mute")
_cmd("unmute", "เปิดแจ้งเตือน", "เปิดการแจ้งเตือน", "เปิดเตือน", "unmute")
_cmd("register", "ลงทะเบียน", "register")
# people and roles. The person is picked by LINE's @mention, whose span is cut from the text
# before it is read: "แต่งตั้งหัวหน้าอำเภอ @สมชาย" reads "แต่งตั้งหัวหน้าอำเภอ". These words are never
# guessed from a typo (NO_GUESS): a role is not granted on a reading the bot was unsure of.
_cmd("appoint", "แต่งตั้ง", "แต่งตั้งให้")
_cmd("revoke", "ถอนสิทธิ์", "ถอนสิทธิ", "ถอนสิทธ์", "เพิกถอนสิทธิ์", "เพิกถอนสิทธิ", "ยกเลิกสิทธิ์",
     "ยกเลิกสิทธิ", "ถอดสิทธิ์", "ถอดถอน")
_cmd("who", "ใครดูแล", "ใครเป็นผู้ดูแล", "ใครดูแลกลุ่มนี้", "ใครดูแลกลุ่ม", "ใครเป็นผู้ดูแลกลุ่มนี้",
     "รายชื่อผู้ดูแล", "ใครดูแลอำเภอนี้", "ใครดูแลจังหวัดนี้", "ผู้ดูแลกลุ่มนี้คือใคร")
NO_GUESS = frozenset({"appoint", "revoke", "who"})
# the roles those verbs name (slot "role"). "title": a word that names the role only with the
# place after it (หัวหน้า|อำเภอบ้านโป่ง → a district head, พัฒนาการ|จังหวัด → a province admin)
ROLE_WORDS: dict[str, str] = {}
for _f in ("ผู้ดูแลจังหวัด", "ผู้ดูแลระดับจังหวัด", "แอดมินจังหวัด", "ผู้ดูแลประจำจังหวัด",
           "พัฒนาการจังหวัด", "admin จังหวัด"):
    ROLE_WORDS[_f] = "province_admin"
for _f in ("หัวหน้าอำเภอ", "พัฒนาการอำเภอ", "หัวหน้าพัฒนาชุมชนอำเภอ", "หัวหน้ากลุ่มอำเภอ",
           "หัวหน้าระดับอำเภอ"):
    ROLE_WORDS[_f] = "district_head"
for _f in ("หัวหน้า", "พัฒนาการ", "ผู้ดูแล"):
    ROLE_WORDS[_f] = "title"

# a slip owned up to (slot "oops"): filler in an undo or an edit, unknown anywhere else
OOPS = ("พิมพ์ผิด", "พิมผิด", "บันทึกผิด", "ลงผิด", "กดผิด", "ส่งผิด", "ใส่ผิด", "คีย์ผิด",
        "ผิด", "ลงยอดผิด", "กรอกผิด", "ผิดพลาด", "ขอโทษ", "sorry")
# set phrases that begin like a command word but are talk (slot "talk")
TALK = ("ยอดไปเลย", "ยอดไป", "ยอดเลย", "ยอดมาก", "ยอดเยี่ยม", "สุดยอด", "ยอดฝีมือ", "ยอดนิยม")
# running-total markers (slot "total"): on a log, the number is the officer's own total so far
TOTAL_MARKERS = ("รวม", "ยอดสะสม", "สะสม", "รวมทั้งหมด", "ทั้งหมด", "ครบแล้ว", "รวมเป็น", "รวมได้",
                 "ได้รวม", "ยอดรวมตอนนี้", "ยอดรวมล่าสุด", "ยอดรวมทั้งหมด", "รวมทั้งสิ้น",
                 "ทั้งสิ้น", "ยอดสะสมตอนนี้", "สะสมได้", "ได้ทั้งหมด", "ยอดรวมเป็น", "รวมแล้ว",
                 "รวมทั้งหมดเป็น", "ตอนนี้รวม", "ครบ", "รวมยอด")
_cmd("mine", "ของฉัน", "รายการของฉัน", "ยอดของฉัน", "ของผม", "รายการของผม", "ยอดของผม",
     "ของหนู", "รายการของหนู", "ยอดของหนู", "ของดิฉัน", "รายการของดิฉัน", "ของฉันเอง")
_cmd("history", "ประวัติ", "ประวัติการบันทึก", "ดูประวัติ", "history")
_cmd("ranking", "อันดับ", "จัดอันดับ", "ลำดับ", "ranking")
_cmd("missing", "ใครยังไม่ส่ง", "ใครยังไม่ได้ส่ง", "ใครยังไม่บันทึก", "ใครยังไม่ได้บันทึก",
     "ไหนยังไม่ส่ง", "ไหนยังไม่ได้ส่ง", "ไหนยังไม่บันทึก", "ยังไม่ส่งใคร", "ใครยังไม่ลง")
_cmd("howto", "ยังไง", "อย่างไร", "ไง", "ทำไง", "ทำยังไง", "ยังงัย")

# question words (slot "q"): a natural query needs one of these
QUESTION = ("เท่าไหร่", "เท่าไร", "เท่าไร่", "เท่าใหร่", "เท่าไหร", "เท่าไหล่", "กี่", "ไหม", "มั้ย",
            "มั๊ย", "หรือยัง", "รึยัง", "ยัง?", "?", "วันไหน", "เมื่อไหร่", "เมื่อไร",
            "แค่ไหน", "ถึงไหน", "ถึงไหนแล้ว", "เท่าใด", "ไหน")
# topic words (slot "topic")
TOPICS: dict[str, str] = {}
for _f in ("เหลือ", "เหลืออีก", "คงเหลือ", "ยอดคงเหลือ", "ขาด", "ขาดอีก", "ยังขาด", "ยังเหลือ",
           "ที่เหลือ", "ยอดที่เหลือ", "อีก"):
    TOPICS[_f] = "remaining"
for _f in ("กี่วัน", "เหลือกี่วัน", "อีกกี่วัน", "วันไหน", "เมื่อไหร่", "เมื่อไร", "วันที่เท่าไหร่",
           "วันส่ง", "ส่งวันไหน", "ส่งเมื่อไหร่", "ถึงวันไหน", "กำหนด"):
    TOPICS[_f] = "deadline"
for _f in ("แยกมิติ", "แยกประเภท", "แยกหมวด", "รายมิติ", "รายประเภท", "ทุกมิติ", "ทุกประเภท",
           "แยก", "แยกตามมิติ", "แยกตามประเภท", "แยกรายมิติ", "5มิติ", "ห้ามิติ"):
    TOPICS[_f] = "breakdown"
AS_TEXT = ("แบบข้อความ", "เป็นข้อความ", "ข้อความ", "text", "แบบตัวอักษร", "แบบตัวหนังสือ",
           "ตัวหนังสือ", "ตัวอักษร")
# whole-province words (slot "province"); the plan's province name is added at build time
PROVINCE_WORDS = ("จังหวัด", "ทั้งจังหวัด", "รวมจังหวัด", "ยอดรวมจังหวัด", "ยอดจังหวัด",
                  "ภาพรวมจังหวัด", "ภาพรวม", "ระดับจังหวัด", "ทุกอำเภอ", "รายอำเภอ", "แยกอำเภอ",
                  "ทั้งหมดทุกอำเภอ")
# polite particles, pronouns, filler: change nothing
FILLER = (
    "ครับ", "ค่ะ", "คะ", "ค่า", "คับ", "ครัช", "ฮะ", "ฮับ", "งับ", "จ้า", "จ้ะ", "จ๊ะ", "จ่ะ", "จ๊า", "นะ",
    "นะคะ", "นะครับ", "น้า", "นะจ๊ะ", "ครับผม", "ค้าบ", "คร้าบ", "ค่ะพี่", "ครับพี่", "เด้อ", "เน้อ",
    "วันนี้", "ตอนนี้", "ขณะนี้", "ล่าสุด", "ปัจจุบัน", "แล้ว", "เลย", "ละ", "ล่ะ", "ด้วย", "หน่อย",
    "ที", "ให้", "ที่", "ของ", "รวม", "ทั้งหมด", "จำนวน", "ข้อมูล", "ผล", "ยอด", "การ", "ไป",
    "รายการล่าสุด", "รายการ", "ค่ะ/ครับ", "อำเภอ", "อ.", "อ", "จ.", "มิติ", "ด้าน", "ประเภท", "หมวด",
    "เป้าหมาย", "ขอ", "ช่วย", "รบกวน", "พี่", "น้อง", "น้องพัฒน์", "พัฒน์", "@น้องพัฒน์", "@",
    "ผม", "หนู", "ดิฉัน", "เรา", "ของเรา", "อำเภอเรา", "กลุ่มเรา", "นี้", "ตอน", "ยัง", "อยู่", "กับ",
    "และ", "เป็น", "มี", "ทำ", "เพิ่มเติม", "ใหม่", "เข้า", "เข้าไป", "ลงไป", "ระบบ", "ใน", "ทาง",
    "จ้าา", "คะ?", "ครับ?", "ค่ะ!", "ครับ!", "สำเร็จ", "เสร็จ", "เรียบร้อย", "หมู่บ้าน", "ประจำวัน",
    "ถึง", "ณ", "ขณะ", "นี่", "สรุป", "บ้าง", "ต้อง", "เมื่อกี้", "เมื่อกี๊", "ตะกี้", "เมื่อตะกี้",
    "อันล่าสุด", "อันเมื่อกี้", "อันเมื่อกี๊", "อันที่แล้ว", "อันนั้น", "คือ", "นะคับ", "อันนี้",
)
# fillers that may open a command without making it less of one (ขอยกเลิก, รบกวนบันทึก …)
LEAD_FILLER = frozenset({"ขอ", "รบกวน", "ช่วย", "น้องพัฒน์", "พัฒน์", "@น้องพัฒน์", "@", "น้อง",
                         "พี่", "ครับ", "ค่ะ", "คะ", "นะ", "นะคะ", "นะครับ", "ครับผม"})
FILLER_SET = frozenset(FILLER)
# a number right after one of these is not an amount: หมู่ 7, ม.7, วันที่ 5, ครั้งที่ 2, ห้อง 3
BEFORE_OTHER = ("หมู่", "หมู่ที่", "ม.", "ที่", "วันที่", "ครั้งที่", "ห้อง", "ห้องที่", "ซอย",
                "ซ.", "เลขที่", "บ้านเลขที่", "เบอร์", "โทร", "รหัส", "ปี", "พ.ศ.", "พศ", "ค.ศ.",
                "ปีงบ", "ปีงบประมาณ", "ปีงบฯ",
                "อายุ", "รุ่น", "รุ่นที่", "รอบ", "รอบที่", "ชั้น", "ครั้ง", "เวลา", "ข้อ", "ข้อที่",
                "ลำดับที่", "อันดับที่", "ฉบับที่", "เป้าหมายทั้งหมด", "เป้าทั้งหมด", "เหลือ", "เหลืออีก", "ยังเหลือ", "คงเหลือ",
                "ขาด", "ขาดอีก", "ยังขาด", "เป้า", "เป้าหมาย", "จาก", "ใน", "ต.", "ตำบล",
                "โมง", "บ่าย", "เช้า", "กลุ่มที่", "ทีม", "หน้า", "บท", "สาย", "ราคา", "เงิน",
                "งบ", "ค่า", "เดือน", "ตี", "ร้อยละ", "สมาชิก", "ผู้สูงอายุ", "คนละ",
                "บ้านละ", "กลุ่มละ", "ครัวเรือนละ",
                "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
                "พ.ย.", "ธ.ค.", "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม",
                "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
                "฿", "$")
# …or right before one of these: 15,000 บาท, 50 %, 9 โมง, 3 วัน, 2 รูป, 1 พ.ค.
AFTER_OTHER = (
    "บาท", "%", "เปอร์เซ็นต์", "เปอร์เซ็น", "percent", "ล้านบาท", "พันบาท", "หมื่นบาท", "สตางค์",
    "โมง", "โมงเช้า", "โมงเย็น", "ทุ่ม", "น.", "นาฬิกา", "นาที", "ชั่วโมง", "ชม.", "ชม", "วินาที",
    "วัน", "เดือน", "ปี", "สัปดาห์", "อาทิตย์", "ครั้ง", "รอบ", "รูป", "ภาพ", "ไฟล์", "คลิป", "คัน",
    "ห้อง", "ข้อ", "เล่ม", "แผ่น", "ชุด", "ฉบับ", "แห่ง", "ตำบล", "ตัว", "อัน", "ใบ", "โครงการ",
    "ท่าน", "ที่", "อำเภอ", "โต๊ะ", "เครื่อง", "กล่อง", "ขวด", "กิโล", "กก.", "กม.", "เมตร", "ไร่",
    "งาน", "หน้า", "เท่า", "ลำดับ", "คะแนน", "ชิ้น", "จุด", "ขั้นตอน", "เปอร์", "คืน", "เช้า",
    "บ่าย", "เย็น", "ค่ำ", "หมู่", "เรื่อง", "ประเด็น", "ราย", "ทีม", "สาย", "แบบ", "ด้าน", "มิติ",
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
    "มค", "กพ", "มีค", "เมย", "พค", "มิย", "กค", "สค", "กย", "ตค", "พย", "ธค",
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
    "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม", "am", "pm",
)

# fiscal years.  A number right after these (and only then: บันทึก จปฐ 2500 is an amount) names a
# Buddhist-era year: ปี 2565, ปีงบ 65, ปีงบประมาณ พ.ศ. 2565; ปี 2022 (C.E.) and a date's year
# (1 ส.ค. 2565) do not.  They are BEFORE_OTHER words too.
YEAR_LEAD = frozenset({"ปี", "ปีงบ", "ปีงบประมาณ", "ปีงบฯ", "พ.ศ.", "พศ"})
# a year named relative to this fiscal year (slot "yearrel", key: the offset)
YEAR_RELATIVE: dict[str, int] = {}
for _y in ("ปี", "ปีงบ", "ปีงบประมาณ"):
    for _f in ("ที่แล้ว", "ก่อน", "ที่ผ่านมา", "กลาย"):
        YEAR_RELATIVE[_y + _f] = -1
    for _f in ("นี้", "ปัจจุบัน"):
        YEAR_RELATIVE[_y + _f] = 0
# forms the tokenizer's trie does without (newmm cuts messages as it did before they existed;
# the parser joins the pieces back: ปี|ที่แล้ว → ปีที่แล้ว)
NOT_IN_TRIE = frozenset(YEAR_RELATIVE) | {"ปีงบ", "ปีงบประมาณ", "ปีงบฯ"}


@dataclass(frozen=True)
class Entry:
    slot: str       # cmd | q | topic | astext | province | filler | before | after |
                    # district | indicator | category | unit | yearrel | role
    key: str = ""   # cmd family, topic, plan key ("tpmap:income" for a category), or the
                    # offset of a relative year ("-1")
    form: str = ""  # the surface form as written in the plan / here (for corrections)


# the closed list for fuzzy matching: names and command words long enough to be safe
_FUZZY_SLOTS = frozenset({"district", "indicator", "category", "unit", "cmd", "q", "topic",
                          "province", "astext"})


def _put(entries: dict[str, Entry], form: str, entry: Entry) -> None:
    form = form.strip().lower()
    if form:
        entries.setdefault(form, entry)


def _prefixes(forms: Iterable[str], known: frozenset[str] = frozenset()) -> frozenset[str]:
    """Every prefix of every form (that ``known`` does not hold already)."""
    out: set[str] = set()
    for form in forms:
        for i in range(1, len(form) + 1):
            p = form[:i]
            if p not in known:
                out.add(p)
    return frozenset(out)


def _fuzzy_targets(entries: dict[str, Entry]) -> list[tuple[str, Entry]]:
    return [(f, e) for f, e in entries.items()
            if len(f) >= FUZZY_MIN_LEN and e.slot in _FUZZY_SLOTS and " " not in f
            and not (e.slot == "cmd" and e.key in NO_GUESS)]


def trie_form(form: str) -> bool:
    """Is ``form`` one for the tokenizer's trie?  (Phrases with spaces, single letters and the
    year phrases are joined from their pieces instead.)"""
    return " " not in form and len(form) > 1 and form not in NOT_IN_TRIE


_LANGUAGE: dict[str, Entry] | None = None
_LANGUAGE_LOCK = threading.Lock()


def language_entries() -> dict[str, Entry]:
    """The language-level words above as entries, in their order of precedence: the same for
    every plan, built once per process (read-only)."""
    global _LANGUAGE
    if _LANGUAGE is None:
        with _LANGUAGE_LOCK:
            if _LANGUAGE is None:
                words: dict[str, Entry] = {}
                for f, k in COMMANDS.items():
                    _put(words, f, Entry("cmd", k, f))
                for f, k in TOPICS.items():
                    _put(words, f, Entry("topic", k, f))
                for f in QUESTION:
                    _put(words, f, Entry("q", "q", f))
                for f in PROVINCE_WORDS:   # ยอดจังหวัด: a query of the province
                    _put(words, f, Entry("province", "query" if f.startswith("ยอด") else "word",
                                         f))
                for f, k in YEAR_RELATIVE.items():
                    _put(words, f, Entry("yearrel", str(k), f))
                for f, k in ROLE_WORDS.items():
                    _put(words, f, Entry("role", k, f))
                # word lists whose words all mean the same to the grammar (slot, no key), in
                # this order
                for slot, forms in (("astext", AS_TEXT), ("oops", OOPS), ("talk", TALK),
                                    ("total", TOTAL_MARKERS), ("before", BEFORE_OTHER),
                                    ("after", AFTER_OTHER), ("filler", FILLER)):
                    for f in forms:
                        _put(words, f, Entry(slot, "", f))
                _LANGUAGE = words
    return _LANGUAGE


def language_words() -> set[str]:
    """The language-level forms for the tokenizer's trie (every plan's trie holds them)."""
    return {f for f in language_entries() if trie_form(f)}


class Common:
    """What every plan with the same indicators, categories and units shares: their entries,
    the language-level words, the prefixes of both, the closed misspellings of the names, the
    fuzzy index and the names that begin with a unit word.

    A department runs 76 provinces × fiscal years in one process and their plans name the same
    indicators, so this is built once per process for each distinct set (:func:`common`) and
    never changed after: one object serves every parser, from any thread.
    """

    def __init__(self, plan: Plan):
        # plan vocabulary first: it wins over a language word with the same spelling
        names: dict[str, Entry] = {}
        for ind in plan.indicators:
            for a in ind.aliases:
                _put(names, a, Entry("indicator", ind.key, a))
                _put(names, a.replace(" ", ""), Entry("indicator", ind.key, a))
            for c in ind.categories:
                for a in c.aliases:
                    cat = Entry("category", f"{ind.key}:{c.key}", a)
                    _put(names, a, cat)
                    for prefix in ("มิติ", "ด้าน", "ประเภท", "หมวด", "มิติด้าน"):
                        _put(names, prefix + a, cat)
        for u in plan.units.values():
            for a in u.aliases:
                _put(names, a, Entry("unit", u.key, a))
        self.names = names
        self.words = words = language_entries()
        self.entries = dict(names)
        for f, e in words.items():
            self.entries.setdefault(f, e)
        self.variants = self._variants(thai_words())
        # every prefix of every entry, so that joining tokens stops as soon as nothing can match
        self.prefixes = _prefixes(list(self.entries) + list(self.variants))
        self.fuzzy = FuzzyIndex(_fuzzy_targets(self.entries))
        # names that begin with a unit word (กลุ่มออมทรัพย์): after a number, that is the unit
        self.lead_unit: dict[str, str] = {}
        unit_forms = sorted(((a.lower(), u.key) for u in plan.units.values() for a in u.aliases),
                            key=lambda t: -len(t[0]))
        for form, e in self.entries.items():
            if e.slot in ("indicator", "category"):
                for uf, uk in unit_forms:
                    if form.startswith(uf) and len(form) > len(uf) + 1 and uk != "village":
                        self.lead_unit[form] = uk
                        break

    def _variants(self, words: frozenset[str]) -> dict[str, Entry]:
        """Closed misspellings of the indicator and category names (see fuzzy.typo_variants).

        A misspelling that a plan's own district or province name spells is never reached: the
        parser looks a form up in the plan's entries first."""
        entries = self.entries
        found: dict[str, Entry] = {}
        clash: set[str] = set()
        for form, e in entries.items():
            if e.slot not in ("indicator", "category"):
                continue
            base = e.form.lower()
            if form not in (base, base.replace(" ", "")):
                continue                      # มิติรายได้: the bare name is enough
            bare = form.replace(".", "")
            short = len(bare) <= 5
            if not short and e.slot == "indicator":
                continue                      # long names: difflib does them
            for v in typo_variants(bare, short) | (typo_variants(form, short) if bare != form
                                                   else set()):
                if v in entries or v in words or v.replace(".", "") in words:
                    continue
                if v in found and (found[v].slot, found[v].key) != (e.slot, e.key):
                    clash.add(v)
                found.setdefault(v, e)
        for v in clash:
            del found[v]
        return found


_COMMON: dict[tuple, Common] = {}
_COMMON_LOCK = threading.Lock()


def common(plan: Plan) -> Common:
    """The shared part of ``plan``'s vocabulary, built on first use (once per process for every
    distinct set of indicators, categories and units)."""
    key = (tuple((i.key, tuple(i.aliases),
                  tuple((c.key, tuple(c.aliases)) for c in i.categories))
                 for i in plan.indicators),
           tuple((u.key, tuple(u.aliases)) for u in plan.units.values()))
    found = _COMMON.get(key)
    if found is None:
        with _COMMON_LOCK:
            found = _COMMON.get(key)
            if found is None:
                found = _COMMON[key] = Common(plan)
    return found


class Lexicon:
    """All surface forms of one plan: its districts and province name on top of
    :class:`Common` (the language-level words and the indicators, categories and units)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.common = shared = common(plan)
        self.province_names: set[str] = set()
        # plan vocabulary first: it wins over a language word with the same spelling
        entries: dict[str, Entry] = {}
        for d in plan.districts:
            for a in d.aliases:
                _put(entries, a, Entry("district", d.key, a))
                for prefix in ("อำเภอ", "อ.", "อ"):
                    _put(entries, prefix + a, Entry("district", d.key, a))
        for f, e in shared.names.items():
            entries.setdefault(f, e)
        pname = plan.province_name
        for f in (pname, "จ." + pname, "จังหวัด" + pname, "ทั้งจังหวัด" + pname, "จ" + pname,
                  "ยอดรวมจังหวัด" + pname, "ยอดจังหวัด" + pname):
            key = "name" if f == pname else "query" if f.startswith("ยอด") else "word"
            _put(entries, f, Entry("province", key, pname))
        self.province_names.add(pname.lower())
        for f, e in shared.words.items():
            entries.setdefault(f, e)
        self.entries = entries
        # this plan's own names (not in Common): their prefixes and fuzzy targets
        own = {f: e for f, e in entries.items() if shared.entries.get(f) is not e}
        self.prefixes = _prefixes(own, known=shared.prefixes)
        self.max_join = 8
        self.fuzzy_targets: list[tuple[str, Entry]] = _fuzzy_targets(own)

    def words_for_trie(self) -> set[str]:
        return {f for f in self.entries if trie_form(f)}
