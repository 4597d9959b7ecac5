"""Behaviour of the compiled authorization engine and its equivalence with pycasbin.

Hand-written cases pin the semantics (deny overrides, cascading roles, wildcards, unknown
subjects); hypothesis property tests prove the engine agrees with plain ``casbin.Enforcer`` on
``model.conf`` for random trees, rules and requests, and that incremental writes and the memo
never diverge from a fresh load.
"""

from __future__ import annotations

import sys
import threading
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipgov.authz import Authorizer, DomainTree, obj_matches
from ipgov.authz.reference import build_reference_enforcer, domain_matcher

RISK = "ip_governance:risk"
TENANT = "ipgov:tenant"


def make(rules, tree=None, **kwargs) -> Authorizer:
    """Return an engine loaded with ``rules`` and ``tree``."""
    engine = Authorizer(**kwargs)
    engine.load(rules, tree or DomainTree())
    return engine


def assert_matches_casbin(rules, tree, requests) -> None:
    """Every request gets the same decision from the engine and the reference enforcer."""
    engine = make(rules, tree)
    reference = build_reference_enforcer(rules, tree)
    for request in requests:
        assert engine.enforce(*request) == reference.enforce(*request), request


# --------------------------------------------------------------------------- hand-written cases


def test_allow_requires_matching_policy_in_the_request_domain():
    rules = [("p", "analyst", "t1", RISK, "read", "allow"), ("g", "alice", "analyst", "t1")]
    engine = make(rules, DomainTree({"t1": (None, False), "t2": (None, False)}))
    assert engine.enforce("alice", "t1", RISK, "read")
    assert not engine.enforce("alice", "t1", RISK, "update")
    assert not engine.enforce("alice", "t1", TENANT, "read")
    assert not engine.enforce("alice", "t2", RISK, "read")
    assert not engine.enforce("bob", "t1", RISK, "read")


def test_deny_overrides_allow_across_roles_and_wildcards():
    rules = [
        ("p", "editor", "t1", "*", "*", "allow"),
        ("p", "auditor", "t1", RISK, "update", "deny"),
        ("g", "alice", "editor", "t1"),
        ("g", "alice", "auditor", "t1"),
        ("g", "bob", "editor", "t1"),
    ]
    # Twenty users with their own allow/deny role pair: whatever order the subjects are
    # visited in, a deny must win.
    for i in range(20):
        rules += [
            ("p", f"allow{i}", "t1", RISK, "*", "allow"),
            ("p", f"deny{i}", "t1", "ip_governance:*", "update", "deny"),
            ("g", f"user{i}", f"allow{i}", "t1"),
            ("g", f"user{i}", f"deny{i}", "t1"),
        ]
    engine = make(rules)
    assert not engine.enforce("alice", "t1", RISK, "update")
    assert engine.enforce("alice", "t1", RISK, "read")
    assert engine.enforce("bob", "t1", RISK, "update")
    for i in range(20):
        assert not engine.enforce(f"user{i}", "t1", RISK, "update")
        assert engine.enforce(f"user{i}", "t1", RISK, "read")
    assert_matches_casbin(rules, DomainTree(), [("alice", "t1", RISK, "update")])


def test_same_rule_allow_and_deny_denies():
    rules = [("p", "r", "t1", RISK, "read", "allow"), ("p", "r", "t1", RISK, "read", "deny")]
    engine = make([*rules, ("g", "u", "r", "t1")])
    assert not engine.enforce("u", "t1", RISK, "read")
    assert engine.rule_count == 3


@pytest.mark.parametrize("inherits", [True, False])
def test_group_roles_cascade_only_when_subsidiary_inherits(inherits):
    tree = DomainTree({"grp": (None, False), "sub": ("grp", inherits)})
    rules = [
        ("p", "ip_manager", "grp", RISK, "read", "allow"),
        ("p", "ip_manager", "sub", RISK, "read", "allow"),  # materialised group policy
        ("g", "alice", "ip_manager", "grp"),
    ]
    engine = make(rules, tree)
    assert engine.enforce("alice", "grp", RISK, "read")
    assert engine.enforce("alice", "sub", RISK, "read") is inherits
    assert engine.roles_in("alice", "sub") == ({"ip_manager"} if inherits else set())
    assert engine.users_with_role("ip_manager", "sub") == ({"alice"} if inherits else set())
    assert engine.domains_where("alice", RISK, "read") == ({"grp", "sub"} if inherits else {"grp"})
    assert_matches_casbin(rules, tree, [("alice", d, RISK, "read") for d in ("grp", "sub")])


