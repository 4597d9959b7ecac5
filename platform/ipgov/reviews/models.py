"""Review records: the database row is the record of a review; the broker only carries it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow
from ipgov.db.work import LeasedWork

__all__ = [
    "CheckResult",
    "Directive",
    "DirectiveStatus",
    "Finding",
    "ReviewRun",
    "ReviewSchedule",
    "ReviewSettings",
    "RunStatus",
]


class RunStatus(StrEnum):
    """Queued -> running -> succeeded | partial (some checks failed) | failed."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"


TERMINAL = frozenset({RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED})


class ReviewRun(LeasedWork, TenantScoped, Base):
    """One Evaluate-Direct-Monitor pass over a tenant (or, with ``kind=group``, a fan-out)."""

    __tablename__ = "review_runs"
    __movable_on_absorption__ = False  # review records stay with the absorbed tenant
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_review_runs_status_lease", "status", "lease_until"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10), default="tenant")
    trigger: Mapped[str] = mapped_column(String(20))
    parent_run_id: Mapped[str | None] = mapped_column(String(36), index=True)
    checks_total: Mapped[int] = mapped_column(Integer, default=0)
    checks_done: Mapped[int] = mapped_column(Integer, default=0)
    children_total: Mapped[int] = mapped_column(Integer, default=0)
    children_done: Mapped[int] = mapped_column(Integer, default=0)
    scores: Mapped[dict] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class CheckResult(TenantScoped, Base):
    """The outcome of one check in one run; its existence makes the check done for the run."""

    __tablename__ = "check_results"
    __movable_on_absorption__ = False  # review records stay with the absorbed tenant
    __table_args__ = (UniqueConstraint("run_id", "check_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(String(36), ForeignKey("review_runs.id"), index=True)
    check_id: Mapped[str] = mapped_column(String(120))
    plugin: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16))
    """passed, findings, not_assessed, not_applicable or error (``CheckStatus``)."""
    findings: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[dict | None] = mapped_column(default=None)
    """Why a check assessed nothing: ``NotAssessed.as_record()`` (both languages, params)."""


class Finding(TenantScoped, Base):
    """What a check found, classified by governance domain, function and severity."""

    __tablename__ = "findings"
    __movable_on_absorption__ = False  # review records stay with the absorbed tenant
    __table_args__ = (UniqueConstraint("run_id", "check_id", "key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(String(36), ForeignKey("review_runs.id"), index=True)
    check_id: Mapped[str] = mapped_column(String(120), index=True)
    key: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(30))
    function: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(500))
    recommendation: Mapped[str] = mapped_column(Text, default="")
    seed_ref: Mapped[str] = mapped_column(String(40), default="")
    evidence: Mapped[dict] = mapped_column(default=dict)
    object_type: Mapped[str] = mapped_column(String(120), default="")
    object_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    text_key: Mapped[str | None] = mapped_column(String(60), default=None)
    """Which of its check's ``texts`` the finding reads with (None: stored before texts)."""
    params: Mapped[dict | None] = mapped_column(default=None)
    """The specifics the finding is about, rendered in the reader's language."""


class DirectiveStatus(StrEnum):
    """Open until done by a person or closed by a review that no longer finds the condition."""

    OPEN = "open"
    DONE = "done"
    CLOSED = "closed"


class Directive(TenantScoped, Base):
    """Direct: the action a finding calls for, with an owner and a due date (one per condition)."""

    __tablename__ = "directives"
    __movable_on_absorption__ = False  # review records stay with the absorbed tenant
    __table_args__ = (UniqueConstraint("tenant_id", "check_id", "finding_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    check_id: Mapped[str] = mapped_column(String(120))
    finding_key: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(Text)
    owner_role: Mapped[str] = mapped_column(String(80))
    owner_user_id: Mapped[str | None] = mapped_column(String(36))
    severity: Mapped[str] = mapped_column(String(10))
    function: Mapped[str] = mapped_column(String(20))
    domain: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default=DirectiveStatus.OPEN)
    due_at: Mapped[datetime] = mapped_column()
    opened_run_id: Mapped[str] = mapped_column(String(36))
    last_seen_run_id: Mapped[str] = mapped_column(String(36))
    closed_run_id: Mapped[str | None] = mapped_column(String(36))
    escalated_at: Mapped[datetime | None] = mapped_column()
    escalation: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    text_key: Mapped[str | None] = mapped_column(String(60), default=None)
    params: Mapped[dict | None] = mapped_column(default=None)
    """The latest finding's text and parameters: the action reads with its specifics."""


class ReviewSchedule(TenantScoped, Base):
    """A periodic review (PDCA cadence); the scheduler enqueues it once per period."""

    __tablename__ = "review_schedules"
    __movable_on_absorption__ = False  # review records stay with the absorbed tenant
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    cadence_days: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(60), default="core")
    enabled: Mapped[bool] = mapped_column(default=True)
    last_period: Mapped[int | None] = mapped_column(Integer)


class ReviewSettings(TenantScoped, Base):
    """Per-tenant review policy: risk tolerance and how long directives may stay open."""

    __tablename__ = "review_settings"
    __movable_on_absorption__ = False  # review records stay with the absorbed tenant
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    risk_tolerance: Mapped[str] = mapped_column(String(10), default="high")
    due_days: Mapped[dict] = mapped_column(default=dict)
