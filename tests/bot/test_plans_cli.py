"""Many plans, operated from the command line: PLAN_FILE naming a directory or several files,
flask plan load (add a province or a year, replace one, refuse a key clash), flask plan use and
--auto, the current plan by date across 30 Sep / 1 Oct, flask plan list, and flask groups bind
with one province and with several.

Ratchaburi 2565 is the real plan; the others are made up (bot/core/madeup.py).
"""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import func, select

from bot.config import DEFAULT_PLAN
from bot.core.madeup import write_made_up
from bot.core.plan import PlanError
from bot.timeutil import BANGKOK, clock_from_env, fixed_clock
from models import Entry, Group, PlanRecord, Progress
from models.queries import counters
from tests.helpers import Chat, entry_count

KANCHANABURI = [("mueang", "เมืองกาญจนบุรี"), ("tha-muang", "ท่าม่วง"), ("tha-maka", "ท่ามะกา")]
NAKHON_PATHOM = [("mueang", "เมืองนครปฐม"), ("kamphaeng-saen", "กำแพงแสน"), ("bang-len", "บางเลน")]
RATCHABURI_KEYS = ("mueang-ratchaburi, ban-pong, photharam, damnoen-saduak, bang-phae, pak-tho, "
                   "chom-bueng, wat-phleng, suan-phueng, ban-kha")


@pytest.fixture
def made(tmp_path):
    """Made-up plan files, outside any directory PLAN_FILE names."""
    d = tmp_path / "made"
    d.mkdir()
    return {"ratchaburi-2566": write_made_up(d, "ratchaburi", "ราชบุรี", 2566),
            "kanchanaburi-2565": write_made_up(d, "kanchanaburi", "กาญจนบุรี", 2565,
                                               KANCHANABURI),
            "nakhon-pathom-2565": write_made_up(d, "nakhon-pathom", "นครปฐม", 2565,
                                                NAKHON_PATHOM)}


@pytest.fixture
def plans_dir(tmp_path, made):
    """A directory of plans: Ratchaburi 2565 and 2566, Kanchanaburi 2565 (a .yml), and what
    must not be loaded: a text file, and a plan in a sub-directory."""
    d = tmp_path / "plans"
    d.mkdir()
    shutil.copy(DEFAULT_PLAN, d / "ratchaburi-2565.yaml")
    shutil.copy(made["ratchaburi-2566"], d / "ratchaburi-2566.yaml")
    shutil.copy(made["kanchanaburi-2565"], d / "kanchanaburi-2565.yml")
    (d / "README.txt").write_text("plans of the deployment", encoding="utf-8")
    (d / "old").mkdir()
    shutil.copy(made["nakhon-pathom-2565"], d / "old" / "nakhon-pathom-2565.yaml")
    return d


def catalog_of(app):
    svc = app.extensions["nongpat"]
    with svc.read_sessions() as s:
        return svc.bot.plans.get(s)


def plans_in(app) -> list[tuple[str, str, int, bool]]:
    with app.extensions["nongpat"].sessions() as s:
        return [tuple(r) for r in s.execute(select(
            PlanRecord.key, PlanRecord.province_key, PlanRecord.fiscal_year,
            PlanRecord.pinned).order_by(PlanRecord.province_key, PlanRecord.fiscal_year))]


def cli(app, *args: str, ok: bool = True) -> str:
    out = app.test_cli_runner().invoke(args=list(args))
    assert (out.exit_code == 0) == ok, out.output
    return out.output


def current_year(app, province: str = "ratchaburi") -> int:
    svc = app.extensions["nongpat"]
    with svc.read_sessions() as s:
        return svc.bot.current_plan(s, province).plan.fiscal_year


def progress_rows(app) -> list[tuple]:
    with app.extensions["nongpat"].sessions() as s:
        return [tuple(r) for r in s.execute(select(
            Progress.plan_id, Progress.indicator_key, Progress.district_key,
            Progress.category_key, Progress.done).order_by(
            Progress.plan_id, Progress.indicator_key, Progress.district_key,
            Progress.category_key))]


