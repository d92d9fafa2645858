"""flask people list|grant|revoke: the roles of people (bot.core.roles) from the command line.

The same grants and revokes as in chat (``แต่งตั้ง… @ชื่อ`` / ``ถอนสิทธิ์ @ชื่อ``), written to the
audit trail with the actor ``cli:<os user>``. The command line is the operator's: it may grant
any role anywhere (as a department admin may in chat).
"""
from __future__ import annotations


import click
from flask.cli import AppGroup

from bot import thai
from bot.core import roles
from bot.core.roles import DISTRICT_HEAD, PROVINCE_ADMIN, cli_actor
from bot.timeutil import BANGKOK

ROLE_WORDS = {"province-admin": PROVINCE_ADMIN, "province_admin": PROVINCE_ADMIN,
              "ผู้ดูแลจังหวัด": PROVINCE_ADMIN, "district-head": DISTRICT_HEAD,
              "district_head": DISTRICT_HEAD, "หัวหน้าอำเภอ": DISTRICT_HEAD,
              "พัฒนาการอำเภอ": DISTRICT_HEAD}
ROLE_NAMES = {PROVINCE_ADMIN: "ผู้ดูแลจังหวัด", DISTRICT_HEAD: "หัวหน้าอำเภอ"}


def services():
    from flask import current_app
    return current_app.extensions["nongpat"]


def role_arg(word: str) -> str:
    role = ROLE_WORDS.get(word.strip().lower())
    if role is None:
        raise click.ClickException(f"ไม่รู้จักบทบาท '{word}' (ใช้ province-admin หรือ district-head)")
    return role


def scope_arg(svc, session, role: str, scope: str) -> tuple[str, str | None, str]:
    """(province key, district key or None, the place in words) of ``ratchaburi`` or
    ``ratchaburi/ban-pong`` (keys or Thai names; with one province loaded the district alone)."""
    catalog = svc.bot.plans.get(session)
    province, _, district = scope.strip().partition("/")
    if role == DISTRICT_HEAD and not district and catalog.only_province:
        if catalog.province_of(province) is None:
            province, district = catalog.only_province, province
    key = catalog.province_of(province)
    if key is None:
        raise click.ClickException(f"ไม่รู้จักจังหวัด '{province}' "
                                   f"(มีแผนของ: {', '.join(catalog.province_keys())})")
    pname = catalog.province_name(key) or key
    if role == PROVINCE_ADMIN:
        if district:
            raise click.ClickException("ผู้ดูแลจังหวัดระบุเฉพาะจังหวัด เช่น ratchaburi")
        return key, None, f"จังหวัด{pname}"
    if not district:
        raise click.ClickException("หัวหน้าอำเภอต้องระบุอำเภอ เช่น ratchaburi/ban-pong")
    plan = catalog.current(key, svc.bot.clock().date()).plan
    d = plan.district(district) or next(
        (x for x in plan.districts if district in x.aliases or district == x.name), None)
    if d is None:
        raise click.ClickException(f"ไม่รู้จักอำเภอ '{district}' ในจังหวัด{pname} "
                                   f"(ใช้ได้: {', '.join(x.key for x in plan.districts)})")
    return key, d.key, f"อำเภอ{d.name} จังหวัด{pname}"


def user_arg(user_id: str) -> str:
    user_id = user_id.strip()
    if not user_id.startswith("U") or not 1 < len(user_id) <= 64:
        raise click.ClickException(f"'{user_id}' ไม่ใช่ LINE userId (ขึ้นต้นด้วย U เช่น "
                                   "U4af4980629…; ดูได้จาก \"flask people list\" หรือบันทึกของเว็บฮุก)")
    return user_id


@click.group("people", cls=AppGroup, help="ผู้ดูแล: ผู้ดูแลจังหวัดและหัวหน้าอำเภอ (แต่งตั้ง ถอนสิทธิ์ และรายชื่อ)")
def people_group():
    pass


@people_group.command("list", help="รายชื่อผู้มีสิทธิ์: ผู้ดูแลระบบของกรม (ADMIN_LINE_USER_IDS) "
                                   "ผู้ดูแลจังหวัด และหัวหน้าอำเภอ")
@click.option("--province", default=None, help="เฉพาะจังหวัดนี้ (key หรือชื่อ)")
def people_list(province: str | None):
    svc = services()
    with svc.read_sessions() as s:
        key = None
        if province:
            key = svc.bot.plans.get(s).province_of(province)
            if key is None:
                raise click.ClickException(f"ไม่รู้จักจังหวัด '{province}'")
        holders = roles.people_of(s, key)
        catalog = svc.bot.plans.get(s)
    for uid in sorted(svc.bot.admins):
        click.echo(f"{uid}\tผู้ดูแลระบบของกรม (ADMIN_LINE_USER_IDS)")
    for h in holders:
        place = h.province_key + (f"/{h.district_key}" if h.district_key else "")
        pname = catalog.province_name(h.province_key) or h.province_key
        since = thai.date(h.granted_at.astimezone(BANGKOK).date())
        click.echo(f"{h.user_id}\t{h.display_name or '(ยังไม่ทราบชื่อ)'}\t"
                   f"{ROLE_NAMES[h.role]} {place} ({pname})\tตั้งแต่ {since} โดย {h.granted_by}")
    if not holders:
        click.echo("ยังไม่มีผู้ดูแลจังหวัดหรือหัวหน้าอำเภอ"
                   + (f"ของจังหวัด{catalog.province_name(key) or key}" if key else ""))


@people_group.command("grant", help="แต่งตั้ง: USER_ID province-admin PROVINCE หรือ "
                                    "USER_ID district-head PROVINCE/DISTRICT "
                                    "(เช่น ratchaburi/ban-pong)")
@click.argument("user_id")
@click.argument("role")
@click.argument("scope")
def people_grant(user_id: str, role: str, scope: str):
    svc = services()
    user_id, role = user_arg(user_id), role_arg(role)
    with svc.sessions() as s, s.begin():
        province, district, where = scope_arg(svc, s, role, scope)
        user = roles.ensure_user(s, user_id)
        name = user.display_name
        _, new = roles.grant(s, user_id, role, province, district, by=cli_actor(),
                             detail={"via": "cli"})
    who = f"{user_id} ({name})" if name else user_id
    if new:
        click.echo(f"แต่งตั้ง {who} เป็น{ROLE_NAMES[role]} {where} แล้ว")
    else:
        click.echo(f"{who} เป็น{ROLE_NAMES[role]} {where} อยู่แล้ว (ไม่ได้เปลี่ยนแปลง)")
    if not name:
        click.echo("(ยังไม่ทราบชื่อ LINE ของผู้นี้: จะทราบเมื่อเขาพิมพ์ในกลุ่มที่มีน้องพัฒน์)")


@people_group.command("revoke", help="ถอนสิทธิ์: USER_ID ROLE SCOPE เช่นเดียวกับ grant")
@click.argument("user_id")
@click.argument("role")
@click.argument("scope")
def people_revoke(user_id: str, role: str, scope: str):
    svc = services()
    user_id, role = user_arg(user_id), role_arg(role)
    with svc.sessions() as s, s.begin():
        province, district, where = scope_arg(svc, s, role, scope)
        row = roles.revoke(s, user_id, role, province, district, by=cli_actor(),
                           detail={"via": "cli"})
    if row is None:
        raise click.ClickException(f"{user_id} ไม่ได้เป็น{ROLE_NAMES[role]} {where} "
                                   "จึงไม่มีอะไรให้ถอน")
    click.echo(f"ถอนสิทธิ์{ROLE_NAMES[role]} {where} ของ {user_id} แล้ว")
