"""Random conversations of 2–3 officers in 1–2 groups, through POST /callback: after every step
the counters equal the entries that stand, a ยืนยัน or a confirm tap adds at most one entry, a
redelivery changes nothing and gets no reply, and no entry is ever ≤ 0.

One app (one database) per test function: the fixtures are function-scoped, and building an app
per example would cost a migration each. Instead every example uses fresh random group and user
ids (its groups are bound by the admin at the start of the example, to random districts), so
examples never see each other's prompts or entries; the invariants are checked over the whole
database, which every example only adds to."""
from __future__ import annotations

import uuid
from collections import Counter

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from models import Entry, Group, PendingConfirmation, PlanRecord, Progress
from tests.helpers import ADMIN, Chat, other_event, post, text_event, unsend_event

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

DISTRICTS = ["อำเภอบ้านโป่ง", "อำเภอบางแพ", "อำเภอโพธาราม", "อำเภอปากท่อ", "อำเภอจอมบึง"]
INDICATORS = {
    "jpt": ("จปฐ", "ครัวเรือน", [None], st.integers(1, 400)),
    "tpmap": ("TPMAP", "ครัวเรือน", [None, "มิติรายได้", "มิติสุขภาพ", "มิติการศึกษา"],
              st.integers(1, 40)),
    "savings": ("ออมทรัพย์", "กลุ่ม", [None, "สัมมาชีพ", "กองทุนแม่", "กข.คจ."],
                st.integers(1, 3)),
}
STYLES = ["plain", "plain", "plain", "typo", "noverb", "unknown", "total"]

who = st.tuples(st.integers(0, 2), st.integers(0, 2))       # officer, chat (2 = 1:1 chat)


@st.composite
def log_action(draw):
    ind = draw(st.sampled_from(sorted(INDICATORS)))
    word, unit, cats, amounts = INDICATORS[ind]
    return ("log", draw(who), word, unit, draw(st.sampled_from(cats)), draw(amounts),
            draw(st.sampled_from(STYLES)))


actions = st.one_of(
    log_action(), log_action(), log_action(), log_action(),
    st.tuples(st.just("edit"), who, st.integers(1, 300)),
    st.tuples(st.just("named_edit"), who, st.sampled_from(["จปฐ", "TPMAP", "ออมทรัพย์"]),
              st.integers(1, 3)),
    st.tuples(st.just("undo"), who, st.sampled_from(["ยกเลิก", "ลบอันล่าสุด",
                                                      "ยกเลิกนะครับ พิมพ์ผิด"])),
    st.tuples(st.just("named_undo"), who, st.sampled_from(["จปฐ", "TPMAP", "ออมทรัพย์",
                                                            "ออมทรัพย์ สัมมาชีพ"])),
    st.tuples(st.just("confirm"), who), st.tuples(st.just("confirm"), who),
    st.tuples(st.just("tap"), who, st.integers(0, 20), st.sampled_from(["confirm", "cancel"])),
    st.tuples(st.just("resend"), st.integers(0, 50)),
    st.tuples(st.just("redeliver"), st.integers(0, 50)),
    st.tuples(st.just("unsend"), st.integers(0, 50)),
)
conversations = st.tuples(st.integers(2, 3), st.integers(1, 2), st.lists(actions, min_size=4,
                                                                            max_size=14))


def log_text(word, unit, cat, amount, style):
    tail = f" {cat}" if cat else ""
    return {"plain": f"บันทึก {word} {amount} {unit}{tail}",
            "typo": f"บันทืก {word} {amount} {unit}{tail}",
            "noverb": f"{word} {amount} {unit}{tail}",
            "unknown": f"บันทึก {word} {amount} {unit}{tail} ฟหกดเ",
            "total": f"บันทึก {word}{tail} รวม {amount} {unit}"}[style]


# ----------------------------------------------------------------------------- invariants
def state(app):
    """Everything a redelivery must not touch: entries, prompts, counters (of every plan)."""
    with app.extensions["nongpat"].sessions() as s:
        entries = [(e.id, e.plan_id, e.indicator_key, e.district_key, e.category_key, e.amount,
                    e.undone_at is not None) for e in s.scalars(select(Entry).order_by(Entry.id))]
        prompts = [(p.id, p.resolved_at is not None, p.resolution)
                   for p in s.scalars(select(PendingConfirmation).order_by(PendingConfirmation.id))]
        counters = {(p, i, d, c): n for p, i, d, c, n in s.execute(
            select(Progress.plan_id, Progress.indicator_key, Progress.district_key,
                   Progress.category_key, Progress.done).where(Progress.done != 0))}
    return entries, prompts, counters


