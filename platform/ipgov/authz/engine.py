"""Compiled authorization decision engine (RBAC with domains, deny overrides, cascading roles).

Why: pycasbin's ``Enforcer`` evaluates its matcher against every policy line for each decision
(645 ms p50 at 110k rules) and its role manager remembers every subject it is asked about. This
engine gives the same decisions as ``model.conf`` + plain ``casbin.Enforcer`` (proven by the
property test in tests/core/test_authz_engine.py) from hash indexes:

* policies: ``dom -> sub -> ({(obj, act): effect bits}, wildcard entries)``, the effective
  rules of each subject in each domain, merged from two layers:
  - rule sets: immutable, content-addressed bundles of ``(sub, obj, act, eft)`` compiled once
    per set (``set id -> sub -> compiled rules``) and attached to any number of domains
    (``dom -> set ids``); a subject whose rules in a domain come from one set alone points at
    that set's compiled tuple, shared by every such domain (interning: 10,000 tenants holding
    the same default grants cost one copy of them);
  - local rules: ``dom -> sub -> {(obj, act): bits}``, rules added one by one (stored rows);
  a subject with several sources gets a merged tuple (shared per combination of sets when it
  has no local rules);
* role links: ``name -> {dom: roles}`` (and the reverse, ``role -> {dom: holders}``);
* the tenant tree compiled to ``dom -> cascade chain`` and ``dom -> cascading descendants``;
* a bounded memo of decisions, dropped on every change; unknown users/domains are never stored.

Semantics of ``enforce(user, dom, obj, act)``: the effective subjects are the user plus every role
reachable from it through role links held in ``dom`` or in an ancestor reached while each step's
``inherits_roles`` flag is set (at most ``MAX_ROLE_DEPTH`` hops, like pycasbin). The decision is
True iff some policy of ``dom`` for an effective subject with a matching obj and act allows, and no
such policy denies.

Concurrency: writers are serialised by a lock and never mutate a container a reader may iterate;
they replace leaf containers (copy-on-write: a shared set tuple is never changed, a domain that
gains a local rule gets its own merged copy) and publish a fresh memo after the change, so
readers need no lock. A reader racing a multi-rule write may see part of that write, never a
torn index.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ipgov.authz.tree import DomainTree

__all__ = [
    "ALLOW",
    "DENY",
    "MAX_ROLE_DEPTH",
    "Authorizer",
    "Rule",
    "SetRule",
    "obj_matches",
]

ALLOW = 1
DENY = 2
_EFFECT_BITS = {"allow": ALLOW, "deny": DENY}
MAX_ROLE_DEPTH = 9
"""Role-to-role hops followed, matching pycasbin's default role manager (max_hierarchy_level=10)."""
DEFAULT_MEMO_SIZE = 262_144

Rule = Sequence[str]
"""``("p", sub, dom, obj, act, eft)`` or ``("g", user, role, dom)``."""
SetRule = Sequence[str]
"""``(sub, obj, act, eft)``: a rule of a rule set, valid in every domain the set is attached to."""

_Exact = dict[tuple[str, str], int]
_Prefixes = tuple[tuple[str, str, int], ...]
_SubjectRules = tuple[_Exact, dict[str, int] | None, int, _Prefixes]
"""(all rules as {(obj, act): bits}, {act: bits | bits of ("*", "*")} for obj "*" or None,
bits of ("*", "*"), (prefix, act, bits) of other trailing-star objs). Everything after the first
item is derived from it for the hot path."""
_Links = dict[str, dict[str, frozenset[str]]]


def obj_matches(request_obj: str, policy_obj: str) -> bool:
    """Return True when ``policy_obj`` matches ``request_obj``.

    A policy obj ending in ``*`` is a prefix pattern (``"*"`` matches everything, ``"plugin:*"``
    every obj starting with ``"plugin:"``); any other policy obj must be equal.
    """
    if policy_obj.endswith("*"):
        return request_obj.startswith(policy_obj[:-1])
    return request_obj == policy_obj


