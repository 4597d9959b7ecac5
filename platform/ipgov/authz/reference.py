"""Reference pycasbin enforcer for the ipgov authorization model.

Why: ``model.conf`` on a plain ``casbin.Enforcer`` is the executable specification of the
decisions. The compiled ``Authorizer`` must agree with it; tests and the benchmark build this
reference from the same rules and tenant tree. Too slow for production use (scans every policy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import casbin

from ipgov.authz.engine import Rule, obj_matches
from ipgov.authz.tree import DomainTree

__all__ = ["MODEL_PATH", "build_reference_enforcer", "domain_matcher", "obj_match_func"]

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


def build_reference_enforcer(rules: Iterable[Rule], tree: DomainTree) -> casbin.Enforcer:
    """Build a plain ``casbin.Enforcer`` on ``model.conf`` holding ``rules`` with ``tree``."""
    enforcer = casbin.Enforcer(str(MODEL_PATH))
    enforcer.add_function("objMatch", obj_match_func)
    enforcer.add_named_domain_matching_func("g", domain_matcher(tree))
    add_reference_rules(enforcer, rules)
    return enforcer


def add_reference_rules(enforcer: casbin.Enforcer, rules: Iterable[Rule]) -> None:
    """Add p and g rows to a reference enforcer, skipping duplicates (casbin rejects them)."""
    policies: dict[tuple[str, ...], None] = {}
    links: dict[tuple[str, ...], None] = {}
    for row in rules:
        target = policies if row[0] == "p" else links
        target[tuple(row[1:])] = None
    if policies:
        enforcer.add_policies_ex([list(r) for r in policies])
    if links:
        enforcer.add_grouping_policies_ex([list(r) for r in links])
