"""The platform's work: the kinds it knows, the queue that carries them, send and execute.

``platform.work`` is set once, when the platform is built (``Work.core()``); the queue
is attached by whoever runs the process (``ipgov.work.worker``: workers in the API process in
the embedded default, a broker sender otherwise; an ``InlineQueue`` in the CLI and tests).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy import update

from ipgov.db.base import utcnow

from .claims import LostClaim, claim
from .kinds import WorkKind, WorkKinds, WorkPlatform, core_kinds

__all__ = ["Carrier", "Work", "execute", "send"]

log = logging.getLogger("ipgov.work")


class Carrier(Protocol):
    """Sends a row of work to whoever runs it."""

    def send(self, kind: str, row_id: str, tenant_id: str,
             traceparent: str | None = None) -> None: ...


class Work:
    """The kinds of work a platform knows and the queue carrying them (None: not attached)."""

    def __init__(self, kinds: Iterable[WorkKind] = ()) -> None:
        self.kinds = WorkKinds(kinds)
        self.queue: Carrier | None = None

    @classmethod
    def core(cls) -> Work:
        """The core's kinds (reviews, plugin jobs), no queue attached yet."""
        return cls(core_kinds())

    def attach(self, queue: Carrier | None) -> None:
        """Carry work with ``queue`` from now on (None: rows stay queued)."""
        self.queue = queue

    @contextmanager
    def carried_by(self, queue: Carrier) -> Iterator[Carrier]:
        """Carry work with ``queue`` inside the block, then with the previous queue again."""
        previous, self.queue = self.queue, queue
        try:
            yield queue
        finally:
            self.queue = previous


async def send(platform: WorkPlatform, kind: str, row_id: str, tenant_id: str,
               traceparent: str | None = None) -> bool:
    """Send the row's message and note when; a broker failure is logged and left to recovery
    (the row is the record: it stays queued and recovery sends it again)."""
    queue = platform.work.queue
    if queue is None:
        log.warning("no work queue attached; %s %s stays queued", kind, row_id)
        return False
    try:
        # off the event loop: a silent broker must not stall every request of this process
        await asyncio.to_thread(queue.send, kind, row_id, tenant_id, traceparent)
    except Exception as exc:  # the broker may be down: the row is the record
        log.warning("could not send %s %s (%s); recovery will resend it", kind, row_id,
                    type(exc).__name__)
        return False
    model = platform.work.kinds[kind].model
    async with platform.db.tenant_session(tenant_id) as session:
        await session.execute(update(model).where(model.id == row_id)
                              .values(enqueued_at=utcnow())
                              .execution_options(synchronize_session=False))
    return True


async def execute(platform: WorkPlatform, kind: str, row_id: str, tenant_id: str,
                  **options: Any) -> str:
    """Claim the row and do its kind's work under the claim, with the platform current;
    returns what happened (for logs and tests). ``options`` go to the kind's ``perform``."""
    work_kind = platform.work.kinds[kind]
    with platform.current():
        held = await claim(platform, work_kind, row_id, tenant_id)
        if held is None:
            return work_kind.not_claimed
        try:
            return await work_kind.perform(platform, held, **options)
        except LostClaim:
            log.info("%s %s: another worker took over", kind, row_id)
            return work_kind.lost_claim
