"""Supervision reads computed with a fixed number of SQL statements per page of tenants.

``overview`` runs, whatever the number of tenants on the page: one statement for the page of
tenants, one for the last six finished runs of every tenant (a window function), one for the
latest runs' finding counts, one for directive counts, one for pending escalations, one for the
audit-chain heads and one that streams the page's audit events (ordered by tenant and sequence)
so that every chain is verified in Python: seven statements (plus PostgreSQL's per-transaction
``set_config`` for row-level security). The caller's read-only session is one snapshot, and
passes a ``ChainVerifier`` holding the witness checkpoints it read before opening it.

``risks_above_tolerance`` counts the tenant's *open directives that the review engine escalated*
(``escalated_at`` set: severity at or above the tenant's risk tolerance, or overdue), filtered by
function, domain and severity like the findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.audit import verify as audit_verify
from ipgov.audit.chain import AuditKey
from ipgov.audit.verify import ChainVerifier
from ipgov.db.base import utcnow
from ipgov.reviews.models import Directive, DirectiveStatus, Finding, ReviewRun
from ipgov.reviews.scoring import overall_view
from ipgov.tenancy.models import Escalation, EscalationStatus, Tenant

__all__ = ["Filters", "OverviewRow", "RunPoint", "TenantRow", "Verification", "overview",
           "overview_rows", "tenant_page", "TREND_LENGTH"]

TREND_LENGTH = 6
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class Filters:
    """What the caller narrowed the overview to (empty = everything)."""

    functions: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    def as_details(self) -> dict[str, Any]:
        """The filters as recorded in the audit trail."""
        return {"functions": list(self.functions), "domains": list(self.domains),
                "severities": list(self.severities),
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}


@dataclass(frozen=True)
class TenantRow:
    """A supervised tenant."""

    id: str
    slug: str
    name: str
    parent_id: str | None
    depth: int
    governance_mode: str
    status: str

    @classmethod
    def of(cls, t: Any) -> TenantRow:
        return cls(t.id, t.slug, t.name, t.parent_id, t.depth, t.governance_mode, t.status)


@dataclass(frozen=True)
class RunPoint:
    """One point of a tenant's score trend."""

    run_id: str
    finished_at: datetime
    overall: float | None
    functions: dict[str, Any]
    coverage: float | None = None
    """Assessed of applicable checks of the run (None: recorded before coverage was kept)."""


@dataclass(frozen=True)
class Verification:
    """The audit-chain verification of one tenant."""

    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str = ""
    witnessed_seq: int | None = None


@dataclass
class OverviewRow:
    """Everything the overview says about one tenant."""

    tenant: TenantRow
    latest_run_id: str | None = None
    latest_finished_at: datetime | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    trend: list[RunPoint] = field(default_factory=list)
    open_findings: dict[str, int] = field(default_factory=dict)
    overdue_directives: int = 0
    risks_above_tolerance: int = 0
    escalations_awaiting: int = 0
    audit_trail: Verification = field(default_factory=lambda: Verification(True, 0))


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def tenant_page(session: AsyncSession, ids: set[str], *, first: int,
                      after_slug: str | None = None) -> tuple[list[TenantRow], bool]:
    """Up to ``first`` tenants of ``ids`` by slug after ``after_slug``; and whether more follow."""
    stmt = select(Tenant).where(Tenant.id.in_(sorted(ids)))
    if after_slug is not None:
        stmt = stmt.where(Tenant.slug > after_slug)
    rows = list((await session.execute(stmt.order_by(Tenant.slug).limit(first + 1))).scalars())
    return [TenantRow.of(t) for t in rows[:first]], len(rows) > first


def _filtered_scores(scores: dict[str, Any], filters: Filters) -> dict[str, Any]:
    """The stored scores narrowed to the filtered functions and domains (coverage too)."""
    scores = dict(scores or {})
    coverage = dict(scores.get("coverage") or {})
    for part, wanted in (("functions", filters.functions), ("domains", filters.domains)):
        values = scores.get(part) or {}
        scores[part] = {k: v for k, v in values.items() if not wanted or k in wanted}
        if part in coverage:
            coverage[part] = {k: v for k, v in coverage[part].items()
                              if not wanted or k in wanted}
    if "coverage" in scores:
        scores["coverage"] = coverage
    scores.setdefault("overall", None)
    return scores


def _classified(stmt: Any, model: Any, filters: Filters) -> Any:
    if filters.functions:
        stmt = stmt.where(model.function.in_(filters.functions))
    if filters.domains:
        stmt = stmt.where(model.domain.in_(filters.domains))
    if filters.severities:
        stmt = stmt.where(model.severity.in_(filters.severities))
    return stmt


