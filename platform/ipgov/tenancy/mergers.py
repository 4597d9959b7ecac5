"""Mergers (seed 5.3 b): absorption and parallel reporting.

*Absorption*: the absorbed tenant's rows move into the absorbing tenant; the absorbed tenant
stays as history (status ``absorbed``, under the absorbing tenant) with its own audit trail.
*Parallel reporting*: the acquired entity, with its own subtree and IP department, joins the
group tree under a new parent and reports upward; its policies follow the new parent's mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz import store
from ipgov.authz.models import AuthzRule
from ipgov.db.base import Base, TenantScoped
from ipgov.errors import Conflict, InvalidInput
from ipgov.identity.models import Membership, ServiceAccount
from ipgov.plugins.contracts import TenantEvent
from ipgov.plugins.manager import call_and_await

from .models import Tenant, TenantKind, TenantStatus
from .policies import recompute_effective_policies
from .tree import children, get_tenant, is_descendant

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["absorb", "join_parallel_reporting"]

_HANDLED = {"memberships", "authz_rules", "service_accounts"}


def _movable_models() -> list[Any]:
    models = []
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if (issubclass(cls, TenantScoped) and cls.__movable_on_absorption__
                and cls.__tablename__ not in _HANDLED):
            models.append(cls)
    return sorted(models, key=lambda c: c.__tablename__)


async def _check_pair(session: AsyncSession, keep: Tenant, gone: Tenant) -> None:
    if keep.id == gone.id:
        raise InvalidInput("a tenant cannot absorb itself", field="absorbedId")
    for tenant in (keep, gone):
        if tenant.kind == TenantKind.PLATFORM:
            raise InvalidInput("the platform tenant takes no part in mergers")
        if tenant.status != TenantStatus.ACTIVE:
            raise Conflict(f"tenant {tenant.slug} is {tenant.status}", code="TENANT_INACTIVE")
    if await is_descendant(session, keep.id, gone.id):
        raise InvalidInput(f"{gone.slug} is above {keep.slug}; absorb the other way round",
                           field="absorbedId", code="CYCLIC_PARENT")


async def _move_memberships(session: AsyncSession, keep: str, gone: str) -> int:
    held = set((await session.execute(
        select(Membership.user_id, Membership.role).where(Membership.tenant_id == keep)
    )).all())
    moved = 0
    for m in (await session.execute(
        select(Membership).where(Membership.tenant_id == gone)
    )).scalars():
        await store.unassign_role(session, gone, m.user_id, m.role)
        if (m.user_id, m.role) in held:
            await session.delete(m)
            continue
        m.tenant_id = keep
        await store.assign_role(session, keep, m.user_id, m.role)
        moved += 1
    return moved


async def _move_service_accounts(session: AsyncSession, keep: Tenant, gone: Tenant) -> None:
    names = set((await session.execute(
        select(ServiceAccount.name).where(ServiceAccount.tenant_id == keep.id)
    )).scalars())
    for sa in (await session.execute(
        select(ServiceAccount).where(ServiceAccount.tenant_id == gone.id)
    )).scalars():
        if sa.name in names:
            sa.name = f"{sa.name}-from-{gone.slug}"[:120]
        sa.tenant_id = keep.id
    from ipgov.identity.models import ApiKey

    await session.execute(
        update(ApiKey).where(ApiKey.tenant_id == gone.id).values(tenant_id=keep.id)
    )


async def absorb(
    platform: Platform, session: AsyncSession, *, absorbing_id: str, absorbed_id: str,
    actor: str,
) -> dict[str, int]:
    """Move every row of ``absorbed_id`` into ``absorbing_id``; the absorbed becomes history."""
    keep = await get_tenant(session, absorbing_id)
    gone = await get_tenant(session, absorbed_id)
    await _check_pair(session, keep, gone)
    event = TenantEvent(session=session, tenant_id=keep.id, group_id=keep.root_id,
                        governance_mode=keep.governance_mode, actor=actor,
                        other_tenant_id=gone.id)
    hook = platform.registry.hook_for("on_tenant_merged", keep.enabled_plugins or [])
    await call_and_await(hook(event=event))
    counts = {"memberships": await _move_memberships(session, keep.id, gone.id)}
    await _move_service_accounts(session, keep, gone)
    await session.flush()
    for model in _movable_models():
        result = await session.execute(
            update(model).where(model.tenant_id == gone.id).values(tenant_id=keep.id)
            .execution_options(synchronize_session=False)
        )
        counts[model.__tablename__] = result.rowcount or 0
    own_rules = (await session.execute(
        select(AuthzRule).where(AuthzRule.tenant_id == gone.id, AuthzRule.ptype == "p")
    )).scalars()
    counts["policies_dropped"] = await store.remove_rules(session, list(own_rules))
    for child in await children(session, gone.id):
        child.parent_id = keep.id
    gone.status, gone.absorbed_into_id, gone.parent_id = TenantStatus.ABSORBED, keep.id, keep.id
    await session.flush()
    await recompute_effective_policies(session, keep)
    details = {"absorbing": keep.slug, "absorbed": gone.slug, **counts}
    for tenant in (keep, gone):
        await platform.audit(session, tenant_id=tenant.id, actor=actor, action="tenant.absorbed",
                             object_type="ipgov:tenant", object_id=gone.id, details=details)
    return counts


async def _reroot(session: AsyncSession, tenant: Tenant, root_id: str, depth: int) -> None:
    tenant.root_id, tenant.depth = root_id, depth
    for child in await children(session, tenant.id):
        await _reroot(session, child, root_id, depth + 1)


async def join_parallel_reporting(
    platform: Platform, session: AsyncSession, *, parent_id: str, acquired_id: str, actor: str,
) -> Tenant:
    """Attach ``acquired_id`` (and its subtree) under ``parent_id``, keeping its own data."""
    parent = await get_tenant(session, parent_id)
    acquired = await get_tenant(session, acquired_id)
    if await is_descendant(session, parent.id, acquired.id):
        raise InvalidInput(f"{acquired.slug} is {parent.slug} or above it: the tree would "
                           "become a cycle", field="acquiredId", code="CYCLIC_PARENT")
    for tenant in (parent, acquired):
        if tenant.kind == TenantKind.PLATFORM or tenant.status != TenantStatus.ACTIVE:
            raise Conflict(f"tenant {tenant.slug} cannot take part in a merger",
                           code="TENANT_INACTIVE")
    previous_parent = acquired.parent_id
    acquired.parent_id, acquired.kind = parent.id, TenantKind.SUBSIDIARY
    await _reroot(session, acquired, parent.root_id, parent.depth + 1)
    await session.flush()
    counts = await recompute_effective_policies(session, acquired)
    details = {"parent": parent.slug, "acquired": acquired.slug,
               "previous_parent": previous_parent, **counts}
    for tenant in (parent, acquired):
        await platform.audit(session, tenant_id=tenant.id, actor=actor,
                             action="tenant.parallel_reporting", object_type="ipgov:tenant",
                             object_id=acquired.id, details=details)
    return acquired
