"""The job record: kind, parameters, progress, per-record errors, outcome."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id
from ipgov.db.work import LeasedWork

__all__ = ["Job", "JobStatus", "MAX_ERRORS_KEPT"]

MAX_ERRORS_KEPT = 200
"""A job keeps its first 200 errors in full and counts the rest."""


class JobStatus(StrEnum):
    """queued -> running -> succeeded | failed (the handler raised) | cancelled."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(LeasedWork, TenantScoped, Base):
    """One background job of one tenant."""

    __tablename__ = "jobs"
    __movable_on_absorption__ = False  # job history stays with the absorbed tenant
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_jobs_status_lease", "status", "lease_until"),
        Index("ix_jobs_tenant_requested", "tenant_id", "requested_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(120))
    params: Mapped[dict] = mapped_column(default=dict)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict | None] = mapped_column()
    errors: Mapped[list] = mapped_column(default=list)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str | None] = mapped_column(Text)