def entries(app) -> list[tuple]:
    with app.extensions["nongpat"].sessions() as s:
        return [tuple(r) for r in s.execute(select(
            Entry.id, Entry.plan_id, Entry.indicator_key, Entry.district_key, Entry.amount)
            .order_by(Entry.id))]


def log_in_ban_pong(app, fake_line, amount: int = 120) -> str:
    chat = Chat(app, fake_line)
    cli(app, "groups", "bind", "Cbanpong", "ratchaburi/ban-pong")
    return chat.say(f"บันทึก จปฐ {amount} ครัวเรือน", user="Uofficer1", group="Cbanpong")


# --------------------------------------------------------------------------- PLAN_FILE
def test_plan_file_as_a_directory_loads_every_plan_in_it(make_app, plans_dir):
    app = make_app(PLAN_FILE=str(plans_dir))
    assert plans_in(app) == [("kanchanaburi-2565", "kanchanaburi", 2565, False),
                             ("ratchaburi-2565", "ratchaburi", 2565, False),
                             ("ratchaburi-2566", "ratchaburi", 2566, False)]
    catalog = catalog_of(app)
    assert catalog.province_keys() == ["kanchanaburi", "ratchaburi"]  # Thai order of names
    assert current_year(app) == 2565 and current_year(app, "kanchanaburi") == 2565
    # every plan has its counters
    with app.extensions["nongpat"].sessions() as s:
        for r in catalog.rows:
            plan = catalog.get(r.id).plan
            n = sum(len(plan.districts) * (1 + len(i.categories)) for i in plan.indicators)
            assert s.scalar(select(func.count()).select_from(Progress)
                            .where(Progress.plan_id == r.id)) == n


def test_plan_file_as_comma_separated_files(make_app, made):
    spec = f" {DEFAULT_PLAN} ,{made['kanchanaburi-2565']},, {made['nakhon-pathom-2565']},"
    app = make_app(PLAN_FILE=spec + str(DEFAULT_PLAN))  # named twice: loaded once
    assert [p[0] for p in plans_in(app)] == ["kanchanaburi-2565", "nakhon-pathom-2565",
                                             "ratchaburi-2565"]
    assert len(catalog_of(app).province_keys()) == 3


def test_a_database_with_plans_is_left_alone_on_restart(make_app, fake_line, plans_dir, made):
    first = make_app(PLAN_FILE=str(DEFAULT_PLAN))
    assert "บันทึกแล้ว" in log_in_ban_pong(first, fake_line)
    before, rows = plans_in(first), entries(first)
    # restarted with other plans named, and with a file that is not there: nothing changes
    for spec in (str(plans_dir), f"{made['kanchanaburi-2565']}", str(plans_dir / "gone.yaml")):
        app = make_app(PLAN_FILE=spec)
        assert plans_in(app) == before == [("ratchaburi-2565", "ratchaburi", 2565, False)]
        assert entries(app) == rows and entry_count(app) == 1


def test_a_bad_plan_in_plan_file_loads_nothing(make_app, plans_dir, tmp_path):
    """The plans of an empty database are loaded in one transaction: all or none."""
    bad = plans_dir / "zz-broken.yaml"
    bad.write_text(DEFAULT_PLAN.read_text(encoding="utf-8")
                   .replace("key: ratchaburi-2565", "key: broken-2567")
                   .replace("fiscal_year: 2565", "fiscal_year: 2567")
                   .replace("ban-kha: 4972", "bankha: 4972"), encoding="utf-8")
    with pytest.raises(PlanError, match="bankha"):
        make_app(PLAN_FILE=str(plans_dir))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PlanError, match="ไม่พบไฟล์แผน"):
        make_app(PLAN_FILE=str(empty))
    bad.unlink()
    app = make_app(PLAN_FILE=str(plans_dir))
    assert len(plans_in(app)) == 3


def test_two_files_of_one_province_and_year_are_refused_not_one_silently_kept(
        make_app, plans_dir, tmp_path):
    twin = tmp_path / "copy-of-ratchaburi.yaml"
    twin.write_text(DEFAULT_PLAN.read_text(encoding="utf-8").replace(
        "key: ratchaburi-2565", "key: ratchaburi-2565-copy"), encoding="utf-8")
    with pytest.raises(PlanError, match="ปี 2565 ทั้งคู่"):
        make_app(PLAN_FILE=f"{plans_dir},{twin}")
    assert len(plans_in(make_app(PLAN_FILE=str(plans_dir)))) == 3


