"""Migration 0005 (provinces and fiscal years) on a database made by the one-plan code.

A database at 0004 is filled through plain SQL as the one-plan code left it: the real Ratchaburi
2565 plan (active), its counters, a few hundred entries in six districts (some undone, some
amended, some from 1:1 chats), district and province groups (one muted, one left, one never
bound), officers with registrations, prompts, the dedupe ledger, reminder deliveries, the bot's
message ids, notices and failed events. The answers are worked out from those rows *before* the
upgrade; after ``upgrade head`` the app must give them, every row must still be there, every
group bound (to ratchaburi), every registration named with its province, and the plan the
current one. Downgrade to 0004 and up again keeps the data. On SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import thai
from bot.core.plan import load_plan_text
from bot.core.plans import progress_keys
from bot.db import downgrade, make_engine, migrate
from bot.timeutil import BANGKOK, fixed_clock
from tests.conftest import NOW
from tests.helpers import ADMIN, Chat

PLAN_TEXT = (Path(__file__).resolve().parents[2] / "plans" / "ratchaburi-2565.yaml").read_text(
    encoding="utf-8")
PLAN = load_plan_text(PLAN_TEXT)
UTC = dt.timezone.utc
NOW_UTC = NOW.astimezone(UTC)

TABLES = ("plans", "groups", "line_users", "webhook_events", "entries", "progress",
          "pending_confirmations", "bot_messages", "chat_notices", "reminder_deliveries",
          "failed_events")

# --------------------------------------------------------------------------- the 0004 schema
# (as the one-plan code wrote it: plain tables, no models)
_m = sa.MetaData()
T = {
    "plans": sa.Table("plans", _m, sa.Column("id", sa.Integer), sa.Column("key", sa.String),
                      sa.Column("source_text", sa.Text), sa.Column("active", sa.Boolean),
                      sa.Column("loaded_at", sa.DateTime(timezone=True))),
    "groups": sa.Table("groups", _m, sa.Column("group_id", sa.String), sa.Column("scope", sa.String),
                       sa.Column("district_key", sa.String), sa.Column("bound_by", sa.String),
                       sa.Column("bound_at", sa.DateTime(timezone=True)),
                       sa.Column("joined_at", sa.DateTime(timezone=True)),
                       sa.Column("left_at", sa.DateTime(timezone=True)),
                       sa.Column("muted", sa.Boolean)),
    "line_users": sa.Table("line_users", _m, sa.Column("user_id", sa.String),
                           sa.Column("display_name", sa.String),
                           sa.Column("profile_fetched_at", sa.DateTime(timezone=True)),
                           sa.Column("last_group_id", sa.String),
                           sa.Column("last_seen_at", sa.DateTime(timezone=True)),
                           sa.Column("registered_district", sa.String),
                           sa.Column("registered_at", sa.DateTime(timezone=True))),
    "webhook_events": sa.Table("webhook_events", _m, sa.Column("event_id", sa.String),
                               sa.Column("event_type", sa.String),
                               sa.Column("source_type", sa.String),
                               sa.Column("group_id", sa.String), sa.Column("user_id", sa.String),
                               sa.Column("timestamp_ms", sa.BigInteger),
                               sa.Column("redelivery", sa.Boolean),
                               sa.Column("received_at", sa.DateTime(timezone=True)),
                               sa.Column("outcome", sa.String)),
    "entries": sa.Table("entries", _m, sa.Column("id", sa.Integer), sa.Column("plan_id", sa.Integer),
                        sa.Column("indicator_key", sa.String), sa.Column("district_key", sa.String),
                        sa.Column("category_key", sa.String), sa.Column("amount", sa.Integer),
                        sa.Column("user_id", sa.String), sa.Column("group_id", sa.String),
                        sa.Column("source_type", sa.String), sa.Column("text", sa.Text),
                        sa.Column("event_id", sa.String),
                        sa.Column("created_at", sa.DateTime(timezone=True)),
                        sa.Column("undone_at", sa.DateTime(timezone=True)),
                        sa.Column("undone_by", sa.String), sa.Column("amended_from", sa.Integer),
                        sa.Column("message_id", sa.String)),
    "progress": sa.Table("progress", _m, sa.Column("plan_id", sa.Integer),
                         sa.Column("indicator_key", sa.String),
                         sa.Column("district_key", sa.String),
                         sa.Column("category_key", sa.String), sa.Column("done", sa.BigInteger)),
    "pending_confirmations": sa.Table(
        "pending_confirmations", _m, sa.Column("id", sa.Integer), sa.Column("user_id", sa.String),
        sa.Column("chat_id", sa.String), sa.Column("command", sa.JSON), sa.Column("text", sa.Text),
        sa.Column("event_id", sa.String), sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_at", sa.DateTime(timezone=True)), sa.Column("resolution", sa.String),
        sa.Column("kind", sa.String), sa.Column("message_id", sa.String)),
    "bot_messages": sa.Table("bot_messages", _m, sa.Column("message_id", sa.String),
                             sa.Column("chat_id", sa.String), sa.Column("entry_id", sa.Integer),
                             sa.Column("created_at", sa.DateTime(timezone=True))),
    "chat_notices": sa.Table("chat_notices", _m, sa.Column("id", sa.Integer),
                             sa.Column("chat_id", sa.String), sa.Column("text", sa.Text),
                             sa.Column("created_at", sa.DateTime(timezone=True)),
                             sa.Column("delivered_at", sa.DateTime(timezone=True))),
    "reminder_deliveries": sa.Table(
        "reminder_deliveries", _m, sa.Column("id", sa.Integer), sa.Column("group_id", sa.String),
        sa.Column("day", sa.Date), sa.Column("retry_key", sa.String), sa.Column("payload", sa.JSON),
        sa.Column("status", sa.String), sa.Column("attempts", sa.Integer),
        sa.Column("urgent", sa.Boolean), sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)), sa.Column("error", sa.Text)),
    "failed_events": sa.Table(
        "failed_events", _m, sa.Column("event_id", sa.String), sa.Column("event_type", sa.String),
        sa.Column("chat_id", sa.String), sa.Column("user_id", sa.String), sa.Column("text", sa.Text),
        sa.Column("raw", sa.Text), sa.Column("error", sa.Text), sa.Column("attempts", sa.Integer),
        sa.Column("failed_at", sa.DateTime(timezone=True)), sa.Column("status", sa.String),
        sa.Column("resolved_at", sa.DateTime(timezone=True))),
}

DISTRICTS = ["mueang-ratchaburi", "ban-pong", "photharam", "damnoen-saduak", "bang-phae",
             "pak-tho"]
GROUP_OF = {d: f"C{n:02d}{d.replace('-', '')}"[:33] for n, d in enumerate(DISTRICTS)}
PROVINCE_GROUP, UNBOUND_GROUP, LEFT_GROUP = "Cprovince-ratchaburi", "Cnever-bound", "Cleft-banpong"
MUTED = GROUP_OF["bang-phae"]
OFFICERS = {f"Uofficer{n:02d}": DISTRICTS[n % len(DISTRICTS)] for n in range(12)}
UNREGISTERED = {"Uofficer10", "Uofficer11"}
PENDING_USER = "Uofficer11"            # a prompt still open in their group (ยืนยัน works after)


@dataclass
class Old:
    """What the one-plan database holds, and the answers worked out from it."""
    entries: list[dict] = field(default_factory=list)
    done: Counter = field(default_factory=Counter)   # (indicator, district, category|'') → n
    quoted: dict | None = None                       # a bot message whose entry can be undone
    counts: dict[str, int] = field(default_factory=dict)

    def mine(self, user: str) -> dict[str, tuple[int, int]]:
        """{indicator: (sum, number of entries)} of the user's entries not undone."""
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for e in self.entries:
            if e["user_id"] == user and e["undone_at"] is None:
                out[e["indicator_key"]][0] += e["amount"]
                out[e["indicator_key"]][1] += 1
        return {k: (a, n) for k, (a, n) in out.items()}


