"""Sign-in throttling per (account, client address), counted atomically before verifying.

Each attempt first *claims* a slot with one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``
(SQLite and PostgreSQL): the row's counter goes up and, from the ``login_free_attempts``-th
attempt on, ``blocked_until`` is pushed to now + a delay that doubles per attempt, in the same
statement. The update only happens while the pair is not blocked, so however many requests
race (across any number of API processes) at most ``login_free_attempts`` passwords are
verified, and afterwards one per delay. A refused claim changes nothing and costs no argon2.

Keys: ``account`` is a hash of the normalised email whether or not such a user exists, so an
unknown address is throttled exactly like a real one (no existence oracle); only the attacking
client address is slowed down, never the owner elsewhere (no lockout as denial of service).
A success resets the pair only if no attempt was claimed after it (so a correct guess among
concurrent ones does not reopen the window for the others).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import case, delete, literal, or_, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from ipgov.db.base import utcnow
from ipgov.errors import Unauthenticated
from ipgov.settings import Settings

from .models import LoginThrottle
from .onetime import aware
from .upsert import insert_for

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["LoginThrottled", "account_key", "claim", "delay_seconds", "release"]

MAX_STEPS = 32


class LoginThrottled(Unauthenticated):
    """Too many failed sign-ins of this account from this address: retry after a delay."""

    code = "LOGIN_THROTTLED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed sign-ins from this address; try again in {retry_after} s, "
            "or reset your password with a link", details={"seconds": retry_after})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Claim:
    """A claimed attempt: its number since the last success and the delay it set, if any."""

    account: str
    client: str
    number: int
    blocked_for: int


def account_key(email: str) -> str:
    """The throttle key of an email address (normalised, hashed; exists or not)."""
    normal = (email or "").strip().lower()[:320]
    return hashlib.sha256(normal.encode("utf-8", "surrogatepass")).hexdigest()


def client_key(address: str | None) -> str:
    """The throttle key of a client address (bounded; ``unknown`` when there is none)."""
    return (address or "unknown").strip()[:64] or "unknown"


def delay_seconds(settings: Settings, number: int) -> int:
    """The delay an attempt numbered ``number`` sets before the next one may be verified."""
    free = max(1, settings.login_free_attempts)
    if number < free:
        return 0
    step = min(number - free, MAX_STEPS)
    delay: int = settings.login_delay_seconds * 2 ** step  # int ** int is Any in typeshed
    return min(settings.login_max_delay_seconds, delay)


def _blocked_until(settings: Settings, number: ColumnElement[Any],
                   now: datetime) -> ColumnElement[Any]:
    """SQL for ``blocked_until`` after an attempt numbered ``number`` (a column expression):
    a CASE over the few distinct delays, since date arithmetic differs between databases."""
    column_type = LoginThrottle.__table__.c.blocked_until.type
    free = max(1, settings.login_free_attempts)
    whens = []
    for top in range(free, free + MAX_STEPS):
        seconds = delay_seconds(settings, top)
        if seconds >= settings.login_max_delay_seconds:
            break
        whens.append((number == top, literal(now + timedelta(seconds=seconds), column_type)))
    cap = literal(now + timedelta(seconds=settings.login_max_delay_seconds), column_type)
    return case((number < free, literal(None, column_type)), *whens, else_=cap)


async def claim(platform: Platform, session: AsyncSession, email: str,
                client: str | None) -> Claim:
    """Count an attempt before its password is verified; ``LoginThrottled`` when the pair must
    wait (nothing is counted then). Commit the session before verifying."""
    settings, now = platform.settings, utcnow()
    account, address = account_key(email), client_key(client)
    table = LoginThrottle.__table__
    stmt = insert_for(session, table).values(
        account=account, client=address, failures=1, updated_at=now,
        blocked_until=_blocked_until(settings, literal(1), now))
    number = table.c.failures + 1
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.account, table.c.client],
        set_={"failures": number, "blocked_until": _blocked_until(settings, number, now),
              "updated_at": now},
        where=or_(table.c.blocked_until.is_(None), table.c.blocked_until <= now),
    ).returning(table.c.failures)
    claimed = (await session.execute(stmt)).scalar_one_or_none()
    if claimed is None:
        raise LoginThrottled(await _retry_after(session, account, address, now))
    return Claim(account, address, claimed, delay_seconds(settings, claimed))


async def _retry_after(session: AsyncSession, account: str, client: str, now: datetime) -> int:
    until = (await session.execute(select(LoginThrottle.blocked_until).where(
        LoginThrottle.account == account, LoginThrottle.client == client))).scalar()
    until = aware(until)
    return max(1, math.ceil((until - now).total_seconds())) if until else 1


async def release(session: AsyncSession, attempt: Claim) -> None:
    """After a success: forget the pair's failures, unless another attempt was claimed since."""
    await session.execute(delete(LoginThrottle).where(
        LoginThrottle.account == attempt.account, LoginThrottle.client == attempt.client,
        LoginThrottle.failures == attempt.number))


async def forget_account(session: AsyncSession, email: str) -> None:
    """Lift every throttle of an account (its owner proved control by a reset link)."""
    await session.execute(delete(LoginThrottle).where(
        LoginThrottle.account == account_key(email)))


async def purge(session: AsyncSession, settings: Settings) -> int:
    """Delete pairs idle for a day past the longest delay (bounded table growth)."""
    horizon = utcnow() - timedelta(seconds=settings.login_max_delay_seconds, days=1)
    result = cast("CursorResult[Any]", await session.execute(delete(LoginThrottle).where(
        LoginThrottle.updated_at < horizon)))
    return result.rowcount or 0
