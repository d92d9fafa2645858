"""The whole department on one deployment: 76 provinces, ~878 districts, 7,000 officers.

    BENCH_SECONDS=60 python bench/department.py [--rate 100] [--dup-share 0.1]
                                                 [--line-latency-ms 50] [--fail-rate 0.05]

On PostgreSQL ($TEST_DATABASE_URL, default the local server), in a schema of its own dropped at
the end:
1. 76 made-up plans of fiscal year 2565 (``bot.core.madeup``: Ratchaburi's shape, MADE-UP
   targets), one per province, with the provinces' real Thai names and romanised keys; districts
   by their real names where this file knows them (``REAL_DISTRICTS``), else the province's
   อำเภอเมือง first and ``อำเภอที่ n`` (key ``dNN``) after it — the real number of districts of
   each province, 878 in all. (Each generated file's second line says its district names are
   real: for the ``อำเภอที่ n`` ones they are not; the files live in a temporary folder.)
2. a LINE group per district and per province, bound with ``models.queries.bind_group``;
   7,000 officers (LINE userIds), each working in one district's group;
3. our web app (``wsgi:app``) under gunicorn, 2 workers, pointed at the fake LINE server
   (``bot.line.fakeline``; it answers replies, pushes and profiles in ``--line-latency-ms``);
4. the burst: ``--rate`` signed log events per second (บันทึก จปฐ n ครัวเรือน) for
   ``BENCH_SECONDS`` (60) from officers all over the country, each in their district's group;
   ``--dup-share`` of them delivered a second time a little later (same webhookEventId,
   isRedelivery true). Open loop (``bench.webhook.fixed_rate``): a response time counts from
   when the event was due. Then every district's จปฐ. counter in ``progress`` must equal the
   sum of the amounts of the unique events sent to it: ``duplicates`` = households counted
   beyond that, ``lost`` = households missing (and, per event, the entries table is checked);
5. the VmRSS of each warmed worker (every province's plan and parser; the burst touched them
   all) → ``rss_mb`` is the larger;
6. one reminder round (``reminders.rounds.Rounds``) for every bound group on 22 Apr 2022 (a
   day every group has something to hear: จปฐ. closes in 7 days) against a fake LINE that
   answers each push in 50 ms and fails ``--fail-rate`` of them with 500 → ``reminders_s``;
   every group must get exactly one push (``duplicates`` and ``lost`` count those too).

Prints a human-readable block, then last:
``department provinces=<p> districts=<d> groups=<g> officers=<o> burst_eps=<a> p99_ms=<b>
reminders_s=<c> duplicates=<k> lost=<l> rss_mb=<m>``. Goals: p99 ≤ 100 ms, reminders ≤ 20 s,
0 duplicates, 0 lost, a worker ≤ 200 MB.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import logging
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from bot.core.madeup import write_made_up  # noqa: E402

PG = os.environ.get("TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
FISCAL_YEAR = 2565
REMINDER_DAY = dt.date(2022, 4, 22)   # 7 days before จปฐ. closes (made-up plans keep the dates)

# The 76 provinces (Bangkok, not a province, has no provincial community development office):
# (romanised key, Thai name, number of districts). 878 districts in all.
PROVINCES: list[tuple[str, str, int]] = [
    # north
    ("chiang-mai", "เชียงใหม่", 25), ("chiang-rai", "เชียงราย", 18), ("lampang", "ลำปาง", 13),
    ("lamphun", "ลำพูน", 8), ("mae-hong-son", "แม่ฮ่องสอน", 7), ("nan", "น่าน", 15),
    ("phayao", "พะเยา", 9), ("phrae", "แพร่", 8), ("uttaradit", "อุตรดิตถ์", 9),
    ("tak", "ตาก", 9), ("sukhothai", "สุโขทัย", 9), ("phitsanulok", "พิษณุโลก", 9),
    ("phichit", "พิจิตร", 12), ("kamphaeng-phet", "กำแพงเพชร", 11),
    ("phetchabun", "เพชรบูรณ์", 11), ("nakhon-sawan", "นครสวรรค์", 15),
    ("uthai-thani", "อุทัยธานี", 8),
    # north-east
    ("nakhon-ratchasima", "นครราชสีมา", 32), ("buri-ram", "บุรีรัมย์", 23),
    ("surin", "สุรินทร์", 17), ("si-sa-ket", "ศรีสะเกษ", 22),
    ("ubon-ratchathani", "อุบลราชธานี", 25), ("yasothon", "ยโสธร", 9),
    ("chaiyaphum", "ชัยภูมิ", 16), ("amnat-charoen", "อำนาจเจริญ", 7),
    ("bueng-kan", "บึงกาฬ", 8), ("nong-bua-lam-phu", "หนองบัวลำภู", 6),
    ("khon-kaen", "ขอนแก่น", 26), ("udon-thani", "อุดรธานี", 20), ("loei", "เลย", 14),
    ("nong-khai", "หนองคาย", 9), ("maha-sarakham", "มหาสารคาม", 13),
    ("roi-et", "ร้อยเอ็ด", 20), ("kalasin", "กาฬสินธุ์", 18),
    ("sakon-nakhon", "สกลนคร", 18), ("nakhon-phanom", "นครพนม", 12),
    ("mukdahan", "มุกดาหาร", 7),
    # centre
    ("samut-prakan", "สมุทรปราการ", 6), ("nonthaburi", "นนทบุรี", 6),
    ("pathum-thani", "ปทุมธานี", 7), ("phra-nakhon-si-ayutthaya", "พระนครศรีอยุธยา", 16),
    ("ang-thong", "อ่างทอง", 7), ("lop-buri", "ลพบุรี", 11), ("sing-buri", "สิงห์บุรี", 6),
    ("chai-nat", "ชัยนาท", 8), ("saraburi", "สระบุรี", 13), ("nakhon-nayok", "นครนายก", 4),
    ("suphan-buri", "สุพรรณบุรี", 10), ("nakhon-pathom", "นครปฐม", 7),
    ("samut-sakhon", "สมุทรสาคร", 3), ("samut-songkhram", "สมุทรสงคราม", 3),
    # east
    ("chon-buri", "ชลบุรี", 11), ("rayong", "ระยอง", 8), ("chanthaburi", "จันทบุรี", 10),
    ("trat", "ตราด", 7), ("chachoengsao", "ฉะเชิงเทรา", 11),
    ("prachin-buri", "ปราจีนบุรี", 7), ("sa-kaeo", "สระแก้ว", 9),
    # west
    ("ratchaburi", "ราชบุรี", 10), ("kanchanaburi", "กาญจนบุรี", 13),
    ("phetchaburi", "เพชรบุรี", 8), ("prachuap-khiri-khan", "ประจวบคีรีขันธ์", 8),
    # south
    ("chumphon", "ชุมพร", 8), ("ranong", "ระนอง", 5), ("surat-thani", "สุราษฎร์ธานี", 19),
    ("phang-nga", "พังงา", 8), ("phuket", "ภูเก็ต", 3), ("krabi", "กระบี่", 8),
    ("nakhon-si-thammarat", "นครศรีธรรมราช", 23), ("trang", "ตรัง", 10),
    ("phatthalung", "พัทลุง", 11), ("satun", "สตูล", 7), ("songkhla", "สงขลา", 16),
    ("pattani", "ปัตตานี", 12), ("yala", "ยะลา", 8), ("narathiwat", "นราธิวาส", 13),
]

# Provinces whose districts this file names for real (อำเภอเมือง first); the others get
# ``อำเภอที่ n`` after their อำเภอเมือง.
REAL_DISTRICTS: dict[str, list[tuple[str, str]]] = {
    "ratchaburi": [
        ("mueang-ratchaburi", "เมืองราชบุรี"), ("ban-pong", "บ้านโป่ง"), ("photharam", "โพธาราม"),
        ("damnoen-saduak", "ดำเนินสะดวก"), ("bang-phae", "บางแพ"), ("pak-tho", "ปากท่อ"),
        ("chom-bueng", "จอมบึง"), ("wat-phleng", "วัดเพลง"), ("suan-phueng", "สวนผึ้ง"),
        ("ban-kha", "บ้านคา")],
    "kanchanaburi": [
        ("mueang-kanchanaburi", "เมืองกาญจนบุรี"), ("sai-yok", "ไทรโยค"), ("bo-phloi", "บ่อพลอย"),
        ("si-sawat", "ศรีสวัสดิ์"), ("tha-maka", "ท่ามะกา"), ("tha-muang", "ท่าม่วง"),
        ("thong-pha-phum", "ทองผาภูมิ"), ("sangkhla-buri", "สังขละบุรี"),
        ("phanom-thuan", "พนมทวน"), ("lao-khwan", "เลาขวัญ"),
        ("dan-makham-tia", "ด่านมะขามเตี้ย"), ("nong-prue", "หนองปรือ"),
        ("huai-krachao", "ห้วยกระเจา")],
    "nakhon-pathom": [
        ("mueang-nakhon-pathom", "เมืองนครปฐม"), ("kamphaeng-saen", "กำแพงแสน"),
        ("nakhon-chai-si", "นครชัยศรี"), ("don-tum", "ดอนตูม"), ("bang-len", "บางเลน"),
        ("sam-phran", "สามพราน"), ("phutthamonthon", "พุทธมณฑล")],
    "samut-songkhram": [
        ("mueang-samut-songkhram", "เมืองสมุทรสงคราม"), ("bang-khonthi", "บางคนที"),
        ("amphawa", "อัมพวา")],
    "samut-sakhon": [
        ("mueang-samut-sakhon", "เมืองสมุทรสาคร"), ("krathum-baen", "กระทุ่มแบน"),
        ("ban-phaeo", "บ้านแพ้ว")],
    "phetchaburi": [
        ("mueang-phetchaburi", "เมืองเพชรบุรี"), ("khao-yoi", "เขาย้อย"),
        ("nong-ya-plong", "หนองหญ้าปล้อง"), ("cha-am", "ชะอำ"), ("tha-yang", "ท่ายาง"),
        ("ban-lat", "บ้านลาด"), ("ban-laem", "บ้านแหลม"), ("kaeng-krachan", "แก่งกระจาน")],
    "prachuap-khiri-khan": [
        ("mueang-prachuap-khiri-khan", "เมืองประจวบคีรีขันธ์"), ("kui-buri", "กุยบุรี"),
        ("thap-sakae", "ทับสะแก"), ("bang-saphan", "บางสะพาน"),
        ("bang-saphan-noi", "บางสะพานน้อย"), ("pran-buri", "ปราณบุรี"), ("hua-hin", "หัวหิน"),
        ("sam-roi-yot", "สามร้อยยอด")],
    "suphan-buri": [
        ("mueang-suphan-buri", "เมืองสุพรรณบุรี"), ("doem-bang-nang-buat", "เดิมบางนางบวช"),
        ("dan-chang", "ด่านช้าง"), ("bang-pla-ma", "บางปลาม้า"), ("si-prachan", "ศรีประจันต์"),
        ("don-chedi", "ดอนเจดีย์"), ("song-phi-nong", "สองพี่น้อง"), ("sam-chuk", "สามชุก"),
        ("u-thong", "อู่ทอง"), ("nong-ya-sai", "หนองหญ้าไซ")],
    "nonthaburi": [
        ("mueang-nonthaburi", "เมืองนนทบุรี"), ("bang-kruai", "บางกรวย"), ("bang-yai", "บางใหญ่"),
        ("bang-bua-thong", "บางบัวทอง"), ("sai-noi", "ไทรน้อย"), ("pak-kret", "ปากเกร็ด")],
    "samut-prakan": [
        ("mueang-samut-prakan", "เมืองสมุทรปราการ"), ("bang-bo", "บางบ่อ"),
        ("bang-phli", "บางพลี"), ("phra-pradaeng", "พระประแดง"),
        ("phra-samut-chedi", "พระสมุทรเจดีย์"), ("bang-sao-thong", "บางเสาธง")],
    "pathum-thani": [
        ("mueang-pathum-thani", "เมืองปทุมธานี"), ("khlong-luang", "คลองหลวง"),
        ("thanyaburi", "ธัญบุรี"), ("nong-suea", "หนองเสือ"), ("lat-lum-kaeo", "ลาดหลุมแก้ว"),
        ("lam-luk-ka", "ลำลูกกา"), ("sam-khok", "สามโคก")],
    "nakhon-nayok": [
        ("mueang-nakhon-nayok", "เมืองนครนายก"), ("pak-phli", "ปากพลี"), ("ban-na", "บ้านนา"),
        ("ongkharak", "องครักษ์")],
    "sing-buri": [
        ("mueang-sing-buri", "เมืองสิงห์บุรี"), ("bang-rachan", "บางระจัน"),
        ("khai-bang-rachan", "ค่ายบางระจัน"), ("phrom-buri", "พรหมบุรี"),
        ("tha-chang", "ท่าช้าง"), ("in-buri", "อินทร์บุรี")],
    "phuket": [("mueang-phuket", "เมืองภูเก็ต"), ("kathu", "กะทู้"), ("thalang", "ถลาง")],
}
# The one province whose capital district is not called เมือง…: อำเภอพระนครศรีอยุธยา.
CAPITAL: dict[str, tuple[str, str]] = {
    "phra-nakhon-si-ayutthaya": ("phra-nakhon-si-ayutthaya", "พระนครศรีอยุธยา"),
}


def districts_of(province_key: str, name: str, count: int) -> list[tuple[str, str]]:
    """(key, Thai name) of the province's districts, its capital district first."""
    real = REAL_DISTRICTS.get(province_key)
    if real is not None:
        assert len(real) == count, province_key
        return list(real)
    first = CAPITAL.get(province_key, (f"mueang-{province_key}", f"เมือง{name}"))
    return [first] + [(f"d{n:02d}", f"อำเภอที่ {n}") for n in range(2, count + 1)]


