"""The core's own review checks: governance basics every tenant needs, whatever its plugins."""

from __future__ import annotations

from sqlalchemy import func, select

from ipgov.audit.bounded import verify_in_review
from ipgov.identity.models import Membership
from ipgov.tenancy.modes import GovernanceMode

from .checks import (
    Check,
    CheckContext,
    FindingDraft,
    FindingText,
    Function,
    GovernanceDomain,
    Severity,
)

__all__ = ["CORE_CHECKS"]


async def _has_administrator(ctx: CheckContext) -> list[FindingDraft]:
    admins = (await ctx.session.execute(
        select(func.count()).select_from(Membership)
        .where(Membership.role.in_(["tenant_admin", "group_admin"])))).scalar()
    if admins:
        return []
    inherited = GovernanceMode.governing(ctx.tenant.parent_mode).group_roles_act_below
    if inherited:
        return []
    mode = ctx.tenant.parent_mode
    return [ctx.finding("no-administrator", text="own" if mode else "root",
                        params={"tenant": ctx.tenant.name, "parent_mode": mode},
                        evidence={"tenant_admins": 0, "parent_mode": mode})]


async def _audit_trail_intact(ctx: CheckContext) -> list[FindingDraft]:
    """Verified in the review's snapshot, against the witness read before it began, from the
    last verified checkpoint (``ipgov.audit.bounded``)."""
    from ipgov.runtime import current_platform

    result = await verify_in_review(current_platform(), ctx.session, ctx.tenant_id)
    if result.ok:
        return []
    return [ctx.finding("audit-trail-broken", "The audit trail fails verification",
                        evidence={"first_bad_seq": result.first_bad_seq,
                                  "problem": result.problem},
                        recommendation="Investigate the tampering and restore the trail from "
                                       "backup; inform internal supervision.")]


CORE_CHECKS = [
    Check(
        id="core.administrator_appointed",
        title="Someone is accountable for the tenant's IP governance",
        title_zh="已指定知识产权治理负责人",
        domain=GovernanceDomain.TOP_LEVEL_DESIGN,
        function=Function.GOVERN,
        severity=Severity.MEDIUM,
        run=_has_administrator,
        references=("GB/T 29490-2023 5.3",),
        owner_role="tenant_admin",
        recommendation="Appoint a tenant administrator accountable for IP governance.",
        recommendation_zh="任命一名对知识产权治理负责的租户管理员。",
        texts={
            "own": FindingText(
                "No one administers the IP governance of {tenant}, and its parent governs "
                "{parent_mode:governance_mode}: the parent's administrators do not act here",
                "{tenant} 无人负责知识产权治理，且其上级采用{parent_mode:governance_mode}治理："
                "上级管理员不在此代行职责",
                "Appoint a tenant administrator of {tenant} accountable for its IP governance.",
                "为 {tenant} 任命一名对其知识产权治理负责的租户管理员。"),
            "root": FindingText(
                "No one administers the IP governance of {tenant}",
                "{tenant} 无人负责知识产权治理",
                "Appoint a tenant administrator of {tenant} accountable for its IP governance.",
                "为 {tenant} 任命一名对其知识产权治理负责的租户管理员。"),
        },
    ),
    Check(
        id="core.audit_trail_intact",
        title="The audit trail is complete and unaltered",
        title_zh="审计记录完整且未被篡改",
        domain=GovernanceDomain.RESOURCES,
        function=Function.GOVERN,
        severity=Severity.CRITICAL,
        run=_audit_trail_intact,
        references=("GB/T 29490-2023 7.5", "GB/T 29490-2023 9.2"),
        owner_role="auditor",
        recommendation="Investigate the break in the audit trail and restore it from backup.",
        recommendation_zh="调查审计记录被篡改的原因，从备份中恢复审计记录，并告知内部监督部门。",
        texts={"": FindingText(  # params come from the finding's evidence
            "The audit trail fails verification at event {first_bad_seq}: {problem}",
            "审计记录在第 {first_bad_seq} 条事件处未通过验证：{problem}")},
    ),
]
