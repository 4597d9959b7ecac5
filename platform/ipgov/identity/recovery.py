"""Changing a password, and resetting a forgotten one through a one-time e-mailed link.

Changing needs the current password (counted by the sign-in throttle, like a sign-in) and ends
every other session; resetting proves control of the address instead, ends every session, lifts
the account's sign-in throttles and signs in. A reset request answers the same whether or not
the address has an account, and does its work (link, e-mail, audit) in the background so that
its timing does not tell either.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ipgov.db import TenantScope
from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput, Unauthenticated
from ipgov.tenancy.models import PLATFORM_TENANT_ID

from . import throttle
from .factors.tickets import SecondStep, begin_sign_in
from .mail import Mailer, MailError, reset_message
from .models import PasswordReset, User
from .onetime import aware, hash_secret, new_secret
from .passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    validate_password_policy,
    verify_password_or_dummy,
)
from .sessions import SignedIn, revoke_user_sessions

if TYPE_CHECKING:
    from ipgov.runtime import Platform

    from .service import Principal

__all__ = ["change_password", "checked_password", "public_url", "request_reset",
           "reset_password"]

log = logging.getLogger(__name__)
RESET_COOLDOWN = timedelta(seconds=60)
_BACKGROUND: set[asyncio.Task[None]] = set()


def public_url(platform: Platform, fragment: str) -> str:
    """An absolute link to the account page (the secret stays in the fragment: it never
    reaches a server log or a Referer header)."""
    settings = platform.settings
    base = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    return f"{base}/account/#{fragment}"


def checked_password(password: str, field: str = "password") -> str:
    """``password`` when it meets the policy; ``InvalidInput`` (``PASSWORD_POLICY``) otherwise."""
    try:
        validate_password_policy(password)
    except ValueError as exc:
        raise InvalidInput(str(exc), code="PASSWORD_POLICY", field=field,
                           details={"min": MIN_PASSWORD_LENGTH,
                                    "max": MAX_PASSWORD_LENGTH}) from None
    return password


async def change_password(platform: Platform, principal: Principal, *, current: str,
                          new: str, client: str) -> str:
    """Replace the caller's password; returns a fresh access token for the current session
    (every other session ends). A wrong current password counts as a failed sign-in."""
    checked_password(new, "newPassword")
    async with platform.db.system_session("identity: change password (attempt)") as session:
        user = await session.get(User, principal.id)
        if user is None:
            raise InvalidInput("only users have a password", code="USER_NOT_FOUND")
        attempt = await throttle.claim(platform, session, user.email, client)
    if not await asyncio.to_thread(verify_password_or_dummy, user.password_hash, current or ""):
        raise Unauthenticated("the current password is wrong", code="BAD_CREDENTIALS",
                              field="currentPassword", details={"seconds": attempt.blocked_for})
    new_hash = await asyncio.to_thread(hash_password, new)
    async with platform.db.system_session("identity: change password") as session:
        await throttle.release(session, attempt)
        user = await session.get(User, principal.id)
        user.password_hash, user.password_changed_at = new_hash, utcnow()
        ended = await revoke_user_sessions(platform, session, user, keep=principal.session_id)
        await platform.audit(session, tenant_id=PLATFORM_TENANT_ID, actor=user.id,
                             action="user.password_changed", object_type="ipgov:user",
                             object_id=user.id, details={"sessions_ended": ended})
    token: str = platform.tokens.issuer.issue(user.id, session_id=principal.session_id,
                                              generation=user.token_generation).token
    return token


def request_reset(platform: Platform, email: str) -> None:
    """Start a password reset for ``email`` in the background (same answer for every address);
    ``InvalidInput`` (``RESET_UNAVAILABLE``) when no mail server is configured."""
    mailer = Mailer.from_settings(platform.settings)
    if mailer is None:
        raise InvalidInput("password reset by e-mail is not set up here; ask an administrator "
                           "of your tenant for a new invitation", code="RESET_UNAVAILABLE")
    task = asyncio.create_task(_send_reset(platform, mailer, (email or "").strip().lower()))
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


async def _send_reset(platform: Platform, mailer: Mailer, email: str) -> None:
    try:
        link = await _new_reset_link(platform, email)
        if link is not None:
            subject, body = reset_message(*link)
            await mailer.send(email, subject, body)
    except MailError as exc:
        log.warning("password reset mail not sent: %s", exc)
    except Exception:
        log.exception("password reset failed")


async def _new_reset_link(platform: Platform, email: str) -> tuple[str, str] | None:
    """Store a reset link for an active user (at most one a minute); None otherwise."""
    now = utcnow()
    async with platform.db.system_session("identity: reset request") as session:
        user = (await session.execute(select(User).where(User.email == email))
                ).scalar_one_or_none()
        if user is None or not user.active:
            return None
        recent = (await session.execute(select(PasswordReset.created_at).where(
            PasswordReset.user_id == user.id).order_by(PasswordReset.created_at.desc())
            .limit(1))).scalar()
        if recent is not None and aware(recent) > now - RESET_COOLDOWN:
            return None
        plaintext, digest = new_secret()
        expires = now + timedelta(seconds=platform.settings.password_reset_ttl_seconds)
        session.add(PasswordReset(user_id=user.id, token_hash=digest, expires_at=expires))
        await platform.audit(session, tenant_id=PLATFORM_TENANT_ID, actor="anonymous",
                             action="user.password_reset_requested", object_type="ipgov:user",
                             object_id=user.id, details={})
    stamp = expires.strftime("%Y-%m-%d %H:%M UTC")
    return public_url(platform, f"reset={plaintext}"), stamp


def _invalid_link() -> InvalidInput:
    return InvalidInput("the reset link is unknown, used or expired; ask for a new one",
                        code="RESET_LINK_INVALID", field="token")


async def reset_password(platform: Platform, *, token: str, new: str, client: str
                         ) -> SignedIn | SecondStep:
    """Set a new password through a reset link (once), end every session, sign in."""
    checked_password(new, "newPassword")
    digest, now = hash_secret(token), utcnow()
    async with platform.db.session(TenantScope.system("identity: check reset link"),
                                   readonly=True) as session:
        valid = (await session.execute(select(PasswordReset.id).where(
            PasswordReset.token_hash == digest, PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now))).first()
    if valid is None:
        raise _invalid_link()
    new_hash = await asyncio.to_thread(hash_password, new)
    async with platform.db.system_session("identity: reset password") as session:
        user_id = (await session.execute(update(PasswordReset).where(
            PasswordReset.token_hash == digest, PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now).values(used_at=now)
            .returning(PasswordReset.user_id))).scalar_one_or_none()
        user = await session.get(User, user_id) if user_id else None
        if user is None or not user.active:
            raise _invalid_link()
        await session.execute(update(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)).values(used_at=now))
        user.password_hash, user.password_changed_at = new_hash, now
        await revoke_user_sessions(platform, session, user)
        await throttle.forget_account(session, user.email)
        await platform.audit(session, tenant_id=PLATFORM_TENANT_ID, actor=user.id,
                             action="user.password_reset", object_type="ipgov:user",
                             object_id=user.id, details={"client": throttle.client_key(client)})
        return await begin_sign_in(platform, session, user, client=throttle.client_key(client),
                                   how="reset link")
