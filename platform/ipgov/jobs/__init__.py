"""Background jobs for plugins, a kind of queued work (``ipgov.work``): the row is the record.

A plugin declares job kinds with the ``register_jobs`` hook; ``enqueue_job`` commits a ``Job``
row and sends it; a worker claims the row with a lease, runs the handler with a ``JobContext``
(progress, per-record errors, a tenant-scoped session) and records the outcome. Delivery is at
least once (a dead worker's job is resent by recovery), so handlers are idempotent.
"""

from ipgov.jobs.context import JobContext, JobKind
from ipgov.jobs.models import Job, JobStatus
from ipgov.jobs.service import enqueue_job, job_kinds, run_job_inline

__all__ = ["Job", "JobContext", "JobKind", "JobStatus", "enqueue_job", "job_kinds",
           "run_job_inline"]