def at(days: float = 0, minutes: float = 0) -> dt.datetime:
    return NOW_UTC - dt.timedelta(days=days, minutes=minutes)


def fill(conn, plan_id: int = 1, key: str = "ratchaburi-2565", n_entries: int = 300,
         seed: int = 5, with_rest: bool = True, active: bool = True,
         loaded_at: dt.datetime | None = None, text: str = PLAN_TEXT,
         event_prefix: str = "01MIG") -> Old:
    """Rows as the one-plan code wrote them, through plain SQL (0004 schema)."""
    rng = random.Random(seed)
    old = Old()
    conn.execute(T["plans"].insert(), dict(id=plan_id, key=key, source_text=text, active=active,
                                           loaded_at=loaded_at or at(days=60)))
    ledger = []
    times = sorted(at(days=rng.uniform(0, 40)) for _ in range(n_entries))
    for i, created in enumerate(times):
        user = rng.choice(sorted(OFFICERS))
        district = OFFICERS[user]
        kind = rng.random()
        if kind < 0.6:
            ind, cat, amount = "jpt", None, rng.randint(5, 400)
        elif kind < 0.85:
            ind = "tpmap"
            cat = rng.choice([None, "health", "living", "education", "public-services", "income"])
            amount = rng.randint(1, 12)
        else:
            ind = "savings"
            cat = rng.choice([None, "kkkj", "mother-fund", "sammachip", "sufficiency"])
            amount = rng.randint(1, 2)
        one_to_one = i % 10 == 7
        eid = f"{event_prefix}{plan_id}E{i:015d}"
        e = dict(id=plan_id * 10000 + i + 1, plan_id=plan_id, indicator_key=ind,
                 district_key=district, category_key=cat, amount=amount, user_id=user,
                 group_id=None if one_to_one else GROUP_OF[district],
                 source_type="user" if one_to_one else "group",
                 text=f"บันทึก {ind} {amount}", event_id=eid, created_at=created,
                 undone_at=None, undone_by=None, amended_from=None,
                 message_id=None if one_to_one else str(500000000000000000 + plan_id * 10000 + i))
        if i % 17 == 3:
            e["undone_at"], e["undone_by"] = created + dt.timedelta(minutes=3), eid + "U"
            ledger.append(dict(event_id=eid + "U", event_type="message", outcome="replied",
                               group_id=e["group_id"], user_id=user, source_type=e["source_type"],
                               received_at=e["undone_at"], redelivery=False,
                               timestamp_ms=None))
        elif i % 13 == 5:
            e["amended_from"], e["amount"] = amount, amount + 7
        ledger.append(dict(event_id=eid, event_type="message", outcome="recorded",
                           group_id=e["group_id"], user_id=user, source_type=e["source_type"],
                           received_at=created, redelivery=i % 29 == 0,
                           timestamp_ms=int(created.timestamp() * 1000)))
        old.entries.append(e)
        if e["undone_at"] is None:
            old.done[(ind, district, "")] += e["amount"]
            if cat:
                old.done[(ind, district, cat)] += e["amount"]
    conn.execute(T["entries"].insert(), old.entries)
    conn.execute(T["progress"].insert(), [
        dict(plan_id=plan_id, indicator_key=i, district_key=d, category_key=c,
             done=old.done[(i, d, c)]) for i, d, c in progress_keys(load_plan_text(text))])
    conn.execute(T["webhook_events"].insert(), ledger)
    if not with_rest:
        return old
    groups = [dict(group_id=GROUP_OF[d], scope="district", district_key=d, bound_by=ADMIN,
                   bound_at=at(days=50), joined_at=at(days=50), left_at=None,
                   muted=GROUP_OF[d] == MUTED) for d in DISTRICTS]
    groups += [dict(group_id=PROVINCE_GROUP, scope="province", district_key=None, bound_by=ADMIN,
                    bound_at=at(days=49), joined_at=at(days=49), left_at=None, muted=False),
               dict(group_id=UNBOUND_GROUP, scope=None, district_key=None, bound_by=None,
                    bound_at=None, joined_at=at(days=3), left_at=None, muted=False),
               dict(group_id=LEFT_GROUP, scope="district", district_key="ban-pong",
                    bound_by=ADMIN, bound_at=at(days=45), joined_at=at(days=45),
                    left_at=at(days=20), muted=False)]
    conn.execute(T["groups"].insert(), groups)
    users = [dict(user_id=u, display_name=f"พัฒนากร {u[-2:]}", profile_fetched_at=at(days=10),
                  last_group_id=GROUP_OF[d], last_seen_at=at(days=1),
                  registered_district=None if u in UNREGISTERED else d,
                  registered_at=None if u in UNREGISTERED else at(days=30))
             for u, d in OFFICERS.items()]
    users.append(dict(user_id=ADMIN, display_name="ผู้ดูแล", profile_fetched_at=at(days=10),
                      last_group_id=PROVINCE_GROUP, last_seen_at=at(days=1),
                      registered_district=None, registered_at=None))
    conn.execute(T["line_users"].insert(), users)
    pending_chat = GROUP_OF[OFFICERS[PENDING_USER]]
    cmd = {"indicator": "jpt", "amount": 33, "category": None,
           "district": OFFICERS[PENDING_USER]}
    conn.execute(T["pending_confirmations"].insert(), [
        dict(id=1, user_id="Uofficer01", chat_id=GROUP_OF[OFFICERS["Uofficer01"]], command=cmd,
             text="จปฐ 33", event_id="01MIGP1", created_at=at(days=5),
             expires_at=at(days=5) + dt.timedelta(minutes=10), resolved_at=at(days=5),
             resolution="confirmed", kind="unsure", message_id="600000000000000001"),
        dict(id=2, user_id="Uofficer02", chat_id="Uofficer02", command=cmd, text="จปฐ 33",
             event_id="01MIGP2", created_at=at(days=4),
             expires_at=at(days=4) + dt.timedelta(minutes=10), resolved_at=None,
             resolution=None, kind="repeat", message_id=None),          # expired, never answered
        dict(id=3, user_id=PENDING_USER, chat_id=pending_chat,
             command={**cmd, "own": 0}, text="จปฐ 33 ครัวเรือน", event_id="01MIGP3",
             created_at=at(minutes=2), expires_at=at(minutes=2) + dt.timedelta(minutes=10),
             resolved_at=None, resolution=None, kind="unsure", message_id="600000000000000003"),
    ])
    quotable = next(e for e in reversed(old.entries)
                    if e["undone_at"] is None and e["group_id"] and e["indicator_key"] == "jpt")
    old.quoted = quotable
    conn.execute(T["bot_messages"].insert(), [
        dict(message_id=str(700000000000000000 + k), chat_id=e["group_id"], entry_id=e["id"],
             created_at=e["created_at"])
        for k, e in enumerate(x for x in old.entries if x["group_id"])][-40:])
    conn.execute(T["chat_notices"].insert(), [
        dict(id=1, chat_id=GROUP_OF["photharam"], text="⏱ ข้อความเก่า (ส่งแล้ว)",
             created_at=at(days=9), delivered_at=at(days=9)),
        dict(id=2, chat_id=GROUP_OF["pak-tho"],
             text="⏱ ข้อความที่ส่งระหว่างระบบขัดข้อง บันทึกให้แล้วครับ", created_at=at(days=1),
             delivered_at=None)])
    conn.execute(T["reminder_deliveries"].insert(), [
        dict(id=n + 1, group_id=GROUP_OF[d], day=(NOW - dt.timedelta(days=day)).date(),
             retry_key=f"00000000-0000-4000-8000-{n:012d}",
             payload={"messages": [{"type": "text", "text": f"เตือน {d}"}]},
             status="dropped" if GROUP_OF[d] == MUTED else "sent", attempts=1, urgent=day == 1,
             created_at=at(days=day), sent_at=None if GROUP_OF[d] == MUTED else at(days=day),
             error=None)
        for n, (d, day) in enumerate((d, day) for d in DISTRICTS for day in (1, 2))])
    raw = json.dumps({"type": "message", "webhookEventId": "01MIGFAILED1",
                      "source": {"type": "group", "groupId": GROUP_OF["ban-pong"],
                                 "userId": "Uofficer01"},
                      "message": {"type": "text", "id": "1", "text": "ยอด"}})
    conn.execute(T["failed_events"].insert(), [
        dict(event_id="01MIGFAILED1", event_type="message", chat_id=GROUP_OF["ban-pong"],
             user_id="Uofficer01", text="ยอด", raw=raw, error="Traceback …\nKeyError: 'x'",
             attempts=2, failed_at=at(days=6), status="failed", resolved_at=None),
        dict(event_id="01MIGFAILED2", event_type="message", chat_id=GROUP_OF["ban-pong"],
             user_id="Uofficer01", text="ยอด", raw=raw.replace("FAILED1", "FAILED2"),
             error="Traceback …\nKeyError: 'y'", attempts=1, failed_at=at(days=7),
             status="replayed", resolved_at=at(days=6))])
    return old


