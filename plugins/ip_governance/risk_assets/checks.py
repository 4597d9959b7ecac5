"""Review checks of the risk_assets area: risk appetite and tolerance (Govern), the asset
register (Identify, Protect), licences (Operate), incidents (Respond) and recovery (Recover).

Each finding's key is the id of the object the condition holds for (the tenant id for the
missing statement), so the directive it opens closes when the condition stops holding.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, func, select

from ipgov.api import (
    Check,
    CheckContext,
    FindingDraft,
    FindingText,
    Function,
    GovernanceDomain,
    GovernanceMode,
    NotAssessed,
    Severity,
    localized,
)

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


_KIND_ZH = {"renewal": "续展", "annuity": "年费", "office_action": "审查意见答复",
            "opposition": "异议", "other": "其他期限",
            "infringement_detected": "发现侵权", "opposition_filed": "被提出异议",
            "invalidation_request": "无效宣告请求", "leakage": "泄密",
            "counterfeit": "假冒", "domain_squatting": "域名抢注",
            "ownership_dispute": "权属纠纷"}
_PART_ZH = {"owner": "负责人", "value tier": "价值等级"}
NO_RISKS = ("the IP risk register is empty (see risk_register)",
            "知识产权风险台账为空（见“知识产权风险已识别并登记”检查）")
NO_ASSETS = ("the IP asset register is empty (see asset_register)",
             "知识产权资产台账为空（见“知识产权资产已登记”检查）")


def _kind(value: str) -> dict[str, str]:
    return localized(value.replace("_", " "), _KIND_ZH.get(value, value))


def _asset(jurisdiction: str, number: str, title: str) -> str:
    return " ".join(p for p in (jurisdiction, number, title) if p)[:300]


async def _count(ctx: CheckContext, model: type) -> int:
    return (await ctx.session.execute(select(func.count()).select_from(model))).scalar_one()


async def risk_register(ctx: CheckContext) -> list[FindingDraft]:
    """No IP risk is registered: risks cannot be identified, rated or treated (seed 1, 3 c)."""
    if await _count(ctx, IpRisk):
        return []
    return [ctx.finding(ctx.tenant.id, params={"tenant": ctx.tenant.name},
                        object_type="ip_governance:risk_register", object_id=ctx.tenant.id)]


async def asset_register(ctx: CheckContext) -> list[FindingDraft]:
    """No IP asset is registered: the current IP assets are not identified (seed 1, 7.3 b)."""
    if await _count(ctx, IpAsset):
        return []
    return [ctx.finding(ctx.tenant.id, params={"tenant": ctx.tenant.name},
                        object_type="ip_governance:asset_register", object_id=ctx.tenant.id)]


async def risk_above_tolerance_untreated(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Risks scoring above their category's effective tolerance and still without treatment."""
    appetite = await effective_appetite(ctx)  # first: its own session, before ours begins
    if not await _count(ctx, IpRisk):
        return ctx.not_assessed(*NO_RISKS)
    rows = (await ctx.session.execute(select(IpRisk).where(
        IpRisk.status != "closed", IpRisk.treatment.is_(None)))).scalars()
    return [ctx.finding(
        r.id, params={"risk": r.title, "score": r.score,
                      "threshold": appetite.threshold(r.category)},
        evidence={"category": r.category, "score": r.score,
                  "threshold": appetite.threshold(r.category)},
        object_type="ip_governance:risk", object_id=r.id)
        for r in rows if r.score > appetite.threshold(r.category)]


