"""Sign-in sessions: an access token plus a rotating refresh token, and signing out.

A session is a family of refresh tokens sharing an id, which is also the ``sid`` claim of its
access tokens. Refreshing uses a refresh token once (an atomic ``UPDATE ... WHERE used_at IS
NULL``) and issues the next one; presenting a used one again means it was copied (RFC 9700
section 4.14.2), so the whole family is revoked, its access tokens included (the ``sid`` goes on
the revocation list). Signing out revokes the family the same way; signing out everywhere (or
changing the password) bumps the user's token generation, which voids every token at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import new_id, utcnow
from ipgov.errors import Unauthenticated
from ipgov.tenancy.models import PLATFORM_TENANT_ID

from .models import RefreshToken, User
from .onetime import aware, hash_secret, new_secret
from .revocations import revoke
from .session_policy import effective_policy

if TYPE_CHECKING:
    from ipgov.runtime import Platform

    from .principal import Principal

__all__ = ["SignedIn", "open_session", "refresh_session", "revoke_family", "sign_out"]


@dataclass(frozen=True)
class SignedIn:
    """What a successful sign-in (or refresh) hands to the client."""

    user: User
    session_id: str
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


async def _refresh_expiry(platform: Platform, session: AsyncSession, user: User,
                          started: datetime) -> datetime:
    """The next refresh token's end: the idle timeout from now, at most the absolute one
    from sign-in, by the strictest policy of the user's groups (``session_admin``)."""
    policy = await effective_policy(platform, session, user.id)
    return min(utcnow() + timedelta(seconds=policy.idle_seconds),
               started + timedelta(seconds=policy.absolute_seconds))


async def _new_refresh(session: AsyncSession, platform: Platform, user: User, family: str,
                       started: datetime, client: str) -> tuple[str, datetime]:
    plaintext, digest = new_secret()
    expires = await _refresh_expiry(platform, session, user, started)
    if expires <= utcnow():  # the group's absolute timeout has passed: sign in again
        raise _refused()
    session.add(RefreshToken(family_id=family, user_id=user.id, token_hash=digest,
                             client=client[:64], session_started_at=started,
                             expires_at=expires))
    return plaintext, expires


def _signed_in(platform: Platform, user: User, family: str, refresh: tuple[str, datetime]
               ) -> SignedIn:
    access = platform.tokens.issuer.issue(user.id, session_id=family,
                                          generation=user.token_generation)
    return SignedIn(user, family, access.token, access.expires_at, *refresh)


async def open_session(platform: Platform, session: AsyncSession, user: User, *,
                       client: str, how: str = "password") -> SignedIn:
    """Start a session for ``user`` (after a verified password, reset or invitation), audited."""
    family, started = new_id(), utcnow()
    refresh = await _new_refresh(session, platform, user, family, started, client)
    await platform.audit(session, tenant_id=PLATFORM_TENANT_ID, actor=user.id,
                         action="user.signed_in", object_type="ipgov:user", object_id=user.id,
                         details={"session": family, "client": client, "method": how})
    return _signed_in(platform, user, family, refresh)


def _refused() -> Unauthenticated:
    return Unauthenticated("the refresh token is unknown, expired or revoked; sign in again",
                           code="REFRESH_TOKEN_INVALID")


async def refresh_session(platform: Platform, token: str, *, client: str) -> SignedIn:
    """Exchange a refresh token for a new access token and the next refresh token.

    A token used before revokes its family (committed) and is refused with
    ``REFRESH_TOKEN_REUSED``; unknown, expired and revoked ones are ``REFRESH_TOKEN_INVALID``.
    """
    digest, now = hash_secret(token), utcnow()
    failure: Unauthenticated | None = None
    async with platform.db.system_session("identity: refresh") as session:
        claimed = (await session.execute(
            update(RefreshToken).where(
                RefreshToken.token_hash == digest, RefreshToken.used_at.is_(None),
                RefreshToken.revoked_at.is_(None), RefreshToken.expires_at > now)
            .values(used_at=now)
            .returning(RefreshToken.family_id, RefreshToken.user_id,
                       RefreshToken.session_started_at))).first()
        if claimed is None:
            failure = await _explain_refusal(platform, session, digest)
        else:
            user = await session.get(User, claimed.user_id)
            if user is None or not user.active:
                failure = _refused()
            else:
                try:
                    refresh = await _new_refresh(session, platform, user, claimed.family_id,
                                                 aware(claimed.session_started_at), client)
                except Unauthenticated as exc:
                    failure = exc
    if failure is not None:
        raise failure
    return _signed_in(platform, user, claimed.family_id, refresh)


async def _explain_refusal(platform: Platform, session: AsyncSession, digest: str
                           ) -> Unauthenticated:
    """Why a refresh token was not accepted; a reused one revokes its family here."""
    row = (await session.execute(select(RefreshToken).where(
        RefreshToken.token_hash == digest))).scalar_one_or_none()
    if row is None or row.used_at is None or row.revoked_at is not None:
        return _refused()
    await revoke_family(platform, session, row.family_id, reason="refresh token reused")
    await platform.audit(session, tenant_id=PLATFORM_TENANT_ID, actor=row.user_id,
                         action="user.session_reuse_detected", object_type="ipgov:user",
                         object_id=row.user_id, details={"session": row.family_id})
    return Unauthenticated("this refresh token was used before: the session has been "
                           "revoked for safety; sign in again", code="REFRESH_TOKEN_REUSED")


def _access_horizon(platform: Platform) -> datetime:
    """Until when a revoked session's access tokens could still be valid."""
    return utcnow() + timedelta(seconds=platform.settings.jwt_ttl_seconds + 60)


async def revoke_family(platform: Platform, session: AsyncSession, family: str, *,
                        reason: str) -> None:
    """Revoke a session: its refresh tokens, and its access tokens through the ``sid``."""
    await session.execute(update(RefreshToken).where(
        RefreshToken.family_id == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
    await revoke(platform, session, family, _access_horizon(platform))


async def revoke_user_sessions(platform: Platform, session: AsyncSession, user: User, *,
                               keep: str | None = None) -> int:
    """Void every token of ``user`` (a new token generation) and end every session but
    ``keep``; returns how many sessions ended."""
    user.token_generation += 1
    families = set((await session.execute(select(RefreshToken.family_id).where(
        RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None),
        RefreshToken.family_id != (keep or "")))).scalars())
    for family in sorted(families):
        await revoke_family(platform, session, family, reason="all sessions")
    return len(families)


async def sign_out(platform: Platform, principal: Principal, *, everywhere: bool = False
                   ) -> None:
    """End the caller's session (or, ``everywhere``, all of the user's sessions), audited."""
    async with platform.db.system_session("identity: sign out") as session:
        if principal.session_id:
            await revoke_family(platform, session, principal.session_id, reason="sign-out")
        elif principal.token_id and principal.token_expires_at is not None:
            await revoke(platform, session, principal.token_id, principal.token_expires_at)
        if everywhere:
            user = await session.get(User, principal.id)
            if user is not None:
                await revoke_user_sessions(platform, session, user)
        await platform.audit(session, tenant_id=PLATFORM_TENANT_ID, actor=principal.id,
                             action="user.signed_out", object_type="ipgov:user",
                             object_id=principal.id,
                             details={"session": principal.session_id or "",
                                      "everywhere": everywhere})
