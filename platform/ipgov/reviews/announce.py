"""The events reviews and directives record (docs/events.md), each in the transaction of the
change it reports: a review finished, findings above the tenant's risk tolerance, a directive
assigned, escalated, closed, due soon or overdue."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from .checks import SEVERITY_ORDER, Severity
from .models import Directive, Finding

if TYPE_CHECKING:
    from ipgov.runtime import Platform
    from ipgov.work.claims import Claim

__all__ = ["directive_event", "review_finished"]


def _worst(findings: list[Finding]) -> str | None:
    ranked = sorted((SEVERITY_ORDER[Severity(f.severity)], f.severity) for f in findings)
    return ranked[-1][1] if ranked else None


async def review_finished(platform: Platform, session: AsyncSession, held: Claim, status: str,
                          findings: list[Finding], tolerance: str) -> None:
    """``review.finished`` with counts per severity, and one
    ``review.finding_above_tolerance`` per finding at or above ``tolerance``."""
    counts = {s.value: 0 for s in Severity}
    for f in findings:
        counts[f.severity] += 1
    worst = _worst(findings)
    await platform.record_event(
        session, tenant_id=held.tenant_id, type="review.finished", actor="review-worker",
        object_id=held.id, severity=worst,
        payload={"tenant_id": held.tenant_id, "review_id": held.id, "status": status,
                 "trigger": held.row.trigger, "findings": len(findings), "counts": counts,
                 "worst": worst})
    bar = SEVERITY_ORDER[Severity(tolerance)]
    for f in findings:
        if SEVERITY_ORDER[Severity(f.severity)] >= bar:
            await platform.record_event(
                session, tenant_id=held.tenant_id, type="review.finding_above_tolerance",
                actor="review-worker", object_id=f.id, severity=f.severity,
                payload={"tenant_id": held.tenant_id, "review_id": held.id, "finding_id": f.id,
                         "check_id": f.check_id, "severity": f.severity,
                         "tolerance": tolerance, "title": f.title[:500],
                         "function": f.function, "domain": f.domain})


def _due_on(d: Directive) -> str:
    due: datetime = d.due_at if d.due_at.tzinfo else d.due_at.replace(tzinfo=UTC)
    return due.date().isoformat()


async def directive_event(platform: Platform, session: AsyncSession, d: Directive, what: str,
                          *, actor: str, extra: Mapping[str, Any] | None = None,
                          idempotency_key: str | None = None) -> bool:
    """Record ``directive.<what>`` for ``d``; False when ``idempotency_key`` was seen."""
    recorded = await platform.record_event(
        session, tenant_id=d.tenant_id, type=f"directive.{what}", actor=actor,
        object_id=d.id, severity=d.severity, idempotency_key=idempotency_key,
        payload={"tenant_id": d.tenant_id, "directive_id": d.id, "action": d.action[:500],
                 "severity": d.severity, "due_on": _due_on(d), **(extra or {})})
    return recorded is not None
