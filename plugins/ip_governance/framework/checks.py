"""Review checks of the framework area: profile gaps, missing or stale assessments, and
subsidiary targets below the group's under hybrid governance.

The effective target follows each ancestor's governance mode (``ctx.tenant.lineage_modes``),
exactly as the GraphQL API resolves it.
"""

from __future__ import annotations

from sqlalchemy import select

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
    current_platform,
    localized,
)

from . import services as svc
from .catalog import BUILTIN_ID, Framework
from .models import Profile

__all__ = ["CHECKS"]

PREFIX = "ip_governance.framework"
REASSESS_DAYS = 365


def _chain(ctx: CheckContext) -> list[svc.Link]:
    """The lineage root first, each with the mode its parent applies to it."""
    ids = list(ctx.lineage or (ctx.tenant_id,))[::-1]
    modes = list(ctx.tenant.lineage_modes)[::-1]  # root first, like ids
    if len(modes) != len(ids):  # no modes given: the parent's is known, groups above impose
        modes = [GovernanceMode.HYBRID.value] * len(ids)
        if len(ids) > 1:
            modes[-2] = ctx.tenant.parent_mode or GovernanceMode.HYBRID.value
    return [svc.Link(t, modes[i - 1] if i else None) for i, t in enumerate(ids)]


async def _current_profiles(ctx: CheckContext) -> list[Profile]:
    return list((await ctx.session.execute(select(Profile).where(
        Profile.kind == svc.CURRENT).order_by(Profile.framework_key))).scalars())


async def _lineage_state(ctx: CheckContext, kind: str) -> list[tuple[
        Profile, Framework | None, dict[str, dict[str, int]], dict[str, int]]]:
    """For each of the tenant's profiles of ``kind``: its framework, every lineage tenant's
    own target tiers, and the tenant's current tiers.

    Read through the lineage session only: on SQLite a second open session would wait for
    the first one's write lock.
    """
    ids = list(ctx.lineage or (ctx.tenant_id,))
    found = []
    async with ctx.lineage_session() as s:
        profiles = (await s.execute(select(Profile).where(
            Profile.tenant_id == ctx.tenant_id, Profile.kind == kind)
            .order_by(Profile.framework_key))).scalars().all()
        shipped = svc.shipped_frameworks(current_platform()) if profiles else {}
        frameworks = await svc.visible_frameworks(s, ids, shipped) if profiles else {}
        for profile in profiles:
            key = profile.framework_key
            targets = await svc.own_tiers(s, svc.TARGET, key, ids)
            current = await svc.own_tiers(s, svc.CURRENT, key, [ctx.tenant_id])
            found.append((profile, frameworks.get(key),
                          {t: svc.tiers_of(e) for t, e in targets.items()},
                          svc.tiers_of(current.get(ctx.tenant_id, {}))))
    return found


def _key(framework_key: str, outcome_id: str) -> str:
    return outcome_id if framework_key == BUILTIN_ID else f"{framework_key}:{outcome_id}"


def _outcome(framework: Framework | None, outcome_id: str) -> dict[str, str]:
    """The outcome as a finding parameter: its id and title in both languages."""
    if framework is None or outcome_id not in framework.outcomes:
        return localized(outcome_id, outcome_id)
    title = framework.outcomes[outcome_id][2]["title"]
    en, zh = title["en"].rstrip("."), (title.get("zh") or title["en"]).rstrip("。.")
    return localized(f"{outcome_id} {en}", f"{outcome_id} {zh}")


async def _has_current_tiers(ctx: CheckContext) -> bool:
    for profile in await _current_profiles(ctx):
        if (await svc.own_tiers(ctx.session, svc.CURRENT, profile.framework_key,
                                [ctx.tenant_id])).get(ctx.tenant_id):
            return True
    return False


NO_CURRENT = ("no current profile has been assessed yet (see current_profile_missing)",
              "尚未评估当前画像（见“未评估当前画像”检查）")


