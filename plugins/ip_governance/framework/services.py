"""Framework area services: visible frameworks, profiles, inherited targets, gap analysis.

No GraphQL here. Profiles follow the group's governance architecture (seed 5.3): a group's
TARGET profile is the target of its subsidiaries too, unless the subsidiary's parent governs
it *decentralized*. Under *centralized* the subsidiary cannot set a target of its own; under
*hybrid* it may only raise (tighten) the group's tier. ``effective_target`` resolves this
along the chain from the group root down to the tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import (
    Conflict,
    DomainError,
    FieldErrors,
    Forbidden,
    GovernanceMode,
    InvalidInput,
    NotFound,
    bounds,
    framework_catalogs,
    utcnow,
)

from .catalog import BUILTIN_ID, Framework, builtin_frameworks, parse_framework, weight
from .models import LoadedFramework, Profile, ProfileEntry

__all__ = [
    "CURRENT",
    "TARGET",
    "Gap",
    "Link",
    "Resolved",
    "TierInput",
    "effective_target",
    "gap_analysis",
    "load_framework",
    "own_tiers",
    "set_tiers",
    "shipped_frameworks",
    "visible_frameworks",
]

CURRENT, TARGET = "current", "target"
TIERS = range(1, 5)
TIER_NAMES = {1: "partial", 2: "risk_informed", 3: "repeatable", 4: "adaptive"}
MAX_ENTRIES_PER_CALL = 200
MAX_FRAMEWORKS_PER_TENANT = 50
MAX_NOTE = 2000
MAX_EVIDENCE = 20


@dataclass(frozen=True)
class Link:
    """One tenant of a lineage and the governance mode its parent applies to it."""

    tenant_id: str
    parent_mode: str | None


@dataclass(frozen=True)
class Resolved:
    """An effective target tier and where it comes from."""

    tier: int
    source_tenant_id: str
    own_tier: int | None
    group_tier: int | None


@dataclass(frozen=True)
class TierInput:
    """One entry of ``set_tiers``: an outcome's tier with an optional note and evidence."""

    outcome_id: str
    tier: int
    note: str = ""
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Gap:
    """An outcome whose effective target is above its current tier."""

    outcome_id: str
    current: int | None
    target: int
    target_source: str
    weight: int

    @property
    def gap(self) -> int:
        """Tiers missing (an unassessed outcome counts as tier 0)."""
        return self.target - (self.current or 0)

    @property
    def priority(self) -> int:
        """Gap size times the outcome's weight: the sort key of gap analysis."""
        return self.gap * self.weight


# ----------------------------------------------------------------------------- frameworks


def shipped_frameworks(platform: Any) -> dict[str, Framework]:
    """The frameworks every plugin ships (``register_framework_catalogs``), validated once."""
    return builtin_frameworks(tuple(c.path for c in framework_catalogs(platform)))


async def visible_frameworks(session: AsyncSession, lineage_ids: Sequence[str],
                             shipped: dict[str, Framework]) -> dict[str, Framework]:
    """The frameworks plugins ship (``shipped_frameworks``) and those loaded by the tenant
    or its ancestors.

    ``lineage_ids`` is nearest first; a framework id loaded nearer the tenant wins.
    """
    found = dict(shipped)
    rows = (await session.execute(select(LoadedFramework).where(
        LoadedFramework.tenant_id.in_(list(lineage_ids))))).scalars()
    distance = {t: i for i, t in enumerate(lineage_ids)}
    for row in sorted(rows, key=lambda r: -distance[r.tenant_id]):
        found[row.framework_key] = Framework(row.document, owner_tenant_id=row.tenant_id)
    return found


async def load_framework(session: AsyncSession, *, tenant_id: str, text: str, actor: str,
                         visible: dict[str, Framework]) -> LoadedFramework:
    """Validate and store (or replace) a tenant's framework; nothing is stored on error."""
    doc = parse_framework(text, "loadFramework.yaml",
                          base_lookup=lambda key: visible[key].doc if key in visible else None)
    if doc["id"] in visible and visible[doc["id"]].builtin:
        raise Conflict(f"{doc['id']!r} is a built-in framework: load yours under another id "
                       f"with 'extends: {doc['id']}'", code="FRAMEWORK_ID_RESERVED", field="id")
    rows = list((await session.execute(select(LoadedFramework))).scalars())
    row = next((r for r in rows if r.framework_key == doc["id"]), None)
    if row is None:
        if len(rows) >= MAX_FRAMEWORKS_PER_TENANT:
            raise Conflict(f"a tenant may load at most {MAX_FRAMEWORKS_PER_TENANT} frameworks",
                           code="FRAMEWORK_LIMIT", field="yaml")
        row = LoadedFramework(tenant_id=tenant_id, framework_key=doc["id"])
        session.add(row)
    row.version, row.extends, row.document = doc["version"], doc.get("extends"), doc
    row.source, row.loaded_by, row.loaded_at = text, actor, utcnow()
    await session.flush()
    return row


