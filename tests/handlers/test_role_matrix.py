"""The role matrix: every role × every chat command, in its own district, in another district of
its province and in another province → allowed or refused exactly as the table below says.

The table is written out here by hand (not read from bot.core.roles.ACCESS), so that a change of
the access table that lets anyone further than intended fails here. Each cell is one real
conversation through POST /callback, judged by what it did to the database (an entry recorded
or undone, a group muted or bound, a role granted or revoked), not by the wording; a refusal
must also say so in Thai (never silence).

Two provinces are loaded: Ratchaburi (whose province admin and Ban Pong district head are the
people under test) and a made-up Kanchanaburi. One app per backend for the whole matrix; every
cell leaves the state as it found it (fresh people to appoint, fresh entries to undo, the
group bound back, roles granted back).
"""
from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import select

from bot.core import roles
from bot.core.roles import DISTRICT_HEAD, PROVINCE_ADMIN
from models import Entry, Group
from models.queries import bind_group
from tests.helpers import ADMIN, Chat, mention

G_OWN = "Cmatrixbanpong00000000000000000001"     # ratchaburi / ban-pong
G_OTHER = "Cmatrixbangphae0000000000000000002"   # ratchaburi / bang-phae
G_FAR = "Cmatrixkanchanaburi00000000000000003"   # kanchanaburi / mueang
PLACES = {"own district": (G_OWN, "ratchaburi", "ban-pong"),
          "other district": (G_OTHER, "ratchaburi", "bang-phae"),
          "other province": (G_FAR, "kanchanaburi", "mueang")}
BIND_WORDS = {G_OWN: "อำเภอบ้านโป่ง", G_OTHER: "อำเภอบางแพ",
              G_FAR: "อำเภอเมือง จังหวัดกาญจนบุรี"}

U_PA = "Umatrixprovinceadmin0000000000001"       # province admin of Ratchaburi
U_HEAD = "Umatrixdistricthead00000000000001"     # district head of Ratchaburi / Ban Pong
U_OFFICER = "Umatrixofficer000000000000000001"
U_OTHER = "Umatrixotherofficer0000000000001"     # whose entries the others try to change
PEOPLE = {"department admin": ADMIN, "province admin": U_PA, "district head": U_HEAD,
          "officer": U_OFFICER}
# standing roles of the places, for the revoke cells (never the people under test)
HEAD_OF = {G_OWN: "Umatrixheadbanpong000000000000001", G_OTHER: "Umatrixheadbangphae0000000000001",
           G_FAR: "Umatrixheadkanchanaburi000000001"}
PA_OF = {"ratchaburi": "Umatrixpa2ratchaburi000000000001",
         "kanchanaburi": "Umatrixpakanchanaburi00000000001"}

# --------------------------------------------------------------------------- THE MATRIX
# Y = allowed, N = refused; in each place the columns are: department admin, province admin
# (of Ratchaburi), district head (of Ban Pong), officer.
#                                         own district  other district  other province
#                                         D P H O       D P H O         D P H O
MATRIX = {
    "log (the group's district)":          "YYYY YYYY YYYY",
    "log naming another district":         "YYNN YYYN YNNN",   # H in Bang Phae names Ban Pong
    "query":                               "YYYY YYYY YYYY",
    "confirm a prompt":                    "YYYY YYYY YYYY",
    "undo own entry":                      "YYYY YYYY YYYY",
    "undo another's entry (quote)":        "YYYN YYNN YNNN",
    "edit another's entry (quote)":        "YYYN YYNN YNNN",
    "undo another's entry id from Ban Pong's group": "YYYN YYNN NNNN",  # a forged quote id
    "bare ยกเลิก after another's log":      "NNNN NNNN NNNN",   # never someone else's
    "mute":                                "YYYN YYNN YNNN",
    "unmute":                              "YYYN YYNN YNNN",
    "bind (the same place again)":         "YYNN YYNN YNNN",
    "bind to a place of another province": "YNNN YNNN YNNN",
    "appoint province admin":              "YNNN YNNN YNNN",
    "appoint district head":               "YYNN YYNN YNNN",
    "revoke district head":                "YYNN YYNN YNNN",
    "revoke province admin":               "YNNN YNNN YNNN",
    "who (ใครดูแล)":                        "YYYY YYYY YYYY",
    "register":                            "YYYY YYYY YYYY",
    "help":                                "YYYY YYYY YYYY",
}
REFUSED = ("ขออภัยครับ", "ของผู้อื่น", "บันทึกได้เฉพาะ", "ไม่พบ")


