"""People and roles: who may do what, and where. One model for the chat and the web.

Four kinds of people, each a LINE userId:

- **department admin** — ``ADMIN_LINE_USER_IDS`` (configuration, not rows): everything,
  everywhere;
- **province admin** of a province — a row of ``roles``, granted by a department admin
  (``แต่งตั้งผู้ดูแลจังหวัด @ชื่อ`` in a group of that province, or ``flask people grant``);
- **district head** (พัฒนาการอำเภอ) of a district — a row of ``roles``, granted by a province
  admin of its province (``แต่งตั้งหัวหน้าอำเภอ @ชื่อ`` in the district's group);
- **everyone else** — the officers: log for their group's district, ask, correct their own
  entries.

A person may hold several roles. What each may do is one table, :data:`ACCESS` (action →
the roles that may do it); :func:`may` reads it for a place (province, district). Chat
commands are checked in front of their handlers (handlers.base.dispatch); the web checks its
own actions (view, export, brief, …) with the same function.

Grants and revokes write ``roles`` and ``audit_events`` in the caller's transaction.
"""
from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.timeutil import as_utc
from models import AuditEvent, LineUser, Role, utcnow

DEPARTMENT_ADMIN = "department_admin"
PROVINCE_ADMIN = "province_admin"
DISTRICT_HEAD = "district_head"
EVERYONE = "everyone"
GRANTED = (PROVINCE_ADMIN, DISTRICT_HEAD)      # the roles that are rows of ``roles``
SOMEWHERE = "*"   # may(…, SOMEWHERE): does the person hold one of the roles anywhere?

ROLE_NAMES = {DEPARTMENT_ADMIN: "ผู้ดูแลระบบของกรม", PROVINCE_ADMIN: "ผู้ดูแลจังหวัด",
              DISTRICT_HEAD: "หัวหน้าอำเภอ (พัฒนาการอำเภอ)", EVERYONE: "พัฒนากร"}

_D, _P, _H, _E = DEPARTMENT_ADMIN, PROVINCE_ADMIN, DISTRICT_HEAD, EVERYONE

# THE ACCESS TABLE: action → the roles that may do it. A role counts only where it is held:
# a department admin anywhere; a province admin for the places of their province; a district
# head for their district (not for the province as a whole); everyone everywhere. The place is
# what the action touches: the group's district, the entry's district, the place a group is
# bound to, the district of a dashboard …
ACCESS: dict[str, frozenset[str]] = {
    # --- chat
    "log": frozenset({_E}),                      # for the chat's own district
    "log_other_district": frozenset({_D, _P, _H}),  # a district named other than the chat's
    "query": frozenset({_E}),                    # ยอด, กำหนดส่ง, อันดับ, ประวัติ, ใครยังไม่ส่ง, ของฉัน
    "register": frozenset({_E}),                 # ลงทะเบียน
    "help": frozenset({_E}),
    "confirm": frozenset({_E}),                  # ยืนยัน one's own prompt
    "undo_own": frozenset({_E}),                 # ยกเลิก / unsend one's own entry
    "edit_own": frozenset({_E}),                 # แก้ไข one's own entry
    "undo_any": frozenset({_D, _P, _H}),         # another officer's entry (of that district)
    "edit_any": frozenset({_D, _P, _H}),
    "mute": frozenset({_D, _P, _H}),             # ปิด/เปิดแจ้งเตือน of the group's place
    "bind": frozenset({_D, _P}),                 # ผูกกลุ่ม to a place of the province
    "bind_department": frozenset({_D}),          # ผูกกลุ่ม กรม
    "appoint_province_admin": frozenset({_D}),
    "appoint_district_head": frozenset({_D, _P}),
    "revoke_province_admin": frozenset({_D}),
    "revoke_district_head": frozenset({_D, _P}),
    "who": frozenset({_E}),                      # ใครดูแล
    # --- web (the dashboard, the API, the brief)
    "view": frozenset({_D, _P, _H}),             # a province's (or one district's) figures
    "view_national": frozenset({_D}),            # every province at once
    "export": frozenset({_D, _P}),               # Excel / CSV of a province
    "brief": frozenset({_D, _P}),                # the meeting brief of a province
    "audit": frozenset({_D, _P}),                # who looked, who granted: a province's trail
    "manage_tokens": frozenset({_D}),            # API tokens of a province
}


