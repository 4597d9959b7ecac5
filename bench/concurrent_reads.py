"""Concurrent GraphQL reads on SQLite: 16 clients against a real ``ipgov serve``.

A migrated SQLite platform gets a group, a subsidiary with ``--risks`` risks and its admin; then
``ipgov serve`` (uvicorn, one process) runs in a subprocess and 16 HTTP clients post the same
``ipRisks`` query for ``--seconds`` each. The baseline, measured in the same run by the same
clients, is a bare Litestar app under the same uvicorn returning the very JSON the platform
answered: what HTTP, JSON and the client cost without the platform. Two loads:

* ``reads``: the 16 readers alone;
* ``reads+writer``: the 16 readers while a 17th client posts ``createIpRisk`` in a loop;
* ``reads+long write``: the 16 readers while another process of the platform (a worker's review,
  an import) holds SQLite's write lock for ``--hold`` seconds at a time (``BEGIN IMMEDIATE`` on
  the same file, from this process, with 0.2 s between), the server waiting at most
  ``--lock-timeout`` seconds for a lock (``IPGOV_DATABASE_LOCK_TIMEOUT_SECONDS``) before 503.

Figures: answered requests per second, latency p50/p99 of the reads, and how many reads were
answered 503 ("database is locked") or anything else than 200. Before the read-only sessions
every query opened ``BEGIN IMMEDIATE`` and so queued on the write lock.

Run: ``python bench/concurrent_reads.py [--seconds 8] [--clients 16] [--risks 20]``; for the code
before a change, point ``PYTHONPATH`` at that tree's ``platform`` and ``plugins`` folders.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import Result, _migrate, emit, percentile, progress

QUERY = """query($t: ID!) { ipRisks(tenantId: $t, first: 20) {
  nodes { id title score status } pageInfo { hasNextPage } } }"""
WRITE = """mutation($t: ID!, $n: String!) { createIpRisk(tenantId: $t, input: {title: $n,
  category: "infringement", likelihood: 2, impact: 3}) { errors { code } } }"""
BASELINE_APP = textwrap.dedent("""
    import json, sys
    from litestar import Litestar, post
    from litestar.response import Response
    BODY = json.loads(open(sys.argv[1]).read())
    @post("/graphql", status_code=200)
    async def graphql(data: dict) -> Response:
        return Response(BODY)
    app = Litestar([graphql])
    import uvicorn
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data: Path, lock_timeout: float = 10.0) -> dict[str, str]:
    return {**os.environ, "IPGOV_DATA_DIR": str(data), "IPGOV_LOG_LEVEL": "WARNING",
            "IPGOV_DATABASE_LOCK_TIMEOUT_SECONDS": str(lock_timeout),
            "IPGOV_RATE_LIMIT_USER": "10000000/minute",
            "IPGOV_RATE_LIMIT_TENANT": "10000000/minute"}


async def _seed(data: Path, risks: int) -> tuple[str, str]:
    """The subsidiary's id and a token of its administrator."""
    from ip_governance.risk_assets.models import IpRisk
    from ipgov.identity.service import add_membership, create_user
    from ipgov.settings import Settings
    from ipgov.startup import build_platform
    from ipgov.tenancy import services

    settings = Settings.from_env(_env(data))
    await asyncio.to_thread(_migrate, settings)
    platform = build_platform(settings)
    try:
        async with platform.db.system_session("bench: seed") as s:
            await services.ensure_platform_tenant(platform, s)
        async with platform.db.system_session("bench: seed") as s:
            group = await services.create_group(platform, s, slug="acme", name="Acme",
                                                governance_mode="hybrid", actor="bench")
            sub = await services.onboard_subsidiary(platform, s, parent_id=group.id,
                                                    slug="acme-a", name="Acme A", actor="bench")
            user = await create_user(s, email="admin@acme.example", display_name="admin")
            await add_membership(platform, s, tenant_id=sub.id, user_id=user.id,
                                 role="tenant_admin", actor="bench")
        async with platform.db.tenant_session(sub.id) as s:
            for i in range(risks):
                s.add(IpRisk(title=f"risk {i}", category="infringement", likelihood=2,
                             impact=3, score=6))
        return sub.id, platform.tokens.issuer.issue(user.id).token
    finally:
        await platform.close()


async def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}")
            try:
                await client.get(url)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the server did not start")


def _hold_write_lock(db: Path, hold: float, until: float) -> int:
    """Hold SQLite's write lock ``hold`` seconds at a time until ``until``; how many times."""
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None, timeout=60)
    times = 0
    try:
        while time.perf_counter() < until:
            conn.execute("BEGIN IMMEDIATE")
            time.sleep(min(hold, max(0.0, until - time.perf_counter())))
            conn.execute("ROLLBACK")
            times += 1
            time.sleep(0.2)
    finally:
        conn.close()
    return times


