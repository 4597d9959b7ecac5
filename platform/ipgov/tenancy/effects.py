"""Who gains and who loses what when a governance mode changes, per tenant of the subtree.

The effect is measured, not predicted: ``capture`` reads the effective rules of the tenants
concerned (the subtree, its lineage and the platform's own domain) into a decision engine of
their own, before and after the change runs in the caller's transaction, and ``compare`` asks
both engines the same questions. A preview runs the very same change and rolls it back, so a
preview and the change it previews cannot disagree.

Members who hold the same roles in the same tenants get the same answers, so each such
*profile* is asked once per tenant. Supervision is asked the way the supervision view decides
it: holding ``ipgov:supervision read`` in the tenant or any tenant above it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.authz import store
from ipgov.authz.engine import Authorizer, Rule
from ipgov.authz.models import AuthzRule
from ipgov.authz.roles import ROLES
from ipgov.authz.service import PLATFORM_MANAGED_OBJECTS
from ipgov.authz.tree import DomainTree

from .models import PLATFORM_TENANT_ID, Tenant
from .modes import GovernanceMode
from .tree import ancestors, descendants

__all__ = ["AccessChange", "AccessSnapshot", "ModeEffect", "TenantEffect", "capture",
           "compare", "effect_details", "measure", "member_names"]

SUPERVISION = ("ipgov:supervision", "read")
MEMBERS_SHOWN = 20
"""Members named per change; ``member_count`` always counts them all."""

T = TypeVar("T")
Grant = tuple[str, str]
Holding = tuple[str, str]  # (role, tenant id)


@dataclass(frozen=True)
class AccessChange:
    """Members holding ``roles`` (role@tenant slug) gain and lose these rights in a tenant."""

    roles: tuple[str, ...]
    members: tuple[str, ...]
    member_count: int
    gained: tuple[Grant, ...]
    lost: tuple[Grant, ...]


@dataclass(frozen=True)
class TenantEffect:
    """What changes in one tenant: plugins in effect and each profile's rights."""

    tenant_id: str
    slug: str
    plugins_enabled: tuple[str, ...] = ()
    plugins_disabled: tuple[str, ...] = ()
    changes: tuple[AccessChange, ...] = ()


def effect_details(tenants: tuple[TenantEffect, ...] | list[TenantEffect]) -> dict[str, Any]:
    """The audit form of measured effects: per tenant slug, plugins and rights gained, lost."""
    return {t.slug: {
        "plugins_enabled": list(t.plugins_enabled),
        "plugins_disabled": list(t.plugins_disabled),
        "changes": [{"roles": list(c.roles), "members": c.member_count,
                     "gained": [f"{o} {a}" for o, a in c.gained],
                     "lost": [f"{o} {a}" for o, a in c.lost]} for c in t.changes],
    } for t in tenants}


@dataclass(frozen=True)
class ModeEffect:
    """The effect of changing ``slug``'s governance mode, only tenants where something changes.

    ``supervision_kept`` is True when nobody loses the supervision view of any tenant.
    """

    tenant_id: str
    slug: str
    from_mode: str
    to_mode: str
    policies: dict[str, int] = field(default_factory=dict)
    tenants: tuple[TenantEffect, ...] = ()
    supervision_kept: bool = True

    def details(self) -> dict[str, Any]:
        """The audit form: per tenant slug, plugins and rights gained and lost."""
        return {
            "from": self.from_mode, "to": self.to_mode, **self.policies,
            "supervision_kept": self.supervision_kept, "effect": effect_details(self.tenants),
        }


    def lines(self) -> list[str]:
        """A plain-text account for people (the CLI prints it)."""
        out = [f"{self.slug}: {self.from_mode} -> {self.to_mode}"]
        for t in self.tenants:
            out.append(f"  {t.slug}")
            if t.plugins_enabled or t.plugins_disabled:
                out.append(f"    plugins: +{','.join(t.plugins_enabled) or '-'} "
                           f"-{','.join(t.plugins_disabled) or '-'}")
            for c in t.changes:
                who = ", ".join(c.roles) + f" ({c.member_count}: {', '.join(c.members)})"
                out.append(f"    {who}")
                if c.lost:
                    out.append(f"      loses: {', '.join(f'{o} {a}' for o, a in c.lost)}")
                if c.gained:
                    out.append(f"      gains: {', '.join(f'{o} {a}' for o, a in c.gained)}")
        if not self.tenants:
            out.append("  nobody gains or loses anything")
        out.append(f"  supervision view kept: {'yes' if self.supervision_kept else 'NO'}")
        return out


