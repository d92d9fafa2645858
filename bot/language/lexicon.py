"""The vocabulary: language-level words (verbs, particles, query words) and the plan's names.

Everything the parser recognises is an entry ``surface form → (slot, key)``.  Language-level
words live here; districts, indicators, categories and units come from the :class:`Plan` (never
hard-coded), so a new province or fiscal year needs no code change.

Multi-word phrases (``ใครยังไม่ส่ง``, ``แบบข้อความ``, ``กชช.2ค``) are entries too: the parser
joins consecutive tokens (ignoring the spaces between them) and takes the longest entry.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.core.plan import Plan

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

# words that never take part in fuzzy matching on their own (too short or too common)
FUZZY_MIN_LEN = 4


@dataclass(frozen=True)
class Entry:
    slot: str       # cmd | q | topic | astext | province | filler | before | after |
                    # district | indicator | category | unit
    key: str = ""   # cmd family, topic, or plan key ("tpmap:income" for a category)
    form: str = ""  # the surface form as written in the plan / here (for corrections)


class Lexicon:
    """All surface forms of one plan, plus the language-level words above."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.entries: dict[str, Entry] = {}
        self.province_names: set[str] = set()
        # plan vocabulary first: it wins over a language word with the same spelling
        for d in plan.districts:
            for a in d.aliases:
                self._add(a, Entry("district", d.key, a))
                for prefix in ("อำเภอ", "อ.", "อ"):
                    self._add(prefix + a, Entry("district", d.key, a))
        for ind in plan.indicators:
            for a in ind.aliases:
                self._add(a, Entry("indicator", ind.key, a))
                self._add(a.replace(" ", ""), Entry("indicator", ind.key, a))
            for c in ind.categories:
                for a in c.aliases:
                    cat = Entry("category", f"{ind.key}:{c.key}", a)
                    self._add(a, cat)
                    for prefix in ("มิติ", "ด้าน", "ประเภท", "หมวด", "มิติด้าน"):
                        self._add(prefix + a, cat)
        for u in plan.units.values():
            for a in u.aliases:
                self._add(a, Entry("unit", u.key, a))
        pname = plan.province_name
        for f in (pname, "จ." + pname, "จังหวัด" + pname, "ทั้งจังหวัด" + pname, "จ" + pname,
                  "ยอดรวมจังหวัด" + pname, "ยอดจังหวัด" + pname):
            key = "name" if f == pname else "query" if f.startswith("ยอด") else "word"
            self._add(f, Entry("province", key, pname))
        self.province_names.add(pname.lower())
        # language-level words
        for f, k in COMMANDS.items():
            self._add(f, Entry("cmd", k, f))
        for f, k in TOPICS.items():
            self._add(f, Entry("topic", k, f))
        for f in QUESTION:
            self._add(f, Entry("q", "q", f))
        for f in PROVINCE_WORDS:   # ยอดจังหวัด: a query of the province
            self._add(f, Entry("province", "query" if f.startswith("ยอด") else "word", f))
        # word lists whose words all mean the same to the grammar (slot, no key), in this order
        for slot, forms in (("astext", AS_TEXT), ("oops", OOPS), ("talk", TALK),
                            ("total", TOTAL_MARKERS), ("before", BEFORE_OTHER),
                            ("after", AFTER_OTHER), ("filler", FILLER)):
            for f in forms:
                self._add(f, Entry(slot, "", f))
        # every prefix of every entry, so that joining tokens stops as soon as nothing can match
        self.prefixes: set[str] = set()
        for form in self.entries:
            for i in range(1, len(form) + 1):
                self.prefixes.add(form[:i])
        self.max_join = 8
        # the closed list for fuzzy matching: names and command words long enough to be safe
        self.fuzzy_targets: list[tuple[str, Entry]] = [
            (f, e) for f, e in self.entries.items()
            if len(f) >= FUZZY_MIN_LEN and e.slot in ("district", "indicator", "category", "unit",
                                                      "cmd", "q", "topic", "province", "astext")
            and " " not in f
        ]

    def _add(self, form: str, entry: Entry) -> None:
        form = form.strip().lower()
        if form:
            self.entries.setdefault(form, entry)

    def words_for_trie(self) -> set[str]:
        return {f for f in self.entries if " " not in f and len(f) > 1}
