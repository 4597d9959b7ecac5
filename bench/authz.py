"""Benchmark of the authorization decision engine (ipgov.authz.Authorizer) against baselines.

What it measures, for each size ``TENANTSxPOLICIES`` (default 1,000x20 and 10,000x110 = 1.1M
policy rules): a synthetic but realistic rule set (five roles per tenant from a few role-template
variants, groups of ~10 subsidiaries of which most inherit the group's roles, a few three-level
chains, local users, group users and consultants with memberships in several tenants, ~6% deny
rules and some wildcard rules) and a sample of requests aimed mostly at tenants where the user
has roles.

* load: seconds to compile the rules into the engine (``Authorizer.load``);
* engine cold: the memo is cleared before every decision, so only index lookups are measured;
* engine warm: memo primed with the same requests;
* dict: a plain ``dict.get`` of the very same decisions, the floor for any Python lookup;
* casbin: plain ``casbin.Enforcer`` on ``model.conf``, a time-boxed small sample (it scans every
  policy per decision); its load is abandoned after 60 s.

Latency is ``time.perf_counter_ns`` around each single call (timer overhead included, shown as its
own row); decisions/s comes from an untimed loop over the same requests (cold: clear + enforce).
It also reports memory growth after 100k requests from unknown subjects and the peak RSS.

* proposed tables: cold decisions from per-(user, domain) merged rule tables, the engine change
  proposed in docs/performance.md (``bench/authz_tables.py``), checked against ``enforce``.

Run: ``python bench/authz.py [--sizes 1000x20,10000x110] [--quick] [--casbin-max-rules N]``.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

import casbin  # noqa: E402
from _common import Result, emit  # noqa: E402
from authz_tables import build_tables, disagreements, time_tables  # noqa: E402

from ipgov.authz import Authorizer, DomainTree  # noqa: E402
from ipgov.authz.reference import (  # noqa: E402
    MODEL_PATH,
    RowsAdapter,
    domain_matcher,
    obj_match_func,
)

Request = tuple[str, str, str, str]
ROLES = ("tenant_admin", "ip_manager", "analyst", "viewer", "auditor")
ACTIONS = ("read", "create", "update", "delete", "approve", "export")
OBJECTS = (
    "ipgov:tenant", "ipgov:user", "ipgov:membership", "ipgov:role", "ipgov:audit_log",
    "ipgov:settings", "ipgov:plugin", "ipgov:report", "ipgov:notification", "ipgov:api_key",
    "ip_governance:asset", "ip_governance:risk", "ip_governance:policy", "ip_governance:review",
    "ip_governance:trade_secret", "ip_governance:license", "ip_governance:dispute",
    "ip_governance:portfolio", "patent_search:query", "patent_search:watchlist",
    "patent_search:alert", "patent_search:export", "data_governance:dataset",
    "data_governance:lineage", "data_governance:classification", "data_governance:retention",
    "plugin:patent_search", "plugin:data_governance", "plugin:ip_governance",
)  # fmt: skip
CASBIN_LOAD_LIMIT_S = 60.0
UNKNOWN_FLOOD = 100_000


@dataclass
class Dataset:
    """Generated rules, tenant tree and the domains where each user holds roles."""

    rules: list[tuple[str, ...]]
    tree: DomainTree
    domains: list[str]
    users: list[str]
    home: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Row:
    """One line of the result table."""

    size: str
    mode: str
    load_s: float | None
    rules: int
    per_s: float | None
    p50_us: float | None
    p99_us: float | None
    note: str = ""


def role_template(rng: random.Random, per_tenant: int) -> list[tuple[str, str, str, str]]:
    """Return ``per_tenant`` distinct (role, obj, act, eft) rows: allows, ~6% denies, wildcards."""
    rows: dict[tuple[str, str, str], str] = {
        ("tenant_admin", "*", "*"): "allow",
        ("ip_manager", "plugin:*", "read"): "allow",
        ("viewer", "*", "read"): "allow",
        ("auditor", "ipgov:audit_log", "*"): "allow",
        ("auditor", "*", "delete"): "deny",
    }
    denies = max(1, per_tenant * 6 // 100 - 1)
    while len(rows) < per_tenant:
        key = (rng.choice(ROLES[1:]), rng.choice(OBJECTS), rng.choice(ACTIONS))
        if key not in rows:
            rows[key] = "deny" if denies > 0 and rng.random() < 0.15 else "allow"
            denies -= rows[key] == "deny"
    return [(role, obj, act, eft) for (role, obj, act), eft in list(rows.items())[:per_tenant]]


def build_tree(tenants: int, rng: random.Random) -> tuple[DomainTree, list[str], dict[str, str]]:
    """Groups of one root + ~10 subsidiaries (70% inherit roles), some three levels deep."""
    tree = DomainTree()
    domains = [f"t{i:05d}" for i in range(tenants)]
    group_of: dict[str, str] = {}
    for i, dom in enumerate(domains):
        if i % 11 == 0:
            root = dom
            tree.set(dom)
        else:
            parent = domains[i - 1] if i % 11 == 10 else root
            tree.set(dom, parent, inherits_roles=rng.random() < 0.7)
        group_of[dom] = root
    return tree, domains, group_of


def build_dataset(tenants: int, per_tenant: int, seed: int = 7) -> Dataset:
    """Generate ``tenants * per_tenant`` policies plus local, group and consultant memberships."""
    rng = random.Random(seed)
    tree, domains, group_of = build_tree(tenants, rng)
    templates = [role_template(rng, per_tenant) for _ in range(4)]
    rules: list[tuple[str, ...]] = []
    data = Dataset(rules, tree, domains, [])
    for i, dom in enumerate(domains):
        rules.extend(("p", role, dom, obj, act, eft) for role, obj, act, eft in templates[i % 4])
        for k in range(3):
            add_member(data, f"u{i:05d}-{k}", dom, rng.sample(ROLES, 1 + (k == 0)))
        if group_of[dom] == dom:
            for k in range(2):
                add_member(data, f"g{i:05d}-{k}", dom, [rng.choice(ROLES[:3])])
    for c in range(max(10, tenants // 10)):
        for dom in rng.sample(domains, 3):
            add_member(data, f"c{c:05d}", dom, [rng.choice(ROLES[2:])])
    data.users = sorted(data.home)
    return data


def add_member(data: Dataset, user: str, dom: str, roles: Sequence[str]) -> None:
    """Append g rows for ``user`` in ``dom`` and remember the domain as one of the user's homes."""
    data.rules.extend(("g", user, role, dom) for role in roles)
    data.home.setdefault(user, []).append(dom)