def write_plans(directory: Path, fiscal_year: int = FISCAL_YEAR) -> list[Path]:
    """One made-up plan per province into ``directory``."""
    return [write_made_up(directory, key, name, fiscal_year, districts_of(key, name, n), seed=1)
            for key, name, n in PROVINCES]


# --------------------------------------------------------------------------- the department
OFFICERS = 7000


def bind_everything(url: str, officers: int = 7000, seed: int = 3):
    """A group per district and per province, bound; ``officers`` each in a district.
    Returns ({group: (province, district|None)}, {officer: district group})."""
    from bot.db import make_engine, make_sessionmaker
    from models.queries import bind_group
    rng = random.Random(seed)
    groups: dict[str, tuple[str, str | None]] = {}
    for key, name, n in PROVINCES:
        for dkey, _ in districts_of(key, name, n):
            groups[f"C{uuid.UUID(int=rng.getrandbits(128)).hex}"] = (key, dkey)
        groups[f"C{uuid.UUID(int=rng.getrandbits(128)).hex}"] = (key, None)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        with sessions() as s, s.begin():
            for gid, (province, district) in groups.items():
                bind_group(s, gid, "district" if district else "province", district, "bench",
                           province_key=province)
    finally:
        engine.dispose()
    district_groups = [g for g, (_, d) in groups.items() if d]
    officers = {f"U{uuid.UUID(int=rng.getrandbits(128)).hex}":
                district_groups[k % len(district_groups)] for k in range(officers)}
    return groups, officers


