"""Review checks of data governance (seed 7.4), one per condition a reviewer acts on.

Each finding's key is the id of the object the condition holds for (with the missing part
where one object can fail several ways), so the directive it opens closes once the condition
is gone. Checks only read: scores of quality rules are computed live and carried in the
finding's evidence, so each review keeps the scores it saw.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ipgov.api import Check, CheckContext, FindingDraft, Function, GovernanceDomain, Severity

from .catalog import specs
from .catalog.models import DataAsset, DataAssetKind
from .common import aware
from .lifecycle.models import DestructionRequest
from .lifecycle.services import retention_end
from .mapping.models import IpInventoryItem, SolutionLink, TechnicalSolution
from .organization.models import GovernanceRoleAssignment
from .publication.models import PublicationCheck
from .publication.risks import assess
from .quality.models import QualityRule
from .quality.rules import evaluate_rule
from .secrets.models import ReasonableStep
from .vocabulary import STEP_KINDS

__all__ = ["CHECKS", "FRESH_DAYS", "PENDING_DESTRUCTION_DAYS", "PUBLICATION_WINDOW_DAYS"]

P = "data_governance."
ASSET = "data_governance:asset"
FRESH_DAYS = {"training": 365, "access_restriction": 365, "marking": 730}
"""How long a step stays current without an expiry date (an NDA lasts until it expires)."""
PENDING_DESTRUCTION_DAYS = 30
PUBLICATION_WINDOW_DAYS = 90


def _live(*where):  # type: ignore[no-untyped-def]
    return select(DataAsset).where(DataAsset.destroyed_at.is_(None), *where).order_by(
        DataAsset.code)


async def _assets(ctx: CheckContext, *where) -> list[DataAsset]:  # type: ignore[no-untyped-def]
    return list((await ctx.session.execute(_live(*where))).scalars())


def _asset_finding(ctx: CheckContext, asset: DataAsset, key: str, title: str, **kw) -> FindingDraft:  # type: ignore[no-untyped-def]
    return ctx.finding(key, f"{title}: {asset.code} {asset.title}", object_type=ASSET,
                       object_id=asset.id, **kw)


async def spec_nonconforming(ctx: CheckContext) -> list[FindingDraft]:
    """Assets whose metadata does not conform to their kind's latest spec."""
    out = []
    kinds = (await ctx.session.execute(select(DataAssetKind.key))).scalars().all()
    for kind in kinds:
        spec = await specs.latest_spec(ctx.session, kind)
        if spec is None:
            continue
        for asset, problems in await specs.nonconforming_assets(ctx.session, spec):
            out.append(_asset_finding(
                ctx, asset, asset.id, f"Metadata does not conform to {kind} spec v{spec.version}",
                evidence={"spec_version": spec.version, "problems": [
                    {"field": f, "message": m} for f, m in problems[:20]]},
                recommendation="Complete or correct the metadata so the asset meets the "
                "specification (seed 7.4 c: uniqueness, authority and validity of data)."))
    return out


async def quality_below_threshold(ctx: CheckContext) -> list[FindingDraft]:
    """Quality rules whose score is below their threshold."""
    rules = (await ctx.session.execute(select(QualityRule).where(
        QualityRule.active.is_(True)).order_by(QualityRule.id))).scalars().all()
    out = []
    for rule in rules:
        result = await evaluate_rule(ctx.session, rule, ctx.now)
        if result.score < rule.threshold:
            out.append(ctx.finding(
                rule.id, f"Data quality below threshold ({rule.dimension}): {rule.name} "
                f"scores {result.score:.0%}, needs {rule.threshold:.0%}",
                evidence={"rule": rule.name, "kind": rule.kind_key, "dimension": rule.dimension,
                          "score": result.score, "threshold": rule.threshold,
                          "assets": result.total, "failing": len(result.failing),
                          "failing_asset_ids": result.failing[:20]},
                recommendation="Fix the failing assets or the process that feeds them; "
                "data quality standards must meet business needs (seed 7.4 c).",
                object_type="data_governance:quality_rule", object_id=rule.id))
    return out


