"""Benchmark of onboarding a subsidiary at 10^2..10^4 existing tenants, beside a one-row INSERT.

For each size N (default 100, 1,000, 10,000) the database holds N subsidiaries of one group
(created by ``_tenants.clone_subsidiaries``: one real onboarding copied with ``INSERT ... SELECT``,
~375 authorization rules each, so 3.75 M rules at 10,000). Then, over ``--reps`` calls each after
one warm-up:

* onboard: ``tenancy.services.onboard_subsidiary`` in its own system transaction (tenant row,
  policies for the group's governance mode, plugin defaults, review schedule, audit events,
  policy-change log) - what the ``onboardSubsidiary`` mutation runs;
* onboard + refresh: the same followed by ``authz.refresh()``, as the mutation does before it
  answers (replays the new rules and adds the new tenant to the tree);
* GraphQL: the ``onboardSubsidiary`` mutation posted by a group administrator to the real
  Litestar application (in process, ASGI transport): authentication, the service, the refresh;
* baseline: a plain ``INSERT`` of one tenant row (Core, its own transaction) in the same database.

Since rule sets (issue 28 item 3) an onboarding writes one reference to the default grants'
set, not ~485 rule rows and ~485 change-log rows: its statements and rows do not depend on the
number of rules or tenants.

The engine is loaded at the start, not after the clones (3.75 M rules through the ORM would not
fit the time budget): the refresh re-reads all N tenants but replays only the new rules.
SQLite in a temporary directory; also PostgreSQL when ``--postgres`` or ``IPGOV_TEST_POSTGRES_URL``
is set. Run: ``python bench/onboarding.py [--sizes 100,1000,10000] [--reps 20] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import time
from typing import Any

from _common import Result, bench_platform, emit, percentile, progress, timed_ms
from _tenants import clone_subsidiaries

GOAL_MS = 50.0
_serial = itertools.count()


async def _onboard(platform: Any, parent_id: str) -> None:
    from ipgov.tenancy import services

    n = next(_serial)
    async with platform.db.system_session("bench: onboard") as s:
        await services.onboard_subsidiary(platform, s, parent_id=parent_id, slug=f"new-{n:06d}",
                                          name=f"New {n}", actor="bench")


async def _plain_insert(platform: Any, template: dict[str, Any]) -> None:
    from sqlalchemy import insert

    from ipgov.db.base import new_id
    from ipgov.tenancy.models import Tenant

    n = next(_serial)
    async with platform.db.engine.begin() as conn:
        await conn.execute(insert(Tenant.__table__), [{**template, "id": new_id(),
                                                       "slug": f"plain-{n:06d}"}])


class _GraphQL:
    """``onboardSubsidiary`` over HTTP (ASGI, in process) as the group's administrator."""

    MUTATION = """mutation($p: ID!, $s: String!) { onboardSubsidiary(input: {parentId: $p,
        slug: $s, name: $s}) { tenant { id } errors { code message } } }"""

    def __init__(self, platform: Any, group_id: str) -> None:
        self.platform, self.group_id = platform, group_id
        self.client: Any = None
        self.token = ""

    async def __aenter__(self) -> _GraphQL:
        import logging

        import httpx

        from ipgov.identity.service import add_membership, create_user
        from ipgov.web.app import create_app

        async with self.platform.db.system_session("bench: group admin") as s:
            user = await create_user(s, email=f"admin{next(_serial)}@bench.example",
                                     display_name="admin")
            await add_membership(self.platform, s, tenant_id=self.group_id, user_id=user.id,
                                 role="group_admin", actor="bench")
        await self.platform.authz.refresh()
        self.token = self.platform.tokens.issuer.issue(user.id).token
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
        transport = httpx.ASGITransport(app=create_app(self.platform))
        self.client = httpx.AsyncClient(transport=transport, base_url="http://bench.test")
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.client.aclose()

    async def onboard(self) -> None:
        n = next(_serial)
        response = await self.client.post("/graphql", json={
            "query": self.MUTATION, "variables": {"p": self.group_id, "s": f"gql-{n:06d}"}},
            headers={"authorization": f"Bearer {self.token}"})
        body = response.json()
        assert not body.get("errors") and not body["data"]["onboardSubsidiary"]["errors"], body


