"""Reading the tenant tree: ancestors, descendants, the group of a tenant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.errors import NotFound

from .models import Tenant

__all__ = ["ancestors", "descendants", "get_tenant", "children", "is_descendant"]


async def get_tenant(session: AsyncSession, tenant_id: str) -> Tenant:
    """The tenant with this id; ``NotFound`` names it otherwise."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} does not exist", code="TENANT_NOT_FOUND")
    return tenant


async def children(session: AsyncSession, tenant_id: str) -> list[Tenant]:
    """Direct children, absorbed ones excluded, in slug order."""
    stmt = select(Tenant).where(Tenant.parent_id == tenant_id, Tenant.status != "absorbed")
    return list((await session.execute(stmt.order_by(Tenant.slug))).scalars())


async def descendants(session: AsyncSession, tenant_id: str) -> list[Tenant]:
    """Every tenant below ``tenant_id`` (breadth first), absorbed ones excluded."""
    found: list[Tenant] = []
    frontier = [tenant_id]
    while frontier:
        stmt = select(Tenant).where(Tenant.parent_id.in_(frontier), Tenant.status != "absorbed")
        level = list((await session.execute(stmt.order_by(Tenant.slug))).scalars())
        found.extend(level)
        frontier = [t.id for t in level]
    return found


async def ancestors(session: AsyncSession, tenant: Tenant) -> list[Tenant]:
    """Parent, grandparent, ... up to the group root."""
    chain: list[Tenant] = []
    current = tenant
    while current.parent_id:
        current = await get_tenant(session, current.parent_id)
        chain.append(current)
    return chain


async def is_descendant(session: AsyncSession, tenant_id: str, maybe_ancestor_id: str) -> bool:
    """True when ``maybe_ancestor_id`` is ``tenant_id`` or above it."""
    if tenant_id == maybe_ancestor_id:
        return True
    tenant = await get_tenant(session, tenant_id)
    return any(a.id == maybe_ancestor_id for a in await ancestors(session, tenant))