@dataclass
class AccessSnapshot:
    """The effective rules and tenants of a subtree at one moment, ready to be asked."""

    engine: Authorizer
    tenants: dict[str, tuple[str, str | None, frozenset[str]]]
    """id -> (slug, parent id, plugins in effect)."""
    holdings: dict[str, frozenset[Holding]]
    subtree: tuple[str, ...]
    direct: frozenset[tuple[str, str]]
    """(subject, tenant) pairs of subjects that are named in a tenant's rules themselves."""

    def lineage(self, tenant_id: str) -> list[str]:
        """The tenant and every tenant above it."""
        chain: list[str] = []
        current: str | None = tenant_id
        while current is not None and current in self.tenants:
            chain.append(current)
            current = self.tenants[current][1]
        return chain


async def capture(session: AsyncSession, tenant: Tenant) -> AccessSnapshot:
    """The effective rules of ``tenant``'s subtree, its lineage and the platform domain."""
    above = await ancestors(session, tenant)
    below = await descendants(session, tenant.id)
    rows = [*above, tenant, *below]
    domains = sorted({t.id for t in rows} | {PLATFORM_TENANT_ID})
    # plain column rows, not ORM objects (as AuthzService.load: several times faster), in
    # the order of ipgov.authz.service.split_rows
    rules = (await session.execute(select(
        AuthzRule.ptype, AuthzRule.v0, AuthzRule.v1, AuthzRule.v2, AuthzRule.v3,
        AuthzRule.tenant_id).where(AuthzRule.tenant_id.in_(domains),
                                   AuthzRule.active.is_(True)))).all()
    modes = {t.id: t.governance_mode for t in rows}
    tree = DomainTree({
        t.id: (t.parent_id, GovernanceMode.governing(
            modes.get(t.parent_id) if t.parent_id is not None else None).group_roles_act_below)
        for t in rows})
    tuples: list[Rule] = []
    direct: set[tuple[str, str]] = set()
    holdings: dict[str, set[Holding]] = defaultdict(set)
    attached: dict[str, list[str]] = defaultdict(list)
    for ptype, v0, v1, v2, v3, domain in rules:  # by position: the hot loop of a preview
        if ptype == "p":
            tuples.append(("p", v0, domain, v1, v2, v3))
            if v0 not in ROLES:
                direct.add((v0, domain))
        elif ptype == "g":
            tuples.append(("g", v0, v1, domain))
            if v0 not in ROLES:
                holdings[v0].add((v1, domain))
        else:
            attached[domain].append(v0)
    sets = await store.read_rule_sets(session, {i for ids in attached.values() for i in ids})
    direct.update((sub, domain) for domain, ids in attached.items() for i in ids
                  for sub, *_rest in sets[i] if sub not in ROLES)
    engine = Authorizer()
    engine.load(tuples, tree, sets=sets, attached=attached)
    return AccessSnapshot(
        engine=engine,
        tenants={t.id: (t.slug, t.parent_id, frozenset(t.enabled_plugins or ())) for t in rows},
        holdings={k: frozenset(v) for k, v in holdings.items()},
        subtree=tuple(t.id for t in [tenant, *below]), direct=frozenset(direct),
    )


def _allowed(snap: AccessSnapshot, subject: str, tenant_id: str, grant: Grant) -> bool:
    """The platform's decision (as ``AuthzService.enforce``) plus plugin enablement."""
    obj, action = grant
    if tenant_id not in snap.tenants:  # left the tree (an absorbed tenant is history)
        return False
    if grant == SUPERVISION:
        return any(snap.engine.enforce(subject, t, obj, action) for t in snap.lineage(tenant_id))
    plugin = obj.split(":", 1)[0]
    if plugin != "ipgov" and plugin not in snap.tenants[tenant_id][2]:
        return False
    if snap.engine.enforce(subject, tenant_id, obj, action):
        return True
    return obj in PLATFORM_MANAGED_OBJECTS and snap.engine.enforce(
        subject, PLATFORM_TENANT_ID, obj, action)


