"""Evidence sources: where, in the platform's records, the evidence for each kind lives.

Each kind reads one table of the tenant (through a tenant-scoped session: a sibling's or
another group's rows never reach it) and knows which timestamp says how recent the evidence
is. The audit trail is judged by the core's own check in the latest finished review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from ipgov.api import Directive, Finding, ReviewRun

from ..framework.models import Profile
from ..organization import models as org
from ..risk_assets import models as risk
from .models import ManagementReview

__all__ = ["AUDIT_CHECK", "Evidence", "SOURCES", "Source", "collect_evidence", "row_dict"]

AUDIT_CHECK = "core.audit_trail_intact"
AUDIT_COLUMNS = ("run_id", "finished_at", "check", "verified", "finding_id")


@dataclass
class Evidence:
    """What one kind holds for the tenant: how many rows, the newest time, some rows."""

    count: int
    newest: datetime | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None
    columns: list[str] = field(default_factory=list)
    """A reason code of the outline (e.g. ``audit_broken``) when rows exist but do not count."""


@dataclass(frozen=True)
class Source:
    """One table: the model, the column that dates a row, and an optional filter."""

    model: type[Any]
    time: str
    where: Callable[[type[Any]], Any] | None = None

    def statement(self) -> Any:
        """The select of the source's rows (newest first)."""
        stmt = select(self.model)
        if self.where is not None:
            stmt = stmt.where(self.where(self.model))
        return stmt.order_by(getattr(self.model, self.time).desc(), self.model.id)


def _aware(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


INTERNAL_COLUMNS = frozenset({"claim_token", "lease_until", "traceparent", "idempotency_key"})
"""Worker bookkeeping of review runs: no evidence, left out of every export."""


def _columns(model: Any) -> list[str]:
    return [c.key for c in model.__mapper__.column_attrs if c.key not in INTERNAL_COLUMNS]


def row_dict(row: Any) -> dict[str, Any]:
    """A record as plain JSON-ready values (dates in ISO 8601), every evidence column."""
    return {key: _cell(getattr(row, key)) for key in _columns(type(row))}


SOURCES: dict[str, Source] = {
    "strategy": Source(org.IpStrategy, "updated_at"),
    "objectives": Source(org.StrategyObjective, "created_at", lambda m: m.kpi != ""),
    "kpi_measurements": Source(org.KpiMeasurement, "measured_at"),
    "swot": Source(org.SwotEntry, "created_at"),
    "governing_bodies": Source(org.GoverningBody, "created_at", lambda m: m.active.is_(True)),
    "evaluations": Source(org.GovernanceEvaluation, "evaluated_at"),
    "governance_directives": Source(org.GovernanceDirective, "issued_at"),
    "decisions": Source(org.GovernanceDecision, "created_at"),
    "monitoring": Source(org.MonitoringRecord, "recorded_at"),
    "organization": Source(org.OrgMember, "created_at", lambda m: m.active.is_(True)),
    "raci": Source(org.RaciAssignment, "created_at"),
    "training": Source(org.TrainingSession, "held_at"),
    "management_systems": Source(org.ManagementSystem, "created_at"),
    "pdca": Source(org.PdcaPhaseRecord, "completed_at"),
    "system_judgements": Source(org.SystemJudgement, "judged_at"),
    "profile": Source(Profile, "assessed_at", lambda m: m.kind == "current"),
    "risk_appetite": Source(risk.RiskAppetite, "updated_at"),
    "risk_register": Source(risk.IpRisk, "updated_at"),
    "asset_register": Source(risk.IpAsset, "updated_at"),
    "deadlines": Source(risk.IpAssetDeadline, "due_on"),
    "licences": Source(risk.IpLicence, "created_at"),
    "incidents": Source(risk.IpIncident, "detected_on"),
    "recovery_plans": Source(risk.IpRecoveryPlan, "updated_at"),
    "reviews": Source(ReviewRun, "finished_at",
                      lambda m: (m.kind == "tenant") & m.finished_at.is_not(None)),
    "directives": Source(Directive, "updated_at"),
    "management_reviews": Source(ManagementReview, "held_at"),
}


async def _table(session: Any, source: Source, limit: int) -> Evidence:
    count_stmt = select(func.count()).select_from(source.statement().order_by(None).subquery())
    count = int((await session.execute(count_stmt)).scalar() or 0)
    rows = list((await session.execute(source.statement().limit(limit))).scalars())
    newest = _aware(getattr(rows[0], source.time)) if rows else None
    return Evidence(count, newest, [row_dict(r) for r in rows], columns=_columns(source.model))


async def _audit_trail(session: Any, limit: int) -> Evidence:
    """The latest finished review: its audit-trail check passed (no finding) or not."""
    reviews = await _table(session, SOURCES["reviews"], 1)
    if not reviews.rows:
        return Evidence(0, None, columns=list(AUDIT_COLUMNS))
    run = reviews.rows[0]
    broken = (await session.execute(select(Finding).where(
        Finding.run_id == run["id"], Finding.check_id == AUDIT_CHECK).limit(limit))).scalars()
    problems = [row_dict(f) for f in broken]
    row = {"run_id": run["id"], "finished_at": run["finished_at"], "check": AUDIT_CHECK,
           "verified": not problems, "finding_id": ""}
    rows = [row, *({**row, "verified": False, "finding_id": p["id"]} for p in problems)]
    return Evidence(1, reviews.newest, rows[:max(limit, 1)],
                    problem="audit_broken" if problems else None, columns=list(AUDIT_COLUMNS))




async def collect_evidence(session: Any, kind: str, limit: int) -> Evidence:
    """The evidence of ``kind`` in the session's tenant, with up to ``limit`` rows."""
    if kind == "audit_trail":
        return await _audit_trail(session, limit)
    return await _table(session, SOURCES[kind], limit)