# --------------------------------------------------------------------------- flask plan load
def test_plan_load_adds_a_province_and_a_year_and_leaves_the_others(make_app, fake_line, made):
    app = make_app(PLAN_FILE=str(DEFAULT_PLAN))
    log_in_ban_pong(app, fake_line, 120)
    rows, progress = entries(app), progress_rows(app)

    out = cli(app, "plan", "load", str(made["kanchanaburi-2565"]))
    assert "โหลดแผน kanchanaburi-2565 (จังหวัดกาญจนบุรี ปีงบประมาณ 2565) แล้ว: 3 อำเภอ, " \
           "3 ตัวชี้วัด" in out
    assert "ยังเป็นปี" not in out  # the province's only plan is its current one
    out = cli(app, "plan", "load", str(made["ratchaburi-2566"]))
    assert "ปีงบประมาณ 2566" in out
    assert "แผนปัจจุบันของจังหวัดราชบุรี ยังเป็นปี 2565 " \
           "(ใช้ \"flask plan use ratchaburi 2566\" เพื่อเปลี่ยน)" in out
    assert plans_in(app) == [("kanchanaburi-2565", "kanchanaburi", 2565, False),
                             ("ratchaburi-2565", "ratchaburi", 2565, False),
                             ("ratchaburi-2566", "ratchaburi", 2566, False)]
    # the first plan's entries and counters are untouched; the new plans start at zero
    assert entries(app) == rows
    assert [r for r in progress_rows(app) if r[0] == 1] == progress
    assert all(r[4] == 0 for r in progress_rows(app) if r[0] != 1)
    assert current_year(app) == 2565
    # the running app answers from the same plan, and logs still count there
    chat = Chat(app, fake_line)
    assert "270 / 34,227" in chat.say("บันทึก จปฐ 150 ครัวเรือน", user="Uofficer1",
                                      group="Cbanpong")
    with app.extensions["nongpat"].sessions() as s:
        assert counters(s, 1)[("jpt", "ban-pong", "")] == 270


def test_reloading_a_province_year_replaces_its_text_and_keeps_its_entries(
        make_app, fake_line, tmp_path):
    app = make_app(PLAN_FILE=str(DEFAULT_PLAN))
    log_in_ban_pong(app, fake_line, 120)
    rows, progress = entries(app), progress_rows(app)
    text = DEFAULT_PLAN.read_text(encoding="utf-8")
    revised = tmp_path / "ratchaburi-2565-revised.yaml"
    revised.write_text(text.replace("officers: 41", "officers: 45")
                       .replace("key: ratchaburi-2565", "key: ratchaburi-2565-r2"),
                       encoding="utf-8")
    out = cli(app, "plan", "load", str(revised))
    assert "โหลดแผน ratchaburi-2565-r2 (จังหวัดราชบุรี ปีงบประมาณ 2565)" in out
    assert plans_in(app) == [("ratchaburi-2565-r2", "ratchaburi", 2565, False)]
    with app.extensions["nongpat"].sessions() as s:
        record = s.scalar(select(PlanRecord))
        assert record.id == 1 and "officers: 45" in record.source_text
    assert entries(app) == rows and progress_rows(app) == progress
    assert "(พัฒนากร 45 คน)" in cli(app, "plan", "show")
    # the running app sees the new text (same id: the entries still count)
    assert catalog_of(app).get(1).plan.officers == 45
    assert "130 / 34,227" in Chat(app, fake_line).say("บันทึก จปฐ 10 ครัวเรือน",
                                                      user="Uofficer1", group="Cbanpong")
    # loading it again changes nothing but the time
    cli(app, "plan", "load", str(revised))
    assert entries(app)[:1] == rows and len(plans_in(app)) == 1


