"""entries: an index for each district's latest entry of an indicator (the status's
last_entry_at, read for every district at once)

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entries_plan_indicator_district", "entries",
                    ["plan_id", "indicator_key", "district_key", "id"])


def downgrade() -> None:
    op.drop_index("ix_entries_plan_indicator_district", table_name="entries")