@pytest.fixture
def world(make_app, fake_line, tmp_path):
    from bot.config import DEFAULT_PLAN
    from bot.core.madeup import write_made_up
    km = write_made_up(tmp_path, "kanchanaburi", "กาญจนบุรี", 2565,
                       [("mueang", "เมืองกาญจนบุรี"), ("tha-muang", "ท่าม่วง")])
    app = make_app(PLAN_FILE=f"{DEFAULT_PLAN},{km}")
    chat = Chat(app, fake_line)
    for g, words in BIND_WORDS.items():
        assert "✅" in chat.say(f"ผูกกลุ่ม {words}", user=ADMIN, group=g)
    with sessions(app) as s, s.begin():
        roles.grant(s, U_PA, PROVINCE_ADMIN, "ratchaburi", by="test")
        roles.grant(s, U_HEAD, DISTRICT_HEAD, "ratchaburi", "ban-pong", by="test")
        for g, p, d in PLACES.values():
            roles.grant(s, HEAD_OF[g], DISTRICT_HEAD, p, d, by="test")
        for p, u in PA_OF.items():
            roles.grant(s, u, PROVINCE_ADMIN, p, by="test")
    return app, chat


def sessions(app):
    return app.extensions["nongpat"].sessions()


_ids = itertools.count(1)
_amounts = itertools.count(1)   # every log a new amount: the same log twice is asked about


def msg_id() -> str:
    return str(880000000000000000 + next(_ids))


def amount() -> int:
    return next(_amounts)


class Cell:
    """One cell: ``person`` does the command in ``place``; did it take effect?"""

    def __init__(self, app, chat, person: str, place: str):
        self.app, self.chat = app, chat
        self.user = PEOPLE[person]
        self.group, self.province, self.district = PLACES[place]
        self.replies: list[str | None] = []

    def say(self, text: str, user: str | None = None, **kw) -> str | None:
        reply = self.chat.say(text, user=user or self.user, group=self.group, **kw)
        if user is None or user == self.user:
            self.replies.append(reply)
        return reply

    def other_logs(self) -> str:
        mid = msg_id()
        assert "✅" in self.chat.say(f"บันทึก จปฐ {amount()} ครัวเรือน", user=U_OTHER,
                                     group=self.group, message_id=mid)
        return mid

    def entry(self, message_id: str) -> Entry:
        with sessions(self.app) as s:
            return s.scalar(select(Entry).where(Entry.message_id == message_id))

    def count(self) -> int:
        with sessions(self.app) as s:
            return len(s.scalars(select(Entry.id)).all())

    def group_row(self, group_id: str | None = None) -> Group:
        with sessions(self.app) as s:
            g = s.get(Group, group_id or self.group)
            s.expunge(g)
            return g

    def set_muted(self, muted: bool) -> None:
        with sessions(self.app) as s, s.begin():
            s.get(Group, self.group).muted = muted

    def person(self, user_id: str) -> roles.Person:
        with sessions(self.app) as s:
            return roles.person_of(s, user_id)

    def mention_say(self, verb: str, target: str, name: str = "สมมติ ทดสอบ") -> str | None:
        text = f"{verb} @{name}"
        return self.say(text, mentions=[mention(text, f"@{name}", target, is_self=False)])


