"""Direct and Monitor: directives from findings, closing them, escalating per governance mode.

One directive per condition (check id + finding key). A finding opens it (or reopens it), a
review whose check ran and no longer finds the condition closes it. Overdue directives and
directives at or above the tenant's risk tolerance escalate: under a centralized or hybrid
parent to the group (an escalation awaiting its decision); under a decentralized parent they
are only flagged, and the group sees them through the supervision view.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow
from ipgov.db.scope import TenantScope
from ipgov.errors import Forbidden, InvalidInput, NotFound
from ipgov.tenancy.models import Escalation, Tenant
from ipgov.tenancy.modes import GovernanceMode

from .announce import directive_event
from .checks import SEVERITY_ORDER, Check, Severity
from .models import Directive, DirectiveStatus, Finding, ReviewSettings

if TYPE_CHECKING:
    from ipgov.runtime import Platform
    from ipgov.work.claims import Claim

__all__ = ["DEFAULT_DUE_DAYS", "change_directive", "escalate", "escalation_due",
           "review_settings", "sync_directives"]

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
    ok_checks: list[Check], catalog: Mapping[str, Check],
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
                function=f.function, domain=f.domain, due_at=due, opened_run_id=held.id,
                last_seen_run_id=held.id, text_key=f.text_key, params=f.params))
            counts["opened"] += 1
            continue
        directive.last_seen_run_id, directive.severity = held.id, f.severity
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
            directive.status, directive.closed_run_id = DirectiveStatus.CLOSED, held.id
            counts["closed"] += 1
            await directive_event(platform, session, directive, "closed",
                                  actor="review-worker", extra={"status": "closed"})
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


async def escalation_due(session: AsyncSession, tolerance: str) -> bool:
    """Whether any open directive of the session's tenant waits to be escalated (so a review
    that leaves none opens no escalation transaction)."""
    now = utcnow()
    directives = (await session.execute(select(Directive).where(
        Directive.status == DirectiveStatus.OPEN, Directive.escalated_at.is_(None)))).scalars()
    return any(_needs_escalation(d, tolerance, now) is not None for d in directives)


async def escalate(platform: Platform, tenant_id: str) -> int:
    """Escalate what needs it; idempotent (each directive escalates once per opening)."""
    async with platform.db.system_session("review: escalation target") as session:
        tenant = await session.get(Tenant, tenant_id)
        parent = await session.get(Tenant, tenant.parent_id) if tenant.parent_id else None
    if parent is None:
        return 0
    to_group = GovernanceMode(parent.governance_mode).escalates_to_group
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
            await directive_event(platform, session, d, "escalated", actor="review-worker",
                                  extra={"reason": reason, "to": d.escalation})
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


# -- who may change a directive ------------------------------------------------------------

CHANGEABLE = (DirectiveStatus.OPEN, DirectiveStatus.DONE)


def escalated_to(platform: Platform, d: Directive) -> str | None:
    """The group a directive waits on: escalated there, under a parent that still governs
    centrally or in hybrid (a parent gone decentralized no longer decides for the tenant)."""
    if d.escalation != "group":
        return None
    authz = platform.authz
    info = authz.tenant_info(d.tenant_id)
    parent = authz.tenant_info(info.parent_id) if info and info.parent_id else None
    if parent is None or not GovernanceMode(parent.governance_mode).escalates_to_group:
        return None
    return info.root_id


def _acts_for(platform: Platform, subject: str, tenant_id: str, role: str) -> bool:
    """Whether ``subject`` holds, in the tenant, every permission ``role`` confers there."""
    authz = platform.authz
    return authz.permissions_of(role, tenant_id) <= authz.permissions_of(subject, tenant_id)


def assert_may_change(platform: Platform, subject: str, d: Directive) -> None:
    """Raise unless ``subject`` may change ``d``: he acts at least as its owner role, and an
    escalated directive is changed by the level it escalated to (who decides there)."""
    group = escalated_to(platform, d)
    if group is not None and not platform.authz.enforce(subject, group, "ipgov:escalation",
                                                        "decide"):
        raise Forbidden("this directive was escalated to the group: the group decides it",
                        code="DIRECTIVE_ESCALATED")
    if not _acts_for(platform, subject, d.tenant_id, d.owner_role):
        raise Forbidden(f"this directive is owned by {d.owner_role}: you may not act for "
                        "that role here", code="DIRECTIVE_OWNER_ROLE",
                        details={"role": d.owner_role})


def _check_owner(platform: Platform, d: Directive, user_id: str) -> None:
    """The assignee is a member of the tenant (directly or through the group) who could act
    for the owner role; the same answer for any other id, so none says more than another."""
    authz = platform.authz
    if not authz.roles_in(user_id, d.tenant_id) or not _acts_for(platform, user_id,
                                                                 d.tenant_id, d.owner_role):
        raise InvalidInput(f"the owner must be a member of this tenant who can act as "
                           f"{d.owner_role}", code="OWNER_NOT_MEMBER", field="ownerUserId",
                           details={"role": d.owner_role})


async def change_directive(
    platform: Platform, session: AsyncSession, *, tenant_id: str, directive_id: str,
    subject: str, actor: str, status: str | None = None, owner_user_id: str | None = None,
) -> Directive:
    """Mark a directive done (or open again) or give it an owner, as ``subject`` may."""
    d = await session.get(Directive, directive_id)
    if d is None or d.tenant_id != tenant_id:
        raise NotFound("no such directive in this tenant", field="id")
    if status is not None and status not in CHANGEABLE:
        raise InvalidInput("status must be open or done", field="status")
    assert_may_change(platform, subject, d)
    if owner_user_id is not None:
        _check_owner(platform, d, owner_user_id)
    before = {"status": d.status, "owner_user_id": d.owner_user_id}
    if status is not None:
        d.status = status
    if owner_user_id is not None:
        d.owner_user_id = owner_user_id
    after = {"status": d.status, "owner_user_id": d.owner_user_id}
    await platform.audit(session, tenant_id=tenant_id, actor=actor, action="directive.updated",
                         object_type="ipgov:directive", object_id=d.id,
                         details={"status": d.status, "before": before, "after": after})
    await _announce_change(platform, session, d, before, actor)
    return d


async def _announce_change(platform: Platform, session: AsyncSession, d: Directive,
                           before: dict[str, Any], actor: str) -> None:
    """``directive.assigned`` for a new owner, ``directive.closed`` when marked done."""
    if d.owner_user_id and d.owner_user_id != before["owner_user_id"]:
        await directive_event(platform, session, d, "assigned", actor=actor,
                              extra={"owner_user_id": d.owner_user_id})
    if d.status == DirectiveStatus.DONE and before["status"] != DirectiveStatus.DONE:
        await directive_event(platform, session, d, "closed", actor=actor,
                              extra={"status": "done"})
