"""Rule sets in the decision engine: a set attached to domains decides as its rules copied into
each of them (the materialised reference, and pycasbin over it), whatever the order of
attaches, detaches and local writes; domains share one compiled copy of a set."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipgov.authz.engine import Authorizer
from ipgov.authz.reference import build_reference_enforcer
from ipgov.authz.tree import DomainTree
from tests.core.test_authz_engine import (
    ALL_REQUESTS,
    DOMAINS,
    P_ACTS,
    P_OBJS,
    PROPERTY_SETTINGS,
    ROLES,
    link_rows,
    policy_rows,
    trees,
)

SET_IDS = ["s0", "s1", "s2"]
set_rules = st.tuples(st.sampled_from([*ROLES, "u0"]), st.sampled_from(P_OBJS),
                      st.sampled_from(P_ACTS), st.sampled_from(["allow", "allow", "deny"]))
rule_sets = st.fixed_dictionaries({s: st.lists(set_rules, max_size=8) for s in SET_IDS})
attachments = st.fixed_dictionaries(
    {d: st.lists(st.sampled_from(SET_IDS), max_size=3) for d in DOMAINS})
local_rules = st.lists(st.one_of(policy_rows, link_rows), max_size=12)


def materialise(local, sets, attached) -> list[tuple[str, ...]]:
    """Every set rule copied into each domain it is attached to, beside the local rules."""
    rows = set(local)
    for dom, ids in attached.items():
        for set_id in set(ids):
            rows.update(("p", sub, dom, obj, act, eft) for sub, obj, act, eft in sets[set_id])
    return sorted(rows)


def loaded(local, sets, attached, tree) -> Authorizer:
    engine = Authorizer()
    engine.load(local, tree, sets=sets, attached=attached)
    return engine


@PROPERTY_SETTINGS
@given(tree=trees(), local=local_rules, sets=rule_sets, attached=attachments)
def test_attached_sets_decide_as_their_rules_copied_into_each_domain(tree, local, sets,
                                                                     attached):
    engine = loaded(local, sets, attached, tree)
    rows = materialise(local, sets, attached)
    reference = build_reference_enforcer(rows, tree)
    for request in ALL_REQUESTS:
        assert engine.enforce(*request) == reference.enforce(*request), request


@PROPERTY_SETTINGS
@given(tree=trees(), local=local_rules, sets=rule_sets, attached=attachments, data=st.data())
def test_attach_detach_and_local_writes_equal_a_fresh_materialised_load(tree, local, sets,
                                                                        attached, data):
    engine = loaded(local, sets, attached, tree)
    for request in ALL_REQUESTS[::5]:
        engine.enforce(*request)  # a warm memo, so that stale entries would show
    state_local = set(local)
    state_attached = {d: set(ids) for d, ids in attached.items()}
    ops = data.draw(st.lists(st.tuples(
        st.sampled_from(["attach", "detach", "add", "remove"]), st.sampled_from(DOMAINS),
        st.sampled_from(SET_IDS), st.one_of(policy_rows, link_rows)), max_size=12))
    for op, dom, set_id, row in ops:
        if op == "attach":
            engine.attach_sets([(dom, set_id)])
            state_attached.setdefault(dom, set()).add(set_id)
        elif op == "detach":
            engine.detach_sets([(dom, set_id)])
            state_attached.get(dom, set()).discard(set_id)
        elif op == "add":
            engine.add_rules([row])
            state_local.add(row)
        else:  # a local rule equal to a set rule leaves the set's rule in effect
            victim = data.draw(st.sampled_from(sorted(state_local) or [row]))
            engine.remove_rules([victim])
            state_local.discard(victim)
    fresh = Authorizer()
    fresh.load(materialise(state_local, sets, state_attached), tree)
    for request in ALL_REQUESTS:
        assert engine.enforce(*request) == fresh.enforce(*request), request


def test_domains_share_one_compiled_copy_of_a_set_until_one_adds_a_local_rule():
    defaults = [("viewer", "ipgov:tenant", "read", "allow"), ("admin", "*", "*", "allow")]
    engine = Authorizer()
    doms = [f"t{i}" for i in range(100)]
    engine.load([("g", "alice", "viewer", "t1")], DomainTree(),
                sets={"defaults": defaults}, attached={d: ["defaults"] for d in doms})
    state = engine._state
    shared = {id(state.policies[d]["viewer"]) for d in doms}
    assert len(shared) == 1, "every domain points at the set's compiled rules"
    engine.add_rules([("p", "viewer", "t1", "ipgov:member", "read", "allow")])
    assert state.policies["t1"]["viewer"] is not state.policies["t2"]["viewer"]
    assert engine.enforce("alice", "t1", "ipgov:member", "read")
    assert not engine.enforce("alice", "t2", "ipgov:member", "read")
    assert state.policies["t2"]["viewer"] is state.sets["defaults"]["viewer"], \
        "the others still share the set (copy-on-write)"
    assert engine.rule_count == 1 + 2 * 100 + 1


def test_a_set_must_be_known_before_it_is_attached():
    engine = Authorizer()
    with pytest.raises(ValueError, match="unknown rule sets"):
        engine.attach_sets([("t1", "nope")])
    with pytest.raises(ValueError, match="unknown rule sets"):
        engine.load([], DomainTree(), sets={}, attached={"t1": ["nope"]})
    assert engine.add_sets({"s": [("viewer", "ipgov:tenant", "read", "allow")]}) == 1
    assert engine.add_sets({"s": []}) == 0, "a known set is immutable: not replaced"
    assert engine.attach_sets([("t1", "s"), ("t1", "s")]) == 1
    assert engine.enforce("viewer", "t1", "ipgov:tenant", "read")
    assert engine.detach_sets([("t1", "s")]) == 1
    assert not engine.enforce("viewer", "t1", "ipgov:tenant", "read")
    assert engine.rule_count == 0