@dataclass(frozen=True)
class Person:
    """What a LINE user may be: a department admin, and the places of their roles."""
    user_id: str | None
    is_department_admin: bool = False
    province_admin_of: frozenset[str] = frozenset()
    district_head_of: frozenset[tuple[str, str]] = frozenset()  # (province, district)

    @property
    def has_role(self) -> bool:
        return self.is_department_admin or bool(self.province_admin_of or self.district_head_of)

    @property
    def provinces(self) -> frozenset[str]:
        """The provinces where the person holds a granted role (not: department admin)."""
        return self.province_admin_of | {p for p, _ in self.district_head_of}

    def holds(self, role: str, province_key: str | None = None,
              district_key: str | None = None) -> bool:
        """Does the person hold ``role`` at the place (a district head: at that district)?
        ``province_key`` SOMEWHERE: anywhere."""
        if role == EVERYONE:
            return True
        if role == DEPARTMENT_ADMIN:
            return self.is_department_admin
        if province_key == SOMEWHERE:
            return bool(self.province_admin_of if role == PROVINCE_ADMIN
                        else self.district_head_of if role == DISTRICT_HEAD else False)
        if province_key is None:
            return False
        if role == PROVINCE_ADMIN:
            return province_key in self.province_admin_of
        if role == DISTRICT_HEAD:
            return district_key is not None and (province_key, district_key) in \
                self.district_head_of
        return False


NOBODY = Person(None)


def may(person: Person | None, action: str, province_key: str | None = None,
        district_key: str | None = None) -> bool:
    """May ``person`` do ``action`` at the place? ``province_key`` None: no province (the
    department's group, an unbound group): only what everyone or a department admin may;
    SOMEWHERE: anywhere the person holds a role. An action not in the table raises KeyError
    (a typo must not let anyone in)."""
    levels = ACCESS[action]
    person = person or NOBODY
    return any(person.holds(level, province_key, district_key) for level in levels)


def person_of(session: Session, user_id: str | None, admins: Iterable[str] = ()) -> Person:
    """The person behind a LINE userId: a department admin when in ``admins``, and their live
    roles (one indexed read)."""
    if not user_id:
        return NOBODY
    rows = session.execute(select(Role.role, Role.province_key, Role.district_key).where(
        Role.user_id == user_id, Role.revoked_at.is_(None))).all()
    return Person(user_id, user_id in frozenset(admins),
                  frozenset(p for r, p, _ in rows if r == PROVINCE_ADMIN),
                  frozenset((p, d) for r, p, d in rows if r == DISTRICT_HEAD and d))


# --------------------------------------------------------------------------- grants
def _check(role: str, province_key: str, district_key: str | None) -> None:
    if role not in GRANTED:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(GRANTED)})")
    if not province_key:
        raise ValueError("a role needs its province")
    if (role == DISTRICT_HEAD) != bool(district_key):
        raise ValueError("a district head needs a district; a province admin has none")


def live_role(session: Session, user_id: str, role: str, province_key: str,
              district_key: str | None = None) -> Role | None:
    q = select(Role).where(Role.user_id == user_id, Role.role == role,
                           Role.province_key == province_key, Role.revoked_at.is_(None))
    q = q.where(Role.district_key == district_key) if district_key else \
        q.where(Role.district_key.is_(None))
    return session.scalar(q.order_by(Role.id).limit(1))


def cli_actor() -> str:
    """``cli:<os user>``: who ran a ``flask`` command, for the audit trail."""
    try:
        who = getpass.getuser()
    except Exception:  # no user name in this environment (some containers)
        who = "unknown"
    return f"cli:{who}"[:100]


def _utc(at: dt.datetime | None) -> dt.datetime:
    """What is written: UTC (SQLite keeps no offset: a Bangkok time would read 7 hours off)."""
    return utcnow() if at is None else as_utc(at)