async def overview_rows(session: AsyncSession, key: AuditKey | ChainVerifier,
                        tenants: list[TenantRow],
                        filters: Filters = Filters(), now: datetime | None = None,
                        ) -> list[OverviewRow]:
    """The overview of ``tenants`` in six statements, whatever their number."""
    now = now or utcnow()
    ids = sorted(t.id for t in tenants)
    rows = {t.id: OverviewRow(tenant=t) for t in tenants}

    # 1. the last TREND_LENGTH finished tenant runs of each tenant in the period
    rank = func.row_number().over(
        partition_by=ReviewRun.tenant_id,
        order_by=(ReviewRun.finished_at.desc(), ReviewRun.id.desc())).label("rank")
    inner = select(ReviewRun.id, ReviewRun.tenant_id, ReviewRun.finished_at, ReviewRun.scores,
                   rank).where(ReviewRun.tenant_id.in_(ids), ReviewRun.kind == "tenant",
                               ReviewRun.finished_at.is_not(None))
    if filters.since:
        inner = inner.where(ReviewRun.finished_at >= _utc(filters.since))
    if filters.until:
        inner = inner.where(ReviewRun.finished_at <= _utc(filters.until))
    ranked = inner.subquery()
    result = await session.execute(
        select(ranked).where(ranked.c.rank <= TREND_LENGTH)
        .order_by(ranked.c.tenant_id, ranked.c.rank))
    latest: dict[str, str] = {}
    for run in result:
        row = rows[run.tenant_id]
        scores = _filtered_scores(run.scores, filters)
        if run.rank == 1:
            latest[run.tenant_id] = run.id
            row.latest_run_id, row.latest_finished_at = run.id, run.finished_at
            row.scores = scores
        row.trend.insert(0, RunPoint(run.id, run.finished_at, scores.get("overall"),
                                     scores["functions"], overall_view(run.scores).coverage))

    # 2. findings of the latest runs by severity
    stmt = _classified(select(Finding.tenant_id, Finding.severity, func.count())
                       .where(Finding.run_id.in_(sorted(latest.values()))), Finding, filters)
    for tenant_id, severity, count in await session.execute(
            stmt.group_by(Finding.tenant_id, Finding.severity)):
        rows[tenant_id].open_findings[severity] = count

    # 3. open directives: overdue, and escalated (risks above tolerance)
    stmt = _classified(select(
        Directive.tenant_id,
        func.sum(case((Directive.due_at < now, 1), else_=0)),
        func.sum(case((Directive.escalated_at.is_not(None), 1), else_=0)),
    ).where(Directive.tenant_id.in_(ids), Directive.status == DirectiveStatus.OPEN),
        Directive, filters)
    for tenant_id, overdue, escalated in await session.execute(
            stmt.group_by(Directive.tenant_id)):
        rows[tenant_id].overdue_directives = int(overdue or 0)
        rows[tenant_id].risks_above_tolerance = int(escalated or 0)

    # 4. escalated decisions waiting for each tenant
    for tenant_id, count in await session.execute(
            select(Escalation.tenant_id, func.count())
            .where(Escalation.tenant_id.in_(ids),
                   Escalation.status == EscalationStatus.PENDING)
            .group_by(Escalation.tenant_id)):
        rows[tenant_id].escalations_awaiting = count

    # 5-6. audit chains: heads, then every event of the page in chain order
    for tenant_id, verification in (await verify_chains(session, key, ids)).items():
        rows[tenant_id].audit_trail = verification
    return [rows[t.id] for t in tenants]


async def verify_chains(session: AsyncSession, verifier: AuditKey | ChainVerifier,
                        ids: list[str]) -> dict[str, Verification]:
    """Verify the chains of ``ids`` with two statements (``ipgov.audit.verify``); the
    tenants of a page exist, so a chain without events or head is reported as wiped."""
    results = await audit_verify.verify_chains(session, verifier, ids, existing=set(ids))
    return {tid: Verification(r.ok, r.events, r.first_bad_seq, r.problem, r.witnessed_seq)
            for tid, r in results.items()}


async def overview(session: AsyncSession, key: AuditKey | ChainVerifier, ids: set[str], *,
                   filters: Filters = Filters(), first: int = 100,
                   after_slug: str | None = None) -> tuple[list[OverviewRow], bool]:
    """A page of the overview over ``ids`` (by slug) and whether more pages follow."""
    tenants, more = await tenant_page(session, ids, first=first, after_slug=after_slug)
    return await overview_rows(session, key, tenants, filters), more


async def overview_all(session: AsyncSession, key: AuditKey | ChainVerifier,
                       ids: set[str], *,
                       filters: Filters = Filters(), page: int = 500) -> list[OverviewRow]:
    """Every tenant of ``ids`` (exports, reports), ``page`` tenants per batch."""
    rows: list[OverviewRow] = []
    after: str | None = None
    while True:
        batch, more = await overview(session, key, ids, filters=filters, first=page,
                                     after_slug=after)
        rows.extend(batch)
        if not more or not batch:
            return rows
        after = batch[-1].tenant.slug
