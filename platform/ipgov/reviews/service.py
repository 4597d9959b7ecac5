"""Requesting reviews: the row first (the record), then the message (the carrier).

A request commits its ``ReviewRun`` before anything is sent, so a broker that is down loses
nothing: the run stays queued and recovery sends it again. An idempotency key makes repeated
requests (a retried HTTP call, two schedulers, a replayed event) create one run.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from opentelemetry.propagate import inject
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow
from ipgov.db.integrity import insert_or_existing
from ipgov.errors import InvalidInput
from ipgov.tenancy.models import Tenant

from .models import ReviewRun

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["request_group_review", "request_review", "send_run", "TRIGGERS"]

log = logging.getLogger("ipgov.reviews")
TRIGGERS = frozenset({"manual", "schedule", "event", "group"})


def _traceparent() -> str | None:
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


async def request_review(
    platform: Platform, *, tenant_id: str, actor: str, trigger: str = "manual",
    idempotency_key: str | None = None, kind: str = "tenant",
) -> ReviewRun:
    """Record a review of ``tenant_id`` and send it to the workers."""
    if trigger not in TRIGGERS:
        raise InvalidInput(f"trigger must be one of {sorted(TRIGGERS)}", field="trigger")
    async with platform.db.tenant_session(tenant_id) as session:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None or tenant.status != "active":
            raise InvalidInput("only active tenants can be reviewed", code="TENANT_INACTIVE")
        existing = await _run_with_key(session, idempotency_key)
        if existing is not None:
            return existing
        run = ReviewRun(tenant_id=tenant_id, trigger=trigger, kind=kind, requested_by=actor,
                        traceparent=_traceparent())
        if idempotency_key:
            run.idempotency_key = idempotency_key
        # A concurrent request with the same key may insert between the check and here:
        # the unique constraint decides, and the loser answers with the winner's run.
        run, created = await insert_or_existing(
            session, run, constraint="uq_review_runs_tenant_id_idempotency_key",
            existing=lambda: _run_with_key(session, idempotency_key))
        if not created:
            return run
        await platform.audit(session, tenant_id=tenant_id, actor=actor,
                             action="review.requested", object_type="ipgov:review",
                             object_id=run.id, details={"trigger": trigger, "kind": kind})
    await send_run(platform, run.id, tenant_id)
    return run


async def _run_with_key(session: AsyncSession, key: str | None) -> ReviewRun | None:
    """The tenant's run recorded under idempotency ``key`` (none without a key)."""
    if not key:
        return None
    return (await session.execute(select(ReviewRun).where(
        ReviewRun.idempotency_key == key))).scalar_one_or_none()


async def request_group_review(platform: Platform, *, group_id: str, actor: str,
                               trigger: str = "manual") -> ReviewRun:
    """A review of a tenant and every active tenant below it, aggregated when all finish."""
    return await request_review(platform, tenant_id=group_id, actor=actor, trigger=trigger,
                                kind="group")


async def send_run(platform: Platform, run_id: str, tenant_id: str) -> bool:
    """Send the run's message; a broker failure is logged and left to recovery."""
    queue = platform.extras.get("review_queue")
    if queue is None:
        log.warning("no review queue configured; run %s stays queued", run_id)
        return False
    try:
        # off the event loop: a silent broker must not stall every request of this process
        await asyncio.to_thread(queue.send, run_id, tenant_id)
    except Exception as exc:  # the broker may be down: the row is the record
        log.warning("could not send review %s (%s); recovery will resend it", run_id,
                    type(exc).__name__)
        return False
    async with platform.db.tenant_session(tenant_id) as session:
        await session.execute(update(ReviewRun).where(ReviewRun.id == run_id)
                              .values(enqueued_at=utcnow())
                              .execution_options(synchronize_session=False))
    return True
