"""Deliveries as a kind of queued work (``ipgov.work``): a worker claims one, checks that its
recipient may still read what the event is about, renders it in the recipient's language and
hands it to its channel. A retryable failure waits (5 s, tripling, at most an hour) and is
sent again by the kind's recovery step; after ``IPGOV_NOTIFY_MAX_ATTEMPTS`` it is dead. The
delivery id is the message id every channel sends (webhook-id), so a receiver drops a repeat.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from ipgov.db.base import utcnow
from ipgov.work.claims import QUEUED, Claim, finish
from ipgov.work.kinds import WorkKind, timing_from_settings

from .models import Delivery, DeliveryStatus, NotificationDestination
from .sending import Attempt, attempt_delivery

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["DELIVERIES", "backoff", "perform_delivery", "resend_due"]

log = logging.getLogger("ipgov.notify")
KIND, QUEUE_NAME, ACTOR_NAME = "delivery", "ipgov-notify", "ipgov_deliver_notification"
FIRST_WAIT, LONGEST_WAIT = 5.0, 3600.0
RATE_WINDOW = timedelta(minutes=1)


def backoff(attempts: int) -> timedelta:
    """How long a delivery waits after its ``attempts``-th failed attempt."""
    return timedelta(seconds=min(LONGEST_WAIT, FIRST_WAIT * 3 ** max(0, attempts - 1)))


async def perform_delivery(platform: Platform, held: Claim) -> str:
    """Deliver the held row once and record what happened."""
    row: Delivery = held.row
    if await _over_rate(platform, row):
        return await _close(platform, held, Attempt.rate_limited(), attempts=row.attempts - 1)
    result = await attempt_delivery(platform, row)
    if result.delivered or result.skipped:
        return await _close(platform, held, result)
    if result.retryable and row.attempts < platform.settings.notify_max_attempts:
        return await _close(platform, held, result, wait=backoff(row.attempts))
    return await _close(platform, held, result, dead=True)


async def _over_rate(platform: Platform, row: Delivery) -> bool:
    """Whether the row's destination had its per-minute budget of deliveries already."""
    if row.destination_id is None:
        return False
    async with platform.read_session(row.tenant_id) as session:
        dest = await session.get(NotificationDestination, row.destination_id)
        if dest is None:
            return False
        recent = (await session.execute(select(func.count()).select_from(Delivery).where(
            Delivery.destination_id == dest.id, Delivery.id != row.id,
            Delivery.delivered_at >= utcnow() - RATE_WINDOW))).scalar_one()
    return int(recent) >= dest.rate_per_minute


async def _close(platform: Platform, held: Claim, result: Attempt, *,
                 wait: timedelta | None = None, dead: bool = False,
                 attempts: int | None = None) -> str:
    now = utcnow()
    values: dict[str, Any]
    if result.deferred:
        status, values = DeliveryStatus.RETRY, {"not_before": now + timedelta(seconds=10)}
    elif result.delivered:
        status, values = DeliveryStatus.DELIVERED, {"delivered_at": now}
    elif result.skipped:
        status, values = DeliveryStatus.SKIPPED, {}
    elif dead:
        status, values = DeliveryStatus.DEAD, {}
    else:
        status, values = DeliveryStatus.RETRY, {"not_before": now + (wait or backoff(1))}
    if attempts is not None:
        values["attempts"] = attempts
    async with platform.tenant_session(held.tenant_id) as session:
        await finish(session, held, status, last_status=result.status[:60],
                     detail=result.detail[:2000], **values)
        if result.delivered and held.row.mode in ("daily", "weekly"):
            await _mark_digested(session, held.row)
    return status


async def _mark_digested(session: Any, digest: Delivery) -> None:
    """The items a delivered digest carried count as sent inside it."""
    await session.execute(update(Delivery).where(Delivery.id.in_(digest.items))
                          .values(status=DeliveryStatus.DIGESTED, digest_id=digest.id,
                                  delivered_at=utcnow())
                          .execution_options(synchronize_session=False))


async def resend_due(platform: Platform, now: datetime | None = None) -> int:
    """Send again every delivery whose wait after a failure is over (the kind's recovery step),
    and write the digests that are due."""
    from .digests import write_due_digests

    now = now or utcnow()
    await write_due_digests(platform, now)
    async with platform.db.system_session("notifications: retries due") as session:
        due = (await session.execute(select(Delivery.id, Delivery.tenant_id).where(
            Delivery.status == DeliveryStatus.RETRY, Delivery.not_before <= now).limit(500)
        )).all()
        mine = []
        for row_id, tenant_id in due:
            taken = await session.execute(
                update(Delivery).where(Delivery.id == row_id,
                                       Delivery.status == DeliveryStatus.RETRY)
                .values(status=QUEUED, enqueued_at=None, requested_at=now)
                .execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                mine.append((row_id, tenant_id))
    from ipgov.work.running import send

    for row_id, tenant_id in mine:
        await send(platform, KIND, row_id, tenant_id)
    return len(mine)


async def _maintain(platform: Any) -> None:
    await resend_due(platform)


DELIVERIES = WorkKind(
    KIND, Delivery, QUEUE_NAME, ACTOR_NAME, id_arg="delivery_id",
    timing=timing_from_settings("notify"), perform=perform_delivery, maintain=_maintain,
    not_claimed="not claimable (delivered, waiting or held by another worker)",
    lost_claim="lost its claim to another worker",
    actor_options={"max_retries": 3, "min_backoff": 1000, "max_backoff": 30_000,
                   "time_limit": 120_000})
