"""flask people list|grant|revoke: the same roles as in chat, audited as ``cli:<os user>``, and
a role granted here works in chat at once."""
from __future__ import annotations

import getpass

from sqlalchemy import select

from bot.core import roles
from models import AuditEvent, LineUser
from tests.helpers import ADMIN

U = "U0123456789abcdef0123456789abcdef"
G = "Cpeoplecli00000000000000000000001"


def run(app, *args):
    return app.test_cli_runner().invoke(args=["people", *args])


def person(app, user_id=U) -> roles.Person:
    with app.extensions["nongpat"].sessions() as s:
        return roles.person_of(s, user_id)


def test_grant_list_and_revoke_are_audited_as_the_cli_user(app):
    me = f"cli:{getpass.getuser()}"
    r = run(app, "grant", U, "district-head", "ratchaburi/ban-pong")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"แต่งตั้ง {U} เป็นหัวหน้าอำเภอ อำเภอบ้านโป่ง จังหวัดราชบุรี แล้ว")
    assert "ยังไม่ทราบชื่อ LINE" in r.output        # never seen: a row without a name
    assert run(app, "grant", U, "province-admin", "ราชบุรี").exit_code == 0
    again = run(app, "grant", U, "district_head", "ban-pong")   # one province: the district
    assert again.exit_code == 0 and "อยู่แล้ว" in again.output
    assert person(app) == roles.Person(U, False, frozenset({"ratchaburi"}),
                                       frozenset({("ratchaburi", "ban-pong")}))
    with app.extensions["nongpat"].sessions() as s:
        assert s.get(LineUser, U) is not None
        s.get(LineUser, U).display_name = "สมชาย"
        s.commit()

    listed = run(app, "list").output.splitlines()
    assert listed[0] == f"{ADMIN}\tผู้ดูแลระบบของกรม (ADMIN_LINE_USER_IDS)"
    assert listed[1] == (f"{U}\tสมชาย\tผู้ดูแลจังหวัด ratchaburi (ราชบุรี)\t"
                         f"ตั้งแต่ {listed[1].split('ตั้งแต่ ')[1].split(' โดย')[0]} โดย {me}")
    assert listed[2].startswith(f"{U}\tสมชาย\tหัวหน้าอำเภอ ratchaburi/ban-pong (ราชบุรี)\t")
    assert run(app, "list", "--province", "ratchaburi").output == run(app, "list").output

    r = run(app, "revoke", U, "district-head", "ratchaburi/ban-pong")
    assert r.exit_code == 0 and "ถอนสิทธิ์หัวหน้าอำเภอ อำเภอบ้านโป่ง จังหวัดราชบุรี" in r.output
    r = run(app, "revoke", U, "district-head", "ratchaburi/ban-pong")
    assert r.exit_code == 1 and "ไม่มีอะไรให้ถอน" in r.output
    assert person(app).district_head_of == frozenset()
    with app.extensions["nongpat"].sessions() as s:
        trail = [(a.actor, a.action, a.subject, a.province_key, a.district_key, a.detail)
                 for a in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert trail == [
        (me, "grant", U, "ratchaburi", "ban-pong", {"role": "district_head", "via": "cli"}),
        (me, "grant", U, "ratchaburi", None, {"role": "province_admin", "via": "cli"}),
        (me, "revoke", U, "ratchaburi", "ban-pong",
         {"role": "district_head", "granted_by": me, "via": "cli"})]


def test_bad_arguments_are_refused_with_the_choices(app):
    for args, said in (
            (["grant", "nobody", "province-admin", "ratchaburi"], "ไม่ใช่ LINE userId"),
            (["grant", U, "king", "ratchaburi"], "province-admin หรือ district-head"),
            (["grant", U, "province-admin", "atlantis"], "มีแผนของ: ratchaburi"),
            (["grant", U, "province-admin", "ratchaburi/ban-pong"], "เฉพาะจังหวัด"),
            (["grant", U, "district-head", "ratchaburi"], "ต้องระบุอำเภอ เช่น ratchaburi/ban-pong"),
            (["grant", U, "district-head", "ratchaburi/nowhere"], "ใช้ได้: mueang-ratchaburi"),
            (["list", "--province", "atlantis"], "ไม่รู้จักจังหวัด")):
        r = run(app, *args)
        assert r.exit_code != 0 and said in r.output, (args, r.output)
    assert person(app) == roles.Person(U)


def test_a_role_granted_from_the_cli_works_in_chat(app, chat):
    chat.bind(G)
    assert run(app, "grant", U, "district-head", "ratchaburi/ban-pong").exit_code == 0
    assert "🔕" in chat.say("ปิดแจ้งเตือน", user=U, group=G)
    assert "หัวหน้าอำเภอ (พัฒนาการอำเภอ):" in chat.say("ใครดูแล", user=U, group=G)
    assert run(app, "revoke", U, "district-head", "ban-pong").exit_code == 0
    assert chat.say("เปิดแจ้งเตือน", user=U, group=G).startswith("ขออภัยครับ")
