"""GraphQL of the technical solution <-> IP mapping and of pre-publication checks."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import (
    Connection,
    errors_as_data,
    input_values,
    mutate,
    requires,
    tenant_page,
)

from ..common import payload_errors
from ..mapping import services
from ..mapping.models import IpInventoryItem, SolutionLink, TechnicalSolution
from ..permissions import SOLUTION
from .types import (
    IpInventoryItemType,
    SolutionLinkPayload,
    SolutionLinkType,
    TechnicalSolutionInput,
    TechnicalSolutionPayload,
    TechnicalSolutionType,
    inventory_node,
    link_node,
    solution_node,
)

__all__ = ["MappingMutation", "MappingQuery"]

ID = strawberry.ID


@strawberry.type
class MappingQuery:
    @strawberry.field(description="Technical solutions from R&D projects and products.",
                      extensions=requires(SOLUTION, "read"))
    async def technical_solutions(self, info: Info, tenant_id: ID,
                                  source_kind: str | None = None, first: int = 50,
                                  after: str | None = None
                                  ) -> Connection[TechnicalSolutionType]:
        stmt = select(TechnicalSolution)
        if source_kind:
            stmt = stmt.where(TechnicalSolution.source_kind == source_kind)
        return await tenant_page(
            info, str(tenant_id), stmt, [TechnicalSolution.code],
            first=first, after=after, to_node=solution_node)

    @strawberry.field(description="Links from solutions to IP objects (patents, "
                      "applications, trade secrets of any plugin).",
                      extensions=requires(SOLUTION, "read"))
    async def technical_solution_links(self, info: Info, tenant_id: ID,
                                       solution_id: ID | None = None, first: int = 50,
                                       after: str | None = None
                                       ) -> Connection[SolutionLinkType]:
        stmt = select(SolutionLink)
        if solution_id:
            stmt = stmt.where(SolutionLink.solution_id == str(solution_id))
        return await tenant_page(
            info, str(tenant_id), stmt, [SolutionLink.id],
            first=first, after=after, to_node=link_node)

    @strawberry.field(description="The IP inventory as last synced from every plugin.",
                      extensions=requires(SOLUTION, "read"))
    async def ip_inventory(self, info: Info, tenant_id: ID, kind: str | None = None,
                           first: int = 50, after: str | None = None
                           ) -> Connection[IpInventoryItemType]:
        stmt = select(IpInventoryItem)
        if kind:
            stmt = stmt.where(IpInventoryItem.kind == kind)
        return await tenant_page(
            info, str(tenant_id), stmt, [IpInventoryItem.id],
            first=first, after=after, to_node=inventory_node)


@strawberry.type
class MappingMutation:
    @strawberry.mutation(description="Add a technical solution.",
                         extensions=requires(SOLUTION, "create"))
    async def create_technical_solution(self, info: Info, tenant_id: ID,
                                        input: TechnicalSolutionInput  # noqa: A002
                                        ) -> TechnicalSolutionPayload:
        return await mutate(
            info, str(tenant_id), TechnicalSolutionPayload, "solution",
            lambda s: services.create_solution(s, input_values(input, nested=True)),
            action="data_governance.solution.created", object_type=SOLUTION, to_node=solution_node,
            errors=payload_errors)

    @strawberry.mutation(description="Link a solution to an IP object `(plugin, objectId)`; "
                         "the object must exist in this tenant (asked through the plugins' "
                         "list_ip_objects).", extensions=requires(SOLUTION, "link"))
    async def link_technical_solution(self, info: Info, tenant_id: ID, solution_id: ID,
                                      plugin: str, object_id: str) -> SolutionLinkPayload:
        ctx = info.context

        async def run() -> SolutionLinkPayload:
            obj = await services.find_ip_object(ctx.platform, str(tenant_id), plugin, object_id)

            async def work(s: AsyncSession) -> Any:
                row = await services.link(s, str(solution_id), obj, actor=ctx.actor)
                await s.flush()
                return row

            return await mutate(
                info, str(tenant_id), SolutionLinkPayload, "link", work,
                action="data_governance.solution.linked", object_type=SOLUTION,
                to_node=link_node, errors=payload_errors,
                details=lambda row: {"plugin": row.plugin, "object_id": row.object_id})

        return await errors_as_data(SolutionLinkPayload, run, errors=payload_errors)

    @strawberry.mutation(description="Remove a link between a solution and an IP object.",
                         extensions=requires(SOLUTION, "link"))
    async def unlink_technical_solution(self, info: Info, tenant_id: ID, link_id: ID
                                        ) -> SolutionLinkPayload:
        return await mutate(
            info, str(tenant_id), SolutionLinkPayload, "link",
            lambda s: services.unlink(s, str(link_id)),
            action="data_governance.solution.unlinked", object_type=SOLUTION,
            object_id=lambda _: str(link_id), to_node=lambda _: None, errors=payload_errors)
