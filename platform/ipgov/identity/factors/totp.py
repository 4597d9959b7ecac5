"""Time-based one-time passwords (RFC 6238: 30-second steps, six digits, HMAC-SHA1, what every
authenticator app speaks), with ``pyotp``.

Enrolment makes a 160-bit secret, sealed at rest, shown once as an ``otpauth://`` URI (the
workspace draws its QR code); the factor is in force only after a first code confirms it. A
code is accepted for the current step and one step either side (clock drift), and only for a
step later than the last one accepted, so a code seen over a shoulder or replayed from a log
does not work a second time.
"""

from __future__ import annotations

import hmac
import time
from typing import Any, cast

import pyotp
from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import new_id, utcnow
from ipgov.errors import Conflict, InvalidInput

from ..models import User
from ..sealing import seal, unseal
from .models import SecondFactor

__all__ = ["TotpEnrolment", "begin", "confirm", "matching_step", "provisioning_uri"]

SEAL_LABEL = b"ipgov second factor totp secret v1"
DRIFT_STEPS = 1
ISSUER = "ipgov"


class TotpEnrolment:
    """A pending TOTP factor: its id, the secret (shown once) and the ``otpauth://`` URI."""

    def __init__(self, factor_id: str, secret: str, uri: str) -> None:
        self.factor_id, self.secret, self.uri = factor_id, secret, uri


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def _bad_code() -> InvalidInput:
    return InvalidInput("the code is wrong, expired or was used already", field="code",
                        code="SECOND_FACTOR_CODE_INVALID")


def _digits(code: str) -> str:
    cleaned = "".join((code or "")[:20].split())
    if not (cleaned.isdigit() and len(cleaned) == 6):
        raise _bad_code()
    return cleaned


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (within the drift window) whose code is ``code``, or None."""
    totp, now = pyotp.TOTP(secret), time.time() if at is None else at
    current = int(now // totp.interval)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def begin(platform: Any, session: AsyncSession, user: User) -> TotpEnrolment:
    """Start enrolling an app (a pending factor replaces an earlier pending one);
    ``TOTP_ALREADY_ENROLLED`` while a confirmed one exists."""
    confirmed = (await session.execute(select(SecondFactor.id).where(
        SecondFactor.user_id == user.id, SecondFactor.kind == "totp",
        SecondFactor.confirmed_at.is_not(None)))).first()
    if confirmed:
        raise Conflict("an authenticator app is enrolled already: remove it first",
                       code="TOTP_ALREADY_ENROLLED")
    await session.execute(delete(SecondFactor).where(
        SecondFactor.user_id == user.id, SecondFactor.kind == "totp",
        SecondFactor.confirmed_at.is_(None)))
    secret, factor_id = pyotp.random_base32(32), new_id()
    session.add(SecondFactor(id=factor_id, user_id=user.id, kind="totp",
                             name="Authenticator app", secret_sealed=seal(
                                 platform, secret, provider_id=factor_id, label=SEAL_LABEL)))
    await session.flush()
    return TotpEnrolment(factor_id, secret, provisioning_uri(secret, user.email))


async def _claim_step(platform: Any, session: AsyncSession, factor: SecondFactor, code: str
                      ) -> bool:
    """Accept ``code`` for ``factor`` once: its step must be later than the last accepted."""
    secret = unseal(platform, factor.secret_sealed or "",
                    provider_id=factor.id, label=SEAL_LABEL)
    step = matching_step(secret, _digits(code))
    if step is None:
        return False
    claimed = cast("CursorResult[Any]", await session.execute(
        update(SecondFactor).where(
            SecondFactor.id == factor.id,
            or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < step))
        .values(last_step=step, last_used_at=utcnow())))
    return claimed.rowcount == 1


async def confirm(platform: Any, session: AsyncSession, user: User, code: str
                  ) -> SecondFactor:
    """Put the pending app in force with its first code (``SECOND_FACTOR_CODE_INVALID``)."""
    factor = (await session.execute(select(SecondFactor).where(
        SecondFactor.user_id == user.id, SecondFactor.kind == "totp",
        SecondFactor.confirmed_at.is_(None)))).scalar_one_or_none()
    if factor is None:
        raise InvalidInput("start enrolling an authenticator app first",
                           code="TOTP_NOT_STARTED", field="code")
    if not await _claim_step(platform, session, factor, code):
        raise _bad_code()
    factor.confirmed_at = utcnow()
    return factor


async def verify(platform: Any, session: AsyncSession, user: User, code: str) -> bool:
    """Whether ``code`` is a fresh code of the user's confirmed app (consumed if so)."""
    factor = (await session.execute(select(SecondFactor).where(
        SecondFactor.user_id == user.id, SecondFactor.kind == "totp",
        SecondFactor.confirmed_at.is_not(None)))).scalar_one_or_none()
    if factor is None:
        return False
    try:
        return await _claim_step(platform, session, factor, code)
    except InvalidInput:
        return False
