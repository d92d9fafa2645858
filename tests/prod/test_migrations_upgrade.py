"""An upgrade from the first migration to the newest on a database with data keeps the data and
adds what the later migrations add."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from bot.db import make_engine, migrate
from tests.prod.conftest import BACKENDS

PLAN = Path(__file__).resolve().parents[2] / "plans" / "ratchaburi-2565.yaml"


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_from_0001_to_head_keeps_data(backend, fresh_db):
    engine = make_engine(fresh_db(backend))
    try:
        migrate(engine, "0001")
        assert "ix_entries_plan_created" not in {
            i["name"] for i in inspect(engine).get_indexes("entries")}
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO plans (id, key, source_text, active, loaded_at) VALUES "
                "(1, 'ratchaburi-2565', :t, :yes, '2022-04-01 00:00:00+00')"),
                {"t": PLAN.read_text(encoding="utf-8"), "yes": True})
            conn.execute(text(
                "INSERT INTO groups (group_id, scope, district_key, muted) VALUES "
                "('Cgroup1', 'district', 'ban-pong', :no)"), {"no": False})
            conn.execute(text(
                "INSERT INTO progress (plan_id, indicator_key, district_key, category_key, done) "
                "VALUES (1, 'jpt', 'ban-pong', '', 120)"))
            conn.execute(text(
                "INSERT INTO webhook_events (event_id, event_type, redelivery, received_at) "
                "VALUES ('01EV1', 'message', :no, '2022-04-19 03:00:00+00')"), {"no": False})
            conn.execute(text(
                "INSERT INTO entries (plan_id, indicator_key, district_key, amount, user_id, "
                "group_id, source_type, text, event_id, created_at) VALUES "
                "(1, 'jpt', 'ban-pong', 120, 'U1', 'Cgroup1', 'group', "
                "'บันทึก จปฐ 120 ครัวเรือน', '01EV1', '2022-04-19 03:00:00+00')"))
        migrate(engine)  # head
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert version != "0001"
            row = conn.execute(text("SELECT amount, text, event_id FROM entries")).one()
            assert tuple(row) == (120, "บันทึก จปฐ 120 ครัวเรือน", "01EV1")
            assert conn.execute(text("SELECT done FROM progress")).scalar() == 120
            assert conn.execute(text("SELECT district_key FROM groups")).scalar() == "ban-pong"
        assert "ix_entries_plan_created" in {
            i["name"] for i in inspect(engine).get_indexes("entries")}
    finally:
        engine.dispose()
