"""Authorization in GraphQL: a tenant's rules, your effective permissions, policy changes."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.authz.models import AuthzRule
from ipgov.authz.store import PolicyRule
from ipgov.errors import DomainError, InvalidInput
from ipgov.tenancy import services
from ipgov.validation import filter_value

from .errors import UserError, user_errors
from .kit import page_in
from .pagination import Connection
from .permissions import requires
from .types import PermissionType, PolicyRuleType

__all__ = ["PolicyMutation", "PolicyQuery"]


def _rule_node(r: AuthzRule) -> PolicyRuleType:
    return PolicyRuleType(id=strawberry.ID(r.id), tenant_id=strawberry.ID(r.tenant_id),
                          subject=r.v0, object=r.v1, action=r.v2, effect=r.v3, origin=r.origin,
                          applies_to_subsidiaries=r.template, active=r.active)


@strawberry.type(description="The rule added, or why nothing changed.")
class PolicyPayload:
    rule: PolicyRuleType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PolicyQuery:
    @strawberry.field(description="The tenant's authorization rules (role grants and denies).",
                      extensions=requires("ipgov:policy", "read"))
    async def policies(
        self, info: Info, tenant_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> Connection[PolicyRuleType]:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            return await page_in(
                info, session, select(AuthzRule).where(AuthzRule.ptype == "p"),
                [AuthzRule.id], first=first, after=after,
                to_node=_rule_node,
                key=lambda r: [r.id])

    @strawberry.field(description="What you may do in a tenant, with your effective roles.",
                      extensions=requires("ipgov:tenant", "read"))
    def my_permissions(self, info: Info, tenant_id: strawberry.ID) -> list[PermissionType]:
        ctx = info.context
        subject = ctx.require_principal().subject
        authz = ctx.platform.authz
        return [
            PermissionType(object=obj, action=action)
            for obj, perm in sorted(authz.permissions.items())
            for action in perm.actions
            if authz.enforce(subject, str(tenant_id), obj, action)
        ]

    @strawberry.field(description="May you do `action` on `object` in the tenant?",
                      extensions=requires("ipgov:tenant", "read"))
    def can(self, info: Info, tenant_id: strawberry.ID, object: str, action: str) -> bool:  # noqa: A002
        ctx = info.context
        known_permission(ctx.platform, object, action)
        return ctx.platform.authz.enforce(ctx.require_principal().subject, str(tenant_id),
                                          object, action)


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(description="Add an allow or deny rule; with applyToSubsidiaries it "
                         "becomes the baseline of centralized and hybrid subsidiaries.",
                         extensions=requires("ipgov:policy", "update"))
    async def add_policy(
        self, info: Info, tenant_id: strawberry.ID, subject: str, object: str,  # noqa: A002
        action: str, effect: str = "allow", apply_to_subsidiaries: bool = False,
    ) -> PolicyPayload:
        ctx = info.context
        tenant = str(tenant_id)
        from_group = _acting_from_group(info, tenant)
        try:
            async with ctx.system_session("graphql: add policy") as session:
                row = await services.add_policy(
                    ctx.platform, session, tenant_id=tenant,
                    rule=PolicyRule(subject, object, action, effect), actor=ctx.actor,
                    apply_to_subsidiaries=apply_to_subsidiaries, acting_from_group=from_group,
                    granter=ctx.actor)
                node = _rule_node(row)
        except DomainError as exc:
            if exc.code == "FORBIDDEN":
                raise
            return PolicyPayload(errors=user_errors(exc))
        await ctx.platform.authz.refresh()
        return PolicyPayload(rule=node)

    @strawberry.mutation(description="Remove a rule (not the group's baseline).",
                         extensions=requires("ipgov:policy", "update"))
    async def remove_policy(
        self, info: Info, tenant_id: strawberry.ID, rule_id: strawberry.ID
    ) -> PolicyPayload:
        ctx = info.context
        tenant = str(tenant_id)
        try:
            async with ctx.system_session("graphql: remove policy") as session:
                await services.remove_policy(ctx.platform, session, tenant_id=tenant,
                                             rule_id=str(rule_id), actor=ctx.actor,
                                             acting_from_group=_acting_from_group(info, tenant),
                                             granter=ctx.actor)
        except DomainError as exc:
            return PolicyPayload(errors=user_errors(exc))
        await ctx.platform.authz.refresh()
        return PolicyPayload()


def known_permission(platform: Any, obj: str, action: str) -> None:
    """A question about an undeclared object or action is a typo, not a "no": the error
    names what is declared."""
    declared = platform.authz.permissions
    if obj not in declared:
        allowed = ", ".join(sorted(declared))
        raise InvalidInput(f"unknown object {obj!r}: use one of {allowed}",
                           code="UNKNOWN_FILTER_VALUE", field="object",
                           details={"allowed": allowed})
    filter_value(action, declared[obj].actions, "action")


def _acting_from_group(info: Info, tenant_id: str) -> bool:
    """True when the caller may change policies one level up (a group administrator)."""
    ctx = info.context
    tenant = ctx.platform.authz.tenant_info(tenant_id)
    if tenant is None or not tenant.parent_id:
        return False
    return ctx.platform.authz.enforce(ctx.require_principal().subject, tenant.parent_id,
                                      "ipgov:policy", "update")
