"""The IP governance strategy in GraphQL: strategies, objectives with KPI measurements,
SWOT entries, and submitting a strategy for approval (a reserved decision; seed 5.1)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from ipgov.api import (
    Connection,
    DomainError,
    UserError,
    lineage,
    record_audit,
    requires,
    user_errors,
)

from .. import services
from ..models import IpStrategy, KpiMeasurement, StrategyObjective, SwotEntry
from .common import inputs, mutate, node, page
from .governance import GovernanceDecisionType, decision_node

OBJ = "ip_governance:strategy"


@strawberry.type(name="IpStrategy", description="The IP governance strategy of a tenant.")
class IpStrategyType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    title: str
    summary: str
    status: str = strawberry.field(
        description="draft, pending_approval, approved, rejected or retired")
    reassessment_cadence_days: int
    last_reassessed_at: datetime | None
    approved_at: datetime | None
    decision_id: strawberry.ID | None
    created_at: datetime


@strawberry.type(name="StrategyObjective", description="A strategic objective with its KPI, "
                 "target, owner and time frame.")
class StrategyObjectiveType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    strategy_id: strawberry.ID
    title: str
    business_goal: str
    innovation_goal: str
    kpi: str
    kpi_unit: str
    target_value: float | None
    higher_is_better: bool
    owner: str
    starts_at: datetime | None
    ends_at: datetime | None


@strawberry.type(name="KpiMeasurement", description="A measured value of an objective's KPI.")
class KpiMeasurementType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    objective_id: strawberry.ID
    measured_at: datetime
    value: float
    note: str


@strawberry.type(name="SwotEntry", description="A strength, weakness, opportunity or threat.")
class SwotEntryType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    strategy_id: strawberry.ID
    category: str
    text: str


def strategy_node(r: IpStrategy) -> IpStrategyType:
    return node(IpStrategyType, r)


def objective_node(r: StrategyObjective) -> StrategyObjectiveType:
    return node(StrategyObjectiveType, r)


def measurement_node(r: KpiMeasurement) -> KpiMeasurementType:
    return node(KpiMeasurementType, r)


def swot_node(r: SwotEntry) -> SwotEntryType:
    return node(SwotEntryType, r)


@strawberry.input(description="A new IP governance strategy (a draft).")
class IpStrategyInput:
    title: str
    summary: str = ""
    reassessment_cadence_days: int = 365


@strawberry.input(description="Changes to a strategy; reassessedAt records a re-assessment.")
class IpStrategyUpdateInput:
    title: str | None = None
    summary: str | None = None
    reassessment_cadence_days: int | None = None
    reassessed_at: datetime | None = None


@strawberry.input(description="A strategic objective.")
class StrategyObjectiveInput:
    strategy_id: strawberry.ID
    title: str
    business_goal: str = ""
    innovation_goal: str = ""
    kpi: str = ""
    kpi_unit: str = ""
    target_value: float | None = None
    higher_is_better: bool = True
    owner: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@strawberry.input(description="A measured KPI value.")
class KpiMeasurementInput:
    objective_id: strawberry.ID
    value: float
    measured_at: datetime | None = None
    note: str = ""


@strawberry.input(description="A SWOT entry.")
class SwotEntryInput:
    strategy_id: strawberry.ID
    category: str = strawberry.field(description="strength, weakness, opportunity or threat")
    text: str


@strawberry.type(description="The strategy created or changed, or why not.")
class IpStrategyPayload:
    strategy: IpStrategyType | None = None
    decision: GovernanceDecisionType | None = strawberry.field(
        default=None, description="The decision requested, when submitted for approval.")
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The objective added, or why not.")
class StrategyObjectivePayload:
    objective: StrategyObjectiveType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The measurement recorded, or why not.")
class KpiMeasurementPayload:
    measurement: KpiMeasurementType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The SWOT entry added, or why not.")
class SwotEntryPayload:
    entry: SwotEntryType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class StrategyQuery:
    @strawberry.field(description="IP governance strategies of a tenant.",
                      extensions=requires(OBJ, "read"))
    async def ip_strategies(self, info: Info, tenant_id: strawberry.ID, first: int = 20,
                            after: str | None = None) -> Connection[IpStrategyType]:
        return await page(info, tenant_id, IpStrategy, strategy_node, first=first, after=after)

    @strawberry.field(description="Strategic objectives (optionally of one strategy).",
                      extensions=requires(OBJ, "read"))
    async def strategy_objectives(
        self, info: Info, tenant_id: strawberry.ID, strategy_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[StrategyObjectiveType]:
        where = (StrategyObjective.strategy_id == str(strategy_id),) if strategy_id else ()
        return await page(info, tenant_id, StrategyObjective, objective_node, first=first,
                          after=after, where=where)

    @strawberry.field(description="KPI measurements (optionally of one objective).",
                      extensions=requires(OBJ, "read"))
    async def kpi_measurements(
        self, info: Info, tenant_id: strawberry.ID, objective_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[KpiMeasurementType]:
        where = (KpiMeasurement.objective_id == str(objective_id),) if objective_id else ()
        return await page(info, tenant_id, KpiMeasurement, measurement_node, first=first,
                          after=after, where=where)

    @strawberry.field(description="SWOT entries (optionally of one strategy).",
                      extensions=requires(OBJ, "read"))
    async def swot_entries(
        self, info: Info, tenant_id: strawberry.ID, strategy_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[SwotEntryType]:
        where = (SwotEntry.strategy_id == str(strategy_id),) if strategy_id else ()
        return await page(info, tenant_id, SwotEntry, swot_node, first=first, after=after,
                          where=where)


@strawberry.type
class StrategyMutation:
    @strawberry.mutation(description="Draft an IP governance strategy.",
                         extensions=requires(OBJ, "create"))
    async def create_ip_strategy(self, info: Info, tenant_id: strawberry.ID,
                                 input: IpStrategyInput) -> IpStrategyPayload:  # noqa: A002
        return await mutate(info, tenant_id, IpStrategyPayload, action="strategy.created",
                            obj="strategy", field="strategy", to_node=strategy_node,
                            run=lambda s: services.create_strategy(s, str(tenant_id),
                                                                   **inputs(input)))

    @strawberry.mutation(description="Change a strategy or record its re-assessment.",
                         extensions=requires(OBJ, "update"))
    async def update_ip_strategy(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID,  # noqa: A002
        input: IpStrategyUpdateInput,  # noqa: A002
    ) -> IpStrategyPayload:
        return await mutate(info, tenant_id, IpStrategyPayload, action="strategy.updated",
                            obj="strategy", field="strategy", to_node=strategy_node,
                            run=lambda s: services.update_strategy(s, str(tenant_id), str(id),
                                                                   **inputs(input)))

    @strawberry.mutation(description="Add a strategic objective.",
                         extensions=requires(OBJ, "create"))
    async def add_strategy_objective(
        self, info: Info, tenant_id: strawberry.ID, input: StrategyObjectiveInput,  # noqa: A002
    ) -> StrategyObjectivePayload:
        return await mutate(info, tenant_id, StrategyObjectivePayload,
                            action="objective.added", obj="strategy", field="objective",
                            to_node=objective_node,
                            run=lambda s: services.add_objective(s, str(tenant_id),
                                                                 **inputs(input)))

    @strawberry.mutation(description="Record a measured KPI value.",
                         extensions=requires(OBJ, "create"))
    async def record_kpi_measurement(
        self, info: Info, tenant_id: strawberry.ID, input: KpiMeasurementInput,  # noqa: A002
    ) -> KpiMeasurementPayload:
        return await mutate(info, tenant_id, KpiMeasurementPayload,
                            action="kpi.measured", obj="strategy", field="measurement",
                            to_node=measurement_node,
                            run=lambda s: services.record_measurement(s, str(tenant_id),
                                                                      **inputs(input)))

    @strawberry.mutation(description="Add a SWOT entry to a strategy.",
                         extensions=requires(OBJ, "create"))
    async def add_swot_entry(self, info: Info, tenant_id: strawberry.ID,
                             input: SwotEntryInput) -> SwotEntryPayload:  # noqa: A002
        return await mutate(info, tenant_id, SwotEntryPayload, action="swot.added",
                            obj="strategy", field="entry", to_node=swot_node,
                            run=lambda s: services.add_swot(s, str(tenant_id), **inputs(input)))

    @strawberry.mutation(description="Submit a strategy for approval: the tenant's governing "
                         "body decides, or the group's when the group reserves strategy "
                         "approval (centralized, or hybrid with the decision reserved).",
                         extensions=requires(OBJ, "update"))
    async def submit_ip_strategy_for_approval(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID,  # noqa: A002
    ) -> IpStrategyPayload:
        ctx = info.context
        chain = {t.id for t in lineage(ctx.platform, str(tenant_id))}
        try:
            async with ctx.multi_session(chain, "graphql: strategy approval (lineage)") as s:
                strategy, decision = await services.submit_strategy(
                    ctx.platform, s, str(tenant_id), str(id), ctx.actor)
                await record_audit(ctx.platform, s, tenant_id=str(tenant_id), actor=ctx.actor,
                                   action="ip_governance.strategy.submitted",
                                   object_type=OBJ, object_id=strategy.id,
                                   details={"decision": decision.id,
                                            "deciding_tenant": decision.deciding_tenant_id})
                result = IpStrategyPayload(strategy=strategy_node(strategy),
                                           decision=decision_node(decision))
        except DomainError as exc:
            return IpStrategyPayload(errors=user_errors(exc))
        return result
