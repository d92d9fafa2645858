"""flask tokens create|list|revoke: per-province API tokens (bot/web/tokens.py).

    flask tokens create --province ratchaburi --name "สำนักงานจังหวัด"   # prints the token once
    flask tokens create --all-provinces --name "กรม: รายงานประจำสัปดาห์"
    flask tokens list
    flask tokens revoke 3

Each is written to the audit trail with the actor ``cli:<os user>``.
"""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from bot import thai
from bot.timeutil import BANGKOK
from bot.core.roles import cli_actor
from bot.web import tokens


def services():
    return current_app.extensions["nongpat"]


def _now() -> dt.datetime:
    return current_app.config["CLOCK"]().astimezone(dt.timezone.utc)


def _when(t: dt.datetime | None) -> str:
    return thai.date_time(tokens.utc(t).astimezone(BANGKOK)) if t else "-"


@click.group("tokens", cls=AppGroup, help="รหัส API รายจังหวัด (Authorization: Bearer …)")
def tokens_group():
    pass


@tokens_group.command("create", help="สร้างรหัส API ของจังหวัด แสดงรหัสครั้งเดียว (เก็บไว้เฉพาะค่าแฮช) "
                                     "เช่น flask tokens create --province ratchaburi "
                                     "--name \"สำนักงานจังหวัด\"")
@click.option("--province", default=None, help="จังหวัด (key หรือชื่อภาษาไทย)")
@click.option("--all-provinces", "all_provinces", is_flag=True,
              help="รหัสที่อ่านได้ทุกจังหวัด (สำหรับกรม) แทน --province")
@click.option("--name", required=True, help="ชื่อที่บอกว่าใครใช้รหัสนี้ (แสดงในบันทึกการเข้าใช้)")
def tokens_create(province: str | None, all_provinces: bool, name: str):
    if bool(province) == all_provinces:
        raise click.ClickException("ระบุ --province จังหวัด หรือ --all-provinces อย่างใดอย่างหนึ่ง")
    svc = services()
    with svc.sessions() as s, s.begin():
        key = None
        where = "ทุกจังหวัด"
        if province:
            catalog = svc.bot.plans.get(s)
            key = catalog.province_of(province)
            if key is None:
                raise click.ClickException(f"ไม่รู้จักจังหวัด '{province}' "
                                           f"(มีแผนของ: {', '.join(catalog.province_keys())})")
            where = f"จังหวัด{catalog.province_name(key) or key}"
        try:
            row, token = tokens.create(s, key, name, by=cli_actor(), at=_now())
        except ValueError:
            raise click.ClickException(f"มีรหัสที่ยังใช้ได้ชื่อ \"{name.strip()}\" อยู่แล้ว "
                                       "(ใช้ชื่ออื่น หรือยกเลิกรหัสเดิมก่อน)") from None
    click.echo(f"สร้างรหัส API #{row.id} \"{row.name}\" ของ{where} แล้ว")
    click.echo("รหัสนี้แสดงครั้งเดียว เก็บไว้ในที่ปลอดภัย (ระบบเก็บเฉพาะค่าแฮช):")
    click.echo(token)


@tokens_group.command("list", help="รหัส API ทั้งหมด: จังหวัด ชื่อ ผู้สร้าง วันที่สร้าง ใช้ล่าสุด ยกเลิกแล้วหรือไม่")
def tokens_list():
    svc = services()
    with svc.read_sessions() as s:
        rows = tokens.listing(s)
        catalog = svc.bot.plans.get(s)
    if not rows:
        click.echo("ยังไม่มีรหัส API (flask tokens create --province … --name …)")
        return
    for r in rows:
        where = (catalog.province_name(r.province_key) or r.province_key) \
            if r.province_key else "ทุกจังหวัด"
        state = f"ยกเลิกแล้ว {_when(r.revoked_at)}" if r.revoked_at else "ใช้ได้"
        click.echo(f"#{r.id}\t{r.province_key or '*'}\t{r.name}\t{where}\t{state}\t"
                   f"สร้าง {_when(r.created_at)} โดย {r.created_by}\tใช้ล่าสุด {_when(r.last_used_at)}")


@tokens_group.command("revoke", help="ยกเลิกรหัส API (มีผลทันที) เช่น flask tokens revoke 3")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int):
    svc = services()
    with svc.sessions() as s, s.begin():
        row = tokens.revoke(s, token_id, by=cli_actor(), at=_now())
    if row is None:
        raise click.ClickException(f"ไม่มีรหัส API #{token_id} ที่ยังใช้ได้ (ดู flask tokens list)")
    click.echo(f"ยกเลิกรหัส API #{row.id} \"{row.name}\" แล้ว")
