"""Experiment for ``bench/authz.py``: cold decisions from per-(user, domain) merged rule tables.

A cold ``Authorizer.enforce`` (memo miss) resolves the user's effective subjects in the domain
(role links along the cascade chain) and then looks each subject's rules up. This module measures
the change proposed in docs/performance.md: remember, per (user, domain), ONE rule table merged
from all effective subjects (bits OR-ed: deny-overrides is unchanged, since any deny bit among
the subjects denies and any bit allows), so that a decision for a new (obj, act) costs one dict
lookup and one ``_evaluate`` over a single subject. The tables are built here from the engine's
own indexes (private attributes, read only) and the decisions are checked against ``enforce``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from ipgov.authz import Authorizer
from ipgov.authz.engine import _closure, _compile_subject, _evaluate

Request = tuple[str, str, str, str]
Table = dict[str, tuple]


def effective_subjects(engine: Authorizer, user: str, dom: str) -> list[str]:
    """The subjects ``enforce`` consults for ``user`` in ``dom`` (same rules as the engine)."""
    state = engine._state
    by_dom = state.links.get(user)
    if by_dom is None:
        return [user]
    subjects = _closure(state.links, user, state.chains.get(dom, (dom,)))
    return list(subjects)


def merged_table(engine: Authorizer, user: str, dom: str) -> Table:
    """One compiled rule table for ``user`` in ``dom``: every effective subject's rules OR-ed."""
    by_sub = engine._state.policies.get(dom, {})
    exact: dict[tuple[str, str], int] = {}
    for sub in effective_subjects(engine, user, dom):
        rules = by_sub.get(sub)
        if rules is None:
            continue
        for key, bits in rules[0].items():
            exact[key] = exact.get(key, 0) | bits
    return {user: _compile_subject(exact)} if exact else {}


def build_tables(engine: Authorizer, reqs: Iterable[Request]) -> tuple[dict, float]:
    """Tables for every (user, dom) in ``reqs``; returns them and microseconds per table."""
    pairs = {(u, d) for u, d, _o, _a in reqs}
    t0 = time.perf_counter()
    tables = {pair: merged_table(engine, *pair) for pair in pairs}
    return tables, (time.perf_counter() - t0) * 1e6 / max(1, len(pairs))


def time_tables(tables: dict, reqs: list[Request]) -> list[int]:
    """Per-call latency of a decision from the merged tables (lookup + one-subject evaluate)."""
    now = time.perf_counter_ns
    get = tables.get
    lat = []
    for u, d, o, a in reqs:
        t0 = now()
        _evaluate(get((u, d), {}), (u,), o, a)
        lat.append(now() - t0)
    return lat


def disagreements(engine: Authorizer, tables: dict, reqs: list[Request]) -> int:
    """How many requests the merged tables decide differently from ``engine.enforce``."""
    return sum(_evaluate(tables.get((u, d), {}), (u,), o, a) != engine.enforce(u, d, o, a)
               for u, d, o, a in reqs)
