"""What carries work: the Dramatiq queue (one actor per kind) or the inline queue.

Both answer ``send(kind, row_id, tenant_id, traceparent)``; the platform's ``work.queue`` is
one of them (or None: rows then stay queued until recovery finds a queue).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any

import dramatiq

from .broker import TenantContextMiddleware, held_messages, is_embedded
from .context import carried
from .kinds import WorkKind, WorkPlatform
from .running import Carrier, execute

__all__ = ["InlineQueue", "WorkQueue"]

log = logging.getLogger("ipgov.work")
Executor = Callable[[str, str, str], Awaitable[str]]
"""``execute(kind, row_id, tenant_id) -> outcome``: what a worker's actors call."""


class WorkQueue:
    """The broker with one actor per kind of work; ``execute`` (worker processes only) runs
    a message's work. Messages keep the format of each kind (``id_arg``, ``tenant_id``,
    ``traceparent``), so messages in flight survive an upgrade."""

    def __init__(self, broker: dramatiq.Broker, kinds: Iterable[WorkKind],
                 execute: Executor | None = None) -> None:
        self.broker = broker
        self.embedded = is_embedded(broker)
        self._execute = execute
        self.kinds = {kind.name: kind for kind in kinds}
        self.actors = {name: self._declare(kind) for name, kind in self.kinds.items()}
        for middleware in broker.middleware:
            if isinstance(middleware, TenantContextMiddleware):
                middleware.actors.update(k.actor_name for k in self.kinds.values())

    def _declare(self, kind: WorkKind) -> Any:
        async def perform(tenant_id: str, traceparent: str | None = None, **ids: str) -> None:
            row_id = ids[kind.id_arg]
            with carried(tenant_id, traceparent):
                if self._execute is None:
                    raise RuntimeError(f"this process only sends {kind.name} work")
                outcome = await self._execute(kind.name, row_id, tenant_id)
                log.info("%s %s (%s): %s", kind.name, row_id, tenant_id, outcome)

        decorate = dramatiq.actor(broker=self.broker, actor_name=kind.actor_name,
                                  queue_name=kind.queue_name, **dict(kind.actor_options))
        return decorate(perform)

    def send(self, kind: str, row_id: str, tenant_id: str,
             traceparent: str | None = None) -> None:
        """Enqueue the row; without ``traceparent`` the middleware adds the caller's context
        (recovery passes the one stored with the row, so resent work joins the request's
        trace)."""
        options = self.kinds[kind]
        kwargs = {options.id_arg: row_id, "tenant_id": tenant_id}
        if traceparent:
            kwargs["traceparent"] = traceparent
        self.actors[kind].send_with_options(kwargs=kwargs)

    def held(self, queue_name: str) -> int | None:
        """How many messages the broker holds for ``queue_name`` (None: it cannot tell)."""
        return held_messages(self.broker, queue_name)

    def start_worker(self, threads: int) -> dramatiq.Worker:
        """Run worker threads in this process (the embedded default)."""
        worker = dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=200)
        worker.start()
        return worker


class InlineQueue:
    """Remembers what was sent, for ``drain`` to run here in order (CLI, demo, tests).

    With ``kinds``, only those kinds stay here; others go to ``forward`` (the process's own
    queue), or fail to send (so they stay queued for recovery) when there is none."""

    def __init__(self, kinds: Collection[str] | None = None,
                 forward: Carrier | None = None) -> None:
        self.pending: list[tuple[str, str, str]] = []
        self.kinds = kinds
        self.forward = forward

    def send(self, kind: str, row_id: str, tenant_id: str,
             traceparent: str | None = None) -> None:
        if self.kinds is None or kind in self.kinds:
            self.pending.append((kind, row_id, tenant_id))
        elif self.forward is None:
            raise RuntimeError(f"no queue for {kind} work in this process")
        else:
            self.forward.send(kind, row_id, tenant_id, traceparent)

    async def drain(self, platform: WorkPlatform,
                    progress: Callable[[str, str, str, int], None] | None = None,
                    **options: Any) -> int:
        """Run everything sent here, including what the work sends meanwhile; returns how
        many ran. ``progress(kind, tenant_id, outcome, done)`` follows each one."""
        done = 0
        while self.pending:
            kind, row_id, tenant_id = self.pending.pop(0)
            outcome = await execute(platform, kind, row_id, tenant_id, **options)
            done += 1
            if progress is not None:
                progress(kind, tenant_id, outcome, done)
        return done