async def _measure_size(platform: Any, backend: str, group_id: str, size: int,
                        reps: int, gql: _GraphQL) -> list[Result]:
    from sqlalchemy import select

    from ipgov.tenancy.models import Tenant

    async with platform.db.system_session("bench: template row") as s:
        row = (await s.execute(select(Tenant.__table__).where(Tenant.id == group_id))).one()
    template = {**dict(row._mapping), "kind": "subsidiary", "parent_id": group_id, "depth": 1}

    async def onboard_refresh() -> None:
        await _onboard(platform, group_id)
        await platform.authz.refresh()

    base = await timed_ms(reps, lambda: _plain_insert(platform, template))
    service = await timed_ms(reps, lambda: _onboard(platform, group_id))
    full = await timed_ms(reps, onboard_refresh)
    graphql = await timed_ms(reps, gql.onboard)
    b50 = percentile(base, 0.5)
    label = f"{size:,} tenants, {backend}"
    print(f"{label}: insert p50 {b50:.2f} ms | onboard p50 {percentile(service, .5):.1f} "
          f"p95 {percentile(service, .95):.1f} ms | onboard+refresh p50 "
          f"{percentile(full, .5):.1f} p95 {percentile(full, .95):.1f} ms | GraphQL p50 "
          f"{percentile(graphql, .5):.1f} p95 {percentile(graphql, .95):.1f} ms")
    rows = []
    for name, times in (("onboard p50", service), ("onboard+refresh p50", full),
                        ("onboardSubsidiary over GraphQL p50", graphql)):
        p50 = percentile(times, 0.5)
        goal = size >= 10_000 and name != "onboard+refresh p50"
        rows.append(Result("onboarding", label, name, p50, "ms", b50, "1-row INSERT",
                           f"p50 <= {GOAL_MS:.0f} ms" if goal else "",
                           p50 <= GOAL_MS if goal else None))
    rows.append(Result("onboarding", label, "onboard p95", percentile(service, 0.95), "ms",
                       percentile(base, 0.95), "1-row INSERT"))
    return rows


async def run_backend(backend: str, postgres: str, sizes: list[int], reps: int,
                      explain: bool = False) -> list[Result]:
    """Grow one database through ``sizes`` and measure at each."""
    from ipgov.tenancy import services

    rows: list[Result] = []
    async with bench_platform(postgres=postgres) as platform:
        async with platform.db.system_session("bench: group") as s:
            group = await services.create_group(platform, s, slug="bench", name="Bench",
                                                governance_mode="hybrid", actor="bench")
            group_id = group.id
        await platform.authz.refresh()
        have = 0
        for n, size in enumerate(sorted(sizes)):
            t0 = time.perf_counter()
            await clone_subsidiaries(platform, group_id, size - have, prefix=f"c{n}-")
            have = size
            progress(f"onboarding/{backend}: {size:,} tenants in place "
                     f"({time.perf_counter() - t0:.1f} s)")
            await platform.authz.refresh()
            async with _GraphQL(platform, group_id) as gql:
                rows += await _measure_size(platform, backend, group_id, size, reps, gql)
        if explain:
            await _explain(platform, group_id)
    return rows


async def _explain(platform: Any, group_id: str, calls: int = 5) -> None:
    """Where an onboarding's time goes at the largest size: SQL statements by total time."""
    from sqlalchemy import event

    spent: dict[str, list[float]] = {}

    def before(conn, _cursor, _statement, *_args) -> None:  # type: ignore[no-untyped-def]
        conn.info["bench_t0"] = time.perf_counter()

    def after(conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        key = " ".join(statement.split())[:90]
        spent.setdefault(key, []).append(time.perf_counter() - conn.info.pop("bench_t0"))

    engine = platform.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    t0 = time.perf_counter()
    try:
        for _ in range(calls):
            await _onboard(platform, group_id)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    total = (time.perf_counter() - t0) * 1000 / calls
    in_sql = sum(sum(v) for v in spent.values()) * 1000 / calls
    count = sum(len(v) for v in spent.values()) / calls
    print(f"per onboarding: {total:.1f} ms, of which {in_sql:.1f} ms in {count:.0f} SQL "
          "statements; slowest statements (ms per onboarding, executions):")
    for key, times in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:8]:
        print(f"  {sum(times) * 1000 / calls:7.2f} ms {len(times) / calls:5.0f}x  {key}")
    await _explain_refresh(platform)


async def _explain_refresh(platform: Any) -> None:
    """The parts of ``authz.refresh()`` after a tree change: directory read, tree compile."""
    authz = platform.authz
    t0 = time.perf_counter()
    async with platform.db.system_session("bench: tree") as session:
        tree = await authz._tree(session)
    t1 = time.perf_counter()
    authz.engine.set_tree(tree)
    t2 = time.perf_counter()
    print(f"refresh after a tree change, {len(authz.directory):,} tenants: re-reading the "
          f"directory and tree {(t1 - t0) * 1000:.0f} ms, engine.set_tree "
          f"{(t2 - t1) * 1000:.0f} ms (both O(tenants), on every onboarding)")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run SQLite (and PostgreSQL when configured), print the summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="existing tenants, comma list")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("IPGOV_TEST_POSTGRES_URL", ""))
    parser.add_argument("--explain", action="store_true",
                        help="at the largest size, list the SQL statements by time spent")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows = asyncio.run(run_backend("sqlite", "", sizes, args.reps, args.explain))
    if args.postgres:
        rows += asyncio.run(run_backend("postgresql", args.postgres, sizes, args.reps,
                                        args.explain))
    emit(rows)


if __name__ == "__main__":
    main()
