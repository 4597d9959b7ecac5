"""GraphQL of the framework area: catalogs, current/target profiles, gap analysis.

Catalogs are small and bounded (at most 50 loaded frameworks per tenant plus the built-in
ones, at most 1,000 outcomes each), so ``frameworks`` and ``framework`` return whole trees;
``gapAnalysis`` is a cursor connection. Target profiles are resolved along the tenant's
lineage (``ipgov.api.lineage``) according to each parent's governance mode.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from ipgov.api import (
    Connection,
    DomainError,
    Edge,
    InvalidInput,
    PageInfo,
    UserError,
    check_page_size,
    decode_cursor,
    encode_cursor,
    errors_as_data,
    lineage,
    mutate,
    requires,
    user_errors,
)

from . import services as svc
from .catalog import BUILTIN_ID, Framework, weight
from .models import ProfileEntry

__all__ = ["FrameworkMutation", "FrameworkQuery"]

MAX_GAP_PAGE = 100


@strawberry.type(name="FrameworkText", description="Text in English and Chinese.")
class FrameworkText:
    en: str
    zh: str


def _text(value: dict[str, str] | None) -> FrameworkText | None:
    return FrameworkText(en=value["en"], zh=value["zh"]) if value else None


@strawberry.type(description="An outline reference: a clause or stage and our paraphrase.")
class FrameworkMapping:
    reference: str = strawberry.field(description="e.g. gbt-29490-2023, iso-56005")
    key: str = strawberry.field(description="Clause number or stage key")
    outline: FrameworkText | None


@strawberry.type(description="An outcome a profile assesses (e.g. GV.SC-01).")
class FrameworkOutcome:
    id: str
    title: FrameworkText
    description: FrameworkText | None
    domain: str = strawberry.field(description="top_level_design, management_systems, resources")
    priority: str = strawberry.field(description="high, medium or low")
    weight: int = strawberry.field(description="Priority weight in gap analysis (3, 2, 1)")
    seed_ref: str | None = strawberry.field(deprecation_reason="A section of ipgov's design "
                                            "notes; cite mappings (standard clauses) instead.")
    mappings: list[FrameworkMapping]


@strawberry.type(description="A category of a function (e.g. GV.SC supply-chain IP).")
class FrameworkCategory:
    id: str
    title: FrameworkText
    description: FrameworkText | None
    outcomes: list[FrameworkOutcome]


@strawberry.type(description="One of the seven functions as a framework spells it.")
class FrameworkFunction:
    id: str
    function: str = strawberry.field(description="govern, identify, protect, operate, ...")
    title: FrameworkText
    description: FrameworkText | None
    categories: list[FrameworkCategory]


@strawberry.type(description="A standard the framework maps to, as an outline of keys.")
class FrameworkReference:
    id: str
    kind: str = strawberry.field(description="clauses or stages")
    title: FrameworkText
    keys: list[FrameworkMapping]


@strawberry.type(name="Framework", description="A framework catalog (whole; it is bounded).")
class FrameworkType:
    id: str
    version: str
    title: FrameworkText
    description: FrameworkText | None
    extends: str | None
    built_in: bool
    owner_tenant_id: strawberry.ID | None
    outcome_count: int
    references: list[FrameworkReference]
    functions: list[FrameworkFunction]


def framework_node(fw: Framework) -> FrameworkType:
    """The GraphQL view of a framework."""
    doc = fw.doc

    def mappings(o: dict[str, Any]) -> list[FrameworkMapping]:
        return [FrameworkMapping(reference=ref, key=k, outline=_text(fw.outline(ref, k)))
                for ref, keys in o["mappings"].items() for k in keys]

    return FrameworkType(
        id=doc["id"], version=doc["version"], title=_text(doc["title"]),  # type: ignore[arg-type]
        description=_text(doc.get("description")), extends=doc.get("extends"),
        built_in=fw.builtin, outcome_count=len(fw.outcomes),
        owner_tenant_id=strawberry.ID(fw.owner_tenant_id) if fw.owner_tenant_id else None,
        references=[FrameworkReference(
            id=r["id"], kind=r["kind"], title=_text(r["title"]),  # type: ignore[arg-type]
            keys=[FrameworkMapping(reference=r["id"], key=k, outline=_text(v))
                  for k, v in r["outline"].items()]) for r in doc["references"]],
        functions=[FrameworkFunction(
            id=fn["id"], function=fn["function"], title=_text(fn["title"]),  # type: ignore[arg-type]
            description=_text(fn.get("description")),
            categories=[FrameworkCategory(
                id=c["id"], title=_text(c["title"]),  # type: ignore[arg-type]
                description=_text(c.get("description")),
                outcomes=[FrameworkOutcome(
                    id=o["id"], title=_text(o["title"]),  # type: ignore[arg-type]
                    description=_text(o.get("description")), domain=o["domain"],
                    priority=o["priority"], weight=weight(o["priority"]),
                    seed_ref=o.get("seed_ref"), mappings=mappings(o))
                    for o in c["outcomes"]]) for c in fn["categories"]])
            for fn in doc["functions"]])


@strawberry.enum(description="Which profile: as assessed now, or as aimed for.")
class ProfileKind(Enum):
    CURRENT = "current"
    TARGET = "target"


@strawberry.enum(description="Where an effective target tier comes from.")
class TierSource(Enum):
    OWN = "own"
    GROUP = "group"


@strawberry.type(description="One outcome's tier in a profile.")
class ProfileEntryType:
    outcome_id: str
    tier: int = strawberry.field(description="1 partial, 2 risk-informed, 3 repeatable, "
                                 "4 adaptive")
    tier_name: str
    note: str
    evidence: list[str]
    updated_by: str
    updated_at: datetime
    source: TierSource = strawberry.field(description="OWN, or GROUP when a group's target "
                                          "applies (target profiles)")
    source_tenant_id: strawberry.ID
    own_tier: int | None = strawberry.field(description="The tenant's own value, if any")
    group_tier: int | None = strawberry.field(description="The groups' value, if any")


@strawberry.type(name="Profile", description="A tenant's current or (effective) target profile.")
class ProfileType:
    tenant_id: strawberry.ID
    kind: ProfileKind
    framework_id: str
    assessed_at: datetime | None = strawberry.field(
        description="When the tenant last set this profile; null if never")
    assessed_by: str | None
    entries: list[ProfileEntryType]


@strawberry.type(description="An outcome whose target is above its current tier.")
class ProfileGap:
    outcome_id: str
    function_id: str
    category_id: str
    title: FrameworkText
    domain: str
    current: int | None = strawberry.field(description="null: never assessed (counts as 0)")
    target: int
    gap: int
    weight: int
    priority: int = strawberry.field(description="gap x weight; the list is sorted by it")
    target_source_tenant_id: strawberry.ID


@strawberry.input(description="One outcome's tier to set.")
class ProfileTierInput:
    outcome_id: str
    tier: int
    note: str = ""
    evidence: list[str] = strawberry.field(default_factory=list)


@strawberry.type(description="The profile after the change, or why nothing changed.")
class ProfilePayload:
    profile: ProfileType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The framework loaded, or every problem found in the file.")
class FrameworkPayload:
    framework: FrameworkType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


# ----------------------------------------------------------------------------- helpers


def _chain(info: Info, tenant_id: str) -> list[svc.Link]:
    """The tenant's lineage, root first, with the mode each parent applies."""
    root_first = list(reversed(lineage(info.context.platform, tenant_id)))
    return [svc.Link(t.id, root_first[i - 1].governance_mode if i else None)
            for i, t in enumerate(root_first)]