async def roles_missing(ctx: CheckContext) -> list[FindingDraft]:
    """Assets without an owner or a steward; kinds in use without a domain data owner."""
    out = [_asset_finding(ctx, a, a.id, "Data asset without owner or steward",
                          evidence={"owner": a.owner, "steward": a.steward},
                          recommendation="Name the data owner and steward: data governance "
                          "needs responsible subjects and rights (seed 7.4 b).")
           for a in await _assets(ctx) if not (a.owner and a.steward)]
    used = set((await ctx.session.execute(select(DataAsset.kind_key).where(
        DataAsset.destroyed_at.is_(None)))).scalars())
    owned = set((await ctx.session.execute(select(GovernanceRoleAssignment.domain).where(
        GovernanceRoleAssignment.scope == "domain",
        GovernanceRoleAssignment.role == "owner"))).scalars())
    out += [ctx.finding(f"domain:{kind}", f"No data owner for the {kind} domain",
                        evidence={"domain": kind},
                        recommendation="Assign a domain data owner with decision rights "
                        "(classify, grant access, approve destruction).")
            for kind in sorted(used - owned)]
    return out


async def steps_missing(ctx: CheckContext) -> list[FindingDraft]:
    """Trade secrets lacking evidence of one of the reasonable steps."""
    secrets = await _assets(ctx, DataAsset.kind_key == "trade_secret")
    taken = {(s.asset_id, s.kind) for s in (await ctx.session.execute(
        select(ReasonableStep))).scalars()}
    out = []
    for asset in secrets:
        missing = [k for k in STEP_KINDS if (asset.id, k) not in taken]
        if missing:
            out.append(_asset_finding(
                ctx, asset, asset.id, "Trade secret without evidence of reasonable steps",
                evidence={"missing": missing},
                recommendation="Record NDAs, access restriction, marking and training with "
                "dates: without reasonable steps the information is no trade secret (EU "
                "Directive 2016/943 art. 2(1)(c); 18 U.S.C. § 1839(3)(A))."))
    return out


async def steps_stale(ctx: CheckContext) -> list[FindingDraft]:
    """Reasonable steps whose latest evidence expired or is older than its cadence."""
    today = ctx.now.date()
    latest: dict[tuple[str, str], ReasonableStep] = {}
    for step in (await ctx.session.execute(select(ReasonableStep).order_by(
            ReasonableStep.taken_on))).scalars():
        latest[(step.asset_id, step.kind)] = step
    live = {a.id: a for a in await _assets(ctx, DataAsset.kind_key == "trade_secret")}
    out = []
    for (asset_id, kind), step in sorted(latest.items()):
        due = step.expires_on or step.taken_on + timedelta(days=FRESH_DAYS.get(kind, 10**5))
        if asset_id in live and due < today:
            out.append(_asset_finding(
                ctx, live[asset_id], f"{asset_id}:{kind}", f"Stale {kind} evidence",
                evidence={"kind": kind, "taken_on": str(step.taken_on), "due": str(due)},
                recommendation=f"Renew the {kind.replace('_', ' ')} and record the new "
                "evidence: reasonable steps must be kept up, not taken once."))
    return out


async def secret_underclassified(ctx: CheckContext) -> list[FindingDraft]:
    """Trade secrets classified below confidential (readable by everyone cleared internal)."""
    return [_asset_finding(ctx, a, a.id, "Trade secret classified " + a.classification,
                           evidence={"classification": a.classification},
                           recommendation="Classify trade secrets confidential or secret so "
                           "that access is restricted to those who need it.")
            for a in await _assets(ctx, DataAsset.kind_key == "trade_secret",
                                   DataAsset.classification.in_(("public", "internal")))]


async def retention_overdue(ctx: CheckContext) -> list[FindingDraft]:
    """Assets past retention without a destruction decision; requests pending too long."""
    today: date = ctx.now.date()
    requests = list((await ctx.session.execute(select(DestructionRequest))).scalars())
    open_for = {r.asset_id for r in requests if r.status in ("pending", "approved")}
    out = [_asset_finding(ctx, a, a.id, "Retention ended without a destruction decision",
                          evidence={"retention_end": str(retention_end(a)),
                                    "legal_basis": a.legal_basis},
                          recommendation="Run the lifecycle sweep or request destruction; "
                          "keeping data past retention is a compliance risk.")
           for a in await _assets(ctx) if (end := retention_end(a)) is not None
           and end <= today and a.id not in open_for]
    cutoff = ctx.now - timedelta(days=PENDING_DESTRUCTION_DAYS)
    out += [ctx.finding(f"request:{r.id}", "Destruction request awaiting approval for more "
                        f"than {PENDING_DESTRUCTION_DAYS} days",
                        evidence={"asset_id": r.asset_id, "requested_at": str(r.requested_at),
                                  "approvals": len(r.approvals)},
                        recommendation="The data owner decides: approve or reject it.",
                        object_type=ASSET, object_id=r.asset_id)
            for r in requests if r.status == "pending" and _before(r.requested_at, cutoff)]
    return out


