"""GraphQL of protection and lifecycle: reasonable steps of trade secrets, lifecycle
transitions, destruction requests with approvals, and starting the plugin's jobs."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import (
    Connection,
    Forbidden,
    enqueue_job,
    errors_as_data,
    input_values,
    mutate,
    requires,
    tenant_page,
    utcnow,
)

from ..catalog.models import DataAsset
from ..common import get, payload_errors
from ..jobs import INVENTORY, QUALITY, SWEEP
from ..lifecycle import services as lifecycle
from ..lifecycle.models import DestructionRequest, LifecycleEvent
from ..organization.services import holders
from ..permissions import LIFECYCLE, TRADE_SECRET
from ..secrets.models import ReasonableStep
from ..secrets.services import record_step
from .types import (
    DataGovernanceJobPayload,
    DestructionRequestPayload,
    DestructionRequestType,
    LifecycleEventType,
    LifecyclePayload,
    ReasonableStepInput,
    ReasonableStepPayload,
    ReasonableStepType,
    asset_node,
    event_node,
    request_node,
    step_node,
)

__all__ = ["ProtectionMutation", "ProtectionQuery"]

ID = strawberry.ID


@strawberry.enum(description="The jobs data_governance runs in the workers.")
class DataGovernanceJob(Enum):
    LIFECYCLE_SWEEP = SWEEP
    QUALITY_EVALUATION = QUALITY
    IP_INVENTORY_SYNC = INVENTORY


@strawberry.type
class ProtectionQuery:
    @strawberry.field(description="Reasonable-steps evidence of the trade secrets.",
                      extensions=requires(TRADE_SECRET, "read"))
    async def trade_secret_steps(self, info: Info, tenant_id: ID, asset_id: ID | None = None,
                                 first: int = 50, after: str | None = None
                                 ) -> Connection[ReasonableStepType]:
        stmt = select(ReasonableStep)
        if asset_id:
            stmt = stmt.where(ReasonableStep.asset_id == str(asset_id))
        return await tenant_page(
            info, str(tenant_id), stmt, [ReasonableStep.id],
            first=first, after=after, to_node=step_node)

    @strawberry.field(description="Lifecycle history, oldest first.",
                      extensions=requires(LIFECYCLE, "read"))
    async def data_lifecycle_events(self, info: Info, tenant_id: ID,
                                    asset_id: ID | None = None, first: int = 50,
                                    after: str | None = None
                                    ) -> Connection[LifecycleEventType]:
        stmt = select(LifecycleEvent)
        if asset_id:
            stmt = stmt.where(LifecycleEvent.asset_id == str(asset_id))
        return await tenant_page(
            info, str(tenant_id), stmt, [LifecycleEvent.id],
            first=first, after=after, to_node=event_node)

    @strawberry.field(description="Destruction requests, by status.",
                      extensions=requires(LIFECYCLE, "read"))
    async def data_destruction_requests(self, info: Info, tenant_id: ID,
                                        status: str | None = None, first: int = 50,
                                        after: str | None = None
                                        ) -> Connection[DestructionRequestType]:
        stmt = select(DestructionRequest)
        if status:
            stmt = stmt.where(DestructionRequest.status == status)
        return await tenant_page(
            info, str(tenant_id), stmt, [DestructionRequest.id],
            first=first, after=after, to_node=request_node)


@strawberry.type
class ProtectionMutation:
    @strawberry.mutation(description="Record evidence of a reasonable step for a trade secret.",
                         extensions=requires(TRADE_SECRET, "record_step"))
    async def record_trade_secret_step(self, info: Info, tenant_id: ID,
                                       input: ReasonableStepInput  # noqa: A002
                                       ) -> ReasonableStepPayload:
        actor = info.context.actor

        async def work(s: AsyncSession) -> Any:
            return await record_step(s, input_values(input, nested=True), actor=actor,
                                     today=utcnow().date())

        return await mutate(
            info, str(tenant_id), ReasonableStepPayload, "step", work,
            action="data_governance.trade_secret.step_recorded", object_type=TRADE_SECRET,
            to_node=step_node, errors=payload_errors)

    @strawberry.mutation(description="Move an asset to another lifecycle stage (destruction "
                         "goes through a request instead).",
                         extensions=requires(LIFECYCLE, "transition"))
    async def transition_data_asset(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                    stage: str, reason: str = "") -> LifecyclePayload:
        actor = info.context.actor

        async def work(s: AsyncSession) -> Any:
            asset = await get(s, DataAsset, str(id), "data asset")
            await lifecycle.transition(s, asset, stage, actor=actor, reason=reason)
            return asset

        return await mutate(
            info, str(tenant_id), LifecyclePayload, "asset", work,
            action="data_governance.asset.transitioned", object_type=LIFECYCLE, to_node=asset_node,
            errors=payload_errors, details=lambda n: {"stage": n.lifecycle_stage})

    @strawberry.mutation(description="Ask for an asset's destruction; another person approves.",
                         extensions=requires(LIFECYCLE, "request_destruction"))
    async def request_data_asset_destruction(self, info: Info, tenant_id: ID, asset_id: ID,
                                             reason: str) -> DestructionRequestPayload:
        actor = info.context.actor

        async def work(s: AsyncSession) -> Any:
            asset = await get(s, DataAsset, str(asset_id), "data asset", "assetId")
            request = await lifecycle.request_destruction(s, asset, actor=actor, reason=reason)
            return request

        return await mutate(
            info, str(tenant_id), DestructionRequestPayload, "request", work,
            action="data_governance.destruction.requested", object_type=LIFECYCLE,
            to_node=request_node, errors=payload_errors)

    @strawberry.mutation(description="Approve or reject a destruction request (not your own; "
                         "where the asset or its domain names holders of the "
                         "approve_destruction right, only they may). The lifecycle sweep "
                         "executes approved requests.",
                         extensions=requires(LIFECYCLE, "approve_destruction"))
    async def decide_data_asset_destruction(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                            approve: bool, note: str = ""
                                            ) -> DestructionRequestPayload:
        actor = info.context.actor

        async def work(s: AsyncSession) -> Any:
            request = await get(s, DestructionRequest, str(id), "destruction request")
            asset = await get(s, DataAsset, request.asset_id, "data asset")
            allowed = await holders(s, asset, "approve_destruction")
            if allowed and actor not in allowed:
                raise Forbidden("only the holders of the approve_destruction right for this "
                                "asset may decide", code="DECISION_RIGHT_REQUIRED")
            request = await lifecycle.approve_destruction(s, request, actor=actor,
                                                          approve=approve, note=note)
            return request

        return await mutate(
            info, str(tenant_id), DestructionRequestPayload, "request", work,
            action="data_governance.destruction.decided", object_type=LIFECYCLE,
            to_node=request_node, errors=payload_errors, details=lambda n: {"status": n.status})

    @strawberry.mutation(description="Start one of the plugin's worker jobs now.",
                         extensions=requires(LIFECYCLE, "run_jobs"))
    async def start_data_governance_job(self, info: Info, tenant_id: ID,
                                        kind: DataGovernanceJob,
                                        archive_after_days: int | None = None
                                        ) -> DataGovernanceJobPayload:
        ctx = info.context
        params = {"archiveAfterDays": archive_after_days} if archive_after_days else {}

        async def run() -> DataGovernanceJobPayload:  # enqueue_job audits the request itself
            job = await enqueue_job(ctx.platform, tenant_id=str(tenant_id), kind=kind.value,
                                    params=params, actor=ctx.actor)
            return DataGovernanceJobPayload(job_id=ID(job.id))

        return await errors_as_data(DataGovernanceJobPayload, run, errors=payload_errors)
