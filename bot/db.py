"""Engine, sessions, and bringing an empty database to the newest schema and the default plan.

SQLite (default, a file under ``instance/``) runs in WAL mode with a busy timeout; PostgreSQL is
used when ``DATABASE_URL`` names it. ``ensure_database`` is safe when several processes start at
once: it holds an advisory lock (PostgreSQL) or a file lock (SQLite) while it migrates and loads.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from pathlib import Path

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "models" / "migrations"
READ_ONLY = "nongpat_read_only"  # execution option: this work only reads
MIGRATE_LOCK_ID = 0x6E6F6E67  # "nong": the advisory lock key for schema and plan set-up
log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Heroku-style ``postgres://`` and bare ``postgresql://`` use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.isolation_level = None  # let SQLAlchemy's "BEGIN" below take charge
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # noqa: ANN001
            # take the write lock at BEGIN: no deadlock-prone lock upgrades under concurrency;
            # read-only work (make_read_sessionmaker) reads a snapshot and never waits for writers
            # (through SQLAlchemy, not straight to the driver: a locked or missing database
            # must raise SQLAlchemy's OperationalError, which the webhook answers with 503)
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY)
                                 else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         connect_args={"connect_timeout": 5})


def sqlite_file(engine: Engine) -> str | None:
    """The SQLite database file behind ``engine``; None for PostgreSQL or an in-memory SQLite."""
    db = engine.url.database if engine.dialect.name == "sqlite" else None
    return db if db and db != ":memory:" else None


_write_locks: dict[str, tuple[threading.Lock, object]] = {}
_write_locks_guard = threading.Lock()


@contextlib.contextmanager
def write_lock(engine: Engine):
    """SQLite: one writing transaction at a time, handed over without polling.

    SQLite lets one writer in and makes the others poll with growing sleeps (busy_timeout): under
    a burst, 8 waiting threads of 2 workers gave a p99 of 600 ms and a third of the throughput.
    A thread lock (threads of this process) plus ``flock`` on a side file (other processes) wake
    the next writer as soon as the last one commits. PostgreSQL: nothing (row locks suffice).
    """
    db = sqlite_file(engine)
    if db is None:
        yield
        return
    key = f"{os.getpid()}:{db}"
    with _write_locks_guard:
        if key not in _write_locks:
            _write_locks[key] = (threading.Lock(), open(db + ".write-lock", "a"))
        tlock, fh = _write_locks[key]
    with tlock:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def make_read_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only (the plan check before an event's transaction, the API, the
    dashboard, exports). On SQLite they BEGIN a plain read transaction, not BEGIN IMMEDIATE:
    they neither take nor wait for the write lock (WAL readers see the last commit).
    PostgreSQL: the same as make_sessionmaker."""
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


@contextlib.contextmanager
def setup_lock(engine: Engine):
    """One process at a time migrates and loads the plan, on one machine or many."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATE_LOCK_ID})")
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATE_LOCK_ID})")
                conn.commit()
        return
    db = sqlite_file(engine)
    if db is None:
        yield
        return
    with open(Path(db + ".setup-lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url",
                        engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


@contextlib.contextmanager
def migration_connection(engine: Engine):
    """A connection in a transaction for Alembic. SQLite: foreign keys are not enforced
    meanwhile — a batch migration rebuilds a table (copy, DROP, rename), and DROP TABLE plans
    fails while entries and progress refer to it; the pragma is a no-op inside a transaction,
    so it is turned off before BEGIN, every reference is checked before COMMIT, and it is on
    again after."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                before = _revision(conn) if raw is not None else None
                yield conn
                if raw is not None and _revision(conn) != before:  # not at every start-up
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def _revision(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def migrate(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine)
    with migration_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        alembic_command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to an older schema (operators, tests): the same care as ``migrate``."""
    cfg = alembic_config(engine)
    with migration_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        alembic_command.downgrade(cfg, revision)


def ensure_database(engine: Engine, plan_file: str | os.PathLike) -> None:
    """Newest schema, and — in a database with no plan yet — every plan ``plan_file`` names
    (one file, a directory of them, or several separated by commas). Idempotent,
    concurrent-safe. A database that has plans keeps them: operators add or replace one with
    ``flask plan load``."""
    from bot.core import plans as plan_store  # late: plans imports models
    from models import PlanRecord

    with setup_lock(engine):
        migrate(engine)
        with Session(engine) as s, s.begin():
            if s.scalar(select(PlanRecord.id).limit(1)) is None:
                files = plan_store.plan_files(plan_file)
                if not files:
                    raise plan_store.PlanError(f"PLAN_FILE '{plan_file}': ไม่พบไฟล์แผน (.yaml)")
                seen: dict[tuple[str, int], Path] = {}
                for path in files:
                    plan = plan_store.load_into(s, path).plan
                    twin = seen.setdefault((plan.province_key, plan.fiscal_year), path)
                    if twin != path:  # the second would silently replace the first
                        raise plan_store.PlanError(
                            f"PLAN_FILE: {twin} และ {path} เป็นแผนของจังหวัด{plan.province_name} "
                            f"ปี {plan.fiscal_year} ทั้งคู่ (จังหวัดและปีหนึ่งมีได้แผนเดียว)")
                log.info("loaded %d plan(s) from %s", len(files), plan_file)