def _errors(exc: DomainError) -> list[UserError]:
    problems = getattr(exc, "problems", None)
    if problems:
        return [UserError(code=exc.code, field=p.field,
                          message=f"{exc.file}:{p.line}: {p.field}: {p.message}")  # type: ignore[attr-defined]
                for p in problems]
    return user_errors(exc)


async def _visible(info: Info, session: Any, lineage_ids: list[str]) -> dict[str, Any]:
    """What the tenant sees: every plugin's shipped frameworks and those its lineage loaded."""
    shipped = svc.shipped_frameworks(info.context.platform)
    return await svc.visible_frameworks(session, lineage_ids, shipped)


async def _read(info: Info, tenant_id: str, kind: str, framework_id: str | None
                ) -> tuple[Framework, list[svc.Link], dict[str, dict[str, ProfileEntry]], Any]:
    """Framework, chain, entries per lineage tenant, and the tenant's profile header."""
    chain = _chain(info, tenant_id)
    ids = [link.tenant_id for link in chain]
    async with info.context.multi_session(set(ids), "ip_governance: profile lineage") as s:
        fw = svc.require_framework(await _visible(info, s, ids[::-1]), framework_id)
        scope = ids if kind == svc.TARGET else [tenant_id]
        entries = await svc.own_tiers(s, kind, fw.id, scope)
    async with info.context.session(tenant_id) as s:
        row = await svc.profile_header(s, kind, fw.id)
        header = (row.assessed_at, row.assessed_by) if row else None
    return fw, chain, entries, header


