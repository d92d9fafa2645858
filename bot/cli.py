"""Operator commands: flask plan load|show, flask groups bind|list, flask chat."""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from bot import thai
from bot.core.plan import PlanError
from bot.timeutil import BANGKOK


def services():
    return current_app.extensions["nongpat"]


def init_app(app: Flask) -> None:
    app.cli.add_command(plan_group)
    app.cli.add_command(groups_group)
    app.cli.add_command(chat)
    app.cli.add_command(events_group)
    app.cli.add_command(richmenu_group)
    from bot.web.export import export_command
    app.cli.add_command(export_command)
    try:  # commands of packages that may not be installed yet in this checkout
        from reminders.cli import reminders_group
        app.cli.add_command(reminders_group)
    except ImportError:
        pass


# --------------------------------------------------------------------------- plan
@click.group("plan", cls=AppGroup, help="แผนงาน (เป้าหมายและกำหนดส่ง)")
def plan_group():
    pass


@plan_group.command("load", help="ตรวจสอบและโหลดไฟล์แผน YAML แล้วใช้เป็นแผนปัจจุบัน")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def plan_load(file: Path):
    from bot.core.plans import load_into
    try:
        with services().sessions() as s, s.begin():
            active = load_into(s, file)
    except PlanError as exc:
        raise click.ClickException(str(exc)) from None
    services().bot.plans.invalidate()  # other processes notice within PlanCache.max_age
    p = active.plan
    click.echo(f"โหลดแผน {p.key} (จังหวัด{p.province_name} ปีงบประมาณ {p.fiscal_year}) แล้ว: "
               f"{len(p.districts)} อำเภอ, {len(p.indicators)} ตัวชี้วัด, "
               f"{len(p.milestones)} กำหนดการ")


@plan_group.command("show", help="แสดงแผนปัจจุบัน")
def plan_show():
    with services().sessions() as s:
        active, _ = services().bot.plans.get(s)
    p = active.plan
    click.echo(f"แผน {p.key}: จังหวัด{p.province_name} ปีงบประมาณ {p.fiscal_year} "
               f"(พัฒนากร {p.officers} คน)")
    for ind in p.indicators:
        unit = p.units[ind.unit].name
        extra = f", {thai.number(ind.people_target)} คน" if ind.people_target else ""
        click.echo(f"\n[{ind.key}] {ind.name}: เป้า {thai.number(ind.target)} {unit}{extra}")
        for d in p.districts:
            t = ind.district_target(d.key)
            if t is not None:
                click.echo(f"  {d.name:<14} {thai.number(t):>8} {unit}")
        for c in ind.categories:
            click.echo(f"  - {c.name}: {thai.number(c.target)}")
        for m in p.milestones_for(ind.key):
            click.echo(f"  • {thai.date_span(m.start, m.end)}: {m.title}{' (กำหนดส่ง)' if m.kind == 'deadline' else ''}")


# --------------------------------------------------------------------------- groups
@click.group("groups", cls=AppGroup, help="กลุ่มไลน์และการผูกกับอำเภอ")
def groups_group():
    pass


@groups_group.command("bind", help="ผูกกลุ่มไลน์ GROUP_ID กับอำเภอ (key เช่น ban-pong) หรือ province")
@click.argument("group_id")
@click.argument("district")
def groups_bind(group_id: str, district: str):
    from models.queries import bind_group
    with services().sessions() as s, s.begin():
        active, _ = services().bot.plans.get(s)
        if district in ("province", "จังหวัด"):
            bind_group(s, group_id, "province", None, "cli")
            click.echo(f"ผูกกลุ่ม {group_id} กับระดับจังหวัดแล้ว")
            return
        d = active.plan.district(district) or next(
            (x for x in active.plan.districts if district in x.aliases), None)
        if d is None:
            keys = ", ".join(x.key for x in active.plan.districts)
            raise click.ClickException(f"ไม่รู้จักอำเภอ '{district}' (ใช้ได้: {keys}, province)")
        bind_group(s, group_id, "district", d.key, "cli")
    click.echo(f"ผูกกลุ่ม {group_id} กับอำเภอ{d.name} ({d.key}) แล้ว")


@groups_group.command("list", help="รายการกลุ่มไลน์ที่น้องพัฒน์อยู่")
def groups_list():
    from models import Group
    with services().sessions() as s:
        active, _ = services().bot.plans.get(s)
        rows = s.scalars(select(Group).order_by(Group.scope, Group.district_key)).all()
    if not rows:
        click.echo("ยังไม่มีกลุ่ม")
    for g in rows:
        d = active.plan.district(g.district_key)
        where = (f"อำเภอ{d.name}" if d else "จังหวัด" if g.scope == "province" else "ยังไม่ผูก")
        flags = " (ปิดแจ้งเตือน)" if g.muted else ""
        flags += " (ออกจากกลุ่มแล้ว)" if g.left_at else ""
        click.echo(f"{g.group_id}\t{where}{flags}")


# --------------------------------------------------------------------------- chat
@click.command("chat", help="คุยกับน้องพัฒน์ในเทอร์มินัล ผ่าน handler และฐานข้อมูลเดียวกับ LINE")
@click.option("--group", "group", default=None,
              help="อำเภอ (key เช่น ban-pong) หรือ GROUP_ID; ไม่ระบุ = แชต 1:1")
