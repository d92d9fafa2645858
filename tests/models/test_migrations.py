"""Alembic is the only way the schema changes: upgrade, downgrade, and concurrent start-up."""
import threading
from pathlib import Path

from sqlalchemy import inspect

from bot.db import ensure_database, make_engine, migrate
from models import Base

PLAN = Path(__file__).resolve().parents[2] / "plans" / "ratchaburi-2565.yaml"


def test_migrations_build_the_models_schema_and_go_back_down(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    from alembic import command
    from bot.db import alembic_config
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    engine.dispose()


def test_several_processes_starting_at_once_set_up_once(database_url):
    errors = []

    def start():
        try:
            engine = make_engine(database_url)
            ensure_database(engine, PLAN)
            engine.dispose()
        except Exception as exc:  # pragma: no cover - the failure is the assertion
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    engine = make_engine(database_url)
    with engine.connect() as conn:
        from sqlalchemy import text
        assert conn.execute(text("SELECT count(*) FROM plans")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM progress")).scalar() == 10 * (3 + 5 + 4)
    engine.dispose()
