"""Tenant tree used by the authorization engine to cascade role assignments.

A tenant (domain) may have a parent (its group). When a domain's ``inherits_roles`` flag is set
(the owner sets it when the parent group's governance mode is centralized or hybrid), roles held
in the parent domain also apply in the domain. Only role assignments cascade; policies are copied
into subsidiaries by the caller at write time.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Mapping

__all__ = ["DomainTree"]


class DomainTree:
    """Parent map plus a per-domain ``inherits_roles`` flag, guaranteed acyclic.

    A parent id does not need to be a node itself; such a parent is treated as a root that does not
    inherit from anything.
    """

    __slots__ = ("_nodes",)

    def __init__(self, nodes: Mapping[str, tuple[str | None, bool]] | None = None) -> None:
        """Create a tree from ``{domain: (parent or None, inherits_roles)}``."""
        self._nodes: dict[str, tuple[str | None, bool]] = {}
        for domain, (parent, inherits) in (nodes or {}).items():
            self.set(domain, parent, inherits)

    def set(self, domain: str, parent: str | None = None, inherits_roles: bool = False) -> None:
        """Add or update ``domain``; raises ValueError if the parent link would create a cycle."""
        if not isinstance(domain, str) or not (parent is None or isinstance(parent, str)):
            raise ValueError("domain and parent must be str (parent may be None)")
        if parent is not None and domain in self._ancestors_of(parent):
            raise ValueError(f"setting parent {parent!r} of {domain!r} would create a cycle")
        self._nodes[domain] = (parent, bool(inherits_roles))

    def remove(self, domain: str) -> None:
        """Forget ``domain``; its children keep pointing at it as a (now plain root) parent."""
        self._nodes.pop(domain, None)

    def parent(self, domain: str) -> str | None:
        """Return the parent of ``domain`` (None for roots and unknown domains)."""
        node = self._nodes.get(domain)
        return None if node is None else node[0]

    def inherits_roles(self, domain: str) -> bool:
        """Return True when roles held in the parent of ``domain`` also apply in ``domain``."""
        node = self._nodes.get(domain)
        return bool(node and node[1] and node[0] is not None)

    def cascade_chain(self, domain: str) -> tuple[str, ...]:
        """Return ``domain`` followed by every ancestor whose role assignments apply in it.

        Walks up while each step's ``inherits_roles`` flag is set, so a non-inheriting domain in
        the middle stops the cascade for everything below it.
        """
        chain = [domain]
        current = domain
        while self.inherits_roles(current):
            current = self._nodes[current][0]  # type: ignore[assignment]
            chain.append(current)
        return tuple(chain)

    def all_chains(self) -> dict[str, tuple[str, ...]]:
        """Return ``cascade_chain`` for every node, computed in linear time with memoisation."""
        chains: dict[str, tuple[str, ...]] = {}
        for domain in self._nodes:
            self._fill_chain(domain, chains)
        return chains

    def _fill_chain(self, domain: str, chains: dict[str, tuple[str, ...]]) -> None:
        """Compute chains for ``domain`` and its uncached ancestors iteratively (no recursion)."""
        pending: list[str] = []
        current: str | None = domain
        while current is not None and current not in chains:
            pending.append(current)
            current = self._nodes[current][0] if self.inherits_roles(current) else None
        for node in reversed(pending):
            parent = self._nodes[node][0] if self.inherits_roles(node) else None
            tail = () if parent is None else chains.get(parent, (parent,))
            chains[node] = (node, *tail)

    def domains(self) -> frozenset[str]:
        """Return every node of the tree."""
        return frozenset(self._nodes)

    def items(self) -> Iterable[tuple[str, tuple[str | None, bool]]]:
        """Return ``(domain, (parent, inherits_roles))`` pairs."""
        return self._nodes.items()

    def copy(self) -> DomainTree:
        """Return an independent copy (the engine keeps its own copy)."""
        clone = DomainTree()
        clone._nodes = dict(self._nodes)
        return clone

    def _ancestors_of(self, domain: str) -> builtins.set[str]:  # `set` is a method here
        """Return ``domain`` and all its ancestors (follows parent links regardless of flags)."""
        seen = {domain}
        current = self.parent(domain)
        while current is not None and current not in seen:
            seen.add(current)
            current = self.parent(current)
        return seen

    def __contains__(self, domain: object) -> bool:
        """Return True when ``domain`` is a node."""
        return domain in self._nodes

    def __iter__(self) -> Iterator[str]:
        """Iterate node ids."""
        return iter(self._nodes)

    def __len__(self) -> int:
        """Return the number of nodes."""
        return len(self._nodes)

    def __repr__(self) -> str:
        """Short debug representation."""
        return f"DomainTree({len(self._nodes)} domains)"