def _entry(e: ProfileEntry, source: TierSource, own: int | None, group: int | None,
           tier: int | None = None) -> ProfileEntryType:
    tier = e.tier if tier is None else tier
    return ProfileEntryType(
        outcome_id=e.outcome_id, tier=tier, tier_name=svc.TIER_NAMES.get(tier, ""),
        note=e.note, evidence=list(e.evidence or []), updated_by=e.updated_by,
        updated_at=e.updated_at, source=source,
        source_tenant_id=strawberry.ID(e.tenant_id), own_tier=own, group_tier=group)


async def _profile(info: Info, tenant_id: str, kind: str, framework_id: str | None
                   ) -> ProfileType:
    fw, chain, entries, header = await _read(info, tenant_id, kind, framework_id)
    order = {o: i for i, o in enumerate(fw.outcomes)}
    if kind == svc.CURRENT:
        rows = [_entry(e, TierSource.OWN, e.tier, None)
                for e in entries.get(tenant_id, {}).values()]
    else:
        resolved = svc.effective_target(chain, {t: svc.tiers_of(e) for t, e in entries.items()})
        rows = [_entry(entries[r.source_tenant_id][o],
                       TierSource.OWN if r.source_tenant_id == tenant_id else TierSource.GROUP,
                       r.own_tier, r.group_tier, r.tier) for o, r in resolved.items()]
    rows.sort(key=lambda r: (order.get(r.outcome_id, len(order)), r.outcome_id))
    return ProfileType(tenant_id=strawberry.ID(tenant_id), kind=ProfileKind(kind),
                       framework_id=fw.id, assessed_at=header[0] if header else None,
                       assessed_by=header[1] if header else None, entries=rows)


_GAPS = "ip_governance.gap_analysis"  # what the platform's signed cursors are bound to


def _cursor(index: int) -> str:
    return encode_cursor([index], _GAPS)


def _offset(after: str | None) -> int:
    if not after:
        return 0
    (index,) = decode_cursor(after, 1, _GAPS)
    if not isinstance(index, int) or index < 0:
        raise InvalidInput("the cursor is malformed", code="BAD_CURSOR", field="after")
    return index + 1


def _gap_node(fw: Framework, g: svc.Gap) -> ProfileGap:
    fn, cat, outcome = fw.outcomes[g.outcome_id]
    return ProfileGap(outcome_id=g.outcome_id, function_id=fn["id"], category_id=cat["id"],
                      title=_text(outcome["title"]), domain=outcome["domain"],  # type: ignore[arg-type]
                      current=g.current, target=g.target, gap=g.gap, weight=g.weight,
                      priority=g.priority,
                      target_source_tenant_id=strawberry.ID(g.target_source))


# ----------------------------------------------------------------------------- root fields


