"""Review checks of docketing: an official fee left unpaid into its grace period.

The finding's key is the deadline id, so the directive it opens closes when the fee is
recorded as paid (done) or the right is let go (waived).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ipgov.api import (
    Check,
    CheckContext,
    FindingDraft,
    FindingText,
    Function,
    GovernanceDomain,
    NotAssessed,
    Severity,
    localized,
)

from ..risk_assets.models import IpAsset, IpAssetDeadline
from .compute import surcharge
from .services import effective_rules

__all__ = ["CHECKS"]


async def fee_unpaid_in_grace(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Computed fee deadlines past due and still open inside their grace period; not
    assessed while no fee is docketed at all (an empty register proves nothing is unpaid)."""
    docketed = (await ctx.session.execute(
        select(IpAssetDeadline.id).where(IpAssetDeadline.origin == "computed",
                                         IpAssetDeadline.fee_amount.is_not(None)).limit(1)
    )).first()
    if docketed is None:
        return ctx.not_assessed("no official fee is docketed yet (no registered asset whose "
                                "rules carry a fee)",
                                "尚无已计算的官费期限（台账中没有适用收费规则的资产）")
    today: date = ctx.now.date()
    rows = (await ctx.session.execute(
        select(IpAssetDeadline, IpAsset.title, IpAsset.jurisdiction)
        .join(IpAsset, IpAsset.id == IpAssetDeadline.asset_id)
        .where(IpAssetDeadline.origin == "computed", IpAssetDeadline.status == "open",
               IpAssetDeadline.due_on < today, IpAssetDeadline.grace_until >= today)
        .order_by(IpAssetDeadline.grace_until).limit(500))).all()
    if not rows:
        return []
    rules = await effective_rules(ctx.session, ctx.tenant.id)
    out = []
    for d, title, jurisdiction in rows:
        rule = rules.rules.get(d.rule_id or "")
        extra = surcharge(rule, d.fee_amount, d.due_on, today) if rule and d.fee_amount else None
        out.append(ctx.finding(
            d.id, params={"asset": f"{jurisdiction} {title}"[:300],
                          "explanation": localized(
                              (d.explanation or {}).get("en", d.description)[:300],
                              (d.explanation or {}).get("zh-CN", d.description)[:300]),
                          "grace_until": d.grace_until.isoformat() if d.grace_until else "",
                          "surcharge": f"{d.fee_currency} {extra}" if extra is not None else "—"},
            evidence={"rule_id": d.rule_id, "due_on": d.due_on.isoformat(),
                      "grace_until": d.grace_until.isoformat() if d.grace_until else None,
                      "fee": str(d.fee_amount) if d.fee_amount is not None else None,
                      "surcharge_today": str(extra) if extra is not None else None},
            object_type="ip_governance:asset", object_id=d.asset_id))
    return out


CHECKS: list[Check] = [
    Check(id="ip_governance.docketing.fee_unpaid_in_grace",
          title="No official fee is left unpaid in its grace period",
          title_zh="无处于宽限期内未缴的官费",
          domain=GovernanceDomain.MANAGEMENT_SYSTEMS, function=Function.PROTECT,
          severity=Severity.CRITICAL, run=fee_unpaid_in_grace,
          references=("IP-CSF PR.MT-01", "GB/T 29490-2023 8.2"),
          recommendation="Pay the fee with its surcharge before the grace period ends, or "
                         "record the decision to let the right lapse.",
          recommendation_zh="在宽限期届满前缴纳年费及滞纳金，或记录放弃该权利的决定。",
          texts={"": FindingText(
              "Fee unpaid in grace: {asset}. {explanation}; surcharge if paid today "
              "{surcharge}",
              "宽限期内未缴费：{asset}。{explanation}；今日缴纳的滞纳金 {surcharge}",
              "Pay before {grace_until} or decide to let {asset} lapse: after the grace "
              "period the right ends.",
              "在 {grace_until} 之前缴费，或决定放弃 {asset}：宽限期届满后权利终止。")}),
]