def audit(session: Session, actor: str, action: str, subject: str | None = None,
          province_key: str | None = None, district_key: str | None = None,
          detail: dict | None = None, at: dt.datetime | None = None) -> AuditEvent:
    """One line of the audit trail, in the caller's transaction."""
    event = AuditEvent(at=_utc(at), actor=actor[:100], action=action[:32],
                       subject=subject[:200] if subject else None, province_key=province_key,
                       district_key=district_key, detail=detail)
    session.add(event)
    return event


def grant(session: Session, user_id: str, role: str, province_key: str,
          district_key: str | None = None, *, by: str, at: dt.datetime | None = None,
          detail: dict | None = None) -> tuple[Role, bool]:
    """Grant a role (and audit it), in the caller's transaction. Returns (the live row,
    whether it is new); a role already held is left as it is, and not audited again. Two
    grants at once: the second fails on ``uq_roles_live`` (IntegrityError) and its
    transaction rolls back."""
    _check(role, province_key, district_key)
    held = live_role(session, user_id, role, province_key, district_key)
    if held is not None:
        return held, False
    at = _utc(at)
    row = Role(user_id=user_id, role=role, province_key=province_key, district_key=district_key,
               granted_by=by[:100], granted_at=at)
    session.add(row)
    session.flush()
    audit(session, by, "grant", user_id, province_key, district_key,
          {"role": role, **(detail or {})}, at)
    return row, True


def revoke(session: Session, user_id: str, role: str, province_key: str,
           district_key: str | None = None, *, by: str, at: dt.datetime | None = None,
           detail: dict | None = None) -> Role | None:
    """Revoke a live role (and audit it), in the caller's transaction; None when the person
    does not hold it (nothing is written)."""
    _check(role, province_key, district_key)
    row = live_role(session, user_id, role, province_key, district_key)
    if row is None:
        return None
    at = _utc(at)
    done = session.execute(update(Role).where(Role.id == row.id, Role.revoked_at.is_(None))
                           .values(revoked_by=by[:100], revoked_at=at))
    if done.rowcount != 1:  # revoked meanwhile
        return None
    session.refresh(row)
    audit(session, by, "revoke", user_id, province_key, district_key,
          {"role": role, "granted_by": row.granted_by, **(detail or {})}, at)
    return row


# --------------------------------------------------------------------------- who holds what
@dataclass(frozen=True)
class Holder:
    """A live role and its holder, for ``ใครดูแล``, ``flask people list`` and the web."""
    user_id: str
    display_name: str | None
    role: str
    province_key: str
    district_key: str | None
    granted_by: str
    granted_at: dt.datetime            # aware UTC
    id: int = field(default=0, compare=False)


aware = as_utc   # a stored time as aware UTC (bot.timeutil)


def people_of(session: Session, province_key: str | None = None,
              district_key: str | None = None, user_id: str | None = None) -> list[Holder]:
    """The live roles of a province (its province admins and the heads of its districts); with
    ``district_key`` the province admins and that district's heads only; with no province,
    every province's. Province admins first, then by district and date of grant."""
    q = (select(Role, LineUser.display_name)
         .outerjoin(LineUser, LineUser.user_id == Role.user_id)
         .where(Role.revoked_at.is_(None)))
    if province_key is not None:
        q = q.where(Role.province_key == province_key)
    if district_key is not None:
        q = q.where((Role.role == PROVINCE_ADMIN) | (Role.district_key == district_key))
    if user_id is not None:
        q = q.where(Role.user_id == user_id)
    rows = session.execute(q).all()
    out = [Holder(r.user_id, name, r.role, r.province_key, r.district_key, r.granted_by,
                  aware(r.granted_at), r.id) for r, name in rows]
    return sorted(out, key=lambda h: (h.province_key, h.role != PROVINCE_ADMIN,
                                      h.district_key or "", h.granted_at, h.id))


def ensure_user(session: Session, user_id: str, name: str | None = None) -> LineUser:
    """The person's line_users row, made when the bot has never seen them write (a person
    picked by @mention). ``name``: the @name the sender's LINE showed, kept until the profile
    fetch gives the display name (a name already known is left as it is)."""
    user = session.get(LineUser, user_id)
    if user is None:
        user = LineUser(user_id=user_id, display_name=(name or None) and name[:200])
        session.add(user)
        session.flush()
    elif not user.display_name and name:
        user.display_name = name[:200]
    return user