# --------------------------------------------------------------------------- the commands
def log_here(c: Cell) -> bool:
    before = c.count()
    c.say(f"บันทึก จปฐ {amount()} ครัวเรือน")
    return c.count() == before + 1


def log_elsewhere(c: Cell) -> bool:
    named = {G_OWN: ("อำเภอโพธาราม", "photharam"), G_OTHER: ("อำเภอบ้านโป่ง", "ban-pong"),
             G_FAR: ("อำเภอท่าม่วง", "tha-muang")}[c.group]
    mid = msg_id()
    c.say(f"บันทึก จปฐ {amount()} ครัวเรือน {named[0]}", message_id=mid)
    e = c.entry(mid)
    assert e is None or e.district_key == named[1]
    return e is not None


def query(c: Cell) -> bool:
    return c.say("ยอด จปฐ แบบข้อความ") is not None and not refused(c.replies[-1])


def confirm(c: Cell) -> bool:
    assert "ยืนยัน" in c.say(f"บันทืก จปฐ {amount()} ครัวเรือน")
    before = c.count()
    c.say("ยืนยัน")
    return c.count() == before + 1


def undo_own(c: Cell) -> bool:
    mid = msg_id()
    assert "✅" in c.say(f"บันทึก จปฐ {amount()} ครัวเรือน", message_id=mid)
    c.say("ยกเลิก")
    return c.entry(mid).undone_at is not None


def undo_other(c: Cell) -> bool:
    mid = c.other_logs()
    c.say("ยกเลิก", quoted=mid)
    e = c.entry(mid)
    if e.undone_at is not None:
        assert e.changed_by == c.user and e.changed_at is not None
    return e.undone_at is not None


def edit_other(c: Cell) -> bool:
    mid = c.other_logs()
    was, new = c.entry(mid).amount, amount()
    c.say(f"แก้เป็น {new}", quoted=mid)
    e = c.entry(mid)
    if e.amount == new:
        assert (e.amended_from, e.changed_by) == (was, c.user) and e.changed_at is not None
    else:
        assert e.amount == was and e.changed_by is None
    return e.amount == new


def undo_forged(c: Cell) -> bool:
    """The entry is logged in the place's group; its message id is quoted from Ban Pong's."""
    mid = c.other_logs()
    reply = c.chat.say("ยกเลิก", user=c.user, group=G_OWN, quoted=mid)
    c.replies.append(reply)
    return c.entry(mid).undone_at is not None


def bare_undo(c: Cell) -> bool:
    mid = c.other_logs()
    c.say("ยกเลิก")
    c.replies[-1] = "ไม่พบ" if c.entry(mid).undone_at is None else c.replies[-1]  # judged by
    return c.entry(mid).undone_at is not None                                    # the entry


def mute(c: Cell) -> bool:
    c.set_muted(False)
    c.say("ปิดแจ้งเตือน")
    done = c.group_row().muted
    c.set_muted(False)
    return done


def unmute(c: Cell) -> bool:
    c.set_muted(True)
    c.say("เปิดแจ้งเตือน")
    done = not c.group_row().muted
    c.set_muted(False)
    return done


def bind_same(c: Cell) -> bool:
    reply = c.say(f"ผูกกลุ่ม {BIND_WORDS[c.group]}")
    g = c.group_row()
    assert (g.province_key, g.district_key) == (c.province, c.district)
    return reply is not None and reply.startswith("✅")


def bind_away(c: Cell) -> bool:
    words = "อำเภอท่าม่วง" if c.province == "ratchaburi" else "อำเภอบ้านโป่ง"
    c.say(f"ผูกกลุ่ม {words}")
    moved = c.group_row().province_key != c.province
    with sessions(c.app) as s, s.begin():  # back where it was
        bind_group(s, c.group, "district", c.district, ADMIN, province_key=c.province)
    return moved


