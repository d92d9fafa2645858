"""Alembic environment: uses the connection handed in by bot.db.migrate, else DATABASE_URL."""
from alembic import context
from sqlalchemy import pool

from bot.config import database_url
from bot.db import make_engine, migration_connection
from models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    # `alembic upgrade head` from a shell: the same connection care as bot.db.migrate (SQLite's
    # foreign keys off while a batch migration rebuilds a table, every reference checked after)
    engine = make_engine(database_url())
    with migration_connection(engine) as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        context.run_migrations()
    engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
