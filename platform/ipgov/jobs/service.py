"""Enqueueing, running and recovering jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from opentelemetry.propagate import inject
from sqlalchemy import and_, or_, select, update

from ipgov.db.base import new_id, utcnow
from ipgov.db.integrity import insert_or_existing
from ipgov.errors import InvalidInput
from ipgov.tenancy.models import Tenant

from .context import JobContext, JobKind, LostJobClaim
from .models import TERMINAL, Job, JobStatus

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["enqueue_job", "execute_job", "job_kinds", "recover_jobs", "run_job_inline",
           "schedule_periodic_jobs", "send_job"]

log = logging.getLogger("ipgov.jobs")
MAX_PARAMS_BYTES = 64_000


def job_kinds(platform: Platform) -> Mapping[str, tuple[str, JobKind]]:
    """Every job kind the loaded plugins declare: name -> (plugin, kind), validated at
    start-up in the plugin catalog."""
    return platform.catalog.jobs


def _traceparent() -> str | None:
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


async def enqueue_job(platform: Platform, *, tenant_id: str, kind: str,
                      params: dict[str, Any] | None = None, actor: str,
                      idempotency_key: str | None = None) -> Job:
    """Record a job for ``tenant_id`` (audited) and send it to the workers.

    The caller has authorized the request. With ``idempotency_key``, a repeated request returns
    the job already recorded. Raises ``InvalidInput`` for an unknown kind, parameters that are
    not JSON objects or too large, or an inactive tenant."""
    import json

    kinds = job_kinds(platform)
    if kind not in kinds:
        raise InvalidInput(f"unknown job kind {kind!r}", code="UNKNOWN_JOB_KIND", field="kind")
    plugin = kinds[kind][0]
    params = dict(params or {})
    try:
        size = len(json.dumps(params))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"job parameters must be JSON: {exc}", field="params") from exc
    if size > MAX_PARAMS_BYTES:
        raise InvalidInput(f"job parameters are {size} bytes; at most {MAX_PARAMS_BYTES}",
                           field="params")
    async with platform.db.tenant_session(tenant_id) as session:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None or tenant.status != "active":
            raise InvalidInput("jobs run only for active tenants", code="TENANT_INACTIVE")
        if plugin not in (tenant.enabled_plugins or []):
            raise InvalidInput(f"the {plugin} plugin is not enabled for this tenant",
                               code="PLUGIN_DISABLED")
        existing = await _job_with_key(session, idempotency_key)
        if existing is not None:
            return existing
        job = Job(tenant_id=tenant_id, kind=kind, params=params, requested_by=actor,
                  traceparent=_traceparent())
        if idempotency_key:
            job.idempotency_key = idempotency_key
        # a concurrent request with the same key answers with the job that won the race
        job, created = await insert_or_existing(
            session, job, constraint="uq_jobs_tenant_id_idempotency_key",
            existing=lambda: _job_with_key(session, idempotency_key))
        if not created:
            return job
        await platform.audit(session, tenant_id=tenant_id, actor=actor, action="job.requested",
                             object_type="ipgov:job", object_id=job.id,
                             details={"kind": kind})
    await send_job(platform, job.id, tenant_id)
    return job


async def _job_with_key(session: Any, key: str | None) -> Job | None:
    """The tenant's job recorded under idempotency ``key`` (none without a key)."""
    if not key:
        return None
    return (await session.execute(select(Job).where(
        Job.idempotency_key == key))).scalar_one_or_none()


async def send_job(platform: Platform, job_id: str, tenant_id: str,
                   traceparent: str | None = None) -> bool:
    """Send the job's message; a broker failure is logged and left to recovery."""
    queue = platform.extras.get("review_queue")
    if queue is None or not hasattr(queue, "send_job"):
        log.warning("no job queue configured; job %s stays queued", job_id)
        return False
    try:
        await asyncio.to_thread(queue.send_job, job_id, tenant_id, traceparent=traceparent)
    except Exception as exc:  # the broker may be down: the row is the record
        log.warning("could not send job %s (%s); recovery will resend it", job_id,
                    type(exc).__name__)
        return False
    async with platform.db.tenant_session(tenant_id) as session:
        await session.execute(update(Job).where(Job.id == job_id).values(enqueued_at=utcnow())
                              .execution_options(synchronize_session=False))
    return True


