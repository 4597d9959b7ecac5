"""Step-up: changing one's second factors needs a recent proof that it is really them.

A stolen session (a cookie or a token copied off a machine) must not be enough to remove a
second factor, renew the recovery codes (and read them) or add a passkey or an authenticator
app of the thief's. These changes need the session's person to have authenticated within
``IPGOV_STEP_UP_SECONDS`` (ten minutes by default): the sign-in itself (password with its
second step, or single sign-on) counts, and so does ``confirm``: the password again, or a
fresh code of the authenticator app, for this session (``SessionConfirmation``). Otherwise
``require_recent`` refuses with ``STEP_UP_REQUIRED`` and the workspace asks the person to
confirm. A token without a sign-in session (minted, or from an external issuer) cannot
be confirmed: sign in to change factors. Password attempts are throttled like sign-ins (per
account and client), and every confirmation, and every failed one, is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow
from ipgov.errors import Forbidden, InvalidInput

from .. import throttle
from ..models import RefreshToken, User
from ..onetime import aware
from ..passwords import verify_password_or_dummy
from . import totp
from .models import SessionConfirmation
from .tickets import audit_factor

if TYPE_CHECKING:
    from ipgov.runtime import Platform

    from ..principal import Principal

__all__ = ["authenticated_at", "confirm", "require_recent"]


async def authenticated_at(session: AsyncSession, family_id: str | None) -> datetime | None:
    """When the person of session ``family_id`` last proved it is them (None: no session)."""
    if not family_id:
        return None
    started = (await session.execute(select(func.min(RefreshToken.session_started_at)).where(
        RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None)))).scalar()
    confirmed = await session.get(SessionConfirmation, family_id)
    times = [aware(t) for t in (started, confirmed.confirmed_at if confirmed else None) if t]
    return max(times) if times else None


def _needed(platform: Platform) -> Forbidden:
    minutes = max(1, platform.settings.step_up_seconds // 60)
    return Forbidden(f"confirm it is you (your password, or a code of your authenticator "
                     f"app), or sign in again: changing second factors needs a sign-in of "
                     f"the last {minutes} minutes", code="STEP_UP_REQUIRED",
                     details={"minutes": minutes})


async def require_recent(platform: Platform, session: AsyncSession,
                         principal: Principal | None) -> None:
    """Refuse (``STEP_UP_REQUIRED``) unless the caller authenticated within the setting."""
    at = await authenticated_at(session, principal.session_id if principal else None)
    horizon = utcnow() - timedelta(seconds=platform.settings.step_up_seconds)
    if at is None or at < horizon:
        raise _needed(platform)


async def _password_ok(platform: Platform, user: User, password: str, client: str) -> bool:
    async with platform.db.system_session("identity: step-up attempt") as session:
        attempt = await throttle.claim(platform, session, user.email, client)
    ok = verify_password_or_dummy(user.password_hash, password)
    if ok:
        async with platform.db.system_session("identity: step-up success") as session:
            await throttle.release(session, attempt)
    return ok


async def _code_ok(platform: Platform, user: User, code: str) -> bool:
    async with platform.db.system_session("identity: step-up code") as session:
        return await totp.verify(platform, session, user, code)


async def confirm(platform: Platform, principal: Principal, *, password: str | None,
                  code: str | None, client: str) -> datetime:
    """Record that the session's person confirmed it is them (see the module); when. Each
    step has its own transaction (a throttled attempt is counted before it is verified)."""
    async with platform.db.system_session("identity: step-up person") as session:
        user = await session.get(User, principal.id)
        if user is not None:
            session.expunge(user)
    if user is None or not user.active or not principal.session_id:
        raise _needed(platform)
    if password:
        ok, method = await _password_ok(platform, user, password, client), "password"
    elif code:
        ok, method = await _code_ok(platform, user, code), "totp"
    else:
        raise InvalidInput("give your password or a code of your authenticator app",
                           code="STEP_UP_CREDENTIAL_MISSING", field="password")
    async with platform.db.system_session("identity: step-up recorded") as session:
        if not ok:
            await audit_factor(platform, session, user.id, "identity_confirmation_failed",
                               method=method)
        else:
            await _record(platform, session, user.id, principal.session_id, method)
    if not ok:
        raise InvalidInput("that is not your password, or not a current code of your "
                           "authenticator app", code="STEP_UP_CREDENTIAL_INVALID",
                           field="code" if method == "totp" else "password")
    return utcnow()


async def _record(platform: Platform, session: AsyncSession, user_id: str, family_id: str,
                  method: str) -> None:
    now = utcnow()
    found = await session.get(SessionConfirmation, family_id)
    if found is None:
        session.add(SessionConfirmation(family_id=family_id, user_id=user_id, method=method,
                                        confirmed_at=now))
    else:
        found.method, found.confirmed_at = method, now
    await audit_factor(platform, session, user_id, "identity_confirmed", method=method,
                       sign_in_session=family_id)
