"""Review checks of the risk_assets area: risk appetite and tolerance (Govern), the asset
register (Identify, Protect), licences (Operate), incidents (Respond) and recovery (Recover).

Each finding's key is the id of the object the condition holds for (the tenant id for the
missing statement), so the directive it opens closes when the condition stops holding.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, select

from ipgov.api import Check, CheckContext, FindingDraft, Function, GovernanceDomain, Severity

from .appetite import EffectiveAppetite, chain_from_lineage, load_effective
from .models import (
    IpAsset,
    IpAssetDeadline,
    IpIncident,
    IpIncidentResponse,
    IpLicence,
    IpRecoveryPlan,
    IpRisk,
    IpRoyaltyPayment,
)

__all__ = ["CHECKS", "DUE_SOON_HIGH_DAYS", "DUE_SOON_MEDIUM_DAYS", "ROYALTY_WINDOW_DAYS"]

P = "ip_governance.risk_assets."
DUE_SOON_HIGH_DAYS, DUE_SOON_MEDIUM_DAYS = 30, 90
ROYALTY_WINDOW_DAYS = 365


def _today(ctx: CheckContext) -> date:
    return ctx.now.date()


async def effective_appetite(ctx: CheckContext) -> EffectiveAppetite:
    """The risk appetite that applies to the tenant under review (read across its lineage)."""
    ids = ctx.lineage or (ctx.tenant.id,)
    modes = ctx.tenant.lineage_modes or (ctx.tenant.governance_mode,)
    chain = chain_from_lineage(ids, modes)
    async with ctx.lineage_session() as session:
        return await load_effective(session, chain)


async def risk_above_tolerance_untreated(ctx: CheckContext) -> list[FindingDraft]:
    """Risks scoring above their category's effective tolerance and still without treatment."""
    appetite = await effective_appetite(ctx)
    rows = (await ctx.session.execute(select(IpRisk).where(
        IpRisk.status != "closed", IpRisk.treatment.is_(None)))).scalars()
    return [ctx.finding(
        r.id, f"Risk above tolerance without treatment (seed 3 c): {r.title}",
        evidence={"category": r.category, "score": r.score,
                  "threshold": appetite.threshold(r.category)},
        recommendation="Choose a treatment (avoid, mitigate, transfer, or accept with an "
        "approver and expiry): risk tolerance decides which treatment a risk gets (seed 3 c).",
        object_type="ip_governance:risk", object_id=r.id)
        for r in rows if r.score > appetite.threshold(r.category)]


async def accepted_risk_expired(ctx: CheckContext) -> list[FindingDraft]:
    """Accepted risks whose acceptance has run out."""
    rows = (await ctx.session.execute(select(IpRisk).where(
        IpRisk.treatment == "accept", IpRisk.status != "closed",
        IpRisk.acceptance_expires_on < _today(ctx)))).scalars()
    return [ctx.finding(
        r.id, f"Risk acceptance expired on {r.acceptance_expires_on}: {r.title}",
        evidence={"accepted_by": r.accepted_by, "expired_on": str(r.acceptance_expires_on),
                  "score": r.score},
        recommendation="Re-assess the risk and have the approver renew or replace the "
        "acceptance: stakeholders must knowingly accept risks (seed 3 d).",
        object_type="ip_governance:risk", object_id=r.id) for r in rows]


async def _open_deadlines(ctx: CheckContext, before: date, after: date | None = None):  # type: ignore[no-untyped-def]
    stmt = (select(IpAssetDeadline, IpAsset.title, IpAsset.jurisdiction,
                   IpAsset.publication_number)
            .join(IpAsset, IpAsset.id == IpAssetDeadline.asset_id)
            .where(IpAssetDeadline.status == "open", IpAssetDeadline.due_on < before))
    if after is not None:
        stmt = stmt.where(IpAssetDeadline.due_on >= after)
    return (await ctx.session.execute(stmt)).all()


async def deadline_due_soon(ctx: CheckContext) -> list[FindingDraft]:
    """Reminders: open deadlines due within 30 days (high) or 90 days (medium)."""
    today = _today(ctx)
    rows = await _open_deadlines(ctx, today + timedelta(days=DUE_SOON_MEDIUM_DAYS + 1), today)
    out = []
    for d, title, jurisdiction, number in rows:
        days = (d.due_on - today).days
        out.append(ctx.finding(
            d.id, f"{d.kind.replace('_', ' ')} due in {days} days: {jurisdiction} {number} "
            f"{title}",
            severity=Severity.HIGH if days <= DUE_SOON_HIGH_DAYS else Severity.MEDIUM,
            evidence={"due_on": str(d.due_on), "days_left": days, "kind": d.kind,
                      "asset_id": d.asset_id},
            recommendation="Act before the due date or decide to let the right lapse: IP "
            "asset management keeps the rights the strategy needs (seed 6.1, 5.1.1 item 4).",
            object_type="ip_governance:asset", object_id=d.asset_id))
    return out