def _before(moment, cutoff) -> bool:  # type: ignore[no-untyped-def]
    return aware(moment) < cutoff


async def unprotected_solutions(ctx: CheckContext) -> list[FindingDraft]:
    """Technical solutions linked to no patent, application or trade secret."""
    linked = set((await ctx.session.execute(select(SolutionLink.solution_id))).scalars())
    rows = (await ctx.session.execute(select(TechnicalSolution).order_by(
        TechnicalSolution.code))).scalars()
    return [ctx.finding(s.id, f"Technical solution without IP protection: {s.code} {s.title}",
                        evidence={"source": s.source_kind, "ref": s.source_ref},
                        recommendation="Decide how to protect it: file a patent application "
                        "or keep it as a trade secret with reasonable steps (seed 7.4 b/c).",
                        object_type="data_governance:solution", object_id=s.id)
            for s in rows if s.id not in linked]


async def patents_without_product(ctx: CheckContext) -> list[FindingDraft]:
    """Patents of the inventory that protect no product's solution."""
    product_links = set((await ctx.session.execute(
        select(SolutionLink.plugin, SolutionLink.object_id).join(
            TechnicalSolution, TechnicalSolution.id == SolutionLink.solution_id)
        .where(TechnicalSolution.source_kind == "product"))).all())
    rows = (await ctx.session.execute(select(IpInventoryItem).where(
        IpInventoryItem.kind == "patent").order_by(IpInventoryItem.ref))).scalars()
    return [ctx.finding(f"{p.plugin}:{p.object_id}", f"Patent covers no product: {p.ref}",
                        evidence={"plugin": p.plugin, "title": p.title,
                                  "synced_at": str(p.synced_at)},
                        recommendation="Map it to the product solutions it protects, or "
                        "consider licensing it out or letting it lapse.",
                        object_type=f"{p.plugin}:patent", object_id=p.object_id)
            for p in rows if (p.plugin, p.object_id) not in product_links]


async def secrets_without_solution(ctx: CheckContext) -> list[FindingDraft]:
    """Trade secrets that protect no technical solution."""
    linked = set((await ctx.session.execute(select(SolutionLink.object_id).where(
        SolutionLink.plugin == "data_governance"))).scalars())
    return [_asset_finding(ctx, a, a.id, "Trade secret linked to no technical solution",
                           recommendation="Map the secret to the solutions it protects, or "
                           "reconsider whether it is still worth keeping.")
            for a in await _assets(ctx, DataAsset.kind_key == "trade_secret")
            if a.id not in linked]


async def publication_risk(ctx: CheckContext) -> list[FindingDraft]:
    """Recent publication checks that found a risk (secret disclosure, novelty loss,
    third-party text). The evidence names the risks and verdicts, never a closeness score: a
    finding is read by people below the secrets' clearance."""
    since = ctx.now - timedelta(days=PUBLICATION_WINDOW_DAYS)
    rows = (await ctx.session.execute(select(PublicationCheck).where(
        PublicationCheck.submitted_at >= since, PublicationCheck.verdict != "clear")
        .order_by(PublicationCheck.submitted_at))).scalars()
    findings = []
    for c in rows:
        risks = {a["risk"]: a["verdict"] for a in c.risks} if c.risks else {
            a.risk: a.verdict for a in assess(c.matches or [])}
        found = ", ".join(f"{r} {v}" for r, v in risks.items() if v != "clear")
        which = f" ({found})" if found else ""
        findings.append(ctx.finding(
            c.id, f"Publication check found {c.verdict}-level risk{which}: {c.title}",
            evidence={"verdict": c.verdict, "risks": risks},
            recommendation="Have the text revised or cleared by the IP department before it "
            "is published (seed 7.4 a).",
            object_type="data_governance:publication_check", object_id=c.id))
    return findings


