"""Which plugins are in effect for each tenant, per governance mode, and changing that later.

A tenant's plugins in effect (``Tenant.enabled_plugins``, what permission checks and hook calls
read) are its own choices (``local_plugins``) plus the baseline its lineage imposes on it:

- a parent in *centralized* or *hybrid* mode imposes its ``plugin_baseline``, and everything
  imposed on the parent itself, on its children; *decentralized* imposes nothing;
- who changes a tenant's own choices follows its parent's mode: *centralized*: the group only;
  *hybrid*: the tenant adds and removes its own, never the baseline; *decentralized*: the
  tenant alone.

When a plugin comes into effect for a tenant the core provisions it there, in the same
transaction: the plugin's default role grants are written where missing and, the first time
only, its ``on_tenant_created`` hook runs. Taking a plugin out of effect keeps every row and
policy; its fields answer ``PLUGIN_DISABLED`` until it is enabled again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz import store
from ipgov.errors import Conflict, Forbidden, InvalidInput
from ipgov.plugins.contracts import TenantEvent
from ipgov.plugins.manager import call_and_await

from .models import Tenant, TenantKind, TenantStatus
from .modes import GovernanceMode
from .policies import copies_baseline, materialise_defaults
from .tree import ancestors, children, get_tenant

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = [
    "PluginChanges",
    "disable_plugin",
    "enable_plugin",
    "imposed_by",
    "imposed_on",
    "provision_plugins",
    "recompute_plugins",
]


@dataclass
class PluginChanges:
    """What a change did: plugins that came into or went out of effect, per tenant slug."""

    enabled: dict[str, list[str]] = field(default_factory=dict)
    disabled: dict[str, list[str]] = field(default_factory=dict)
    provisioned: dict[str, list[str]] = field(default_factory=dict)
    grants: int = 0

    def details(self) -> dict[str, object]:
        """The audit form (only what changed)."""
        return {k: v for k, v in {"enabled_in": self.enabled, "disabled_in": self.disabled,
                                  "provisioned_in": self.provisioned,
                                  "grants_added": self.grants}.items() if v}


def _passes_down(tenant: Tenant, imposed: set[str]) -> set[str]:
    """What ``tenant`` imposes on its children, given what is imposed on it."""
    if not copies_baseline(tenant.governance_mode):
        return set()
    return set(tenant.plugin_baseline or ()) | imposed


async def imposed_by(session: AsyncSession, parent: Tenant | None) -> set[str]:
    """The plugins ``parent`` imposes on its children (its baseline and what it inherits)."""
    if parent is None:
        return set()
    imposed: set[str] = set()
    for upper in [*reversed(await ancestors(session, parent)), parent]:
        imposed = _passes_down(upper, imposed)
    return imposed


async def imposed_on(session: AsyncSession, tenant: Tenant) -> set[str]:
    """The plugins ``tenant``'s lineage imposes on it (its parent's baseline and above)."""
    parent = await get_tenant(session, tenant.parent_id) if tenant.parent_id else None
    return await imposed_by(session, parent)


async def provision_plugins(
    platform: Platform, session: AsyncSession, tenant: Tenant, plugins: list[str], actor: str,
    reason: str,
) -> tuple[list[str], int]:
    """Default grants (missing ones) and first-time ``on_tenant_created`` for ``plugins``.

    Returns the plugins provisioned for the first time and how many grants were written.
    Plugins not loaded in this process are skipped (enabling them again repairs it).
    """
    loaded = [p for p in sorted(plugins) if p in platform.registry.plugins]
    grants = await _missing_grants(platform, session, tenant.id, loaded)
    fresh = [p for p in loaded if p not in (tenant.provisioned_plugins or ())]
    if fresh:
        event = TenantEvent(session=session, tenant_id=tenant.id, group_id=tenant.root_id,
                            governance_mode=tenant.governance_mode, actor=actor,
                            details={"reason": reason, "plugins": fresh})
        hook = platform.registry.hook_for("on_tenant_created", fresh)
        await call_and_await(hook(event=event))
        tenant.provisioned_plugins = sorted(set(tenant.provisioned_plugins or ()) | set(fresh))
    return fresh, grants


async def _missing_grants(platform: Platform, session: AsyncSession, tenant_id: str,
                          plugins: list[str]) -> int:
    """Write the plugins' default role grants that the tenant's domain does not hold yet."""
    if not plugins:
        return 0
    wanted: dict[str, list[tuple[str, str]]] = {}
    for result in platform.registry.hook_for("register_role_grants", plugins)():
        for role, items in (result or {}).items():
            wanted.setdefault(role, []).extend(tuple(i) for i in items)
    held = await store.default_grants_held(session, tenant_id)
    missing = {role: [i for i in items if (role, *i) not in held]
               for role, items in wanted.items()}
    return await materialise_defaults(session, tenant_id, missing)


async def recompute_plugins(
    platform: Platform, session: AsyncSession, tenant: Tenant, *, actor: str,
    provision: bool = True, imposed: set[str] | None = None,
    changes: PluginChanges | None = None,
) -> PluginChanges:
    """Recompute the plugins in effect for ``tenant`` and its subtree; provision new ones.

    ``provision=False`` (a preview) changes the lists only and calls no plugin hook.
    """
    changes = changes if changes is not None else PluginChanges()
    imposed = await imposed_on(session, tenant) if imposed is None else imposed
    before = set(tenant.enabled_plugins or ())
    after = set(tenant.local_plugins or ()) | imposed
    if after != before:
        tenant.enabled_plugins = sorted(after)
        await store.record_tree_change(session, tenant.id)
        _note(changes.enabled, tenant.slug, after - before)
        _note(changes.disabled, tenant.slug, before - after)
    if provision and after - before:
        fresh, grants = await provision_plugins(platform, session, tenant,
                                                sorted(after - before), actor, "plugin_enabled")
        _note(changes.provisioned, tenant.slug, set(fresh))
        changes.grants += grants
    down = _passes_down(tenant, imposed)
    for child in await children(session, tenant.id):
        await recompute_plugins(platform, session, child, actor=actor, provision=provision,
                                imposed=down, changes=changes)
    return changes


def _note(target: dict[str, list[str]], slug: str, plugins: set[str]) -> None:
    if plugins:
        target[slug] = sorted(plugins)


async def _changeable(session: AsyncSession, tenant_id: str, acting_from_group: bool) -> Tenant:
    """The tenant whose plugins the caller may change, or a clear refusal."""
    tenant = await get_tenant(session, tenant_id)
    if tenant.kind == TenantKind.PLATFORM:
        raise InvalidInput("plugins are enabled for groups and subsidiaries, not the platform",
                           field="tenantId")
    if tenant.status != TenantStatus.ACTIVE:
        raise Conflict(f"tenant {tenant.slug} is {tenant.status}; its plugins cannot change",
                       code="TENANT_INACTIVE")
    parent = await get_tenant(session, tenant.parent_id) if tenant.parent_id else None
    if (parent is not None and GovernanceMode(parent.governance_mode).group_changes_rules
            and not acting_from_group):
        raise Forbidden(f"{tenant.slug} is governed centrally by {parent.slug}: its plugins are "
                        "chosen by the group", code="GOVERNANCE_MODE_FORBIDS", field="plugin")
    return tenant


async def enable_plugin(
    platform: Platform, session: AsyncSession, *, tenant_id: str, plugin: str, actor: str,
    apply_to_subsidiaries: bool = False, acting_from_group: bool = False,
) -> PluginChanges:
    """Enable an installed plugin for a tenant (and, as its baseline, for its subtree).

    Enabling a plugin already in effect repairs its provisioning (missing grants, a hook that
    never ran) and changes nothing else.
    """
    if plugin not in platform.registry.plugins:
        raise InvalidInput(f"no plugin named {plugin[:80]!r} is installed", code="UNKNOWN_PLUGIN",
                           field="plugin")
    tenant = await _changeable(session, tenant_id, acting_from_group)
    in_effect = plugin in (tenant.enabled_plugins or ())
    tenant.local_plugins = sorted(set(tenant.local_plugins or ()) | {plugin})
    if apply_to_subsidiaries:
        tenant.plugin_baseline = sorted(set(tenant.plugin_baseline or ()) | {plugin})
    changes = await recompute_plugins(platform, session, tenant, actor=actor)
    if in_effect:  # nothing new here: repair what an earlier provisioning may have missed
        fresh, grants = await provision_plugins(platform, session, tenant, [plugin], actor,
                                                "plugin_enabled")
        _note(changes.provisioned, tenant.slug, set(fresh))
        changes.grants += grants
    await _audit(platform, session, tenant, actor, "plugin.enabled", plugin,
                 apply_to_subsidiaries, changes)
    return changes


async def disable_plugin(
    platform: Platform, session: AsyncSession, *, tenant_id: str, plugin: str, actor: str,
    apply_to_subsidiaries: bool = False, acting_from_group: bool = False,
) -> PluginChanges:
    """Take a plugin out of effect for a tenant (and out of its baseline); data is kept."""
    tenant = await _changeable(session, tenant_id, acting_from_group)
    imposed = await imposed_on(session, tenant)
    if plugin in imposed:
        raise Forbidden(f"{plugin} is part of the baseline {tenant.slug}'s group imposes; only "
                        "the group can disable it", code="GOVERNANCE_MODE_FORBIDS",
                        field="plugin")
    own = set(tenant.local_plugins or ())
    baseline = set(tenant.plugin_baseline or ())
    if plugin not in own and not (apply_to_subsidiaries and plugin in baseline):
        raise Conflict(f"{plugin[:80]} is not enabled for {tenant.slug}", code="PLUGIN_NOT_ENABLED",
                       field="plugin")
    tenant.local_plugins = sorted(own - {plugin})
    if apply_to_subsidiaries:
        tenant.plugin_baseline = sorted(baseline - {plugin})
    changes = await recompute_plugins(platform, session, tenant, actor=actor)
    await _audit(platform, session, tenant, actor, "plugin.disabled", plugin,
                 apply_to_subsidiaries, changes)
    return changes


async def _audit(platform: Platform, session: AsyncSession, tenant: Tenant, actor: str,
                 action: str, plugin: str, subtree: bool, changes: PluginChanges) -> None:
    """One event in the tenant's chain, and one in each other tenant the change reached."""
    details = {"plugin": plugin, "applies_to_subsidiaries": subtree, **changes.details()}
    await platform.audit(session, tenant_id=tenant.id, actor=actor, action=action,
                         object_type="ipgov:plugin", object_id=plugin, details=details)
    reached = (set(changes.enabled) | set(changes.disabled)) - {tenant.slug}
    if not reached:
        return
    rows = (await session.execute(select(Tenant).where(Tenant.slug.in_(sorted(reached))))
            ).scalars()
    for other in rows:
        await platform.audit(session, tenant_id=other.id, actor=actor, action=action,
                             object_type="ipgov:plugin", object_id=plugin,
                             details={**details, "decided_in": tenant.slug})
