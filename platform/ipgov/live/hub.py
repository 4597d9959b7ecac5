"""What live subscriptions wait on: one watcher per API process, whatever the number of
subscribers.

A subscriber (a GraphQL subscription, ``ipgov.graphql.live``) registers what it follows (a
review run, a user's inbox) and sleeps until the watcher says it changed. Every
``IPGOV_LIVE_POLL_SECONDS`` the watcher reads one *signature* per followed thing (a review
run's status and counters; an inbox's unread count and newest item) in two queries for all
subscribers of the process, and wakes the subscribers of whatever changed. Signatures carry no
content: the woken subscriber reads what it shows through its own tenant-bound session and
permission check, so the watcher's unfiltered read never reaches a client.

The database is the only source (workers in other processes write progress and deliveries
there), so a review run in any worker and a notification routed by any worker reach every
API process within one poll, and an API restart loses nothing a client cannot read again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, select

from ipgov.db import TenantScope

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["LiveHub", "LiveLimitReached", "Watch"]

log = logging.getLogger(__name__)

CHUNK = 500  # ids per IN (...) list in one signature query
T = TypeVar("T")


class LiveLimitReached(Exception):
    """A principal already follows as many things as ``IPGOV_LIVE_MAX_PER_PRINCIPAL`` allows."""


class Watch:
    """One subscriber's wake-up call for one followed thing."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def signal(self) -> None:
        self._changed.set()

    async def changed(self, timeout: float) -> bool:
        """Wait until the thing changed (True) or ``timeout`` seconds passed (False)."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return False
        self._changed.clear()
        return True


class LiveHub:
    """The process's watcher (``LiveHub.of(platform)``); it runs only while someone follows."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._watches: dict[tuple[str, str], set[Watch]] = {}
        self._signatures: dict[tuple[str, str], Hashable] = {}
        self._shared: dict[tuple[str, str, str], tuple[Hashable, asyncio.Future[Any]]] = {}
        self._per_principal: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self.polls = 0  # how many polls ran (tests and the bench read it)

    @classmethod
    def of(cls, platform: Platform) -> LiveHub:
        """The platform's hub (made on first use)."""
        found: LiveHub | None = platform.live_hub
        if found is None:
            found = platform.live_hub = cls(platform)
        return found

    async def shared(self, kind: str, key: str, tenant_id: str,
                     load: Callable[[], Awaitable[T]]) -> T:
        """What ``load`` reads of a followed thing through a session bound to ``tenant_id``,
        read once per signature for every subscriber asking in that tenant (400 subscribers
        of one review read its row once per change, not 400 times). The tenant is part of the
        key: a subscriber naming another tenant gets what its own tenant's session reads
        (nothing), never a row cached for someone else. Callers check their permission in
        ``tenant_id`` first. Before the first poll, every caller loads for itself."""
        signature = self._signatures.get((kind, key))
        if signature is None:
            return await load()
        slot = (kind, key, tenant_id)
        cached = self._shared.get(slot)
        if cached is None or cached[0] != signature or (
                cached[1].done() and cached[1].exception() is not None):
            cached = (signature, asyncio.ensure_future(load()))
            self._shared[slot] = cached
        result: T = await asyncio.shield(cached[1])
        return result

    @property
    def followed(self) -> int:
        """How many distinct things are followed now."""
        return len(self._watches)

    @contextlib.asynccontextmanager
    async def watching(self, kind: str, key: str, principal: str) -> AsyncIterator[Watch]:
        """Follow ``key`` (a review run id for ``review``, a user id for ``inbox``) while
        inside; ``LiveLimitReached`` when ``principal`` follows too many things already."""
        limit = self.platform.settings.live_max_per_principal
        if self._per_principal.get(principal, 0) >= limit:
            raise LiveLimitReached(principal)
        watch = Watch()
        self._per_principal[principal] = self._per_principal.get(principal, 0) + 1
        self._watches.setdefault((kind, key), set()).add(watch)
        self._ensure_running()
        try:
            yield watch
        finally:
            self._forget(kind, key, principal, watch)

    def _forget(self, kind: str, key: str, principal: str, watch: Watch) -> None:
        watches = self._watches.get((kind, key), set())
        watches.discard(watch)
        if not watches:
            self._watches.pop((kind, key), None)
            self._signatures.pop((kind, key), None)
            for slot in [s for s in self._shared if s[:2] == (kind, key)]:
                del self._shared[slot]
        left = self._per_principal.get(principal, 1) - 1
        if left > 0:
            self._per_principal[principal] = left
        else:
            self._per_principal.pop(principal, None)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="ipgov-live-hub")

    async def _run(self) -> None:
        interval = self.platform.settings.live_poll_seconds
        while self._watches:
            await asyncio.sleep(interval)
            try:
                await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly away: subscribers keep waiting
                log.warning("live hub could not poll; will retry", exc_info=True)
        self._task = None

    async def stop(self) -> None:
        """Stop polling (application shutdown); subscribers end with their connections."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def poll(self) -> int:
        """Read every followed thing's signature once and wake the subscribers of those that
        changed (or were seen for the first time); returns how many woke."""
        self.polls += 1
        found: dict[tuple[str, str], Hashable] = {}
        reviews = sorted(k for kind, k in self._watches if kind == "review")
        inboxes = sorted(k for kind, k in self._watches if kind == "inbox")
        scope = TenantScope.system("live: signatures of followed reviews and inboxes")
        async with self.platform.db.session(scope, readonly=True) as session:
            for chunk in _chunks(reviews):
                found.update(await _review_signatures(session, chunk))
            for chunk in _chunks(inboxes):
                found.update(await _inbox_signatures(session, chunk))
        woke = 0
        for key, watches in list(self._watches.items()):
            signature = found.get(key)
            if key in self._signatures and self._signatures[key] == signature:
                continue
            self._signatures[key] = signature
            for watch in watches:
                watch.signal()
                woke += 1
        return woke


def _chunks(keys: list[str]) -> list[list[str]]:
    return [keys[i:i + CHUNK] for i in range(0, len(keys), CHUNK)]


async def _review_signatures(session: Any, ids: list[str]) -> dict[tuple[str, str], Hashable]:
    from ipgov.reviews.models import ReviewRun

    rows = (await session.execute(
        select(ReviewRun.id, ReviewRun.status, ReviewRun.checks_done, ReviewRun.checks_total,
               ReviewRun.children_done, ReviewRun.attempts)
        .where(ReviewRun.id.in_(ids)))).all()
    return {("review", r[0]): tuple(r[1:]) for r in rows}


async def _inbox_signatures(session: Any, users: list[str]) -> dict[tuple[str, str], Hashable]:
    from ipgov.notify.models import Delivery

    unread = func.count(Delivery.id).filter(Delivery.read_at.is_(None))
    rows = (await session.execute(
        select(Delivery.user_id, unread, func.max(Delivery.requested_at))
        .where(Delivery.channel == "inbox", Delivery.user_id.in_(users))
        .group_by(Delivery.user_id))).all()
    return {("inbox", r[0]): (r[1], str(r[2])) for r in rows}
