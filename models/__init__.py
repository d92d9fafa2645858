"""SQLAlchemy 2.0 typed models. The schema changes only through Alembic (models/migrations)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey,
                        Index, Integer, String, Text, UniqueConstraint)
from sqlalchemy import text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Base(DeclarativeBase):
    pass


class PlanRecord(Base):
    """A loaded plan, one per (province, fiscal year): the validated YAML text is kept so every
    process reads the same plan. A province's *current* plan is the pinned one, else the one
    whose fiscal year covers today (bot.core.plans.current_of)."""
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    province_key: Mapped[str] = mapped_column(String(64))
    province_name: Mapped[str] = mapped_column(String(200))
    fiscal_year: Mapped[int] = mapped_column(Integer)              # B.E.
    source_text: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)   # flask plan use
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # +1 on every load or pin of the row: processes notice a change by the sum, whatever the
    # clocks of the machines that wrote it
    revision: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (UniqueConstraint("province_key", "fiscal_year", name="uq_plans_province_year"),)


class Group(Base):
    """A LINE group or room the bot is in, and what it is bound to."""
    __tablename__ = "groups"
    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str | None] = mapped_column(String(16))  # district|province|department|None
    province_key: Mapped[str | None] = mapped_column(String(64))  # district and province groups
    district_key: Mapped[str | None] = mapped_column(String(64))  # within the province
    bound_by: Mapped[str | None] = mapped_column(String(64))
    bound_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    joined_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    muted: Mapped[bool] = mapped_column(Boolean, default=False)


class LineUser(Base):
    """A LINE user seen by the bot: cached display name, last district group, registration."""
    __tablename__ = "line_users"
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    profile_fetched_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_group_id: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    registered_province: Mapped[str | None] = mapped_column(String(64))
    registered_district: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookEvent(Base):
    """Every webhook event taken, keyed by LINE's webhookEventId: the dedupe ledger."""
    __tablename__ = "webhook_events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(32))
    source_type: Mapped[str | None] = mapped_column(String(16))
    group_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64))
    timestamp_ms: Mapped[int | None] = mapped_column(BigInteger)
    redelivery: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(32))


class Entry(Base):
    """One logged piece of progress: the audit trail (who, when, where, what, the words typed)."""
    __tablename__ = "entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    indicator_key: Mapped[str] = mapped_column(String(32))
    district_key: Mapped[str] = mapped_column(String(64))
    category_key: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str | None] = mapped_column(String(64))
    group_id: Mapped[str | None] = mapped_column(String(64))
    source_type: Mapped[str] = mapped_column(String(16))           # group | user | room
    text: Mapped[str] = mapped_column(Text)
    event_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(String(64))
    amended_from: Mapped[int | None] = mapped_column(Integer)       # amount before แก้ไข
    message_id: Mapped[str | None] = mapped_column(String(32))      # LINE id of the log message
    # who last edited or undid it (a LINE userId, or "cli:<os user>"), and when; the officer
    # who logged it is user_id, the amount before an edit amended_from
    changed_by: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_entries_user_latest", "user_id", "id"),
        Index("ix_entries_message", "message_id"),
        Index("ix_entries_user_created", "user_id", "created_at"),
        Index("ix_entries_plan_district", "plan_id", "district_key", "id"),
        Index("ix_entries_plan_created", "plan_id", "created_at"),
        Index("ix_entries_plan_indicator_district", "plan_id", "indicator_key", "district_key",
              "id"),
    )


class Progress(Base):
    """Running totals per (plan, indicator, district, category), kept in the entry's transaction,
    so totals cost the same with ten entries or ten million. category_key '' = the indicator."""
    __tablename__ = "progress"
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    indicator_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    district_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    category_key: Mapped[str] = mapped_column(String(32), primary_key=True, default="")
    done: Mapped[int] = mapped_column(BigInteger, default=0)

    # the indicators' totals of many plans at once (the national summary) read this small
    # index only, not every category's counter
    __table_args__ = (Index("ix_progress_totals", "plan_id", "indicator_key", "done",
                            postgresql_where=text("category_key = ''"),
                            sqlite_where=text("category_key = ''")),)


