"""Review checks of controlled documents (GB/T 29490-2023 7.5): documents past their review
date, versions due in force but not approved, and distribution roles whose holders have not
all acknowledged the version in force (the tenant's own documents and those its group
imposes on it)."""

from __future__ import annotations

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
    role_holders,
)

from .models import ControlledDocument, DocumentAcknowledgement, DocumentVersion
from .services import applying_ancestors

__all__ = ["CHECKS"]

LIMIT = 500


async def _any_document(ctx: CheckContext) -> bool:
    return (await ctx.session.execute(select(ControlledDocument.id).limit(1))).first() is not None


def _none(ctx: CheckContext) -> NotAssessed:
    return ctx.not_assessed("no controlled document is recorded yet", "尚未登记受控文件")


async def past_review(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Versions in force whose review date has passed."""
    if not await _any_document(ctx):
        return _none(ctx)
    rows = (await ctx.session.execute(
        select(DocumentVersion, ControlledDocument.code, ControlledDocument.title)
        .join(ControlledDocument, ControlledDocument.id == DocumentVersion.document_id)
        .where(DocumentVersion.status == "approved",
               DocumentVersion.review_due_on < ctx.now.date())
        .order_by(DocumentVersion.review_due_on).limit(LIMIT))).all()
    return [ctx.finding(v.id, params={"document": f"{code} {title}"[:300], "version": v.label,
                                      "due": v.review_due_on.isoformat()},
                        evidence={"review_due_on": v.review_due_on.isoformat()},
                        object_type="ip_governance:document", object_id=v.document_id)
            for v, code, title in rows]


async def unapproved_in_force(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Versions whose effective date has come while they are not approved."""
    if not await _any_document(ctx):
        return _none(ctx)
    rows = (await ctx.session.execute(
        select(DocumentVersion, ControlledDocument.code, ControlledDocument.title)
        .join(ControlledDocument, ControlledDocument.id == DocumentVersion.document_id)
        .where(DocumentVersion.status.in_(("in_approval", "rejected")),
               DocumentVersion.effective_on <= ctx.now.date())
        .order_by(DocumentVersion.effective_on).limit(LIMIT))).all()
    return [ctx.finding(v.id, params={"document": f"{code} {title}"[:300], "version": v.label,
                                      "status": v.status,
                                      "effective": v.effective_on.isoformat()},
                        evidence={"status": v.status, "approvers": list(v.approvers)},
                        object_type="ip_governance:document", object_id=v.document_id)
            for v, code, title in rows]


async def _versions_in_force(ctx: CheckContext) -> list[tuple[DocumentVersion, str]]:
    own = (await ctx.session.execute(
        select(DocumentVersion, ControlledDocument.code)
        .join(ControlledDocument, ControlledDocument.id == DocumentVersion.document_id)
        .where(DocumentVersion.status == "approved").limit(LIMIT))).all()
    found = [(v, code) for v, code in own]
    applying = applying_ancestors(ctx.tenant.lineage, ctx.tenant.lineage_modes)
    if applying:
        async with ctx.lineage_session() as s:
            group = (await s.execute(
                select(DocumentVersion, ControlledDocument.code)
                .join(ControlledDocument, ControlledDocument.id == DocumentVersion.document_id)
                .where(DocumentVersion.status == "approved", ControlledDocument.imposed.is_(True),
                       ControlledDocument.tenant_id.in_(applying)).limit(LIMIT))).all()
        found += [(v, code) for v, code in group]
    return found


async def not_acknowledged(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Distribution roles with holders in the tenant who have not acknowledged the version in
    force."""
    versions = await _versions_in_force(ctx)
    if not versions:
        return ctx.not_assessed("no controlled document is in force here",
                                "本单位尚无生效的受控文件")
    roles = {r for v, _ in versions for r in v.distribution}
    holders = await role_holders(ctx.session, roles)
    acked = await ctx.session.execute(select(DocumentAcknowledgement.version_id,
                                             DocumentAcknowledgement.user_id).where(
        DocumentAcknowledgement.version_id.in_([v.id for v, _ in versions])))
    by_version: dict[str, set[str]] = {}
    for version_id, user_id in acked.all():
        by_version.setdefault(version_id, set()).add(user_id)
    out = []
    for v, code in versions:
        for role in v.distribution:
            missing = holders.get(role, set()) - by_version.get(v.id, set())
            if missing:
                out.append(ctx.finding(
                    f"{v.id}:{role}", params={"document": code, "version": v.label,
                                              "role": role, "missing": len(missing),
                                              "holders": len(holders[role])},
                    evidence={"users_missing": sorted(missing)[:50]},
                    object_type="ip_governance:document", object_id=v.document_id))
    return out


_REFS = ("GB/T 29490-2023 7.5", "IP-CSF GV.PO-01")
CHECKS: list[Check] = [
    Check(id="ip_governance.documents.past_review",
          title="Controlled documents are reviewed by their review date",
          title_zh="受控文件按期评审", domain=GovernanceDomain.MANAGEMENT_SYSTEMS,
          function=Function.GOVERN, severity=Severity.MEDIUM, run=past_review,
          references=_REFS, recommendation="Review the document and issue a new version, or "
          "confirm it with a new review date.", recommendation_zh="评审该文件并发布新版本，或确认"
          "其继续有效并设定新的评审日期。",
          texts={"": FindingText("Review overdue: {document} {version} (due {due})",
                                 "评审逾期：{document} {version}（应于 {due}）",
                                 "Review {document} and record the outcome.",
                                 "评审 {document} 并记录结论。")}),
    Check(id="ip_governance.documents.unapproved_in_force",
          title="No document version takes effect without approval",
          title_zh="未经批准的文件版本不得生效", domain=GovernanceDomain.MANAGEMENT_SYSTEMS,
          function=Function.GOVERN, severity=Severity.HIGH, run=unapproved_in_force,
          references=_REFS, recommendation="Complete the approval, or postpone the effective "
          "date.", recommendation_zh="完成审批，或推迟生效日期。",
          texts={"": FindingText("Due in force without approval: {document} {version} "
                                 "({status}, effective {effective})",
                                 "未经批准即到生效日：{document} {version}（{status}，生效日 "
                                 "{effective}）",
                                 "Have the approvers decide on {document} {version}.",
                                 "请审批人对 {document} {version} 作出决定。")}),
    Check(id="ip_governance.documents.not_acknowledged",
          title="The roles a document is distributed to have acknowledged it",
          title_zh="文件分发的角色均已确认阅读", domain=GovernanceDomain.MANAGEMENT_SYSTEMS,
          function=Function.GOVERN, severity=Severity.LOW, run=not_acknowledged,
          references=("GB/T 29490-2023 7.4", "GB/T 29490-2023 7.5"),
          recommendation="Remind the role's members to read and acknowledge the document.",
          recommendation_zh="提醒该角色成员阅读并确认该文件。",
          texts={"": FindingText("{missing} of {holders} {role} have not acknowledged "
                                 "{document} {version}",
                                 "{role} 角色 {holders} 人中有 {missing} 人未确认阅读 {document} "
                                 "{version}",
                                 "Ask the {role} holders to acknowledge {document}.",
                                 "请 {role} 角色成员确认阅读 {document}。")}),
]
