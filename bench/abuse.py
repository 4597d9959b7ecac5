"""Benchmark of abuse-limit rejections: latency and memory over attack requests, beside valid ones.

In process, over the real Litestar app (httpx ASGI transport, SQLite): first ``--baseline``
valid requests (``{ me { id } tenant(id) { id slug } }`` with a bearer token; the baseline),
then ``--attacks`` attack requests cycling through the kinds below, each refused before any
resolver runs. Per kind: p50/p95 latency and its ratio to the valid requests'. Memory: RSS and
live objects before and after each loop (attacks beside valid requests), then a separate,
untimed tracemalloc pass over ``--sample`` requests of each (bytes retained per request), so a
leak per rejected request would show.

Attack kinds (each just over its limit): query depth, aliases, tokens, fragment cycle,
oversized body (Content-Length), oversized batch, per-user rate limit (a second app whose
limit the attacker has spent), a forged token (``alg: none``), and introspection with
production settings.
Run: ``python bench/abuse.py [--baseline 2000] [--attacks 10000] [--sample 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path
from typing import Any

from _common import Result, bench_platform, emit, percentile, progress

VALID = 'query($t: ID!) { me { id } tenant(id: $t) { id slug } }'


def rss_bytes() -> int:
    """Resident set size of this process (Linux ``/proc``), 0 elsewhere."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    import os

    return pages * os.sysconf("SC_PAGE_SIZE")


