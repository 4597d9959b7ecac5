"""Tenant lifecycle: groups, onboarding subsidiaries, status, governance mode, policies.

Each function runs inside the caller's transaction (a system-scoped session: these operations
span tenants) and appends audit events, so a failure anywhere leaves nothing behind.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeGuard

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz import store
from ipgov.authz.ceiling import assert_may_change_policy
from ipgov.authz.models import AuthzRule
from ipgov.authz.store import ALLOW, DENY, PolicyRule
from ipgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from ipgov.plugins.contracts import TenantEvent
from ipgov.plugins.manager import call_and_await
from ipgov.validation import FieldErrors, clean_text, one_of

from . import effects, enablement
from .models import (
    DEFAULT_RESERVED_DECISIONS,
    PLATFORM_TENANT_ID,
    Tenant,
    TenantKind,
    TenantStatus,
)
from .modes import GovernanceMode
from .policies import materialise_defaults, recompute_effective_policies
from .tree import get_tenant

if TYPE_CHECKING:
    from ipgov.runtime import Platform

    from .effects import ModeEffect

__all__ = [
    "MAX_DEPTH",
    "add_policy",
    "change_governance_mode",
    "create_group",
    "ensure_platform_tenant",
    "onboard_subsidiary",
    "preview_governance_mode",
    "remove_policy",
    "set_status",
    "validate_slug",
    "validate_rule",
    "validate_tenant_input",
]

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MAX_DEPTH = 8


def validate_slug(slug: str) -> str:
    """A slug is 1-63 lowercase letters, digits or inner hyphens (a DNS label)."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        shown = slug if isinstance(slug, str) and len(slug) <= 80 else "this value"
        raise InvalidInput(
            f"slug {shown!r} must be 1-63 lowercase letters, digits or inner hyphens",
            field="slug", details={"message_code": "INVALID_SLUG"},
        )
    return slug


def validate_mode(mode: str) -> str:
    """One of centralized, decentralized, hybrid."""
    if mode not in set(GovernanceMode):
        raise InvalidInput(
            f"governance mode {mode!r} must be centralized, decentralized or hybrid",
            field="governanceMode", details={"message_code": "INVALID_GOVERNANCE_MODE"},
        )
    return mode


def validate_name(name: str) -> str:
    """A display name of 1-200 characters after trimming, without control characters."""
    cleaned = clean_text(name if isinstance(name, str) else "", "name", max_len=200, required=True)
    if any(ord(c) < 32 for c in cleaned):
        raise InvalidInput("name must not contain control characters (tabs, line breaks)",
                           field="name", details={"message_code": "CONTROL_CHARACTERS"})
    return cleaned


def validate_tenant_input(*, slug: str, name: str, governance_mode: str | None = None,
                          ) -> tuple[str, str]:
    """The slug and trimmed name of a new tenant (and its mode, when given), every bad
    field reported at once."""
    errors = FieldErrors()
    errors.check(validate_slug, slug)
    cleaned = errors.check(validate_name, name)
    if governance_mode is not None:
        errors.check(validate_mode, governance_mode)
    errors.raise_if_any()
    return slug, cleaned or ""


def validate_rule(platform: Platform, rule: PolicyRule) -> PolicyRule:
    """A rule's subject, effect and declared permission, every bad field reported at once."""
    errors = FieldErrors()
    errors.check(clean_text, rule.subject, "subject", max_len=200, required=True)
    errors.check(one_of, rule.effect, (ALLOW, DENY), "effect")
    if not platform.authz.is_declared(rule.obj, rule.action) and rule.obj != "*":
        errors.add(InvalidInput(f"{rule.obj}:{rule.action} is not a declared permission",
                                field="object",
                                details={"message_code": "UNDECLARED_PERMISSION"}))
    errors.raise_if_any()
    return rule


async def _slug_free(session: AsyncSession, slug: str) -> None:
    taken = await session.execute(select(Tenant.id).where(Tenant.slug == slug))
    if taken.first() is not None:
        raise Conflict(f"a tenant with slug {slug!r} already exists", code="DUPLICATE_SLUG",
                       field="slug")


async def ensure_platform_tenant(platform: Platform, session: AsyncSession) -> Tenant:
    """Create the platform's own tenant (platform roles and audit events) if missing."""
    tenant = await session.get(Tenant, PLATFORM_TENANT_ID)
    if tenant is not None:
        return tenant
    from ipgov.authz.roles import PLATFORM_GRANTS

    tenant = Tenant(
        id=PLATFORM_TENANT_ID, slug="platform", name="Platform", kind=TenantKind.PLATFORM,
        root_id=PLATFORM_TENANT_ID, depth=0, governance_mode=GovernanceMode.DECENTRALIZED,
    )
    session.add(tenant)
    await session.flush()
    await materialise_defaults(session, tenant.id, PLATFORM_GRANTS)
    await store.record_tree_change(session, tenant.id)
    await platform.audit(session, tenant_id=tenant.id, actor="system", action="platform.init",
                         object_type="ipgov:tenant", object_id=tenant.id)
    return tenant