def test_roles_never_cascade_upwards():
    tree = DomainTree({"grp": (None, False), "sub": ("grp", True)})
    rules = [("p", "admin", "grp", "*", "*", "allow"), ("g", "alice", "admin", "sub")]
    assert not make(rules, tree).enforce("alice", "grp", RISK, "read")


def test_broken_cascade_in_the_middle_stops_inheritance():
    # root -> mid (does NOT inherit) -> leaf (inherits): leaf gets mid's roles, not root's.
    tree = DomainTree({"root": (None, False), "mid": ("root", False), "leaf": ("mid", True)})
    rules = [
        ("p", "viewer", "leaf", RISK, "read", "allow"),
        ("g", "rooted", "viewer", "root"),
        ("g", "midder", "viewer", "mid"),
    ]
    engine = make(rules, tree)
    assert engine.enforce("midder", "leaf", RISK, "read")
    assert not engine.enforce("rooted", "leaf", RISK, "read")
    assert tree.cascade_chain("leaf") == ("leaf", "mid")

    engine.set_domain("mid", "root", inherits_roles=True)  # repair the cascade
    assert engine.enforce("rooted", "leaf", RISK, "read")
    assert engine.domains_where("rooted", RISK, "read") == {"leaf"}
    requests = [(u, "leaf", RISK, "read") for u in ("rooted", "midder")]
    assert_matches_casbin(rules, tree, requests)
    assert_matches_casbin(rules, engine.tree, requests)


def test_wildcard_objects_and_actions():
    rules = [
        ("p", "plugin_admin", "t1", "plugin:*", "update", "allow"),
        ("p", "reader", "t1", "*", "read", "allow"),
        ("p", "owner", "t1", TENANT, "*", "allow"),
        ("g", "pa", "plugin_admin", "t1"),
        ("g", "rd", "reader", "t1"),
        ("g", "ow", "owner", "t1"),
    ]
    engine = make(rules)
    assert engine.enforce("pa", "t1", "plugin:patent_search", "update")
    assert not engine.enforce("pa", "t1", "plugin:patent_search", "read")
    assert not engine.enforce("pa", "t1", "plugins", "update")
    assert engine.enforce("rd", "t1", "anything:at_all", "read")
    assert not engine.enforce("rd", "t1", TENANT, "delete")
    assert engine.enforce("ow", "t1", TENANT, "delete")
    assert not engine.enforce("ow", "t1", RISK, "delete")
    requests = [
        (u, "t1", o, a)
        for u in ("pa", "rd", "ow")
        for o in ("plugin:x", "plugins", TENANT)
        for a in ("read", "update")
    ]
    assert_matches_casbin(rules, DomainTree(), requests)


def test_obj_matching_rule():
    assert obj_matches("plugin:x", "plugin:*")
    assert obj_matches("plugin:", "plugin:*")
    assert obj_matches("", "*")
    assert not obj_matches("plugin", "plugin:*")
    assert not obj_matches("plugin:x", "plugin:y")
    assert not obj_matches("plugin:x", "plugin")


def test_user_named_directly_as_subject():
    rules = [
        ("p", "user-42", "t1", RISK, "delete", "allow"),
        ("p", "user-42", "t2", "*", "*", "deny"),
    ]
    engine = make(rules)
    assert engine.enforce("user-42", "t1", RISK, "delete")
    assert not engine.enforce("user-42", "t2", RISK, "delete")
    assert engine.domains_where("user-42", RISK, "delete") == {"t1"}
    assert_matches_casbin(rules, DomainTree(), [("user-42", "t1", RISK, "delete")])


def test_role_hierarchy_follows_links_like_casbin():
    tree = DomainTree({"grp": (None, False), "sub": ("grp", True)})
    rules = [
        ("p", "viewer", "sub", RISK, "read", "allow"),
        ("g", "manager", "viewer", "sub"),
        ("g", "alice", "manager", "grp"),
    ]
    engine = make(rules, tree)
    assert engine.roles_in("alice", "sub") == {"manager", "viewer"}
    assert engine.users_with_role("viewer", "sub") == {"alice", "manager"}
    assert engine.enforce("alice", "sub", RISK, "read")
    assert_matches_casbin(rules, tree, [("alice", "sub", RISK, "read")])