def _profiles(before: AccessSnapshot, after: AccessSnapshot,
              tenant_id: str) -> dict[frozenset, list[str]]:
    """Members of the tenant's lineage, before or after (the tree may change too), and of the
    platform roles, grouped by what they hold."""
    relevant = (set(before.lineage(tenant_id)) | set(after.lineage(tenant_id))
                | {PLATFORM_TENANT_ID})
    groups: dict[frozenset, list[str]] = defaultdict(list)
    for subject in sorted(set(before.holdings) | set(after.holdings)):
        # what the subject holds before and after, each side apart: two members holding the
        # same roles afterwards are not alike when only one of them held them before (a
        # member an absorption moves beside the absorbing tenant's own)
        profile = frozenset(
            (*h, side) for side, snap in (("before", before), ("after", after))
            for h in snap.holdings.get(subject, frozenset()) if h[1] in relevant)
        if (subject, tenant_id) in before.direct | after.direct:
            profile |= {(subject, "", "")}  # a subject with rules of its own is a profile alone
        if profile:
            groups[profile].append(subject)
    return groups


def _tenant_effect(before: AccessSnapshot, after: AccessSnapshot, tenant_id: str,
                   grants: list[Grant], names: dict[str, str]) -> TenantEffect | None:
    """What changes in one tenant, or None."""
    slug = before.tenants[tenant_id][0]
    changes = []
    for profile, members in sorted(_profiles(before, after, tenant_id).items(),
                                   key=lambda item: sorted(item[0])):
        subject = members[0]
        was = {g for g in grants if _allowed(before, subject, tenant_id, g)}
        now = {g for g in grants if _allowed(after, subject, tenant_id, g)}
        if was == now:
            continue
        shown = sorted(names.get(m, m) for m in members)[:MEMBERS_SHOWN]
        slugs = {**after.tenants, **before.tenants}
        roles = tuple(sorted({f"{role}@{slugs.get(t, (t,))[0]}" for role, t, side in profile
                              if t and side == "after"} or {
            f"{role}@{slugs.get(t, (t,))[0]}" for role, t, _side in profile if t}))
        changes.append(AccessChange(roles, tuple(shown), len(members),
                                    tuple(sorted(now - was)), tuple(sorted(was - now))))
    # a tenant absorbed by the change is no longer in the tree afterwards: nothing in effect
    enabled_before = before.tenants[tenant_id][2]
    enabled_after = after.tenants[tenant_id][2] if tenant_id in after.tenants else frozenset()
    if not changes and enabled_before == enabled_after:
        return None
    return TenantEffect(tenant_id, slug, tuple(sorted(enabled_after - enabled_before)),
                        tuple(sorted(enabled_before - enabled_after)), tuple(changes))


async def member_names(session: AsyncSession, subjects: set[str]) -> dict[str, str]:
    """How to show each member: a user's e-mail, a service account's name."""
    from ipgov.identity.models import ServiceAccount, User

    users = [s for s in subjects if not s.startswith("sa:")]
    accounts = [s[3:] for s in subjects if s.startswith("sa:")]
    names: dict[str, str] = {i: e for i, e in (await session.execute(select(
        User.id, User.email).where(User.id.in_(users)))).all()} if users else {}
    if accounts:
        rows = await session.execute(select(ServiceAccount.id, ServiceAccount.name).where(
            ServiceAccount.id.in_(accounts)))
        names.update({f"sa:{i}": f"service account {n}" for i, n in rows.all()})
    return names


async def measure(platform: Any, session: AsyncSession, tenant: Tenant,
                  change: Callable[[], Awaitable[T]]) -> tuple[T, list[TenantEffect], bool]:
    """Run ``change`` in the session and measure it on ``tenant``'s subtree: its result, the
    tenants where something changed, and whether every supervisor kept the view."""
    before = await capture(session, tenant)
    result = await change()
    await session.flush()
    after = await capture(session, tenant)
    grants = [(obj, action) for obj, perm in sorted(platform.authz.permissions.items())
              for action in perm.actions]
    names = await member_names(session, set(before.holdings) | set(after.holdings))
    changed, kept = compare(before, after, grants, names)
    return result, changed, kept


def compare(before: AccessSnapshot, after: AccessSnapshot, grants: list[Grant],
            names: dict[str, str]) -> tuple[list[TenantEffect], bool]:
    """Per tenant of the subtree, what changed; and whether every supervisor kept the view.

    ``grants`` are every declared (object, action); ``names`` how to show each member.
    """
    effects = [e for t in before.subtree
               if (e := _tenant_effect(before, after, t, grants, names)) is not None]
    kept = not any(SUPERVISION in c.lost for e in effects for c in e.changes)
    return effects, kept
