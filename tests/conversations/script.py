"""The conversation-script format and its runner (see scripts/README.md for the format).

A script is a title (``== title``) followed by lines; each line is one thing that happens in
LINE (a message, a button tap, an unsend, a redelivery, time passing) and what must follow:
the kind of reply and the district totals afterwards. Everything goes through POST /callback
with signed bodies, on a fresh app per script."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.timeutil import fixed_clock
from tests.conftest import NOW
from tests.helpers import ADMIN, Chat, entry_count, mention, other_event, post, text_event, \
    totals, unsend_event

HERE = Path(__file__).parent
SCRIPTS = HERE / "scripts"
BOT_NAME = "@น้องพัฒน์"

GROUPS = {"G1": ("Cconv" + "1" * 28, "อำเภอบ้านโป่ง", "ban-pong"),
          "G2": ("Cconv" + "2" * 28, "อำเภอบางแพ", "bang-phae")}
DISTRICT_OF_GROUP = {name: key for name, (_, _, key) in GROUPS.items()}
KINDS = ("silent", "recorded", "prompt", "undone", "edited", "cancelled", "nothing-to-confirm",
         "stale", "none-found", "answer")
INDICATORS = {"jpt", "tpmap", "savings"}


def user_id(name: str) -> str:
    """``Uadmin`` is the department admin (ADMIN_LINE_USER_IDS); any other name an officer."""
    if name == "Uadmin":
        return ADMIN
    return "U" + hashlib.md5(f"conv-{name}".encode()).hexdigest()


# ----------------------------------------------------------------------------- reply kinds
def _prompt_problem(sent) -> str | None:
    """None when ``sent`` is a confirmation prompt; else what is missing."""
    if sent is None:
        return "no reply"
    if 'กด "ยืนยัน"' not in sent.text:
        return 'text lacks กด "ยืนยัน"'
    items = ((sent.messages[-1].get("quickReply") or {}).get("items")) or []
    labels = sorted(i.get("action", {}).get("label") for i in items)
    if labels != sorted(["ยืนยัน", "ยกเลิก"]):
        return f"quick reply labels {labels}"
    for i in items:
        a = i["action"]
        want = "confirm:" if a.get("label") == "ยืนยัน" else "cancel:"
        if a.get("type") != "postback" or not str(a.get("data", "")).startswith(want):
            return f"quick reply action {a}"
    return None


def button_data(sent, which: str) -> str:
    label = {"confirm": "ยืนยัน", "cancel": "ยกเลิก"}[which]
    for i in sent.messages[-1]["quickReply"]["items"]:
        if i["action"].get("label") == label:
            return i["action"]["data"]
    raise AssertionError(f"no {label} button")


CANCELLED = "ยกเลิกแล้วครับ ไม่ได้บันทึกรายการนี้"


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text and text.strip() else ""


def kind_matches(kind: str, sent) -> bool:
    """``kind`` may name alternatives: ``silent/answer``."""
    if "/" in kind:
        return any(kind_matches(k, sent) for k in kind.split("/"))
    text = sent.text if sent else None
    if kind == "silent":
        return sent is None
    if not text:
        return False
    specific = {
        "recorded": lambda: first_line(text).startswith("✅ บันทึกแล้วครับ:"),
        "prompt": lambda: _prompt_problem(sent) is None,
        "undone": lambda: text.startswith("↩️ ยกเลิกรายการแล้วครับ:") and "ยอดอำเภอ" in text,
        "edited": lambda: (text.startswith("✏️ แก้ไขแล้วครับ:") and "ยอดอำเภอ" in text
                           and re.search(r"จาก [\d,]+ เป็น [\d,]+", text) is not None),
        "cancelled": lambda: text.strip().startswith(CANCELLED),
    }
    if kind in specific:
        return specific[kind]()
    busy = any(f() for f in specific.values())
    if kind == "nothing-to-confirm":
        return "ไม่มีรายการที่รอการยืนยัน" in text and not busy
    if kind == "stale":
        return "ไม่ได้บันทึก" in text and not busy
    if kind == "none-found":
        return "ไม่พบรายการ" in text and not busy
    if kind == "answer":
        return not busy
    raise ValueError(kind)


def classify(sent) -> str:
    for kind in ("silent", "recorded", "prompt", "undone", "edited", "cancelled",
                 "nothing-to-confirm", "none-found", "stale", "answer"):
        if kind_matches(kind, sent):
            return kind
    return "answer"


# ----------------------------------------------------------------------------- parsing
@dataclass
class Expect:
    kind: str | None = None
    contains: list[str] = field(default_factory=list)
    lacks: list[str] = field(default_factory=list)
    same_as: str | None = None           # label: the reply must equal that message's reply
    totals: dict[str, int] | None = None  # None: "same"; keys "ind[/cat][@G1|@district]"


@dataclass
class Step:
    lineno: int
    raw: str
    op: str                        # say | tap | unsend | redeliver | wait
    user: str | None = None
    chat: str | None = None        # G1 | G2 | 1:1
    label: str | None = None
    text: str | None = None
    quote: str | None = None       # "m1" or "reply(m1)"
    button: str | None = None      # confirm | cancel
    prompt_no: int | None = None
    target: str | None = None      # label of the unsent / redelivered event
    minutes: int = 0
    expect: Expect = field(default_factory=Expect)


@dataclass
class Script:
    title: str
    path: Path
    lineno: int
    steps: list[Step] = field(default_factory=list)
    final_check: bool = True


_ACTOR = re.compile(r"^(?P<user>U\w+)@(?P<chat>G1|G2|1:1)(?:\s+\[(?P<label>\w+)\])?\s*(?P<rest>.*)$")
_STRING = re.compile(r'(!?~|same-as)\s*(?:"([^"]*)"|(\S+))')


def _parse_expect(text: str, where: str) -> Expect:
    e = Expect()
    text = text.strip()
    tot = None
    if "|" in text:
        text, tot = text.split("|", 1)
    text = text.strip()
    m = re.match(r"^([a-z/-]+)\s*(.*)$", text)
    if not m or not all(k in KINDS for k in m.group(1).split("/")):
        raise ValueError(f"{where}: unknown reply kind in {text!r} (one of {', '.join(KINDS)})")
    e.kind, rest = m.group(1), m.group(2)
    for op, quoted, bare in _STRING.findall(rest):
        value = quoted if quoted or not bare else bare
        if op == "~":
            e.contains.append(value)
        elif op == "!~":
            e.lacks.append(value)
        else:
            e.same_as = value
    leftover = _STRING.sub("", rest).strip()
    if leftover:
        raise ValueError(f"{where}: cannot read {leftover!r}")
    if tot is None:
        raise ValueError(f"{where}: every line states the totals after it ('| same' or '| jpt=..')")
    tot = tot.strip()
    if tot != "same":
        e.totals = {}
        for item in tot.split():
            k, _, v = item.partition("=")
            ind = k.split("@")[0].split("/")[0]
            if ind not in INDICATORS or not v.lstrip("-").isdigit():
                raise ValueError(f"{where}: bad total {item!r}")
            e.totals[k] = int(v)
    return e


def parse_file(path: Path) -> list[Script]:
    scripts: list[Script] = []
    cur: Script | None = None
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{n}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("=="):
            cur = Script(line.lstrip("= ").strip(), path, n)
            scripts.append(cur)
            continue
        if cur is None:
            raise ValueError(f"{where}: a line before the first '== title'")
        if line == "%no-final-check":
            cur.final_check = False
            continue
        body, _, exp = line.partition(" => ")
        body = body.strip()
        if m := re.match(r"^wait\s+(\d+)m$", body):
            cur.steps.append(Step(n, raw, "wait", minutes=int(m.group(1))))
            continue
        if m := re.match(r"^redeliver\s+(\w+)$", body):
            s = Step(n, raw, "redeliver", target=m.group(1))
            s.expect = _parse_expect(exp or "silent | same", where)
            if s.expect.kind != "silent" or s.expect.totals is not None:
                raise ValueError(f"{where}: a redelivery is always 'silent | same'")
            cur.steps.append(s)
            continue
        m = _ACTOR.match(body)
        if not m:
            raise ValueError(f"{where}: cannot read {body!r}")
        if not exp:
            raise ValueError(f"{where}: missing '=> kind | totals'")
        s = Step(n, raw, "", user=m["user"], chat=m["chat"], label=m["label"])
        rest = m["rest"]
        if rest.startswith(":"):
            s.op, s.text = "say", rest[1:].strip()
        elif q := re.match(r"^quote\s+(\w+|reply\(\w+\))\s*:\s*(.+)$", rest):
            s.op, s.quote, s.text = "say", q.group(1), q.group(2).strip()
        elif t := re.match(r"^tap\s+(confirm|cancel)\s+#(\d+)$", rest):
            s.op, s.button, s.prompt_no = "tap", t.group(1), int(t.group(2))
        elif u := re.match(r"^unsend\s+(\w+)$", rest):
            s.op, s.target = "unsend", u.group(1)
        else:
            raise ValueError(f"{where}: cannot read {rest!r}")
        s.expect = _parse_expect(exp, where)
        if s.op == "unsend" and s.expect.kind != "silent":
            raise ValueError(f"{where}: an unsend has no reply token: expect 'silent'")
        cur.steps.append(s)
    return scripts


def load_all() -> list[Script]:
    out = []
    for path in sorted(SCRIPTS.glob("*.txt")):
        out += parse_file(path)
    titles = [s.title for s in out]
    dup = {t for t in titles if titles.count(t) > 1}
    assert not dup, f"duplicate script titles: {dup}"
    return out


# ----------------------------------------------------------------------------- running
class ScriptFailure(AssertionError):
    pass


def _nonzero(d: dict) -> dict:
    return {k: v for k, v in d.items() if v}


def _fmt(d: dict) -> str:
    if not d:
        return "{} (nothing)"
    return " ".join(f"{i}{'/' + c if c else ''}@{dist}={v}"
                    for (i, dist, c), v in sorted(d.items()))


class Runner:
    def __init__(self, script: Script, make_app, fake_line):
        self.script, self.make_app, self.fake = script, make_app, fake_line
        self.app = make_app()
        self.chat = Chat(self.app, fake_line)
        self.minutes = 0
        self.events: dict[str, dict] = {}      # label → the event sent
        self.sent: dict[str, object] = {}      # label → what LINE received in reply
        self.prompts: list[tuple[object, str, str]] = []   # (sent, user, chat)
        self.expected: dict[tuple[str, str, str], int] = {}
        self.last_group: dict[str, str] = {}
        self.spoke: list[tuple[str, str]] = []
        self.quote_token_problems: list[str] = []
        self.transcript: list[str] = []
        for g, (gid, district, _) in GROUPS.items():
            assert district.removeprefix("อำเภอ") in self.chat.bind(gid, district)

    # --- helpers
    def group_id(self, chat: str) -> str | None:
        return None if chat == "1:1" else GROUPS[chat][0]

    def district_of(self, step: Step) -> str:
        if step.chat in GROUPS:
            return DISTRICT_OF_GROUP[step.chat]
        return DISTRICT_OF_GROUP[self.last_group.get(step.user, "G1")]

    def fail(self, step: Step | None, msg: str) -> None:
        s = self.script
        where = (f"{s.path.name}:{step.lineno}: {step.raw.strip()}" if step
                 else f"{s.path.name}: after the last line")
        history = "\n".join(self.transcript[-12:])
        raise ScriptFailure(f"script {s.title!r} ({s.path.name}:{s.lineno})\n  at {where}\n"
                            f"{msg}\n--- transcript (last lines) ---\n{history}")

    def mentions_for(self, text: str) -> list[dict] | None:
        out = []
        for m in re.finditer(r"@\S+", text):
            span = m.group(0)
            if span.startswith(BOT_NAME):
                out.append(mention(text, BOT_NAME))
            else:
                out.append(mention(text, span, user_id=user_id(span[1:]), is_self=False))
        return out or None

    def quoted_id(self, step: Step) -> str:
        ref = step.quote
        if m := re.match(r"^reply\((\w+)\)$", ref):
            sent = self.sent.get(m.group(1))
            if sent is None or not sent.sent_ids:
                self.fail(step, f"there is no bot reply to {m.group(1)!r} to quote")
            return sent.sent_ids[0]
        if ref not in self.events:
            self.fail(step, f"no message labelled {ref!r}")
        return self.events[ref]["message"]["id"]

    def post_event(self, step: Step, ev: dict):
        resp = post(self.chat.client, ev)
        if resp.status_code != 200:
            self.fail(step, f"/callback answered {resp.status_code}: {resp.data[:300]!r}")
        return self.chat.sent_to(ev) if ev.get("replyToken") else None

    # --- one step
    def run_step(self, step: Step) -> None:
        if step.op == "wait":
            self.minutes += step.minutes
            self.app = self.make_app(CLOCK=fixed_clock(NOW + dt.timedelta(minutes=self.minutes)))
            self.chat = Chat(self.app, self.fake)
            self.transcript.append(f"  [{step.lineno}] wait {step.minutes}m")
            return
        count_before = entry_count(self.app)
        sent = None
        if step.op == "redeliver":
            if step.target not in self.events:
                self.fail(step, f"no event labelled {step.target!r}")
            ev = dict(self.events[step.target])
            ev["deliveryContext"] = {"isRedelivery": True}
            if "replyToken" in ev:
                ev["replyToken"] = ev["replyToken"] + "-again"
            sent = self.post_event(step, ev)
        else:
            uid, gid = user_id(step.user), self.group_id(step.chat)
            if step.chat in GROUPS:
                self.last_group[step.user] = step.chat
            if (step.user, step.chat) not in self.spoke:
                self.spoke.append((step.user, step.chat))
            if step.op == "say":
                ev = text_event(step.text, user=uid, group=gid,
                                quoted=self.quoted_id(step) if step.quote else None,
                                mentions=self.mentions_for(step.text))
            elif step.op == "tap":
                if not 1 <= step.prompt_no <= len(self.prompts):
                    self.fail(step, f"prompt #{step.prompt_no} does not exist: the script has "
                                    f"seen {len(self.prompts)} prompt(s)")
                psent = self.prompts[step.prompt_no - 1][0]
                ev = other_event("postback", user=uid, group=gid,
                                 postback={"data": button_data(psent, step.button)})
            else:  # unsend
                if step.target not in self.events:
                    self.fail(step, f"no message labelled {step.target!r}")
                ev = unsend_event(self.events[step.target]["message"]["id"], user=uid, group=gid)
            sent = self.post_event(step, ev)
            if step.label:
                self.events[step.label] = ev
                self.sent[step.label] = sent
            if sent is not None and _prompt_problem(sent) is None:
                self.prompts.append((sent, step.user, step.chat))
            if (sent is not None and gid and step.op == "say" and sent.messages
                    and sent.messages[0].get("type") == "text"
                    and sent.messages[0].get("quoteToken") != ev["message"]["quoteToken"]):
                self.quote_token_problems.append(
                    f"  line {step.lineno}: first message's quoteToken "
                    f"{sent.messages[0].get('quoteToken')!r}, event's {ev['message']['quoteToken']!r}")
        reply = sent.text if sent else None
        self.transcript.append(f"  [{step.lineno}] {step.raw.strip()}\n      bot: "
                               + (reply.replace("\n", "\n           ") if reply else "(silent)"))
        self.check(step, sent, count_before)

    def check(self, step: Step, sent, count_before: int) -> None:
        e = step.expect
        reply = sent.text if sent else None
        actual_kind = classify(sent)
        problems = []
        if not kind_matches(e.kind, sent):
            why = ""
            if e.kind == "prompt" and sent is not None:
                why = f" ({_prompt_problem(sent)})"
            problems.append(f"reply kind: expected {e.kind}, got {actual_kind}{why}")
        for sub in e.contains:
            if not reply or sub not in reply:
                problems.append(f"reply should contain {sub!r}")
        for sub in e.lacks:
            if reply and sub in reply:
                problems.append(f"reply should not contain {sub!r}")
        if e.same_as:
            other = self.sent.get(e.same_as)
            if (other.text if other else None) != reply:
                problems.append(f"reply should equal the reply to {e.same_as}:\n"
                                f"    {other.text if other else None!r}")
        if e.totals is not None:
            for key, v in e.totals.items():
                head, _, where = key.partition("@")
                ind, _, cat = head.partition("/")
                district = (DISTRICT_OF_GROUP.get(where, where) if where
                            else self.district_of(step))
                self.expected[(ind, district, cat)] = v
        actual = _nonzero(totals(self.app))
        want = _nonzero(self.expected)
        if actual != want:
            diff = sorted(set(actual) | set(want))
            d = ", ".join(f"{i}{'/' + c if c else ''}@{dist}: expected {want.get((i, dist, c), 0)} "
                          f"got {actual.get((i, dist, c), 0)}" for i, dist, c in diff
                          if actual.get((i, dist, c)) != want.get((i, dist, c)))
            problems.append(f"totals: {d}\n    expected {_fmt(want)}\n    actual   {_fmt(actual)}")
        if step.op == "redeliver" and entry_count(self.app) != count_before:
            problems.append("a redelivery changed the entries")
        if problems:
            self.fail(step, "\n".join(f"  ✗ {p}" for p in problems)
                      + f"\n  reply text: {reply!r}")

    def run(self) -> None:
        for step in self.script.steps:
            self.run_step(step)
        if self.script.final_check:
            before_t, before_n = _nonzero(totals(self.app)), entry_count(self.app)
            for user, chat in self.spoke:
                sent = self.post_event(None, text_event(
                    "ยืนยัน", user=user_id(user), group=self.group_id(chat)))
                if kind_matches("recorded", sent) or entry_count(self.app) != before_n \
                        or _nonzero(totals(self.app)) != before_t:
                    self.fail(None, f"  ✗ a final ยืนยัน by {user}@{chat} still recorded "
                                    f"something: {sent.text if sent else None!r}")
        if self.quote_token_problems:
            self.fail(None, "  ✗ group replies must quote the message they answer:\n"
                      + "\n".join(self.quote_token_problems))