def plan_burst(groups, officers, n: int, dup_share: float, seed: int, tag: str,
               used: set[tuple[str, int]]):
    """``n`` log events from officers all over the country, and ``dup_share`` of them again as
    LINE redelivers (same id, isRedelivery true) 50–400 posts later; ``used``: the (officer,
    amount) pairs already sent (the same log twice from one officer is asked about, not
    counted). Returns (posts in order,
    {(province, district): households expected}, {event ids sent})."""
    from tests.prod._support import redelivered, text_event
    rng = random.Random(seed)
    names = list(officers)
    expected: dict[tuple[str, str], int] = collections.Counter()
    firsts, ids = [], set()
    for i in range(n):
        officer = rng.choice(names)
        amount = rng.randint(1, 60)
        while (officer, amount) in used:   # the same log twice from one officer is asked about
            amount += 1
        used.add((officer, amount))
        gid = officers[officer]
        eid = f"01{tag}{i:08d}{uuid.UUID(int=rng.getrandbits(128)).hex[:14].upper()}"
        firsts.append(text_event(f"บันทึก จปฐ {amount} ครัวเรือน", officer, gid, eid=eid))
        expected[groups[gid]] += amount
        ids.add(eid)
    slots: list[tuple[float, int, dict]] = [(float(i), 0, ev) for i, ev in enumerate(firsts)]
    for i, ev in enumerate(firsts):
        if rng.random() < dup_share:
            slots.append((i + rng.uniform(50, 400), 1, redelivered(ev)))
    slots.sort(key=lambda s: (s[0], s[1]))
    return [ev for _, _, ev in slots], dict(expected), ids


