"""many provinces and fiscal years in one deployment: a plan is (province, fiscal year);
groups and registrations name their province; the one "active" plan becomes an optional pin

A database made by the one-plan code upgrades in place: every plan gets its province and year
from its own YAML; every bound group and registered officer gets the province of the plan that
was active; the active plan stays the current one (pinned, when its province has another plan
the calendar would pick instead).

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
import yaml

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BE_OFFSET = 543


def _identity(text: str, key: str) -> tuple[str, str, int]:
    """(province key, province name, B.E. fiscal year) read from a stored plan's YAML."""
    try:
        doc = yaml.load(text, Loader=yaml.BaseLoader) or {}  # every scalar as text
        province = doc.get("province") or {}
        year = int(str(doc.get("fiscal_year")).strip())
        return (str(province["key"]), str(province.get("name") or province["key"]),
                year + BE_OFFSET if year < 2400 else year)
    except (yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError):
        return key, key, 0


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("province_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("province_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("fiscal_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pinned", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False,
                                   server_default=sa.text("1")))
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("province_key", sa.String(length=64), nullable=True))
    with op.batch_alter_table("line_users") as batch:
        batch.add_column(sa.Column("registered_province", sa.String(length=64), nullable=True))

    plans = sa.table("plans", sa.column("id", sa.Integer), sa.column("key", sa.String),
                     sa.column("source_text", sa.Text), sa.column("active", sa.Boolean),
                     sa.column("loaded_at", sa.DateTime), sa.column("province_key", sa.String),
                     sa.column("province_name", sa.String), sa.column("fiscal_year", sa.Integer),
                     sa.column("pinned", sa.Boolean), sa.column("changed_at", sa.DateTime))
    rows = conn.execute(sa.select(plans.c.id, plans.c.key, plans.c.source_text, plans.c.active,
                                  plans.c.loaded_at).order_by(plans.c.id)).all()
    seen: dict[tuple[str, int], int] = {}
    province_of_active = None
    per_province: dict[str, int] = {}
    found = []
    # the active plan first: when two old plans claim one (province, year), it keeps the name
    for row in sorted(rows, key=lambda r: (not r.active, -r.id)):
        province, name, year = _identity(row.source_text, row.key)
        if (province, year) in seen:  # an old test copy of the same plan: kept, set apart
            # (bot.core.plans.is_set_apart); within the column's 64 characters
            apart = f"{province}~{row.key}"
            province = apart if len(apart) <= 64 else f"{province[:40]}~{row.id}"
        seen[(province, year)] = row.id
        per_province[province] = per_province.get(province, 0) + 1
        if row.active:
            province_of_active = province
        found.append((row, province, name, year))
    for row, province, name, year in found:
        conn.execute(plans.update().where(plans.c.id == row.id).values(
            province_key=province, province_name=name, fiscal_year=year,
            pinned=bool(row.active) and per_province[province] > 1,
            changed_at=row.loaded_at))
    if province_of_active is None and len(found) == 1:
        province_of_active = found[0][1]
    if province_of_active is not None:
        groups = sa.table("groups", sa.column("scope", sa.String),
                          sa.column("province_key", sa.String))
        conn.execute(groups.update().where(groups.c.scope.in_(("district", "province")))
                     .values(province_key=province_of_active))
        users = sa.table("line_users", sa.column("registered_district", sa.String),
                         sa.column("registered_province", sa.String))
        conn.execute(users.update().where(users.c.registered_district.is_not(None))
                     .values(registered_province=province_of_active))

    with op.batch_alter_table("plans") as batch:
        batch.alter_column("province_key", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("province_name", existing_type=sa.String(length=200), nullable=False)
        batch.alter_column("fiscal_year", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("changed_at", existing_type=sa.DateTime(timezone=True),
                           nullable=False)
        batch.create_unique_constraint("uq_plans_province_year", ["province_key", "fiscal_year"])
        batch.drop_column("active")
    op.create_index("ix_progress_totals", "progress", ["plan_id", "indicator_key", "done"],
                    postgresql_where=sa.text("category_key = ''"),
                    sqlite_where=sa.text("category_key = ''"))


def downgrade() -> None:
    conn = op.get_bind()
    op.drop_index("ix_progress_totals", table_name="progress")
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    plans = sa.table("plans", sa.column("id", sa.Integer), sa.column("active", sa.Boolean),
                     sa.column("pinned", sa.Boolean))
    # one active plan: the pinned one, else the newest
    chosen = conn.execute(sa.select(plans.c.id).order_by(plans.c.pinned.desc(),
                                                         plans.c.id.desc()).limit(1)).scalar()
    if chosen is not None:
        conn.execute(plans.update().where(plans.c.id == chosen).values(active=True))
    with op.batch_alter_table("line_users") as batch:
        batch.drop_column("registered_province")
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("province_key")
    with op.batch_alter_table("plans") as batch:
        batch.drop_constraint("uq_plans_province_year", type_="unique")
        batch.drop_column("revision")
        batch.drop_column("changed_at")
        batch.drop_column("pinned")
        batch.drop_column("fiscal_year")
        batch.drop_column("province_name")
        batch.drop_column("province_key")
