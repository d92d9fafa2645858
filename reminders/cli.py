"""flask reminders preview|run: what a day's round sends, and running one now (operators)."""
from __future__ import annotations

import collections
import datetime as dt
import json

import click
from flask import current_app
from flask.cli import AppGroup

from bot import thai
from bot.core.plan import parse_date


def _services():
    return current_app.extensions["nongpat"]


def _rounds():
    from reminders.rounds import Rounds, Settings
    from reminders.settings import settings_from_env
    svc = _services()
    settings = current_app.config.get("REMINDER_SETTINGS") or settings_from_env()
    assert isinstance(settings, Settings)
    return Rounds(svc.engine, svc.sessions, svc.line, plans=svc.bot.plans, settings=settings)


def _day(value: str | None) -> dt.date:
    if not value:
        return _services().bot.clock().date()
    try:
        return parse_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


DATE_HELP = "วันที่ของรอบแจ้งเตือน พ.ศ. หรือ ค.ศ. เช่น 2565-04-22 (ไม่ระบุ = วันนี้)"


# an AppGroup: its commands run inside the app context (also under app.test_cli_runner())
reminders_group = AppGroup("reminders",
                           help="แจ้งเตือนกำหนดส่งถึงกลุ่มไลน์อำเภอ จังหวัด และส่วนกลาง")


@reminders_group.command("preview", help="แสดงข้อความที่จะส่งในวันนั้นถึงแต่ละกลุ่ม โดยไม่ส่งจริง")
@click.option("--date", "date_text", default=None, help=DATE_HELP)
@click.option("--flex", is_flag=True, help="แสดง Flex bubble (JSON) ด้วย")
def preview(date_text: str | None, flex: bool):
    day = _day(date_text)
    plan, status = _rounds().plan(day)
    out = plan.out
    click.echo(f"รอบแจ้งเตือนวันที่ {thai.date(day)} ({day.isoformat()}): "
               f"{len(out)} กลุ่ม (ยังไม่ส่ง)")
    if plan.several:
        _provinces(plan)
    if not out:
        click.echo("ไม่มีแจ้งเตือนในวันนี้")
    for o in out:
        mark = " [ด่วน]" if o.urgent else ""
        done = {"pending": " (รอส่งซ้ำด้วยข้อความเดิมในสมุดส่ง)", None: ""}.get(
            status.get(o.group_id), f" (ในสมุดส่งแล้ว: {status.get(o.group_id)} — จะไม่ส่งซ้ำ)")
        click.echo(f"\n=== ถึงกลุ่ม {o.group_id} · {o.label}{mark}{done}")
        for t in o.reply.texts:
            click.echo(t)
        for f in o.reply.flex:
            click.echo(f"[Flex] {f.alt_text}")
            if flex:
                click.echo(json.dumps(f.contents, ensure_ascii=False, indent=1))


def _provinces(plan) -> None:
    """Several provinces: how many groups each gets, which rest today."""
    count = collections.Counter(o.province_name or "ส่วนกลาง" for o in plan.out)
    parts = [f"{name} {count[name]}" for name in plan.provinces if count[name]]
    if count["ส่วนกลาง"]:
        parts.append(f"ส่วนกลาง {count['ส่วนกลาง']}")
    click.echo(f"{len(plan.provinces)} จังหวัดมีแผน · จำนวนกลุ่ม: " + (", ".join(parts) or "-"))
    if plan.resting:
        click.echo("วันหยุดตามแผนของจังหวัด (ไม่ส่ง): " + ", ".join(plan.resting))
    if plan.unplanned:
        click.echo("! กลุ่มของจังหวัดที่ไม่มีแผน: " + ", ".join(plan.unplanned))


@reminders_group.command("run", help="ส่งรอบแจ้งเตือนของวันนั้นเดี๋ยวนี้ (ส่งครั้งเดียวต่อกลุ่มต่อวัน)")
@click.option("--date", "date_text", default=None, help=DATE_HELP)
@click.option("--force", is_flag=True, help="ยอมส่งรอบของวันที่ผ่านมาแล้ว")
def run(date_text: str | None, force: bool):
    day = _day(date_text)
    today = _services().bot.clock().date()
    if day < today and not force:
        raise click.ClickException(
            f"{thai.date(day)} ผ่านมาแล้ว: ข้อความจะนับวันผิด (ใช้ --force ถ้าตั้งใจจริง)")
    report = _rounds().run(day)
    click.echo(report.summary())
    if report.resting:
        click.echo("วันหยุดตามแผนของจังหวัด (ไม่ส่ง): " + ", ".join(report.resting))
    for e in report.errors[:20]:
        click.echo(f"  ! {e}")
    if report.skipped:
        raise SystemExit(1)
