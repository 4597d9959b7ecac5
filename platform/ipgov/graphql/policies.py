"""Authorization in GraphQL: a tenant's rules, your effective permissions, policy changes."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.authz import store
from ipgov.authz.models import AuthzRule
from ipgov.authz.store import PolicyRule
from ipgov.errors import DomainError, InvalidInput
from ipgov.tenancy import services
from ipgov.validation import filter_value

from .cursors import list_kind
from .errors import UserError, user_errors
from .kit import max_page_size
from .pagination import Connection, Edge, PageInfo, check_page_size, decode_cursor, encode_cursor
from .permissions import requires
from .types import PermissionType, PolicyRuleType

__all__ = ["PolicyMutation", "PolicyQuery"]


def _rule_node(r: AuthzRule) -> PolicyRuleType:
    return PolicyRuleType(id=strawberry.ID(r.id), tenant_id=strawberry.ID(r.tenant_id),
                          subject=r.v0, object=r.v1, action=r.v2, effect=r.v3, origin=r.origin,
                          applies_to_subsidiaries=r.template, active=r.active)


def _set_rule_node(ref: AuthzRule, rule: store.SetRule) -> PolicyRuleType:
    """A rule the tenant holds by reference to a rule set, named ``<reference>:<rule key>``."""
    subject, obj, action, effect = rule
    return PolicyRuleType(id=strawberry.ID(f"{ref.id}:{store.rule_key(rule)}"),
                          tenant_id=strawberry.ID(ref.tenant_id), subject=subject, object=obj,
                          action=action, effect=effect, origin=ref.origin,
                          applies_to_subsidiaries=ref.template, active=ref.active)


async def _tenant_rules(info: Info, tenant_id: str) -> list[PolicyRuleType]:
    """Every ``p`` rule of the tenant, its own rows and those of the sets it references.

    The tenant's session (row-level security) reads its rows, references included; the rules
    of those sets come from the process's copy (``AuthzService.rule_set``), so a tenant sees
    the sets it references and no other."""
    ctx = info.context
    async with ctx.session(tenant_id) as session:
        rows = list((await session.execute(select(AuthzRule).where(
            AuthzRule.ptype.in_(("p", store.SET))))).scalars())
    nodes = [_rule_node(r) for r in rows if r.ptype == "p"]
    for ref in rows:
        if ref.ptype == store.SET:
            nodes += [_set_rule_node(ref, rule)
                      for rule in await ctx.platform.authz.rule_set(ref.v0)]
    return sorted(nodes, key=lambda n: str(n.id))


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
        check_page_size(first, max_page_size(info))
        kind = list_kind([AuthzRule.id])  # the cursors of the rows-only list stay valid
        start = decode_cursor(after, 1, kind)[0] if after else None
        nodes = [n for n in await _tenant_rules(info, str(tenant_id))
                 if start is None or str(n.id) > start]
        edges = [Edge(cursor=encode_cursor([str(n.id)], kind), node=n) for n in nodes[:first]]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=len(nodes) > first, end_cursor=edges[-1].cursor if edges else None))

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