class PendingConfirmation(Base):
    """An uncertain reading echoed to the user, recorded only on their ยืนยัน (10 min)."""
    __tablename__ = "pending_confirmations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))                # group id or user id
    command: Mapped[dict] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    event_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # confirmed | cancelled | superseded (a later command) | unsent (the message was unsent)
    resolution: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(16))            # unsure | total | repeat
    message_id: Mapped[str | None] = mapped_column(String(32))      # LINE id of the message

    __table_args__ = (Index("ix_pending_user", "user_id", "chat_id", "id"),
                      Index("ix_pending_message", "message_id"))


class BotMessage(Base):
    """A message the bot sent about an entry (LINE's ``sentMessages[].id``): quoting it with
    ยกเลิก / แก้เป็น N acts on that entry."""
    __tablename__ = "bot_messages"
    message_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChatNotice(Base):
    """Something a chat should hear that happened without a reply token (an unsent log taken
    back): carried by the bot's next reply in that chat, instead of a push that costs quota."""
    __tablename__ = "chat_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_chat_notices_open", "chat_id", "delivered_at"),)


class ReminderDelivery(Base):
    """The reminder ledger: one row per (group, day), written before the push, whose retry key
    makes LINE drop a repeat (409)."""
    __tablename__ = "reminder_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed|dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("group_id", "day", name="uq_reminder_group_day"),)


class FailedEvent(Base):
    """An event whose handling raised (a bug): kept whole so that it can be processed again
    after the fix (``flask events replay``), at most once (the webhook_events claim)."""
    __tablename__ = "failed_events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)                          # the event's JSON
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    failed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # failed | replayed (applied by a replay) | duplicate (it had been applied meanwhile)
    status: Mapped[str] = mapped_column(String(16), default="failed")
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_failed_events_status", "status", "failed_at"),)


# --------------------------------------------------------------------------- people and roles
ROLE_NAMES = ("province_admin", "district_head")


class Role(Base):
    """A role granted to a LINE user (bot.core.roles): ``province_admin`` of a province, or
    ``district_head`` of one of its districts. Department admins are not here (they are
    ADMIN_LINE_USER_IDS). A revoked role keeps its row (revoked_by/revoked_at); a person may
    hold several roles, and at most one live row per (user, role, province, district)."""
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))                  # province_admin|district_head
    province_key: Mapped[str] = mapped_column(String(64))
    district_key: Mapped[str | None] = mapped_column(String(64))   # district heads only
    granted_by: Mapped[str] = mapped_column(String(100))           # userId or "cli:<os user>"
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("(role = 'province_admin' AND district_key IS NULL) OR "
                        "(role = 'district_head' AND district_key IS NOT NULL)",
                        name="ck_roles_scope"),
        # one live row per (user, role, province, district); NULL districts compare equal
        Index("uq_roles_live", "user_id", "role", "province_key",
              text("coalesce(district_key, '')"), unique=True,
              postgresql_where=text("revoked_at IS NULL"),
              sqlite_where=text("revoked_at IS NULL")),
        Index("ix_roles_place", "province_key", "district_key"),
    )


class AuditEvent(Base):
    """Who did what to whom, where: grants and revokes (chat and CLI), and what the web side
    records (logins, exports, brief downloads, tokens). ``actor``: a LINE userId,
    ``cli:<os user>`` or ``token:<name>``."""
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))     # grant|revoke|login|login_failed|export|…
    subject: Mapped[str | None] = mapped_column(String(200))  # whom or what it was about
    province_key: Mapped[str | None] = mapped_column(String(64))
    district_key: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_events_at", "at"),
                      Index("ix_audit_events_province", "province_key", "at"))


class ApiToken(Base):
    """A bearer token for the API, scoped to a province (NULL: every province). Only its
    SHA-256 (hex) is kept."""
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    province_key: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
