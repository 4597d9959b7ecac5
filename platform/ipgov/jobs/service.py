"""Enqueueing and running jobs (plugin jobs are a kind of queued work: ``ipgov.work``
claims, renews, finishes, carries and recovers them)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput
from ipgov.tenancy.models import Tenant
from ipgov.work import Claim, LostClaim, execute, finish, send
from ipgov.work.queue import InlineQueue
from ipgov.work.requests import record

from .context import JobContext, JobKind
from .models import TERMINAL, Job, JobStatus

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["KIND", "enqueue_job", "execute_job", "job_kinds", "perform_job", "run_job_inline",
           "schedule_periodic_jobs", "send_job"]

log = logging.getLogger("ipgov.jobs")
KIND = "job"
MAX_PARAMS_BYTES = 64_000


def job_kinds(platform: Platform) -> Mapping[str, tuple[str, JobKind]]:
    """Every job kind the loaded plugins declare: name -> (plugin, kind), validated at
    start-up in the plugin catalog."""
    return platform.catalog.jobs


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
        job, created = await record(
            platform, session,
            Job(tenant_id=tenant_id, kind=kind, params=params, requested_by=actor),
            idempotency_key=idempotency_key, action="job.requested", object_type="ipgov:job",
            details={"kind": kind})
    if created:
        await send_job(platform, job.id, tenant_id)
    return job


async def send_job(platform: Platform, job_id: str, tenant_id: str,
                   traceparent: str | None = None) -> bool:
    """Send the job's message; a broker failure is logged and left to recovery."""
    return await send(platform, KIND, job_id, tenant_id, traceparent)


async def _finish(platform: Platform, ctx: JobContext, held: Claim, status: str, *,
                  result: Any = None, failure: str | None = None) -> bool:
    async with ctx.session() as session:
        if not await finish(session, held, status, result=result, failure=failure,
                            **ctx.recorded()):
            return False
        await platform.audit(session, tenant_id=ctx.tenant_id, actor=ctx.actor,
                             action=f"job.{status}", object_type="ipgov:job",
                             object_id=ctx.job_id,
                             details={"kind": ctx.kind, "errors": ctx.error_count})
    return True


async def execute_job(platform: Platform, job_id: str, tenant_id: str,
                      on_progress: Callable[[int, int | None, str], None] | None = None) -> str:
    """Claim and run one job here; returns what happened (for logs)."""
    return await execute(platform, KIND, job_id, tenant_id, on_progress=on_progress)


async def perform_job(platform: Platform, held: Claim,
                      on_progress: Callable[[int, int | None, str], None] | None = None) -> str:
    """The work of a claimed job: its kind's handler, then the outcome recorded."""
    entry = job_kinds(platform).get(held.row.kind)
    ctx = JobContext(platform, held, on_progress)
    if entry is None:
        await _finish(platform, ctx, held, JobStatus.FAILED,
                      failure=f"no plugin in this process runs jobs of kind {ctx.kind!r}")
        return "failed: unknown kind"
    try:
        outcome = await entry[1].handler(ctx)
    except LostClaim:  # the work machine answers it (not a failure of the job)
        raise
    except Exception as exc:
        log.exception("job %s (%s) failed", held.id, ctx.kind)
        await _finish(platform, ctx, held, JobStatus.FAILED,
                      failure=f"{type(exc).__name__}: {exc}"[:4000])
        return f"failed: {type(exc).__name__}"
    result = outcome if isinstance(outcome, dict) else (
        {"value": outcome} if outcome is not None else None)
    finished = await _finish(platform, ctx, held, JobStatus.SUCCEEDED, result=result)
    return "succeeded" if finished else "lost its claim before finishing"


async def run_job_inline(platform: Platform, *, tenant_id: str, kind: str,
                         params: dict[str, Any] | None = None, actor: str = "cli",
                         idempotency_key: str | None = None,
                         on_progress: Callable[[int, int | None, str], None] | None = None
                         ) -> Job:
    """Enqueue a job and run it right here (CLI, demo, tests); returns the finished row.
    ``on_progress(done, total, message)`` sees each progress report (a CLI prints them).
    Other work the job requests (reviews) goes to the process's own queue, or stays queued
    (unsent, so recovery sends it soon) when this process has none."""
    queue = InlineQueue(kinds={KIND}, forward=platform.work.queue)
    with platform.work.carried_by(queue):
        job = await enqueue_job(platform, tenant_id=tenant_id, kind=kind, params=params,
                                actor=actor, idempotency_key=idempotency_key)
        await queue.drain(platform, on_progress=on_progress)
    async with platform.db.tenant_session(tenant_id) as session:
        return (await session.execute(select(Job).where(Job.id == job.id))).scalar_one()


async def schedule_periodic_jobs(platform: Platform,
                                 progress: Callable[[str], None] | None = None) -> int:
    """Enqueue every periodic job kind due for every active tenant that enables its plugin.

    One job per (tenant, kind, period) whatever the number of schedulers: the period number is
    the idempotency key. Returns how many jobs were created or found."""
    periodic = {name: (plugin, kind, every) for name, (plugin, kind) in job_kinds(platform).items()
                if (every := kind.every)}
    if not periodic:
        return 0
    async with platform.db.system_session("jobs: schedule") as session:
        tenants = (await session.execute(select(Tenant.id, Tenant.enabled_plugins).where(
            Tenant.status == "active"))).all()
    now = utcnow().timestamp()
    count = 0
    for name, (plugin, kind, every) in sorted(periodic.items()):
        period = int(now // every.total_seconds())
        candidates = [t for t, enabled in tenants if plugin in (enabled or [])]
        for tenant_id in await _narrowed(platform, name, kind, candidates):
            await enqueue_job(platform, tenant_id=tenant_id, kind=name, params=kind.params,
                              actor="scheduler", idempotency_key=f"schedule:{name}:{period}")
            count += 1
    if progress and count:
        progress(f"periodic jobs: {count}")
    return count


async def _narrowed(platform: Platform, name: str, kind: JobKind, candidates: list[str]
                    ) -> list[str]:
    """The candidates ``kind.only_for`` keeps (in their order); all of them when the kind
    has no such filter, or when the filter fails (a period's work is never silently lost)."""
    if kind.only_for is None or not candidates:
        return candidates
    try:
        keep = set(await kind.only_for(platform, list(candidates)))
    except Exception:  # noqa: BLE001 - a plugin's filter must not stop the scheduler
        log.exception("periodic job %s: only_for failed; scheduling every tenant", name)
        return candidates
    return [t for t in candidates if t in keep]


def is_terminal(status: str) -> bool:
    """Whether a job in ``status`` will change no more."""
    return status in TERMINAL
