"""Review checks of data governance (seed 7.4), one per condition a reviewer acts on.

Each finding's key is the id of the object the condition holds for (with the missing part
where one object can fail several ways), so the directive it opens closes once the condition
is gone. Checks only read: scores of quality rules are computed live and carried in the
finding's evidence, so each review keeps the scores it saw.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

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


def _live(*where):
    return select(DataAsset).where(DataAsset.destroyed_at.is_(None), *where).order_by(
        DataAsset.code)


async def _assets(ctx: CheckContext, *where) -> list[DataAsset]:
    return list((await ctx.session.execute(_live(*where))).scalars())


def _asset_finding(ctx: CheckContext, asset: DataAsset, key: str, *,
                   params: dict | None = None, **kw) -> FindingDraft:
    return ctx.finding(key, params={"asset": f"{asset.code} {asset.title}", **(params or {})},
                       object_type=ASSET, object_id=asset.id, **kw)


_ZH = {"nda": "保密协议", "access_restriction": "访问限制", "marking": "密级标识",
       "training": "保密培训", "public": "公开", "internal": "内部",
       "confidential": "机密", "secret": "绝密", "completeness": "完整性",
       "validity": "有效性", "uniqueness": "唯一性", "timeliness": "及时性",
       "consistency": "一致性", "review": "需复核", "block": "禁止发布",
       "trade_secret": "商业秘密", "data_asset": "数据资产", "patent_information": "专利信息",
       "technical_document": "技术文档", "work_content": "作品内容",
       "secret_disclosure": "泄露商业秘密", "novelty_loss": "丧失新颖性",
       "third_party_text": "复制他人文字"}
NO_ASSETS = ("no IP data asset is catalogued (see catalog.empty)",
             "未编目任何知识产权数据资产（见“知识产权数据已编目”检查）")
NO_SECRETS = ("no trade secret is catalogued", "未编目任何商业秘密")


def _label(value: str) -> dict[str, str]:
    return localized(value.replace("_", " "), _ZH.get(value, value))


async def _has(ctx: CheckContext, *where) -> bool:
    stmt = select(func.count()).select_from(DataAsset).where(DataAsset.destroyed_at.is_(None),
                                                             *where)
    return bool((await ctx.session.execute(stmt)).scalar_one())


async def catalog_empty(ctx: CheckContext) -> list[FindingDraft]:
    """No IP data asset is catalogued: trade secrets, patent information and technical
    documents are not under data governance (seed 7.4)."""
    if await _has(ctx):
        return []
    return [ctx.finding(ctx.tenant_id, params={"tenant": ctx.tenant.name})]


async def spec_nonconforming(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Assets whose metadata does not conform to their kind's latest spec."""
    if not await _has(ctx):
        return ctx.not_assessed(*NO_ASSETS)
    out, specified = [], False
    kinds = (await ctx.session.execute(select(DataAssetKind.key))).scalars().all()
    for kind in kinds:
        spec = await specs.latest_spec(ctx.session, kind)
        if spec is None:
            continue
        specified = True
        for asset, problems in await specs.nonconforming_assets(ctx.session, spec):
            out.append(_asset_finding(
                ctx, asset, asset.id, params={"kind": _label(kind), "version": spec.version,
                                              "problems": len(problems)},
                evidence={"spec_version": spec.version, "problems": [
                    {"field": f, "message": m} for f, m in problems[:20]]}))
    if not specified:
        return ctx.not_assessed("no metadata specification is defined",
                                "尚未定义任何元数据规范")
    return out