def sample_requests(data: Dataset, count: int, seed: int = 11) -> list[Request]:
    """Mostly requests in (or cascaded below) the user's home tenants, 20% anywhere."""
    rng = random.Random(seed)
    children: dict[str, list[str]] = {}
    for dom, (parent, _flag) in data.tree.items():
        if parent is not None:
            children.setdefault(parent, []).append(dom)
    requests = []
    for _ in range(count):
        user = rng.choice(data.users)
        dom = rng.choice(data.home[user])
        if rng.random() < 0.2:
            dom = rng.choice(data.domains)
        elif children.get(dom) and rng.random() < 0.5:
            dom = rng.choice(children[dom])
        requests.append((user, dom, rng.choice(OBJECTS), rng.choice(ACTIONS)))
    return requests


def percentiles(lat: list[int]) -> tuple[float, float]:
    """Return (p50, p99) in microseconds."""
    lat = sorted(lat)
    return lat[len(lat) // 2] / 1000, lat[min(len(lat) - 1, int(len(lat) * 0.99))] / 1000


def time_timer(n: int) -> list[int]:
    """Latency of the timing harness alone (two perf_counter_ns calls)."""
    now = time.perf_counter_ns
    lat = []
    for _ in range(n):
        t0 = now()
        lat.append(now() - t0)
    return lat


def time_engine(engine: Authorizer, reqs: list[Request], cold: bool) -> list[int]:
    """Per-call latency of ``engine.enforce``; ``cold`` clears the memo before each call."""
    now = time.perf_counter_ns
    enforce, clear = engine.enforce, engine.clear_cache
    lat = []
    for u, d, o, a in reqs:
        if cold:
            clear()
        t0 = now()
        enforce(u, d, o, a)
        lat.append(now() - t0)
    return lat


def time_dict(table: dict[Request, bool], reqs: list[Request]) -> list[int]:
    """Per-call latency of a plain ``dict.get`` of the same decisions."""
    now = time.perf_counter_ns
    get = table.get
    lat = []
    for u, d, o, a in reqs:
        t0 = now()
        get((u, d, o, a))
        lat.append(now() - t0)
    return lat


def rate(run: Callable[[], object], n: int) -> float:
    """Decisions per second of an untimed loop ``run`` doing ``n`` decisions (best of 3)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return n / best


def measure_engine(size: str, data: Dataset, reqs: list[Request]) -> tuple[list[Row], Authorizer]:
    """Load the engine and measure cold, warm, dict baseline and timer rows."""
    gc.collect()
    engine = Authorizer(memo_size=max(262_144, len(reqs) * 2))
    rss0, t0 = current_rss_mb(), time.perf_counter()
    engine.load(data.rules, data.tree)
    load_s = time.perf_counter() - t0
    load_mib = current_rss_mb() - rss0
    n, count = len(reqs), engine.rule_count
    enforce, clear = engine.enforce, engine.clear_cache
    table = {r: enforce(*r) for r in reqs}
    get = table.get

    def cold_loop() -> None:
        for u, d, o, a in reqs:
            clear()
            enforce(u, d, o, a)

    def warm_loop() -> None:
        for u, d, o, a in reqs:
            enforce(u, d, o, a)

    def dict_loop() -> None:
        for u, d, o, a in reqs:
            get((u, d, o, a))

    gc.collect()  # start each timed section from a collected heap; gc stays enabled
    cold = percentiles(time_engine(engine, reqs, cold=True))
    cold_rate = rate(cold_loop, n)
    clear()
    warm_loop()
    gc.collect()
    warm = percentiles(time_engine(engine, reqs, cold=False))
    gc.collect()
    base = percentiles(time_dict(table, reqs))
    allowed = sum(table.values())
    tables, build_us = build_tables(engine, reqs)
    wrong = disagreements(engine, tables, reqs)
    gc.collect()
    merged = percentiles(time_tables(tables, reqs))
    rows = [
        Row(
            size,
            "engine cold",
            load_s,
            count,
            cold_rate,
            *cold,
            f"{allowed / n:.0%} allowed; load added {load_mib:,.0f} MiB RSS",
        ),
        Row(size, "engine warm", None, count, rate(warm_loop, n), *warm),
        Row(
            size,
            "dict baseline",
            None,
            count,
            rate(dict_loop, n),
            *base,
            f"{len(table):,} distinct requests",
        ),
        Row(size, "timer only", None, 0, None, *percentiles(time_timer(n))),
        Row(size, "proposed tables", None, count, None, *merged,
            f"cold via per-(user, domain) merged tables: {len(tables):,} tables, "
            f"{build_us:.1f} us each to build, {wrong} disagreements with enforce"),
    ]
    return rows, engine


def domains_where_latency(engine: Authorizer, data: Dataset, count: int = 5_000) -> str:
    """Cold latency of ``domains_where`` (list filtering) for a sample of users."""
    rng = random.Random(5)
    users = [rng.choice(data.users) for _ in range(count)]
    now, lat, found = time.perf_counter_ns, [], 0
    for user in users:
        engine.clear_cache()
        t0 = now()
        found += len(engine.domains_where(user, "ip_governance:risk", "read"))
        lat.append(now() - t0)
    p50, p99 = percentiles(lat)
    return (
        f"domains_where cold, {count:,} users: p50 {p50:.1f} us, p99 {p99:.1f} us, "
        f"{found / count:.1f} domains per user"
    )


def unknown_flood(engine: Authorizer, data: Dataset) -> tuple[str, int]:
    """Memory growth (tracemalloc) and index sizes after 100k unknown-subject requests."""
    rng = random.Random(3)
    names = [f"intruder-{i}" for i in range(UNKNOWN_FLOOD)]
    doms = [rng.choice(data.domains) for _ in range(UNKNOWN_FLOOD)]
    before = engine.index_sizes()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    enforce = engine.enforce
    denied = sum(
        not enforce(u, d, "ipgov:tenant", "read") for u, d in zip(names, doms, strict=True)
    )
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    same = "unchanged" if engine.index_sizes() == before else "CHANGED"
    text = (
        f"{UNKNOWN_FLOOD:,} unknown-subject requests: {denied:,} denied, traced memory growth "
        f"{grown:,} B, index sizes {same}"
    )
    return text, grown if same == "unchanged" else -1


class LoadTimeout(Exception):
    """Raised while feeding rows to casbin once the load budget is spent."""


def rows_until(rules: list[tuple[str, ...]], deadline: float) -> Iterator[tuple[str, ...]]:
    """Yield ``rules``, raising LoadTimeout once ``time.perf_counter()`` passes ``deadline``."""
    for start in range(0, len(rules), 50_000):
        if time.perf_counter() > deadline:
            raise LoadTimeout
        yield from rules[start : start + 50_000]


def load_casbin(data: Dataset) -> tuple[casbin.Enforcer | None, float]:
    """Build the reference enforcer; give up (None) after CASBIN_LOAD_LIMIT_S."""
    t0 = time.perf_counter()
    try:
        rows = rows_until(data.rules, t0 + CASBIN_LOAD_LIMIT_S)
        enforcer = casbin.Enforcer(str(MODEL_PATH), RowsAdapter(rows))
    except LoadTimeout:
        return None, time.perf_counter() - t0
    enforcer.add_function("objMatch", obj_match_func)
    enforcer.add_named_domain_matching_func("g", domain_matcher(data.tree))
    return enforcer, time.perf_counter() - t0


def measure_casbin(
    size: str, data: Dataset, reqs: list[Request], engine: Authorizer, limit: int, budget_s: float
) -> Row:
    """Time plain casbin.Enforcer on at most ``limit`` requests within ``budget_s`` seconds."""
    enforcer, load_s = load_casbin(data)
    if enforcer is None:
        note = f"load skipped: > {CASBIN_LOAD_LIMIT_S:.0f} s"
        return Row(size, "casbin Enforcer", load_s, len(data.rules), None, None, None, note)
    lat, agree, t_end = [], 0, time.perf_counter() + budget_s
    for req in reqs[:limit]:
        t0 = time.perf_counter_ns()
        decision = enforcer.enforce(*req)
        lat.append(time.perf_counter_ns() - t0)
        agree += decision == engine.enforce(*req)
        if time.perf_counter() > t_end:
            break
    p50, p99 = percentiles(lat)
    note = (
        f"sample of {len(lat)} (time-boxed {budget_s:.0f} s), agrees with engine {agree}/{len(lat)}"
    )
    rules = len(enforcer.get_policy()) + len(enforcer.get_grouping_policy())
    per_s = 1e9 / (sum(lat) / len(lat))
    return Row(size, "casbin Enforcer", load_s, rules, per_s, p50, p99, note)


def fmt(value: float | None, width: int) -> str:
    """Right-align a number (more decimals for small ones) or a dash in ``width`` columns."""
    if value is None:
        return "-".rjust(width)
    spec = ",.2f" if abs(value) < 100 else ",.0f"
    return format(value, spec).rjust(width)


def print_table(rows: list[Row]) -> None:
    """Print the results with ratios against the dict baseline of the same size."""
    head = (
        f"{'size':<11}{'mode':<16}{'load s':>7}{'rules':>11}{'dec/s':>12}{'p50 us':>12}"
        f"{'p99 us':>12}{'p50/dict':>12}{'p99/dict':>12}  note"
    )
    print(head)
    print("-" * len(head))
    base = {r.size: r for r in rows if r.mode == "dict baseline"}
    for r in rows:
        b = base.get(r.size)
        r50 = r.p50_us / b.p50_us if b and r.p50_us is not None else None
        r99 = r.p99_us / b.p99_us if b and r.p99_us is not None else None
        print(
            f"{r.size:<11}{r.mode:<16}{fmt(r.load_s, 7)}{r.rules:>11,}{fmt(r.per_s, 12)}"
            f"{fmt(r.p50_us, 12)}{fmt(r.p99_us, 12)}{fmt(r50, 12)}{fmt(r99, 12)}  {r.note}"
        )


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Current resident set size in MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def run_size(
    spec: str, quick: bool, big: bool, casbin_max: int
) -> tuple[list[Row], list[str], list[Result]]:
    """Generate, load and measure one size; return table rows and notes."""
    tenants, per_tenant = (int(x) for x in spec.lower().split("x"))
    t0 = time.perf_counter()
    data = build_dataset(tenants, per_tenant)
    notes = [f"[{spec}] generated {len(data.rules):,} rows in {time.perf_counter() - t0:.1f} s"]
    reqs = sample_requests(data, 20_000 if quick else 100_000)
    rows, engine = measure_engine(spec, data, reqs)
    notes.append(f"[{spec}] peak RSS before casbin {peak_rss_mb():,.0f} MiB")
    notes.append(f"[{spec}] {domains_where_latency(engine, data)}")
    flood, grown = unknown_flood(engine, data)
    notes.append(f"[{spec}] {flood}")
    limit, budget = (20, 60.0) if big else (50, 20.0)
    if quick:
        limit, budget = (3, 20.0) if big else (10, 5.0)
    if casbin_max and len(data.rules) > casbin_max:
        notes.append(f"[{spec}] casbin skipped: {len(data.rules):,} rules > --casbin-max-rules")
    else:
        rows.append(measure_casbin(spec, data, reqs, engine, limit, budget))
        notes.append(f"[{spec}] peak RSS after casbin {peak_rss_mb():,.0f} MiB")
    return rows, notes, summary(rows, grown)


def summary(rows: list[Row], flood_growth: int) -> list[Result]:
    """The figures ``bench/run`` tabulates; goals apply from 1M rules (the issue's size)."""
    by_mode = {r.mode: r for r in rows}
    cold, base = by_mode["engine cold"], by_mode["dict baseline"]
    size = f"{cold.rules:,} rules"
    goal = cold.rules >= 1_000_000

    def vs_dict(mode: str, pct: str, goal_text: str = "", met: bool | None = None) -> Result:
        row = by_mode[mode]
        value, ref = (row.p50_us, base.p50_us) if pct == "p50" else (row.p99_us, base.p99_us)
        return Result("authz", size, f"{mode} {pct}", value, "us", ref, "dict.get",
                      goal_text if goal else "", met if goal else None)

    cold_met = cold.p99_us <= 20 and cold.p99_us <= 10 * base.p99_us  # type: ignore[operator]
    out = [
        Result("authz", size, "load", cold.load_s, "s", None, "", "<= 3 s" if goal else "",
               cold.load_s <= 3 if goal else None),  # type: ignore[operator]
        vs_dict("engine cold", "p50", "<= 10x dict", cold.p50_us <= 10 * base.p50_us),  # type: ignore[operator]
        vs_dict("engine cold", "p99", "<= 20 us and <= 10x dict", cold_met),
        vs_dict("engine warm", "p50"),
        vs_dict("engine warm", "p99"),
        vs_dict("proposed tables", "p50"),
        vs_dict("proposed tables", "p99"),
        Result("authz", size, "100k unknown subjects: memory growth", flood_growth, "B", None,
               "", "bounded (indexes unchanged)" if goal else "",
               (0 <= flood_growth < 1_000_000) if goal else None),
    ]
    if "casbin Enforcer" in by_mode and by_mode["casbin Enforcer"].p50_us is not None:
        casbin_row = by_mode["casbin Enforcer"]
        out.append(Result("authz", size, "casbin Enforcer p50", casbin_row.p50_us, "us",
                          cold.p50_us, "engine cold"))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, run every size and print the table and notes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000x20,10000x110", help="TENANTSxPOLICIES,...")
    parser.add_argument("--quick", action="store_true", help="smaller samples, shorter casbin")
    parser.add_argument("--casbin-max-rules", type=int, default=0,
                        help="skip plain casbin above this many rules (0: never skip)")
    args = parser.parse_args(argv)
    results: list[Result] = []
    specs = [s for s in args.sizes.split(",") if s]
    rows: list[Row] = []
    notes: list[str] = []
    started = time.perf_counter()
    for spec in specs:
        tenants, per_tenant = (int(x) for x in spec.lower().split("x"))
        size_rows, size_notes, size_results = run_size(
            spec, args.quick, tenants * per_tenant > 200_000, args.casbin_max_rules
        )
        rows += size_rows
        notes += size_notes
        results += size_results
    print_table(rows)
    for note in notes:
        print(note)
    total = time.perf_counter() - started
    print(
        f"python {sys.version.split()[0]}, casbin {casbin_version()}, "
        f"total {total:.0f} s, peak RSS {peak_rss_mb():,.0f} MiB"
    )
    emit(results)


def casbin_version() -> str:
    """Installed pycasbin version."""
    from importlib.metadata import version

    return version("pycasbin")


if __name__ == "__main__":
    main()