@strawberry.type
class FrameworkQuery:
    @strawberry.field(description="Frameworks available to a tenant: the built-in IP-CSF and "
                      "those loaded by the tenant or its groups (bounded: at most 50 loaded "
                      "per tenant).",
                      extensions=requires("ip_governance:framework", "read"))
    async def frameworks(self, info: Info, tenant_id: strawberry.ID) -> list[FrameworkType]:
        ids = [link.tenant_id for link in _chain(info, str(tenant_id))]
        async with info.context.multi_session(set(ids), "ip_governance: frameworks") as s:
            found = await _visible(info, s, ids[::-1])
        return [framework_node(fw) for _, fw in sorted(found.items())]

    @strawberry.field(description="One framework with functions, categories and outcomes "
                      "(whole: a catalog has at most 1,000 outcomes).",
                      extensions=requires("ip_governance:framework", "read"))
    async def framework(self, info: Info, tenant_id: strawberry.ID,
                        id: str = BUILTIN_ID) -> FrameworkType:  # noqa: A002
        ids = [link.tenant_id for link in _chain(info, str(tenant_id))]
        async with info.context.multi_session(set(ids), "ip_governance: framework") as s:
            found = await _visible(info, s, ids[::-1])
        return framework_node(svc.require_framework(found, id))

    @strawberry.field(description="The tenant's CURRENT profile, or its effective TARGET "
                      "profile (each entry says whether it is the tenant's own or its group's).",
                      extensions=requires("ip_governance:profile", "read"))
    async def profile(self, info: Info, tenant_id: strawberry.ID, kind: ProfileKind,
                      framework_id: str = BUILTIN_ID) -> ProfileType:
        return await _profile(info, str(tenant_id), kind.value, framework_id)

    @strawberry.field(description="Outcomes whose effective target is above the current tier, "
                      "by priority = gap x weight (high 3, medium 2, low 1), then gap size, "
                      "then catalog order.",
                      extensions=requires("ip_governance:profile", "read"))
    async def gap_analysis(self, info: Info, tenant_id: strawberry.ID, first: int = 50,
                           after: str | None = None, framework_id: str = BUILTIN_ID
                           ) -> Connection[ProfileGap]:
        check_page_size(first, MAX_GAP_PAGE)
        start = _offset(after)
        tid = str(tenant_id)
        fw, chain, targets, _ = await _read(info, tid, svc.TARGET, framework_id)
        _, _, current, _ = await _read(info, tid, svc.CURRENT, fw.id)
        resolved = svc.effective_target(chain, {t: svc.tiers_of(e) for t, e in targets.items()})
        gaps = svc.gap_analysis(fw, svc.tiers_of(current.get(tid, {})), resolved)
        page = gaps[start:start + first]
        edges = [Edge(cursor=_cursor(start + i), node=_gap_node(fw, g))
                 for i, g in enumerate(page)]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=start + first < len(gaps),
            end_cursor=edges[-1].cursor if edges else None))


@strawberry.type
class FrameworkMutation:
    @strawberry.mutation(description="Set tiers (1-4) of outcomes in the CURRENT or TARGET "
                         "profile, all or nothing. Governance mode: a centralized group sets "
                         "its subsidiaries' targets; under hybrid a subsidiary may only raise "
                         "the group's target.",
                         extensions=requires("ip_governance:profile", "update"))
    async def set_profile_tiers(self, info: Info, tenant_id: strawberry.ID, kind: ProfileKind,
                                entries: list[ProfileTierInput],
                                framework_id: str = BUILTIN_ID) -> ProfilePayload:
        ctx, tid = info.context, str(tenant_id)
        items = [svc.TierInput(e.outcome_id, e.tier, e.note, list(e.evidence)) for e in entries]

        async def run() -> ProfilePayload:
            fw, chain, lineage_entries, _ = await _read(info, tid, kind.value, framework_id)
            imposed = svc.group_target(
                chain, {t: svc.tiers_of(e) for t, e in lineage_entries.items()})
            return await mutate(
                info, tid, ProfilePayload, "profile",
                lambda s: svc.set_tiers(s, tenant_id=tid, kind=kind.value, framework=fw,
                                        chain=chain, imposed=imposed, entries=items,
                                        actor=ctx.actor),
                action="ip_governance.profile.set_tiers", object_type="ip_governance:profile",
                details=lambda _: {"kind": kind.value, "framework": fw.id,
                                   "tiers": {e.outcome_id: e.tier for e in items}},
                then=lambda _: _profile(info, tid, kind.value, fw.id), errors=_errors)

        return await errors_as_data(ProfilePayload, run, errors=_errors)

    @strawberry.mutation(description="Load (or replace) a framework for this tenant from YAML "
                         "(format ipgov-framework/1; 'extends' adds to a framework you can "
                         "see). A malformed file loads nothing and every problem is reported "
                         "with its line and field.",
                         extensions=requires("ip_governance:framework", "update"))
    async def load_framework(self, info: Info, tenant_id: strawberry.ID,
                             yaml: str) -> FrameworkPayload:
        ctx, tid = info.context, str(tenant_id)
        ids = [link.tenant_id for link in _chain(info, tid)]
        async with ctx.multi_session(set(ids), "ip_governance: frameworks") as s:
            visible = await _visible(info, s, ids[::-1])
        return await mutate(
            info, tid, FrameworkPayload, "framework",
            lambda s: svc.load_framework(s, tenant_id=tid, text=yaml, actor=ctx.actor,
                                         visible=visible),
            action="ip_governance.framework.load", object_type="ip_governance:framework",
            details=lambda row: {"framework": row.framework_key, "version": row.version},
            to_node=lambda row: framework_node(Framework(row.document, owner_tenant_id=tid)),
            errors=_errors)