def test_unknown_subjects_and_domains_are_false_and_leave_no_trace():
    rules = [("p", "admin", "t1", "*", "*", "allow"), ("g", "alice", "admin", "t1")]
    engine = make(rules, DomainTree({"t1": (None, False)}))
    assert engine.enforce("alice", "t1", RISK, "read")  # warm the allocator and the memo
    assert not engine.enforce("alice", "warmup", RISK, "read")
    assert not engine.enforce("ghost", "t1", RISK, "read")
    names = [f"ghost-{i}" for i in range(100_000)]
    before = engine.index_sizes()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        enforce = engine.enforce
        unknown_user = [enforce(name, "t1", RISK, "read") for name in names]
        unknown_domain = [enforce("alice", name, RISK, "read") for name in names]
        grown = tracemalloc.get_traced_memory()[0] - baseline - 2 * sys.getsizeof(unknown_user)
    finally:
        tracemalloc.stop()
    assert not any(unknown_user) and not any(unknown_domain)
    assert engine.index_sizes() == before
    assert grown < 64 * 1024, f"engine kept {grown} bytes after 100k unknown subjects"
    assert engine.roles_in("ghost-1", "t1") == set()
    assert engine.domains_where("ghost-1", RISK, "read") == set()


def test_memo_is_bounded():
    rules = [("p", "admin", "t1", "*", "*", "allow"), ("g", "alice", "admin", "t1")]
    engine = make(rules, memo_size=100)
    for i in range(1_000):
        assert engine.enforce("alice", "t1", f"obj:{i}", "read")
    assert engine.memo_len == 100


def test_cache_invalidated_by_every_kind_of_write():
    tree = DomainTree({"grp": (None, False), "sub": ("grp", True)})
    engine = make([("p", "admin", "sub", RISK, "read", "allow")], tree)
    request = ("alice", "sub", RISK, "read")
    assert not engine.enforce(*request)

    assert engine.add_rules([("g", "alice", "admin", "grp")]) == 1
    assert engine.enforce(*request)  # memo held no entry for unknown alice; now known
    assert engine.enforce(*request)  # memoised
    engine.set_domain("sub", "grp", inherits_roles=False)
    assert not engine.enforce(*request)
    engine.set_tree(tree)
    assert engine.enforce(*request)

    deny = ("p", "admin", "sub", "*", "read", "deny")
    assert engine.add_rules([deny]) == 1
    assert not engine.enforce(*request)
    assert engine.remove_rules([deny]) == 1
    assert engine.enforce(*request)

    assert engine.remove_rules([("g", "alice", "admin", "grp")]) == 1
    assert not engine.enforce(*request)
    assert engine.remove_rules([("g", "alice", "admin", "grp")]) == 0
    assert engine.rule_count == 1


def test_writes_are_counted_and_duplicates_ignored():
    rule = ("p", "r", "t1", RISK, "read", "allow")
    engine = make([rule, rule, ("g", "u", "r", "t1"), ("g", "u", "r", "t1")])
    assert engine.rule_count == 2
    assert engine.add_rules([rule]) == 0
    assert engine.remove_rules([rule, rule]) == 1
    assert engine.rule_count == 1
    assert engine.index_sizes()["policy_domains"] == 0


def test_rows_may_be_lists_as_read_from_the_database():
    engine = make([["p", "r", "t1", RISK, "read", "allow"], ["g", "u", "r", "t1"]])
    assert engine.enforce("u", "t1", RISK, "read")
    generation = engine.generation
    assert engine.remove_rules([["g", "u", "r", "t1"]]) == 1
    assert engine.generation > generation
    assert not engine.enforce("u", "t1", RISK, "read")


@pytest.mark.parametrize(
    "row",
    [
        ("p", "r", "t1", RISK, "read", "maybe"),
        ("g", "u", "r"),
        ("x", "a", "b", "c"),
        ("p", 1, "t", "o", "a", "allow"),
    ],
)
def test_malformed_rules_are_rejected(row):
    with pytest.raises(ValueError):
        make([row])
    with pytest.raises(ValueError):
        Authorizer().add_rules([row])


def test_tree_rejects_cycles():
    tree = DomainTree({"a": (None, False), "b": ("a", True)})
    with pytest.raises(ValueError):
        tree.set("a", "b", True)
    matcher = domain_matcher(tree)
    assert matcher("b", "a") and matcher("b", "b") and not matcher("a", "b")


