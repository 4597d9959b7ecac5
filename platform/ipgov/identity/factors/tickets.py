"""The second step of a sign-in: a right password (or reset link) hands out a short-lived
ticket instead of a session when the person has a second factor, or must enrol one first.

``verify`` tickets complete with a fresh TOTP code, a passkey or a recovery code; ``enrol``
tickets allow only enrolling a first factor, and become a session when it is confirmed. A
ticket lives five minutes, works once, and dies after ``MAX_FAILURES`` wrong answers; each
answer is also counted per (person, client address) by the sign-in throttle, before it is
checked, so second factors are guessed no faster than passwords.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow
from ipgov.errors import DomainError, InvalidInput, Unauthenticated
from ipgov.tenancy.models import PLATFORM_TENANT_ID

from .. import throttle
from ..models import User
from ..onetime import hash_secret, new_secret
from ..sessions import SignedIn, open_session, refresh_session, revoke_family
from . import recovery_codes
from .models import SecondFactor, SecondFactorTicket
from .policy import must_have_second_factor

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["SecondStep", "audit_factor", "begin_sign_in", "complete", "methods_of",
           "refresh_bound", "ticket_user"]

TICKET_SECONDS = 300
MAX_FAILURES = 5


@dataclass(frozen=True)
class SecondStep:
    """A sign-in waiting for its second factor (or, ``enrol``, for a first one)."""

    user: User
    ticket: str
    expires_at: datetime
    methods: tuple[str, ...]
    enrol: bool


async def methods_of(session: AsyncSession, user_id: str) -> tuple[str, ...]:
    """The second factors the user can sign in with: ``totp``, ``passkey``, ``recovery_code``."""
    kinds = set((await session.execute(select(SecondFactor.kind).where(
        SecondFactor.user_id == user_id, SecondFactor.confirmed_at.is_not(None)))).scalars())
    if kinds and await recovery_codes.remaining(session, user_id):
        kinds.add("recovery_code")
    return tuple(k for k in ("totp", "passkey", "recovery_code") if k in kinds)


async def audit_factor(platform: Platform, session: AsyncSession, user_id: str, action: str,
                       **details: Any) -> None:
    """An audit event of a person's second factors (in the platform's trail, like sign-ins)."""
    await platform.audit(session, tenant_id=PLATFORM_TENANT_ID, actor=user_id,
                         action=f"user.{action}", object_type="ipgov:user", object_id=user_id,
                         details=details)


async def begin_sign_in(platform: Platform, session: AsyncSession, user: User, *,
                        client: str, how: str) -> SignedIn | SecondStep:
    """After the first factor: a session, or a ticket for the second step."""
    methods = await methods_of(session, user.id)
    enrol = not methods and await must_have_second_factor(platform, session, user)
    if not methods and not enrol:
        return await open_session(platform, session, user, client=client, how=how)
    await session.execute(delete(SecondFactorTicket).where(  # bounded: a person's dead ones go
        SecondFactorTicket.user_id == user.id, SecondFactorTicket.expires_at <= utcnow()))
    plaintext, digest = new_secret()
    expires = utcnow() + timedelta(seconds=TICKET_SECONDS)
    session.add(SecondFactorTicket(ticket_hash=digest, user_id=user.id, client=client[:64],
                                   purpose="enrol" if enrol else "verify", method=how[:40],
                                   expires_at=expires))
    await audit_factor(platform, session, user.id, "second_factor_requested",
                       client=client, enrol=enrol)
    return SecondStep(user, plaintext, expires, methods, enrol)


async def refresh_bound(platform: Platform, token: str, *, client: str) -> SignedIn:
    """Refresh a session (``sessions.refresh_session``), unless a group's policy now binds
    its person to a second factor they do not have: then the session ends
    (``SECOND_FACTOR_ENROLMENT_REQUIRED``) and the next sign-in leads to enrolment."""
    signed = await refresh_session(platform, token, client=client)
    async with platform.db.system_session("identity: second factor on refresh") as session:
        user = await session.get(User, signed.user.id)
        if user is None or await methods_of(session, user.id) \
                or not await must_have_second_factor(platform, session, user):
            return signed
        await revoke_family(platform, session, signed.session_id,
                            reason="second factor required")
        await audit_factor(platform, session, user.id, "session_ended_for_second_factor",
                           ended=signed.session_id)
    raise Unauthenticated("your group now requires a second factor: sign in again to set one "
                          "up", code="SECOND_FACTOR_ENROLMENT_REQUIRED")


def _ticket_invalid() -> Unauthenticated:
    return Unauthenticated("the sign-in expired or was finished already: sign in again",
                           code="SECOND_FACTOR_TICKET_INVALID")


async def _ticket(session: AsyncSession, ticket: str) -> SecondFactorTicket:
    row = await session.get(SecondFactorTicket, hash_secret(ticket))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise _ticket_invalid()
    return row


async def ticket_user(session: AsyncSession, ticket: str, purpose: str) -> User:
    """The person of a live ticket of ``purpose`` (``SECOND_FACTOR_TICKET_INVALID``)."""
    row = await _ticket(session, ticket)
    user = await session.get(User, row.user_id)
    if row.purpose != purpose or user is None or not user.active:
        raise _ticket_invalid()
    return user


async def finish_ticket(platform: Platform, session: AsyncSession, ticket: str, *, how: str
                        ) -> SignedIn:
    """Use the ticket up (atomically: once) and open the session it was waiting for."""
    digest = hash_secret(ticket)
    row = (await session.execute(update(SecondFactorTicket).where(
        SecondFactorTicket.ticket_hash == digest, SecondFactorTicket.used_at.is_(None),
        SecondFactorTicket.expires_at > utcnow()).values(used_at=utcnow())
        .returning(SecondFactorTicket.user_id, SecondFactorTicket.client,
                   SecondFactorTicket.method))).first()
    user = await session.get(User, row.user_id) if row else None
    if row is None or user is None:
        raise _ticket_invalid()
    return await open_session(platform, session, user, client=row.client,
                              how=f"{row.method}+{how}")


Check = Callable[[AsyncSession, User], Awaitable[bool]]


async def complete(platform: Platform, ticket: str, *, how: str, check: Check,
                   client: str) -> SignedIn:
    """Finish a ``verify`` ticket when ``check`` accepts the answer (``how``: ``totp``,
    ``passkey``, ``recovery_code``); a wrong answer is counted, audited and refused
    (``SECOND_FACTOR_CODE_INVALID``)."""
    async with platform.db.system_session("identity: second factor attempt") as session:
        user = await ticket_user(session, ticket, "verify")
        attempt = await throttle.claim(platform, session, f"second-factor:{user.id}", client)
    failure: DomainError | None = None
    async with platform.db.system_session("identity: second factor") as session:
        user = await ticket_user(session, ticket, "verify")
        try:
            accepted = await check(session, user)
        except InvalidInput as exc:
            accepted, failure = False, exc
        if accepted:
            await throttle.release(session, attempt)
            await audit_factor(platform, session, user.id, "second_factor_used", method=how)
            return await finish_ticket(platform, session, ticket, how=how)
        row = await _ticket(session, ticket)
        row.failures += 1
        if row.failures >= MAX_FAILURES:  # this ticket is being guessed: sign in again
            row.used_at = utcnow()
        await audit_factor(platform, session, user.id, "second_factor_failed", method=how,
                           client=attempt.client, failures=attempt.number)
    raise failure or InvalidInput("the code is wrong, expired or was used already",
                                  code="SECOND_FACTOR_CODE_INVALID", field="code",
                                  details={"seconds": attempt.blocked_for})