async def accepted_risk_expired(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Accepted risks whose acceptance has run out."""
    if not await _count(ctx, IpRisk):
        return ctx.not_assessed(*NO_RISKS)
    accepted = (await ctx.session.execute(select(func.count()).select_from(IpRisk).where(
        IpRisk.treatment == "accept", IpRisk.status != "closed"))).scalar_one()
    if not accepted:
        return ctx.not_applicable("no open risk is accepted", "没有已接受的未关闭风险")
    rows = (await ctx.session.execute(select(IpRisk).where(
        IpRisk.treatment == "accept", IpRisk.status != "closed",
        IpRisk.acceptance_expires_on < _today(ctx)))).scalars()
    return [ctx.finding(
        r.id, params={"risk": r.title, "expired_on": str(r.acceptance_expires_on),
                      "accepted_by": r.accepted_by or "—"},
        evidence={"accepted_by": r.accepted_by, "expired_on": str(r.acceptance_expires_on),
                  "score": r.score},
        object_type="ip_governance:risk", object_id=r.id) for r in rows]


async def _open_deadlines(ctx: CheckContext, before: date, after: date | None = None):
    stmt = (select(IpAssetDeadline, IpAsset.title, IpAsset.jurisdiction,
                   IpAsset.publication_number)
            .join(IpAsset, IpAsset.id == IpAssetDeadline.asset_id)
            .where(IpAssetDeadline.status == "open", IpAssetDeadline.due_on < before))
    if after is not None:
        stmt = stmt.where(IpAssetDeadline.due_on >= after)
    return (await ctx.session.execute(stmt)).all()


async def deadline_due_soon(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Reminders: open deadlines due within 30 days (high) or 90 days (medium)."""
    if not await _count(ctx, IpAsset):
        return ctx.not_assessed(*NO_ASSETS)
    today = _today(ctx)
    rows = await _open_deadlines(ctx, today + timedelta(days=DUE_SOON_MEDIUM_DAYS + 1), today)
    out = []
    for d, title, jurisdiction, number in rows:
        days = (d.due_on - today).days
        out.append(ctx.finding(
            d.id, severity=Severity.HIGH if days <= DUE_SOON_HIGH_DAYS else Severity.MEDIUM,
            params={"kind": _kind(d.kind), "days": days, "due_on": str(d.due_on),
                    "asset": _asset(jurisdiction, number, title)},
            evidence={"due_on": str(d.due_on), "days_left": days, "kind": d.kind,
                      "asset_id": d.asset_id},
            object_type="ip_governance:asset", object_id=d.asset_id))
    return out


async def deadline_overdue(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Open deadlines whose due date has passed."""
    if not await _count(ctx, IpAsset):
        return ctx.not_assessed(*NO_ASSETS)
    today = _today(ctx)
    return [ctx.finding(
        d.id, params={"kind": _kind(d.kind), "due_on": str(d.due_on),
                      "days_overdue": (today - d.due_on).days,
                      "asset": _asset(jurisdiction, number, title)},
        evidence={"due_on": str(d.due_on), "days_overdue": (today - d.due_on).days,
                  "kind": d.kind, "asset_id": d.asset_id},
        object_type="ip_governance:asset", object_id=d.asset_id)
        for d, title, jurisdiction, number in await _open_deadlines(ctx, today)]


async def granted_patent_unowned(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Granted patents with no accountable owner or no value tier."""
    if not await _count(ctx, IpAsset):
        return ctx.not_assessed(*NO_ASSETS)
    rows = list((await ctx.session.execute(select(IpAsset).where(
        IpAsset.kind.in_(("patent", "utility_model")), IpAsset.status == "granted"))).scalars())
    if not rows:
        return ctx.not_applicable("no granted patent is registered", "未登记已授权专利")
    out = []
    for a in rows:
        missing = [n for n, v in (("owner", a.owner), ("value tier", a.value_tier)) if not v]
        if missing:
            out.append(ctx.finding(
                a.id, params={"missing": [localized(m, _PART_ZH[m]) for m in missing],
                              "asset": _asset(a.jurisdiction,
                                              a.publication_number or a.registration_number,
                                              a.title)},
                evidence={"missing": missing},
                object_type="ip_governance:asset", object_id=a.id))
    return out


async def licence_out_without_royalty(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Active royalty-bearing licences out, a year old or more, with no payment in 12 months."""
    since = _today(ctx) - timedelta(days=ROYALTY_WINDOW_DAYS)
    bearing = (IpLicence.direction == "out", IpLicence.status == "active",
               IpLicence.royalty_bearing.is_(True))
    if not (await ctx.session.execute(select(func.count()).select_from(IpLicence).where(
            *bearing))).scalar_one():
        return ctx.not_applicable("no active royalty-bearing licence out is registered",
                                  "未登记有效的收费对外许可")
    paid = exists().where(IpRoyaltyPayment.licence_id == IpLicence.id,
                          IpRoyaltyPayment.paid_on >= since)
    rows = (await ctx.session.execute(select(IpLicence).where(
        *bearing, IpLicence.starts_on <= since, ~paid))).scalars()
    return [ctx.finding(
        lic.id, params={"licensee": lic.counterparty, "months": 12},
        evidence={"since": str(since), "royalty_terms": lic.royalty_terms[:200]},
        object_type="ip_governance:licence", object_id=lic.id) for lic in rows]


async def incident_without_response(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Incidents not closed that have no recorded response."""
    if not await _count(ctx, IpIncident):
        return ctx.not_assessed("no IP incident has been recorded", "未记录任何知识产权事件")
    responded = exists().where(IpIncidentResponse.incident_id == IpIncident.id)
    rows = (await ctx.session.execute(select(IpIncident).where(
        IpIncident.status != "closed", ~responded))).scalars()
    today = _today(ctx)
    return [ctx.finding(
        i.id, params={"kind": _kind(i.kind), "incident": i.title,
                      "days_open": (today - i.detected_on).days},
        evidence={"detected_on": str(i.detected_on), "days_open": (today - i.detected_on).days},
        object_type="ip_governance:incident", object_id=i.id) for i in rows]


async def incident_closed_without_recovery(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Closed incidents that affected assets but have no recovery plan."""
    closed = [i for i in (await ctx.session.execute(select(IpIncident).where(
        IpIncident.status == "closed"))).scalars() if i.asset_ids]
    if not closed:
        return ctx.not_assessed("no closed incident affected registered assets",
                                "没有影响已登记资产的已关闭事件")
    planned = set((await ctx.session.execute(select(IpRecoveryPlan.incident_id))).scalars())
    return [ctx.finding(
        i.id, params={"incident": i.title, "assets": len(i.asset_ids)},
        evidence={"assets_affected": len(i.asset_ids)},
        object_type="ip_governance:incident", object_id=i.id)
        for i in closed if i.id not in planned]


async def no_risk_appetite(ctx: CheckContext) -> list[FindingDraft]:
    """The tenant has no risk appetite statement that applies to it."""
    appetite = await effective_appetite(ctx)
    if appetite.statement:
        return []
    owns = GovernanceMode.governing(appetite.governed_by).owns_settings
    return [ctx.finding(
        ctx.tenant.id, text="own" if owns else "group",
        params={"tenant": ctx.tenant.name, "governed_by": appetite.governed_by or "—"},
        evidence={"governed_by": appetite.governed_by, "tolerances": len(appetite.tolerances)},
        object_type="ip_governance:risk_appetite", object_id=ctx.tenant.id)]


def _check(name: str, title: str, title_zh: str, domain: GovernanceDomain, function: Function,
           severity: Severity, run, references: tuple[str, ...], recommendation: str,
           recommendation_zh: str, **texts: FindingText) -> Check:
    return Check(id=P + name, title=title, title_zh=title_zh, domain=domain, function=function,
                 severity=severity, run=run, references=references,
                 recommendation=recommendation, recommendation_zh=recommendation_zh,
                 texts={"" if k == "one" else k: v for k, v in texts.items()})


_MS, _TOP = GovernanceDomain.MANAGEMENT_SYSTEMS, GovernanceDomain.TOP_LEVEL_DESIGN
G = "GB/T 29490-2023 "

CHECKS: list[Check] = [
    _check("risk_register", "IP risks are identified in a register",
           "知识产权风险已识别并登记", _MS, Function.IDENTIFY, Severity.HIGH, risk_register,
           ("IP-CSF ID.RA-01", G + "6.1"),
           "Identify the IP risks (infringing others, losing own rights, leakage, ownership "
           "disputes) and register them with likelihood and impact.",
           "识别知识产权风险（侵犯他人权利、丧失自身权利、泄密、权属纠纷），并按可能性和影响登记。",
           one=FindingText(
               "No IP risk is registered for {tenant}: its IP risks are not identified, rated "
               "or treated",
               "{tenant} 未登记任何知识产权风险：其知识产权风险未被识别、评级或处置")),
    _check("asset_register", "The IP assets are registered", "知识产权资产已登记",
           _MS, Function.IDENTIFY, Severity.HIGH, asset_register,
           ("IP-CSF ID.AM-01", G + "8.2"),
           "Register the patents, marks, designs, copyrights, trade secrets and domain names "
           "with owning entity, jurisdiction, status and deadlines.",
           "登记专利、商标、外观设计、著作权、商业秘密和域名，注明权利主体、法域、状态和期限。",
           one=FindingText(
               "No IP asset is registered for {tenant}: its current IP assets are not "
               "identified, so deadlines and value cannot be managed",
               "{tenant} 未登记任何知识产权资产：其现有知识产权资产未被识别，期限与价值无法管理")),
    _check("risk_above_tolerance", "Risks above tolerance have a treatment",
           "超出风险容忍度的风险均有处置措施", _MS, Function.GOVERN, Severity.HIGH,
           risk_above_tolerance_untreated, ("IP-CSF ID.RA-02", "IP-CSF GV.RM-01", G + "6.1"),
           "Treat every risk that exceeds the tolerance of its category.",
           "对每一项超出其类别容忍度的风险采取处置措施。",
           one=FindingText(
               "Risk above tolerance without treatment: {risk} (score {score}, tolerance "
               "{threshold})",
               "超出容忍度且未处置的风险：{risk}（评分 {score}，容忍度 {threshold}）",
               "Choose a treatment for {risk} (avoid, mitigate, transfer, or accept with an "
               "approver and expiry): risk tolerance decides which treatment a risk gets.",
               "为“{risk}”选择处置方式（规避、减轻、转移，或经审批人批准并设定期限后接受）："
               "风险容忍度决定风险的处置方式。")),
    _check("acceptance_expired", "Risk acceptances are current", "风险接受未过期", _MS,
           Function.GOVERN, Severity.MEDIUM, accepted_risk_expired,
           ("IP-CSF GV.OC-03", G + "6.1"),
           "Renew or replace expired risk acceptances.",
           "续签或替换已过期的风险接受决定。",
           one=FindingText(
               "Risk acceptance expired on {expired_on}: {risk} (accepted by {accepted_by})",
               "风险接受已于 {expired_on} 到期：{risk}（接受人 {accepted_by}）",
               "Re-assess {risk} and have the approver renew or replace the acceptance: "
               "stakeholders must knowingly accept risks.",
               "重新评估“{risk}”，并由审批人续签或替换该接受决定：相关方须知情地接受风险。")),
    _check("deadline_due_soon", "Upcoming IP deadlines (reminders)", "即将到期的知识产权期限提醒",
           _MS, Function.PROTECT, Severity.MEDIUM, deadline_due_soon,
           ("IP-CSF PR.MT-01", G + "8.2"),
           "Act on renewals, annuities and office actions before they fall due.",
           "在续展、年费和审查意见答复到期之前采取行动。",
           one=FindingText(
               "{kind} due in {days} days ({due_on}): {asset}",
               "{asset} 的{kind}将在 {days} 天后到期（{due_on}）",
               "Act on the {kind} of {asset} before {due_on}, or decide to let the right "
               "lapse: IP asset management keeps the rights the strategy needs.",
               "在 {due_on} 之前处理 {asset} 的{kind}，或决定放弃该权利：知识产权资产管理应保有"
               "战略所需的权利。")),
    _check("deadline_overdue", "No overdue IP deadlines", "无逾期的知识产权期限", _MS,
           Function.PROTECT, Severity.CRITICAL, deadline_overdue,
           ("IP-CSF PR.MT-01", "IP-CSF RC.RP-02", G + "8.2"),
           "Recover or close out every overdue deadline.",
           "对每一项逾期期限进行补救（如宽限期、恢复权利）或作出了结。",
           one=FindingText(
               "Overdue {kind} (due {due_on}, {days_overdue} days ago): {asset}",
               "{asset} 的{kind}已逾期（截止 {due_on}，已逾期 {days_overdue} 天）",
               "Use any grace period or reinstatement for {asset} now, then record the "
               "outcome: a missed deadline loses the asset.",
               "立即为 {asset} 利用宽限期或申请恢复权利，并记录结果：错过期限将丧失该资产。")),
    _check("granted_patent_unowned", "Granted patents have an owner and a value tier",
           "授权专利均有负责人和价值等级", GovernanceDomain.RESOURCES, Function.IDENTIFY,
           Severity.LOW, granted_patent_unowned, ("IP-CSF ID.AM-01", "IP-CSF ID.AM-03",
                                                  G + "8.2"),
           "Assign owners and value tiers: the asset register must cover every asset "
           "completely.",
           "为授权专利指定负责人和价值等级：资产台账须完整覆盖全部资产。",
           one=FindingText(
               "Granted patent without {missing}: {asset}",
               "授权专利缺少{missing}：{asset}",
               "Name an owner and grade {asset} A/B/C so maintenance and monetisation follow "
               "its value.",
               "为 {asset} 指定负责人并评定 A/B/C 价值等级，使维持与运营与其价值相称。")),
    _check("licence_out_royalty", "Licences out yield recorded royalties",
           "对外许可在12个月内有许可费记录", _MS, Function.OPERATE, Severity.MEDIUM,
           licence_out_without_royalty, ("IP-CSF OP.LC-02", G + "8.4"),
           "Collect and record royalties for licences out.",
           "收取并记录对外许可的许可费。",
           one=FindingText(
               "No royalty recorded in {months} months from licensee {licensee}",
               "被许可方 {licensee} 在 {months} 个月内没有许可费记录",
               "Invoice or audit {licensee} and record the payment: licensing realises the "
               "economic benefit of IP.",
               "向 {licensee} 开具账单或进行审计并记录付款：许可是实现知识产权经济收益的方式。")),
    _check("incident_unanswered", "IP incidents have a response", "知识产权事件均已响应",
           _MS, Function.RESPOND, Severity.HIGH, incident_without_response,
           ("IP-CSF RS.MA-01", G + "10.1"),
           "Respond to every detected IP incident.",
           "对每一起已发现的知识产权事件作出响应。",
           one=FindingText(
               "No response to {kind} after {days_open} days: {incident}",
               "{kind}事件“{incident}”已发生 {days_open} 天仍未响应",
               "Record a response to {incident} (monitor, cease and desist, takedown, "
               "opposition defence...): detected IP incidents must be acted on.",
               "为“{incident}”记录响应措施（监控、警告函、下架、异议答辩等）：已发现的知识产权"
               "事件必须得到处理。")),
    _check("incident_unrecovered", "Closed incidents that hit assets have a recovery plan",
           "影响资产的已关闭事件均有恢复计划", _MS, Function.RECOVER, Severity.MEDIUM,
           incident_closed_without_recovery, ("IP-CSF RC.RP-01", G + "8.2"),
           "Plan the recovery of assets affected by incidents.",
           "为受事件影响的资产制定恢复计划。",
           one=FindingText(
               "Closed without a recovery plan: {incident} ({assets} assets affected)",
               "事件“{incident}”已关闭但无恢复计划（影响 {assets} 项资产）",
               "Write a recovery plan for the {assets} assets affected by {incident} (restore, "
               "re-file, re-secure) and follow its steps.",
               "为受“{incident}”影响的 {assets} 项资产制定恢复计划（恢复、重新申请、重新保密），"
               "并按步骤执行。")),
    _check("risk_appetite_statement", "A risk appetite statement applies", "已明确风险偏好声明",
           _TOP, Function.GOVERN, Severity.HIGH, no_risk_appetite,
           ("IP-CSF GV.RM-01", G + "6.1"),
           "State the IP risk appetite and tolerances.",
           "明确知识产权风险偏好和风险容忍度。",
           own=FindingText(
               "No risk appetite statement applies to {tenant}, which governs its own risk",
               "{tenant} 自行管理风险，但没有适用的风险偏好声明",
               "The decision level of {tenant} should state its IP risk appetite and "
               "tolerances: they decide which treatment each risk gets.",
               "{tenant} 的决策层应明确其知识产权风险偏好和容忍度：它们决定每项风险的处置方式。"),
           group=FindingText(
               "No risk appetite statement applies to {tenant}: its group, which governs it "
               "{governed_by:governance_mode}, has stated none",
               "{tenant} 没有适用的风险偏好声明：以{governed_by:governance_mode}方式治理它的集团"
               "尚未作出声明",
               "The group should state the IP risk appetite {tenant} inherits.",
               "集团应明确 {tenant} 所继承的知识产权风险偏好。")),
]
