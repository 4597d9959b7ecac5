"""Direct and Monitor: directives from findings, closing them, escalating per governance mode.

One directive per condition (check id + finding key). A finding opens it (or reopens it), a
review whose check ran and no longer finds the condition closes it. Overdue directives and
directives at or above the tenant's risk tolerance escalate: under a centralized or hybrid
parent to the group (an escalation awaiting its decision); under a decentralized parent they
are only flagged, and the group sees them through the supervision view.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow
from ipgov.db.scope import TenantScope
from ipgov.tenancy.models import Escalation, Tenant

from .checks import SEVERITY_ORDER, Check, Severity
from .models import Directive, DirectiveStatus, Finding, ReviewSettings

if TYPE_CHECKING:
    from ipgov.runtime import Platform

    from .runner import Claim

__all__ = ["DEFAULT_DUE_DAYS", "escalate", "review_settings", "sync_directives"]

DEFAULT_DUE_DAYS = {"critical": 7, "high": 30, "medium": 60, "low": 90, "info": 180}


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def review_settings(session: AsyncSession, tenant_id: str) -> ReviewSettings:
    """The tenant's review settings (defaults when none were stored)."""
    row = (await session.execute(select(ReviewSettings))).scalar_one_or_none()
    return row or ReviewSettings(tenant_id=tenant_id, risk_tolerance="high", due_days={})


async def sync_directives(
    platform: Platform, session: AsyncSession, held: Claim, findings: list[Finding],
    ok_checks: list[Check], catalog: dict[str, Check],
) -> dict[str, int]:
    """Open or reopen a directive per finding; close those whose condition is gone."""
    settings = await review_settings(session, held.tenant_id)
    due_days = {**DEFAULT_DUE_DAYS, **(settings.due_days or {})}
    existing = {(d.check_id, d.finding_key): d
                for d in (await session.execute(select(Directive))).scalars()}
    now, counts = utcnow(), {"opened": 0, "reopened": 0, "closed": 0}
    found = set()
    for f in findings:
        found.add((f.check_id, f.key))
        directive = existing.get((f.check_id, f.key))
        due = now + timedelta(days=due_days.get(f.severity, 60))
        if directive is None:
            check = catalog.get(f.check_id)
            session.add(Directive(
                check_id=f.check_id, finding_key=f.key, action=f.recommendation or f.title,
                owner_role=check.owner_role if check else "ip_manager", severity=f.severity,
                function=f.function, domain=f.domain, due_at=due, opened_run_id=held.run_id,
                last_seen_run_id=held.run_id, text_key=f.text_key, params=f.params))
            counts["opened"] += 1
            continue
        directive.last_seen_run_id, directive.severity = held.run_id, f.severity
        directive.action = f.recommendation or f.title  # the latest specifics, every language
        directive.text_key, directive.params = f.text_key, f.params
        if directive.status != DirectiveStatus.OPEN:
            directive.status, directive.due_at, directive.closed_run_id = (
                DirectiveStatus.OPEN, due, None)
            directive.escalated_at = directive.escalation = None
            counts["reopened"] += 1
    ran = {c.id for c in ok_checks}
    for key, directive in existing.items():
        if key not in found and directive.check_id in ran and directive.status != "closed":
            directive.status, directive.closed_run_id = DirectiveStatus.CLOSED, held.run_id
            counts["closed"] += 1
    await session.flush()
    return counts


def _needs_escalation(d: Directive, tolerance: str, now: datetime) -> str | None:
    if d.status != DirectiveStatus.OPEN or d.escalated_at is not None:
        return None
    if aware(d.due_at) < now:
        return "overdue_directive"
    if SEVERITY_ORDER[Severity(d.severity)] >= SEVERITY_ORDER[Severity(tolerance)]:
        return "risk_above_tolerance"
    return None


async def escalate(platform: Platform, tenant_id: str) -> int:
    """Escalate what needs it; idempotent (each directive escalates once per opening)."""
    async with platform.db.system_session("review: escalation target") as session:
        tenant = await session.get(Tenant, tenant_id)
        parent = await session.get(Tenant, tenant.parent_id) if tenant.parent_id else None
    if parent is None:
        return 0
    to_group = parent.governance_mode in ("centralized", "hybrid")
    scope = TenantScope.tenants({tenant_id, tenant.root_id}, "review: escalate to the group")
    now, count = utcnow(), 0
    async with platform.db.session(scope) as session:
        settings = await _settings_of(session, tenant_id)
        directives = (await session.execute(
            select(Directive).where(Directive.tenant_id == tenant_id,
                                    Directive.status == DirectiveStatus.OPEN,
                                    Directive.escalated_at.is_(None)))).scalars()
        for d in directives:
            reason = _needs_escalation(d, settings.risk_tolerance, now)
            if reason is None:
                continue
            d.escalated_at, d.escalation = now, "group" if to_group else "supervision"
            if to_group:
                await _escalation(platform, session, tenant, d, reason)
            count += 1
    return count


async def _settings_of(session: AsyncSession, tenant_id: str) -> ReviewSettings:
    row = (await session.execute(select(ReviewSettings).where(
        ReviewSettings.tenant_id == tenant_id))).scalar_one_or_none()
    return row or ReviewSettings(tenant_id=tenant_id, risk_tolerance="high", due_days={})


async def _escalation(platform: Platform, session: AsyncSession, tenant: Tenant,
                      d: Directive, reason: str) -> None:
    key = f"directive:{d.id}:{reason}:{d.opened_run_id}"
    exists = (await session.execute(select(Escalation.id).where(
        Escalation.tenant_id == tenant.root_id, Escalation.idempotency_key == key))).first()
    if exists:
        return
    payload: dict[str, Any] = {"directive_id": d.id, "check_id": d.check_id,
                               "severity": d.severity, "due_at": aware(d.due_at).isoformat()}
    session.add(Escalation(tenant_id=tenant.root_id, from_tenant_id=tenant.id,
                           decision_type=reason, subject=d.action[:500], payload=payload,
                           requested_by="review-worker", idempotency_key=key))
    await session.flush()
    await platform.audit(session, tenant_id=tenant.root_id, actor="review-worker",
                         action="escalation.created", object_type="ipgov:escalation",
                         object_id=key, details={"from": tenant.slug, "reason": reason})