async def target_gaps(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """One finding per outcome whose current tier is below the effective target."""
    state = [(p, f, t, c) for p, f, t, c in await _lineage_state(ctx, svc.CURRENT)
             if f is not None and c]
    if not state:
        return ctx.not_assessed(*NO_CURRENT)
    findings, targets_seen = [], False
    for profile, framework, targets, current in state:
        resolved = svc.effective_target(_chain(ctx), targets)
        targets_seen = targets_seen or bool(resolved)
        for gap in svc.gap_analysis(framework, current, resolved):
            findings.append(ctx.finding(
                _key(profile.framework_key, gap.outcome_id),
                severity=Severity.HIGH if gap.gap >= 2 else Severity.LOW,
                params={"outcome": _outcome(framework, gap.outcome_id),
                        "outcome_id": gap.outcome_id, "current": gap.current or 0,
                        "target": gap.target},
                evidence={"framework": profile.framework_key, "outcome": gap.outcome_id,
                          "current": gap.current, "target": gap.target, "gap": gap.gap,
                          "priority": gap.priority,
                          "target_from_group": gap.target_source != ctx.tenant_id},
                object_type="ip_governance:profile", object_id=profile.id))
    if not targets_seen:
        return ctx.not_assessed("no target profile applies to this tenant",
                                "本租户没有适用的目标画像")
    return findings


async def current_profile_missing(ctx: CheckContext) -> list[FindingDraft]:
    """A finding when the tenant has never assessed its current profile."""
    if await _has_current_tiers(ctx):
        return []
    return [ctx.finding("current-profile", params={"framework": "IP-CSF"},
                        evidence={"framework": BUILTIN_ID})]


async def current_profile_stale(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """A finding per current profile not reassessed in the last 365 days."""
    profiles = [p for p in await _current_profiles(ctx) if p.assessed_at is not None]
    if not profiles:
        return ctx.not_assessed(*NO_CURRENT)
    return [ctx.finding(
        f"current-profile:{p.framework_key}",
        params={"framework": p.framework_key, "assessed_on": f"{p.assessed_at:%Y-%m-%d}",
                "limit_days": REASSESS_DAYS},
        evidence={"framework": p.framework_key, "assessed_at": p.assessed_at.isoformat(),
                  "assessed_by": p.assessed_by, "limit_days": REASSESS_DAYS},
        object_type="ip_governance:profile", object_id=p.id)
        for p in profiles if svc.stale(p.assessed_at, ctx.now, REASSESS_DAYS)]


async def target_below_group(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Hybrid subsidiaries whose own target is below the group's (legacy data)."""
    if not GovernanceMode.governing(ctx.tenant.parent_mode).only_tightens:
        return ctx.not_applicable("the parent does not govern this tenant in hybrid mode",
                                  "上级未以混合式治理本租户")
    findings = []
    for profile, framework, targets, _ in await _lineage_state(ctx, svc.TARGET):
        imposed = svc.group_target(_chain(ctx), targets)
        for outcome, tier in sorted(targets.get(ctx.tenant_id, {}).items()):
            if outcome in imposed and tier < imposed[outcome]:
                findings.append(ctx.finding(
                    _key(profile.framework_key, outcome),
                    params={"outcome": _outcome(framework, outcome), "outcome_id": outcome,
                            "own_target": tier, "group_target": imposed[outcome]},
                    evidence={"framework": profile.framework_key, "outcome": outcome,
                              "own_target": tier, "group_target": imposed[outcome]},
                    object_type="ip_governance:profile", object_id=profile.id))
    return findings


CHECKS: list[Check] = [
    Check(id=f"{PREFIX}.target_gaps", title="Target-profile gaps",
          title_zh="目标画像差距", domain=GovernanceDomain.TOP_LEVEL_DESIGN,
          function=Function.GOVERN, severity=Severity.HIGH, run=target_gaps,
          references=("IP-CSF GV.OV-01", "GB/T 29490-2023 9.3", "GB/T 29490-2023 10.2"),
          recommendation="Close the largest gaps between current and target tiers first "
          "(gap x outcome weight).",
          recommendation_zh="优先弥合现状层级与目标层级之间差距最大的成果（差距 × 成果权重）。",
          texts={"": FindingText(
              "{outcome}: tier {current} of target {target}",
              "{outcome}：现状层级 {current}，目标层级 {target}",
              "Plan the steps that bring {outcome_id} from tier {current} to {target}, give "
              "them an owner and a date, and re-assess the current profile when done.",
              "制定将 {outcome_id} 从层级 {current} 提升到 {target} 的步骤，明确负责人和完成日期，"
              "完成后重新评估当前画像。")}),
    Check(id=f"{PREFIX}.current_profile_missing", title="No current profile assessed",
          title_zh="未评估当前画像", domain=GovernanceDomain.TOP_LEVEL_DESIGN,
          function=Function.GOVERN, severity=Severity.MEDIUM, run=current_profile_missing,
          references=("IP-CSF GV.OV-02", "GB/T 29490-2023 9.1"),
          recommendation="Assess the current profile against IP-CSF.",
          recommendation_zh="对照知识产权治理框架（IP-CSF）评估当前画像。",
          texts={"": FindingText(
              "No current IP governance profile has been assessed against {framework}: "
              "self-evaluation is part of governance",
              "尚未对照 {framework} 评估当前知识产权治理画像：自我评价是治理的组成部分",
              "Assess the current tier (1-4) of each {framework} outcome with "
              "setProfileTiers(kind: CURRENT), starting with the Govern function.",
              "使用 setProfileTiers(kind: CURRENT) 评估 {framework} 每项成果的当前层级（1-4），"
              "从治理职能开始。")}),
    Check(id=f"{PREFIX}.current_profile_stale", title="Current profile not reassessed in a year",
          title_zh="当前画像超过一年未重新评估", domain=GovernanceDomain.TOP_LEVEL_DESIGN,
          function=Function.GOVERN, severity=Severity.MEDIUM, run=current_profile_stale,
          references=("IP-CSF GV.OV-02", "GB/T 29490-2023 9.3"),
          recommendation="Re-assess the current profile every year.",
          recommendation_zh="每年至少重新评估一次当前画像。",
          texts={"": FindingText(
              "The current profile ({framework}) was last assessed on {assessed_on}, more "
              "than {limit_days} days ago",
              "当前画像（{framework}）最近一次评估于 {assessed_on}，已超过 {limit_days} 天",
              "Re-assess the current profile ({framework}) now and at least once every "
              "{limit_days} days.",
              "立即重新评估当前画像（{framework}），此后至少每 {limit_days} 天评估一次。")}),
    Check(id=f"{PREFIX}.target_below_group", title="Subsidiary target below the group's (hybrid)",
          title_zh="子公司目标低于集团目标（混合模式）",
          domain=GovernanceDomain.TOP_LEVEL_DESIGN, function=Function.GOVERN,
          severity=Severity.MEDIUM, run=target_below_group,
          references=("IP-CSF GV.OV-03", "GB/T 29490-2023 4.4"),
          recommendation="Bring subsidiary targets up to the group's baseline.",
          recommendation_zh="将子公司的目标层级提高到集团基线水平。",
          texts={"": FindingText(
              "{outcome}: own target {own_target} is below the group's {group_target}; the "
              "hybrid group's baseline is mandatory",
              "{outcome}：本公司目标 {own_target} 低于集团目标 {group_target}；混合式治理下集团"
              "基线为强制要求",
              "Raise the own target of {outcome_id} to at least {group_target} or remove it so "
              "the group's target applies.",
              "将 {outcome_id} 的本公司目标提高到至少 {group_target}，"
              "或删除该目标以适用集团目标。")}),
]
