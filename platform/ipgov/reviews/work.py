"""Reviews as a kind of queued work (``ipgov.work``): one review run of one tenant, or a group
run that fans out; lease and recovery bounds from ``IPGOV_REVIEW_*``."""

from __future__ import annotations

from ipgov.work.kinds import WorkKind, timing_from_settings

from .groups import aggregate_pending
from .models import ReviewRun
from .runner import KIND, perform_run

__all__ = ["ACTOR_NAME", "QUEUE_NAME", "REVIEWS"]

QUEUE_NAME, ACTOR_NAME = "ipgov-reviews", "ipgov_run_review"
REVIEWS = WorkKind(KIND, ReviewRun, QUEUE_NAME, ACTOR_NAME, id_arg="run_id",
                   timing=timing_from_settings("review"), perform=perform_run,
                   maintain=aggregate_pending,  # close group runs a crash left open
                   actor_options={"max_retries": 5, "min_backoff": 500, "max_backoff": 10_000})