def test_a_key_clash_with_another_plan_is_refused(make_app, made, tmp_path):
    app = make_app(PLAN_FILE=str(DEFAULT_PLAN))
    cli(app, "plan", "load", str(made["ratchaburi-2566"]))
    before = plans_in(app)
    text = made["kanchanaburi-2565"].read_text(encoding="utf-8")
    clash = tmp_path / "clash.yaml"
    clash.write_text(text.replace("key: kanchanaburi-2565", "key: ratchaburi-2565"),
                     encoding="utf-8")
    out = cli(app, "plan", "load", str(clash), ok=False)
    assert "key 'ratchaburi-2565' เป็นของแผนจังหวัดราชบุรี ปี 2565 อยู่แล้ว" in out
    # the same province, another year, under the key of this year's plan: refused too
    nxt = tmp_path / "next.yaml"
    nxt.write_text(made["ratchaburi-2566"].read_text(encoding="utf-8")
                   .replace("key: ratchaburi-2566", "key: ratchaburi-2565"), encoding="utf-8")
    out = cli(app, "plan", "load", str(nxt), ok=False)
    assert "เป็นของแผนจังหวัดราชบุรี ปี 2565" in out
    assert plans_in(app) == before
    assert cli(app, "plan", "load", str(tmp_path / "none.yaml"), ok=False)


# --------------------------------------------------------------------------- flask plan use
def test_plan_use_pins_and_auto_unpins(make_app, plans_dir):
    app = make_app(PLAN_FILE=str(plans_dir))
    assert current_year(app) == 2565
    out = cli(app, "plan", "use", "ratchaburi", "2566")
    assert "แผนปัจจุบันของจังหวัดราชบุรี: ปีงบประมาณ 2566 (ตรึงไว้)" in out
    assert current_year(app) == 2566 and current_year(app, "kanchanaburi") == 2565
    assert ("ratchaburi-2566", "ratchaburi", 2566, True) in plans_in(app)
    # a C.E. year and a Thai province name
    assert "ปีงบประมาณ 2565 (ตรึงไว้)" in cli(app, "plan", "use", "จังหวัดราชบุรี", "2022")
    assert current_year(app) == 2565
    assert [p for p in plans_in(app) if p[3]] == [("ratchaburi-2565", "ratchaburi", 2565, True)]
    assert "ปีงบประมาณ 2565 (ตามวันที่)" in cli(app, "plan", "use", "ราชบุรี", "--auto")
    assert not any(p[3] for p in plans_in(app))
    # refusals name what exists
    assert "(มี: 2565, 2566)" in cli(app, "plan", "use", "ratchaburi", "2570", ok=False)
    out = cli(app, "plan", "use", "atlantis", "2565", ok=False)
    assert "ไม่รู้จักจังหวัด 'atlantis' (มีแผนของ: kanchanaburi, ratchaburi)" in out
    assert "--auto" in cli(app, "plan", "use", "ratchaburi", ok=False)
    assert "--auto" in cli(app, "plan", "use", "ratchaburi", "2566", "--auto", ok=False)
    assert not any(p[3] for p in plans_in(app))


@pytest.mark.parametrize("moment, year", [
    (dt.datetime(2022, 9, 30, 23, 59, tzinfo=BANGKOK), 2565),
    (dt.datetime(2022, 10, 1, 0, 0, tzinfo=BANGKOK), 2566),
    (dt.datetime(2022, 9, 30, 17, 30, tzinfo=dt.timezone.utc), 2566),  # 00:30 on 1 Oct there
    (dt.datetime(2021, 10, 1, 8, 0, tzinfo=BANGKOK), 2565),
    (dt.datetime(2021, 9, 30, 8, 0, tzinfo=BANGKOK), 2565),   # before either: the earliest
    (dt.datetime(2024, 1, 15, 8, 0, tzinfo=BANGKOK), 2566),   # after both: the latest begun
])
def test_the_current_plan_follows_the_date(make_app, plans_dir, fake_line, moment, year):
    app = make_app(PLAN_FILE=str(plans_dir), CLOCK=fixed_clock(moment))
    assert current_year(app) == year
    assert f"ปีงบประมาณ {year} (พัฒนากร" in cli(app, "plan", "show", "ratchaburi")
    listed = cli(app, "plan", "list")
    assert f"ratchaburi-{year}" in [line.split()[0] for line in listed.splitlines()
                                    if line.endswith("ปัจจุบัน")]
    # a log in a Ratchaburi group counts in that plan
    chat = Chat(app, fake_line)
    cli(app, "groups", "bind", "Cbanpong", "ratchaburi/ban-pong")
    assert "บันทึกแล้ว" in chat.say("บันทึก จปฐ 12 ครัวเรือน", user="Uofficer1", group="Cbanpong")
    with app.extensions["nongpat"].sessions() as s:
        plan_id = s.scalar(select(Entry.plan_id))
        assert s.get(PlanRecord, plan_id).fiscal_year == year