async def _load(url: str, payload: dict[str, Any], headers: dict[str, str], *, clients: int,
                seconds: float, write: dict[str, Any] | None,
                long_write: tuple[Path, float] | None = None) -> dict[str, Any]:
    """``clients`` readers (and an optional writer) for ``seconds``; latencies and statuses."""
    import httpx

    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    writes: Counter[int] = Counter()
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def reader() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.post(url, json=payload, headers=headers)
                latencies.append((time.perf_counter() - start) * 1000)
                statuses[response.status_code] += 1

        async def writer() -> None:
            n = 0
            while time.perf_counter() < deadline:
                n += 1
                body = {"query": WRITE, "variables": {**write, "n": f"written {n}"}}
                writes[(await client.post(url, json=body, headers=headers)).status_code] += 1

        began = time.perf_counter()
        holder = ([asyncio.to_thread(_hold_write_lock, *long_write, deadline)]
                  if long_write is not None else [])
        await asyncio.gather(*[reader() for _ in range(clients)], *holder,
                             *([writer()] if write is not None else []))
        elapsed = time.perf_counter() - began
    return {"rps": sum(statuses.values()) / elapsed, "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99), "n": sum(statuses.values()),
            "503": statuses[503], "other": sum(v for k, v in statuses.items()
                                                  if k not in (200, 503)),
            "writes": dict(writes)}


def _start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--risks", type=int, default=20)
    parser.add_argument("--hold", type=float, default=3.0,
                        help="seconds the long write holds the lock each time")
    parser.add_argument("--lock-timeout", type=float, default=2.0,
                        help="the server's IPGOV_DATABASE_LOCK_TIMEOUT_SECONDS")
    parser.add_argument("--label", default="", help="a name for this code (e.g. before/after)")
    args = parser.parse_args()
    import ipgov

    progress(f"code under test: {Path(ipgov.__file__).parent}")
    with tempfile.TemporaryDirectory(prefix="ipgov-bench-reads-") as tmp:
        data = Path(tmp)
        tenant, token = await _seed(data, args.risks)
        port, base_port = _free_port(), _free_port()
        url = f"http://127.0.0.1:{port}/graphql"
        server = _start([sys.executable, "-c", "from ipgov.cli.main import main; main()",
                         "serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)],
                        _env(data, args.lock_timeout))
        headers = {"authorization": f"Bearer {token}"}
        payload = {"query": QUERY, "variables": {"t": tenant}}
        try:
            await _wait_up(f"http://127.0.0.1:{port}/healthz", server)
            import httpx

            async with httpx.AsyncClient() as c:
                answer = (await c.post(url, json=payload, headers=headers)).json()
            assert "errors" not in answer, answer
            (data / "answer.json").write_text(json.dumps(answer))
            baseline = _start([sys.executable, "-c", BASELINE_APP, str(data / "answer.json"),
                               str(base_port)], os.environ.copy())
            base_url = f"http://127.0.0.1:{base_port}/graphql"
            try:
                await _wait_up(f"http://127.0.0.1:{base_port}/", baseline)
                rows = await _measure(args, url, base_url, payload, headers, tenant,
                                      data / "ipgov.db")
            finally:
                _stop(baseline)
        finally:
            _stop(server)
    emit(rows)


async def _measure(args: argparse.Namespace, url: str, base_url: str, payload: dict[str, Any],
                   headers: dict[str, str], tenant: str, db: Path) -> list[Result]:
    rows: list[Result] = []
    label = f"{args.label} " if args.label else ""
    size = f"{args.clients} clients, {args.seconds:g} s, SQLite"
    loads: list[tuple[str, dict[str, Any] | None, tuple[Path, float] | None]] = [
        ("reads", None, None), ("reads+writer", {"t": tenant}, None),
        (f"reads+long write ({args.hold:g} s held, lock timeout {args.lock_timeout:g} s)",
         None, (db, args.hold))]
    for load, write, long_write in loads:
        base = await _load(base_url, payload, headers, clients=args.clients,
                           seconds=args.seconds, write=None)
        got = await _load(url, payload, headers, clients=args.clients, seconds=args.seconds,
                          write=write, long_write=long_write)
        print(f"{label}{load}: platform {got['rps']:.0f} req/s p50 {got['p50']:.1f} ms p99 "
              f"{got['p99']:.1f} ms, {got['503']}/{got['n']} answered 503, {got['other']} "
              f"other non-200, writes {got['writes']}; bare Litestar {base['rps']:.0f} req/s "
              f"p50 {base['p50']:.1f} ms p99 {base['p99']:.1f} ms")
        name = f"concurrent reads ({label}{load})"
        rows += [
            Result(name, size, "throughput", got["rps"], "req/s", base["rps"],
                   "bare Litestar"),
            Result(name, size, "read p50", got["p50"], "ms", base["p50"], "bare Litestar"),
            Result(name, size, "read p99", got["p99"], "ms", base["p99"], "bare Litestar"),
            Result(name, size, "reads answered 503", got["503"], f"of {got['n']}",
                   goal="0", met=got["503"] == 0),
        ]
    return rows


if __name__ == "__main__":
    asyncio.run(main())
