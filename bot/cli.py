"""Operator commands: flask plan load|use|list|show, flask groups bind|list, flask chat, …"""
from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from bot import thai
from bot.core.plan import PlanError, be_year
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
    from bot.web.brief_cli import brief_command
    app.cli.add_command(brief_command)
    from bot.people_cli import people_group
    app.cli.add_command(people_group)
    from bot.web.tokens_cli import tokens_group
    app.cli.add_command(tokens_group)
    try:  # commands of packages that may not be installed yet in this checkout
        from reminders.cli import reminders_group
        app.cli.add_command(reminders_group)
    except ImportError:
        pass


# --------------------------------------------------------------------------- plan
@click.group("plan", cls=AppGroup, help="แผนงาน (เป้าหมายและกำหนดส่ง)")
def plan_group():
    pass


@plan_group.command("load", help="ตรวจสอบและโหลดไฟล์แผน YAML: เพิ่มแผนใหม่ หรือแทนแผนของจังหวัดและปีเดียวกัน "
                                 "(แผนอื่นไม่เปลี่ยน)")
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
    with services().read_sessions() as s:
        current = services().bot.current_plan(s, p.province_key)
    if current.id != active.id:
        click.echo(f"แผนปัจจุบันของจังหวัด{p.province_name} ยังเป็นปี {current.plan.fiscal_year} "
                   f"(ใช้ \"flask plan use {p.province_key} {p.fiscal_year}\" เพื่อเปลี่ยน)")


def _province_arg(catalog, province: str) -> str:
    """A province key, or its Thai name (with or without จังหวัด)."""
    key = catalog.province_of(province)
    if key is not None:
        return key
    known = ", ".join(catalog.province_keys())
    raise click.ClickException(f"ไม่รู้จักจังหวัด '{province}' (มีแผนของ: {known})")


@plan_group.command("use", help="ตรึงแผนปัจจุบันของจังหวัด เช่น \"flask plan use ratchaburi 2566\"; "
                                "--auto ให้เลือกตามวันที่อีกครั้ง")
@click.argument("province")
@click.argument("fiscal_year", type=int, required=False)
@click.option("--auto", is_flag=True, help="เลิกตรึง: แผนที่ปีงบประมาณครอบคลุมวันนี้เป็นแผนปัจจุบัน")
def plan_use(province: str, fiscal_year: int | None, auto: bool):
    from bot.core.plans import pin
    if (fiscal_year is None) != auto:
        raise click.ClickException("ระบุปีงบประมาณ (เช่น 2566) หรือ --auto อย่างใดอย่างหนึ่ง")
    svc = services()
    with svc.sessions() as s, s.begin():
        key = _province_arg(svc.bot.plans.get(s), province)
        year = be_year(fiscal_year) if fiscal_year is not None else None
        try:
            pin(s, key, year)
        except LookupError:
            years = ", ".join(str(r.fiscal_year) for r in svc.bot.plans.get(s).plans_of(key))
            raise click.ClickException(f"จังหวัดนี้ไม่มีแผนปี {year} (มี: {years})") from None
    svc.bot.plans.invalidate()
    with svc.read_sessions() as s:
        current = svc.bot.current_plan(s, key)
    how = "ตรึงไว้" if year else "ตามวันที่"
    click.echo(f"แผนปัจจุบันของจังหวัด{current.plan.province_name}: ปีงบประมาณ "
               f"{current.plan.fiscal_year} ({how})")


@plan_group.command("list", help="แผนทั้งหมด: จังหวัด ปีงบประมาณ และแผนปัจจุบันของแต่ละจังหวัด")
def plan_list():
    svc = services()
    with svc.read_sessions() as s:
        catalog = svc.bot.plans.get(s)
    today = svc.bot.clock().date()
    click.echo(f"{'key':<28}{'จังหวัด':<18}{'ปีงบ':>6}  สถานะ")
    for key in catalog.province_keys():
        current = catalog.current_row(key, today)
        for r in catalog.plans_of(key):
            state = ("ปัจจุบัน (ตรึงไว้)" if r.pinned else "ปัจจุบัน") if r is current else "-"
            click.echo(f"{r.key:<28}{r.province_name:<18}{r.fiscal_year:>6}  {state}")
    for r in catalog.set_apart:  # an old copy kept by migration 0005 (with its entries)
        click.echo(f"{r.key:<28}{r.province_name:<18}{r.fiscal_year:>6}  แยกไว้ (สำเนาเก่า)")
    click.echo(f"{len(catalog)} แผน, {len(catalog.province_keys())} จังหวัด "
               f"(วันนี้ {thai.date(today)})")


@plan_group.command("show", help="แสดงแผนปัจจุบันของจังหวัด (หรือแผนของปีที่ระบุ)")
@click.argument("province", required=False)
@click.argument("fiscal_year", type=int, required=False)
def plan_show(province: str | None, fiscal_year: int | None):
    svc = services()
    with svc.read_sessions() as s:
        catalog = svc.bot.plans.get(s)
        key = _province_arg(catalog, province) if province else catalog.only_province
        if key is None:
            raise click.ClickException("มีแผนหลายจังหวัด: ระบุจังหวัด เช่น "
                                       "\"flask plan show ratchaburi\"")
        active = (catalog.find(key, be_year(fiscal_year))
                  if fiscal_year else svc.bot.current_plan(s, key))
    if active is None:
        raise click.ClickException(f"ไม่มีแผนปี {fiscal_year} ของจังหวัดนี้")
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
@click.group("groups", cls=AppGroup, help="กลุ่มไลน์และการผูกกับอำเภอ จังหวัด หรือกรม")
def groups_group():
    pass


