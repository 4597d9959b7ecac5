"""Tenants in GraphQL: listing, onboarding, governance modes, status and mergers."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info
from strawberry.types.nodes import InlineFragment

from ipgov.errors import DomainError, Forbidden
from ipgov.tenancy import mergers, services
from ipgov.tenancy.models import Tenant

from .errors import UserError, user_errors
from .kit import page_in
from .pagination import Connection
from .permissions import check_permission, requires, requires_any
from .types import GovernanceModeEnum, TenantType, prefetch_parents, tenant_node

__all__ = ["TenancyMutation", "TenancyQuery"]



@strawberry.type
class TenancyQuery:
    @strawberry.field(description="Tenants you may read, in slug order.",
                      extensions=requires_any("ipgov:tenant", "read"))
    async def tenants(
        self, info: Info, first: int = 50, after: str | None = None,
        root_id: strawberry.ID | None = None,
    ) -> Connection[TenantType]:
        ctx = info.context
        where = ctx.platform.authz.tenants_where(ctx.require_principal().subject,
                                                 "ipgov:tenant", "read")
        stmt = select(Tenant).where(Tenant.kind != "platform")
        if where is not None:
            stmt = stmt.where(Tenant.id.in_(sorted(where)))
        if root_id:
            stmt = stmt.where(Tenant.root_id == str(root_id))
        rows: list[Tenant] = []

        def node(tenant: Tenant) -> Any:
            rows.append(tenant)
            return tenant_node(tenant)

        async with ctx.system_session("graphql: tenants (filtered by authorization)") as s:
            page = await page_in(
                info, s, stmt, [Tenant.slug], first=first, after=after,
                to_node=node,
                key=lambda t: [t.slug],
            )
            if "parent" in _selected_fields(info):
                await prefetch_parents(info, s, rows)
        return page

    @strawberry.field(description="One tenant by id.",
                      extensions=requires("ipgov:tenant", "read", tenant="id"))
    async def tenant(self, info: Info, id: strawberry.ID) -> TenantType:  # noqa: A002
        async with info.context.system_session("graphql: tenant by id") as session:
            return tenant_node(await session.get(Tenant, str(id)))


def _selected_fields(info: Info) -> set[str]:
    """Names of the fields selected under ``edges { node { … } }`` (for prefetching)."""
    names: set[str] = set()
    stack = list(info.selected_fields)
    while stack:
        field = stack.pop()
        if not isinstance(field, InlineFragment):  # `... on Tenant { }` has no name
            names.add(field.name)
        stack.extend(getattr(field, "selections", []) or [])
    return names


@strawberry.input(description="A new subsidiary under an existing group or subsidiary.")
class OnboardSubsidiaryInput:
    parent_id: strawberry.ID
    slug: str
    name: str
    governance_mode: GovernanceModeEnum | None = strawberry.field(
        default=None, description="How the new tenant governs its own subsidiaries; "
        "defaults to the parent's.")
    plugins: list[str] | None = strawberry.field(
        default=None, description="Plugins to enable; defaults to the parent's.")


@strawberry.type(description="The tenant created or changed, or why nothing changed.")
class TenantPayload:
    tenant: TenantType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _run(info: Info, reason: str, action) -> TenantPayload:
    """Run a tenancy service in one system transaction; domain errors become data."""
    ctx = info.context
    try:
        async with ctx.system_session(reason) as session:
            tenant = await action(ctx, session)
            node = tenant_node(tenant)
    except Forbidden:
        raise
    except DomainError as exc:
        return TenantPayload(errors=user_errors(exc))
    await ctx.platform.authz.refresh()
    return TenantPayload(tenant=node)


def _require(info: Info, tenant_id: str, obj: str, action: str, of_parent: bool = False) -> None:
    check_permission(info, tenant_id, obj, action, of_parent=of_parent)  # unknown ids alike


@strawberry.type
class TenancyMutation:
    @strawberry.mutation(description="Create a corporate group (platform administrators).",
                         extensions=requires("ipgov:tenant", "create",
                                             tenant=lambda _s, _k: _platform_id()))
    async def create_group(
        self, info: Info, slug: str, name: str,
        governance_mode: GovernanceModeEnum = GovernanceModeEnum.HYBRID,
    ) -> TenantPayload:
        return await _run(info, "graphql: create group", lambda ctx, s: services.create_group(
            ctx.platform, s, slug=slug, name=name, actor=ctx.actor,
            governance_mode=governance_mode.value))

    @strawberry.mutation(description="Onboard a subsidiary: tenant, policies for the group's "
                         "mode, plugin defaults and an audit event, in one transaction.",
                         extensions=requires("ipgov:tenant", "create", tenant="input.parentId"))
    async def onboard_subsidiary(self, info: Info, input: OnboardSubsidiaryInput) -> TenantPayload:  # noqa: A002
        return await _run(info, "graphql: onboard", lambda ctx, s: services.onboard_subsidiary(
            ctx.platform, s, parent_id=str(input.parent_id), slug=input.slug, name=input.name,
            actor=ctx.actor,
            governance_mode=input.governance_mode.value if input.governance_mode else None,
            plugins=input.plugins))

    @strawberry.mutation(description="Suspend, archive or reactivate a tenant (decided by its "
                         "parent); all data is kept.",
                         extensions=requires("ipgov:tenant", "suspend", of_parent=True))
    async def set_tenant_status(
        self, info: Info, tenant_id: strawberry.ID, status: str
    ) -> TenantPayload:
        return await _run(info, "graphql: tenant status", lambda ctx, s: services.set_status(
            ctx.platform, s, tenant_id=str(tenant_id), status=status, actor=ctx.actor))

    @strawberry.mutation(description="Absorption: move every row of the absorbed tenant into "
                         "the absorbing one; the absorbed stays as history.",
                         extensions=requires("ipgov:tenant", "merge", tenant="absorbingId"))
    async def absorb_tenant(
        self, info: Info, absorbing_id: strawberry.ID, absorbed_id: strawberry.ID
    ) -> TenantPayload:
        _require(info, str(absorbed_id), "ipgov:tenant", "merge", of_parent=True)

        async def action(ctx, s):
            await mergers.absorb(ctx.platform, s, absorbing_id=str(absorbing_id),
                                 absorbed_id=str(absorbed_id), actor=ctx.actor)
            return await s.get(Tenant, str(absorbing_id))

        return await _run(info, "graphql: absorb", action)

    @strawberry.mutation(description="Parallel reporting: the acquired entity joins the tree "
                         "under a parent, keeping its own IP department and data.",
                         extensions=requires("ipgov:tenant", "merge", tenant="parentId"))
    async def join_parallel_reporting(
        self, info: Info, parent_id: strawberry.ID, acquired_id: strawberry.ID
    ) -> TenantPayload:
        _require(info, str(acquired_id), "ipgov:tenant", "merge")
        return await _run(info, "graphql: parallel reporting",
                          lambda ctx, s: mergers.join_parallel_reporting(
                              ctx.platform, s, parent_id=str(parent_id),
                              acquired_id=str(acquired_id), actor=ctx.actor))


def _platform_id() -> str:
    from ipgov.tenancy.models import PLATFORM_TENANT_ID

    return PLATFORM_TENANT_ID
