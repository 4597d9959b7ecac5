"""Recovery codes: ten one-time codes for the day the phone or the key is lost.

Each code is 16 random base-32 characters (80 bits), shown once in groups of four, and stored
as a SHA-256 hash: with that much entropy a fast hash cannot be reversed, and a code is found
with one indexed equality. Regenerating replaces the whole set (the old codes stop working).
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow

from ..onetime import hash_secret
from .models import RecoveryCode

__all__ = ["COUNT", "normalise", "regenerate", "remaining", "use"]

COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed by hand


def normalise(code: str) -> str:
    """A code as stored: lower case, without spaces and dashes (bounded)."""
    return "".join(ch for ch in (code or "")[:64].lower() if ch.isalnum())


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


async def regenerate(session: AsyncSession, user_id: str) -> list[str]:
    """A fresh set of codes for ``user_id`` (returned once, in the clear); the old ones die."""
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [_new_code() for _ in range(COUNT)]
    session.add_all(RecoveryCode(code_hash=hash_secret(normalise(code)), user_id=user_id)
                    for code in codes)
    await session.flush()
    return codes


async def use(session: AsyncSession, user_id: str, code: str) -> bool:
    """Spend one of the user's unused codes (atomically: a code works once)."""
    result = cast("CursorResult[Any]", await session.execute(
        update(RecoveryCode).where(
            RecoveryCode.code_hash == hash_secret(normalise(code)),
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())))
    return result.rowcount == 1


async def remaining(session: AsyncSession, user_id: str) -> int:
    """How many unused codes the user has left."""
    count: int = (await session.execute(select(func.count()).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)))).scalar_one()
    return count
