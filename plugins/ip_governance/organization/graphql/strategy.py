"""The IP governance strategy in GraphQL: strategies, objectives with KPI measurements,
SWOT entries, and submitting a strategy for approval (a reserved decision; seed 5.1)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    UserError,
    input_values,
    lineage,
    mutate,
    requires,
    row_mapper,
    tenant_page,
)

from .. import services
from ..models import IpStrategy, KpiMeasurement, StrategyObjective, SwotEntry
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


strategy_node = row_mapper(IpStrategyType)


objective_node = row_mapper(StrategyObjectiveType)


measurement_node = row_mapper(KpiMeasurementType)


swot_node = row_mapper(SwotEntryType)


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
        return await tenant_page(
            info, str(tenant_id), select(IpStrategy), [IpStrategy.id],
            first=first, after=after, to_node=strategy_node)

    @strawberry.field(description="Strategic objectives (optionally of one strategy).",
                      extensions=requires(OBJ, "read"))
    async def strategy_objectives(
        self, info: Info, tenant_id: strawberry.ID, strategy_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[StrategyObjectiveType]:
        where = (StrategyObjective.strategy_id == str(strategy_id),) if strategy_id else ()
        return await tenant_page(
            info, str(tenant_id), select(StrategyObjective).where(*where), [StrategyObjective.id],
            first=first, after=after, to_node=objective_node)

    @strawberry.field(description="KPI measurements (optionally of one objective).",
                      extensions=requires(OBJ, "read"))
    async def kpi_measurements(
        self, info: Info, tenant_id: strawberry.ID, objective_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[KpiMeasurementType]:
        where = (KpiMeasurement.objective_id == str(objective_id),) if objective_id else ()
        return await tenant_page(
            info, str(tenant_id), select(KpiMeasurement).where(*where), [KpiMeasurement.id],
            first=first, after=after, to_node=measurement_node)

    @strawberry.field(description="SWOT entries (optionally of one strategy).",
                      extensions=requires(OBJ, "read"))
    async def swot_entries(
        self, info: Info, tenant_id: strawberry.ID, strategy_id: strawberry.ID | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[SwotEntryType]:
        where = (SwotEntry.strategy_id == str(strategy_id),) if strategy_id else ()
        return await tenant_page(
            info, str(tenant_id), select(SwotEntry).where(*where), [SwotEntry.id],
            first=first, after=after, to_node=swot_node)


@strawberry.type
class StrategyMutation:
    @strawberry.mutation(description="Draft an IP governance strategy.",
                         extensions=requires(OBJ, "create"))
    async def create_ip_strategy(self, info: Info, tenant_id: strawberry.ID,
                                 input: IpStrategyInput) -> IpStrategyPayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), IpStrategyPayload, "strategy",
            lambda s: services.create_strategy(s, str(tenant_id), **input_values(input)),
            action="ip_governance.strategy.created", object_type=OBJ, to_node=strategy_node)

    @strawberry.mutation(description="Change a strategy or record its re-assessment.",
                         extensions=requires(OBJ, "update"))
    async def update_ip_strategy(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID,  # noqa: A002
        input: IpStrategyUpdateInput,  # noqa: A002
    ) -> IpStrategyPayload:
        return await mutate(
            info, str(tenant_id), IpStrategyPayload, "strategy",
            lambda s: services.update_strategy(s, str(tenant_id), str(id), **input_values(input)),
            action="ip_governance.strategy.updated", object_type=OBJ, to_node=strategy_node)

    @strawberry.mutation(description="Add a strategic objective.",
                         extensions=requires(OBJ, "create"))
    async def add_strategy_objective(
        self, info: Info, tenant_id: strawberry.ID, input: StrategyObjectiveInput,  # noqa: A002
    ) -> StrategyObjectivePayload:
        return await mutate(
            info, str(tenant_id), StrategyObjectivePayload, "objective",
            lambda s: services.add_objective(s, str(tenant_id), **input_values(input)),
            action="ip_governance.objective.added", object_type=OBJ, to_node=objective_node)

    @strawberry.mutation(description="Record a measured KPI value.",
                         extensions=requires(OBJ, "create"))
    async def record_kpi_measurement(
        self, info: Info, tenant_id: strawberry.ID, input: KpiMeasurementInput,  # noqa: A002
    ) -> KpiMeasurementPayload:
        return await mutate(
            info, str(tenant_id), KpiMeasurementPayload, "measurement",
            lambda s: services.record_measurement(s, str(tenant_id), **input_values(input)),
            action="ip_governance.kpi.measured", object_type=OBJ, to_node=measurement_node)

    @strawberry.mutation(description="Add a SWOT entry to a strategy.",
                         extensions=requires(OBJ, "create"))
    async def add_swot_entry(self, info: Info, tenant_id: strawberry.ID,
                             input: SwotEntryInput) -> SwotEntryPayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), SwotEntryPayload, "entry",
            lambda s: services.add_swot(s, str(tenant_id), **input_values(input)),
            action="ip_governance.swot.added", object_type=OBJ, to_node=swot_node)

    @strawberry.mutation(description="Submit a strategy for approval: the tenant's governing "
                         "body decides, or the group's when the group reserves strategy "
                         "approval (centralized, or hybrid with the decision reserved).",
                         extensions=requires(OBJ, "update"))
    async def submit_ip_strategy_for_approval(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID,  # noqa: A002
    ) -> IpStrategyPayload:
        ctx = info.context
        chain = {t.id for t in lineage(ctx.platform, str(tenant_id))}
        return await mutate(
            info, str(tenant_id), IpStrategyPayload, None,
            lambda s: services.submit_strategy(ctx.platform, s, str(tenant_id), str(id),
                                               ctx.actor),
            action="ip_governance.strategy.submitted", object_type=OBJ,
            object_id=lambda done: done[0].id,
            details=lambda done: {"decision": done[1].id,
                                  "deciding_tenant": done[1].deciding_tenant_id},
            to_node=lambda done: {"strategy": strategy_node(done[0]),
                                  "decision": decision_node(done[1])},
            session=lambda: ctx.multi_session(chain, "graphql: strategy approval (lineage)"))
