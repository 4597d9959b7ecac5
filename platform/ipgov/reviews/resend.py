"""Resending stale work (review runs, plugin jobs): the part both recoveries share.

A row is resent only by the process whose conditional update of ``enqueued_at`` succeeded, so
several processes may recover at once; duplicate deliveries are harmless anyway.

When work counts as stale (the recovery bounds documented in docs/operations.md):

- never sent (the broker was down when it was requested): after
  ``IPGOV_REVIEW_REQUEUE_SECONDS``;
- sent but still queued: after ``IPGOV_REVIEW_REQUEUE_SECONDS`` when the broker says it holds
  no message of that queue any more (a Redis restarted empty, a purged queue), otherwise only
  after ``IPGOV_REVIEW_RESEND_SECONDS`` (it may be waiting behind a backlog; RabbitMQ and the
  embedded broker cannot tell);
- claimed by a worker whose lease ran out (the worker died): after the lease, once the last
  send is ``IPGOV_REVIEW_REQUEUE_SECONDS`` old.

A send that fails puts the row back to "never sent", so it is retried after the short bound,
not the long one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select, update

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["resend_stale", "stale_work"]

log = logging.getLogger("ipgov.reviews")


def stale_work(model: Any, settings: Any, now: datetime, broker_lost: bool) -> Any:
    """The condition selecting rows of ``model`` to send again (see the module docstring)."""
    cutoff = now - timedelta(seconds=settings.review_requeue_seconds)
    sent_before = cutoff if broker_lost else now - timedelta(
        seconds=settings.review_resend_seconds)
    never_sent = and_(model.status == "queued", or_(
        and_(model.enqueued_at.is_(None), model.requested_at < cutoff),
        model.enqueued_at < sent_before))
    lease_gone = and_(model.status == "running", model.lease_until < now,
                      or_(model.enqueued_at.is_(None), model.enqueued_at < cutoff))
    return or_(never_sent, lease_gone)


def broker_lost(queue: Any, queue_name: str) -> bool:
    """Whether the broker holds nothing for ``queue_name`` (so what was sent there is lost);
    False when it cannot tell or cannot be asked."""
    held = getattr(queue, "held", None)
    if held is None:
        return False
    try:
        return held(queue_name) == 0
    except Exception as exc:  # the broker is down: nothing can be resent now anyway
        log.warning("recovery could not ask the broker about %s (%s)", queue_name,
                    type(exc).__name__)
        return False


async def resend_stale(platform: Platform, model: Any, stale: Any, now: datetime,
                       send: Callable[..., Any], what: str) -> int:
    """Send again up to 500 rows of ``model`` matching ``stale``; returns how many were sent.

    ``send(row_id, tenant_id, traceparent=...)`` is the queue's sender."""
    async with platform.db.system_session(f"{what}: recovery") as session:
        candidates = (await session.execute(
            select(model.id, model.tenant_id, model.traceparent).where(stale).limit(500)
        )).all()
        mine = []
        for row_id, tenant_id, traceparent in candidates:
            taken = await session.execute(
                update(model).where(model.id == row_id, stale)
                .values(enqueued_at=now).execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                mine.append((row_id, tenant_id, traceparent))
    sent, failed = 0, []
    for row_id, tenant_id, traceparent in mine:
        try:
            send(row_id, tenant_id, traceparent=traceparent)
            sent += 1
        except Exception as exc:
            log.warning("recovery could not resend %s %s (%s)", what, row_id,
                        type(exc).__name__)
            failed.append(row_id)
    if failed:
        await _unsent(platform, model, failed, now)
    return sent


async def _unsent(platform: Platform, model: Any, row_ids: list[str], now: datetime) -> None:
    """Rows whose resend failed count as never sent again (retried after the short bound)."""
    async with platform.db.system_session("recovery: unsent") as session:
        await session.execute(update(model).where(model.id.in_(row_ids),
                                                  model.enqueued_at == now)
                              .values(enqueued_at=None)
                              .execution_options(synchronize_session=False))