async def _provision(
    platform: Platform, session: AsyncSession, tenant: Tenant, actor: str,
    plugins: list[str] | None, imposed: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Default policies, plugin defaults and the creation audit event of a new tenant.

    ``plugins`` are the tenant's own choice; ``imposed`` the baseline its parent imposes.
    """
    known = set(platform.registry.names())
    local = platform.registry.default_enabled() if plugins is None else plugins
    unknown = sorted(set(local) - known)
    if unknown:
        raise InvalidInput(f"unknown plugins: {', '.join(unknown)}", code="UNKNOWN_PLUGIN",
                           field="plugins")
    enabled = sorted(set(local) | set(imposed))
    tenant.local_plugins, tenant.enabled_plugins = sorted(set(local)), enabled
    tenant.provisioned_plugins = sorted(set(enabled) & known)
    await session.flush()
    count = await materialise_defaults(session, tenant.id, platform.authz.role_grants(enabled))
    await recompute_effective_policies(session, tenant)
    from ipgov.reviews.models import ReviewSchedule

    session.add(ReviewSchedule(tenant_id=tenant.id, name="periodic governance review",
                               cadence_days=90, source="core"))
    event = TenantEvent(
        session=session, tenant_id=tenant.id, group_id=tenant.root_id,
        governance_mode=tenant.governance_mode, actor=actor,
        details={"reason": "onboarding", "plugins": tenant.provisioned_plugins},
    )
    await call_and_await(platform.registry.hook_for("on_tenant_created", enabled)(event=event))
    await platform.audit(
        session, tenant_id=tenant.id, actor=actor, action="tenant.created",
        object_type="ipgov:tenant", object_id=tenant.id,
        details={"slug": tenant.slug, "parent_id": tenant.parent_id, "policies": count,
                 "plugins": tenant.enabled_plugins, "governance_mode": tenant.governance_mode},
    )
    await platform.record_event(
        session, tenant_id=tenant.id, type="tenant.onboarded", actor=actor, object_id=tenant.id,
        payload={"tenant_id": tenant.id, "slug": tenant.slug, "name": tenant.name[:500],
                 "parent_id": tenant.parent_id, "governance_mode": tenant.governance_mode})


async def create_group(
    platform: Platform, session: AsyncSession, *, slug: str, name: str, actor: str,
    governance_mode: str = GovernanceMode.HYBRID, plugins: list[str] | None = None,
    locale: str = "en",
) -> Tenant:
    """Create a corporate group: a root of the tenant tree."""
    slug, name = validate_tenant_input(slug=slug, name=name, governance_mode=governance_mode)
    await _slug_free(session, slug)
    group_id = _new_id()
    tenant = Tenant(
        id=group_id, root_id=group_id, slug=slug, name=name,
        kind=TenantKind.GROUP, parent_id=None, depth=0,
        governance_mode=governance_mode, reserved_decisions=list(DEFAULT_RESERVED_DECISIONS),
        locale=locale,
    )
    session.add(tenant)
    await _provision(platform, session, tenant, actor, plugins)
    return tenant


def _new_id() -> str:
    from ipgov.db.base import new_id

    return new_id()


async def onboard_subsidiary(
    platform: Platform, session: AsyncSession, *, parent_id: str, slug: str, name: str,
    actor: str, governance_mode: str | None = None, plugins: list[str] | None = None,
) -> Tenant:
    """Create a subsidiary under ``parent_id`` with its policies and plugin defaults."""
    slug, name = validate_tenant_input(slug=slug, name=name, governance_mode=governance_mode)
    parent = await get_tenant(session, parent_id)
    if parent.kind == TenantKind.PLATFORM:
        raise InvalidInput("subsidiaries belong under a group, not the platform",
                           field="parentId")
    if parent.status != TenantStatus.ACTIVE:
        raise Conflict(f"tenant {parent.slug} is {parent.status}; it cannot take subsidiaries",
                       code="TENANT_INACTIVE")
    if parent.depth + 1 > MAX_DEPTH:
        raise InvalidInput(f"the tenant tree is limited to {MAX_DEPTH} levels",
                           field="parentId")
    mode = validate_mode(governance_mode or parent.governance_mode)
    await _slug_free(session, slug)
    imposed = await enablement.imposed_by(session, parent)
    if plugins is None:  # the parent's plugins: the baseline comes anyway, the rest as own
        plugins = sorted(set(parent.enabled_plugins or ()) - imposed)
    tenant = Tenant(
        id=_new_id(), slug=slug, name=name, kind=TenantKind.SUBSIDIARY,
        parent_id=parent.id, root_id=parent.root_id, depth=parent.depth + 1,
        governance_mode=mode, locale=parent.locale,
    )
    session.add(tenant)
    await _provision(platform, session, tenant, actor, plugins, imposed)
    await platform.audit(
        session, tenant_id=parent.id, actor=actor, action="tenant.subsidiary_onboarded",
        object_type="ipgov:tenant", object_id=tenant.id, details={"slug": slug},
    )
    return tenant


async def set_status(
    platform: Platform, session: AsyncSession, *, tenant_id: str, status: str, actor: str,
) -> Tenant:
    """Suspend, archive or reactivate a tenant; every row of it is kept."""
    allowed = {TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.ARCHIVED}
    if status not in allowed:
        raise InvalidInput(f"status {status!r} must be active, suspended or archived",
                           field="status")
    tenant = await get_tenant(session, tenant_id)
    if tenant.kind == TenantKind.PLATFORM:
        raise Forbidden("the platform tenant cannot change status")
    if tenant.status == TenantStatus.ABSORBED:
        raise Conflict("an absorbed tenant is history and cannot change status",
                       code="TENANT_ABSORBED")
    previous, tenant.status = tenant.status, status
    await store.record_tree_change(session, tenant.id)
    await platform.audit(
        session, tenant_id=tenant.id, actor=actor, action=f"tenant.status.{status}",
        object_type="ipgov:tenant", object_id=tenant.id, details={"previous": previous},
    )
    return tenant


async def change_governance_mode(
    platform: Platform, session: AsyncSession, *, tenant_id: str, mode: str, actor: str,
    preview: bool = False,
) -> ModeEffect:
    """Switch how a tenant governs its subsidiaries; recompute their policies and plugins.

    Returns the effect, measured per tenant (who gains and loses what), which the audit event
    records. ``preview`` leaves the audit out and calls no plugin hook: the caller rolls the
    transaction back (``preview_governance_mode``).
    """
    validate_mode(mode)
    tenant = await get_tenant(session, tenant_id)
    previous = tenant.governance_mode

    async def switch() -> dict[str, int]:
        tenant.governance_mode = mode
        await session.flush()
        counts = await recompute_effective_policies(session, tenant)
        await enablement.recompute_plugins(platform, session, tenant, actor=actor,
                                           provision=not preview)
        return counts

    counts, changed, kept = await effects.measure(platform, session, tenant, switch)
    effect = effects.ModeEffect(tenant.id, tenant.slug, previous, mode, counts, tuple(changed),
                                kept)
    if not preview:
        await platform.audit(
            session, tenant_id=tenant.id, actor=actor, action="tenant.governance_mode_changed",
            object_type="ipgov:tenant", object_id=tenant.id, details=effect.details(),
        )
        if previous != mode:
            await platform.record_event(
                session, tenant_id=tenant.id, type="tenant.governance_mode_changed",
                actor=actor, object_id=tenant.id, severity="medium",
                payload={"tenant_id": tenant.id, "previous": previous, "mode": mode})
    return effect


async def preview_governance_mode(
    platform: Platform, *, tenant_id: str, mode: str,
) -> ModeEffect:
    """The effect ``change_governance_mode`` would have, computed by running it in a
    transaction that is rolled back: nothing is stored, no hook runs."""
    async with platform.db.system_session("preview governance mode") as session:
        try:
            return await change_governance_mode(platform, session, tenant_id=tenant_id,
                                                mode=mode, actor="preview", preview=True)
        finally:
            await session.rollback()


def _parent_mode_forbids(parent: Tenant | None) -> TypeGuard[Tenant]:
    return parent is not None and GovernanceMode(parent.governance_mode).group_changes_rules


async def add_policy(
    platform: Platform, session: AsyncSession, *, tenant_id: str, rule: PolicyRule,
    actor: str, apply_to_subsidiaries: bool = False, acting_from_group: bool = False,
    granter: str | None = None,
) -> AuthzRule:
    """Add a local rule (or, with ``apply_to_subsidiaries``, a baseline for the subtree).

    Under a centralized parent only the group may change a subsidiary's policies; the
    ``granter`` (``None`` for operators) stays within his own rights (``ipgov.authz.ceiling``).
    """
    validate_rule(platform, rule)
    if granter is not None:
        assert_may_change_policy(platform, granter, tenant_id, rule,
                                 to_subsidiaries=apply_to_subsidiaries)
    tenant = await get_tenant(session, tenant_id)
    parent = await get_tenant(session, tenant.parent_id) if tenant.parent_id else None
    if _parent_mode_forbids(parent) and not acting_from_group:
        raise Forbidden(
            f"{tenant.slug} is governed centrally by {parent.slug}: its policies are set by "
            "the group", code="GOVERNANCE_MODE_FORBIDS",
        )
    # A rule the group sets directly in a subsidiary is the group's, not the subsidiary's:
    # recomputation leaves it on and the subsidiary cannot remove it.
    origin = "group-admin" if acting_from_group else "local"
    rows = await store.add_policies(
        session, tenant.id, [rule], origin=origin, template=apply_to_subsidiaries
    )
    if apply_to_subsidiaries:
        from .tree import children

        for child in await children(session, tenant.id):
            await recompute_effective_policies(session, child)
    await platform.audit(
        session, tenant_id=tenant.id, actor=actor, action="policy.added",
        object_type="ipgov:policy", object_id=rows[0].id,
        details={"subject": rule.subject, "object": rule.obj, "action": rule.action,
                 "effect": rule.effect, "subsidiaries": apply_to_subsidiaries},
    )
    return rows[0]


async def _rule_to_remove(session: AsyncSession, tenant_id: str, rule_id: str
                          ) -> tuple[AuthzRule, store.SetRule | None]:
    """The stored row a rule id names, and for a rule of a referenced set (id
    ``<reference id>:<rule key>``) which of its rules."""
    ref_id, _, key = rule_id.partition(":")
    row = await session.get(AuthzRule, ref_id)
    wanted = store.SET if key else "p"
    if row is None or row.tenant_id != tenant_id or row.ptype != wanted:
        raise NotFound("no such policy rule in this tenant", code="POLICY_NOT_FOUND")
    if not key:
        return row, None
    rules = (await store.read_rule_sets(session, [row.v0]))[row.v0]
    found = [r for r in rules if store.rule_key(r) == key]
    if not found:
        raise NotFound("no such policy rule in this tenant", code="POLICY_NOT_FOUND")
    return row, found[0]


async def remove_policy(
    platform: Platform, session: AsyncSession, *, tenant_id: str, rule_id: str, actor: str,
    acting_from_group: bool = False, granter: str | None = None,
) -> None:
    """Remove a rule; the group's baseline and, outside decentralized groups, defaults stay.

    A rule of a referenced set (a default grant) goes from this tenant only: its reference
    moves to the set without that rule (``store.remove_from_rule_set``)."""
    row, in_set = await _rule_to_remove(session, tenant_id, rule_id)
    rule = PolicyRule(*in_set) if in_set is not None else PolicyRule(row.v0, row.v1, row.v2,
                                                                     row.v3)
    if granter is not None:
        assert_may_change_policy(platform, granter, tenant_id, rule, removing=True,
                                 to_subsidiaries=row.template)
    tenant = await get_tenant(session, tenant_id)
    parent = await get_tenant(session, tenant.parent_id) if tenant.parent_id else None
    if row.origin.startswith("group:") or (row.origin == "group-admin"
                                           and not acting_from_group):
        raise Forbidden("this rule is the group's baseline; only the group can change it",
                        code="GOVERNANCE_MODE_FORBIDS")
    if _parent_mode_forbids(parent) and not acting_from_group:
        raise Forbidden(f"{tenant.slug} is governed centrally: its policies are set by the group",
                        code="GOVERNANCE_MODE_FORBIDS")
    if (row.origin == "default" and parent is not None
            and GovernanceMode(parent.governance_mode).imposes_baseline
            and not acting_from_group):
        raise Forbidden("default grants are part of the group's mandatory baseline",
                        code="GOVERNANCE_MODE_FORBIDS")
    was_template = row.template
    if in_set is not None:
        await store.remove_from_rule_set(session, row, in_set)
    else:
        await store.remove_rules(session, [row])
    if was_template:
        from .tree import children

        for child in await children(session, tenant.id):
            await recompute_effective_policies(session, child)
    await platform.audit(
        session, tenant_id=tenant.id, actor=actor, action="policy.removed",
        object_type="ipgov:policy", object_id=rule_id,
        details={"subject": rule.subject, "object": rule.obj, "action": rule.action,
                 "effect": rule.effect},
    )
