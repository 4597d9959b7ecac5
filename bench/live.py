"""Live subscriptions against polling: the database statements per second the API issues for
N clients watching a review run, and how long a change takes to reach every subscriber.

For each N, on the embedded default (SQLite) with a real uvicorn server and real WebSocket
clients in this process: (a) N ``reviewProgress`` subscriptions held open for ``--seconds``,
statements counted with an engine listener; beside it (b) the baseline: N clients polling
``reviewRun`` over HTTP once a second, as the workspace did before subscriptions. Then (c) the
time from committing a change of the run (one more check done) until every subscriber has
received it, median and p95 over ``--changes`` changes at random moments (a client polling
every second sees a change after 500 ms on average, 950 ms at p95, plus its request).

Usage: ``bench/live.py [--clients 10,100,400] [--seconds 5] [--changes 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import socket
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
from _common import Result, bench_platform, emit, percentile, progress

PROGRESS = """subscription($t: ID!, $id: ID!) { reviewProgress(tenantId: $t, id: $id) {
  status checksDone } }"""
POLL = """query($t: ID!, $id: ID!) { reviewRun(tenantId: $t, id: $id) { status checksDone } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(platform: Any) -> AsyncIterator[int]:
    import uvicorn

    from ipgov.web.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(platform), host="127.0.0.1", port=port,
                                           lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


class Statements:
    """Counts the SQL statements the platform's engines execute."""

    def __init__(self, platform: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        for engine in platform.db.engines:
            event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    async def per_second(self, seconds: float) -> float:
        start = self.count
        await asyncio.sleep(seconds)
        return (self.count - start) / seconds


async def _world(platform: Any) -> tuple[str, str, str]:
    """A group with one admin and a queued review run: (tenant id, run id, token)."""
    from ipgov.db.base import utcnow
    from ipgov.identity.service import add_membership, create_user
    from ipgov.reviews.models import ReviewRun
    from ipgov.reviews.service import request_review
    from ipgov.tenancy import services

    async with platform.db.system_session("bench: live world") as s:
        group = await services.create_group(platform, s, slug="live", name="Live",
                                            governance_mode="hybrid", actor="bench")
        user = await create_user(s, email="admin@live.example", display_name="Admin")
        await add_membership(platform, s, tenant_id=group.id, user_id=user.id,
                             role="group_admin", actor="bench")
    await platform.authz.refresh()
    run = await request_review(platform, tenant_id=group.id, actor="bench")
    async with platform.db.tenant_session(group.id) as s:  # "running" elsewhere for a day:
        row = await s.get(ReviewRun, run.id)  # no worker or recovery here takes it
        row.status, row.lease_until = "running", utcnow() + timedelta(days=1)
    return group.id, run.id, platform.tokens.issuer.issue(user.id).token


async def _subscriber(url: str, token: str, variables: dict[str, str],
                      seen: list[asyncio.Queue[float]], ready: asyncio.Event,
                      count: list[int], total: int) -> None:
    import websockets

    inbox: asyncio.Queue[float] = asyncio.Queue()
    seen.append(inbox)
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"],
                                  max_queue=None) as ws:
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"authorization": f"Bearer {token}"}}))
        await ws.recv()
        await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {
            "query": PROGRESS, "variables": variables}}))
        await ws.recv()  # the state now
        count[0] += 1
        if count[0] == total:
            ready.set()
        while True:
            message = json.loads(await ws.recv())
            if message["type"] != "next":
                return
            inbox.put_nowait(time.perf_counter())


async def _poller(client: httpx.AsyncClient, token: str, variables: dict[str, str],
                  stop: asyncio.Event) -> None:
    while not stop.is_set():
        await client.post("/graphql", json={"query": POLL, "variables": variables},
                          headers={"authorization": f"Bearer {token}"})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


async def _bump(platform: Any, tenant: str, run_id: str) -> float:
    from ipgov.reviews.models import ReviewRun

    async with platform.db.tenant_session(tenant) as s:
        run = await s.get(ReviewRun, run_id)
        run.checks_done += 1
        run.checks_total = max(run.checks_total, run.checks_done)
    return time.perf_counter()


async def measure(n: int, seconds: float, changes: int) -> list[Result]:
    async with bench_platform(
                              live_max_per_principal=100_000, live_max_per_connection=20,
                              rate_limit_user="", rate_limit_anonymous="",
                              rate_limit_tenant="") as platform:
        tenant, run_id, token = await _world(platform)
        counter = Statements(platform)
        variables = {"t": tenant, "id": run_id}
        async with serving(platform) as port:
            idle = await counter.per_second(seconds)
            progress(f"{n} clients: polling reviewRun every second")
            stop = asyncio.Event()
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                         timeout=30) as client:
                pollers = [asyncio.create_task(_poller(client, token, variables, stop))
                           for _ in range(n)]
                await asyncio.sleep(1.5)
                polling = await counter.per_second(seconds)
                stop.set()
                await asyncio.gather(*pollers)
            progress(f"{n} clients: subscribed to reviewProgress")
            seen: list[asyncio.Queue[float]] = []
            ready, count = asyncio.Event(), [0]
            subs = [asyncio.create_task(_subscriber(f"ws://127.0.0.1:{port}/graphql", token,
                                                    variables, seen, ready, count, n))
                    for _ in range(n)]
            await asyncio.wait_for(ready.wait(), 120)
            await asyncio.sleep(1.5)
            live = await counter.per_second(seconds)
            latencies = []
            for _ in range(changes):
                committed = await _bump(platform, tenant, run_id)
                arrivals = [await asyncio.wait_for(q.get(), 30) for q in seen]
                latencies.append((max(arrivals) - committed) * 1000)
                await asyncio.sleep(random.uniform(0.1, 1.1))  # out of step with the polls
            for task in subs:
                task.cancel()
            await asyncio.gather(*subs, return_exceptions=True)
    size = f"{n} clients"
    return [
        Result("live", size, "statements/s, subscribed (idle run)", live - idle, "stmt/s",
               polling - idle, "polling reviewRun every 1 s"),
        Result("live", size, "change to every subscriber, p50", percentile(latencies, 0.5),
               "ms", 500.0, "a 1 s poller, on average"),
        Result("live", size, "change to every subscriber, p95", percentile(latencies, 0.95),
               "ms", 950.0, "a 1 s poller, p95"),
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="10,100,400")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--changes", type=int, default=10)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    rows: list[Result] = []
    for n in (int(x) for x in args.clients.split(",")):
        rows += await measure(n, args.seconds, args.changes)
    print(f"{'size':>12}  {'figure':<40} {'value':>10}  {'baseline':>10}")
    for r in rows:
        print(f"{r.size:>12}  {r.figure:<40} {r.value or 0:>10.1f}  {r.baseline or 0:>10.1f}")
    emit(rows)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
