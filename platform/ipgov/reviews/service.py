"""Requesting reviews: the row first (the record), then the message (the carrier); see
``ipgov.work.requests`` for why nothing is lost and repeated requests record one run.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ipgov.errors import InvalidInput
from ipgov.tenancy.models import Tenant
from ipgov.work import send
from ipgov.work.requests import record

from .models import ReviewRun

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["request_group_review", "request_review", "send_run", "TRIGGERS"]

log = logging.getLogger("ipgov.reviews")
TRIGGERS = frozenset({"manual", "schedule", "event", "group"})


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
        run, created = await record(
            platform, session,
            ReviewRun(tenant_id=tenant_id, trigger=trigger, kind=kind, requested_by=actor),
            idempotency_key=idempotency_key, action="review.requested",
            object_type="ipgov:review", details={"trigger": trigger, "kind": kind})
    if created:
        await send_run(platform, run.id, tenant_id)
    return run


async def request_group_review(platform: Platform, *, group_id: str, actor: str,
                               trigger: str = "manual") -> ReviewRun:
    """A review of a tenant and every active tenant below it, aggregated when all finish."""
    return await request_review(platform, tenant_id=group_id, actor=actor, trigger=trigger,
                                kind="group")


async def send_run(platform: Platform, run_id: str, tenant_id: str) -> bool:
    """Send the run's message; a broker failure is logged and left to recovery."""
    return await send(platform, "review", run_id, tenant_id)