def check_totals(url: str, expected: dict[tuple[str, str], int], ids: set[str]) -> dict:
    """The จปฐ. counters against the unique events' amounts; the entries against the ids."""
    from sqlalchemy import text

    from bot.db import make_engine
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            done = {(p, d): int(n) for p, d, n in conn.execute(text(
                "SELECT pl.province_key, pr.district_key, pr.done FROM progress pr "
                "JOIN plans pl ON pl.id = pr.plan_id "
                "WHERE pr.indicator_key = 'jpt' AND pr.category_key = ''"))}
            per_event = collections.Counter(e for (e,) in conn.execute(text(
                "SELECT event_id FROM entries WHERE undone_at IS NULL")))
    finally:
        engine.dispose()
    extra = sum(max(0, done.get(k, 0) - v) for k, v in expected.items()) + sum(
        n for k, n in done.items() if k not in expected)
    missing = sum(max(0, v - done.get(k, 0)) for k, v in expected.items())
    return {"extra_households": extra, "missing_households": missing,
            "districts_checked": len(expected),
            "districts_off": sum(1 for k, v in expected.items() if done.get(k, 0) != v),
            "events_twice": sum(n - 1 for e, n in per_event.items() if n > 1),
            "events_lost": len(ids - set(per_event)),
            "entries_unknown": len(set(per_event) - ids)}


