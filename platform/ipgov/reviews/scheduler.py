"""The scheduler: enqueue each due review exactly once per period, however many run.

A schedule's period is ``floor(days since epoch / cadence_days)``; the run it creates carries
the idempotency key ``schedule:<schedule id>:<period>``, unique per tenant, so a second
scheduler (or a restart) finds the run already there and creates nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from ipgov.db.base import utcnow
from ipgov.identity.sso.saml_metadata_refresh import refresh_due
from ipgov.jobs.service import schedule_periodic_jobs
from ipgov.tenancy.models import Tenant
from ipgov.work.recovery import recover

from .models import ReviewRun, ReviewSchedule
from .reminders import remind_directives
from .service import request_review

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["period_of", "run_due_schedules", "scheduler_loop", "scheduler_pass"]

log = logging.getLogger("ipgov.scheduler")


def period_of(moment: datetime, cadence_days: int) -> int:
    """The index of the period ``moment`` falls in for a cadence of ``cadence_days``."""
    return int(moment.timestamp() // 86_400) // max(1, cadence_days)


async def run_due_schedules(platform: Platform, now: datetime | None = None) -> int:
    """Request every schedule's review for the current period; returns how many were new."""
    now = now or utcnow()
    async with platform.db.system_session("scheduler: due schedules") as session:
        rows = (await session.execute(
            select(ReviewSchedule).join(Tenant, Tenant.id == ReviewSchedule.tenant_id)
            .where(ReviewSchedule.enabled.is_(True), Tenant.status == "active"))).scalars().all()
        due = [(s.id, s.tenant_id, period_of(now, s.cadence_days)) for s in rows
               if s.last_period != period_of(now, s.cadence_days)]
    created = 0
    for schedule_id, tenant_id, period in due:
        key = f"schedule:{schedule_id}:{period}"
        async with platform.db.tenant_session(tenant_id) as session:
            existed = (await session.execute(select(ReviewRun.id).where(
                ReviewRun.idempotency_key == key))).first() is not None
        # another scheduler may create it meanwhile: request_review then returns that run
        run = await request_review(platform, tenant_id=tenant_id, actor="scheduler",
                                   trigger="schedule", idempotency_key=key)
        async with platform.db.tenant_session(tenant_id) as session:
            schedule = await session.get(ReviewSchedule, schedule_id)
            if schedule is not None:
                schedule.last_period = period
        if not existed and run.requested_by == "scheduler" and run.idempotency_key == key:
            created += 1
    return created


async def scheduler_pass(platform: Platform) -> int:
    """One pass: due reviews, periodic plugin jobs (ip_governance's deadline scan among
    them), time-driven directive events, recovery of stuck work, SAML metadata due to be read
    again; returns the new reviews."""
    created = await run_due_schedules(platform)
    await schedule_periodic_jobs(platform)
    await remind_directives(platform)
    await recover(platform)
    await refresh_due(platform)  # SAML providers' metadata, for the IdPs' key rotations
    return created


async def scheduler_loop(platform: Platform, every: float = 30.0) -> None:
    """Run ``scheduler_pass`` forever (cancelled on shutdown)."""
    while True:
        try:
            created = await scheduler_pass(platform)
            if created:
                log.info("scheduled %d review(s)", created)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("scheduler pass failed; retrying", exc_info=True)
        await asyncio.sleep(every)
