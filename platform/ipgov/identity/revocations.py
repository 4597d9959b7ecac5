"""Token and session revocation, followed by every process like the policy change log.

A revocation is a row of ``revoked_tokens`` naming a token id (``jti``) or a session id
(``sid``), numbered from the ``revocation_version`` counter under a row lock, so revocations
commit in number order. Each API process keeps the unexpired ids in memory (the verifier's
``is_revoked``) and, every ``IPGOV_POLICY_POLL_SECONDS`` (the authorization watcher's bound),
reads the rows numbered above the last one it has seen: a token revoked through one API is
refused by every other within that bound, and a restarted API loads them all at start.

Expired revocations are purged from the table and from memory (a revoked token that has
expired is refused for its expiry anyway). The same loop purges other expired sign-in state
(throttles, refresh tokens, reset links) every ``PURGE_EVERY`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from ipgov.db import TenantScope
from ipgov.db.base import utcnow

from . import throttle
from .models import PasswordReset, RefreshToken, RevocationVersion, RevokedToken
from .onetime import aware
from .upsert import insert_for

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["RevocationFollower", "revoke", "revoke_now"]

log = logging.getLogger(__name__)
PURGE_EVERY = 600.0
BATCH = 10_000
_PENDING = "ipgov.revocations_pending"


async def _next_seq(session: AsyncSession) -> int:
    """The next revocation number; the row lock orders concurrent revokers until commit."""
    bump = (update(RevocationVersion).where(RevocationVersion.id == 1)
            .values(version=RevocationVersion.version + 1).returning(RevocationVersion.version))
    seq = (await session.execute(bump)).scalar_one_or_none()
    if seq is None:  # first revocation ever: make the counter row, then take a number
        stmt = insert_for(session, RevocationVersion.__table__).values(id=1, version=0)
        await session.execute(stmt.on_conflict_do_nothing())
        seq = (await session.execute(bump)).scalar_one()
    return seq


async def revoke(platform: Platform, session: AsyncSession, token_id: str,
                 expires_at: datetime) -> None:
    """Revoke a token or session id until ``expires_at``, in the caller's transaction; this
    process refuses it as soon as the transaction commits, the others at their next poll."""
    seq = await _next_seq(session)
    table = RevokedToken.__table__
    stmt = insert_for(session, table).values(
        jti=token_id, expires_at=expires_at, seq=seq, revoked_at=utcnow())
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.jti], set_={"seq": seq, "expires_at": expires_at}))
    pending = session.info.setdefault(_PENDING, [])
    if not pending:
        event.listen(session.sync_session, "after_commit",
                     lambda s: _apply_pending(platform, s), once=True)
    pending.append((token_id, expires_at))


def _apply_pending(platform: Platform, sync_session: Session) -> None:
    for token_id, expires_at in sync_session.info.pop(_PENDING, []):
        revoke_now(platform, token_id, expires_at)


def revoke_now(platform: Platform, token_id: str, expires_at: datetime) -> None:
    """Refuse ``token_id`` in this process at once (after the revocation committed)."""
    follower = platform.revocation_follower
    platform.tokens.revoked.add(token_id)
    if follower is not None:
        follower.expiry[token_id] = expires_at


class RevocationFollower:
    """Keeps ``platform.tokens.revoked`` equal to the committed, unexpired revocations."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.seq = 0
        self.expiry: dict[str, datetime] = {}
        self._task: asyncio.Task[None] | None = None
        self._purged_at = 0.0

    @classmethod
    def of(cls, platform: Platform) -> RevocationFollower:
        """The platform's follower (made on first use)."""
        found: RevocationFollower | None = platform.revocation_follower
        if found is None:
            found = platform.revocation_follower = cls(platform)
        return found

    async def load(self) -> int:
        """Load every unexpired revocation (start-up); returns how many."""
        async with self._session("identity: load revocations") as session:
            top = (await session.execute(select(func.max(RevokedToken.seq)))).scalar() or 0
            rows = (await session.execute(select(RevokedToken.jti, RevokedToken.expires_at)
                                          .where(RevokedToken.expires_at > utcnow()))).all()
        self._add(rows)
        self.seq = max(self.seq, top)  # rows numbered above ``top`` come with the next refresh
        return len(rows)

    async def refresh(self) -> int:
        """Read the revocations numbered above the last one seen; returns how many."""
        async with self._session("identity: follow revocations") as session:
            rows = (await session.execute(
                select(RevokedToken.jti, RevokedToken.expires_at, RevokedToken.seq)
                .where(RevokedToken.seq > self.seq).order_by(RevokedToken.seq).limit(BATCH)
            )).all()
        self._add([(jti, expires_at) for jti, expires_at, _seq in rows])
        if rows:
            self.seq = max(self.seq, rows[-1].seq)
        return len(rows)

    def _session(self, reason: str) -> contextlib.AbstractAsyncContextManager[AsyncSession]:
        return self.platform.db.session(TenantScope.system(reason), readonly=True)

    def _add(self, rows: Iterable[tuple[str, datetime] | Row[tuple[str, datetime]]]) -> None:
        for jti, expires_at in rows:
            self.expiry[jti] = aware(expires_at)
            self.platform.tokens.revoked.add(jti)

    def forget_expired(self) -> int:
        """Drop expired ids from memory (their tokens are refused as expired)."""
        now = utcnow()
        gone = [jti for jti, until in self.expiry.items() if until <= now]
        for jti in gone:
            del self.expiry[jti]
            self.platform.tokens.revoked.discard(jti)
        return len(gone)

    async def start(self) -> None:
        """Load every unexpired revocation, then follow new ones in the background."""
        await self.load()
        if self._task is None:
            self._task = asyncio.create_task(self._follow(), name="ipgov-revocation-follower")

    async def _follow(self) -> None:
        delay = self.platform.settings.policy_poll_seconds
        while True:
            await asyncio.sleep(delay)
            try:
                await self.refresh()
                if time.monotonic() - self._purged_at > PURGE_EVERY:
                    self._purged_at = time.monotonic()
                    self.forget_expired()
                    await purge_expired(self.platform)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly away; keep following
                log.warning("revocation follower could not refresh; will retry", exc_info=True)

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


async def purge_expired(platform: Platform) -> None:
    """Delete sign-in state that expired more than a day ago (bounded tables)."""
    horizon = utcnow() - timedelta(days=1)
    async with platform.db.system_session("identity: purge expired") as session:
        await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < horizon))
        await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < horizon))
        await session.execute(delete(PasswordReset).where(PasswordReset.expires_at < horizon))
        await throttle.purge(session, platform.settings)