@dataclass(slots=True)
class _State:
    """All indexes of one published rule set; see the module docstring for the shapes."""

    policies: dict[str, dict[str, _SubjectRules]] = field(default_factory=dict)
    links: _Links = field(default_factory=dict)
    holders: _Links = field(default_factory=dict)
    subject_domains: dict[str, frozenset[str]] = field(default_factory=dict)
    chains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    down: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bridges: set[str] = field(default_factory=set)
    """Names that hold roles and are held as roles; empty means no role hierarchy to follow."""
    rule_count: int = 0
    local: dict[str, dict[str, _Exact]] = field(default_factory=dict)
    """The local layer: rules added one by one, ``dom -> sub -> {(obj, act): bits}``."""
    sets: dict[str, dict[str, _SubjectRules]] = field(default_factory=dict)
    """Compiled rule sets, ``set id -> sub -> rules``; immutable once compiled."""
    set_sizes: dict[str, int] = field(default_factory=dict)
    attached: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """``dom -> ids of the rule sets attached to it`` (sorted)."""
    merged: dict[tuple[tuple[str, ...], str], _SubjectRules] = field(default_factory=dict)
    """Interned merges of several sets for one subject (no local rules), by set ids."""


def _compile_subject(
    exact: _Exact, patterns: Iterable[tuple[str, str]] | None = None
) -> _SubjectRules:
    """Return one subject's rules with its wildcard objs split out for the hot path.

    ``patterns`` (the keys whose obj ends with ``*``) spares the scan of ``exact`` when known.
    """
    if patterns is None:
        patterns = [key for key in exact if key[0].endswith("*")]
    star_any = exact.get(("*", "*"), 0)
    star: dict[str, int] = {}
    prefixes: list[tuple[str, str, int]] = []
    for obj, act in patterns:
        if obj == "*":
            star[act] = exact[obj, act] | star_any
        else:
            prefixes.append((obj[:-1], act, exact[obj, act]))
    return exact, star or None, star_any, tuple(prefixes)


def _evaluate(
    by_sub: dict[str, _SubjectRules], subjects: Iterable[str], obj: str, act: str
) -> bool:
    """Deny-overrides over the policies of ``subjects`` in one domain (``by_sub``)."""
    allowed = False
    key, key_any = (obj, act), (obj, "*")
    for sub in subjects:
        rules = by_sub.get(sub)
        if rules is None:
            continue
        exact, star, star_any, prefixes = rules
        bits = exact.get(key, 0) | exact.get(key_any, 0)
        if star is not None:
            bits |= star.get(act, star_any)
        for prefix, p_act, p_bits in prefixes:
            if (p_act == act or p_act == "*") and obj.startswith(prefix):
                bits |= p_bits
        if bits & DENY:
            return False
        if bits:
            allowed = True
    return allowed


def _check_rule(row: Rule) -> None:
    """Raise ValueError unless ``row`` is a well-formed p or g row of strings."""
    kind = row[0] if row else None
    size = {"p": 6, "g": 4}.get(kind)  # type: ignore[arg-type]
    if size is None or len(row) != size or not all(isinstance(v, str) for v in row):
        raise ValueError(
            f"malformed rule {row!r}: expected ('p', sub, dom, obj, act, eft) "
            "or ('g', user, role, dom) of str"
        )
    if kind == "p" and row[5] not in _EFFECT_BITS:
        raise ValueError(f"malformed rule {row!r}: eft must be 'allow' or 'deny'")


def _closure(index: _Links, start: str, chain: tuple[str, ...]) -> set[str]:
    """Return ``start`` plus every name reachable via links held in ``chain`` (depth-limited)."""
    seen = {start}
    frontier = [start]
    for _ in range(MAX_ROLE_DEPTH):
        found: list[str] = []
        for name in frontier:
            by_dom = index.get(name)
            if by_dom is None:
                continue
            for dom in chain:
                names = by_dom.get(dom)
                if names:
                    for other in names:
                        if other not in seen:
                            seen.add(other)
                            found.append(other)
        if not found:
            break
        frontier = found
    return seen