def machine_busy(since: dict | None = None) -> dict:
    """/proc/stat's cpu line; with ``since``, the share of time busy and stolen in between."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    now = {"total": sum(f[:8]), "idle": f[3] + f[4], "steal": f[7]}
    if since is None:
        return now
    total = max(1, now["total"] - since["total"])
    return {"busy": 1 - (now["idle"] - since["idle"]) / total,
            "steal": (now["steal"] - since["steal"]) / total,
            "span": total / os.sysconf("SC_CLK_TCK")}   # CPU-seconds of every core


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process on the machine (ours and anyone else's), with
    those of the backends that have ended (the postmaster's children's time)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                stat = (p / "stat").read_text()
            except OSError:
                continue
            if stat.split(" (", 1)[1].startswith("postgres"):
                fields = stat.rsplit(")", 1)[1].split()
                total += sum(int(f) for f in fields[11:15])
    return total / tick


def own_cpu() -> float:
    """User + system CPU seconds of this process (the load generator and the fake LINE)."""
    import resource
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# --------------------------------------------------------------------------- reminders
def reminder_round(url: str, groups: dict, latency: float, fail_rate: float) -> dict:
    """One round for every bound group against a fake LINE answering pushes in ``latency`` s and
    failing ``fail_rate`` of them with 500: seconds, and pushes per group."""
    from bot.db import make_engine, make_sessionmaker
    from bot.line.client import Line
    from bot.line.fakeline import FakeLine
    from reminders.rounds import Rounds, Settings

    fake = FakeLine(check_messages=False).start()
    engine = make_engine(url)
    try:
        fake.delay["push"] = latency
        fake.fail_rate["push"] = (500, fail_rate)
        sessions = make_sessionmaker(engine)
        rounds = Rounds(engine, sessions, Line(fake.url, "bench-token",
                                               data_base_url=fake.data_url),
                        settings=Settings())
        t0, busy0, own0 = time.perf_counter(), machine_busy(), own_cpu()
        report = rounds.run(REMINDER_DAY)
        seconds = time.perf_counter() - t0
        busy, own = machine_busy(busy0), own_cpu() - own0
        with fake.lock:
            per_group = collections.Counter(p.to for p in fake.pushes)
            injected = sum(1 for _, p in fake.requests if p == "/v2/bot/message/push") - len(
                fake.pushes)
    finally:
        engine.dispose()
        fake.stop()
    return {"seconds": seconds, "summary": report.summary(), "injected_500": injected,
            "cpu": f"the round's process {own:.1f} CPU s; the machine's 2 cores "
                   f"{busy['busy']:.0%} busy, load average {os.getloadavg()[0]:.1f}",
            "duplicates": sum(n - 1 for n in per_group.values() if n > 1),
            "lost": sum(1 for g in groups if per_group.get(g, 0) == 0),
            "unknown": sum(1 for g in per_group if g not in groups)}


# --------------------------------------------------------------------------- main
def main() -> int:
    global PROVINCES
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=100, help="unique log events per second")
    ap.add_argument("--dup-share", type=float, default=0.1)
    ap.add_argument("--line-latency-ms", type=float, default=50,
                    help="how long the fake LINE takes per reply, push and profile")
    ap.add_argument("--fail-rate", type=float, default=0.05, help="pushes answered 500")
    ap.add_argument("--provinces", type=int, default=len(PROVINCES),
                    help="only the first N provinces (1: the single-province path, to compare)")
    ap.add_argument("--officers", type=int, default=OFFICERS,
                    help="fewer officers: fewer first messages of the day (display-name fetches)")
    ap.add_argument("--skip-reminders", action="store_true")
    args = ap.parse_args()
    seconds = float(os.environ.get("BENCH_SECONDS", "60"))
    logging.basicConfig(level=logging.ERROR)
    PROVINCES = PROVINCES[:args.provinces]

    from bench.webhook import cpu_seconds, fixed_rate, rss
    from bot.db import ensure_database, make_engine
    from bot.line.fakeline import FakeLine
    from tests.helpers import drop_schema, pg_schema
    from tests.prod._support import Gunicorn, pct, server_env

    tmp = Path(tempfile.mkdtemp(prefix="bench-department-"))
    url, schema = pg_schema(PG, prefix="bench_dept_")
    fake = FakeLine(check_messages=False).start()
    latency = args.line_latency_ms / 1000
    for kind in ("reply", "push", "profile"):
        fake.delay[kind] = latency
    out: dict = {}
    try:
        t0 = time.perf_counter()
        plans_dir = tmp / "plans"
        plans_dir.mkdir()
        files = write_plans(plans_dir)
        engine = make_engine(url)
        try:
            ensure_database(engine, plans_dir)
        finally:
            engine.dispose()
        groups, officers = bind_everything(url, args.officers)
        n_districts = sum(1 for _, d in groups.values() if d)
        print(f"set-up: {len(files)} plans, {n_districts} districts, {len(groups)} groups, "
              f"{len(officers)} officers in {time.perf_counter() - t0:.1f} s "
              f"(PostgreSQL schema {schema})", flush=True)

        env = server_env(url, fake.url, fake.data_url, PLAN_FILE=str(plans_dir))
        t0 = time.perf_counter()
        web = Gunicorn(env, workers=2, log_path=tmp / "web.log")
        try:
            web.start(timeout=600)
            boot = time.perf_counter() - t0
            rss_boot = rss(web)
            print(f"web: 2 workers ready in {boot:.1f} s (every plan's parser built at boot); "
                  f"worker VmRSS {rss_boot} MB", flush=True)
            # warm-up: connections and pools of every worker thread (not measured; counted)
            used: set[tuple[str, int]] = set()
            warm, expected, ids = plan_burst(groups, officers, 200, 0.0, 11, "W", used)
            fixed_rate(web.port, warm, 100)
            n = int(args.rate * seconds)
            posts, exp2, ids2 = plan_burst(groups, officers, n, args.dup_share, 12, "B", used)
            for k, v in exp2.items():
                expected[k] = expected.get(k, 0) + v
            ids |= ids2
            busy0, cpu0, own0, pg0 = (machine_busy(), cpu_seconds(web.worker_pids()),
                                      own_cpu(), postgres_cpu())
            lat, statuses, achieved = fixed_rate(web.port, posts, len(posts) / seconds)
            busy, cpu = machine_busy(busy0), cpu_seconds(web.worker_pids()) - cpu0
            own, pg = own_cpu() - own0, postgres_cpu() - pg0
            p50, p99 = pct(lat, 50) * 1e3, pct(lat, 99) * 1e3
            unique_eps = achieved * n / len(posts)   # the unique events' share of the posts
            print(f"burst: {n} log events + {len(posts) - n} redeliveries in {seconds:.0f} s "
                  f"({len(posts) / seconds:.0f} posts/s asked, {achieved:.0f}/s achieved), "
                  f"{len({e['source']['groupId'] for e in posts})} district groups, "
                  f"{len({e['source']['userId'] for e in posts})} officers; "
                  f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(lat) * 1e3:.0f} ms; "
                  f"statuses {statuses}", flush=True)
            print(f"cpu: workers {cpu / len(posts) * 1e3:.2f} ms per post; the machine's 2 cores "
                  f"{busy['busy']:.0%} busy during the burst ({busy['steal']:.0%} stolen): "
                  f"workers {cpu / busy['span']:.0%}, this process (load, fake LINE) "
                  f"{own / busy['span']:.0%}, PostgreSQL (all its clients) "
                  f"{pg / busy['span']:.0%}, other work on the machine "
                  f"{busy['busy'] - (cpu + own + pg) / busy['span']:.0%} of the 2 cores; "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            replied = fake.wait_for(lambda f: len(f.replies) >= len(ids), 120)
            print(f"replies at LINE: {len(fake.replies)} for {len(ids)} unique events"
                  f"{'' if replied else ' (NOT ALL within 120 s)'}", flush=True)
            totals = check_totals(url, expected, ids)
            print(f"totals: {totals['districts_checked']} districts checked, "
                  f"{totals['districts_off']} off; households counted twice "
                  f"{totals['extra_households']}, missing {totals['missing_households']}; "
                  f"events with two entries {totals['events_twice']}, events without an entry "
                  f"{totals['events_lost']}", flush=True)
            rss_after = rss(web)
            print(f"memory: worker VmRSS after the burst {rss_after} MB ({len(files)} plans "
                  "and parsers)", flush=True)
        finally:
            web.stop()
        if args.skip_reminders:
            rem = {"seconds": float("nan"), "duplicates": 0, "lost": 0, "summary": "skipped",
                   "injected_500": 0, "unknown": 0, "cpu": "-"}
        else:
            rem = reminder_round(url, groups, 0.05, args.fail_rate)
        print(f"reminders: {len(groups)} groups in {rem['seconds']:.2f} s; {rem['summary']}; "
              f"pushes answered 500 and retried {rem['injected_500']}; pushes twice to a group "
              f"{rem['duplicates']}, groups without one {rem['lost']}; {rem['cpu']}", flush=True)
        out = {"provinces": len(files), "districts": n_districts, "groups": len(groups),
               "officers": len(officers), "burst_eps": unique_eps, "p99_ms": p99,
               "reminders_s": rem["seconds"],
               "duplicates": totals["extra_households"] + totals["events_twice"]
               + rem["duplicates"],
               "lost": totals["missing_households"] + totals["events_lost"] + rem["lost"],
               "rss_mb": max(rss_after)}
    finally:
        fake.stop()
        drop_schema(PG, schema)
    goals = [("webhook p99 ≤ 100 ms", out["p99_ms"] <= 100),
             ("reminder round ≤ 20 s", out["reminders_s"] <= 20),
             ("0 duplicates", out["duplicates"] == 0), ("0 lost", out["lost"] == 0),
             ("worker ≤ 200 MB", out["rss_mb"] <= 200)]
    print()
    print(f"department, {out['provinces']} provinces on one deployment (PostgreSQL, gunicorn "
          "2 workers):")
    print(f"  provinces {out['provinces']}, districts {out['districts']}, groups "
          f"{out['groups']}, officers {out['officers']}")
    print(f"  burst: {out['burst_eps']:.1f} unique log events/s (+{args.dup_share:.0%} "
          f"redelivered), webhook p99 {out['p99_ms']:.1f} ms")
    print(f"  reminder round for every group: {out['reminders_s']:.2f} s")
    print(f"  duplicates {out['duplicates']}, lost {out['lost']} (households in the counters, "
          f"events in entries, pushes per group)")
    print(f"  largest warmed worker: {out['rss_mb']:.1f} MB")
    for name, ok in goals:
        print(f"  goal {name}: {'met' if ok else 'NOT MET'}")
    print(f"department provinces={out['provinces']} districts={out['districts']} "
          f"groups={out['groups']} officers={out['officers']} burst_eps={out['burst_eps']:.1f} "
          f"p99_ms={out['p99_ms']:.1f} reminders_s={out['reminders_s']:.2f} "
          f"duplicates={out['duplicates']} lost={out['lost']} rss_mb={out['rss_mb']:.1f}")
    return 0 if all(ok for _, ok in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
