"""Who pays for a request: the budget a request is charged to, decided before the app runs.

A caller is charged as itself only once its credential is proven: a bearer token whose
signature verifies (no database), or an API key whose secret matches the stored hash. Anything
else, including a victim's public key id with a junk secret, is charged to the client address,
so nobody can spend another caller's budget.

API-key rows are cached per process for ``IPGOV_API_KEY_CACHE_SECONDS`` (the bound within which
a revoked key, or a rotated secret, stops counting as the key's; authentication proper reads
the row on every request and refuses a revoked key at once). A key id not in the cache costs
the client address one request before the database is asked, so looking up random key ids is
bounded by the anonymous budget.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["ApiKeyCache", "Caller", "ScimTokenCache", "client_address", "header"]

MAX_CACHED_KEYS = 10_000


@dataclass(frozen=True)
class Caller:
    """A budget to charge: ``scope`` is ``user`` (a proven caller) or ``client`` (an address)."""

    scope: str
    key: str


def header(scope: dict[str, Any], name: bytes) -> str:
    """The first value of request header ``name`` (lower-case bytes), or ``""``."""
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or ()
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def client_address(scope: dict[str, Any]) -> Caller:
    """The client address as uvicorn reports it (``X-Forwarded-For`` when trusted)."""
    client = scope.get("client") or ("unknown", 0)
    return Caller("client", str(client[0]))


@dataclass(frozen=True)
class _KeyRow:
    secret_hash: str | None  # None: no such key
    revoked_at: datetime | None
    expires_at: datetime | None
    loaded_at: float


class ApiKeyCache:
    """API-key rows (secret hash, revocation, expiry) by key id, each kept ``ttl`` seconds."""

    def __init__(self, ttl: float, max_entries: int = MAX_CACHED_KEYS) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._rows: OrderedDict[str, _KeyRow] = OrderedDict()

    def cached(self, key_id: str) -> bool:
        """Whether a fresh row for ``key_id`` is in memory (no database needed)."""
        row = self._rows.get(key_id)
        return row is not None and time.monotonic() - row.loaded_at <= self.ttl

    async def verifies(self, platform: Any, key_id: str, secret: str) -> bool:
        """Whether ``secret`` is the current secret of an unrevoked, unexpired key ``key_id``."""
        from ipgov.db.base import utcnow
        from ipgov.identity.apikeys import verify_api_key_secret

        if not self.cached(key_id):
            await self._load(platform, key_id)
        row = self._rows[key_id]
        expired = row.expires_at is not None and _aware(row.expires_at) <= utcnow()
        return (row.secret_hash is not None and row.revoked_at is None and not expired
                and verify_api_key_secret(secret, row.secret_hash))

    async def _load(self, platform: Any, key_id: str) -> None:
        from ipgov.db import TenantScope

        scope = TenantScope.system("rate limit: api key")
        async with platform.db.session(scope, readonly=True) as session:  # no write lock
            found = (await session.execute(self._statement(key_id))).first()
        secret_hash, revoked_at, expires_at = found or (None, None, None)
        self._rows[key_id] = _KeyRow(secret_hash, revoked_at, expires_at, time.monotonic())
        self._rows.move_to_end(key_id)
        while len(self._rows) > self.max_entries:
            self._rows.popitem(last=False)

    def _statement(self, key_id: str) -> Any:
        """The row of ``key_id``: (secret hash, revoked at, expires at)."""
        from sqlalchemy import select

        from ipgov.identity.models import ApiKey

        return select(ApiKey.secret_hash, ApiKey.revoked_at, ApiKey.expires_at).where(
            ApiKey.id == key_id)


class ScimTokenCache(ApiKeyCache):
    """The same cache for SCIM tokens (``ipgovscim_<id>_<secret>``): a directory pays as its
    token, not as the address it calls from (directories share egress addresses)."""

    def _statement(self, key_id: str) -> Any:
        from sqlalchemy import select

        from ipgov.identity.scim.models import ScimToken

        return select(ScimToken.secret_hash, ScimToken.revoked_at, ScimToken.expires_at).where(
            ScimToken.id == key_id)


def _aware(moment: datetime) -> datetime:
    """SQLite may hand back a naive UTC time; compare it as UTC."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