# ----------------------------------------------------------------------------- profiles


async def own_tiers(session: AsyncSession, kind: str, framework_key: str,
                    tenant_ids: Iterable[str]) -> dict[str, dict[str, ProfileEntry]]:
    """Each tenant's own entries of one profile kind, by tenant then outcome id."""
    stmt = (select(ProfileEntry, Profile.tenant_id)
            .join(Profile, Profile.id == ProfileEntry.profile_id)
            .where(Profile.kind == kind, Profile.framework_key == framework_key,
                   Profile.tenant_id.in_(list(tenant_ids))))
    found: dict[str, dict[str, ProfileEntry]] = {}
    for entry, tenant_id in (await session.execute(stmt)).all():
        found.setdefault(tenant_id, {})[entry.outcome_id] = entry
    return found


async def profile_header(session: AsyncSession, kind: str, framework_key: str
                         ) -> Profile | None:
    """The session tenant's profile row of this kind, if any."""
    return (await session.execute(select(Profile).where(
        Profile.kind == kind, Profile.framework_key == framework_key))).scalar_one_or_none()


def effective_target(chain: Sequence[Link], tiers: dict[str, dict[str, int]]
                     ) -> dict[str, Resolved]:
    """The target tier per outcome for the last tenant of ``chain`` (root first).

    At each step down: under a *decentralized* parent only the tenant's own tiers count;
    under *centralized* the group's tier wins wherever the group set one; under *hybrid* the
    higher of the group's and the tenant's own tier wins (the tenant may tighten, not relax).
    """
    effective: dict[str, Resolved] = {}
    for link in chain:
        own = tiers.get(link.tenant_id, {})
        mode = GovernanceMode.governing(link.parent_mode)
        if mode.owns_settings:
            effective = {o: Resolved(t, link.tenant_id, t, None) for o, t in own.items()}
            continue
        step: dict[str, Resolved] = {}
        for outcome in effective.keys() | own.keys():
            group, mine = effective.get(outcome), own.get(outcome)
            if group is None:
                step[outcome] = Resolved(mine, link.tenant_id, mine, None)  # type: ignore[arg-type]
            elif mine is None or not mode.local_rules_count or mine <= group.tier:
                step[outcome] = Resolved(group.tier, group.source_tenant_id, mine, group.tier)
            else:
                step[outcome] = Resolved(mine, link.tenant_id, mine, group.tier)
        effective = step
    return effective


def group_target(chain: Sequence[Link], tiers: dict[str, dict[str, int]]) -> dict[str, int]:
    """What the tenant's groups impose on it (nothing under a decentralized parent)."""
    if len(chain) < 2 or GovernanceMode.governing(chain[-1].parent_mode).owns_settings:
        return {}
    return {o: r.tier for o, r in effective_target(chain[:-1], tiers).items()}


def _validate(entries: Sequence[TierInput], framework: Framework) -> list[DomainError]:
    errors: list[DomainError] = []
    if not entries:
        errors.append(InvalidInput("give at least one entry", field="entries"))
    if len(entries) > MAX_ENTRIES_PER_CALL:
        errors.append(InvalidInput(f"at most {MAX_ENTRIES_PER_CALL} entries per call",
                                   field="entries"))
    seen: set[str] = set()
    for i, e in enumerate(entries):
        where = f"entries[{i}]"
        if e.outcome_id not in framework.outcomes:
            errors.append(InvalidInput(f"{where}: no outcome {e.outcome_id!r} in "
                                       f"{framework.id}", code="UNKNOWN_OUTCOME",
                                       field=f"{where}.outcomeId"))
        elif e.outcome_id in seen:
            errors.append(InvalidInput(f"{where}: {e.outcome_id} is given twice",
                                       field=f"{where}.outcomeId"))
        seen.add(e.outcome_id)
        if e.tier not in TIERS:
            errors.append(InvalidInput(f"{where}: tier must be 1-4 (1 partial, 2 risk-informed,"
                                       f" 3 repeatable, 4 adaptive), got {e.tier}",
                                       code="TIER_OUT_OF_RANGE", field=f"{where}.tier",
                                       details=bounds.out_of_range(1, 4, e.tier)))
        if len(e.note) > MAX_NOTE:
            errors.append(InvalidInput(f"{where}: note longer than {MAX_NOTE} characters",
                                       field=f"{where}.note"))
        if len(e.evidence) > MAX_EVIDENCE or any(len(x) > 500 for x in e.evidence):
            errors.append(InvalidInput(f"{where}: at most {MAX_EVIDENCE} evidence items of "
                                       "500 characters", field=f"{where}.evidence"))
    return errors