async def _claim(platform: Platform, job_id: str, tenant_id: str) -> tuple[Job, str] | None:
    now, token = utcnow(), new_id()
    lease = timedelta(seconds=platform.settings.review_lease_seconds)
    async with platform.db.tenant_session(tenant_id) as session:
        result = await session.execute(
            update(Job).where(Job.id == job_id, or_(
                Job.status == JobStatus.QUEUED,
                and_(Job.status == JobStatus.RUNNING, Job.lease_until < now)))
            .values(status=JobStatus.RUNNING, claim_token=token, lease_until=now + lease,
                    attempts=Job.attempts + 1, started_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return None
        job = (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()
        session.expunge(job)
        return job, token


async def _finish(platform: Platform, ctx: JobContext, token: str, status: str, *,
                  result: Any = None, failure: str | None = None) -> bool:
    async with ctx.session() as session:
        done = await session.execute(
            update(Job).where(Job.id == ctx.job_id, Job.claim_token == token)
            .values(status=status, finished_at=utcnow(), lease_until=None,
                    result=result, failure=failure, progress_done=ctx._done,
                    progress_total=ctx._total, message=ctx._message,
                    errors=ctx.errors, error_count=ctx.error_count)
            .execution_options(synchronize_session=False))
        if done.rowcount != 1:
            return False
        await platform.audit(session, tenant_id=ctx.tenant_id, actor=ctx.actor,
                             action=f"job.{status}", object_type="ipgov:job",
                             object_id=ctx.job_id,
                             details={"kind": ctx.kind, "errors": ctx.error_count})
    return True


async def execute_job(platform: Platform, job_id: str, tenant_id: str,
                      on_progress: Callable[[int, int | None, str], None] | None = None) -> str:
    """Claim and run one job; returns what happened (for logs)."""
    from ipgov.runtime import platform_var

    claimed = await _claim(platform, job_id, tenant_id)
    if claimed is None:
        return "not claimable (done, cancelled or held by another worker)"
    job, token = claimed
    entry = job_kinds(platform).get(job.kind)
    ctx = JobContext(platform, job, token, on_progress)
    if entry is None:
        await _finish(platform, ctx, token, JobStatus.FAILED,
                      failure=f"no plugin in this process runs jobs of kind {job.kind!r}")
        return "failed: unknown kind"
    reset = platform_var.set(platform)
    try:
        outcome = await entry[1].handler(ctx)
    except LostJobClaim:
        return "lost its claim to another worker"
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        await _finish(platform, ctx, token, JobStatus.FAILED,
                      failure=f"{type(exc).__name__}: {exc}"[:4000])
        return f"failed: {type(exc).__name__}"
    finally:
        platform_var.reset(reset)
    result = outcome if isinstance(outcome, dict) else (
        {"value": outcome} if outcome is not None else None)
    finished = await _finish(platform, ctx, token, JobStatus.SUCCEEDED, result=result)
    return "succeeded" if finished else "lost its claim before finishing"


class _InlineJobs:
    """Runs jobs here; reviews the job requests go to the process's own queue, or stay queued
    (unsent, so recovery sends them soon) when this process has none."""

    def __init__(self, previous: Any) -> None:
        self.pending: list[tuple[str, str]] = []
        self.previous = previous

    def send_job(self, job_id: str, tenant_id: str, traceparent: str | None = None) -> None:
        self.pending.append((job_id, tenant_id))

    def send(self, run_id: str, tenant_id: str, traceparent: str | None = None) -> None:
        if self.previous is None:
            raise RuntimeError("no review queue in this process")
        self.previous.send(run_id, tenant_id, traceparent=traceparent)


async def run_job_inline(platform: Platform, *, tenant_id: str, kind: str,
                         params: dict[str, Any] | None = None, actor: str = "cli",
                         idempotency_key: str | None = None,
                         on_progress: Callable[[int, int | None, str], None] | None = None
                         ) -> Job:
    """Enqueue a job and run it right here (CLI, demo, tests); returns the finished row.
    ``on_progress(done, total, message)`` sees each progress report (a CLI prints them)."""
    previous = platform.extras.get("review_queue")
    queue = _InlineJobs(previous)
    platform.extras["review_queue"] = queue
    try:
        job = await enqueue_job(platform, tenant_id=tenant_id, kind=kind, params=params,
                                actor=actor, idempotency_key=idempotency_key)
        while queue.pending:
            job_id, tid = queue.pending.pop(0)
            await execute_job(platform, job_id, tid, on_progress)
    finally:
        platform.extras["review_queue"] = previous
    async with platform.db.tenant_session(tenant_id) as session:
        return (await session.execute(select(Job).where(Job.id == job.id))).scalar_one()


async def recover_jobs(platform: Platform) -> int:
    """Resend jobs never sent (broker down) or whose worker died; returns how many."""
    queue = platform.extras.get("review_queue")
    if queue is None or not hasattr(queue, "send_job"):
        return 0
    from ipgov.reviews.broker import JOB_QUEUE_NAME
    from ipgov.reviews.resend import broker_lost, resend_stale, stale_work

    now = utcnow()
    lost = await asyncio.to_thread(broker_lost, queue, JOB_QUEUE_NAME)
    stale = stale_work(Job, platform.settings, now, lost)
    sent = await resend_stale(platform, Job, stale, now, queue.send_job, "job")
    if sent:
        log.info("recovery resent %d job(s)", sent)
    return sent


async def schedule_periodic_jobs(platform: Platform,
                                 progress: Callable[[str], None] | None = None) -> int:
    """Enqueue every periodic job kind due for every active tenant that enables its plugin.

    One job per (tenant, kind, period) whatever the number of schedulers: the period number is
    the idempotency key. Returns how many jobs were created or found."""
    periodic = {name: (plugin, kind) for name, (plugin, kind) in job_kinds(platform).items()
                if kind.every}
    if not periodic:
        return 0
    async with platform.db.system_session("jobs: schedule") as session:
        tenants = (await session.execute(select(Tenant.id, Tenant.enabled_plugins).where(
            Tenant.status == "active"))).all()
    now = utcnow().timestamp()
    count = 0
    for name, (plugin, kind) in sorted(periodic.items()):
        period = int(now // kind.every.total_seconds())
        for tenant_id, enabled in tenants:
            if plugin not in (enabled or []):
                continue
            await enqueue_job(platform, tenant_id=tenant_id, kind=name, params=kind.params,
                              actor="scheduler", idempotency_key=f"schedule:{name}:{period}")
            count += 1
    if progress and count:
        progress(f"periodic jobs: {count}")
    return count


def is_terminal(status: str) -> bool:
    """Whether a job in ``status`` will change no more."""
    return status in TERMINAL
