"""One-time secrets (refresh tokens, invitation and reset links): made random, stored hashed.

The secret is 32 random bytes (256 bits), so a plain SHA-256 of it cannot be brute-forced and
lookups stay one indexed equality; argon2 is for low-entropy secrets chosen by people.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import overload

__all__ = ["MAX_SECRET_LENGTH", "aware", "hash_secret", "new_secret"]

MAX_SECRET_LENGTH = 200


def new_secret() -> tuple[str, str]:
    """A fresh secret and the hash to store: ``(plaintext, sha256 hex)``."""
    plaintext = secrets.token_urlsafe(32)
    return plaintext, hash_secret(plaintext)


def hash_secret(plaintext: str) -> str:
    """The stored form of a secret (hex SHA-256); bounded input, any text accepted."""
    data = (plaintext or "")[:MAX_SECRET_LENGTH].encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: datetime | None) -> datetime | None:
    """A stored time as UTC-aware (SQLite hands back naive datetimes)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