def _place_arg(svc, s, where: str):
    """``ratchaburi/ban-pong`` (province/district), ``ratchaburi`` (the province),
    ``department`` (กรม); with one province also ``ban-pong`` and ``province``."""
    from bot.core.places import Place
    catalog = svc.bot.plans.get(s)
    today = svc.bot.clock().date()
    if where in ("department", "กรม"):
        return Place("department")
    province, _, district = where.partition("/")
    if not district:
        only = catalog.only_province
        if where in ("province", "จังหวัด") and only:
            return Place("province", only)
        if where in catalog.province_keys():
            return Place("province", where)
        if only is None:
            raise click.ClickException(
                f"ไม่รู้จัก '{where}': ใช้ PROVINCE/DISTRICT เช่น ratchaburi/ban-pong, "
                "PROVINCE เช่น ratchaburi หรือ department")
        province, district = only, where
    province = _province_arg(catalog, province)
    plan = catalog.current(province, today).plan
    d = plan.district(district) or next(
        (x for x in plan.districts if district in x.aliases), None)
    if d is None:
        keys = ", ".join(x.key for x in plan.districts)
        raise click.ClickException(f"ไม่รู้จักอำเภอ '{district}' ในจังหวัด{plan.province_name} "
                                   f"(ใช้ได้: {keys})")
    return Place("district", province, d.key)


@groups_group.command("bind", help="ผูกกลุ่มไลน์ GROUP_ID กับ PROVINCE/DISTRICT (เช่น ratchaburi/ban-pong), "
                                   "PROVINCE (ระดับจังหวัด) หรือ department (ระดับกรม); "
                                   "มีจังหวัดเดียว: ban-pong หรือ province ก็ได้")
@click.argument("group_id")
@click.argument("where")
def groups_bind(group_id: str, where: str):
    from models.queries import bind_group
    svc = services()
    with svc.sessions() as s, s.begin():
        place = _place_arg(svc, s, where)
        bind_group(s, group_id, place.scope, place.district_key, "cli",
                   province_key=place.province_key)
        click.echo(f"ผูกกลุ่ม {group_id} กับ{_where(svc, s, place.scope, place.province_key, place.district_key)}แล้ว")


def _where(svc, s, scope, province_key, district_key) -> str:
    catalog = svc.bot.plans.get(s)
    if scope == "department":
        return "ระดับกรม"
    province = catalog.province_name(province_key) or province_key or "?"
    if scope == "province":
        return f"ระดับจังหวัด{province}"
    if scope == "district":
        active = catalog.current(province_key, svc.bot.clock().date())
        d = active.plan.district(district_key) if active else None
        return f"อำเภอ{d.name if d else district_key} จังหวัด{province} ({province_key}/{district_key})"
    return "ยังไม่ผูก"


@groups_group.command("list", help="รายการกลุ่มไลน์ที่น้องพัฒน์อยู่")
def groups_list():
    from models import Group
    svc = services()
    with svc.read_sessions() as s:
        rows = s.scalars(select(Group).order_by(Group.scope, Group.province_key,
                                                Group.district_key)).all()
        if not rows:
            click.echo("ยังไม่มีกลุ่ม")
        for g in rows:
            flags = " (ปิดแจ้งเตือน)" if g.muted else ""
            flags += " (ออกจากกลุ่มแล้ว)" if g.left_at else ""
            click.echo(f"{g.group_id}\t{_where(svc, s, g.scope, g.province_key, g.district_key)}{flags}")


# --------------------------------------------------------------------------- chat
@click.command("chat", help="คุยกับน้องพัฒน์ในเทอร์มินัล ผ่าน handler และฐานข้อมูลเดียวกับ LINE")
@click.option("--group", "group", default=None,
              help="อำเภอ (เช่น ban-pong หรือ ratchaburi/ban-pong) หรือ GROUP_ID; ไม่ระบุ = แชต 1:1")
@click.option("--user", "user", default="Ucli", show_default=True, help="LINE userId ที่ใช้แทนตัวคุณ")
@click.option("--admin", is_flag=True, help="ถือเป็นผู้ดูแลระบบ")
@with_appcontext
def chat(group: str | None, user: str, admin: bool):
    from models.queries import bind_group
    svc = services()
    group_id = None
    if group:
        with svc.sessions() as s, s.begin():
            try:
                place = _place_arg(svc, s, group)
            except click.ClickException:
                place = None
            if place is not None and place.scope == "district":
                # a district: use (and bind) a terminal group for it
                group_id = f"Ccli-{place.province_key}-{place.district_key}" \
                    if svc.bot.plans.get(s).only_province is None else f"Ccli-{place.district_key}"
                from models import Group
                if s.get(Group, group_id) is None:
                    bind_group(s, group_id, "district", place.district_key, "cli",
                               province_key=place.province_key)
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