def sync_sequences(conn) -> None:
    """PostgreSQL: the rows above were given their ids; the serial sequences follow them, as
    they would have after the one-plan code inserted them."""
    if conn.dialect.name != "postgresql":
        return
    for table in ("plans", "entries", "pending_confirmations", "chat_notices",
                  "reminder_deliveries"):
        conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))


def snapshot(engine, tables=TABLES) -> dict[str, list[tuple]]:
    """Every row of the tables, in primary-key order, as 0004 knew them (their old columns)."""
    out = {}
    with engine.connect() as conn:
        for name in tables:
            t = T[name]
            cols = [c for c in t.columns if name != "plans" or c.name != "active"]
            out[name] = [tuple(r) for r in conn.execute(
                sa.select(*cols).order_by(*cols[:4 if name == "progress" else 1]))]
    return out


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}


def head(engine) -> str:
    """The newest migration (0005's upgrade must lead on to it)."""
    from alembic.script import ScriptDirectory
    from bot.db import alembic_config
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def version(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


@pytest.fixture
def old_db(database_url):
    """An engine on a database at 0004 (the one-plan schema)."""
    engine = make_engine(database_url)
    migrate(engine, "0004")
    yield engine
    engine.dispose()


# --------------------------------------------------------------------------- answers
def blocks(answer: str) -> dict[str, str]:
    """The indicator blocks of a text answer ("• จปฐ.: …" up to the next "• "), by name."""
    out = {}
    for part in answer.split("\n• ")[1:]:
        name, _, rest = part.partition(":")
        out[name] = rest
    return out


def num(n: int) -> str:
    return thai.number(n)


def check_answers(chat: Chat, old: Old) -> None:
    """The answers the one-plan data calls for, asked in every kind of chat."""
    province = Counter()
    for (i, d, c), n in old.done.items():
        if not c:
            province[i] += n
    for d in DISTRICTS:
        group = GROUP_OF[d]
        user = next(u for u, x in OFFICERS.items() if x == d)
        name = PLAN.district(d).name
        answer = chat.say("ยอด แบบข้อความ", user=user, group=group)
        assert f"ยอดอำเภอ{name}" in answer, answer
        got = blocks(answer)
        for ind in PLAN.indicators:
            assert got[ind.name].startswith(f" {num(old.done[(ind.key, d, '')])} "), \
                (d, ind.key, got[ind.name])
        tp = chat.say("ยอด tpmap แยกมิติ แบบข้อความ", user=user, group=group)
        for c in PLAN.indicator("tpmap").categories:
            assert f"– {c.name}: {num(old.done[('tpmap', d, c.key)])} " in tp, (d, c.key, tp)
        # ยอดรวมจังหวัด from a district group: the province, every district ranked
        whole = blocks(chat.say("ยอดรวมจังหวัด แบบข้อความ", user=user, group=group))
        for ind in PLAN.indicators:
            assert whole[ind.name].startswith(f" {num(province[ind.key])} "), whole[ind.name]
            for x in DISTRICTS:  # "– บ้านโป่ง: 0.4% · 120 / 34,227 …" or "– บ้านโป่ง: 3 ครัวเรือน"
                assert re.search(rf"– {PLAN.district(x).name}: (?:[\d.]+% · )?"
                                 rf"{num(old.done[(ind.key, x, '')])} ", whole[ind.name]), \
                    (ind.key, x)
        history = chat.say("ประวัติ", user=user, group=group)
        in_district = [e for e in old.entries if e["district_key"] == d]
        assert history.startswith(f"🕘 {min(10, len(in_district))} รายการล่าสุด (อำเภอ{name})")
        assert history.count("(ยกเลิกแล้ว)") == sum(
            e["undone_at"] is not None for e in in_district[-10:])
        assert history.count("(แก้จาก ") == sum(
            e["amended_from"] is not None for e in in_district[-10:])
    for user in sorted(OFFICERS)[:6]:
        mine = chat.say("ของฉัน", user=user, group=GROUP_OF[OFFICERS[user]])
        for key, (total, n) in old.mine(user).items():
            ind = PLAN.indicator(key)
            assert f"• {ind.name}: รวม {num(total)} {PLAN.units[ind.unit].name} " \
                   f"({num(n)} รายการ)" in mine, (user, key, mine)
        # 1:1: the district of the officer's last group
        alone = blocks(chat.say("ยอด แบบข้อความ", user=user))
        assert alone["จปฐ."].startswith(f" {num(old.done[('jpt', OFFICERS[user], '')])} ")
    # the province group
    prov = blocks(chat.say("ยอด แบบข้อความ", user="Uofficer03", group=PROVINCE_GROUP))
    assert prov["จปฐ."].startswith(f" {num(province['jpt'])} / 167,839 ")
    registered = [u for u in OFFICERS if u not in UNREGISTERED]
    savers = {e["user_id"] for e in old.entries
              if e["indicator_key"] == "savings" and e["undone_at"] is None}
    waiting = [u for u in registered if u not in savers]
    missing = chat.say("ใครยังไม่ส่ง ออมทรัพย์", user="Uofficer03", group=PROVINCE_GROUP)
    assert missing.startswith(f"👥 พัฒนากรที่ลงทะเบียน {len(registered)} / 41 คน · "
                              f"ยังไม่ส่งกลุ่มออมทรัพย์เพื่อการผลิต {len(waiting)} คน"), missing
    for d in DISTRICTS:
        reg = [u for u in registered if OFFICERS[u] == d]
        wait = [u for u in waiting if OFFICERS[u] == d]
        assert f"• {PLAN.district(d).name}: ลงทะเบียน {len(reg)} คน ยังไม่ส่ง {len(wait)} คน" \
            in missing
    # a registered officer is known as registered (with the province the upgrade gave)
    assert "ไว้แล้วครับ" in chat.say("ลงทะเบียน", user="Uofficer00",
                                     group=GROUP_OF[OFFICERS["Uofficer00"]])
    # a group that was never bound is still not bound
    assert "ผูกกลุ่ม" in chat.say("ยอด", user="Uofficer00", group=UNBOUND_GROUP)


def progress_of(engine) -> dict[tuple[str, str, str], int]:
    with engine.connect() as conn:
        return {(i, d, c): n for i, d, c, n in conn.execute(sa.text(
            "SELECT indicator_key, district_key, category_key, done FROM progress"))}


# --------------------------------------------------------------------------- tests
def test_a_one_plan_database_upgrades_in_place_with_every_answer_the_same(
        old_db, make_app, fake_line):
    with old_db.begin() as conn:
        old = fill(conn)
        sync_sequences(conn)
    before, rows = counts(old_db), snapshot(old_db)
    assert before["entries"] == 300 and before["groups"] == 9

    migrate(old_db)
    assert version(old_db) == head(old_db)
    assert counts(old_db) == before
    assert snapshot(old_db) == rows  # every old column of every row, unchanged
    with old_db.connect() as conn:
        plan = conn.execute(sa.text("SELECT key, province_key, province_name, fiscal_year, "
                                    "pinned, changed_at FROM plans")).one()
        assert tuple(plan)[:5] == ("ratchaburi-2565", "ratchaburi", "ราชบุรี", 2565, False)
        assert plan.changed_at is not None
        bound = conn.execute(sa.text("SELECT group_id, scope, province_key, district_key, muted "
                                     "FROM groups ORDER BY group_id")).all()
        users = conn.execute(sa.text("SELECT user_id, registered_province, registered_district "
                                     "FROM line_users ORDER BY user_id")).all()
    for g in bound:
        if g.scope in ("district", "province"):
            assert g.province_key == "ratchaburi", g
        else:
            assert g.group_id == UNBOUND_GROUP and g.province_key is None
    assert {g.group_id for g in bound if g.muted} == {MUTED}
    for u in users:
        assert u.registered_province == ("ratchaburi" if u.registered_district else None), u
    assert sum(u.registered_province is not None for u in users) == 10

    # the app on the upgraded database: the same answers as the data gave before
    app = make_app()
    chat = Chat(app, fake_line)
    svc = app.extensions["nongpat"]
    with svc.read_sessions() as s:
        catalog = svc.bot.plans.get(s)
        assert catalog.only_province == "ratchaburi"
        assert svc.bot.current_plan(s).id == 1
    # the notice left for a chat is carried by its next reply
    answer = chat.say("ยอด", user="Uofficer05", group=GROUP_OF["pak-tho"])
    assert "ระหว่างระบบขัดข้อง บันทึกให้แล้วครับ" in answer, answer
    with old_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM chat_notices WHERE delivered_at "
                                    "IS NULL")).scalar() == 0
    check_answers(chat, old)
    listed = app.test_cli_runner().invoke(args=["groups", "list"]).output
    assert f"{MUTED}\tอำเภอบางแพ จังหวัดราชบุรี (ratchaburi/bang-phae) (ปิดแจ้งเตือน)" in listed
    assert f"{PROVINCE_GROUP}\tระดับจังหวัดราชบุรี" in listed
    assert f"{LEFT_GROUP}\tอำเภอบ้านโป่ง" in listed and "(ออกจากกลุ่มแล้ว)" in listed
    plans = app.test_cli_runner().invoke(args=["plan", "list"]).output
    assert "ratchaburi-2565" in plans and "ปัจจุบัน" in plans and "1 แผน, 1 จังหวัด" in plans
    assert progress_of(old_db) == {k: old.done[k] for k in progress_of(old_db)}

    # new work counts: a log, the prompt left open before the upgrade, an undo by quoting
    d = "ban-pong"
    reply = chat.say("บันทึก จปฐ 25 ครัวเรือน", user="Uofficer01", group=GROUP_OF[d])
    assert "บันทึกแล้ว" in reply and f"{num(old.done[('jpt', d, '')] + 25)} / 34,227" in reply
    pd = OFFICERS[PENDING_USER]
    reply = chat.say("ยืนยัน", user=PENDING_USER, group=GROUP_OF[pd])
    assert "บันทึกแล้ว" in reply, reply
    q = old.quoted
    quoted_id = str(700000000000000000 + next(
        k for k, e in enumerate(x for x in old.entries if x["group_id"]) if e is q))
    reply = chat.say("ยกเลิก", user=q["user_id"], group=q["group_id"], quoted=quoted_id)
    assert "ยกเลิกรายการแล้ว" in reply, reply
    expected = Counter(old.done)
    expected[("jpt", d, "")] += 25
    expected[("jpt", pd, "")] += 33
    expected[("jpt", q["district_key"], "")] -= q["amount"]
    assert progress_of(old_db) == {k: expected[k] for k in progress_of(old_db)}
    with old_db.connect() as conn:
        new = conn.execute(sa.text("SELECT plan_id, district_key, amount FROM entries "
                                   "WHERE id > 10300 ORDER BY id")).all()
        assert [tuple(r) for r in new] == [(1, d, 25), (1, pd, 33)]
        assert conn.execute(sa.text("SELECT count(*) FROM entries")).scalar() == 302
    again = blocks(chat.say("ยอด แบบข้อความ", user="Uofficer01", group=GROUP_OF[d]))
    assert again["จปฐ."].startswith(f" {num(expected[('jpt', d, '')])} / 34,227 ")


