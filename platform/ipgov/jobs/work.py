"""Plugin jobs as a kind of queued work (``ipgov.work``): one job of one tenant, of a kind a
plugin declares with ``register_jobs``; lease and recovery bounds from ``IPGOV_JOB_*`` (the
jobs' own, not the reviews')."""

from __future__ import annotations

from ipgov.work.kinds import WorkKind, timing_from_settings

from .models import Job
from .service import KIND, perform_job

__all__ = ["ACTOR_NAME", "JOBS", "QUEUE_NAME"]

QUEUE_NAME, ACTOR_NAME = "ipgov-jobs", "ipgov_run_job"
SIX_HOURS_MS = 6 * 3_600_000
JOBS = WorkKind(
    KIND, Job, QUEUE_NAME, ACTOR_NAME, id_arg="job_id", timing=timing_from_settings("job"),
    perform=perform_job, not_claimed="not claimable (done, cancelled or held by another worker)",
    lost_claim="lost its claim to another worker",
    actor_options={"max_retries": 5, "min_backoff": 500, "max_backoff": 10_000,
                   "time_limit": SIX_HOURS_MS})