_DomainMap = dict[str, tuple[str, ...]]


def _compile_tree(tree: DomainTree) -> tuple[_DomainMap, _DomainMap]:
    """Return ``(dom -> cascade chain, dom -> domains whose chain contains dom)``.

    Only chains longer than the domain itself are kept: a missing entry means ``(dom,)``.
    """
    chains = {dom: chain for dom, chain in tree.all_chains().items() if len(chain) > 1}
    down: dict[str, list[str]] = {}
    for dom, chain in chains.items():
        for ancestor in chain[1:]:
            down.setdefault(ancestor, [ancestor]).append(dom)
    return chains, {dom: tuple(doms) for dom, doms in down.items()}


def _build_state(rules: Iterable[Rule], tree: DomainTree,
                 sets: Mapping[str, Iterable[SetRule]] | None = None,
                 attached: Mapping[str, Iterable[str]] | None = None) -> _State:
    """Compile ``rules``, rule ``sets`` and their ``attached`` domains, and ``tree`` into a
    fresh, unpublished state (bulk path, no copying).

    The cyclic garbage collector is paused meanwhile: the build allocates millions of acyclic
    containers and repeated collections would otherwise double the load time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_state_unpaused(rules, tree, sets or {}, attached or {})
    finally:
        if was_enabled:
            gc.enable()


def _build_state_unpaused(rules: Iterable[Rule], tree: DomainTree,
                          sets: Mapping[str, Iterable[SetRule]],
                          attached: Mapping[str, Iterable[str]]) -> _State:
    """Body of ``_build_state``."""
    policies: dict[str, dict[str, _Exact]] = {}
    wild_owners: dict[tuple[str, str], set[tuple[str, str]]] = {}
    links: dict[str, dict[str, set[str]]] = {}
    holders: dict[str, dict[str, set[str]]] = {}
    count = _load_rows(rules, policies, wild_owners, links, holders)
    state = _State(rule_count=count, local=policies)
    for set_id, rows in sets.items():
        state.sets[set_id], state.set_sizes[set_id] = _compile_set(rows)
    state.attached = _attachments(attached, state.sets)
    effective: dict[str, dict[str, _SubjectRules]] = {}
    for dom, by_sub in policies.items():
        if dom not in state.attached:
            effective[dom] = {sub: (exact, None, 0, ()) for sub, exact in by_sub.items()}
    for (dom, sub), patterns in wild_owners.items():
        if dom not in state.attached:
            effective[dom][sub] = _compile_subject(policies[dom][sub], patterns)
    for dom, ids in state.attached.items():
        state.rule_count += sum(state.set_sizes[i] for i in ids)
        local = policies.get(dom)
        if len(ids) == 1 and not local:  # the common case: share the set's compiled tuples
            effective[dom] = dict(state.sets[ids[0]])
            continue
        subs = set(local or ()).union(*(state.sets[i] for i in ids))
        merged = {sub: _merge(state, dom, sub) for sub in subs}
        effective[dom] = {sub: r for sub, r in merged.items() if r is not None}
    state.policies = effective
    state.links = _freeze_links(links)
    state.holders = _freeze_links(holders)
    state.bridges = set(links).intersection(holders)
    state.subject_domains = _subject_domains(state.policies)
    state.chains, state.down = _compile_tree(tree)
    return state


def _attachments(attached: Mapping[str, Iterable[str]],
                 sets: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    """``dom -> sorted set ids``; ValueError when a domain names a set that is not given."""
    out: dict[str, tuple[str, ...]] = {}
    for dom, ids in attached.items():
        ids = tuple(sorted(set(ids)))
        missing = [i for i in ids if i not in sets]
        if missing:
            raise ValueError(f"domain {dom!r} names unknown rule sets {missing}")
        if ids:
            out[dom] = ids
    return out


def _compile_set(rows: Iterable[SetRule]) -> tuple[dict[str, _SubjectRules], int]:
    """Compile one rule set: ``sub -> rules`` and the number of distinct rules."""
    exacts: dict[str, _Exact] = {}
    count = 0
    for row in rows:
        if len(row) != 4:
            raise ValueError(f"malformed set rule {row!r}: expected (sub, obj, act, eft)")
        sub, obj, act, eft = row
        _check_rule(("p", sub, "", obj, act, eft))
        bit = _EFFECT_BITS[eft]
        exact = exacts.setdefault(sub, {})
        old = exact.get((obj, act), 0)
        if not old & bit:
            exact[obj, act] = old | bit
            count += 1
    return {sub: _compile_subject(exact) for sub, exact in exacts.items()}, count


def _merge(state: _State, dom: str, sub: str) -> _SubjectRules | None:
    """The effective rules of ``sub`` in ``dom`` from its sets and its local rules.

    One source is shared as is; several sets without local rules are merged once per
    combination (interned in ``state.merged``); local rules make a private merge."""
    found: list[_SubjectRules] = []
    ids: list[str] = []
    for set_id in state.attached.get(dom, ()):
        rules = state.sets[set_id].get(sub)
        if rules is not None:
            found.append(rules)
            ids.append(set_id)
    by_sub = state.local.get(dom)
    local = by_sub.get(sub) if by_sub is not None else None
    if local is None:
        if len(found) <= 1:
            return found[0] if found else None
        key = (tuple(ids), sub)
        hit = state.merged.get(key)
        if hit is None:
            hit = state.merged[key] = _compile_subject(_union(r[0] for r in found))
        return hit
    if not found:
        return _compile_subject(local)
    return _compile_subject(_union([*(r[0] for r in found), local]))


def _union(exacts: Iterable[_Exact]) -> _Exact:
    """The bitwise union of several ``{(obj, act): bits}``."""
    out: _Exact = {}
    for exact in exacts:
        for key, bits in exact.items():
            out[key] = out.get(key, 0) | bits
    return out


def _load_rows(
    rules: Iterable[Rule],
    policies: dict[str, dict[str, _Exact]],
    wild_owners: dict[tuple[str, str], set[tuple[str, str]]],
    links: dict[str, dict[str, set[str]]],
    holders: dict[str, dict[str, set[str]]],
) -> int:
    """Insert rows into mutable bulk indexes; return the number of distinct rules (hot loop)."""
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    intern_key = keys.setdefault
    bits_of = _EFFECT_BITS.get
    count = 0
    for row in rules:
        kind = row[0] if row else ""
        if kind == "p" and len(row) == 6:
            _, sub, dom, obj, act, eft = row
            bit = bits_of(eft)
            if bit is None or not (type(sub) is type(dom) is type(obj) is type(act) is str):
                _check_rule(row)
            by_sub = policies.get(dom)
            if by_sub is None:
                by_sub = policies[dom] = {}
            exact = by_sub.get(sub)
            if exact is None:
                exact = by_sub[sub] = {}
            key = (obj, act)
            key = intern_key(key, key)
            old = exact.get(key, 0)
            if not old & bit:  # type: ignore[operator]
                exact[key] = old | bit  # type: ignore[operator]
                count += 1
                if "*" in obj and obj.endswith("*"):
                    wild_owners.setdefault((dom, sub), set()).add(key)
        elif kind == "g" and len(row) == 4:
            count += _load_link(row, links, holders)
        else:
            _check_rule(row)
    return count


def _load_link(
    row: Rule, links: dict[str, dict[str, set[str]]], holders: dict[str, dict[str, set[str]]]
) -> int:
    """Insert one g row into the bulk link indexes; return 1 if it was new."""
    _check_rule(row)
    _, user, role, dom = row
    roles = links.setdefault(user, {}).setdefault(dom, set())
    if role in roles:
        return 0
    roles.add(role)
    holders.setdefault(role, {}).setdefault(dom, set()).add(user)
    return 1


def _freeze_links(index: dict[str, dict[str, set[str]]]) -> _Links:
    """Return a copy of a link index whose leaf sets are frozensets."""
    return {name: {d: frozenset(s) for d, s in by_dom.items()} for name, by_dom in index.items()}


def _subject_domains(policies: dict[str, dict[str, _SubjectRules]]) -> dict[str, frozenset[str]]:
    """Return ``sub -> domains in which some policy names sub``."""
    found: dict[str, set[str]] = {}
    for dom, by_sub in policies.items():
        for sub in by_sub:
            found.setdefault(sub, set()).add(dom)
    return {sub: frozenset(doms) for sub, doms in found.items()}


class Authorizer:
    """Authorization decisions for ipgov, equivalent to ``model.conf`` on pycasbin but indexed.

    Typical use::

        authz = Authorizer()
        authz.load(rows, tree)  # ("p", sub, dom, obj, act, eft) / ("g", user, role, dom)
        authz.enforce("alice", "t1", "ip_governance:risk", "read")
    """

    def __init__(self, memo_size: int = DEFAULT_MEMO_SIZE) -> None:
        """Create an empty engine whose decision memo holds at most ``memo_size`` entries."""
        if memo_size < 0:
            raise ValueError("memo_size must be >= 0")
        self._memo_size = memo_size
        self._memo: dict[tuple[str, str, str, str], bool] = {}
        self._state = _State()
        self._tree = DomainTree()
        self._write_lock = threading.Lock()
        self._generation = 0

    # ----------------------------------------------------------------------------- decisions
    def enforce(self, user: str, dom: str, obj: str, act: str) -> bool:
        """Return True iff ``user`` may perform ``act`` on ``obj`` in tenant ``dom``."""
        key = (user, dom, obj, act)
        memo = self._memo
        hit = memo.get(key)
        if hit is None:
            return self._enforce_miss(key, memo)
        return hit

    def _enforce_miss(self, key: tuple[str, str, str, str], memo: dict) -> bool:
        """Decide a request absent from the memo; remember it only for known users and domains."""
        user, dom, obj, act = key
        state = self._state
        by_sub = state.policies.get(dom)
        if by_sub is None:
            return False
        by_dom = state.links.get(user)
        if by_dom is None:
            if user not in state.subject_domains:
                return False
            subjects: Iterable[str] = (user,)
        elif state.bridges:
            subjects = _closure(state.links, user, state.chains.get(dom, (dom,)))
        else:
            chain = state.chains.get(dom)
            if chain is None:  # only multi-domain chains are stored
                subjects = by_dom.get(dom, ())
            else:
                subjects = []
                for link_dom in chain:
                    roles = by_dom.get(link_dom)
                    if roles:
                        subjects += roles
            if user in by_sub:
                subjects = (user, *subjects)
        result = _evaluate(by_sub, subjects, obj, act)
        if self._memo_size:
            if len(memo) >= self._memo_size:
                _evict_oldest(memo)
            memo[key] = result
        return result

    def domains_where(self, user: str, obj: str, act: str) -> set[str]:
        """Return every domain in which ``enforce(user, dom, obj, act)`` is True.

        Candidates come from the user's own role assignments (plus the domains they cascade
        into) and the domains whose policies name the user directly, never from all domains.
        """
        state = self._state
        by_dom = state.links.get(user)
        candidates = set(state.subject_domains.get(user, ()))
        if by_dom:
            for dom in by_dom:
                candidates.update(state.down.get(dom, (dom,)))
        return {dom for dom in candidates if self.enforce(user, dom, obj, act)}

    def cascade_targets(self, dom: str) -> tuple[str, ...]:
        """Return ``dom`` and every domain whose cascade chain contains it: where a role
        assigned in ``dom`` takes effect."""
        return self._state.down.get(dom, (dom,))

    def roles_in(self, user: str, dom: str) -> set[str]:
        """Return the roles effective for ``user`` in ``dom`` (direct, cascaded, inherited)."""
        state = self._state
        if user not in state.links:
            return set()
        roles = _closure(state.links, user, state.chains.get(dom, (dom,)))
        roles.discard(user)
        return roles

    def users_with_role(self, role: str, dom: str) -> set[str]:
        """Return every name for which ``role in roles_in(name, dom)`` holds."""
        state = self._state
        if role not in state.holders:
            return set()
        names = _closure(state.holders, role, state.chains.get(dom, (dom,)))
        names.discard(role)
        return names

    # ----------------------------------------------------------------------------- writes
    def load(self, rules: Iterable[Rule], tree: DomainTree | None = None, *,
             sets: Mapping[str, Iterable[SetRule]] | None = None,
             attached: Mapping[str, Iterable[str]] | None = None) -> None:
        """Replace all rules (and the tenant tree) with ``rules``; duplicates are ignored.

        ``sets`` are rule sets by id and ``attached`` the ids each domain holds: the same
        decisions as loading every set rule into each of its domains, at the cost of one
        compiled copy per set."""
        tree = (tree or DomainTree()).copy()
        state = _build_state(rules, tree, sets, attached)
        with self._write_lock:
            self._tree = tree
            self._publish(state)

    def add_rules(self, rules: Iterable[Rule]) -> int:
        """Add rules; return how many were new."""
        return self._change(rules, adding=True)

    def remove_rules(self, rules: Iterable[Rule]) -> int:
        """Remove rules; return how many existed."""
        return self._change(rules, adding=False)

    def add_sets(self, sets: Mapping[str, Iterable[SetRule]]) -> int:
        """Compile rule sets not known yet (sets are immutable: a known id is skipped); return
        how many were new. A set takes effect in a domain once attached there."""
        with self._write_lock:
            state = self._state
            fresh = {set_id: rows for set_id, rows in sets.items() if set_id not in state.sets}
            for set_id, rows in fresh.items():
                state.sets[set_id], state.set_sizes[set_id] = _compile_set(rows)
        return len(fresh)

    def has_set(self, set_id: str) -> bool:
        """Whether the rule set ``set_id`` is compiled here."""
        return set_id in self._state.sets

    def attach_sets(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Attach rule sets to domains (``(dom, set id)``); return how many were new."""
        return self._change_sets(pairs, adding=True)

    def detach_sets(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Detach rule sets from domains; return how many were attached."""
        return self._change_sets(pairs, adding=False)

    def attached_sets(self, dom: str) -> tuple[str, ...]:
        """The ids of the rule sets attached to ``dom``."""
        return self._state.attached.get(dom, ())

    def set_tree(self, tree: DomainTree) -> None:
        """Replace the tenant tree (the engine keeps its own copy)."""
        tree = tree.copy()
        with self._write_lock:
            self._install_tree(tree)

    def set_domain(self, dom: str, parent: str | None = None, inherits_roles: bool = False) -> None:
        """Add or update one tenant's parent and ``inherits_roles`` flag."""
        with self._write_lock:
            tree = self._tree.copy()
            tree.set(dom, parent, inherits_roles)
            self._install_tree(tree)

    def add_leaves(self, leaves: Iterable[tuple[str, str | None, bool]]) -> None:
        """Add new tenants with no children yet (onboarding) without recompiling the tree:
        each new domain's chain is its parent's walk, and only its ancestors' ``down`` lists
        grow. O(depth) per leaf instead of O(tenants); a domain already known is refused
        (update it with ``set_tree``/``set_domain``)."""
        with self._write_lock:
            tree = self._tree.copy()
            state = self._state
            chains, down = dict(state.chains), dict(state.down)
            known = set(tree.domains())
            for dom, parent, inherits in leaves:
                if dom in known:
                    raise ValueError(f"{dom!r} is already in the tree")
                known.add(dom)
                tree.set(dom, parent, inherits)
                chain = tree.cascade_chain(dom)
                if len(chain) > 1:
                    chains[dom] = chain
                    for ancestor in chain[1:]:
                        down[ancestor] = down.get(ancestor, (ancestor,)) + (dom,)
            self._tree = tree
            self._publish(dataclasses.replace(state, chains=chains, down=down))

    def clear_cache(self) -> None:
        """Drop every memoised decision."""
        self._memo = {}

    # ----------------------------------------------------------------------------- introspection
    @property
    def rule_count(self) -> int:
        """Number of rules in effect: distinct local p and g rules, plus each attached rule
        set's rules once per domain it is attached to."""
        return self._state.rule_count

    @property
    def generation(self) -> int:
        """Counter bumped on every published change (rules, tree); useful for external caches."""
        return self._generation

    @property
    def tree(self) -> DomainTree:
        """A copy of the tenant tree in use."""
        return self._tree.copy()

    @property
    def memo_len(self) -> int:
        """Number of memoised decisions (bounded by ``memo_size``)."""
        return len(self._memo)

    def index_sizes(self) -> dict[str, int]:
        """Top-level sizes of every index; used to show unknown subjects leave no trace."""
        state = self._state
        return {
            "memo": len(self._memo),
            "policy_domains": len(state.policies),
            "link_names": len(state.links),
            "holder_roles": len(state.holders),
            "subjects": len(state.subject_domains),
            "chains": len(state.chains),
            "rule_sets": len(state.sets),
        }

    # ----------------------------------------------------------------------------- internals
    def _publish(self, state: _State) -> None:
        """Install ``state`` and start a fresh memo (caller holds the write lock)."""
        self._state = state
        self._after_change()

    def _after_change(self) -> None:
        """Bump the generation and replace the memo; must run after the indexes changed."""
        self._generation += 1
        self._memo = {}

    def _install_tree(self, tree: DomainTree) -> None:
        """Compile ``tree`` and publish it with the current rules (caller holds the lock)."""
        chains, down = _compile_tree(tree)
        self._tree = tree
        self._publish(dataclasses.replace(self._state, chains=chains, down=down))

    def _change_sets(self, pairs: Iterable[tuple[str, str]], adding: bool) -> int:
        """Attach or detach sets, recomputing only the subjects each set names there."""
        pairs = list(pairs)
        with self._write_lock:
            state = self._state
            unknown = sorted({set_id for _dom, set_id in pairs if set_id not in state.sets})
            if unknown:
                raise ValueError(f"unknown rule sets {unknown}: add them first")
            changed = 0
            for dom, set_id in pairs:
                ids = state.attached.get(dom, ())
                if (set_id in ids) == adding:
                    continue
                ids = tuple(sorted({*ids, set_id})) if adding else \
                    tuple(i for i in ids if i != set_id)
                if ids:
                    state.attached[dom] = ids
                else:
                    state.attached.pop(dom, None)
                for sub in state.sets[set_id]:
                    self._store_subject(state, dom, sub, _merge(state, dom, sub))
                size = state.set_sizes[set_id]
                state.rule_count += size if adding else -size
                changed += 1
            if changed:
                self._after_change()
        return changed

    def _change(self, rules: Iterable[Rule], adding: bool) -> int:
        """Apply an add/remove batch copy-on-write, one replacement per touched subject."""
        p_groups: dict[tuple[str, str], list[tuple[tuple[str, str], int]]] = {}
        g_rows: list[tuple[str, str, str]] = []
        for row in rules:
            _check_rule(row)
            if row[0] == "p":
                _, sub, dom, obj, act, eft = row
                p_groups.setdefault((dom, sub), []).append(((obj, act), _EFFECT_BITS[eft]))
            else:
                g_rows.append((row[1], row[2], row[3]))
        with self._write_lock:
            state = self._state
            changed = sum(
                self._apply_policies(state, key, items, adding) for key, items in p_groups.items()
            )
            changed += sum(self._apply_link(state, row, adding) for row in g_rows)
            state.rule_count += changed if adding else -changed
            if changed:
                self._after_change()
        return changed

    @staticmethod
    def _apply_policies(
        state: _State,
        dom_sub: tuple[str, str],
        items: list[tuple[tuple[str, str], int]],
        adding: bool,
    ) -> int:
        """Replace one subject's local rules in one domain with a modified copy, then its
        effective rules; return rules changed."""
        dom, sub = dom_sub
        by_sub = state.local.get(dom)
        current = by_sub.get(sub) if by_sub is not None else None
        exact: _Exact = dict(current) if current is not None else {}
        changed = 0
        for key, bit in items:
            old = exact.get(key, 0)
            new = (old | bit) if adding else (old & ~bit)
            if new != old:
                changed += 1
                if new:
                    exact[key] = new
                else:
                    del exact[key]
        if changed:
            if exact:
                state.local.setdefault(dom, {})[sub] = exact
            elif by_sub is not None:
                by_sub.pop(sub, None)
                if not by_sub:
                    state.local.pop(dom, None)
            Authorizer._store_subject(state, dom, sub, _merge(state, dom, sub))
        return changed

    @staticmethod
    def _store_subject(state: _State, dom: str, sub: str, rules: _SubjectRules | None) -> None:
        """Publish (or drop, when None) one subject's effective rules and keep
        ``subject_domains`` right."""
        by_sub = state.policies.get(dom)
        if rules is not None:
            if by_sub is None:
                by_sub = {}
                by_sub[sub] = rules
                state.policies[dom] = by_sub
            else:
                by_sub[sub] = rules
            doms = state.subject_domains.get(sub, frozenset())
            if dom not in doms:
                state.subject_domains[sub] = doms | {dom}
            return
        if by_sub is not None:
            by_sub.pop(sub, None)
            if not by_sub:
                state.policies.pop(dom, None)
        doms = state.subject_domains.get(sub, frozenset()) - {dom}
        if doms:
            state.subject_domains[sub] = doms
        else:
            state.subject_domains.pop(sub, None)

    @staticmethod
    def _apply_link(state: _State, row: tuple[str, str, str], adding: bool) -> int:
        """Add or remove one role link in both link indexes; return 1 if anything changed."""
        user, role, dom = row
        roles = state.links.get(user, {}).get(dom, frozenset())
        if (role in roles) == adding:
            return 0
        _replace_leaf(state.links, user, dom, roles | {role} if adding else roles - {role})
        users = state.holders.get(role, {}).get(dom, frozenset())
        _replace_leaf(state.holders, role, dom, users | {user} if adding else users - {user})
        for name in (user, role):
            if name in state.links and name in state.holders:
                state.bridges.add(name)
            else:
                state.bridges.discard(name)
        return 1


def _evict_oldest(memo: dict) -> None:
    """Drop the oldest memo entry (FIFO); tolerate a concurrent reader evicting the same one."""
    with contextlib.suppress(KeyError, StopIteration, RuntimeError):
        del memo[next(iter(memo))]


def _replace_leaf(index: _Links, name: str, dom: str, names: frozenset[str]) -> None:
    """Copy-on-write update of ``index[name][dom]``; empty leaves and maps are removed."""
    by_dom = dict(index.get(name, {}))
    if names:
        by_dom[dom] = names
    else:
        by_dom.pop(dom, None)
    if by_dom:
        index[name] = by_dom
    else:
        index.pop(name, None)