def appoint_pa(c: Cell) -> bool:
    target = f"U{uuid.uuid4().hex}"
    c.mention_say("แต่งตั้งผู้ดูแลจังหวัด", target)
    return c.person(target).province_admin_of == {c.province}


def appoint_head(c: Cell) -> bool:
    target = f"U{uuid.uuid4().hex}"
    c.mention_say("แต่งตั้งหัวหน้าอำเภอ", target)
    return c.person(target).district_head_of == {(c.province, c.district)}


def revoke_head(c: Cell) -> bool:
    target = HEAD_OF[c.group]
    c.mention_say("ถอนสิทธิ์", target)
    gone = not c.person(target).district_head_of
    with sessions(c.app) as s, s.begin():
        roles.grant(s, target, DISTRICT_HEAD, c.province, c.district, by="test")
    return gone


def revoke_pa(c: Cell) -> bool:
    target = PA_OF[c.province]
    c.mention_say("ถอนสิทธิ์", target)
    gone = not c.person(target).province_admin_of
    with sessions(c.app) as s, s.begin():
        roles.grant(s, target, PROVINCE_ADMIN, c.province, by="test")
    return gone


def who(c: Cell) -> bool:
    reply = c.say("ใครดูแล")
    return reply is not None and reply.startswith("👤")


def register(c: Cell) -> bool:
    reply = c.say("ลงทะเบียน")
    return reply is not None and "ลงทะเบียน" in reply and not refused(reply)


def help_(c: Cell) -> bool:
    reply = c.say("วิธีใช้")
    return reply is not None and "วิธีใช้" in reply


RUN = {
    "log (the group's district)": log_here, "log naming another district": log_elsewhere,
    "query": query, "confirm a prompt": confirm, "undo own entry": undo_own,
    "undo another's entry (quote)": undo_other, "edit another's entry (quote)": edit_other,
    "undo another's entry id from Ban Pong's group": undo_forged,
    "bare ยกเลิก after another's log": bare_undo, "mute": mute, "unmute": unmute,
    "bind (the same place again)": bind_same, "bind to a place of another province": bind_away,
    "appoint province admin": appoint_pa, "appoint district head": appoint_head,
    "revoke district head": revoke_head, "revoke province admin": revoke_pa,
    "who (ใครดูแล)": who, "register": register, "help": help_,
}


def refused(reply: str | None) -> bool:
    return reply is not None and any(r in reply for r in REFUSED)


def test_the_matrix_covers_every_chat_command():
    from bot.language import Intent
    assert set(RUN) == set(MATRIX)
    covered = {Intent.LOG, Intent.QUERY, Intent.CONFIRM, Intent.UNDO, Intent.EDIT, Intent.MUTE,
               Intent.UNMUTE, Intent.BIND, Intent.APPOINT, Intent.REVOKE, Intent.WHO,
               Intent.REGISTER, Intent.HELP}
    # the rest are questions everyone may ask (as query): ranking, history, mine, missing
    assert set(Intent) - covered - {Intent.NONE} == {Intent.RANKING, Intent.HISTORY,
                                                     Intent.MINE, Intent.MISSING}


def test_every_role_and_every_command_in_every_place(world):
    app, chat = world
    wrong = []
    for name, expected in MATRIX.items():
        cells = expected.replace(" ", "")
        for (place, person), want in zip(itertools.product(PLACES, PEOPLE), cells):
            cell = Cell(app, chat, person, place)
            got = RUN[name](cell)
            if got != (want == "Y"):
                wrong.append(f"{name} · {person} · {place}: expected "
                             f"{'allowed' if want == 'Y' else 'refused'}, got "
                             f"{'allowed' if got else 'refused'} (replies {cell.replies!r})")
            elif not got and not refused(cell.replies[-1]):
                wrong.append(f"{name} · {person} · {place}: refused without saying so: "
                             f"{cell.replies[-1]!r}")
    assert not wrong, "\n".join(wrong)
