"""Governance modes in GraphQL: preview a change (who gains and loses what), then make it."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ipgov.errors import DomainError, Forbidden
from ipgov.tenancy import services
from ipgov.tenancy.effects import ModeEffect, TenantEffect
from ipgov.tenancy.models import Tenant

from .errors import UserError, user_errors
from .permissions import requires
from .types import GovernanceModeEnum, PermissionType, TenantType, tenant_node

__all__ = ["GovernanceModeMutation", "GovernanceModeQuery", "TenantModeEffectType",
           "tenant_effect_node"]


@strawberry.type(name="AccessChange", description="Members who hold the same roles, and the "
                 "rights they gain and lose in one tenant.")
class AccessChangeType:
    roles: list[str] = strawberry.field(description="The roles they hold, as role@tenant-slug.")
    members: list[str] = strawberry.field(description="Up to 20 of them (e-mail or service "
                                          "account), where you may read the tenant's members.")
    member_count: int
    gained: list[PermissionType]
    lost: list[PermissionType]


@strawberry.type(name="TenantModeEffect", description="What a mode change does in one tenant.")
class TenantModeEffectType:
    tenant_id: strawberry.ID
    slug: str
    plugins_enabled: list[str] = strawberry.field(description="Plugins that come into effect.")
    plugins_disabled: list[str] = strawberry.field(description="Plugins that go out of effect "
                                                   "(their data is kept).")
    changes: list[AccessChangeType]


@strawberry.type(name="GovernanceModeEffect", description="The effect of a governance-mode "
                 "change, measured per tenant of the subtree (tenants where nothing changes "
                 "are left out).")
class GovernanceModeEffectType:
    tenant_id: strawberry.ID
    slug: str
    from_mode: GovernanceModeEnum
    to_mode: GovernanceModeEnum
    rules_copied: int = strawberry.field(description="Group baseline rules now copied in.")
    rules_removed: int = strawberry.field(description="Copied group rules taken out.")
    local_rules_on: int = strawberry.field(description="Subsidiaries' own rules switched on.")
    local_rules_off: int = strawberry.field(description="Subsidiaries' own rules switched off.")
    supervision_kept: bool = strawberry.field(description="True when everyone who supervised "
                                              "a tenant of the subtree still does.")
    tenants: list[TenantModeEffectType]


def tenant_effect_node(info: Info, effect: TenantEffect) -> TenantModeEffectType:
    """One tenant's measured effect (a mode change, a merger), member names where visible."""
    ctx = info.context
    names_visible = ctx.platform.authz.enforce(ctx.require_principal().subject,
                                               effect.tenant_id, "ipgov:member", "read")
    changes = [AccessChangeType(
        roles=list(c.roles), members=list(c.members) if names_visible else [],
        member_count=c.member_count,
        gained=[PermissionType(object=o, action=a) for o, a in c.gained],
        lost=[PermissionType(object=o, action=a) for o, a in c.lost],
    ) for c in effect.changes]
    return TenantModeEffectType(
        tenant_id=strawberry.ID(effect.tenant_id), slug=effect.slug,
        plugins_enabled=list(effect.plugins_enabled),
        plugins_disabled=list(effect.plugins_disabled), changes=changes)


def effect_node(info: Info, effect: ModeEffect) -> GovernanceModeEffectType:
    """The GraphQL view of a measured mode change."""
    counts = effect.policies
    return GovernanceModeEffectType(
        tenant_id=strawberry.ID(effect.tenant_id), slug=effect.slug,
        from_mode=GovernanceModeEnum(effect.from_mode), to_mode=GovernanceModeEnum(effect.to_mode),
        rules_copied=counts.get("copied", 0), rules_removed=counts.get("removed", 0),
        local_rules_on=counts.get("local_on", 0), local_rules_off=counts.get("local_off", 0),
        supervision_kept=effect.supervision_kept,
        tenants=[tenant_effect_node(info, t) for t in effect.tenants])


@strawberry.type(description="The tenant whose mode changed and the effect, or why nothing "
                 "changed.")
class GovernanceModePayload:
    tenant: TenantType | None = None
    effect: GovernanceModeEffectType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GovernanceModeQuery:
    @strawberry.field(description="What changing the tenant's governance mode would do, per "
                      "tenant below it: who gains and loses which rights, which plugins come "
                      "into or go out of effect. Nothing is stored.",
                      extensions=requires("ipgov:tenant", "update"))
    async def preview_governance_mode(
        self, info: Info, tenant_id: strawberry.ID, mode: GovernanceModeEnum
    ) -> GovernanceModeEffectType:
        effect = await services.preview_governance_mode(
            info.context.platform, tenant_id=str(tenant_id), mode=mode.value)
        return effect_node(info, effect)


@strawberry.type
class GovernanceModeMutation:
    @strawberry.mutation(description="Change how a tenant governs its subsidiaries; their "
                         "effective policies and plugins are recomputed and the effect (as "
                         "previewGovernanceMode shows it) is returned and audited.",
                         extensions=requires("ipgov:tenant", "update"))
    async def set_governance_mode(
        self, info: Info, tenant_id: strawberry.ID, mode: GovernanceModeEnum
    ) -> GovernanceModePayload:
        ctx = info.context
        try:
            async with ctx.system_session("graphql: governance mode") as session:
                effect = await services.change_governance_mode(
                    ctx.platform, session, tenant_id=str(tenant_id), mode=mode.value,
                    actor=ctx.actor)
                node = tenant_node(await session.get(Tenant, str(tenant_id)))
            shown = effect_node(info, effect)  # names shown as visible before the change
        except Forbidden:
            raise
        except DomainError as exc:
            return GovernanceModePayload(errors=user_errors(exc))
        await ctx.platform.authz.refresh()
        return GovernanceModePayload(tenant=node, effect=shown)
