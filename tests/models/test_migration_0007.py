"""Migration 0007 (people and roles) on a database with data, on SQLite and PostgreSQL.

A database at 0006 is filled through plain SQL (a plan, groups, people, entries — some undone,
some amended); ``upgrade head`` keeps every row and column as it was, adds the new tables and
the entries' ``changed_by``/``changed_at`` (empty); the roles' rules hold in the database
itself (one live row per user, role and place; a district head has a district, a province
admin none; a token hash once); downgrade to 0006 gives the old schema back with every row,
and up again works.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core import roles
from bot.db import alembic_config, downgrade, make_engine, migrate
from models import AuditEvent, Role

PLAN_TEXT = (Path(__file__).resolve().parents[2] / "plans" / "ratchaburi-2565.yaml").read_text(
    encoding="utf-8")
UTC = dt.timezone.utc
T0 = dt.datetime(2022, 4, 1, 3, 0, tzinfo=UTC)
NEW = ("roles", "audit_events", "api_tokens")


def head(engine) -> str:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def version(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def entries(engine) -> list[tuple]:
    cols = ("id, plan_id, indicator_key, district_key, category_key, amount, user_id, group_id, "
            "source_type, text, event_id, created_at, undone_at, undone_by, amended_from, "
            "message_id")
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT {cols} FROM entries ORDER BY id"))]


def fill(conn) -> None:
    conn.execute(sa.text(
        "INSERT INTO plans (id, key, province_key, province_name, fiscal_year, source_text, "
        "pinned, loaded_at, changed_at, revision) VALUES (1, 'ratchaburi-2565', 'ratchaburi', "
        "'ราชบุรี', 2565, :src, false, :t, :t, 1)"), {"src": PLAN_TEXT, "t": T0})
    conn.execute(sa.text(
        "INSERT INTO groups (group_id, scope, province_key, district_key, bound_by, bound_at, "
        "joined_at, muted) VALUES ('Cbp', 'district', 'ratchaburi', 'ban-pong', 'Uadmin', :t, "
        ":t, false), ('Cprov', 'province', 'ratchaburi', NULL, 'Uadmin', :t, :t, true)"),
        {"t": T0})
    conn.execute(sa.text(
        "INSERT INTO line_users (user_id, display_name, last_group_id, last_seen_at) VALUES "
        "('Uhead', 'สมชาย', 'Cbp', :t), ('Uoff', 'สมศรี', 'Cbp', :t)"), {"t": T0})
    rows = [dict(id=k + 1, plan_id=1, indicator_key="jpt", district_key="ban-pong",
                 category_key=None, amount=10 * (k + 1), user_id="Uoff", group_id="Cbp",
                 source_type="group", text=f"บันทึก จปฐ {10 * (k + 1)} ครัวเรือน",
                 event_id=f"ev{k}", created_at=T0 + dt.timedelta(hours=k),
                 undone_at=T0 + dt.timedelta(days=1) if k == 1 else None,
                 undone_by="ev-undo" if k == 1 else None, amended_from=7 if k == 2 else None,
                 message_id=f"{500 + k}") for k in range(5)]
    conn.execute(sa.text(
        "INSERT INTO entries (id, plan_id, indicator_key, district_key, category_key, amount, "
        "user_id, group_id, source_type, text, event_id, created_at, undone_at, undone_by, "
        "amended_from, message_id) VALUES (:id, :plan_id, :indicator_key, :district_key, "
        ":category_key, :amount, :user_id, :group_id, :source_type, :text, :event_id, "
        ":created_at, :undone_at, :undone_by, :amended_from, :message_id)"), rows)


@pytest.fixture
def db(database_url):
    engine = make_engine(database_url)
    migrate(engine, "0006")
    yield engine
    engine.dispose()


def test_0007_is_the_head_and_follows_0006(db):
    script = ScriptDirectory.from_config(alembic_config(db))
    assert script.get_revision("0007").down_revision == "0006"
    assert "0007" in {r.revision for r in script.iterate_revisions(head(db), "0006")}


def test_upgrade_keeps_the_data_and_the_rules_hold_in_the_database(db):
    with db.begin() as conn:
        fill(conn)
    before = entries(db)
    migrate(db)
    assert version(db) == head(db)
    assert entries(db) == before
    inspector = sa.inspect(db)
    assert set(NEW) <= set(inspector.get_table_names())
    cols = {c["name"] for c in inspector.get_columns("entries")}
    assert {"changed_by", "changed_at"} <= cols
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM entries WHERE changed_by IS NOT NULL "
                                    "OR changed_at IS NOT NULL")).scalar() == 0

    # grants and revokes through the role model, in one transaction each
    with Session(db) as s, s.begin():
        row, new = roles.grant(s, "Uhead", roles.DISTRICT_HEAD, "ratchaburi", "ban-pong",
                               by="Uadmin", at=T0)
        assert new and row.id
        again, new = roles.grant(s, "Uhead", roles.DISTRICT_HEAD, "ratchaburi", "ban-pong",
                                 by="Uadmin")
        assert not new and again.id == row.id
        roles.grant(s, "Uhead", roles.PROVINCE_ADMIN, "ratchaburi", by="cli:ops", at=T0)
    with Session(db) as s:
        p = roles.person_of(s, "Uhead", admins={"Uadmin"})
        assert p.province_admin_of == {"ratchaburi"}
        assert p.district_head_of == {("ratchaburi", "ban-pong")}
        assert not p.is_department_admin
        assert roles.person_of(s, "Uadmin", admins={"Uadmin"}).is_department_admin
        listed = roles.people_of(s, "ratchaburi", "ban-pong")
        assert [(h.role, h.display_name) for h in listed] == [
            ("province_admin", "สมชาย"), ("district_head", "สมชาย")]
        assert roles.people_of(s, "ratchaburi", "photharam")[0].role == "province_admin"
        assert roles.people_of(s, "kanchanaburi") == []

    # the database refuses a second live row, whatever the code does
    dup = sa.text("INSERT INTO roles (user_id, role, province_key, district_key, granted_by, "
                  "granted_at) VALUES (:u, :r, 'ratchaburi', :d, 'x', :t)")
    for r, d in (("district_head", "ban-pong"), ("province_admin", None)):
        with pytest.raises(IntegrityError):
            with db.begin() as conn:
                conn.execute(dup, {"u": "Uhead", "r": r, "d": d, "t": T0})
    for r, d in (("district_head", None), ("province_admin", "ban-pong")):  # scope rule
        with pytest.raises(IntegrityError):
            with db.begin() as conn:
                conn.execute(dup, {"u": "Uother", "r": r, "d": d, "t": T0})
    with db.begin() as conn:   # another district, another person: fine
        conn.execute(dup, {"u": "Uhead", "r": "district_head", "d": "photharam", "t": T0})
        conn.execute(dup, {"u": "Uoff", "r": "district_head", "d": "ban-pong", "t": T0})

    # revoked: the row stays, a new grant of the same role is a new live row
    with Session(db) as s, s.begin():
        gone = roles.revoke(s, "Uhead", roles.DISTRICT_HEAD, "ratchaburi", "ban-pong",
                            by="Uadmin", at=T0 + dt.timedelta(days=1))
        assert gone is not None and gone.revoked_by == "Uadmin"
        assert roles.revoke(s, "Uhead", roles.DISTRICT_HEAD, "ratchaburi", "ban-pong",
                            by="Uadmin") is None
        _, new = roles.grant(s, "Uhead", roles.DISTRICT_HEAD, "ratchaburi", "ban-pong",
                             by="Uadmin")
        assert new
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM roles WHERE user_id = 'Uhead' AND "
                                    "district_key = 'ban-pong'")).scalar() == 2
        trail = conn.execute(sa.text("SELECT actor, action, subject, province_key, "
                                     "district_key FROM audit_events ORDER BY id")).all()
    assert [tuple(t) for t in trail] == [
        ("Uadmin", "grant", "Uhead", "ratchaburi", "ban-pong"),
        ("cli:ops", "grant", "Uhead", "ratchaburi", None),
        ("Uadmin", "revoke", "Uhead", "ratchaburi", "ban-pong"),
        ("Uadmin", "grant", "Uhead", "ratchaburi", "ban-pong")]
    with Session(db) as s:
        detail = s.scalars(sa.select(AuditEvent.detail).order_by(
            AuditEvent.id)).all()
    assert detail[2] == {"role": "district_head", "granted_by": "Uadmin"}

    # api tokens: a hash is stored once
    tok = sa.text("INSERT INTO api_tokens (province_key, name, token_hash, created_by, "
                  "created_at) VALUES ('ratchaburi', :n, :h, 'cli:ops', :t)")
    with db.begin() as conn:
        conn.execute(tok, {"n": "a", "h": "a" * 64, "t": T0})
    with pytest.raises(IntegrityError):
        with db.begin() as conn:
            conn.execute(tok, {"n": "b", "h": "a" * 64, "t": T0})


def test_downgrade_to_0006_and_up_again_keeps_the_entries(db):
    with db.begin() as conn:
        fill(conn)
    before = entries(db)
    migrate(db)
    with Session(db) as s, s.begin():
        roles.grant(s, "Uhead", roles.PROVINCE_ADMIN, "ratchaburi", by="Uadmin")
        s.execute(sa.update(Role).values(granted_at=T0))
    with db.begin() as conn:
        conn.execute(sa.text("UPDATE entries SET changed_by = 'Uhead', changed_at = :t "
                             "WHERE id = 3"), {"t": T0})
    downgrade(db, "0006")
    assert version(db) == "0006"
    inspector = sa.inspect(db)
    assert not set(NEW) & set(inspector.get_table_names())
    assert not {"changed_by", "changed_at"} & {c["name"] for c in
                                               inspector.get_columns("entries")}
    assert entries(db) == before
    migrate(db)
    assert version(db) == head(db)
    assert entries(db) == before
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM roles")).scalar() == 0