def check_invariants(app, where):
    entries, _, counters = state(app)
    standing = Counter()
    for _id, plan, ind, district, cat, amount, undone in entries:
        assert amount > 0, f"{where}: entry {_id} has amount {amount}"
        if not undone:
            standing[(plan, ind, district, "")] += amount
            if cat:
                standing[(plan, ind, district, cat)] += amount
    want = {k: v for k, v in standing.items() if v}
    assert counters == want, f"{where}: counters {counters} but standing entries sum to {want}"
    with app.extensions["nongpat"].sessions() as s:  # a group's entries are its province's
        wrong = s.execute(select(Entry.id, Group.province_key, PlanRecord.province_key)
                          .join(Group, Group.group_id == Entry.group_id)
                          .join(PlanRecord, PlanRecord.id == Entry.plan_id)
                          .where(Entry.source_type == "group",
                                 Group.province_key != PlanRecord.province_key)).all()
    assert not wrong, f"{where}: entries counted for another province: {wrong}"
    return len(entries)


# ----------------------------------------------------------------------------- the driver
class Conversation:
    def __init__(self, chat: Chat, n_officers: int, n_groups: int,
                 districts: list[str] = DISTRICTS):
        self.chat = chat
        tag = uuid.uuid4().hex
        self.users = [f"U{uuid.uuid4().hex}" for _ in range(n_officers)]
        self.groups = [f"C{tag[:8]}{k}{uuid.uuid4().hex[:23]}" for k in range(n_groups)]
        self.events: list[dict] = []          # every event sent, for redeliveries
        self.messages: list[dict] = []        # text message events, for resends
        self.logs: list[dict] = []            # log message events, for unsends
        self.prompts: list = []               # fakeline.Sent of each prompt
        self.log: list[str] = []
        for g in self.groups:
            bound = self.chat.say(f"ผูกกลุ่ม {districts[int(g[-6:], 16) % len(districts)]}",
                                  user=ADMIN, group=g)
            assert bound and "✅" in bound, bound
        for u in self.users:                  # each officer is seen in the first group
            self.chat.say("สวัสดีครับ", user=u, group=self.groups[0])

    def where(self, w):
        officer, chat = w
        user = self.users[officer % len(self.users)]
        group = None if chat == 2 else self.groups[chat % len(self.groups)]
        return user, group

    def send(self, ev):
        resp = post(self.chat.client, ev)
        assert resp.status_code == 200, resp.data
        sent = self.chat.sent_to(ev) if ev.get("replyToken") else None
        self.events.append(ev)
        if sent is not None and sent.messages and any(
                str(i.get("action", {}).get("data", "")).startswith("confirm:")
                for i in (sent.messages[-1].get("quickReply") or {}).get("items", [])):
            self.prompts.append(sent)
        return sent

    def say(self, text, w, is_log=False):
        user, group = self.where(w)
        ev = text_event(text, user=user, group=group)
        self.messages.append(ev)
        if is_log:
            self.logs.append(ev)
        return self.send(ev)

    def step(self, action, app):
        kind = action[0]
        before = check_invariants(app, "before " + repr(action))
        sent = None
        if kind == "log":
            _, w, word, unit, cat, amount, style = action
            text = log_text(word, unit, cat, amount, style)
            self.log.append(f"{self.where(w)[0][:6]}: {text}")
            sent = self.say(text, w, is_log=True)
        elif kind == "edit":
            sent = self.say(f"แก้ไข {action[2]}", action[1])
        elif kind == "named_edit":
            sent = self.say(f"แก้ไข {action[2]} {action[3]}", action[1])
        elif kind == "undo":
            sent = self.say(action[2], action[1])
        elif kind == "named_undo":
            sent = self.say(f"ยกเลิก {action[2]}", action[1])
        elif kind == "confirm":
            sent = self.say("ยืนยัน", action[1])
        elif kind == "tap":
            if not self.prompts:
                return
            prompt = self.prompts[action[2] % len(self.prompts)]
            label = "ยืนยัน" if action[3] == "confirm" else "ยกเลิก"
            data = next(i["action"]["data"] for i in prompt.messages[-1]["quickReply"]["items"]
                        if i["action"].get("label") == label)
            user, group = self.where(action[1])
            sent = self.send(other_event("postback", user=user, group=group,
                                         postback={"data": data}))
        elif kind == "resend":
            if not self.messages:
                return
            old = self.messages[action[1] % len(self.messages)]
            src = old["source"]
            ev = text_event(old["message"]["text"], user=src.get("userId"),
                            group=src.get("groupId"))
            self.messages.append(ev)
            sent = self.send(ev)
        elif kind == "redeliver":
            if not self.events:
                return
            old = self.events[action[1] % len(self.events)]
            again = dict(old, deliveryContext={"isRedelivery": True})
            if "replyToken" in again:
                again["replyToken"] = f"{old['replyToken']}-again-{uuid.uuid4().hex[:6]}"
            snapshot = state(app)
            resp = post(self.chat.client, again)
            assert resp.status_code == 200
            got = self.chat.sent_to(again) if again.get("replyToken") else None
            assert got is None, f"a redelivery got a reply: {got.text!r}"
            assert state(app) == snapshot, f"a redelivery of {old.get('type')} changed the state"
        elif kind == "unsend":
            if not self.logs:
                return
            old = self.logs[action[1] % len(self.logs)]
            src = old["source"]
            self.send(unsend_event(old["message"]["id"], user=src.get("userId"),
                                   group=src.get("groupId")))
        after = check_invariants(app, "after " + repr(action))
        grew = after - before
        if kind in ("confirm", "tap"):
            assert grew <= 1, f"{action}: one ยืนยัน added {grew} entries"
        assert grew <= 1, f"{action}: one event added {grew} entries"
        if grew == 1 and kind not in ("confirm", "tap", "log", "resend"):
            raise AssertionError(f"{action} added an entry: {sent.text if sent else None!r}")


