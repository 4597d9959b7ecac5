"""Mergers (seed 5.3 b): absorption and parallel reporting.

*Absorption*: the absorbed tenant's rows move into the absorbing tenant; the absorbed tenant
stays as history (status ``absorbed``, under the absorbing tenant) with its own audit trail.
*Parallel reporting*: the acquired entity, with its own subtree and IP department, joins the
group tree under a new parent and reports upward; its policies follow the new parent's mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, and_, func, select, true, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz import store
from ipgov.authz.models import AuthzRule
from ipgov.db.base import Base, TenantScoped
from ipgov.errors import Conflict, InvalidInput
from ipgov.identity.models import Membership, ServiceAccount
from ipgov.plugins.contracts import TenantEvent
from ipgov.plugins.manager import call_and_await

from .effects import TenantEffect, effect_details, measure
from .enablement import recompute_plugins
from .models import Tenant, TenantKind, TenantStatus
from .policies import recompute_effective_policies
from .tree import children, get_tenant, is_descendant

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["MergerPreview", "absorb", "join_parallel_reporting", "preview_absorption",
           "preview_parallel_reporting"]

_HANDLED = {"memberships", "authz_rules", "service_accounts"}


def _owner(platform: Platform, model: Any) -> str:
    """The plugin a model belongs to (its module lies in the plugin's package), else ipgov."""
    module = model.__module__
    for name, loaded in sorted(platform.registry.plugins.items()):
        package = loaded.module.__name__.rsplit(".", 1)[0]
        if module == package or module.startswith(f"{package}."):
            return name
    return "ipgov" if module.startswith("ipgov.") else module.split(".", 1)[0]


def _tenant_keys(table: Any) -> list[list[Any]]:
    """The unique keys of ``table`` that include ``tenant_id`` (moving rows can break them)."""
    keys = [list(c.columns) for c in table.constraints
            if isinstance(c, UniqueConstraint | PrimaryKeyConstraint)]
    keys += [list(i.columns) for i in table.indexes if i.unique]
    return [k for k in keys if any(c.name == "tenant_id" for c in k)]


async def _clashes(session: AsyncSession, table: Any, key: list[Any], keep: str,
                   gone: str) -> int:
    """How many rows of ``gone`` would share ``key`` with a row of ``keep`` once moved."""
    mine, theirs = table.alias("mine"), table.alias("theirs")
    same = [mine.c[c.name] == theirs.c[c.name] for c in key if c.name != "tenant_id"]
    stmt = select(func.count()).select_from(mine).join(theirs, and_(true(), *same)).where(
        mine.c.tenant_id == keep, theirs.c.tenant_id == gone)
    return (await session.execute(stmt)).scalar() or 0


async def _refuse_clashes(platform: Platform, session: AsyncSession, model: Any, keep: Tenant,
                          gone: Tenant) -> None:
    """A clear ``Conflict`` naming the plugin when moving ``model``'s rows would clash."""
    for key in _tenant_keys(model.__table__):
        found = await _clashes(session, model.__table__, key, keep.id, gone.id)
        if not found:
            continue
        owner = _owner(platform, model)
        columns = [c.name for c in key]
        raise Conflict(
            f"absorbing {gone.slug} into {keep.slug} would give {keep.slug} {found} pair(s) of "
            f"{model.__tablename__} rows with the same ({', '.join(columns)}): plugin {owner} "
            "must merge or remove them in its on_tenant_merged hook; nothing was changed",
            code="ABSORPTION_CLASH", field="absorbedId",
            details={"plugin": owner, "table": model.__tablename__,
                     "columns": ", ".join(columns)})


async def _move_rows(platform: Platform, session: AsyncSession, keep: Tenant,
                     gone: Tenant) -> dict[str, int]:
    """Move every movable tenant-scoped row of ``gone`` to ``keep``; clashes are refused."""
    counts = {}
    for model in _movable_models():
        await _refuse_clashes(platform, session, model, keep, gone)
        try:
            # an UPDATE statement's result is a CursorResult (it carries the rowcount)
            result = cast("CursorResult[Any]", await session.execute(
                update(model).where(model.tenant_id == gone.id).values(tenant_id=keep.id)
                .execution_options(synchronize_session=False)
            ))
        except IntegrityError as exc:  # a constraint the pre-check cannot see (a trigger)
            owner = _owner(platform, model)
            raise Conflict(f"moving {model.__tablename__} rows of {gone.slug} into {keep.slug} "
                           f"breaks a constraint of plugin {owner}: {exc.orig}; nothing was "
                           "changed", code="ABSORPTION_CLASH", field="absorbedId",
                           details={"plugin": owner, "table": model.__tablename__}) from None
        counts[model.__tablename__] = result.rowcount or 0
    return counts


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


def _adopt_plugins(keep: Tenant, gone: Tenant) -> list[str]:
    """The absorbing tenant enables the plugins whose rows it received, already provisioned
    (the rows moved in are its data now); returns the plugins it did not have."""
    adopted = sorted(set(gone.enabled_plugins or ()) - set(keep.enabled_plugins or ()))
    keep.local_plugins = sorted(set(keep.local_plugins or ()) | set(adopted))
    keep.provisioned_plugins = sorted(set(keep.provisioned_plugins or ())
                                      | set(gone.provisioned_plugins or ()))
    return adopted


async def absorb(
    platform: Platform, session: AsyncSession, *, absorbing_id: str, absorbed_id: str,
    actor: str, preview: bool = False,
) -> dict[str, int]:
    """Move every row of ``absorbed_id`` into ``absorbing_id``; the absorbed becomes history.
    ``preview`` (in a transaction the caller rolls back) audits nothing; the plugins'
    ``on_tenant_merged`` hooks run, in that transaction, since what moves depends on them."""
    keep = await get_tenant(session, absorbing_id)
    gone = await get_tenant(session, absorbed_id)
    await _check_pair(session, keep, gone)
    event = TenantEvent(session=session, tenant_id=keep.id, group_id=keep.root_id,
                        governance_mode=keep.governance_mode, actor=actor,
                        other_tenant_id=gone.id)
    used = set(keep.enabled_plugins or ()) | set(gone.enabled_plugins or ())
    hook = platform.registry.hook_for("on_tenant_merged", used)
    await call_and_await(hook(event=event))
    counts = {"memberships": await _move_memberships(session, keep.id, gone.id)}
    await _move_service_accounts(session, keep, gone)
    await session.flush()
    counts.update(await _move_rows(platform, session, keep, gone))
    plugins = _adopt_plugins(keep, gone)
    own_rules = (await session.execute(
        select(AuthzRule).where(AuthzRule.tenant_id == gone.id,
                                AuthzRule.ptype.in_(("p", store.SET)))
    )).scalars()
    counts["policies_dropped"] = await store.remove_rules(session, list(own_rules))
    moved_below = await children(session, gone.id)
    for child in moved_below:
        child.parent_id = keep.id
    gone.status, gone.absorbed_into_id, gone.parent_id = TenantStatus.ABSORBED, keep.id, keep.id
    await session.flush()
    await recompute_effective_policies(session, keep)
    await recompute_plugins(platform, session, keep, actor=actor)
    if preview:
        return {**counts, "plugins_adopted": len(plugins), "subsidiaries_moved": len(moved_below)}
    details = {"absorbing": keep.slug, "absorbed": gone.slug, "plugins_adopted": plugins,
               **counts}
    for tenant in (keep, gone):
        await platform.audit(session, tenant_id=tenant.id, actor=actor, action="tenant.absorbed",
                             object_type="ipgov:tenant", object_id=gone.id, details=details)
    await _merged(platform, session, keep, gone, "absorption", actor)
    return counts


async def _merged(platform: Platform, session: AsyncSession, tenant: Tenant, other: Tenant,
                  kind: str, actor: str) -> None:
    """The ``tenant.merged`` event, in the absorbing tenant or the new parent."""
    await platform.record_event(
        session, tenant_id=tenant.id, type="tenant.merged", actor=actor, object_id=other.id,
        severity="medium", payload={"tenant_id": tenant.id, "kind": kind,
                                    "other_tenant_id": other.id, "other_slug": other.slug})


async def _reroot(session: AsyncSession, tenant: Tenant, root_id: str, depth: int) -> None:
    tenant.root_id, tenant.depth = root_id, depth
    for child in await children(session, tenant.id):
        await _reroot(session, child, root_id, depth + 1)


async def join_parallel_reporting(
    platform: Platform, session: AsyncSession, *, parent_id: str, acquired_id: str, actor: str,
) -> Tenant:
    """Attach ``acquired_id`` (and its subtree) under ``parent_id``, keeping its own data."""
    acquired, counts, changed, kept, previous_parent = await _join(
        platform, session, parent_id=parent_id, acquired_id=acquired_id, actor=actor)
    parent = await get_tenant(session, parent_id)
    details = {"parent": parent.slug, "acquired": acquired.slug,
               "previous_parent": previous_parent, **counts,
               "effect": effect_details(changed), "supervision_kept": kept}
    for tenant in (parent, acquired):
        await platform.audit(session, tenant_id=tenant.id, actor=actor,
                             action="tenant.parallel_reporting", object_type="ipgov:tenant",
                             object_id=acquired.id, details=details)
    await _merged(platform, session, parent, acquired, "parallel_reporting", actor)
    return acquired


async def _join(
    platform: Platform, session: AsyncSession, *, parent_id: str, acquired_id: str, actor: str,
) -> tuple[Tenant, dict[str, Any], list[TenantEffect], bool, str | None]:
    """The move of parallel reporting, measured on the acquired subtree."""
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

    async def join() -> dict[str, Any]:
        acquired.parent_id, acquired.kind = parent.id, TenantKind.SUBSIDIARY
        await _reroot(session, acquired, parent.root_id, parent.depth + 1)
        await session.flush()
        counts: dict[str, Any] = dict(await recompute_effective_policies(session, acquired))
        plugins = await recompute_plugins(platform, session, acquired, actor=actor)
        return {**counts, **plugins.details()}

    counts, changed, kept = await measure(platform, session, acquired, join)
    return acquired, counts, changed, kept, previous_parent


@dataclass(frozen=True)
class MergerPreview:
    """What a merger would do: counts of what moves or changes, and per tenant who gains and
    loses which rights (``TenantEffect``, as a mode change shows them)."""

    kind: str
    counts: dict[str, int] = field(default_factory=dict)
    tenants: tuple[TenantEffect, ...] = ()
    supervision_kept: bool = True


def _numbers(counts: dict[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if isinstance(v, int | float)}


async def preview_absorption(platform: Platform, *, absorbing_id: str,
                             absorbed_id: str) -> MergerPreview:
    """Absorption run in a transaction that is rolled back: rows moved per table, policies
    dropped, plugins adopted, and the rights the absorbed tenant's members gain or lose."""
    async with platform.db.system_session("preview absorption") as session:
        try:
            root = await get_tenant(session, (await get_tenant(session, absorbing_id)).root_id)
            counts, changed, kept = await measure(platform, session, root, lambda: absorb(
                platform, session, absorbing_id=absorbing_id, absorbed_id=absorbed_id,
                actor="preview", preview=True))
            return MergerPreview("absorption", _numbers(counts), tuple(changed), kept)
        finally:
            await session.rollback()


async def preview_parallel_reporting(platform: Platform, *, parent_id: str,
                                     acquired_id: str) -> MergerPreview:
    """Parallel reporting run in a transaction that is rolled back: the policies and plugins
    recomputed under the new parent's mode, and who gains and loses which rights below."""
    async with platform.db.system_session("preview parallel reporting") as session:
        try:
            _tenant, counts, changed, kept, _previous = await _join(
                platform, session, parent_id=parent_id, acquired_id=acquired_id,
                actor="preview")
            return MergerPreview("parallel_reporting", _numbers(counts), tuple(changed), kept)
        finally:
            await session.rollback()