def attacks(tenant: str, settings: Any) -> dict[str, tuple[str, Any, dict[str, str]]]:
    """kind -> (client, JSON body or raw bytes, extra headers)."""
    over = settings.graphql_max_depth + 2
    depth = "{ tenants(first: 1) { edges { node { " + "parent { " * over + "id" + " }" * over \
        + " } } } }"
    aliases = " ".join(f"a{i}: me {{ id }}" for i in range(settings.graphql_max_aliases + 1))
    return {  # each just over its limit: what a probing attacker sends
        "depth": ("open", {"query": depth}, {}),
        "aliases": ("open", {"query": "{ " + aliases + " }"}, {}),
        "tokens": ("open", {"query": "{ me { " + "id " * (settings.graphql_max_tokens + 10)
                            + "} }"}, {}),
        "fragment_cycle": ("open", {"query": "{ ...A } fragment A on Query { me { id } ...B } "
                                    "fragment B on Query { ...A }"}, {}),
        "body_size": ("open", b'{"query": "{ me { id } }' + b" " * (settings.max_request_bytes
                                                                    + 10) + b'"}', {}),
        "batch": ("open", [{"query": "{ me { id } }"}] * (settings.graphql_max_batch + 5), {}),
        "rate_limited": ("limited", {"query": VALID, "variables": {"t": tenant}}, {}),
        "alg_none": ("open", {"query": VALID, "variables": {"t": tenant}},
                     {"authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}),
        "introspection": ("production", {"query": "{ __schema { types { name } } }"}, {}),
    }


async def post(client: Any, body: Any, token: str, extra: dict[str, str]) -> int:
    """One request; returns the status code."""
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json", **extra}
    if isinstance(body, bytes):
        response = await client.post("/graphql", content=body, headers=headers)
    else:
        response = await client.post("/graphql", json=body, headers=headers)
    return response.status_code


async def run_valid(clients: dict[str, Any], token: str, body: dict, n: int) -> list[float]:
    """``n`` valid requests; their latencies in ms."""
    times = []
    for i in range(n):
        start = time.perf_counter()
        assert await post(clients["open"], body, token, {}) == 200
        times.append((time.perf_counter() - start) * 1000)
        if i % 1000 == 999:
            progress(f"valid {i + 1}/{n}")
    return times


async def run_attacks(clients: dict[str, Any], token: str, kinds: dict, n: int
                      ) -> tuple[dict[str, list[float]], dict[str, set[int]]]:
    """``n`` attacks cycling through ``kinds``; latencies and statuses per kind."""
    per_kind: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, set[int]] = defaultdict(set)
    names = sorted(kinds)
    for i in range(n):
        kind = names[i % len(names)]
        client, body, extra = kinds[kind]
        start = time.perf_counter()
        statuses[kind].add(await post(clients[client], body, token, extra))
        per_kind[kind].append((time.perf_counter() - start) * 1000)
        if i % 2000 == 1999:
            progress(f"attacks {i + 1}/{n}")
    return per_kind, statuses


def memory_now() -> tuple[int, int]:
    """(live objects after a collection, RSS bytes)."""
    gc.collect()
    return len(gc.get_objects()), rss_bytes()


async def measure(clients: dict[str, Any], token: str, tenant: str, settings: Any,
                  baseline: int, total: int, sample: int) -> list[Result]:
    """Timed pass (valid, then attacks; RSS and live objects around each), then a
    tracemalloc pass over ``sample`` of each (tracing slows Python down: not timed)."""
    kinds = attacks(tenant, settings)
    valid_body = {"query": VALID, "variables": {"t": tenant}}
    for _ in range(50):  # warm-up: imports, caches, the attacker's spent rate limit
        await post(clients["open"], valid_body, token, {})
        await post(clients["limited"], valid_body, token, {})
    objects0, rss0 = memory_now()
    valid_ms = await run_valid(clients, token, valid_body, baseline)
    objects1, rss1 = memory_now()
    per_kind, statuses = await run_attacks(clients, token, kinds, total)
    objects2, rss2 = memory_now()
    tracemalloc.start()
    traced0 = tracemalloc.get_traced_memory()[0]
    await run_valid(clients, token, valid_body, sample)
    gc.collect()
    traced1 = tracemalloc.get_traced_memory()[0]
    await run_attacks(clients, token, kinds, sample)
    gc.collect()
    traced2 = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    p50 = percentile(valid_ms, 0.5)
    print(f"\n{'request':<16}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'x valid':>9}  status")
    print(f"{'valid':<16}{len(valid_ms):>7}{p50:>9.2f}{percentile(valid_ms, 0.95):>9.2f}"
          f"{1.0:>9.2f}  200")
    rows = []
    for kind in sorted(per_kind):
        times = per_kind[kind]
        k50 = percentile(times, 0.5)
        print(f"{kind:<16}{len(times):>7}{k50:>9.2f}{percentile(times, 0.95):>9.2f}"
              f"{k50 / p50:>9.2f}  {sorted(statuses[kind])}")
        rows.append(Result("abuse", f"{len(times)} req", f"{kind} rejection p50", k50, "ms",
                           p50, "valid request p50"))
    everything = [t for times in per_kind.values() for t in times]
    rows.append(Result("abuse", f"{total} req", "any rejection p50", percentile(everything, 0.5),
                       "ms", p50, "valid request p50", "< 1x valid", None))
    rows[-1].met = rows[-1].ratio is not None and rows[-1].ratio < 1
    print(f"\nRSS: {rss0 / 2**20:.1f} MiB -> {rss1 / 2**20:.1f} MiB after {baseline} valid -> "
          f"{rss2 / 2**20:.1f} MiB after {total} attacks")
    print(f"live objects: {objects0:,} -> {objects1:,} -> {objects2:,}")
    per_valid, per_attack = (traced1 - traced0) / sample, (traced2 - traced1) / sample
    print(f"tracemalloc ({sample} of each): {per_valid:.1f} B/valid request, "
          f"{per_attack:.1f} B/attack retained")
    rows += [
        Result("abuse", f"{total} req", "RSS growth over the attacks", (rss2 - rss1) / 2**20,
               "MiB", (rss1 - rss0) / 2**20 or None, f"over {baseline} valid requests"),
        Result("abuse", f"{total} req", "live objects added by the attacks",
               objects2 - objects1, "objects", (objects1 - objects0) or None,
               f"added by {baseline} valid requests"),
        Result("abuse", f"{sample} req", "traced memory retained per attack", per_attack, "B",
               per_valid or None, "per valid request"),
    ]
    return rows


async def main(args: argparse.Namespace) -> None:
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise

    from ipgov.identity.service import add_membership, create_user
    from ipgov.tenancy import services
    from ipgov.web.app import create_app

    async with bench_platform(rate_limit_user="", rate_limit_anonymous="",
                              rate_limit_tenant="") as platform:
        async with platform.db.system_session("bench: group") as s:
            group = await services.create_group(platform, s, slug="bench", name="Bench",
                                                governance_mode="hybrid", actor="bench")
            user = await create_user(s, email="attacker@bench.example", display_name="A")
            await add_membership(platform, s, tenant_id=group.id, user_id=user.id,
                                 role="group_admin", actor="bench")
        await platform.authz.refresh()
        token = platform.tokens.issuer.issue(user.id).token
        apps = {
            "open": create_app(platform),
            "limited": create_app(platform, dataclasses.replace(
                platform.settings, rate_limit_user="50/hour")),
            "production": create_app(platform, dataclasses.replace(
                platform.settings, environment="production", graphql_introspection=False)),
        }
        clients = {name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                           base_url="http://bench")
                   for name, app in apps.items()}
        try:
            rows = await measure(clients, token, group.id, platform.settings, args.baseline,
                                 args.attacks, args.sample)
        finally:
            for client in clients.values():
                await client.aclose()
    emit(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=int, default=2000)
    parser.add_argument("--attacks", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=1000,
                        help="requests of each kind in the tracemalloc pass")
    asyncio.run(main(parser.parse_args()))
