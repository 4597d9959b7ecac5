"""GraphQL of protection and lifecycle: reasonable steps of trade secrets, lifecycle
transitions, destruction requests with approvals, and starting the plugin's jobs."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import Connection, DomainError, Forbidden, enqueue_job, requires, utcnow

from ..catalog.models import DataAsset
from ..common import get, mutate, page, payload_errors, to_dict
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
        return await page(info, tenant_id, stmt, [ReasonableStep.id], first, after, step_node)

    @strawberry.field(description="Lifecycle history, oldest first.",
                      extensions=requires(LIFECYCLE, "read"))
    async def data_lifecycle_events(self, info: Info, tenant_id: ID,
                                    asset_id: ID | None = None, first: int = 50,
                                    after: str | None = None
                                    ) -> Connection[LifecycleEventType]:
        stmt = select(LifecycleEvent)
        if asset_id:
            stmt = stmt.where(LifecycleEvent.asset_id == str(asset_id))
        return await page(info, tenant_id, stmt, [LifecycleEvent.id], first,
                          after, event_node)

    @strawberry.field(description="Destruction requests, by status.",
                      extensions=requires(LIFECYCLE, "read"))
    async def data_destruction_requests(self, info: Info, tenant_id: ID,
                                        status: str | None = None, first: int = 50,
                                        after: str | None = None
                                        ) -> Connection[DestructionRequestType]:
        stmt = select(DestructionRequest)
        if status:
            stmt = stmt.where(DestructionRequest.status == status)
        return await page(info, tenant_id, stmt, [DestructionRequest.id], first, after,
                          request_node)


@strawberry.type
class ProtectionMutation:
    @strawberry.mutation(description="Record evidence of a reasonable step for a trade secret.",
                         extensions=requires(TRADE_SECRET, "record_step"))
    async def record_trade_secret_step(self, info: Info, tenant_id: ID,
                                       input: ReasonableStepInput  # noqa: A002
                                       ) -> ReasonableStepPayload:
        actor = info.context.actor

        async def work(s: AsyncSession) -> tuple[str, Any]:
            step = await record_step(s, to_dict(input), actor=actor, today=utcnow().date())
            return step.id, step_node(step)

        return await mutate(info, tenant_id, "trade_secret.step_recorded", TRADE_SECRET, work,
                            ReasonableStepPayload, "step")

    @strawberry.mutation(description="Move an asset to another lifecycle stage (destruction "
                         "goes through a request instead).",
                         extensions=requires(LIFECYCLE, "transition"))
    async def transition_data_asset(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                    stage: str, reason: str = "") -> LifecyclePayload:
        actor = info.context.actor

        async def work(s: AsyncSession) -> tuple[str, Any]:
            asset = await get(s, DataAsset, str(id), "data asset")
            await lifecycle.transition(s, asset, stage, actor=actor, reason=reason)
            return asset.id, asset_node(asset)

        return await mutate(info, tenant_id, "asset.transitioned", LIFECYCLE, work,
                            LifecyclePayload, "asset", lambda n: {"stage": n.lifecycle_stage})

    @strawberry.mutation(description="Ask for an asset's destruction; another person approves.",
                         extensions=requires(LIFECYCLE, "request_destruction"))
    async def request_data_asset_destruction(self, info: Info, tenant_id: ID, asset_id: ID,
                                             reason: str) -> DestructionRequestPayload:
        actor = info.context.actor

        async def work(s: AsyncSession) -> tuple[str, Any]:
            asset = await get(s, DataAsset, str(asset_id), "data asset", "assetId")
            request = await lifecycle.request_destruction(s, asset, actor=actor, reason=reason)
            return request.id, request_node(request)

        return await mutate(info, tenant_id, "destruction.requested", LIFECYCLE, work,
                            DestructionRequestPayload, "request")

    @strawberry.mutation(description="Approve or reject a destruction request (not your own; "
                         "where the asset or its domain names holders of the "
                         "approve_destruction right, only they may). The lifecycle sweep "
                         "executes approved requests.",
                         extensions=requires(LIFECYCLE, "approve_destruction"))
    async def decide_data_asset_destruction(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                            approve: bool, note: str = ""
                                            ) -> DestructionRequestPayload:
        actor = info.context.actor

        async def work(s: AsyncSession) -> tuple[str, Any]:
            request = await get(s, DestructionRequest, str(id), "destruction request")
            asset = await get(s, DataAsset, request.asset_id, "data asset")
            allowed = await holders(s, asset, "approve_destruction")
            if allowed and actor not in allowed:
                raise Forbidden("only the holders of the approve_destruction right for this "
                                "asset may decide", code="DECISION_RIGHT_REQUIRED")
            request = await lifecycle.approve_destruction(s, request, actor=actor,
                                                          approve=approve, note=note)
            return request.id, request_node(request)

        return await mutate(info, tenant_id, "destruction.decided", LIFECYCLE, work,
                            DestructionRequestPayload, "request",
                            lambda n: {"status": n.status})

    @strawberry.mutation(description="Start one of the plugin's worker jobs now.",
                         extensions=requires(LIFECYCLE, "run_jobs"))
    async def start_data_governance_job(self, info: Info, tenant_id: ID,
                                        kind: DataGovernanceJob,
                                        archive_after_days: int | None = None
                                        ) -> DataGovernanceJobPayload:
        ctx = info.context
        params = {"archiveAfterDays": archive_after_days} if archive_after_days else {}
        try:
            job = await enqueue_job(ctx.platform, tenant_id=str(tenant_id),
                                        kind=kind.value, params=params, actor=ctx.actor)
        except DomainError as exc:
            return DataGovernanceJobPayload(errors=payload_errors(exc))
        return DataGovernanceJobPayload(job_id=ID(job.id))
