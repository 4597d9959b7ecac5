"""Whether AI assistants may change a tenant's records: read and set by its administrators
(the assistant server refuses write tools where it is off: ipgov.assistant)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ipgov.errors import NotFound
from ipgov.tenancy.assistant import AssistantWrites, assistant_writes, set_assistant_writes
from ipgov.tenancy.models import Tenant

from .errors import UserError
from .permissions import requires

__all__ = ["AssistantPolicyMutation", "AssistantPolicyQuery"]


@strawberry.type(name="AssistantPolicy", description="Whether AI assistants' write tools "
                 "(ipgov mcp, /mcp) may change records in a tenant. Read tools are governed "
                 "by the caller's own rights alone.")
class AssistantPolicyType:
    setting: bool | None = strawberry.field(description="The tenant's own choice; null "
                                            "leaves it to the tenant above (allowed at the top).")
    writes_allowed: bool = strawberry.field(description="In effect: false when this tenant or "
                                            "one above it switched writes off.")
    decided_by: str | None = strawberry.field(description="The slug of the tenant whose 'off' "
                                              "applies, when writes are off.")


@strawberry.type(description="The policy after the change, or why not.")
class AssistantPolicyPayload:
    policy: AssistantPolicyType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _node(found: AssistantWrites) -> AssistantPolicyType:
    return AssistantPolicyType(setting=found.setting, writes_allowed=found.allowed,
                               decided_by=found.decided_by)


async def _tenant(session: object, tenant_id: str) -> Tenant:
    tenant = await session.get(Tenant, tenant_id)  # type: ignore[attr-defined]
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} not found")
    return tenant


@strawberry.type
class AssistantPolicyQuery:
    @strawberry.field(description="Whether AI assistants may change records in the tenant.",
                      extensions=requires("ipgov:tenant", "read"))
    async def assistant_policy(self, info: Info, tenant_id: strawberry.ID
                               ) -> AssistantPolicyType:
        async with info.context.system_session("graphql: assistant policy") as session:
            return _node(await assistant_writes(session, await _tenant(session, str(tenant_id))))


@strawberry.type
class AssistantPolicyMutation:
    @strawberry.mutation(description="Allow (true), refuse (false) or inherit (null) AI "
                         "assistants' write tools in the tenant; a refusal binds every tenant "
                         "below it. Audited.", extensions=requires("ipgov:tenant", "update"))
    async def set_assistant_writes(self, info: Info, tenant_id: strawberry.ID,
                                   allowed: bool | None = None) -> AssistantPolicyPayload:
        ctx = info.context
        async with ctx.system_session("graphql: set assistant policy") as session:
            tenant = await _tenant(session, str(tenant_id))
            found = await set_assistant_writes(ctx.platform, session, tenant, allowed, ctx.actor)
        return AssistantPolicyPayload(policy=_node(found))
