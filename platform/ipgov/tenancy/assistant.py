"""Whether AI assistants' write tools may act in a tenant (``tenants.assistant_writes``).

A tenant says yes, no, or nothing (null: its parent decides; yes at the top). A no binds the
whole subtree: a subsidiary cannot switch writes back on under a group that switched them off,
whatever the governance mode (it is a safety control, like a privilege ceiling)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db import TenantScope

from .models import Tenant
from .tree import ancestors

__all__ = ["AssistantWrites", "assistant_writes", "set_assistant_writes", "writes_allowed"]


@dataclass(frozen=True)
class AssistantWrites:
    setting: bool | None  # the tenant's own choice (None: inherited)
    allowed: bool  # in effect
    decided_by: str | None  # the slug of the tenant whose "no" applies


async def assistant_writes(session: AsyncSession, tenant: Tenant) -> AssistantWrites:
    chain = [tenant, *await ancestors(session, tenant)]
    refusing = next((t for t in chain if t.assistant_writes is False), None)
    return AssistantWrites(tenant.assistant_writes, refusing is None,
                           refusing.slug if refusing is not None else None)


async def writes_allowed(platform: Any, tenant_id: str) -> bool:
    """In effect for ``tenant_id`` (an unknown tenant: True, the operation answers NOT_FOUND)."""
    async with platform.db.session(TenantScope.system("assistant: write policy"),
                                   readonly=True) as session:
        tenant = await session.get(Tenant, tenant_id)
        return tenant is None or (await assistant_writes(session, tenant)).allowed


async def set_assistant_writes(platform: Any, session: AsyncSession, tenant: Tenant,
                               allowed: bool | None, actor: str) -> AssistantWrites:
    before = tenant.assistant_writes
    tenant.assistant_writes = allowed
    await platform.audit(session, tenant_id=tenant.id, actor=actor,
                         action="tenant.assistant_writes_set", object_type="ipgov:tenant",
                         object_id=tenant.id, details={"before": before, "after": allowed})
    return await assistant_writes(session, tenant)
