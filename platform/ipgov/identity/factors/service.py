"""A person's second factors: enrol an authenticator app or a passkey, list and remove them,
renew the recovery codes; and an administrator's reset of a member's factors.

Enrolment works for a signed-in person, or with an ``enrol`` ticket (a person whom a group's
policy binds and who has no factor yet: they may do nothing else), in which case confirming
the first factor opens the session the ticket was waiting for. The first factor comes with a
fresh set of recovery codes. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.errors import InvalidInput, NotFound

from ..models import User
from ..sessions import SignedIn, revoke_user_sessions
from . import passkeys, recovery_codes, totp
from .models import PasskeyChallenge, RecoveryCode, SecondFactor
from .policy import must_have_second_factor
from .tickets import audit_factor, finish_ticket, methods_of, ticket_user

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["Enrolled", "FactorInfo", "acting_user", "confirm_passkey", "confirm_totp",
           "list_factors", "regenerate_codes", "remove_factor", "reset_member"]


@dataclass(frozen=True)
class FactorInfo:
    """One second factor as its owner (or their administrator) sees it: never its secret."""

    id: str
    kind: str
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class Enrolled:
    """A factor now in force, the recovery codes that came with it (the first factor only),
    and the session when an enrolment ticket was finished."""

    factor: FactorInfo
    recovery_codes: list[str] = field(default_factory=list)
    signed_in: SignedIn | None = None


def info(factor: SecondFactor) -> FactorInfo:
    """What the API shows of a factor."""
    return FactorInfo(factor.id, factor.kind, factor.name, factor.created_at,
                      factor.last_used_at)


async def acting_user(session: AsyncSession, user_id: str | None, ticket: str | None
                      ) -> User:
    """The person enrolling: the signed-in one, or the one of an ``enrol`` ticket."""
    if ticket:
        return await ticket_user(session, ticket, "enrol")
    user = await session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        raise NotFound("no such user", code="USER_NOT_FOUND")
    return user


async def list_factors(session: AsyncSession, user_id: str) -> list[FactorInfo]:
    """The person's factors in force, oldest first (at most a few dozen by construction)."""
    rows = (await session.execute(select(SecondFactor).where(
        SecondFactor.user_id == user_id, SecondFactor.confirmed_at.is_not(None))
        .order_by(SecondFactor.created_at).limit(100))).scalars()
    return [info(row) for row in rows]


async def _enrolled(platform: Platform, session: AsyncSession, user: User,
                    factor: SecondFactor, ticket: str | None) -> Enrolled:
    first = not await session.scalar(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id).limit(1))
    codes = await recovery_codes.regenerate(session, user.id) if first else []
    await audit_factor(platform, session, user.id, "second_factor_enrolled", kind=factor.kind,
                       factor=factor.id, name=factor.name)
    signed = await finish_ticket(platform, session, ticket, how=f"enrol {factor.kind}") \
        if ticket else None
    return Enrolled(info(factor), codes, signed)


async def confirm_totp(platform: Platform, session: AsyncSession, user: User, code: str, *,
                       ticket: str | None) -> Enrolled:
    """Put the pending authenticator app in force with its first code."""
    factor = await totp.confirm(platform, session, user, code)
    return await _enrolled(platform, session, user, factor, ticket)


async def confirm_passkey(platform: Platform, session: AsyncSession, user: User, *,
                          challenge_id: str, credential: str, name: str,
                          ticket: str | None) -> Enrolled:
    """Keep a passkey the browser just made."""
    factor = await passkeys.finish_registration(
        platform, session, user, challenge_id=challenge_id, credential=credential, name=name)
    return await _enrolled(platform, session, user, factor, ticket)


async def remove_factor(platform: Platform, session: AsyncSession, user: User,
                        factor_id: str) -> None:
    """Remove one of the person's factors; the last one only when no policy binds them
    (``SECOND_FACTOR_REQUIRED``). With the last one go the recovery codes."""
    factor = await session.get(SecondFactor, (factor_id or "")[:36])
    if factor is None or factor.user_id != user.id:
        raise NotFound("no such second factor of yours", code="SECOND_FACTOR_NOT_FOUND",
                       field="factorId")
    others = [f for f in await list_factors(session, user.id) if f.id != factor.id]
    if not others and await must_have_second_factor(platform, session, user):
        raise InvalidInput("your group requires a second factor: add another one before "
                           "removing this one", code="SECOND_FACTOR_REQUIRED",
                           field="factorId")
    await session.delete(factor)
    if not others:
        await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await audit_factor(platform, session, user.id, "second_factor_removed", kind=factor.kind,
                       factor=factor.id, name=factor.name)


async def regenerate_codes(platform: Platform, session: AsyncSession, user: User
                           ) -> list[str]:
    """A new set of recovery codes (the old set stops working); needs a factor in force."""
    if not await methods_of(session, user.id):
        raise InvalidInput("enrol an authenticator app or a passkey first",
                           code="SECOND_FACTOR_NONE")
    codes = await recovery_codes.regenerate(session, user.id)
    await audit_factor(platform, session, user.id, "recovery_codes_generated",
                       count=len(codes))
    return codes


async def reset_member(platform: Platform, session: AsyncSession, *, user_id: str,
                       actor: str, tenant_id: str) -> int:
    """Remove every second factor and recovery code of a member and end their sessions
    (their phone or key is lost, or in the wrong hands), audited in ``tenant_id``; the
    caller checked the privilege ceiling. Returns how many factors went."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("no such member", code="MEMBER_NOT_FOUND", field="userId")
    removed = len(await list_factors(session, user.id))
    for table in (SecondFactor, RecoveryCode, PasskeyChallenge):
        await session.execute(delete(table).where(table.user_id == user.id))
    await revoke_user_sessions(platform, session, user)
    await platform.audit(session, tenant_id=tenant_id, actor=actor,
                         action="user.second_factors_reset", object_type="ipgov:user",
                         object_id=user.id, details={"removed": removed})
    return removed