@click.option("--user", "user", default="Ucli", show_default=True, help="LINE userId ที่ใช้แทนตัวคุณ")
@click.option("--admin", is_flag=True, help="ถือเป็นผู้ดูแลระบบ")
@with_appcontext
def chat(group: str | None, user: str, admin: bool):
    from models.queries import bind_group
    svc = services()
    group_id = None
    if group:
        with svc.sessions() as s, s.begin():
            active, _ = svc.bot.plans.get(s)
            d = active.plan.district(group)
            if d is not None:  # a district key: use (and bind) a terminal group for it
                group_id = f"Ccli-{d.key}"
                from models import Group
                if s.get(Group, group_id) is None:
                    bind_group(s, group_id, "district", d.key, "cli")
            else:
                group_id = group
    if admin:
        svc.bot.admins = svc.bot.admins | {user}
    where = f"กลุ่ม {group_id}" if group_id else "แชต 1:1"
    click.echo(f"น้องพัฒน์ ({where}, ผู้ใช้ {user}) — พิมพ์ข้อความ, Ctrl-D เพื่อออก")
    while True:
        try:
            text = click.prompt("คุณ", prompt_suffix="> ")
        except (EOFError, click.Abort):
            click.echo()
            break
        reply = svc.bot.chat(text, user_id=user, group_id=group_id,
                             event_id=f"cli-{uuid.uuid4().hex}")
        click.echo(("น้องพัฒน์> " + reply.plain) if reply else "(ไม่ตอบ: ไม่ใช่คำสั่ง)")


# --------------------------------------------------------------------------- rich menu
@click.group("richmenu", cls=AppGroup, help="เมนูลัดในแชต 1:1 (rich menu)")
def richmenu_group():
    pass


@richmenu_group.command("install", help="สร้างเมนูลัด (ยอดอำเภอ/ยอดจังหวัด/กำหนดส่ง/วิธีใช้) และตั้งเป็นค่าเริ่มต้น")
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="บันทึกรูปเมนูเป็นไฟล์ PNG ด้วย")
def richmenu_install(save: Path | None):
    from bot.line.richmenu import NoThaiFont, menu_request, render_png
    try:
        png = render_png()
    except NoThaiFont as exc:
        raise click.ClickException(str(exc)) from None
    if save:
        save.write_bytes(png)
        click.echo(f"บันทึกรูปเมนูที่ {save}")
    try:
        menu_id = services().line.install_default_rich_menu(menu_request(), png)
    except Exception as exc:
        raise click.ClickException(f"ติดตั้งเมนูลัดไม่สำเร็จ: {exc}") from None
    click.echo(f"ติดตั้งเมนูลัด {menu_id} เป็นค่าเริ่มต้นแล้ว")


# --------------------------------------------------------------------------- events
@click.group("events", cls=AppGroup, help="events that failed or wait in the spool")
def events_group():
    pass


@events_group.command("failed", help="list the events whose handling raised (time, chat, text, "
                                     "error); --all includes those replayed since")
@click.option("--all", "show_all", is_flag=True, help="also the events already replayed")
def events_failed(show_all: bool):
    from models import FailedEvent
    q = select(FailedEvent).order_by(FailedEvent.failed_at)
    if not show_all:
        q = q.where(FailedEvent.status == "failed")
    with services().read_sessions() as s:
        rows = s.scalars(q).all()
        for f in rows:
            when = f.failed_at if f.failed_at.tzinfo else f.failed_at.replace(tzinfo=dt.timezone.utc)
            last = (f.error.strip().splitlines() or [""])[-1][:160]
            text = " ".join((f.text or f"({f.event_type})").split())[:80]
            click.echo(f"{f.event_id}\t{when.astimezone(BANGKOK):%Y-%m-%d %H:%M:%S}\t"
                       f"{f.chat_id or '-'}\t{f.status}\t×{f.attempts}\t{text}\t{last}")
    click.echo(f"{len(rows)} event(s)", err=True)


@events_group.command("replay", help="process events again after a fix, each at most once: "
                                     "EVENT_ID…, --failed (every failed event) or --spool "
                                     "(what this node kept while the database refused)")
@click.argument("event_ids", nargs=-1)
@click.option("--failed", "all_failed", is_flag=True, help="every event still failed")
@click.option("--spool", "spool", is_flag=True, help="apply this node's spool now")
def events_replay(event_ids: tuple[str, ...], all_failed: bool, spool: bool):
    from models import FailedEvent
    svc = services()
    if not (event_ids or all_failed or spool):
        raise click.UsageError("name EVENT_ID(s), or --failed, or --spool")
    if spool:
        done = svc.drainer.drain_now()
        if done is None:
            raise click.ClickException("another process is applying the spool now; try again")
        click.echo(f"spool: {done} event(s) applied ({svc.spool.status()['events']} left)")
    ids = list(event_ids)
    if all_failed:
        with svc.read_sessions() as s:
            ids += list(s.scalars(select(FailedEvent.event_id).where(
                FailedEvent.status == "failed").order_by(FailedEvent.failed_at)))
    failures = 0
    for event_id in dict.fromkeys(ids):
        status = svc.bot.replay_failed(event_id)
        failures += status in ("failed", "unknown")
        click.echo(f"{event_id}\t{status}")
    svc.line.drain()
    svc.bot.flush_sent()
    if failures:
        raise click.ClickException(f"{failures} event(s) not replayed")
