"""Effective policies of a tenant per its parent's governance mode (seed 5.3).

- centralized: the parent's baseline (template rules) is copied into the child, the child's own
  local rules are switched off, and roles held in the parent act in the child;
- hybrid: the baseline is copied (a group deny always wins, as deny overrides allow), local rules
  stay on, roles held in the parent act in the child;
- decentralized: nothing is copied, local rules stay on, parent roles do not act in the child.

Recomputing is idempotent and runs on onboarding, mode changes, template changes and mergers.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz import store
from ipgov.authz.models import AuthzRule
from ipgov.authz.store import PolicyRule

from .models import Tenant
from .modes import GovernanceMode
from .tree import children, get_tenant

__all__ = ["copies_baseline", "recompute_effective_policies", "materialise_defaults"]


def copies_baseline(parent_mode: str | None) -> bool:
    """Whether a parent in this mode imposes its baseline on its children."""
    return parent_mode is not None and GovernanceMode(parent_mode).imposes_baseline


async def materialise_defaults(
    session: AsyncSession, tenant_id: str, grants: dict[str, list[tuple[str, str]]]
) -> int:
    """Give the tenant each role's default grants (origin ``default``): a reference to the
    rule set of those grants, stored once for every tenant that holds the same ones."""
    rules = [
        PolicyRule(role, obj, action)
        for role, items in sorted(grants.items())
        for obj, action in sorted(set(items))
    ]
    await store.attach_rule_set(session, tenant_id, rules, origin="default")
    return len(rules)


async def _rules(session: AsyncSession, tenant_id: str) -> list[AuthzRule]:
    stmt = select(AuthzRule).where(AuthzRule.tenant_id == tenant_id, AuthzRule.ptype == "p")
    return list((await session.execute(stmt)).scalars())


async def recompute_effective_policies(session: AsyncSession, tenant: Tenant) -> dict[str, int]:
    """Recompute ``tenant``'s inherited rules from its parent, then its children's; counts."""
    counts = {"removed": 0, "copied": 0, "local_on": 0, "local_off": 0}
    parent = await get_tenant(session, tenant.parent_id) if tenant.parent_id else None
    rows = await _rules(session, tenant.id)
    counts["removed"] = await store.remove_rules(
        session, [r for r in rows if r.origin.startswith("group:")]
    )
    mode = parent.governance_mode if parent else None
    if parent is not None and copies_baseline(mode):
        templates = [r for r in await _rules(session, parent.id) if r.template and r.active]
        copied = [PolicyRule(r.v0, r.v1, r.v2, r.v3) for r in templates]
        await store.add_policies(
            session, tenant.id, copied, origin=f"group:{parent.id}", template=True
        )
        counts["copied"] = len(copied)
    local = [r for r in rows if r.origin == "local"]
    want_active = GovernanceMode.governing(mode).local_rules_count
    changed = await store.deactivate(session, local, want_active)
    counts["local_on" if want_active else "local_off"] = changed
    await store.record_tree_change(session, tenant.id)
    for child in await children(session, tenant.id):
        await recompute_effective_policies(session, child)
    return counts
