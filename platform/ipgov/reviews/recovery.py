"""Recovery: resend runs that were never sent, or whose worker died, and close stuck groups.

Safe to run in several processes at once: a run is resent only by the process whose
conditional update of ``enqueued_at`` succeeded, and duplicate deliveries are harmless anyway.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_

from ipgov.db.base import utcnow

from .groups import pending_groups, try_aggregate
from .models import ReviewRun, RunStatus
from .resend import resend_stale

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["recover", "recovery_loop"]

log = logging.getLogger("ipgov.reviews")


def _stale(cutoff, now):  # type: ignore[no-untyped-def]
    # A queued run that was never sent (broker down) is resent after one cutoff; one that was
    # sent may just be waiting behind a backlog, so it is resent only after ten (the safety
    # net for a message lost with an in-process broker or a purged queue).
    long_ago = now - (now - cutoff) * 10
    never_sent = and_(ReviewRun.status == RunStatus.QUEUED, or_(
        and_(ReviewRun.enqueued_at.is_(None), ReviewRun.requested_at < cutoff),
        ReviewRun.enqueued_at < long_ago))
    lease_gone = and_(ReviewRun.status == RunStatus.RUNNING, ReviewRun.lease_until < now,
                      or_(ReviewRun.enqueued_at.is_(None), ReviewRun.enqueued_at < cutoff))
    return or_(never_sent, lease_gone)


async def recover(platform: Platform) -> int:
    """One pass; returns how many runs were resent."""
    queue = platform.extras.get("review_queue")
    if queue is None:
        for group_run in await pending_groups(platform):
            await try_aggregate(platform, group_run)
        return 0
    now = utcnow()
    cutoff = now - timedelta(seconds=platform.settings.review_requeue_seconds)
    sent = await resend_stale(platform, ReviewRun, _stale(cutoff, now), now, queue.send,
                              "review")
    for group_run in await pending_groups(platform):
        await try_aggregate(platform, group_run)
    from ipgov.jobs.service import recover_jobs

    sent += await recover_jobs(platform)
    if sent:
        log.info("recovery resent %d review(s)/job(s)", sent)
    return sent


async def recovery_loop(platform: Platform, every: float = 5.0) -> None:
    """Run ``recover`` forever (cancelled on shutdown); errors are logged and retried."""
    while True:
        try:
            await recover(platform)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("review recovery failed; retrying", exc_info=True)
        await asyncio.sleep(every)
