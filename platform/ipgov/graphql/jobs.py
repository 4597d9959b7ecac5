"""Background jobs in GraphQL: follow a job's progress and errors, list a tenant's jobs,
cancel one that has not finished."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select, update
from strawberry.scalars import JSON
from strawberry.types import Info

from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput, NotFound
from ipgov.jobs.models import TERMINAL, Job, JobStatus
from ipgov.jobs.service import job_kinds
from ipgov.validation import filter_value

from .audit_types import actor_field
from .kit import page_in
from .pagination import Connection
from .permissions import requires

__all__ = ["JobMutation", "JobQuery", "job_node"]


@strawberry.type(name="JobRecordError", description="One record a job could not process.")
class JobRecordErrorType:
    file: str
    document: str
    field: str
    message: str


@strawberry.type(name="Job", description="A background job (ingestion, sweep) of a tenant.")
class JobType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    kind: str
    status: str = strawberry.field(description="queued, running, succeeded, failed, cancelled")
    requested_by: str
    requested_by_actor = actor_field("requested_by", "Who requested it, by name (null if nobody).")
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    progress_done: int
    progress_total: int | None
    message: str
    result: JSON | None
    error_count: int = strawberry.field(description="Records that failed (all of them)")
    record_errors: list[JobRecordErrorType] = strawberry.field(
        description="The first 200 failed records: file, document, field and why")
    failure: str | None = strawberry.field(description="Why the job as a whole failed")


def job_node(job: Job) -> JobType:
    """The GraphQL view of a job row."""
    return JobType(
        id=strawberry.ID(job.id), tenant_id=strawberry.ID(job.tenant_id), kind=job.kind,
        status=job.status, requested_by=job.requested_by, requested_at=job.requested_at,
        started_at=job.started_at, finished_at=job.finished_at, attempts=job.attempts,
        progress_done=job.progress_done, progress_total=job.progress_total,
        message=job.message or "",
        result=JSON(job.result) if job.result is not None else None, error_count=job.error_count,
        record_errors=[JobRecordErrorType(file=e.get("file", ""), document=e.get("document", ""),
                             field=e.get("field", ""), message=e.get("message", ""))
                for e in (job.errors or [])],
        failure=job.failure)


@strawberry.type
class JobQuery:
    @strawberry.field(description="A job with its progress and errors.",
                      extensions=requires("ipgov:job", "read"))
    async def job(self, info: Info, tenant_id: strawberry.ID,
                  id: strawberry.ID) -> JobType:  # noqa: A002
        async with info.context.session(str(tenant_id)) as session:
            job = await session.get(Job, str(id))
            if job is None:
                raise NotFound("no such job in this tenant", code="JOB_NOT_FOUND", field="id")
            return job_node(job)

    @strawberry.field(description="Jobs of a tenant (stable id order), by kind and status.",
                      extensions=requires("ipgov:job", "read"))
    async def jobs(self, info: Info, tenant_id: strawberry.ID, kind: str | None = None,
                   status: str | None = None, first: int = 20,
                   after: str | None = None) -> Connection[JobType]:
        ctx = info.context
        stmt = select(Job)
        if filter_value(kind, sorted(job_kinds(ctx.platform)), "kind"):
            stmt = stmt.where(Job.kind == kind)
        if filter_value(status, [s.value for s in JobStatus], "status"):
            stmt = stmt.where(Job.status == status)
        async with ctx.session(str(tenant_id)) as session:
            return await page_in(info, session, stmt, [Job.id], first=first, after=after,
                                 to_node=job_node, key=lambda j: [j.id])


@strawberry.type
class JobMutation:
    @strawberry.mutation(description="Cancel a job that has not finished (a running handler "
                                     "stops at its next progress report).",
                         extensions=requires("ipgov:job", "cancel"))
    async def cancel_job(self, info: Info, tenant_id: strawberry.ID,
                         id: strawberry.ID) -> JobType:  # noqa: A002
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            job = await session.get(Job, str(id))
            if job is None:
                raise NotFound("no such job in this tenant", code="JOB_NOT_FOUND", field="id")
            if job.status in TERMINAL:
                raise InvalidInput(f"the job is already {job.status}", code="JOB_FINISHED",
                                   field="id")
            await session.execute(update(Job).where(Job.id == job.id).values(
                status=JobStatus.CANCELLED, finished_at=utcnow(), claim_token=None,
                lease_until=None).execution_options(synchronize_session=False))
            await ctx.platform.audit(session, tenant_id=str(tenant_id), actor=ctx.actor,
                                     action="job.cancelled", object_type="ipgov:job",
                                     object_id=job.id, details={"kind": job.kind})
            await session.refresh(job)
            return job_node(job)
