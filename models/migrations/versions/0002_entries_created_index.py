"""index entries by (plan_id, created_at) for the 7-day pace and history

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entries_plan_created", "entries", ["plan_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_entries_plan_created", table_name="entries")
