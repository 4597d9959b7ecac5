"""Benchmark of the audit trail's integrity work, each beside a baseline in the same run.

* append: one audited transaction (``platform.audit`` in a tenant session, then commit) with the
  witness checkpoint written after the commit, beside the same transaction with no witness;
* verify: ``verify_snapshot`` of a chain of N events (snapshot, witness read, every HMAC and the
  witness comparison), beside streaming the same N rows in the same kind of session.

SQLite in a temporary directory; also PostgreSQL when ``--postgres`` or
``IPGOV_TEST_POSTGRES_URL`` is set. Run: ``python bench/audit.py [--events 2000] [--reps 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

from _common import Result, bench_platform, emit, percentile, progress


async def _group(platform: Any) -> str:
    from ipgov.tenancy import services

    async with platform.db.system_session("bench: group") as s:
        group = await services.create_group(platform, s, slug="bench", name="Bench",
                                            governance_mode="hybrid", actor="bench")
    return group.id


async def _append(platform: Any, tid: str, reps: int) -> list[float]:
    times = []
    for i in range(reps):
        start = time.perf_counter()
        async with platform.db.tenant_session(tid) as s:
            await platform.audit(s, tenant_id=tid, actor="bench", action="bench.append",
                                 object_type="ipgov:tenant", object_id=tid, details={"i": i})
        times.append((time.perf_counter() - start) * 1000)
    return times


async def _appends(platform: Any, tid: str, reps: int) -> tuple[float, float]:
    writer = platform.witness
    with_witness = await _append(platform, tid, reps)
    writer.flush()
    platform.witness = None
    try:
        without = await _append(platform, tid, reps)
    finally:
        platform.witness = writer
    return percentile(with_witness, 0.5), percentile(without, 0.5)


async def _stream(platform: Any, tid: str) -> int:
    from sqlalchemy import select

    from ipgov.audit.models import AuditEvent
    from ipgov.db import TenantScope

    async with platform.db.session(TenantScope.tenant(tid), readonly=True) as s:
        rows = await s.stream(select(AuditEvent).where(AuditEvent.tenant_id == tid)
                              .order_by(AuditEvent.seq).execution_options(yield_per=1000))
        return len([e async for e in rows.scalars()])


async def _verifies(platform: Any, tid: str, reps: int) -> tuple[float, float, int]:
    from ipgov.audit.verify import verify_snapshot
    from ipgov.db import TenantScope

    verify, stream, events = [], [], 0
    for _ in range(reps):
        start = time.perf_counter()
        result = (await verify_snapshot(platform, [tid], TenantScope.tenant(tid)))[tid]
        verify.append((time.perf_counter() - start) * 1000)
        assert result.ok and result.witnessed_seq, result
        start = time.perf_counter()
        events = await _stream(platform, tid)
        stream.append((time.perf_counter() - start) * 1000)
    return percentile(verify, 0.5), percentile(stream, 0.5), events


async def run(backend: str, postgres: str, events: int, reps: int) -> list[Result]:
    async with bench_platform(postgres) as platform:
        tid = await _group(platform)
        progress(f"{backend}: appends")
        witnessed, plain = await _appends(platform, tid, reps)
        progress(f"{backend}: filling a chain of {events} events")
        await _append(platform, tid, max(0, events - 2 * reps))
        verify, stream, n = await _verifies(platform, tid, max(3, reps // 20))
    return [
        Result("audit", backend, "append + commit, witnessed (p50)", witnessed, "ms", plain,
               "same without witness"),
        Result("audit", f"{backend} {n} events", "verify in a snapshot (p50)", verify, "ms",
               stream, "stream the same rows"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--postgres", default=os.environ.get("IPGOV_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    rows = asyncio.run(run("sqlite", "", args.events, args.reps))
    if args.postgres:
        rows += asyncio.run(run("postgres", args.postgres, args.events, args.reps))
    emit(rows)


if __name__ == "__main__":
    main()
