"""The nine management systems in GraphQL: cadence, PDCA cycles with their phases and
evidence, and judgements on the six criteria (seed §6.1)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    Edge,
    InvalidInput,
    UserError,
    input_values,
    mutate,
    requires,
    tenant_page,
    to_type,
)

from .. import services
from ..models import ManagementSystem, PdcaCycle, PdcaPhaseRecord, SystemJudgement

OBJ = "ip_governance:management_system"


@strawberry.type(name="ManagementSystem", description="One of the nine IP-related management "
                 "systems, run as PDCA within its cadence.")
class ManagementSystemType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    kind: str
    name: str
    owner: str
    cadence_days: int = strawberry.field(
        description="A PDCA cycle must complete at least this often.")
    last_completed_cycle_at: datetime | None = strawberry.field(
        description="When the latest complete PDCA cycle ended.")


@strawberry.type(name="PdcaPhase", description="A recorded phase of a PDCA cycle.")
class PdcaPhaseType:
    phase: str
    completed_at: datetime
    evidence: str
    links: list[str]


@strawberry.type(name="PdcaCycle", description="A Plan-Do-Check-Act cycle of a system.")
class PdcaCycleType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    system_id: strawberry.ID
    title: str
    started_at: datetime
    phases: list[PdcaPhaseType]
    complete: bool = strawberry.field(description="All four phases are recorded.")


@strawberry.type(name="CriterionScore", description="A score (1-5) on one of six criteria.")
class CriterionScoreType:
    criterion: str
    score: int
    note: str


@strawberry.type(name="SystemJudgement", description="A system judged on completeness, "
                 "effectiveness, suitability, compliance, cost-effectiveness, consistency.")
class SystemJudgementType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    system_id: strawberry.ID
    judged_at: datetime
    judged_by: str
    criteria: list[CriterionScoreType]


def system_node(r: ManagementSystem, last: datetime | None = None) -> ManagementSystemType:
    return to_type(ManagementSystemType, r, last_completed_cycle_at=last)


def phase_node(r: PdcaPhaseRecord) -> PdcaPhaseType:
    return to_type(PdcaPhaseType, r, links=list(r.links or []))


def cycle_node(r: PdcaCycle, phases: list[PdcaPhaseRecord]) -> PdcaCycleType:
    ordered = sorted(phases, key=lambda p: services.PDCA_PHASES.index(p.phase))
    return to_type(PdcaCycleType, r, phases=[phase_node(p) for p in ordered],
                complete=len(ordered) == len(services.PDCA_PHASES))


def judgement_node(r: SystemJudgement) -> SystemJudgementType:
    scores = [CriterionScoreType(criterion=c, score=int(v.get("score", 0)),
                                 note=str(v.get("note", "")))
              for c, v in sorted((r.criteria or {}).items(),
                                 key=lambda kv: services.CRITERIA.index(kv[0])
                                 if kv[0] in services.CRITERIA else 99)]
    return to_type(SystemJudgementType, r, criteria=scores)


@strawberry.input(description="A system's cadence (days) or owner.")
class ManagementSystemUpdateInput:
    cadence_days: int | None = None
    owner: str | None = None


@strawberry.input(description="A new PDCA cycle of a system.")
class PdcaCycleInput:
    system_id: strawberry.ID
    title: str
    started_at: datetime | None = None


@strawberry.input(description="A phase of a PDCA cycle, done, with its evidence.")
class PdcaPhaseInput:
    cycle_id: strawberry.ID
    phase: str = strawberry.field(description="plan, do, check or act (in that order)")
    completed_at: datetime | None = None
    evidence: str = ""
    links: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="A score on one criterion.")
class CriterionScoreInput:
    criterion: str
    score: int
    note: str = ""


@strawberry.input(description="A judgement on all six criteria.")
class SystemJudgementInput:
    system_id: strawberry.ID
    criteria: list[CriterionScoreInput]
    judged_at: datetime | None = None
    judged_by: str = ""


@strawberry.type(description="The management system changed, or why not.")
class ManagementSystemPayload:
    system: ManagementSystemType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The PDCA cycle started or advanced, or why not.")
class PdcaCyclePayload:
    cycle: PdcaCycleType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The judgement recorded, or why not.")
class SystemJudgementPayload:
    judgement: SystemJudgementType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _phases(session, cycle_ids: list[str]) -> dict[str, list[PdcaPhaseRecord]]:
    found: dict[str, list[PdcaPhaseRecord]] = {c: [] for c in cycle_ids}
    if cycle_ids:
        stmt = select(PdcaPhaseRecord).where(PdcaPhaseRecord.cycle_id.in_(cycle_ids))
        for p in (await session.execute(stmt)).scalars():
            found[p.cycle_id].append(p)
    return found


@strawberry.type
class SystemsQuery:
    @strawberry.field(description="The tenant's management systems with their cadence and "
                      "latest complete PDCA cycle.", extensions=requires(OBJ, "read"))
    async def management_systems(self, info: Info, tenant_id: strawberry.ID, first: int = 20,
                                 after: str | None = None) -> Connection[ManagementSystemType]:
        conn = await tenant_page(
            info, str(tenant_id), select(ManagementSystem), [ManagementSystem.id],
            first=first, after=after, to_node=lambda r: r)
        async with info.context.session(str(tenant_id)) as session:
            last = await services.completed_cycles(session)
        conn.edges = [Edge(cursor=e.cursor, node=system_node(e.node, last.get(e.node.id)))
                      for e in conn.edges]
        return conn

    @strawberry.field(description="PDCA cycles (optionally of one system) with their phases.",
                      extensions=requires(OBJ, "read"))
    async def pdca_cycles(
        self, info: Info, tenant_id: strawberry.ID, system_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[PdcaCycleType]:
        where = (PdcaCycle.system_id == str(system_id),) if system_id else ()
        conn = await tenant_page(
            info, str(tenant_id), select(PdcaCycle).where(*where), [PdcaCycle.id],
            first=first, after=after, to_node=lambda r: r)
        async with info.context.session(str(tenant_id)) as session:
            phases = await _phases(session, [e.node.id for e in conn.edges])
        conn.edges = [Edge(cursor=e.cursor, node=cycle_node(e.node, phases[e.node.id]))
                      for e in conn.edges]
        return conn

    @strawberry.field(description="Judgements (optionally of one system), on six criteria.",
                      extensions=requires(OBJ, "read"))
    async def system_judgements(
        self, info: Info, tenant_id: strawberry.ID, system_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[SystemJudgementType]:
        where = (SystemJudgement.system_id == str(system_id),) if system_id else ()
        return await tenant_page(
            info, str(tenant_id), select(SystemJudgement).where(*where), [SystemJudgement.id],
            first=first, after=after, to_node=judgement_node)


def _criteria(items: list[CriterionScoreInput]) -> dict[str, tuple[int, str]]:
    scores: dict[str, tuple[int, str]] = {}
    for item in items:
        if item.criterion in scores:
            raise InvalidInput(f"{item.criterion} is judged twice", field="criteria")
        scores[item.criterion] = (item.score, item.note)
    return scores


@strawberry.type
class SystemsMutation:
    @strawberry.mutation(description="Set a system's PDCA cadence (days) or owner.",
                         extensions=requires(OBJ, "update"))
    async def update_management_system(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID,  # noqa: A002
        input: ManagementSystemUpdateInput,  # noqa: A002
    ) -> ManagementSystemPayload:
        async def run(s):
            row = await services.update_system(s, str(tenant_id), str(id), **input_values(input))
            return system_node(row, (await services.completed_cycles(s)).get(row.id))

        return await mutate(
            info, str(tenant_id), ManagementSystemPayload, "system",
            run,
            action="ip_governance.system.updated", object_type=OBJ, to_node=lambda n: n)

    @strawberry.mutation(description="Start a PDCA cycle of a management system.",
                         extensions=requires(OBJ, "create"))
    async def start_pdca_cycle(self, info: Info, tenant_id: strawberry.ID,
                               input: PdcaCycleInput) -> PdcaCyclePayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), PdcaCyclePayload, "cycle",
            lambda s: services.start_cycle(s, str(tenant_id), **input_values(input)),
            action="ip_governance.pdca.started", object_type=OBJ,
            to_node=lambda r: cycle_node(r, []))

    @strawberry.mutation(description="Record a phase of a PDCA cycle with its evidence.",
                         extensions=requires(OBJ, "update"))
    async def record_pdca_phase(self, info: Info, tenant_id: strawberry.ID,
                                input: PdcaPhaseInput) -> PdcaCyclePayload:  # noqa: A002
        async def run(s):
            await services.record_phase(s, str(tenant_id), **input_values(input))
            cycle = await s.get(PdcaCycle, str(input.cycle_id))
            return cycle_node(cycle, (await _phases(s, [cycle.id]))[cycle.id])

        return await mutate(
            info, str(tenant_id), PdcaCyclePayload, "cycle",
            run, action="ip_governance.pdca.phase", object_type=OBJ)

    @strawberry.mutation(description="Judge a management system on all six criteria (1-5).",
                         extensions=requires(OBJ, "create"))
    async def judge_management_system(
        self, info: Info, tenant_id: strawberry.ID, input: SystemJudgementInput,  # noqa: A002
    ) -> SystemJudgementPayload:
        return await mutate(
            info, str(tenant_id), SystemJudgementPayload, "judgement",
            lambda s: services.judge_system(
                s, str(tenant_id), system_id=str(input.system_id),
                criteria=_criteria(input.criteria), judged_at=input.judged_at,
                judged_by=input.judged_by),
            action="ip_governance.system.judged", object_type=OBJ, to_node=judgement_node)
