"""What the language layer hands to the handlers: a plain, immutable description of a message.

This is the contract between ``bot.language`` (pure: text → Command) and ``handlers`` (Command →
effects + Reply). Neither side imports the other's internals.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Intent(str, enum.Enum):
    NONE = "none"            # not a command: chatter in groups, stay silent there
    LOG = "log"              # บันทึก จปฐ 120 ครัวเรือน
    QUERY = "query"          # ยอด, ยอด จปฐ, ยอด บ้านโป่ง, ยอดรวมจังหวัด, เหลือกี่วัน, กำหนดส่ง
    UNDO = "undo"            # ยกเลิก / ยกเลิกรายการล่าสุด
    EDIT = "edit"            # แก้ไข 150 (fix the amount of my latest entry)
    CONFIRM = "confirm"      # ยืนยัน (a pending, uncertain log)
    BIND = "bind"            # ผูกกลุ่ม อำเภอบ้านโป่ง / ผูกกลุ่ม จังหวัด
    HELP = "help"            # วิธีใช้ / help
    MUTE = "mute"            # ปิดแจ้งเตือน
    UNMUTE = "unmute"        # เปิดแจ้งเตือน
    REGISTER = "register"    # ลงทะเบียน
    MINE = "mine"            # ของฉัน
    HISTORY = "history"      # ประวัติ
    RANKING = "ranking"      # อันดับ จปฐ
    MISSING = "missing"      # ใครยังไม่ส่ง ออมทรัพย์
    APPOINT = "appoint"      # แต่งตั้งผู้ดูแลจังหวัด @ชื่อ / แต่งตั้งหัวหน้าอำเภอ @ชื่อ
    REVOKE = "revoke"        # ถอนสิทธิ์ @ชื่อ (ถอนสิทธิ์หัวหน้าอำเภอ @ชื่อ)
    WHO = "who"              # ใครดูแล: the people with roles for the group's district/province


class Topic(str, enum.Enum):
    """What a QUERY asks for; TOTAL unless the words say otherwise."""
    TOTAL = "total"          # ยอด ..., ได้เท่าไหร่
    REMAINING = "remaining"  # เหลืออีกเท่าไหร่
    DEADLINE = "deadline"    # กำหนดส่งวันไหน, เหลือกี่วัน
    BREAKDOWN = "breakdown"  # แยกมิติ / แยกประเภท


PROVINCE = "province"        # Command.district value when the whole province is meant
DEPARTMENT = "department"    # Command.district value of BIND when the department is meant
                             # (ผูกกลุ่ม กรม / ระดับกรม / กรมการพัฒนาชุมชน / ส่วนกลาง)


@dataclass(frozen=True)
class Command:
    intent: Intent = Intent.NONE
    indicator: str | None = None   # plan indicator key: jpt | tpmap | savings
    amount: int | None = None      # a positive whole number, only when certain
    unit: str | None = None        # plan unit key the message named: household | group | person | village
    category: str | None = None    # plan category key of the indicator (income, sammachip, …)
    district: str | None = None    # plan district key, or PROVINCE; only when named in the text;
                                   # BIND also DEPARTMENT
    topic: Topic | None = None     # for QUERY
    as_text: bool = False          # "แบบข้อความ": the plain-text form of an answer was asked for
    explicit: bool = False         # began with a command word (บันทึก, ยอด, ยกเลิก, …)
    needs_confirmation: bool = False  # a reading to echo back and confirm before recording
    corrections: tuple[tuple[str, str], ...] = ()  # fuzzy fixes: (as typed, understood as)
    unknown: tuple[str, ...] = ()  # spans left unrecognised
    missing: tuple[str, ...] = ()  # slots a command still needs: "amount", "indicator", "district"
    problem: str | None = None     # "two-amounts" | "unit-mismatch" | "no-verb" | "zero" | …
                                   # "unclear": a typed command the parser could not read; the
                                   # words it did not understand are in ``unknown``
    candidates: tuple[int, ...] = field(default=())  # competing amounts when problem == two-amounts
    running_total: bool = False    # LOG: the amount is the officer's own running total for the
                                   # indicator (and category) so far (รวม, ยอดสะสม …), not new work
    # the fiscal year a QUERY, RANKING, MINE, HISTORY, MISSING or LOG names (None: not named);
    # at most one of the two is set.  A year on any other command makes it not understood.
    year: int | None = None        # a Buddhist-era year named outright: ปี 2565, ปีงบ 65,
                                   # ปีงบประมาณ 2565, ยอด 2565 (25xx right after the query word);
                                   # never a date's year (1 ส.ค. 2565) nor ปี 2022 (C.E.)
    year_offset: int | None = None  # relative to the current fiscal year: ปีที่แล้ว, ปีก่อน,
                                   # ปีงบที่แล้ว, ปีที่ผ่านมา → -1; ปีนี้, ปีงบนี้ → 0
    # BIND: the words after the verb (ผูกกลุ่ม), whitespace-normalised, as typed (after
    # normalize.normalise); None when nothing follows.  Set whatever ``district`` is, so that a
    # place this plan does not know (another province's district: then ``district`` is None) can
    # be looked up in every loaded province.
    place: str | None = None
    # APPOINT / REVOKE: the role the words name — "province_admin" | "district_head" | None (not
    # named; APPOINT then has missing=("role",)). The person is not in the text: LINE's @mention
    # picks them, and its span is cut before the parser reads. Words left that the parser did
    # not read (a name typed without @) are in ``unknown``.
    role: str | None = None

    @property
    def understood(self) -> bool:
        return self.intent is not Intent.NONE