def test_readers_see_no_errors_while_a_writer_toggles_rules():
    rules = [("p", "r", "t1", RISK, "read", "allow"), ("g", "u", "r", "t1")]
    engine = make(rules, memo_size=16)
    deny = [("p", "r", "t1", RISK, "read", "deny"), ("g", "u", "r2", "t1")]
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                engine.enforce("u", "t1", RISK, "read")
                engine.domains_where("u", RISK, "read")
                engine.roles_in("u", "t1")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    for _ in range(300):
        engine.add_rules(deny)
        engine.remove_rules(deny)
    stop.set()
    for thread in readers:
        thread.join()
    assert not errors
    assert engine.enforce("u", "t1", RISK, "read")


# --------------------------------------------------------------------------- property tests

DOMAINS = [f"d{i}" for i in range(3)]
USERS = ["u0", "u1"]
ROLES = ["r0", "r1", "r2"]
P_OBJS = [TENANT, "plugin:a", "plugin:*", "*", "*"]
P_ACTS = ["read", "update", "*", "*"]
R_SUBJECTS = [*USERS, "r0", "ghost"]
R_DOMAINS = [*DOMAINS, "elsewhere"]
R_OBJS = [TENANT, "plugin:a", "plugin:b"]
R_ACTS = ["read", "update"]
ALL_REQUESTS = [(u, d, o, a) for u in R_SUBJECTS for d in R_DOMAINS for o in R_OBJS for a in R_ACTS]


@st.composite
def trees(draw) -> DomainTree:
    """Random forests over DOMAINS (parent always earlier, so acyclic) with random flags."""
    tree = DomainTree()
    for i, dom in enumerate(DOMAINS):
        parent = draw(st.sampled_from([None, *DOMAINS[:i]]))
        tree.set(dom, parent, draw(st.booleans()))
    return tree


policy_rows = st.tuples(
    st.just("p"),
    st.sampled_from([*ROLES, "u0"]),
    st.sampled_from(DOMAINS),
    st.sampled_from(P_OBJS),
    st.sampled_from(P_ACTS),
    st.sampled_from(["allow", "allow", "deny"]),
)
# g rows may link role to role too: the engine follows role hierarchies like casbin does.
link_rows = st.tuples(
    st.just("g"),
    st.sampled_from([*USERS, *USERS, "r0"]),
    st.sampled_from(ROLES),
    st.sampled_from(DOMAINS),
)
rule_lists = st.lists(st.one_of(policy_rows, link_rows), min_size=3, max_size=20)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(tree=trees(), rules=rule_lists)
def test_engine_agrees_with_plain_casbin_enforcer(tree, rules):
    """Whole request space (incl. unknown user and domain), warm and cold, vs pycasbin."""
    engine = make(rules, tree)
    reference = build_reference_enforcer(rules, tree)
    for request in ALL_REQUESTS:
        expected = reference.enforce(*request)
        assert engine.enforce(*request) == expected, request
        engine.clear_cache()
        assert engine.enforce(*request) == expected, request  # cold path
        assert engine.enforce(*request) == expected, request  # memoised


@PROPERTY_SETTINGS
@given(tree=trees(), rules=rule_lists)
def test_domains_where_and_role_queries_agree_with_enforce(tree, rules):
    engine = make(rules, tree)
    all_domains = set(DOMAINS) | {r[2] for r in rules if r[0] == "p"}
    for user in R_SUBJECTS:
        for obj in R_OBJS:
            for act in R_ACTS:
                expected = {d for d in all_domains if engine.enforce(user, d, obj, act)}
                assert engine.domains_where(user, obj, act) == expected
        for dom in DOMAINS:
            for role in ROLES:
                holds = role in engine.roles_in(user, dom)
                assert holds == (user in engine.users_with_role(role, dom))


@PROPERTY_SETTINGS
@given(tree=trees(), first=rule_lists, added=rule_lists, new_tree=trees(), data=st.data())
def test_incremental_writes_equal_a_fresh_load(tree, first, added, new_tree, data):
    """add/remove/set_tree after a warm memo give the decisions of a fresh load."""
    removed = data.draw(st.lists(st.sampled_from(first + added), max_size=12))
    removed += data.draw(st.lists(st.one_of(policy_rows, link_rows), max_size=3))
    engine = make(first, tree)
    for request in ALL_REQUESTS[::7]:
        engine.enforce(*request)  # populate the memo so stale entries would show
    engine.add_rules(added)
    engine.remove_rules(removed)
    final = set(first) | set(added)
    final -= set(removed)
    for current_tree in (tree, new_tree):
        if current_tree is new_tree:
            engine.set_tree(new_tree)
        fresh = make(sorted(final), current_tree)
        assert engine.rule_count == fresh.rule_count == len(final)
        for request in ALL_REQUESTS:
            assert engine.enforce(*request) == fresh.enforce(*request), request
