"""Reference pycasbin enforcer for the ipgov authorization model.

Why: ``model.conf`` on a plain ``casbin.Enforcer`` is the executable specification of the
decisions. The compiled ``Authorizer`` must agree with it; tests and the benchmark build this
reference from the same rules and tenant tree. Too slow for production use (scans every policy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import casbin
from casbin.persist.adapter import Adapter

from ipgov.authz.engine import Rule, obj_matches
from ipgov.authz.tree import DomainTree

__all__ = [
    "MODEL_PATH",
    "RowsAdapter",
    "build_reference_enforcer",
    "domain_matcher",
    "obj_match_func",
]

MODEL_PATH = Path(__file__).with_name("model.conf")


def obj_match_func(request_obj: str, policy_obj: str) -> bool:
    """``objMatch`` for the casbin matcher: the engine's own obj matching rule."""
    return obj_matches(str(request_obj), str(policy_obj))


def domain_matcher(tree: DomainTree) -> Callable[[str, str], bool]:
    """Return fn(request_dom, link_dom): True when link_dom's role links apply in request_dom.

    That is when link_dom is request_dom or an ancestor reached while ``inherits_roles`` holds.
    """
    chains = tree.all_chains()

    def matches(request_dom: str, link_dom: str) -> bool:
        """Domain matching function registered with ``add_named_domain_matching_func('g', ...)``."""
        return link_dom in chains.get(request_dom, (request_dom,))

    return matches


class RowsAdapter(Adapter):
    """Read-only adapter loading p/g rows like a database adapter does (one append per row).

    ``Enforcer.add_policies`` checks duplicates with a list scan (quadratic), so bulk loads go
    through an adapter; duplicates are dropped here because the engine treats rules as a set.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        """Remember the rows; they are read when the enforcer loads its policy."""
        self._rules = rules

    def load_policy(self, model: casbin.model.Model) -> None:
        """Append every distinct row to the model's p or g assertion."""
        seen: set[tuple[str, ...]] = set()
        sections = {kind: model.model[kind][kind].policy for kind in ("p", "g")}
        for row in self._rules:
            key = tuple(row)
            if key not in seen:
                seen.add(key)
                sections[row[0]].append(list(row[1:]))


def build_reference_enforcer(rules: Iterable[Rule], tree: DomainTree) -> casbin.Enforcer:
    """Build a plain ``casbin.Enforcer`` on ``model.conf`` holding ``rules`` with ``tree``."""
    enforcer = casbin.Enforcer(str(MODEL_PATH), RowsAdapter(rules))
    enforcer.add_function("objMatch", obj_match_func)
    enforcer.add_named_domain_matching_func("g", domain_matcher(tree))
    return enforcer
