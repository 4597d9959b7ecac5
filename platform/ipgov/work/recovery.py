"""Recovery: send again the work that was never sent, lost by the broker, or whose worker died,
for every kind, in one pass (each kind may add a step of its own, e.g. closing group reviews).

When a row counts as stale (the recovery bounds of its kind's ``Timing``, documented in
docs/operations.md):

- never sent (the broker was down when it was requested): after ``requeue``;
- sent but still queued: after ``requeue`` when the broker says it holds no message of that
  queue any more (a Redis restarted empty, a purged queue), otherwise only after ``resend``
  (it may be waiting behind a backlog; RabbitMQ and the embedded broker cannot tell);
- claimed by a worker whose lease ran out (the worker died): after the lease, once the last
  send is ``requeue`` old.

A row is resent only by the process whose conditional update of ``enqueued_at`` succeeded, so
several processes may recover at once; duplicate deliveries are harmless anyway (claims). A
send that fails puts the row back to "never sent", so it is retried after the short bound.
Each pass also asks a Redis broker to put back the messages dead workers had fetched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select, update

from ipgov.db.base import utcnow

from .claims import QUEUED, RUNNING
from .kinds import Timing, WorkKind, WorkPlatform

if TYPE_CHECKING:
    from .running import Carrier

__all__ = ["broker_lost", "recover", "recovery_loop", "stale_work"]

log = logging.getLogger("ipgov.work")
BATCH = 500


def stale_work(model: Any, timing: Timing, now: datetime, broker_lost: bool) -> Any:
    """The condition selecting rows of ``model`` to send again (see the module docstring)."""
    cutoff = now - timing.requeue
    sent_before = cutoff if broker_lost else now - timing.resend
    never_sent = and_(model.status == QUEUED, or_(
        and_(model.enqueued_at.is_(None), model.requested_at < cutoff),
        model.enqueued_at < sent_before))
    lease_gone = and_(model.status == RUNNING, model.lease_until < now,
                      or_(model.enqueued_at.is_(None), model.enqueued_at < cutoff))
    return or_(never_sent, lease_gone)


def broker_lost(queue: Any, queue_name: str) -> bool:
    """Whether the broker holds nothing for ``queue_name`` (so what was sent there is lost);
    False when it cannot tell or cannot be asked."""
    held = getattr(queue, "held", None)
    if held is None:
        return False
    try:
        return bool(held(queue_name) == 0)
    except Exception as exc:  # the broker is down: nothing can be resent now anyway
        log.warning("recovery could not ask the broker about %s (%s)", queue_name,
                    type(exc).__name__)
        return False


async def recover(platform: WorkPlatform, kinds: Iterable[str] | None = None) -> int:
    """One pass over every kind (or those named); returns how many rows were resent."""
    queue = platform.work.queue
    sent = 0
    for kind in platform.work.kinds:
        if kinds is not None and kind.name not in kinds:
            continue
        if queue is not None:
            sent += await _resend_kind(platform, queue, kind)
        if kind.maintain is not None:
            await kind.maintain(platform)
    if sent:
        log.info("recovery resent %d row(s) of work", sent)
    return sent


async def _resend_kind(platform: WorkPlatform, queue: Carrier, kind: WorkKind) -> int:
    now = utcnow()
    lost = await asyncio.to_thread(broker_lost, queue, kind.queue_name)
    stale = stale_work(kind.model, kind.timing(platform.settings), now, lost)
    mine = await _take(platform, kind, stale, now)
    sent, failed = 0, []
    for row_id, tenant_id, traceparent in mine:
        try:
            queue.send(kind.name, row_id, tenant_id, traceparent)
            sent += 1
        except Exception as exc:
            log.warning("recovery could not resend %s %s (%s)", kind.name, row_id,
                        type(exc).__name__)
            failed.append(row_id)
    if failed:
        await _unsent(platform, kind, failed, now)
    return sent


async def _take(platform: WorkPlatform, kind: WorkKind, stale: Any,
                now: datetime) -> list[tuple[str, str, str | None]]:
    """Up to ``BATCH`` stale rows this process won (its conditional update succeeded)."""
    model = kind.model
    async with platform.db.system_session(f"{kind.name}: recovery") as session:
        candidates = (await session.execute(
            select(model.id, model.tenant_id, model.traceparent).where(stale).limit(BATCH)
        )).all()
        mine = []
        for row_id, tenant_id, traceparent in candidates:
            taken = await session.execute(
                update(model).where(model.id == row_id, stale)
                .values(enqueued_at=now).execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                mine.append((row_id, tenant_id, traceparent))
    return mine


async def _unsent(platform: WorkPlatform, kind: WorkKind, row_ids: list[str],
                  now: datetime) -> None:
    """Rows whose resend failed count as never sent again (retried after the short bound)."""
    model = kind.model
    async with platform.db.system_session(f"{kind.name}: recovery, unsent") as session:
        await session.execute(update(model).where(model.id.in_(row_ids),
                                                  model.enqueued_at == now)
                              .values(enqueued_at=None)
                              .execution_options(synchronize_session=False))


async def recovery_loop(platform: WorkPlatform, every: float = 5.0) -> None:
    """Run ``recover`` forever (cancelled on shutdown); errors are logged and retried."""
    while True:
        try:
            await recover(platform)
        except asyncio.CancelledError:
            raise
        except RuntimeError as exc:  # the interpreter is shutting down (no more threads)
            if "after shutdown" in str(exc):
                return
            log.warning("work recovery failed; retrying", exc_info=True)
        except Exception:
            log.warning("work recovery failed; retrying", exc_info=True)
        await asyncio.sleep(every)
