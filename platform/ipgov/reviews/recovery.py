"""Recovery: resend runs that were never sent, lost by the broker, or whose worker died, and
close stuck groups (the bounds are in ``ipgov.reviews.resend`` and docs/operations.md).

Safe to run in several processes at once: a run is resent only by the process whose
conditional update of ``enqueued_at`` succeeded, and duplicate deliveries are harmless anyway.
Each pass also asks a Redis broker to put back the messages dead workers had fetched.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ipgov.db.base import utcnow

from .broker import QUEUE_NAME
from .groups import pending_groups, try_aggregate
from .models import ReviewRun
from .resend import broker_lost, resend_stale, stale_work

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["recover", "recovery_loop"]

log = logging.getLogger("ipgov.reviews")


async def recover(platform: Platform) -> int:
    """One pass; returns how many runs were resent."""
    queue = platform.extras.get("review_queue")
    if queue is None:
        for group_run in await pending_groups(platform):
            await try_aggregate(platform, group_run)
        return 0
    now = utcnow()
    lost = await asyncio.to_thread(broker_lost, queue, QUEUE_NAME)
    stale = stale_work(ReviewRun, platform.settings, now, lost)
    sent = await resend_stale(platform, ReviewRun, stale, now, queue.send, "review")
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
        except RuntimeError as exc:  # the interpreter is shutting down (no more threads)
            if "after shutdown" in str(exc):
                return
            log.warning("review recovery failed; retrying", exc_info=True)
        except Exception:
            log.warning("review recovery failed; retrying", exc_info=True)
        await asyncio.sleep(every)
