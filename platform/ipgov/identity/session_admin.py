"""Sign-in sessions seen and ended by their owner or a member's administrator, and each group's
session policy (issue 19 item 4).

A session is a refresh-token family (``sessions``). Its *idle* timeout is how long its refresh
token lives unused, its *absolute* one how long after sign-in it ends whatever happens. The
platform's bounds (``IPGOV_REFRESH_TTL_SECONDS``, ``IPGOV_SESSION_MAX_SECONDS``) are ceilings;
a group may only tighten them, and a person who is a member in several groups gets the
strictest of their policies, applied at sign-in and at every refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput, NotFound
from ipgov.tenancy.models import PLATFORM_TENANT_ID, Tenant
from ipgov.validation import FieldErrors

from .models import RefreshToken, User
from .session_policy import SessionPolicy, effective_policy, platform_policy
from .sessions import revoke_family, revoke_user_sessions

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["SessionInfo", "SessionPolicy", "effective_policy", "end_session", "list_sessions",
           "platform_policy", "set_policy"]

MIN_IDLE, MIN_ABSOLUTE = 300, 3600  # seconds: shorter would sign people out mid-task


@dataclass(frozen=True)
class SessionInfo:
    """One active session of a user."""

    id: str
    client: str
    started_at: datetime
    last_active_at: datetime
    expires_at: datetime


async def set_policy(platform: Platform, session: AsyncSession, *, group_id: str,
                     idle_seconds: int | None, absolute_seconds: int | None,
                     actor: str) -> SessionPolicy:
    """Tighten (or, with None, reset) a group's session timeouts, audited."""
    group = await session.get(Tenant, group_id)
    if group is None or group.parent_id is not None or group.id == PLATFORM_TENANT_ID:
        raise InvalidInput("session timeouts are set by a group, for all its subsidiaries",
                           code="SESSION_POLICY_GROUP_ONLY", field="tenantId")
    base = platform_policy(platform)
    errors = FieldErrors()
    for field, value, low, high in (("idleMinutes", idle_seconds, MIN_IDLE, base.idle_seconds),
                                    ("absoluteHours", absolute_seconds, MIN_ABSOLUTE,
                                     base.absolute_seconds)):
        if value is not None and not low <= value <= high:
            errors.add(InvalidInput(
                f"{field} must lie between {low // 60} minutes and the platform's bound of "
                f"{high // 60} minutes", code="SESSION_POLICY_RANGE", field=field,
                details={"low_minutes": low // 60, "high_minutes": high // 60}))
    if idle_seconds and absolute_seconds and idle_seconds > absolute_seconds:
        errors.add(InvalidInput("the idle timeout cannot be longer than the session itself",
                                code="SESSION_POLICY_IDLE_TOO_LONG", field="idleMinutes"))
    errors.raise_if_any()
    group.session_idle_seconds, group.session_max_seconds = idle_seconds, absolute_seconds
    await platform.audit(session, tenant_id=group.id, actor=actor,
                         action="tenant.session_policy_set", object_type="ipgov:tenant",
                         object_id=group.id, details={"idle_seconds": idle_seconds,
                                                      "absolute_seconds": absolute_seconds})
    return SessionPolicy(idle_seconds or base.idle_seconds,
                         absolute_seconds or base.absolute_seconds,
                         idle_seconds is None and absolute_seconds is None)


async def list_sessions(session: AsyncSession, user_id: str, *, limit: int = 50
                        ) -> list[SessionInfo]:
    """The user's sessions still alive, newest first (at most ``limit``)."""
    now = utcnow()
    rows = (await session.execute(
        select(RefreshToken.family_id, func.max(RefreshToken.client),
               func.min(RefreshToken.session_started_at), func.max(RefreshToken.created_at),
               func.max(RefreshToken.expires_at))
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None),
               RefreshToken.used_at.is_(None), RefreshToken.expires_at > now)
        .group_by(RefreshToken.family_id)
        .order_by(func.max(RefreshToken.created_at).desc()).limit(limit))).all()
    return [SessionInfo(*row) for row in rows]


async def end_session(platform: Platform, session: AsyncSession, *, user_id: str,
                      session_id: str | None, actor: str, tenant_id: str) -> int:
    """End one of the user's sessions (or, ``session_id`` None, all of them), audited in
    ``tenant_id`` (where the administrator acts); returns how many ended."""
    if session_id is None:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFound("no such member", code="MEMBER_NOT_FOUND", field="userId")
        ended = await revoke_user_sessions(platform, session, user)
    else:
        owned = (await session.execute(select(RefreshToken.id).where(
            RefreshToken.family_id == session_id, RefreshToken.user_id == user_id)
            .limit(1))).scalar_one_or_none()
        if owned is None:
            raise NotFound("no such session of this person", code="SESSION_NOT_FOUND",
                           field="sessionId")
        await revoke_family(platform, session, session_id, reason="ended by " + actor)
        ended = 1
    await platform.audit(session, tenant_id=tenant_id, actor=actor,
                         action="user.sessions_ended", object_type="ipgov:user",
                         object_id=user_id, details={"session": session_id or "*",
                                                     "ended": ended})
    return ended