@SETTINGS
@given(conv=conversations)
def test_random_conversations_keep_the_books(app, chat, conv):
    n_officers, n_groups, steps = conv
    c = Conversation(chat, n_officers, n_groups)
    for action in steps:
        c.step(action, app)
    # nothing moves afterwards: a redelivery of every event changes nothing
    snapshot = state(app)
    for ev in c.events:
        again = dict(ev, deliveryContext={"isRedelivery": True})
        if "replyToken" in again:
            again["replyToken"] = f"{ev['replyToken']}-late"
        post(chat.client, again)
        assert chat.sent_to(again) is None if again.get("replyToken") else True
    assert state(app) == snapshot


# several provinces: two of them key their อำเภอเมือง "mueang"; a group's logs must count for
# its own province's plan, whatever another province's group with the same district key does
PROVINCE_DISTRICTS = ["อำเภอบ้านโป่ง", "อำเภอเมือง จังหวัดกาญจนบุรี", "อำเภอเมือง จังหวัดนครปฐม",
                      "อำเภอท่าม่วง", "อำเภอเมืองราชบุรี"]


@pytest.fixture
def province_app(make_app, tmp_path):
    """One app for all the examples of a run (fixtures are built once per test function)."""
    from bot.config import DEFAULT_PLAN
    from bot.core.madeup import write_made_up
    files = [DEFAULT_PLAN,
             write_made_up(tmp_path, "kanchanaburi", "กาญจนบุรี", 2565,
                           [("mueang", "เมืองกาญจนบุรี"), ("tha-muang", "ท่าม่วง")]),
             write_made_up(tmp_path, "nakhon-pathom", "นครปฐม", 2565,
                           [("mueang", "เมืองนครปฐม"), ("bang-len", "บางเลน")])]
    return make_app(PLAN_FILE=",".join(map(str, files)))


@settings(SETTINGS, max_examples=25)
@given(conv=conversations)
def test_random_conversations_across_provinces_keep_each_provinces_books(
        province_app, fake_line, conv):
    n_officers, n_groups, steps = conv
    c = Conversation(Chat(province_app, fake_line), n_officers, max(n_groups, 2),
                     PROVINCE_DISTRICTS)
    for action in steps:
        c.step(action, province_app)


def test_a_confirmed_prompt_is_counted_once_whatever_follows(app, chat):
    """A fixed worst case for (ii): three ways to confirm the same prompt, one entry."""
    c = Conversation(chat, 2, 1)
    c.step(("log", (0, 0), "จปฐ", "ครัวเรือน", None, 120, "typo"), app)
    c.step(("tap", (0, 0), 0, "confirm"), app)
    c.step(("confirm", (0, 0)), app)
    c.step(("tap", (0, 0), 0, "confirm"), app)
    c.step(("redeliver", 2), app)
    with app.extensions["nongpat"].sessions() as s:
        mine = s.scalars(select(Entry).where(Entry.user_id == c.users[0])).all()
    assert [e.amount for e in mine] == [120]
