"""Plugins per tenant in GraphQL: which are in effect and why, enabling and disabling them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry.types import Info

from ipgov.errors import DomainError
from ipgov.tenancy import enablement
from ipgov.tenancy.models import Tenant

from .errors import UserError, user_errors
from .permissions import requires
from .types import TenantType, tenant_node

__all__ = ["PluginMutation", "PluginQuery"]


@strawberry.type(name="TenantPlugin", description="An installed plugin and its state in one "
                 "tenant.")
class TenantPluginType:
    name: str
    version: str
    description: str
    enabled: bool = strawberry.field(description="In effect here: its fields answer.")
    own_choice: bool = strawberry.field(description="Enabled by (or for) this tenant itself.")
    imposed: bool = strawberry.field(description="Imposed by the group's baseline (centralized "
                                     "or hybrid); only the group can disable it.")
    applies_to_subsidiaries: bool = strawberry.field(description="Part of this tenant's own "
                                                     "baseline for its subsidiaries.")
    provisioned: bool = strawberry.field(description="Its defaults were seeded here "
                                         "(on_tenant_created ran).")


@strawberry.type(name="PluginChange", description="Plugins that came into or went out of "
                 "effect in one tenant.")
class PluginChangeType:
    tenant_slug: str
    enabled: list[str]
    disabled: list[str]
    provisioned: list[str]


@strawberry.type(description="The tenant and every tenant the change reached, or why nothing "
                 "changed.")
class PluginPayload:
    tenant: TenantType | None = None
    changes: list[PluginChangeType] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


def _changes(result: enablement.PluginChanges) -> list[PluginChangeType]:
    slugs = sorted(set(result.enabled) | set(result.disabled) | set(result.provisioned))
    return [PluginChangeType(tenant_slug=s, enabled=result.enabled.get(s, []),
                             disabled=result.disabled.get(s, []),
                             provisioned=result.provisioned.get(s, [])) for s in slugs]


def _acting_from_group(info: Info, tenant_id: str) -> bool:
    """True when the caller may change plugins one level up (the group decides)."""
    ctx = info.context
    tenant = ctx.platform.authz.tenant_info(tenant_id)
    if tenant is None or not tenant.parent_id:
        return False
    return ctx.platform.authz.enforce(ctx.require_principal().subject, tenant.parent_id,
                                      "ipgov:plugin", "update")


Change = Callable[..., Awaitable[enablement.PluginChanges]]


async def _change(info: Info, change: Change, tenant_id: str, plugin: str,
                  subtree: bool) -> PluginPayload:
    """Run ``enable_plugin`` or ``disable_plugin`` in one transaction; errors become data."""
    ctx = info.context
    try:
        async with ctx.system_session(f"graphql: plugin {plugin}") as session:
            result = await change(ctx.platform, session, tenant_id=tenant_id, plugin=plugin,
                                  actor=ctx.actor, apply_to_subsidiaries=subtree,
                                  acting_from_group=_acting_from_group(info, tenant_id))
            node = tenant_node(await session.get(Tenant, tenant_id))
    except DomainError as exc:
        if exc.code == "FORBIDDEN":
            raise
        return PluginPayload(errors=user_errors(exc))
    await ctx.platform.authz.refresh()
    return PluginPayload(tenant=node, changes=_changes(result))


@strawberry.type
class PluginQuery:
    @strawberry.field(description="Every installed plugin and whether it is in effect in the "
                      "tenant, and why (its own choice or the group's baseline).",
                      extensions=requires("ipgov:plugin", "read"))
    async def tenant_plugins(self, info: Info, tenant_id: strawberry.ID) -> list[TenantPluginType]:
        ctx = info.context
        async with ctx.system_session("graphql: tenant plugins") as session:
            tenant = await session.get(Tenant, str(tenant_id))
            imposed = await enablement.imposed_on(session, tenant)
        return [TenantPluginType(
            name=name, version=p.info.version, description=p.info.description,
            enabled=name in tenant.enabled_plugins, own_choice=name in tenant.local_plugins,
            imposed=name in imposed, applies_to_subsidiaries=name in tenant.plugin_baseline,
            provisioned=name in tenant.provisioned_plugins,
        ) for name, p in sorted(ctx.platform.registry.plugins.items())]


@strawberry.type
class PluginMutation:
    @strawberry.mutation(description="Enable an installed plugin for a tenant: its default role "
                         "grants are written and, the first time, its on_tenant_created hook "
                         "seeds the tenant. With applyToSubsidiaries it joins the tenant's "
                         "baseline, in effect in every centrally or hybrid governed tenant "
                         "below. Audited.", extensions=requires("ipgov:plugin", "update"))
    async def enable_plugin(self, info: Info, tenant_id: strawberry.ID, plugin: str,
                            apply_to_subsidiaries: bool = False) -> PluginPayload:
        return await _change(info, enablement.enable_plugin, str(tenant_id), plugin,
                             apply_to_subsidiaries)

    @strawberry.mutation(description="Take a plugin out of effect for a tenant (with "
                         "applyToSubsidiaries, out of its baseline too). Its data and policies "
                         "are kept; its fields answer PLUGIN_DISABLED. Audited.",
                         extensions=requires("ipgov:plugin", "update"))
    async def disable_plugin(self, info: Info, tenant_id: strawberry.ID, plugin: str,
                             apply_to_subsidiaries: bool = False) -> PluginPayload:
        return await _change(info, enablement.disable_plugin, str(tenant_id), plugin,
                             apply_to_subsidiaries)
