"""Benchmark of the supervision overview against one plain SQL query in the same run.

Builds a group with ``--subsidiaries`` (default 200) subsidiaries, each with six finished
reviews (the trend), ``--findings`` (default 50) findings in the latest one, a few open and
overdue directives and a pending escalation, inserted with bulk inserts. Then it times, over
``--reps`` repetitions each, after one warm-up:

* service: ``ipgov.supervision.queries.overview`` over the whole scope in one page (seven
  statements, including the audit-chain verification of every tenant in Python);
* graphql: ``supervisionOverview`` end to end through the schema in-process (entitlement,
  the audited read, the same statements, Strawberry serialisation); ``max_page_size`` is raised
  to the scope size so that one page holds it;
* baseline: the same aggregate (latest scores, six-run trend, findings by severity of the
  latest run, overdue and escalated open directives, pending escalations, tenant list) as ONE
  plain SQL query (``text``) without chain verification, which SQL cannot do (the HMAC key is
  outside the database); the chain verification alone is timed too.

Prints p50/p95 in milliseconds and the ratios to the baseline. Run:
``python bench/supervision.py [--subsidiaries 200] [--findings 50] [--reps 20]
[--postgres URL]`` (SQLite in a temporary directory by default; with ``--postgres`` a fresh
database is created, migrated, used as its owner and dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from _common import Result, emit, timed_ms

SQL_BASELINE = """
WITH ranked AS (
  SELECT r.id, r.tenant_id, r.scores, r.finished_at,
         ROW_NUMBER() OVER (PARTITION BY r.tenant_id
                            ORDER BY r.finished_at DESC, r.id DESC) AS rn
  FROM review_runs r
  WHERE r.tenant_id IN :ids AND r.kind = 'tenant' AND r.finished_at IS NOT NULL)
SELECT 'tenant' AS kind, t.id AS tenant_id, t.slug AS k, t.depth AS n1, 0 AS n2,
       NULL AS scores
  FROM tenants t WHERE t.id IN :ids
UNION ALL
SELECT 'run', ranked.tenant_id, ranked.id, ranked.rn, 0, ranked.scores
  FROM ranked WHERE ranked.rn <= 6
UNION ALL
SELECT 'findings', f.tenant_id, f.severity, COUNT(*), 0, NULL
  FROM findings f JOIN ranked ON ranked.id = f.run_id AND ranked.rn = 1
  GROUP BY f.tenant_id, f.severity
UNION ALL
SELECT 'directives', d.tenant_id, '', SUM(CASE WHEN d.due_at < :now THEN 1 ELSE 0 END),
       SUM(CASE WHEN d.escalated_at IS NOT NULL THEN 1 ELSE 0 END), NULL
  FROM directives d WHERE d.tenant_id IN :ids AND d.status = 'open' GROUP BY d.tenant_id
UNION ALL
SELECT 'escalations', e.tenant_id, '', COUNT(*), 0, NULL
  FROM escalations e WHERE e.tenant_id IN :ids AND e.status = 'pending' GROUP BY e.tenant_id
