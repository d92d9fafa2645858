"""the conversation around the numbers: LINE message ids of logs and of the bot's answers,
the kind and message of a pending prompt, notices carried by the next reply, and an index on
(user_id, created_at) for "the same log sent twice within 10 minutes"

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("message_id", sa.String(length=32), nullable=True))
    op.create_index("ix_entries_message", "entries", ["message_id"])
    op.create_index("ix_entries_user_created", "entries", ["user_id", "created_at"])
    with op.batch_alter_table("pending_confirmations") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("message_id", sa.String(length=32), nullable=True))
    op.create_index("ix_pending_message", "pending_confirmations", ["message_id"])
    op.create_table(
        "bot_messages",
        sa.Column("message_id", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"]),
        sa.PrimaryKeyConstraint("message_id"))
    op.create_table(
        "chat_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"))
    op.create_index("ix_chat_notices_open", "chat_notices", ["chat_id", "delivered_at"])


def downgrade() -> None:
    op.drop_index("ix_chat_notices_open", table_name="chat_notices")
    op.drop_table("chat_notices")
    op.drop_table("bot_messages")
    op.drop_index("ix_pending_message", table_name="pending_confirmations")
    with op.batch_alter_table("pending_confirmations") as batch:
        batch.drop_column("message_id")
        batch.drop_column("kind")
    op.drop_index("ix_entries_user_created", table_name="entries")
    op.drop_index("ix_entries_message", table_name="entries")
    with op.batch_alter_table("entries") as batch:
        batch.drop_column("message_id")