async def deadline_overdue(ctx: CheckContext) -> list[FindingDraft]:
    """Open deadlines whose due date has passed."""
    today = _today(ctx)
    return [ctx.finding(
        d.id, f"Overdue {d.kind.replace('_', ' ')} (due {d.due_on}): {jurisdiction} {number} "
        f"{title}",
        evidence={"due_on": str(d.due_on), "days_overdue": (today - d.due_on).days,
                  "kind": d.kind, "asset_id": d.asset_id},
        recommendation="Use any grace period or reinstatement now, then record the outcome; "
        "a missed deadline loses the asset (seed 6.1).",
        object_type="ip_governance:asset", object_id=d.asset_id)
        for d, title, jurisdiction, number in await _open_deadlines(ctx, today)]


async def granted_patent_unowned(ctx: CheckContext) -> list[FindingDraft]:
    """Granted patents with no accountable owner or no value tier."""
    rows = (await ctx.session.execute(select(IpAsset).where(
        IpAsset.kind.in_(("patent", "utility_model")), IpAsset.status == "granted"))).scalars()
    out = []
    for a in rows:
        missing = [n for n, v in (("owner", a.owner), ("value tier", a.value_tier)) if not v]
        if missing:
            out.append(ctx.finding(
                a.id, f"Granted patent without {' and '.join(missing)}: {a.jurisdiction} "
                f"{a.publication_number or a.registration_number} {a.title}"[:300],
                evidence={"missing": missing},
                recommendation="Name an owner and grade the patent A/B/C so maintenance and "
                "monetisation follow its value (seed 5.1.1 item 4).",
                object_type="ip_governance:asset", object_id=a.id))
    return out


async def licence_out_without_royalty(ctx: CheckContext) -> list[FindingDraft]:
    """Active royalty-bearing licences out, a year old or more, with no payment in 12 months."""
    since = _today(ctx) - timedelta(days=ROYALTY_WINDOW_DAYS)
    paid = exists().where(IpRoyaltyPayment.licence_id == IpLicence.id,
                          IpRoyaltyPayment.paid_on >= since)
    rows = (await ctx.session.execute(select(IpLicence).where(
        IpLicence.direction == "out", IpLicence.status == "active",
        IpLicence.royalty_bearing.is_(True), IpLicence.starts_on <= since, ~paid))).scalars()
    return [ctx.finding(
        lic.id, f"No royalty recorded in 12 months from licensee {lic.counterparty}",
        evidence={"since": str(since), "royalty_terms": lic.royalty_terms[:200]},
        recommendation="Invoice or audit the licensee and record the payment: licensing "
        "realises the economic benefit of IP (Operate; seed 5.1.1 item 4).",
        object_type="ip_governance:licence", object_id=lic.id) for lic in rows]


async def incident_without_response(ctx: CheckContext) -> list[FindingDraft]:
    """Incidents not closed that have no recorded response."""
    responded = exists().where(IpIncidentResponse.incident_id == IpIncident.id)
    rows = (await ctx.session.execute(select(IpIncident).where(
        IpIncident.status != "closed", ~responded))).scalars()
    today = _today(ctx)
    return [ctx.finding(
        i.id, f"No response to {i.kind.replace('_', ' ')}: {i.title}",
        evidence={"detected_on": str(i.detected_on), "days_open": (today - i.detected_on).days},
        recommendation="Record a response (monitor, cease and desist, takedown, opposition "
        "defence...): detected IP incidents must be acted on (Respond; seed 1).",
        object_type="ip_governance:incident", object_id=i.id) for i in rows]


async def incident_closed_without_recovery(ctx: CheckContext) -> list[FindingDraft]:
    """Closed incidents that affected assets but have no recovery plan."""
    planned = exists().where(IpRecoveryPlan.incident_id == IpIncident.id)
    rows = (await ctx.session.execute(select(IpIncident).where(
        IpIncident.status == "closed", ~planned))).scalars()
    return [ctx.finding(
        i.id, f"Closed without a recovery plan: {i.title}",
        evidence={"assets_affected": len(i.asset_ids)},
        recommendation="Write a recovery plan for the affected assets (restore, re-file, "
        "re-secure) and follow its steps (Recover; seed 1).",
        object_type="ip_governance:incident", object_id=i.id)
        for i in rows if i.asset_ids]