@pytest.mark.parametrize("bot_today, year", [("2565-09-30", 2565), ("2565-10-01", 2566),
                                             ("2022-10-01", 2566), ("2565-04-19", 2565)])
def test_bot_today_picks_the_plan_of_its_fiscal_year(make_app, plans_dir, bot_today, year):
    """BOT_TODAY (B.E. or C.E.) pins the date of a staging or demo deployment."""
    app = make_app(PLAN_FILE=str(plans_dir), CLOCK=clock_from_env(bot_today))
    assert current_year(app) == year
    assert "แผนปัจจุบันของจังหวัดราชบุรี: ปีงบประมาณ 2566 (ตรึงไว้)" in \
        cli(app, "plan", "use", "ratchaburi", "2566")
    assert f"ปีงบประมาณ {year} (ตามวันที่)" in cli(app, "plan", "use", "ratchaburi", "--auto")


def test_a_pin_outlasts_the_calendar(make_app, plans_dir):
    """Pinned 2565: still current on 1 Oct 2565 (fiscal year 2566) until --auto."""
    first = make_app(PLAN_FILE=str(plans_dir))
    cli(first, "plan", "use", "ratchaburi", "2565")
    later = make_app(PLAN_FILE=str(plans_dir),
                     CLOCK=fixed_clock(dt.datetime(2022, 10, 1, 9, 0, tzinfo=BANGKOK)))
    assert current_year(later) == 2565
    assert "ratchaburi-2565             ราชบุรี             2565  ปัจจุบัน (ตรึงไว้)" in \
        cli(later, "plan", "list")
    cli(later, "plan", "use", "ratchaburi", "--auto")
    assert current_year(later) == 2566


# --------------------------------------------------------------------------- flask plan list
def test_plan_list_shows_every_plan_and_each_province_current_one(make_app, plans_dir):
    app = make_app(PLAN_FILE=str(plans_dir))
    cli(app, "plan", "use", "kanchanaburi", "2565")
    lines = cli(app, "plan", "list").splitlines()
    assert lines[0].split() == ["key", "จังหวัด", "ปีงบ", "สถานะ"]
    assert lines[1:] == [
        f"{'kanchanaburi-2565':<28}{'กาญจนบุรี':<18}{2565:>6}  ปัจจุบัน (ตรึงไว้)",
        f"{'ratchaburi-2565':<28}{'ราชบุรี':<18}{2565:>6}  ปัจจุบัน",
        f"{'ratchaburi-2566':<28}{'ราชบุรี':<18}{2566:>6}  -",
        "3 แผน, 2 จังหวัด (วันนี้ 19 เม.ย. 2565)",
    ]


# --------------------------------------------------------------------------- flask groups bind
def group_row(app, group_id: str) -> tuple:
    with app.extensions["nongpat"].sessions() as s:
        g = s.get(Group, group_id)
        return (g.scope, g.province_key, g.district_key)


