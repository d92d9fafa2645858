"""initial schema

Revision ID: 0001
Revises: 

"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('groups',
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=True),
    sa.Column('district_key', sa.String(length=64), nullable=True),
    sa.Column('bound_by', sa.String(length=64), nullable=True),
    sa.Column('bound_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('muted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('group_id')
    )
    op.create_table('line_users',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('profile_fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_group_id', sa.String(length=64), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registered_district', sa.String(length=64), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('pending_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('command', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pending_confirmations', schema=None) as batch_op:
        batch_op.create_index('ix_pending_user', ['user_id', 'chat_id', 'id'], unique=False)

    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('reminder_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('retry_key', sa.String(length=36), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_id', 'day', name='uq_reminder_group_day'),
    sa.UniqueConstraint('retry_key')
    )
    op.create_table('webhook_events',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('source_type', sa.String(length=16), nullable=True),
    sa.Column('group_id', sa.String(length=64), nullable=True),
    sa.Column('user_id', sa.String(length=64), nullable=True),
    sa.Column('timestamp_ms', sa.BigInteger(), nullable=True),
    sa.Column('redelivery', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('indicator_key', sa.String(length=32), nullable=False),
    sa.Column('district_key', sa.String(length=64), nullable=False),
    sa.Column('category_key', sa.String(length=32), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=True),
    sa.Column('group_id', sa.String(length=64), nullable=True),
    sa.Column('source_type', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by', sa.String(length=64), nullable=True),
    sa.Column('amended_from', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.create_index('ix_entries_plan_district', ['plan_id', 'district_key', 'id'], unique=False)
        batch_op.create_index('ix_entries_user_latest', ['user_id', 'id'], unique=False)

    op.create_table('progress',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('indicator_key', sa.String(length=32), nullable=False),
    sa.Column('district_key', sa.String(length=64), nullable=False),
    sa.Column('category_key', sa.String(length=32), nullable=False),
    sa.Column('done', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], ),
    sa.PrimaryKeyConstraint('plan_id', 'indicator_key', 'district_key', 'category_key')
    )



def downgrade() -> None:

    op.drop_table('progress')
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_index('ix_entries_user_latest')
        batch_op.drop_index('ix_entries_plan_district')

    op.drop_table('entries')
    op.drop_table('webhook_events')
    op.drop_table('reminder_deliveries')
    op.drop_table('plans')
    with op.batch_alter_table('pending_confirmations', schema=None) as batch_op:
        batch_op.drop_index('ix_pending_user')

    op.drop_table('pending_confirmations')
    op.drop_table('line_users')
    op.drop_table('groups')

