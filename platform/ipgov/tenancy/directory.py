"""The tenant directory: every tenant of the platform in memory, and the walks of its tree.

One place answers "who is above, who is below, which root, which tenants may this caller see":
authorization decisions, the supervision scope, the privilege ceiling, ``ipgov.api`` for
plugins. The authorization service owns the one directory of a process and refreshes it from
the policy change log (a ``tree`` change: onboarding, a status or mode change, a merger), which
is also what drops the cached child index; nothing else writes it. Code inside a transaction
that changes the tree walks the database instead (``ipgov.tenancy.tree``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from .models import PLATFORM_TENANT_ID
from .modes import GovernanceMode

__all__ = ["TenantDirectory", "TenantInfo", "TenantsWhere"]

TenantsWhere = Callable[[str, str, str], "set[str] | None"]
"""``(subject, obj, action)`` -> tenants where the subject may, ``None`` for platform-wide."""


@dataclass(frozen=True)
class TenantInfo:
    """A tenant as decisions see it (from memory)."""

    id: str
    slug: str
    parent_id: str | None
    root_id: str
    governance_mode: str
    status: str
    enabled_plugins: frozenset[str]

    @property
    def mode(self) -> GovernanceMode:
        """How this tenant governs its children, with its behaviour."""
        return GovernanceMode(self.governance_mode)


class TenantDirectory(Mapping[str, TenantInfo]):
    """Tenants by id (a read-only mapping) and the tree walks over them."""

    def __init__(self, tenants: Iterable[TenantInfo] = (),
                 tenants_where: TenantsWhere | None = None) -> None:
        self._tenants: dict[str, TenantInfo] = {}
        self._children: dict[str, tuple[str, ...]] | None = None
        self._tenants_where = tenants_where
        self.replace(tenants)

    # -- kept in step by the authorization service (the policy change log) ----------------

    def replace(self, tenants: Iterable[TenantInfo]) -> None:
        """Hold exactly ``tenants`` (a full re-read) and drop the caches."""
        self._tenants = {t.id: t for t in tenants}
        self._children = None

    def add(self, tenants: Iterable[TenantInfo]) -> None:
        """Add or update ``tenants`` (new leaves after onboarding) and drop the caches."""
        self._tenants.update((t.id, t) for t in tenants)
        self._children = None

    # -- the mapping -------------------------------------------------------------------------

    def __getitem__(self, tenant_id: str) -> TenantInfo:
        return self._tenants[tenant_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tenants)

    def __len__(self) -> int:
        return len(self._tenants)

    # -- walks -------------------------------------------------------------------------------

    def info(self, tenant_id: str | None) -> TenantInfo | None:
        """The tenant with this id; ``None`` for an unknown id (or ``None``)."""
        return self._tenants.get(tenant_id) if tenant_id is not None else None

    def parent(self, tenant_id: str) -> TenantInfo | None:
        """The tenant's parent; ``None`` for a root or an unknown id."""
        found = self.info(tenant_id)
        return self.info(found.parent_id) if found is not None else None

    def lineage(self, tenant_id: str) -> list[TenantInfo]:
        """The tenant, its parent, ... up to its root (empty for an unknown id)."""
        chain: list[TenantInfo] = []
        current = self.info(tenant_id)
        while current is not None and len(chain) <= len(self._tenants):  # no cycle loops
            chain.append(current)
            current = self.info(current.parent_id)
        return chain

    def ancestors(self, tenant_id: str) -> list[TenantInfo]:
        """Parent, grandparent, ... up to the root."""
        return self.lineage(tenant_id)[1:]

    def root(self, tenant_id: str) -> TenantInfo | None:
        """The group root above (or at) the tenant; ``None`` for an unknown id."""
        chain = self.lineage(tenant_id)
        return chain[-1] if chain else None

    def _child_index(self) -> dict[str, tuple[str, ...]]:
        if self._children is None:
            index: dict[str, list[str]] = {}
            for info in sorted(self._tenants.values(), key=lambda i: i.slug):
                if info.parent_id:
                    index.setdefault(info.parent_id, []).append(info.id)
            self._children = {parent: tuple(ids) for parent, ids in index.items()}
        return self._children

    def children(self, tenant_id: str) -> list[TenantInfo]:
        """Direct children, in slug order."""
        return [self._tenants[c] for c in self._child_index().get(tenant_id, ())]

    def descendants(self, tenant_id: str) -> list[TenantInfo]:
        """Every tenant below ``tenant_id`` (any depth), in slug order."""
        below = self.subtree([tenant_id]) - {tenant_id}
        return sorted((self._tenants[t] for t in below), key=lambda i: i.slug)

    def subtree(self, roots: Iterable[str], *,
                follow: Callable[[TenantInfo], bool] | None = None) -> set[str]:
        """``roots`` (those known) and every tenant below them; with ``follow``, only below
        the tenants for which it is true (e.g. parents whose mode imposes a baseline)."""
        index = self._child_index()
        found: set[str] = set()
        stack = [r for r in roots if r in self._tenants]
        while stack:
            current = stack.pop()
            if current in found:
                continue
            found.add(current)
            if follow is None or follow(self._tenants[current]):
                stack.extend(index.get(current, ()))
        return found

    def is_within(self, tenant_id: str, ancestor_id: str) -> bool:
        """True when ``tenant_id`` is ``ancestor_id`` or below it."""
        return any(t.id == ancestor_id for t in self.lineage(tenant_id))

    # -- entitlement -------------------------------------------------------------------------

    def entitled(self, subject: str, obj: str, action: str, *,
                 subtrees: bool = False) -> frozenset[str] | None:
        """The known tenants where ``subject`` may ``action`` on ``obj`` (with ``subtrees``,
        and every tenant below them); ``None`` for a platform-wide role (every tenant)."""
        if self._tenants_where is None:
            raise RuntimeError("this directory answers no entitlement (no authorization)")
        where = self._tenants_where(subject, obj, action)
        if where is None:
            return None
        held = {t for t in where if t in self._tenants}
        return frozenset(self.subtree(held) if subtrees else held)

    def tenants(self, *, platform: bool = False) -> frozenset[str]:
        """Every known tenant id (the platform's own only with ``platform``)."""
        return frozenset(t for t in self._tenants if platform or t != PLATFORM_TENANT_ID)