def _check(name: str, title: str, title_zh: str, function: Function, severity: Severity,  # type: ignore[no-untyped-def]
           run, seed: str, recommendation: str, recommendation_zh: str,
           domain: GovernanceDomain = GovernanceDomain.RESOURCES) -> Check:
    return Check(id=P + name, title=title, title_zh=title_zh, domain=domain, function=function,
                 severity=severity, run=run, seed_ref=seed, recommendation=recommendation,
                 recommendation_zh=recommendation_zh)


CHECKS: list[Check] = [
    _check("catalog.spec_nonconforming", "Assets conform to their metadata specification",
           "数据资产符合其元数据规范", Function.IDENTIFY, Severity.MEDIUM, spec_nonconforming,
           "7.4 c", "Complete or correct the metadata so each asset meets its specification.",
           "补全或更正元数据，使每项资产符合其规范。"),
    _check("quality.below_threshold", "Data quality rules meet their thresholds",
           "数据质量规则达到阈值", Function.MONITOR, Severity.MEDIUM, quality_below_threshold,
           "7.4 c", "Fix the failing assets or the process that feeds them.",
           "修正不合格的资产或产生这些数据的流程。"),
    _check("organization.roles_missing", "Every asset and domain has its data owner",
           "每项资产和数据域均有数据所有者", Function.GOVERN, Severity.MEDIUM, roles_missing,
           "7.4 b", "Name the data owner and steward of each asset and domain.",
           "为每项资产和数据域指定数据所有者和数据管理员。"),
    _check("secrets.steps_missing", "Trade secrets have evidence of reasonable steps",
           "商业秘密有合理保密措施的证据", Function.PROTECT, Severity.HIGH, steps_missing,
           "7.4 d", "Record NDAs, access restriction, marking and training with their dates.",
           "记录保密协议、访问限制、密级标识和培训及其日期。"),
    _check("secrets.steps_stale", "Reasonable-steps evidence is current",
           "合理保密措施的证据保持最新", Function.PROTECT, Severity.MEDIUM, steps_stale,
           "7.4 d", "Renew the stale measure and record the new evidence.",
           "更新过期的保密措施并记录新的证据。"),
    _check("secrets.underclassified", "Trade secrets are classified confidential or secret",
           "商业秘密的密级为机密或绝密", Function.PROTECT, Severity.HIGH, secret_underclassified,
           "7.4 d", "Classify trade secrets confidential or secret so access follows clearance.",
           "将商业秘密定为机密或绝密，使访问遵循许可级别。"),
    _check("lifecycle.retention_overdue", "Retention ends in a destruction decision",
           "保存期满后作出销毁决定", Function.OPERATE, Severity.MEDIUM, retention_overdue,
           "7.4 e", "Run the lifecycle sweep or request destruction; approvers decide promptly.",
           "运行生命周期清理或申请销毁；审批人及时作出决定。"),
    _check("mapping.unprotected_solutions", "Technical solutions are protected",
           "技术方案均受到保护", Function.IDENTIFY, Severity.MEDIUM, unprotected_solutions,
           "7.4 c", "Decide how to protect each solution: a patent application or a trade "
           "secret.", "决定每项技术方案的保护方式：申请专利或作为商业秘密保护。"),
    _check("mapping.patents_without_product", "Patents protect products",
           "专利保护产品", Function.OPERATE, Severity.LOW, patents_without_product, "7.4 c",
           "Map each patent to the products it protects, or review whether to keep it.",
           "将每件专利对应到其保护的产品，或评估是否继续维持。"),
    _check("mapping.secrets_without_solution", "Trade secrets protect a solution",
           "商业秘密对应技术方案", Function.IDENTIFY, Severity.LOW, secrets_without_solution,
           "7.4 c", "Map each secret to the solutions it protects, or reconsider keeping it.",
           "将每项商业秘密对应到其保护的技术方案，或重新考虑是否保留。"),
    _check("publication.risk_found", "Texts are cleared before publication",
           "对外发布前文本经过审查", Function.MONITOR, Severity.HIGH, publication_risk,
           "7.4 a", "Have the text revised or cleared by the IP department before publication.",
           "发布前由知识产权部门修改或审核文本。"),
]
