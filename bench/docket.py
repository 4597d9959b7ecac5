"""Recomputing a group's docket after a rule change, beside reading the same assets.

N assets (default 10,000; ``--large`` for 100,000) of one tenant, a mix of granted CN, EP, US,
JP and KR patents and CN trademarks with spread dates, are inserted in bulk. The docket is
computed once (first run: every deadline is new), then a rule override is stored (CN invention
annuity fees changed) and the tenant's docket is recomputed: the figure. The baseline is
reading the same assets, all columns, in the same session kind. Times and SQL statement counts
(every engine, by kind) are printed and emitted; nothing here asserts a time.

Usage: ``bench/docket.py [--assets 10000 | --large] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date, timedelta
from typing import Any

from _common import ROOT, Result, bench_platform, emit, progress
from review_statements import StatementCounter

sys.path.insert(0, str(ROOT / "plugins"))

OVERRIDE = """id: cn.invention.annuity
jurisdiction: CN
kinds: [patent]
event: annuity
due: filing_anniversary
first: grant_year
roll_forward: true
grace: {months: 6, surcharge: {steps: [0, 5, 10, 15, 20, 25]}}
source: cn-patent-rules
cite: "bench: a changed fee schedule"
fees:
  - {effective_from: 2018-08-01, currency: CNY, years: {"1-20": 1000}}
"""
MIX = (("patent", "CN"), ("patent", "EP"), ("patent", "US"), ("patent", "JP"),
       ("patent", "KR"), ("trademark", "CN"))


def _rows(tenant_id: str, n: int) -> list[dict[str, Any]]:
    from ipgov.api import new_id, utcnow

    now, rows = utcnow(), []
    for i in range(n):
        kind, place = MIX[i % len(MIX)]
        filed = date(2008, 1, 1) + timedelta(days=(i * 37) % 6200)
        rows.append({"id": new_id(), "tenant_id": tenant_id, "kind": kind, "title": f"Asset {i}",
                     "jurisdiction": place, "family_id": f"F{i // 4}",
                     "application_number": f"{place}{i:09d}", "status": "granted"
                     if kind == "patent" else "registered", "filing_date": filed,
                     "grant_date": filed + timedelta(days=700 + i % 900), "inventors": [],
                     "cpc_codes": [], "created_at": now, "updated_at": now})
    return rows


async def _seed(platform: Any, n: int) -> str:
    from sqlalchemy import insert

    from ip_governance.risk_assets.models import IpAsset
    from ipgov.tenancy import services

    async with platform.db.system_session("bench: docket group") as session:
        group = await services.create_group(platform, session, slug="acme", name="Acme",
                                            governance_mode="hybrid", actor="bench")
        tenant_id = group.id
    rows = _rows(tenant_id, n)
    async with platform.db.tenant_session(tenant_id) as session:
        for start in range(0, n, 5000):
            await session.execute(insert(IpAsset), rows[start:start + 5000])
    return tenant_id


async def _timed(counter: StatementCounter, work: Any) -> tuple[float, int, str]:
    start = time.perf_counter()
    counts = await counter.count(work)
    elapsed = time.perf_counter() - start
    detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    return elapsed, sum(counts.values()), detail


async def measure(args: argparse.Namespace) -> list[Result]:
    from sqlalchemy import func, select

    from ip_governance.docketing import services
    from ip_governance.risk_assets.models import IpAsset, IpAssetDeadline

    n = 100_000 if args.large else args.assets
    async with bench_platform(args.postgres) as platform:
        tenant_id = await _seed(platform, n)
        counter = StatementCounter(platform)
        today = date.today()

        async def recompute() -> None:
            async with platform.db.tenant_session(tenant_id) as session:
                await services.recompute_tenant(session, tenant_id, today)

        async def change_rule_and_recompute() -> None:
            async with platform.db.tenant_session(tenant_id) as session:
                scope = services.Scope()
                await services.declare_override(session, tenant_id, OVERRIDE, "bench", scope)
                await services.materialise(session, [[_Root(tenant_id)]])
                await services.recompute_tenant(session, tenant_id, today, scope)

        async def read_assets() -> None:
            async with platform.db.tenant_session(tenant_id, readonly=True) as session:
                (await session.execute(select(IpAsset))).scalars().all()

        first = await _timed(counter, recompute)
        changed = await _timed(counter, change_rule_and_recompute)
        read = await _timed(counter, read_assets)
        async with platform.db.tenant_session(tenant_id, readonly=True) as session:
            deadlines = (await session.execute(select(func.count()).select_from(
                IpAssetDeadline))).scalar_one()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"Docket of {n:,} assets ({backend}), {deadlines:,} computed deadlines stored")
    for label, (secs, stmts, detail) in (("first computation", first),
                                         ("rule change + recompute", changed),
                                         ("baseline: read the assets", read)):
        print(f"  {label:<28} {secs:8.2f} s  {stmts:>6} statements ({detail})")
    size = f"{backend}, {n:,} assets"
    return [
        Result("docket", size, "recompute after a rule change", changed[0], "s", read[0],
               "read the same assets"),
        Result("docket", size, "statements of the recompute", changed[1], "statements",
               read[1], "read the same assets"),
        Result("docket", size, "first computation", first[0], "s", read[0],
               "read the same assets"),
    ]


class _Root:
    """The bench group is a root: its own overrides apply (a one-link lineage)."""

    def __init__(self, tenant_id: str) -> None:
        from ipgov.api import GovernanceMode

        self.tenant_id, self.governed_by = tenant_id, None
        self.mode = GovernanceMode.governing(None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--large", action="store_true", help="100,000 assets")
    parser.add_argument("--postgres", default="", help="PostgreSQL admin URL (else SQLite)")
    args = parser.parse_args(argv)
    progress("docket: seeding assets, computing, changing a rule, recomputing")
    emit(asyncio.run(measure(args)))


if __name__ == "__main__":
    main()