def test_downgrade_to_0004_and_up_again_keeps_the_data(old_db, make_app, fake_line):
    with old_db.begin() as conn:
        old = fill(conn, n_entries=120, seed=9)
        sync_sequences(conn)
    rows = snapshot(old_db)
    migrate(old_db)
    downgrade(old_db, "0004")
    assert version(old_db) == "0004"
    assert snapshot(old_db) == rows
    with old_db.connect() as conn:
        assert conn.execute(sa.text("SELECT key FROM plans WHERE active")).scalar() == \
            "ratchaburi-2565"
        cols = {c["name"] for c in sa.inspect(conn).get_columns("groups")}
        assert "province_key" not in cols
    migrate(old_db)
    assert version(old_db) == head(old_db)
    assert snapshot(old_db) == rows
    app = make_app()
    chat = Chat(app, fake_line)
    got = blocks(chat.say("ยอด แบบข้อความ", user="Uofficer01",
                          group=GROUP_OF[OFFICERS["Uofficer01"]]))
    assert got["จปฐ."].startswith(f" {num(old.done[('jpt', OFFICERS['Uofficer01'], '')])} ")


def test_downgrade_keeps_the_pinned_plan_active(old_db, make_app, tmp_path):
    """Two years loaded after the upgrade, the older pinned: 0004's one active plan is it."""
    with old_db.begin() as conn:
        fill(conn, n_entries=20, with_rest=False)
        sync_sequences(conn)
    migrate(old_db)
    app = make_app()
    nxt = tmp_path / "ratchaburi-2566.yaml"
    nxt.write_text(PLAN_TEXT.replace("key: ratchaburi-2565", "key: ratchaburi-2566")
                   .replace("fiscal_year: 2565", "fiscal_year: 2566"), encoding="utf-8")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["plan", "load", str(nxt)]).exit_code == 0
    assert runner.invoke(args=["plan", "use", "ratchaburi", "2565"]).exit_code == 0
    app.extensions["nongpat"].engine.dispose()
    downgrade(old_db, "0004")
    with old_db.connect() as conn:
        assert conn.execute(sa.text("SELECT key FROM plans WHERE active")).all() == \
            [("ratchaburi-2565",)]
        assert conn.execute(sa.text("SELECT count(*) FROM plans")).scalar() == 2
    migrate(old_db)
    with old_db.connect() as conn:
        rows = conn.execute(sa.text("SELECT key, province_key, fiscal_year, pinned FROM plans "
                                    "ORDER BY id")).all()
    # back up: the active one is pinned again (the province has two plans)
    assert [tuple(r) for r in rows] == [("ratchaburi-2565", "ratchaburi", 2565, True),
                                        ("ratchaburi-2566", "ratchaburi", 2566, False)]