async def quality_below_threshold(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Quality rules whose score is below their threshold."""
    rules = (await ctx.session.execute(select(QualityRule).where(
        QualityRule.active.is_(True)).order_by(QualityRule.id))).scalars().all()
    if not rules:
        return ctx.not_assessed("no active data quality rule is defined",
                                "尚未定义有效的数据质量规则")
    out = []
    for rule in rules:
        result = await evaluate_rule(ctx.session, rule, ctx.now)
        if result.score < rule.threshold:
            out.append(ctx.finding(
                rule.id, params={"rule": rule.name, "dimension": _label(rule.dimension),
                                 "score": f"{result.score:.0%}",
                                 "threshold": f"{rule.threshold:.0%}",
                                 "failing": len(result.failing)},
                evidence={"rule": rule.name, "kind": rule.kind_key, "dimension": rule.dimension,
                          "score": result.score, "threshold": rule.threshold,
                          "assets": result.total, "failing": len(result.failing),
                          "failing_asset_ids": result.failing[:20]},
                object_type="data_governance:quality_rule", object_id=rule.id))
    return out


async def roles_missing(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Assets without an owner or a steward; kinds in use without a domain data owner."""
    assets = await _assets(ctx)
    if not assets:
        return ctx.not_assessed(*NO_ASSETS)
    out = [_asset_finding(ctx, a, a.id, text="asset",
                          evidence={"owner": a.owner, "steward": a.steward})
           for a in assets if not (a.owner and a.steward)]
    used = {a.kind_key for a in assets}
    owned = set((await ctx.session.execute(select(GovernanceRoleAssignment.domain).where(
        GovernanceRoleAssignment.scope == "domain",
        GovernanceRoleAssignment.role == "owner"))).scalars())
    out += [ctx.finding(f"domain:{kind}", text="domain_owner", params={"domain": _label(kind)},
                        evidence={"domain": kind})
            for kind in sorted(used - owned)]
    return out


async def steps_missing(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Trade secrets lacking evidence of one of the reasonable steps."""
    secrets = await _assets(ctx, DataAsset.kind_key == "trade_secret")
    if not secrets:
        return ctx.not_assessed(*NO_SECRETS)
    taken = {(s.asset_id, s.kind) for s in (await ctx.session.execute(
        select(ReasonableStep))).scalars()}
    out = []
    for asset in secrets:
        missing = [k for k in STEP_KINDS if (asset.id, k) not in taken]
        if missing:
            out.append(_asset_finding(ctx, asset, asset.id,
                                      params={"missing": [_label(k) for k in missing]},
                                      evidence={"missing": missing}))
    return out


async def steps_stale(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Reasonable steps whose latest evidence expired or is older than its cadence."""
    live = {a.id: a for a in await _assets(ctx, DataAsset.kind_key == "trade_secret")}
    if not live:
        return ctx.not_assessed(*NO_SECRETS)
    today = ctx.now.date()
    latest: dict[tuple[str, str], ReasonableStep] = {}
    for step in (await ctx.session.execute(select(ReasonableStep).order_by(
            ReasonableStep.taken_on))).scalars():
        latest[(step.asset_id, step.kind)] = step
    out = []
    for (asset_id, kind), step in sorted(latest.items()):
        due = step.expires_on or step.taken_on + timedelta(days=FRESH_DAYS.get(kind, 10**5))
        if asset_id in live and due < today:
            out.append(_asset_finding(
                ctx, live[asset_id], f"{asset_id}:{kind}",
                params={"step": _label(kind), "due": str(due)},
                evidence={"kind": kind, "taken_on": str(step.taken_on), "due": str(due)}))
    return out


async def secret_underclassified(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Trade secrets classified below confidential (readable by everyone cleared internal)."""
    if not await _has(ctx, DataAsset.kind_key == "trade_secret"):
        return ctx.not_assessed(*NO_SECRETS)
    return [_asset_finding(ctx, a, a.id, params={"classification": _label(a.classification)},
                           evidence={"classification": a.classification})
            for a in await _assets(ctx, DataAsset.kind_key == "trade_secret",
                                   DataAsset.classification.in_(("public", "internal")))]


async def retention_overdue(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Assets past retention without a destruction decision; requests pending too long."""
    assets = await _assets(ctx)
    if not assets:
        return ctx.not_assessed(*NO_ASSETS)
    today: date = ctx.now.date()
    requests = list((await ctx.session.execute(select(DestructionRequest))).scalars())
    open_for = {r.asset_id for r in requests if r.status in ("pending", "approved")}
    out = [_asset_finding(ctx, a, a.id, text="retention", params={"ended": str(end)},
                          evidence={"retention_end": str(end), "legal_basis": a.legal_basis})
           for a in assets if (end := retention_end(a)) is not None
           and end <= today and a.id not in open_for]
    cutoff = ctx.now - timedelta(days=PENDING_DESTRUCTION_DAYS)
    out += [ctx.finding(f"request:{r.id}", text="request",
                        params={"days": PENDING_DESTRUCTION_DAYS,
                                "requested_on": f"{aware(r.requested_at):%Y-%m-%d}"},
                        evidence={"asset_id": r.asset_id, "requested_at": str(r.requested_at),
                                  "approvals": len(r.approvals)},
                        object_type=ASSET, object_id=r.asset_id)
            for r in requests if r.status == "pending" and _before(r.requested_at, cutoff)]
    return out


def _before(moment, cutoff) -> bool:
    return aware(moment) < cutoff


async def unprotected_solutions(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Technical solutions linked to no patent, application or trade secret."""
    rows = list((await ctx.session.execute(select(TechnicalSolution).order_by(
        TechnicalSolution.code))).scalars())
    if not rows:
        return ctx.not_assessed("no technical solution is mapped", "尚未登记任何技术方案")
    linked = set((await ctx.session.execute(select(SolutionLink.solution_id))).scalars())
    return [ctx.finding(s.id, params={"solution": f"{s.code} {s.title}"},
                        evidence={"source": s.source_kind, "ref": s.source_ref},
                        object_type="data_governance:solution", object_id=s.id)
            for s in rows if s.id not in linked]


def _same_right(ref: str) -> str:
    """One key for one right, whichever plugin reports it: ``CN 105894088 B`` and
    ``CN105894088B`` are the same patent."""
    return "".join(ch for ch in ref.upper() if ch.isalnum())


async def patents_without_product(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Patents of the inventory that protect no product's solution. One patent is often
    reported by two plugins (the asset register and the patent database): it is one right, one
    finding, and a link to either record counts."""
    rows = list((await ctx.session.execute(select(IpInventoryItem).where(
        IpInventoryItem.kind == "patent").order_by(IpInventoryItem.ref, IpInventoryItem.plugin)))
        .scalars())
    if not rows:
        return ctx.not_assessed("no patent is in the IP inventory", "知识产权清单中没有专利")
    product_links = set((await ctx.session.execute(
        select(SolutionLink.plugin, SolutionLink.object_id).join(
            TechnicalSolution, TechnicalSolution.id == SolutionLink.solution_id)
        .where(TechnicalSolution.source_kind == "product"))).all())
    rights: dict[str, list[IpInventoryItem]] = {}
    for row in rows:
        rights.setdefault(_same_right(row.ref) or f"{row.plugin}:{row.object_id}", []).append(row)
    out = []
    for records in rights.values():
        if any((r.plugin, r.object_id) in product_links for r in records):
            continue
        p = records[0]
        out.append(ctx.finding(f"{p.plugin}:{p.object_id}", params={"patent": p.ref},
                               evidence={"plugin": p.plugin, "title": p.title,
                                         "synced_at": str(p.synced_at),
                                         "held_by": [f"{r.plugin}:{r.object_id}"
                                                     for r in records]},
                               object_type=f"{p.plugin}:patent", object_id=p.object_id))
    return out


async def secrets_without_solution(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Trade secrets that protect no technical solution."""
    secrets = await _assets(ctx, DataAsset.kind_key == "trade_secret")
    if not secrets:
        return ctx.not_assessed(*NO_SECRETS)
    linked = set((await ctx.session.execute(select(SolutionLink.object_id).where(
        SolutionLink.plugin == "data_governance"))).scalars())
    return [_asset_finding(ctx, a, a.id) for a in secrets if a.id not in linked]


async def publication_risk(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Recent publication checks that found a risk (secret disclosure, novelty loss,
    third-party text). The evidence names the risks and verdicts, never a closeness score: a
    finding is read by people below the secrets' clearance."""
    since = ctx.now - timedelta(days=PUBLICATION_WINDOW_DAYS)
    recent = list((await ctx.session.execute(select(PublicationCheck).where(
        PublicationCheck.submitted_at >= since).order_by(PublicationCheck.submitted_at)))
        .scalars())
    if not recent:
        return ctx.not_assessed("no text was checked before publication in the last "
                                "{days} days", "最近 {days} 天内没有文本接受发布前检查",
                                days=PUBLICATION_WINDOW_DAYS)
    findings = []
    for c in recent:
        if c.verdict == "clear":
            continue
        risks = {a["risk"]: a["verdict"] for a in c.risks} if c.risks else {
            a.risk: a.verdict for a in assess(c.matches or [])}
        found = [(r, v) for r, v in risks.items() if v != "clear"]
        params = {"verdict": _label(c.verdict), "text": c.title,
                  "risks": localized(", ".join(f"{r.replace('_', ' ')}: {v}" for r, v in found),
                                     "，".join(f"{_ZH.get(r, r)}：{_ZH.get(v, v)}"
                                              for r, v in found))}
        findings.append(ctx.finding(c.id, params=params,
                                    evidence={"verdict": c.verdict, "risks": risks},
                                    object_type="data_governance:publication_check",
                                    object_id=c.id))
    return findings


def _check(name: str, title: str, title_zh: str, function: Function, severity: Severity,
           run, references: tuple[str, ...], recommendation: str, recommendation_zh: str,
           domain: GovernanceDomain = GovernanceDomain.RESOURCES, **texts: FindingText) -> Check:
    return Check(id=P + name, title=title, title_zh=title_zh, domain=domain, function=function,
                 severity=severity, run=run, references=references,
                 recommendation=recommendation, recommendation_zh=recommendation_zh,
                 texts={"" if k == "one" else k: v for k, v in texts.items()})


G = "GB/T 29490-2023 "

CHECKS: list[Check] = [
    _check("catalog.empty", "IP data is catalogued", "知识产权数据已编目", Function.IDENTIFY,
           Severity.MEDIUM, catalog_empty, ("IP-CSF ID.AM-02", G + "7.5"),
           "Catalogue the trade secrets, data assets, patent information and technical "
           "documents with owner, steward, classification and retention.",
           "为商业秘密、数据资产、专利信息和技术文档编目，注明所有者、管理员、密级和保存期限。",
           one=FindingText(
               "No IP data asset is catalogued for {tenant}: trade secrets, patent "
               "information and technical documents are outside data governance",
               "{tenant} 未编目任何知识产权数据资产：商业秘密、专利信息和技术文档"
               "不在数据治理范围内")),
    _check("catalog.spec_nonconforming", "Assets conform to their metadata specification",
           "数据资产符合其元数据规范", Function.IDENTIFY, Severity.MEDIUM, spec_nonconforming,
           ("IP-CSF PR.DS-01", G + "7.5"),
           "Complete or correct the metadata so each asset meets its specification.",
           "补全或更正元数据，使每项资产符合其规范。",
           one=FindingText(
               "Metadata does not conform to {kind} spec v{version} ({problems} problems): "
               "{asset}",
               "{asset} 的元数据不符合 {kind} 规范 v{version}（{problems} 处问题）",
               "Complete or correct the metadata of {asset} so it meets the {kind} "
               "specification: data must be unique, authoritative and valid.",
               "补全或更正 {asset} 的元数据，使其符合 {kind} 规范：数据须唯一、权威、有效。")),
    _check("quality.below_threshold", "Data quality rules meet their thresholds",
           "数据质量规则达到阈值", Function.MONITOR, Severity.MEDIUM, quality_below_threshold,
           ("IP-CSF PR.DS-01", G + "9.1"),
           "Fix the failing assets or the process that feeds them.",
           "修正不合格的资产或产生这些数据的流程。",
           one=FindingText(
               "Data quality below threshold ({dimension}): {rule} scores {score}, needs "
               "{threshold} ({failing} failing assets)",
               "数据质量低于阈值（{dimension}）：规则“{rule}”得分 {score}，要求 {threshold}"
               "（{failing} 项资产不合格）",
               "Fix the {failing} failing assets of {rule} or the process that feeds them: "
               "data quality standards must meet business needs.",
               "修正规则“{rule}”下 {failing} 项不合格资产或产生这些数据的流程：数据质量标准须满足"
               "业务需要。")),
    _check("organization.roles_missing", "Every asset and domain has its data owner",
           "每项资产和数据域均有数据所有者", Function.GOVERN, Severity.MEDIUM, roles_missing,
           ("IP-CSF ID.AM-02", G + "5.3"),
           "Name the data owner and steward of each asset and domain.",
           "为每项资产和数据域指定数据所有者和数据管理员。",
           asset=FindingText(
               "Data asset without owner or steward: {asset}",
               "数据资产缺少所有者或管理员：{asset}",
               "Name the data owner and steward of {asset}: data governance needs responsible "
               "subjects and rights.",
               "为 {asset} 指定数据所有者和管理员：数据治理需要明确的责任主体和权利。"),
           domain_owner=FindingText(
               "No data owner for the {domain} domain",
               "{domain} 数据域没有数据所有者",
               "Assign a data owner of the {domain} domain with decision rights (classify, "
               "grant access, approve destruction).",
               "为 {domain} 数据域指定具有决策权（定密、授权访问、批准销毁）的数据所有者。")),
    _check("secrets.steps_missing", "Trade secrets have evidence of reasonable steps",
           "商业秘密有合理保密措施的证据", Function.PROTECT, Severity.HIGH, steps_missing,
           ("IP-CSF PR.TS-02", G + "8.4"),
           "Record NDAs, access restriction, marking and training with their dates.",
           "记录保密协议、访问限制、密级标识和培训及其日期。",
           one=FindingText(
               "Trade secret without evidence of {missing}: {asset}",
               "商业秘密缺少{missing}的证据：{asset}",
               "Record {missing} for {asset} with dates: without reasonable steps the "
               "information is no trade secret (EU Directive 2016/943 art. 2(1)(c); "
               "18 U.S.C. § 1839(3)(A)).",
               "为 {asset} 记录{missing}及其日期：未采取合理保密措施的信息不构成商业秘密"
               "（欧盟指令 2016/943 第 2(1)(c) 条；美国法典第 18 编第 1839(3)(A) 条）。")),
    _check("secrets.steps_stale", "Reasonable-steps evidence is current",
           "合理保密措施的证据保持最新", Function.PROTECT, Severity.MEDIUM, steps_stale,
           ("IP-CSF PR.TS-02", G + "8.4"),
           "Renew the stale measure and record the new evidence.",
           "更新过期的保密措施并记录新的证据。",
           one=FindingText(
               "Stale {step} evidence (due {due}): {asset}",
               "{asset} 的{step}证据已过期（应于 {due} 更新）",
               "Renew the {step} of {asset} and record the new evidence: reasonable steps "
               "must be kept up, not taken once.",
               "更新 {asset} 的{step}并记录新证据：合理保密措施须持续保持，而非一次了之。")),
    _check("secrets.underclassified", "Trade secrets are classified confidential or secret",
           "商业秘密的密级为机密或绝密", Function.PROTECT, Severity.HIGH, secret_underclassified,
           ("IP-CSF PR.TS-01", "IP-CSF PR.DS-02", G + "8.4"),
           "Classify trade secrets confidential or secret so access follows clearance.",
           "将商业秘密定为机密或绝密，使访问遵循许可级别。",
           one=FindingText(
               "Trade secret classified {classification}: {asset}",
               "商业秘密的密级为“{classification}”：{asset}",
               "Classify {asset} confidential or secret so that access is restricted to "
               "those who need it.",
               "将 {asset} 定为机密或绝密，使访问仅限于确有需要的人员。")),
    _check("lifecycle.retention_overdue", "Retention ends in a destruction decision",
           "保存期满后作出销毁决定", Function.OPERATE, Severity.MEDIUM, retention_overdue,
           ("IP-CSF PR.DS-03", G + "7.5"),
           "Run the lifecycle sweep or request destruction; approvers decide promptly.",
           "运行生命周期清理或申请销毁；审批人及时作出决定。",
           retention=FindingText(
               "Retention ended on {ended} without a destruction decision: {asset}",
               "{asset} 的保存期已于 {ended} 届满，但尚未作出销毁决定",
               "Run the lifecycle sweep or request the destruction of {asset}; keeping data "
               "past retention is a compliance risk.",
               "运行生命周期清理或申请销毁 {asset}；超期保存数据存在合规风险。"),
           request=FindingText(
               "Destruction request of {requested_on} awaiting approval for more than "
               "{days} days",
               "{requested_on} 提交的销毁申请等待审批已超过 {days} 天",
               "The data owner decides: approve or reject the request of {requested_on}.",
               "由数据所有者决定：批准或驳回 {requested_on} 提交的申请。")),
    _check("mapping.unprotected_solutions", "Technical solutions are protected",
           "技术方案均受到保护", Function.IDENTIFY, Severity.MEDIUM, unprotected_solutions,
           ("IP-CSF ID.AM-04", "IP-CSF ID.IC-02", G + "8.3"),
           "Decide how to protect each solution: a patent application or a trade "
           "secret.", "决定每项技术方案的保护方式：申请专利或作为商业秘密保护。",
           one=FindingText(
               "Technical solution without IP protection: {solution}",
               "技术方案未受知识产权保护：{solution}",
               "Decide how to protect {solution}: file a patent application or keep it as a "
               "trade secret with reasonable steps.",
               "决定 {solution} 的保护方式：申请专利，或作为商业秘密并采取合理保密措施。")),
    _check("mapping.patents_without_product", "Patents protect products",
           "专利保护产品", Function.OPERATE, Severity.LOW, patents_without_product,
           ("IP-CSF ID.AM-04", "IP-CSF OP.MN-01", G + "8.2"),
           "Map each patent to the products it protects, or review whether to keep it.",
           "将每件专利对应到其保护的产品，或评估是否继续维持。",
           one=FindingText(
               "Patent covers no product: {patent}",
               "专利未覆盖任何产品：{patent}",
               "Map {patent} to the product solutions it protects, or consider licensing it "
               "out or letting it lapse.",
               "将 {patent} 对应到其保护的产品技术方案，或考虑对外许可或放弃维持。")),
    _check("mapping.secrets_without_solution", "Trade secrets protect a solution",
           "商业秘密对应技术方案", Function.IDENTIFY, Severity.LOW, secrets_without_solution,
           ("IP-CSF ID.AM-04", G + "8.3"),
           "Map each secret to the solutions it protects, or reconsider keeping it.",
           "将每项商业秘密对应到其保护的技术方案，或重新考虑是否保留。",
           one=FindingText(
               "Trade secret linked to no technical solution: {asset}",
               "商业秘密未对应任何技术方案：{asset}",
               "Map {asset} to the solutions it protects, or reconsider whether it is still "
               "worth keeping.",
               "将 {asset} 对应到其保护的技术方案，或重新考虑是否值得继续保留。")),
    _check("publication.risk_found", "Texts are cleared before publication",
           "对外发布前文本经过审查", Function.MONITOR, Severity.HIGH, publication_risk,
           ("IP-CSF PR.PC-01", G + "8.4"),
           "Have the text revised or cleared by the IP department before publication.",
           "发布前由知识产权部门修改或审核文本。",
           one=FindingText(
               "Publication check found {verdict}-level risk ({risks}): {text}",
               "发布前检查发现“{verdict}”级风险（{risks}）：{text}",
               "Have '{text}' revised or cleared by the IP department before it is published.",
               "在发布前由知识产权部门修改或审核“{text}”。")),
]
