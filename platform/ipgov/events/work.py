"""Dispatching events as a kind of queued work (``ipgov.work``): a worker claims the event's
row and hands it, in order, to every event consumer (``platform.event_consumers``: the review
trigger, the notification router). Delivery is at least once, so consumers are idempotent
(keyed by the event id); a consumer that raises puts the event back for recovery, and after
``MAX_ATTEMPTS`` the event is marked failed. Lease and recovery bounds from
``IPGOV_EVENT_*``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import update

from ipgov.work.claims import Claim, finish
from ipgov.work.kinds import WorkKind, timing_from_settings

from .models import Event, EventStatus
from .record import KIND

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["ACTOR_NAME", "EVENTS", "MAX_ATTEMPTS", "QUEUE_NAME", "perform_dispatch"]

log = logging.getLogger("ipgov.events")
QUEUE_NAME, ACTOR_NAME = "ipgov-events", "ipgov_dispatch_event"
MAX_ATTEMPTS = 5


async def perform_dispatch(platform: Platform, held: Claim) -> str:
    """Every consumer sees the claimed event, then the event is closed as dispatched."""
    event: Event = held.row
    for consumer in platform.event_consumers:
        try:
            await consumer(platform, event)
        except Exception as exc:
            log.exception("event %s (%s): consumer %s failed", event.id, event.type,
                          getattr(consumer, "__name__", consumer))
            return await _retry_later(platform, held, f"{type(exc).__name__}: {exc}")
    async with platform.db.tenant_session(held.tenant_id) as session:
        done = await finish(session, held, EventStatus.DISPATCHED)
    return "dispatched" if done else "lost its claim before finishing"


async def _retry_later(platform: Platform, held: Claim, failure: str) -> str:
    """Back to queued and unsent (recovery sends it again), or failed after the last try."""
    async with platform.db.tenant_session(held.tenant_id) as session:
        if held.row.attempts >= MAX_ATTEMPTS:
            await finish(session, held, EventStatus.FAILED, failure=failure[:4000])
            return "failed"
        await session.execute(
            update(Event).where(Event.id == held.id, Event.claim_token == held.token)
            .values(status=EventStatus.QUEUED, claim_token=None, lease_until=None,
                    enqueued_at=None, failure=failure[:4000])
            .execution_options(synchronize_session=False))
    return "retry later"


EVENTS = WorkKind(
    KIND, Event, QUEUE_NAME, ACTOR_NAME, id_arg="event_id", timing=timing_from_settings("event"),
    perform=perform_dispatch, not_claimed="not claimable (dispatched or held by another worker)",
    lost_claim="lost its claim to another worker",
    actor_options={"max_retries": 5, "min_backoff": 500, "max_backoff": 10_000})
"""The event record: type, version, payload; dispatched once to every consumer."""
