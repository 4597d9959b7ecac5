"""Core GraphQL object types (tenants, members, policies; audit types: ``audit_types``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.tenancy.models import Tenant
from ipgov.tenancy.modes import GovernanceMode

from .audit_types import actor_field
from .permissions import requires

__all__ = ["GovernanceModeEnum", "TenantType", "tenant_node"]


strawberry.enum(GovernanceMode, name="GovernanceModeEnum",
                description="How a tenant governs its subsidiaries (IP-CSF GV.OV-03).")
GovernanceModeEnum = GovernanceMode
"""The core's ``GovernanceMode`` (one enum, with its behaviour), registered as the GraphQL
enum ``GovernanceModeEnum`` (``strawberry.enum`` returns the class it registers)."""


@strawberry.type(name="Tenant", description="A corporate group or subsidiary.")
class TenantType:
    id: strawberry.ID
    slug: str
    name: str
    kind: str
    parent_id: strawberry.ID | None
    root_id: strawberry.ID
    depth: int
    governance_mode: GovernanceModeEnum
    status: str
    enabled_plugins: list[str]
    reserved_decisions: list[str]
    created_at: datetime

    @property
    def tenant_id(self) -> str:
        return str(self.id)

    @strawberry.field(description="The parent tenant, if you may read it.",
                      extensions=requires("ipgov:tenant", "read", tenant=lambda s, _k: s.parent_id,
                                          optional=True))
    def parent(self, info: Info) -> TenantType | None:
        # Synchronous when the list resolver prefetched the parents (no coroutine per row:
        # a 1,000-row page pays ~100 ms for those otherwise); a DataLoader otherwise.
        if not self.parent_id:
            return None
        known = prefetched_tenants(info).get(str(self.parent_id))
        if known is not None:
            return tenant_node(known)
        # A coroutine where the annotation says a value: graphql-core awaits what a resolver
        # returns, and strawberry builds the schema from the annotation (no Awaitable in it).
        return self._load_parent(info)  # type: ignore[return-value]

    async def _load_parent(self, info: Info) -> TenantType | None:
        loader = info.context.loader("tenant_by_id", _tenants_by_id(info))
        tenant = await loader.load(str(self.parent_id))
        return tenant_node(tenant) if tenant else None


def prefetched_tenants(info: Info) -> dict[str, Tenant]:
    """Tenant rows a list resolver already loaded in this request, by id."""
    return info.context.loaders.setdefault("tenant_rows", {})


async def prefetch_parents(info: Info, session: Any, tenants: list[Tenant]) -> None:
    """Load the parents of ``tenants`` in one statement for the synchronous ``parent`` field."""
    known = prefetched_tenants(info)
    known.update({t.id: t for t in tenants})
    wanted = {t.parent_id for t in tenants if t.parent_id and t.parent_id not in known}
    if wanted:
        rows = (await session.execute(select(Tenant).where(Tenant.id.in_(sorted(wanted))))
                ).scalars()
        known.update({t.id: t for t in rows})


def _tenants_by_id(info: Info):
    async def batch(ids: list[str]) -> list[Tenant | None]:
        async with info.context.system_session("graphql: tenant loader") as session:
            rows = (await session.execute(select(Tenant).where(Tenant.id.in_(ids)))).scalars()
            found = {t.id: t for t in rows}
        return [found.get(i) for i in ids]

    return batch


def tenant_node(tenant: Tenant) -> TenantType:
    """The GraphQL view of a tenant row."""
    return TenantType(
        id=strawberry.ID(tenant.id), slug=tenant.slug, name=tenant.name, kind=tenant.kind,
        parent_id=strawberry.ID(tenant.parent_id) if tenant.parent_id else None,
        root_id=strawberry.ID(tenant.root_id), depth=tenant.depth,
        governance_mode=GovernanceModeEnum(tenant.governance_mode), status=tenant.status,
        enabled_plugins=list(tenant.enabled_plugins or []),
        reserved_decisions=list(tenant.reserved_decisions or []), created_at=tenant.created_at,
    )


@strawberry.type(name="Membership", description="A user's role in a tenant.")
class MembershipType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    user_id: strawberry.ID
    email: str
    display_name: str
    role: str
    created_at: datetime


@strawberry.type(name="PolicyRule", description="One authorization rule of a tenant.")
class PolicyRuleType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    subject: str
    object: str
    action: str
    effect: str
    origin: str = strawberry.field(
        description="default, local, group:<tenant id> (the group's baseline) or membership")
    applies_to_subsidiaries: bool
    active: bool


@strawberry.type(name="Permission", description="An action on an object type.")
class PermissionType:
    object: str
    action: str


@strawberry.type(name="Escalation", description="A decision reserved to the group.")
class EscalationType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    from_tenant_id: strawberry.ID
    decision_type: str
    subject: str
    requested_by: str
    requested_by_actor = actor_field("requested_by", "Who requested it, by name (null if nobody).")
    status: str
    decided_by: str | None
    decided_by_actor = actor_field("decided_by", "Who decided it, by name (null if nobody).")
    decision_note: str | None
    created_at: datetime
    decided_at: datetime | None


@strawberry.type(name="PluginDescription", description="An installed plugin.")
class PluginType:
    name: str
    version: str
    api_version: int
    description: str