"""

OVERVIEW = """query($first: Int!) { supervisionOverview(first: $first) {
  edges { node { tenant { id slug } latestRunId scores trend { runId overall functions }
  openFindings { severity count } overdueDirectives risksAboveTolerance escalationsAwaiting
  auditTrail { ok events } } } pageInfo { hasNextPage } } }"""

FUNCTIONS = ["govern", "identify", "protect", "operate", "monitor", "respond", "recover"]
DOMAINS = ["top_level_design", "management_systems", "resources"]
SEVERITIES = ["critical", "high", "medium", "low", "info"]


def _plugin_locations(platform: Any) -> list[str]:
    return [str(p) for p in platform.registry.hook.register_migrations() if p]


async def _seed(platform: Any, subsidiaries: int, findings: int) -> tuple[str, list[str], str]:
    from sqlalchemy import insert

    from ipgov.db.base import new_id, utcnow
    from ipgov.identity.service import add_membership, create_user
    from ipgov.reviews.models import Directive, Finding, ReviewRun
    from ipgov.tenancy import services
    from ipgov.tenancy.models import Escalation

    async with platform.db.system_session("bench: platform tenant") as s:
        await services.ensure_platform_tenant(platform, s)
    await platform.authz.load()
    ids: list[str] = []
    async with platform.db.system_session("bench: tenants") as s:
        group = await services.create_group(platform, s, slug="bench", name="Bench",
                                            governance_mode="decentralized", actor="bench")
        ids.append(group.id)
        for i in range(subsidiaries):
            t = await services.onboard_subsidiary(platform, s, parent_id=group.id,
                                                  slug=f"bench-{i:04d}", name=f"Sub {i}",
                                                  actor="bench")
            ids.append(t.id)
        user = await create_user(s, email="auditor@bench.example", display_name="auditor")
        await add_membership(platform, s, tenant_id=group.id, user_id=user.id, role="auditor",
                             actor="bench")
    await platform.authz.load()  # a full load: onboarding made more changes than one refresh
    now = utcnow()
    runs, rows, directives, escalations = [], [], [], []
    for n, tid in enumerate(ids):
        for k in range(6):
            run_id = new_id()
            overall = 50.0 + (n + k) % 50
            runs.append({
                "id": run_id, "tenant_id": tid, "kind": "tenant", "trigger": "manual",
                "status": "succeeded", "requested_by": "bench", "idempotency_key": run_id,
                "requested_at": now - timedelta(days=7 * (6 - k)),
                "finished_at": now - timedelta(days=7 * (6 - k), minutes=-5),
                "attempts": 1, "checks_total": findings, "checks_done": findings,
                "scores": {"functions": {f: overall for f in FUNCTIONS},
                           "domains": {d: overall for d in DOMAINS}, "overall": overall}})
        for j in range(findings):  # into the latest run
            rows.append({
                "id": new_id(), "tenant_id": tid, "run_id": run_id, "check_id": f"bench.c{j % 10}",
                "key": f"k{j}", "domain": DOMAINS[j % 3], "function": FUNCTIONS[j % 7],
                "severity": SEVERITIES[j % 5], "title": f"finding {j}", "evidence": {},
                "created_at": now})
        for j in range(5):
            directives.append({
                "id": new_id(), "tenant_id": tid, "check_id": f"bench.c{j}", "finding_key": f"k{j}",
                "action": "act", "owner_role": "tenant_admin", "severity": SEVERITIES[j],
                "function": FUNCTIONS[j], "domain": DOMAINS[j % 3], "status": "open",
                "due_at": now + timedelta(days=(-3 if j < 2 else 30)), "opened_run_id": run_id,
                "last_seen_run_id": run_id, "escalated_at": now if j == 0 else None,
                "escalation": "supervision" if j == 0 else None, "created_at": now,
                "updated_at": now})
        escalations.append({
            "id": new_id(), "tenant_id": tid, "from_tenant_id": tid, "decision_type": "bench",
            "subject": "s", "payload": {}, "requested_by": "bench", "status": "pending",
            "idempotency_key": new_id(), "created_at": now})
    async with platform.db.system_session("bench: bulk rows") as s:
        await s.execute(insert(ReviewRun), runs)
        for start in range(0, len(rows), 5000):
            await s.execute(insert(Finding), rows[start:start + 5000])
        await s.execute(insert(Directive), directives)
        await s.execute(insert(Escalation), escalations)
    return group.id, ids, platform.tokens.issuer.issue(user.id).token


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _measure(platform: Any, args: argparse.Namespace) -> None:
    from sqlalchemy import bindparam, text

    from ipgov.db import TenantScope
    from ipgov.db.base import utcnow
    from ipgov.graphql.context import IpgovContext
    from ipgov.graphql.schema import build_schema
    from ipgov.identity.service import authenticate
    from ipgov.supervision import queries

    t0 = time.perf_counter()
    _root, ids, token = await _seed(platform, args.subsidiaries, args.findings)
    print(f"seeded {len(ids)} tenants, {len(ids) * 6} runs, {len(ids) * args.findings} "
          f"findings in {time.perf_counter() - t0:.1f}s ({platform.db.dialect})")
    scope_ids = set(ids)
    scope = TenantScope.tenants(frozenset(scope_ids), "bench: supervision")
    checked: dict[str, Any] = {}

    async def service() -> None:
        async with platform.db.session(scope, readonly=True) as session:
            rows, more = await queries.overview(session, platform.audit_key, scope_ids,
                                                first=len(ids))
        assert len(rows) == len(ids) and not more
        checked["service"] = rows

    async def verification() -> None:
        async with platform.db.session(scope, readonly=True) as session:
            await queries.verify_chains(session, platform.audit_key, sorted(scope_ids))

    schema = build_schema(platform.settings, platform.registry)
    principal = await authenticate(platform, f"Bearer {token}")

    async def graphql() -> None:
        ctx = IpgovContext(platform=platform, principal=principal, loaders={})
        result = await schema.execute(OVERVIEW, variable_values={"first": len(ids)},
                                      context_value=ctx)
        assert not result.errors, result.errors
        assert len(result.data["supervisionOverview"]["edges"]) == len(ids)

    stmt = text(SQL_BASELINE).bindparams(bindparam("ids", expanding=True))

    async def baseline() -> None:
        async with platform.db.engine.connect() as conn:
            rows = (await conn.execute(stmt, {"ids": sorted(scope_ids), "now": utcnow()})).all()
        assert sum(1 for r in rows if r.kind == "tenant") == len(ids)
        checked["baseline"] = rows

    results = {}
    for name, fn in (("baseline (1 SQL query)", baseline), ("service", service),
                     ("  of which chain verification", verification), ("graphql", graphql)):
        results[name] = await timed_ms(args.reps, fn)
    # the two agree on what they count
    base_findings = sum(r.n1 for r in checked["baseline"] if r.kind == "findings")
    service_findings = sum(sum(r.open_findings.values()) for r in checked["service"])
    assert base_findings == service_findings == len(ids) * args.findings, (base_findings,
                                                                            service_findings)
    base = _p(results["baseline (1 SQL query)"], 0.5)
    print(f"supervisionOverview over {len(ids)} tenants, {args.reps} reps (ms):")
    size = f"{len(ids):,} tenants x {args.findings} findings, {platform.db.dialect}"
    summary = []
    for name, times in results.items():
        p50, p95 = _p(times, 0.5), _p(times, 0.95)
        print(f"  {name:32s} p50 {p50:8.1f}  p95 {p95:8.1f}  ratio(p50) {p50 / base:5.2f}x")
        if not name.startswith("baseline"):
            summary.append(Result("supervision overview", size, f"{name.strip()} p50", p50,
                                  "ms", base, "1 SQL query"))
    emit(summary)


async def _admin_sql(url: str, sql: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subsidiaries", type=int, default=200)
    parser.add_argument("--sizes", default="",
                        help="comma list of subsidiary counts, one fresh database each "
                             "(overrides --subsidiaries)")
    parser.add_argument("--findings", type=int, default=50, help="findings per subsidiary")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL (asyncpg) to use")
    args = parser.parse_args(argv)
    for size in [int(n) for n in args.sizes.split(",") if n] or [args.subsidiaries]:
        args.subsidiaries = size
        _run_size(args)


def _run_size(args: argparse.Namespace) -> None:
    """Seed and measure one size in a fresh database."""
    from ipgov.db.migrate import upgrade
    from ipgov.settings import Settings
    from ipgov.startup import build_platform

    page = args.subsidiaries + 1
    with tempfile.TemporaryDirectory(prefix="ipgov-bench-") as tmp:
        if args.postgres:
            from sqlalchemy.engine import make_url

            name = f"ipgov_bench_{uuid.uuid4().hex[:10]}"
            asyncio.run(_admin_sql(args.postgres, f'CREATE DATABASE "{name}"'))
            url = make_url(args.postgres).set(database=name).render_as_string(
                hide_password=False)
            settings = Settings(data_dir=Path(tmp), database_url=url, log_level="WARNING",
                                max_page_size=page)
        else:
            settings = Settings(data_dir=Path(tmp), log_level="WARNING", max_page_size=page)
        platform = build_platform(settings)
        try:
            upgrade(settings.sqlalchemy_url, _plugin_locations(platform))

            async def run() -> None:
                try:
                    await _measure(platform, args)
                finally:
                    await platform.close()

            asyncio.run(run())
        finally:
            if args.postgres:
                asyncio.run(_admin_sql(args.postgres, f'DROP DATABASE IF EXISTS "{name}" '
                                                      "WITH (FORCE)"))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "platform"))
    main()