def _mode_errors(kind: str, chain: Sequence[Link], entries: Sequence[TierInput],
                 imposed: dict[str, int]) -> list[DomainError]:
    """Targets the governance mode does not let this tenant set."""
    mode = GovernanceMode.governing(chain[-1].parent_mode)
    if kind != TARGET or mode.owns_settings:
        return []
    if not mode.local_rules_count:
        return [Forbidden("the group sets the target profile of its subsidiaries "
                          "(centralized governance)", code="GOVERNANCE_MODE_FORBIDS",
                          field="kind")]
    return [Forbidden(f"entries[{i}]: the group's target for {e.outcome_id} is tier "
                      f"{imposed[e.outcome_id]}; in hybrid governance a subsidiary may raise "
                      "it, not lower it", code="GOVERNANCE_MODE_FORBIDS",
                      field=f"entries[{i}].tier")
            for i, e in enumerate(entries)
            if e.outcome_id in imposed and e.tier < imposed[e.outcome_id]]


async def set_tiers(session: AsyncSession, *, tenant_id: str, kind: str, framework: Framework,
                    chain: Sequence[Link], imposed: dict[str, int],
                    entries: Sequence[TierInput], actor: str) -> Profile:
    """Set tiers in the tenant's profile, all or nothing. ``imposed`` is the group target."""
    errors = _validate(entries, framework)
    errors += _mode_errors(kind, chain, entries, imposed) if not errors else []
    collected = FieldErrors()  # every problem at once (ipgov.validation)
    for error in errors:
        collected.add(error)
    collected.raise_if_any()
    profile = await profile_header(session, kind, framework.id)
    now = utcnow()
    if profile is None:
        profile = Profile(tenant_id=tenant_id, kind=kind, framework_key=framework.id,
                          assessed_by=actor)
        session.add(profile)
        await session.flush()
    profile.assessed_at, profile.assessed_by = now, actor
    existing = {e.outcome_id: e for e in (await session.execute(select(ProfileEntry).where(
        ProfileEntry.profile_id == profile.id))).scalars()}
    for e in entries:
        row = existing.get(e.outcome_id)
        if row is None:
            row = ProfileEntry(tenant_id=tenant_id, profile_id=profile.id,
                               outcome_id=e.outcome_id)
            session.add(row)
        row.tier, row.note, row.evidence = e.tier, e.note, list(e.evidence)
        row.updated_by, row.updated_at = actor, now
    await session.flush()
    return profile


def gap_analysis(framework: Framework, current: dict[str, int],
                 target: dict[str, Resolved]) -> list[Gap]:
    """Outcomes whose target is above the current tier, highest priority first.

    Priority = (target - current) x weight (high 3, medium 2, low 1); ties go to the larger
    gap, then to catalog order. An outcome never assessed counts as tier 0.
    """
    order = {o: i for i, o in enumerate(framework.outcomes)}
    gaps = [Gap(o, current.get(o), r.tier, r.source_tenant_id,
                weight(framework.outcomes[o][2]["priority"]))
            for o, r in target.items()
            if o in framework.outcomes and r.tier > current.get(o, 0)]
    return sorted(gaps, key=lambda g: (-g.priority, -g.gap, order[g.outcome_id]))


def require_framework(frameworks: dict[str, Framework], key: str | None) -> Framework:
    """The framework ``key`` (default: the built-in IP-CSF) or ``NotFound``."""
    framework = frameworks.get(key or BUILTIN_ID)
    if framework is None:
        raise NotFound(f"no framework {key!r} here", code="FRAMEWORK_NOT_FOUND",
                       field="frameworkId")
    return framework


def tiers_of(entries: dict[str, ProfileEntry]) -> dict[str, int]:
    """Outcome id to tier."""
    return {o: e.tier for o, e in entries.items()}


def stale(assessed_at: datetime, now: datetime, days: int = 365) -> bool:
    """Whether an assessment is older than ``days`` (naive times are UTC)."""
    if assessed_at.tzinfo is None:
        assessed_at = assessed_at.replace(tzinfo=now.tzinfo)
    return (now - assessed_at).days > days


def describe(value: Any) -> str:
    """A tier as ``3 (repeatable)``."""
    return f"{value} ({TIER_NAMES.get(value, '?')})"