def test_groups_bind_with_one_province(make_app):
    app = make_app(PLAN_FILE=str(DEFAULT_PLAN))
    cases = {
        "Cfull": ("ratchaburi/ban-pong", ("district", "ratchaburi", "ban-pong")),
        "Cshort": ("photharam", ("district", "ratchaburi", "photharam")),
        "Cthai": ("ราชบุรี/ดำเนินสะดวก", ("district", "ratchaburi", "damnoen-saduak")),
        "Calias": ("เมือง", ("district", "ratchaburi", "mueang-ratchaburi")),
        "Cprov": ("province", ("province", "ratchaburi", None)),
        "Cprov2": ("ratchaburi", ("province", "ratchaburi", None)),
        "Cdept": ("department", ("department", None, None)),
    }
    for group, (where, row) in cases.items():
        out = cli(app, "groups", "bind", group, where)
        assert out.startswith(f"ผูกกลุ่ม {group} กับ"), out
        assert group_row(app, group) == row, where
    assert "อำเภอบ้านโป่ง จังหวัดราชบุรี (ratchaburi/ban-pong)แล้ว" in \
        cli(app, "groups", "bind", "Cfull", "ratchaburi/ban-pong")
    assert "ระดับกรมแล้ว" in cli(app, "groups", "bind", "Cdept", "department")
    # an unknown district: the error lists the keys that exist
    for where in ("atlantis", "ratchaburi/atlantis"):
        out = cli(app, "groups", "bind", "Cbad", where, ok=False)
        assert "ไม่รู้จักอำเภอ 'atlantis' ในจังหวัดราชบุรี" in out
        assert f"(ใช้ได้: {RATCHABURI_KEYS})" in out
    out = cli(app, "groups", "bind", "Cbad", "atlantis/ban-pong", ok=False)
    assert "ไม่รู้จักจังหวัด 'atlantis' (มีแผนของ: ratchaburi)" in out
    with app.extensions["nongpat"].sessions() as s:
        assert s.get(Group, "Cbad") is None
    # re-binding moves the group
    cli(app, "groups", "bind", "Cshort", "province")
    assert group_row(app, "Cshort") == ("province", "ratchaburi", None)
    listed = cli(app, "groups", "list")
    assert "Cshort\tระดับจังหวัดราชบุรี" in listed and "Cdept\tระดับกรม" in listed


def test_groups_bind_with_several_provinces(make_app, made):
    spec = ",".join(str(p) for p in (DEFAULT_PLAN, made["kanchanaburi-2565"],
                                     made["nakhon-pathom-2565"]))
    app = make_app(PLAN_FILE=spec)
    cases = {
        "Crb": ("ratchaburi/ban-pong", ("district", "ratchaburi", "ban-pong")),
        "Ckm": ("kanchanaburi/mueang", ("district", "kanchanaburi", "mueang")),
        "Cnm": ("nakhon-pathom/mueang", ("district", "nakhon-pathom", "mueang")),
        "Ctm": ("กาญจนบุรี/ท่าม่วง", ("district", "kanchanaburi", "tha-muang")),
        "Ckp": ("kanchanaburi", ("province", "kanchanaburi", None)),
        "Cdept": ("department", ("department", None, None)),
    }
    for group, (where, row) in cases.items():
        cli(app, "groups", "bind", group, where)
        assert group_row(app, group) == row, where
    # the short forms of one province are ambiguous now: refused, naming the long forms
    for where in ("ban-pong", "mueang", "province", "จังหวัด"):
        out = cli(app, "groups", "bind", "Cshort", where, ok=False)
        assert f"ไม่รู้จัก '{where}': ใช้ PROVINCE/DISTRICT เช่น ratchaburi/ban-pong" in out
    # a district of another province
    out = cli(app, "groups", "bind", "Cbad", "kanchanaburi/ban-pong", ok=False)
    assert "ไม่รู้จักอำเภอ 'ban-pong' ในจังหวัดกาญจนบุรี (ใช้ได้: mueang, tha-muang, tha-maka)" \
        in out
    with app.extensions["nongpat"].sessions() as s:
        assert s.get(Group, "Cshort") is None and s.get(Group, "Cbad") is None
    listed = cli(app, "groups", "list")
    assert "Ckm\tอำเภอเมืองกาญจนบุรี จังหวัดกาญจนบุรี (kanchanaburi/mueang)" in listed
    assert "Cnm\tอำเภอเมืองนครปฐม จังหวัดนครปฐม (nakhon-pathom/mueang)" in listed
    assert "Ckp\tระดับจังหวัดกาญจนบุรี" in listed