LONG_KEY = ("ratchaburi-2565-copy-for-the-april-training-of-new-officers-" + "x" * 64)[:64]


@pytest.mark.parametrize("other", ["test-copy", "long-test-copy", "next-year"])
def test_an_old_database_with_two_plans_keeps_the_active_one_current(
        old_db, make_app, fake_line, other):
    """0004 kept every plan ever loaded, one active. ``test-copy``: an earlier copy of the same
    province and year under another key (the new unique constraint must not refuse the
    upgrade; ``long-test-copy``: a key of 64 characters); ``next-year``: the next year's plan
    loaded and then the 2565 one again. Either way the active plan stays the current one, even
    once the calendar reaches the other's year, and the other plan's entries are kept. A copy
    set apart is no second province: the deployment still has one (binding by district name,
    the only province's plan for the web and reminders)."""
    copy_text = PLAN_TEXT.replace("key: ratchaburi-2565", "key: ratchaburi-2565-test")
    if other == "long-test-copy":
        assert len(LONG_KEY) == 64
        copy_text = PLAN_TEXT.replace("key: ratchaburi-2565", f"key: {LONG_KEY}")
    if other == "next-year":
        copy_text = PLAN_TEXT.replace("key: ratchaburi-2565", "key: ratchaburi-2566") \
            .replace("fiscal_year: 2565", "fiscal_year: 2566")
    with old_db.begin() as conn:
        copy = fill(conn, plan_id=1, key=copy_text.split("key: ")[1].split("\n")[0],
                    text=copy_text, active=False, n_entries=15, with_rest=False,
                    loaded_at=at(days=80), event_prefix="01CPY")
        old = fill(conn, plan_id=2, n_entries=200, seed=11, loaded_at=at(days=60))
        sync_sequences(conn)
    before, rows = counts(old_db), snapshot(old_db)
    migrate(old_db)
    assert counts(old_db) == before and snapshot(old_db) == rows
    with old_db.connect() as conn:
        plans = {r.id: r for r in conn.execute(sa.text(
            "SELECT id, key, province_key, fiscal_year, pinned FROM plans"))}
        groups = conn.execute(sa.text("SELECT DISTINCT province_key FROM groups "
                                      "WHERE scope IS NOT NULL")).scalars().all()
    assert (plans[2].key, plans[2].province_key, plans[2].fiscal_year) == \
        ("ratchaburi-2565", "ratchaburi", 2565)
    assert groups == ["ratchaburi"]
    if other != "next-year":  # set apart, not lost
        assert plans[1].province_key.startswith("ratchaburi~") and plans[1].fiscal_year == 2565
        assert len(plans[1].province_key) <= 64
        assert not plans[2].pinned
    else:                     # the same province's next year: the active 2565 is pinned
        assert (plans[1].province_key, plans[1].fiscal_year) == ("ratchaburi", 2566)
        assert plans[2].pinned and not plans[1].pinned

    for when in (NOW, dt.datetime(2022, 10, 3, 10, 0, tzinfo=BANGKOK)):  # FY 2565, FY 2566
        app = make_app(CLOCK=fixed_clock(when))
        svc = app.extensions["nongpat"]
        with svc.read_sessions() as s:
            assert svc.bot.current_plan(s, "ratchaburi").id == 2
        chat = Chat(app, fake_line)
        for d in DISTRICTS[:3]:
            got = blocks(chat.say("ยอด แบบข้อความ", user="Uofficer00", group=GROUP_OF[d]))
            assert got["จปฐ."].startswith(f" {num(old.done[('jpt', d, '')])} "), (when, d)
    reply = chat.say("บันทึก จปฐ 10 ครัวเรือน", user="Uofficer01", group=GROUP_OF["ban-pong"])
    assert "บันทึกแล้ว" in reply
    svc = app.extensions["nongpat"]
    with svc.read_sessions() as s:
        catalog = svc.bot.plans.get(s)
    assert catalog.province_keys() == ["ratchaburi"] and catalog.only_province == "ratchaburi"
    assert len(catalog) == 2
    # one province still: a district's name binds a new group, "province" is Ratchaburi
    assert "ผูกกลุ่มนี้กับอำเภอบ้านโป่ง" in chat.say("ผูกกลุ่ม อำเภอบ้านโป่ง", user=ADMIN,
                                                   group="Cnew-banpong")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["groups", "bind", "Cnew2", "ban-pong"]).exit_code == 0
    assert runner.invoke(args=["groups", "bind", "Cnew3", "province"]).exit_code == 0
    listed = runner.invoke(args=["plan", "list"]).output
    assert "2 แผน, 1 จังหวัด" in listed
    if other != "next-year":
        assert "แยกไว้ (สำเนาเก่า)" in listed
    with old_db.connect() as conn:
        assert set(conn.execute(sa.text("SELECT province_key FROM groups WHERE group_id LIKE "
                                        "'Cnew%'")).scalars()) == {"ratchaburi"}
    with old_db.connect() as conn:
        assert conn.execute(sa.text("SELECT plan_id FROM entries ORDER BY id DESC")).first() \
            == (2,)
        kept = conn.execute(sa.text("SELECT count(*) FROM entries WHERE plan_id = 1")).scalar()
    assert kept == len(copy.entries)
