"""What a governance report shows, read in one read-only session over the tenant's lineage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean
from typing import Any

from sqlalchemy import select

from ipgov.api import Directive, Finding, PlatformContext, ReviewRun, lineage, utcnow

from ..framework import services as profiles
from ..framework.catalog import builtin_frameworks

__all__ = ["FUNCTIONS", "ReportData", "collect"]

FUNCTIONS = ["govern", "identify", "protect", "operate", "monitor", "respond", "recover"]
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
BUILTIN = "ip-csf"


@dataclass
class ReportData:
    """Everything the report renders."""

    tenant_id: str
    tenant_slug: str
    governance_mode: str
    parent_mode: str | None
    generated_at: datetime
    run: ReviewRun | None
    findings: list[Finding] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    current_by_function: dict[str, float | None] = field(default_factory=dict)
    target_by_function: dict[str, float | None] = field(default_factory=dict)
    platform: PlatformContext | None = None
    """For reading findings and directives in the report's language."""


def _chain(platform: PlatformContext, tenant_id: str) -> list[Any]:
    chain = list(lineage(platform, tenant_id))[::-1]  # root first
    return [profiles.Link(t.id, chain[i - 1].governance_mode if i else None)
            for i, t in enumerate(chain)]


def _by_function(tiers: dict[str, int]) -> dict[str, float | None]:
    framework = builtin_frameworks()[BUILTIN]
    found: dict[str, list[int]] = {f: [] for f in FUNCTIONS}
    for outcome_id, tier in tiers.items():
        if outcome_id in framework.outcomes:
            function = framework.outcomes[outcome_id][0]["function"]
            found.setdefault(str(function), []).append(tier)
    return {f: round(mean(v), 2) if v else None for f, v in found.items() if f in FUNCTIONS}


async def collect(platform: PlatformContext, tenant_id: str) -> ReportData:
    """Latest finished review, its findings, open directives and the profile per function."""
    chain = _chain(platform, tenant_id)
    ids = frozenset(link.tenant_id for link in chain)
    me = platform.tenants.info(tenant_id)
    async with platform.tenants_session(ids, "ip_governance: governance report",
                                        readonly=True) as s:
        run = (await s.execute(
            select(ReviewRun).where(ReviewRun.tenant_id == tenant_id, ReviewRun.kind == "tenant",
                                    ReviewRun.finished_at.is_not(None))
            .order_by(ReviewRun.finished_at.desc()).limit(1))).scalar_one_or_none()
        findings = [] if run is None else list((await s.execute(
            select(Finding).where(Finding.run_id == run.id).limit(500))).scalars())
        directives = list((await s.execute(
            select(Directive).where(Directive.tenant_id == tenant_id,
                                    Directive.status == "open")
            .order_by(Directive.due_at).limit(500))).scalars())
        targets = await profiles.own_tiers(s, profiles.TARGET, BUILTIN, ids)
        current = await profiles.own_tiers(s, profiles.CURRENT, BUILTIN, [tenant_id])
    resolved = profiles.effective_target(
        chain, {t: profiles.tiers_of(e) for t, e in targets.items()})
    findings.sort(key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.check_id, f.key))
    return ReportData(
        tenant_id=tenant_id, tenant_slug=me.slug if me else tenant_id,
        governance_mode=me.governance_mode if me else "",
        parent_mode=chain[-1].parent_mode if chain else None, generated_at=utcnow(), run=run,
        findings=findings, directives=directives,
        current_by_function=_by_function(profiles.tiers_of(current.get(tenant_id, {}))),
        target_by_function=_by_function({o: r.tier for o, r in resolved.items()}),
        platform=platform)
