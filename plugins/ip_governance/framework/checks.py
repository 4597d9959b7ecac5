"""Review checks of the framework area: profile gaps, missing or stale assessments, and
subsidiary targets below the group's under hybrid governance.

The effective target follows each ancestor's governance mode (``ctx.tenant.lineage_modes``),
exactly as the GraphQL API resolves it.
"""

from __future__ import annotations

from sqlalchemy import select

from ipgov.api import Check, CheckContext, FindingDraft, Function, GovernanceDomain, Severity

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
        modes = ["hybrid"] * len(ids)
        if len(ids) > 1:
            modes[-2] = ctx.tenant.parent_mode or "hybrid"
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
        frameworks = await svc.visible_frameworks(s, ids) if profiles else {}
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


def _title(framework: Framework | None, outcome_id: str) -> str:
    if framework is None or outcome_id not in framework.outcomes:
        return outcome_id
    return f"{outcome_id} {framework.outcomes[outcome_id][2]['title']['en']}"


async def target_gaps(ctx: CheckContext) -> list[FindingDraft]:
    """One finding per outcome whose current tier is below the effective target."""
    findings = []
    for profile, framework, targets, current in await _lineage_state(ctx, svc.CURRENT):
        if framework is None:
            continue
        resolved = svc.effective_target(_chain(ctx), targets)
        for gap in svc.gap_analysis(framework, current, resolved):
            findings.append(ctx.finding(
                _key(profile.framework_key, gap.outcome_id),
                f"{_title(framework, gap.outcome_id)}: tier {gap.current or 0} of target "
                f"{gap.target} (seed 5.1.2 b: evaluate IP plans and keep improving)",
                severity=Severity.HIGH if gap.gap >= 2 else Severity.LOW,
                evidence={"framework": profile.framework_key, "outcome": gap.outcome_id,
                          "current": gap.current, "target": gap.target, "gap": gap.gap,
                          "priority": gap.priority,
                          "target_from_group": gap.target_source != ctx.tenant_id},
                recommendation=f"Plan the steps that bring {gap.outcome_id} from tier "
                f"{gap.current or 0} to {gap.target}, give them an owner and a date, and "
                "re-assess the current profile when done.",
                object_type="ip_governance:profile", object_id=profile.id))
    return findings


async def current_profile_missing(ctx: CheckContext) -> list[FindingDraft]:
    """A finding when the tenant has never assessed its current profile."""
    for profile in await _current_profiles(ctx):
        if (await svc.own_tiers(ctx.session, svc.CURRENT, profile.framework_key,
                                [ctx.tenant_id])).get(ctx.tenant_id):
            return []
    return [ctx.finding(
        "current-profile", "No current IP governance profile has been assessed "
        "(seed 4.1: self-evaluation is part of governance)",
        evidence={"framework": BUILTIN_ID},
        recommendation="Assess the current tier (1-4) of each IP-CSF outcome with "
        "setProfileTiers(kind: CURRENT), starting with the Govern function.")]


async def current_profile_stale(ctx: CheckContext) -> list[FindingDraft]:
    """A finding per current profile not reassessed in the last 365 days."""
    return [ctx.finding(
        f"current-profile:{p.framework_key}",
        f"The current profile ({p.framework_key}) was last assessed on "
        f"{p.assessed_at:%Y-%m-%d} (seed 5.1.3: review IP governance regularly)",
        evidence={"framework": p.framework_key, "assessed_at": p.assessed_at.isoformat(),
                  "assessed_by": p.assessed_by, "limit_days": REASSESS_DAYS},
        recommendation="Re-assess the current profile now and at least once a year.",
        object_type="ip_governance:profile", object_id=p.id)
        for p in await _current_profiles(ctx)
        if svc.stale(p.assessed_at, ctx.now, REASSESS_DAYS)]


async def target_below_group(ctx: CheckContext) -> list[FindingDraft]:
    """Hybrid subsidiaries whose own target is below the group's (legacy data)."""
    if ctx.tenant.parent_mode != "hybrid":
        return []
    findings = []
    for profile, framework, targets, _ in await _lineage_state(ctx, svc.TARGET):
        imposed = svc.group_target(_chain(ctx), targets)
        for outcome, tier in sorted(targets.get(ctx.tenant_id, {}).items()):
            if outcome in imposed and tier < imposed[outcome]:
                findings.append(ctx.finding(
                    _key(profile.framework_key, outcome),
                    f"{_title(framework, outcome)}: own target {tier} is below the group's "
                    f"{imposed[outcome]} (seed 5.3 a: the hybrid group's baseline is "
                    "mandatory)",
                    evidence={"framework": profile.framework_key, "outcome": outcome,
                              "own_target": tier, "group_target": imposed[outcome]},
                    recommendation=f"Raise the own target of {outcome} to at least "
                    f"{imposed[outcome]} or remove it so the group's target applies.",
                    object_type="ip_governance:profile", object_id=profile.id))
    return findings


CHECKS: list[Check] = [
    Check(id=f"{PREFIX}.target_gaps", title="Target-profile gaps",
          title_zh="目标画像差距", domain=GovernanceDomain.TOP_LEVEL_DESIGN,
          function=Function.GOVERN, severity=Severity.HIGH, run=target_gaps, seed_ref="5.1.2 b",
          recommendation="Close the largest gaps between current and target tiers first "
          "(gap x outcome weight).",
          recommendation_zh="优先弥合现状层级与目标层级之间差距最大的成果（差距 × 成果权重）。"),
    Check(id=f"{PREFIX}.current_profile_missing", title="No current profile assessed",
          title_zh="未评估当前画像", domain=GovernanceDomain.TOP_LEVEL_DESIGN,
          function=Function.GOVERN, severity=Severity.MEDIUM, run=current_profile_missing,
          seed_ref="4.1", recommendation="Assess the current profile against IP-CSF.",
          recommendation_zh="对照知识产权治理框架（IP-CSF）评估当前画像。"),
    Check(id=f"{PREFIX}.current_profile_stale", title="Current profile not reassessed in a year",
          title_zh="当前画像超过一年未重新评估", domain=GovernanceDomain.TOP_LEVEL_DESIGN,
          function=Function.GOVERN, severity=Severity.MEDIUM, run=current_profile_stale,
          seed_ref="5.1.3", recommendation="Re-assess the current profile every year.",
          recommendation_zh="每年至少重新评估一次当前画像。"),
    Check(id=f"{PREFIX}.target_below_group", title="Subsidiary target below the group's (hybrid)",
          title_zh="子公司目标低于集团目标（混合模式）",
          domain=GovernanceDomain.TOP_LEVEL_DESIGN, function=Function.GOVERN,
          severity=Severity.MEDIUM, run=target_below_group, seed_ref="5.3 a",
          recommendation="Bring subsidiary targets up to the group's baseline.",
          recommendation_zh="将子公司的目标层级提高到集团基线水平。"),
]