async def no_risk_appetite(ctx: CheckContext) -> list[FindingDraft]:
    """The tenant has no risk appetite statement that applies to it."""
    appetite = await effective_appetite(ctx)
    if appetite.statement:
        return []
    owns = appetite.governed_by in (None, "decentralized")
    return [ctx.finding(
        ctx.tenant.id, "No risk appetite statement" + (" of its own (decentralized)"
                                                       if appetite.governed_by else ""),
        evidence={"governed_by": appetite.governed_by, "tolerances": len(appetite.tolerances)},
        recommendation=("The tenant governs its own risk: its decision level should state its "
                        "IP risk appetite and tolerances (seed 3 c, 5.1.2 c)." if owns else
                        "The group should state the IP risk appetite its subsidiaries inherit "
                        "(seed 3 c, 5.1.2 c)."),
        object_type="ip_governance:risk_appetite", object_id=ctx.tenant.id)]


def _check(name: str, title: str, title_zh: str, domain: GovernanceDomain, function: Function,
           severity: Severity, run, seed_ref: str, recommendation: str,  # type: ignore[no-untyped-def]
           recommendation_zh: str) -> Check:
    return Check(id=P + name, title=title, title_zh=title_zh, domain=domain, function=function,
                 severity=severity, run=run, seed_ref=seed_ref, recommendation=recommendation,
                 recommendation_zh=recommendation_zh)


_MS, _TOP = GovernanceDomain.MANAGEMENT_SYSTEMS, GovernanceDomain.TOP_LEVEL_DESIGN

CHECKS: list[Check] = [
    _check("risk_above_tolerance", "Risks above tolerance have a treatment",
           "超出风险容忍度的风险均有处置措施", _MS, Function.GOVERN, Severity.HIGH,
           risk_above_tolerance_untreated, "3 c; 6.1",
           "Treat every risk that exceeds the tolerance of its category.",
           "对每一项超出其类别容忍度的风险采取处置措施。"),
    _check("acceptance_expired", "Risk acceptances are current", "风险接受未过期", _MS,
           Function.GOVERN, Severity.MEDIUM, accepted_risk_expired, "3 d",
           "Renew or replace expired risk acceptances.",
           "续签或替换已过期的风险接受决定。"),
    _check("deadline_due_soon", "Upcoming IP deadlines (reminders)", "即将到期的知识产权期限提醒",
           _MS, Function.PROTECT, Severity.MEDIUM, deadline_due_soon, "6.1",
           "Act on renewals, annuities and office actions before they fall due.",
           "在续展、年费和审查意见答复到期之前采取行动。"),
    _check("deadline_overdue", "No overdue IP deadlines", "无逾期的知识产权期限", _MS,
           Function.PROTECT, Severity.CRITICAL, deadline_overdue, "6.1",
           "Recover or close out every overdue deadline.",
           "对每一项逾期期限进行补救（如宽限期、恢复权利）或作出了结。"),
    _check("granted_patent_unowned", "Granted patents have an owner and a value tier",
           "授权专利均有负责人和价值等级", GovernanceDomain.RESOURCES, Function.IDENTIFY,
           Severity.LOW, granted_patent_unowned, "7.3 b",
           "Assign owners and value tiers: the asset register must cover every asset "
           "completely (seed 7.3 b).",
           "为授权专利指定负责人和价值等级：资产台账须完整覆盖全部资产（种子文档 7.3 b）。"),
    _check("licence_out_royalty", "Licences out yield recorded royalties",
           "对外许可在12个月内有许可费记录", _MS, Function.OPERATE, Severity.MEDIUM,
           licence_out_without_royalty, "5.1.1 item 4",
           "Collect and record royalties for licences out.",
           "收取并记录对外许可的许可费。"),
    _check("incident_unanswered", "IP incidents have a response", "知识产权事件均已响应",
           _MS, Function.RESPOND, Severity.HIGH, incident_without_response, "1",
           "Respond to every detected IP incident.",
           "对每一起已发现的知识产权事件作出响应。"),
    _check("incident_unrecovered", "Closed incidents that hit assets have a recovery plan",
           "影响资产的已关闭事件均有恢复计划", _MS, Function.RECOVER, Severity.MEDIUM,
           incident_closed_without_recovery, "1",
           "Plan the recovery of assets affected by incidents.",
           "为受事件影响的资产制定恢复计划。"),
    _check("risk_appetite_statement", "A risk appetite statement applies", "已明确风险偏好声明",
           _TOP, Function.GOVERN, Severity.HIGH, no_risk_appetite, "3 c; 5.1.2 c",
           "State the IP risk appetite and tolerances.",
           "明确知识产权风险偏好和风险容忍度。"),
]
