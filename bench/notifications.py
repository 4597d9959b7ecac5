"""Benchmark of notifications through the outbox, with real processes (issue 17).

One ``ipgov serve`` and two ``ipgov worker --processes 1 --threads 2`` processes on Redis and a
fresh database (a SQLite file; PostgreSQL with ``--postgres``, the API and workers as a
non-owner role under row-level security) deliver to a local Standard Webhooks receiver
(``tests/e2e/webhook_receiver.py``: every message verified with the reference
``standardwebhooks`` library, each webhook-id processed once). Leases and timeouts as in
``tests/e2e/test_notification_processes.py``.

* **throughput**: ``--events`` events (``escalation.decided``, one transaction each, recorded
  by this process as a service would, round-robin over ``--tenants`` tenants whose rule sends
  them to a webhook destination of their own allowing 600 a minute): events per second from
  the first commit until every one was verified at the receiver. Baseline in the same run: as
  many events in tenants with no rule, until every one is dispatched (the outbox alone).
* **mutation latency**: ``updateDirective`` giving a directive a new owner (it records
  ``directive.assigned``) over HTTP, ``--calls`` times in a tenant whose rule sends that event
  to a webhook destination, beside the same mutation in a tenant with no rule; in alternating
  blocks (no rule, rule, no rule, rule), each block's background work settled before the next,
  so drift hits both; median and p95 in milliseconds, and their ratio.

Run: ``python bench/notifications.py [--events 300] [--tenants 4] [--calls 300]
[--postgres URL] [--redis URL]``. Redis keys live under a fresh namespace and are deleted
afterwards; the PostgreSQL database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _common import ROOT, Result, emit, percentile, progress
from workers import IPGOV_WORKER, Worker, _redis_up, add_backend_arguments, in_fresh_database

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the receiver the end-to-end tests use

from tests.e2e.webhook_receiver import WebhookReceiver  # noqa: E402

NOTIFY_ENV = {
    "IPGOV_NOTIFY_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8", "IPGOV_NOTIFY_ALLOW_HTTP": "true",
    "IPGOV_NOTIFY_LEASE_SECONDS": "8", "IPGOV_NOTIFY_REQUEUE_SECONDS": "2",
    "IPGOV_EVENT_LEASE_SECONDS": "8", "IPGOV_EVENT_REQUEUE_SECONDS": "2",
    "IPGOV_NOTIFY_TOTAL_TIMEOUT_SECONDS": "5",
}
DEST = """mutation($t: ID!, $u: String!, $s: String!) { registerNotificationDestination(
  tenantId: $t, kind: "webhook", name: "bench", target: $u, secret: $s, ratePerMinute: 600) {
  destination { id } secret errors { code } } }"""
RULE = """mutation($t: ID!, $r: RuleInput!) { saveNotificationRule(tenantId: $t, rule: $r) {
  errors { code } } }"""
REVIEW = "mutation($t: ID!) { requestReview(tenantId: $t) { run { id } errors { code } } }"
RUN = "query($t: ID!, $r: ID!) { reviewRun(tenantId: $t, id: $r) { status } }"
DIRECTIVES = "query($t: ID!) { directives(tenantId: $t) { edges { node { id severity } } } }"
BELOW_TOLERANCE = ("info", "low", "medium")  # never escalated: the tenant admin may assign it
ASSIGN = """mutation($t: ID!, $d: ID!, $u: ID!) { updateDirective(tenantId: $t, id: $d,
  ownerUserId: $u) { errors { code } } }"""


class Api:
    """GraphQL over HTTP to the ``ipgov serve`` process."""

    def __init__(self, client: Any, base: str) -> None:
        self.client, self.base = client, base

    async def __call__(self, query: str, variables: dict[str, Any], token: str) -> Any:
        answer = await self.client.post(f"{self.base}/graphql",
                                        json={"query": query, "variables": variables},
                                        headers={"authorization": f"Bearer {token}"})
        body = answer.json()
        if answer.status_code != 200 or body.get("errors"):
            raise SystemExit(f"GraphQL failed: {answer.status_code} {body}")
        return body["data"]


# --- set-up ---------------------------------------------------------------------------------

async def _tenants(platform: Any, count: int) -> list[tuple[str, list[str]]]:
    """``count`` subsidiaries of one group, each with two tenant admins: (id, user ids)."""
    from ipgov.identity.service import add_membership, create_user
    from ipgov.tenancy import services

    async with platform.db.system_session("bench: platform tenant") as s:
        await services.ensure_platform_tenant(platform, s)
    found = []
    async with platform.db.system_session("bench: tenants") as s:
        group = await services.create_group(platform, s, slug="notify", name="Notify",
                                            governance_mode="hybrid", actor="bench")
        for i in range(count):
            tenant = await services.onboard_subsidiary(
                platform, s, parent_id=group.id, slug=f"notify-{i:02d}", name=f"Notify {i}",
                actor="bench")
            users = []
            for j in range(2):
                user = await create_user(s, email=f"admin{j}@notify-{i:02d}.example",
                                         display_name=f"admin {j}")
                await add_membership(platform, s, tenant_id=tenant.id, user_id=user.id,
                                     role="tenant_admin", actor="bench")
                users.append(user.id)
            found.append((tenant.id, users))
    return found


async def _route(api: Api, tenant: str, token: str, receiver: WebhookReceiver,
                 types: list[str]) -> None:
    """A webhook destination on ``receiver`` (signing with the receiver's secret: one
    receiver serves every tenant) and a rule sending ``types`` there."""
    made = (await api(DEST, {"t": tenant, "u": receiver.url, "s": receiver.secret}, token))[
        "registerNotificationDestination"]
    if made["errors"]:
        raise SystemExit(f"destination refused: {made['errors']}")
    rule = {"name": "bench", "eventTypes": types, "destinationIds": [made["destination"]["id"]]}
    if (await api(RULE, {"t": tenant, "r": rule}, token))["saveNotificationRule"]["errors"]:
        raise SystemExit("rule refused")


async def _until(what: str, check: Any, limit: float = 300.0) -> None:
    deadline = time.perf_counter() + limit
    while not await check():
        if time.perf_counter() > deadline:
            raise SystemExit(f"{what}: not within {limit:.0f} s")
        await asyncio.sleep(0.05)


async def _dispatched(platform: Any, ids: set[str]) -> bool:
    """Whether every event of ``ids`` is dispatched (or failed: then the run is broken)."""
    from sqlalchemy import select

    from ipgov.events.models import Event

    async with platform.db.system_session("bench: outbox") as s:
        rows = dict((await s.execute(select(Event.id, Event.status))).all())
    failed = [i for i in ids if rows.get(i) == "failed"]
    if failed:
        raise SystemExit(f"{len(failed)} events failed to dispatch")
    return all(rows.get(i) == "dispatched" for i in ids)


async def _settled(platform: Any) -> bool:
    """No event waits for dispatch and no delivery for an attempt."""
    from sqlalchemy import func, select

    from ipgov.events.models import Event
    from ipgov.notify.models import Delivery

    async with platform.db.system_session("bench: settled") as s:
        busy = (await s.execute(select(func.count()).select_from(Event).where(
            Event.status.in_(["queued", "running"]), Event.type != "tenant.onboarded")
        )).scalar_one()
        busy += (await s.execute(select(func.count()).select_from(Delivery).where(
            Delivery.status.in_(["queued", "running", "retry"])))).scalar_one()
    return busy == 0


# --- throughput -------------------------------------------------------------------------------

async def _emit(platform: Any, tenants: list[str], count: int) -> tuple[set[str], float]:
    """``count`` events round-robin over ``tenants``, one transaction each, from four lanes;
    their ids and the seconds emitting took."""
    from ipgov.events.record import event_type

    example = dict(event_type(platform, "escalation.decided").example)
    ids: set[str] = set()

    async def lane(offset: int) -> None:
        for i in range(offset, count, 4):
            tenant = tenants[i % len(tenants)]
            async with platform.db.tenant_session(tenant) as session:
                event = await platform.record_event(
                    session, tenant_id=tenant, type="escalation.decided", actor="bench",
                    payload={**example, "tenant_id": tenant, "escalation_id": f"e-{i}"})
            ids.add(event.id)

    started = time.perf_counter()
    await asyncio.gather(*(lane(n) for n in range(4)))
    return ids, time.perf_counter() - started


async def throughput(platform: Any, routed: list[str], plain: list[str], count: int,
                     receiver: WebhookReceiver) -> tuple[float, float, float]:
    """(events/s verified at the receiver, events/s dispatched with no rule, emit seconds)."""
    started = time.perf_counter()
    ids, _ = await _emit(platform, plain, count)
    await _until("dispatch without a rule", lambda: _dispatched(platform, ids))
    baseline = count / (time.perf_counter() - started)
    await _until("settled", lambda: _settled(platform))
    started = time.perf_counter()
    ids, emitting = await _emit(platform, routed, count)

    async def verified() -> bool:
        return ids <= set(receiver.ids_by_event())

    await _until("every event verified at the receiver", verified)
    value = count / (time.perf_counter() - started)
    if receiver.unverified():
        raise SystemExit(f"{len(receiver.unverified())} messages did not verify")
    return value, baseline, emitting


# --- mutation latency -------------------------------------------------------------------------

async def _directive(api: Api, tenant: str, token: str) -> str:
    """A directive of ``tenant`` that a tenant admin may assign (a review opens them)."""
    run = (await api(REVIEW, {"t": tenant}, token))["requestReview"]["run"]["id"]

    async def done() -> bool:
        status = (await api(RUN, {"t": tenant, "r": run}, token))["reviewRun"]["status"]
        return status in ("succeeded", "partial", "failed")

    await _until("a review", done)
    edges = (await api(DIRECTIVES, {"t": tenant}, token))["directives"]["edges"]
    return next(e["node"]["id"] for e in edges if e["node"]["severity"] in BELOW_TOLERANCE)


async def _assignments(api: Api, tenant: str, directive: str, users: list[str], token: str,
                       calls: int) -> list[float]:
    """Milliseconds of ``calls`` owner changes (each records ``directive.assigned``)."""
    times = []
    for i in range(calls):
        started = time.perf_counter()
        answer = await api(ASSIGN, {"t": tenant, "d": directive, "u": users[i % 2]}, token)
        times.append((time.perf_counter() - started) * 1000)
        if answer["updateDirective"]["errors"]:
            raise SystemExit(f"updateDirective: {answer['updateDirective']['errors']}")
    return times


async def latency(platform: Any, api: Api, routed: tuple[str, list[str], str],
                  plain: tuple[str, list[str], str], calls: int) -> dict[str, list[float]]:
    """Milliseconds per call, with a rule (``routed``) and without (``plain``)."""
    targets = {}
    for name, (tenant, users, token) in (("rule", routed), ("no rule", plain)):
        targets[name] = (tenant, await _directive(api, tenant, token), users, token)
        await _assignments(api, tenant, targets[name][1], users, token, 10)  # warm-up
    times: dict[str, list[float]] = {"rule": [], "no rule": []}
    for name in ("no rule", "rule", "no rule", "rule"):
        await _until("settled", lambda: _settled(platform))
        tenant, directive, users, token = targets[name]
        times[name] += await _assignments(api, tenant, directive, users, token, calls // 2)
    await _until("settled", lambda: _settled(platform))
    return times


# --- main ---------------------------------------------------------------------------------------

async def _measure(args: argparse.Namespace, env: dict[str, str], log: Path) -> list[Result]:
    import httpx

    from ipgov.notify.channels.webhook import new_webhook_secret
    from ipgov.settings import Settings
    from ipgov.startup import build_platform
    from ipgov.work.worker import attach_broker

    platform = build_platform(Settings.from_env(env))
    queue = attach_broker(platform)
    tenants = await _tenants(platform, 2 * args.tenants + 2)
    await platform.authz.load()
    procs = [Worker([*IPGOV_WORKER[:3], "serve", "--no-migrate"], env, log),
             *(Worker(IPGOV_WORKER, env, log) for _ in range(2))]
    receiver = WebhookReceiver(new_webhook_secret())
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            api = Api(client, f"http://127.0.0.1:{env['IPGOV_PORT']}")
            await _until("the API", lambda: _ready(client, api.base), 120)
            tokens = {t: platform.tokens.issuer.issue(users[0]).token for t, users in tenants}
            routed = tenants[:args.tenants] + tenants[-1:]
            for tenant, _users in routed:
                await _route(api, tenant, tokens[tenant], receiver,
                             ["escalation.decided", "directive.assigned"])
            progress("set up; throughput")
            rate = await throughput(platform, [t for t, _ in tenants[:args.tenants]],
                                    [t for t, _ in tenants[args.tenants:-2]], args.events,
                                    receiver)
            progress(f"throughput: {rate[0]:.1f} events/s (no rule: {rate[1]:.1f}); latency")
            (rt, ru), (pt, pu) = tenants[-1], tenants[-2]
            times = await latency(platform, api, (rt, ru, tokens[rt]), (pt, pu, tokens[pt]),
                                  args.calls)
    finally:
        receiver.stop()
        for proc in procs:
            proc.kill()
        queue.broker.close()
        await platform.close()
    return _rows(args, rate, times)


async def _ready(client: Any, base: str) -> bool:
    try:
        return bool((await client.get(f"{base}/readyz")).status_code == 200)
    except Exception:
        return False


def _rows(args: argparse.Namespace, rate: tuple[float, float, float],
          times: dict[str, list[float]]) -> list[Result]:
    size = f"{'PostgreSQL' if args.postgres else 'SQLite'}, Redis, 2 workers"
    print(f"\nthroughput: {args.events} events over {args.tenants} tenants, emitted in "
          f"{rate[2]:.1f} s; {rate[0]:.1f} events/s verified at the receiver, {rate[1]:.1f} "
          f"events/s dispatched with no rule")
    for name, values in times.items():
        print(f"updateDirective, {name}: {len(values)} calls, median "
              f"{statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms")
    rule, plain = times["rule"], times["no rule"]
    return [
        Result("notifications", f"{size}, {args.events} events", "events/s verified at a webhook",
               rate[0], "events/s", rate[1], "dispatched with no rule"),
        Result("notifications", f"{size}, {len(rule)} calls", "mutation with a rule, median",
               statistics.median(rule), "ms", statistics.median(plain), "no rule"),
        Result("notifications", f"{size}, {len(rule)} calls", "mutation with a rule, p95",
               percentile(rule, 0.95), "ms", percentile(plain, 0.95), "no rule"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="events per throughput run")
    parser.add_argument("--tenants", type=int, default=4, help="tenants the events spread over")
    parser.add_argument("--calls", type=int, default=300, help="mutations per latency figure")
    add_backend_arguments(parser)
    args = parser.parse_args(argv)
    if not _redis_up(args.redis):
        print(f"notifications: skipped (no Redis at {args.redis})")
        return
    env = {**NOTIFY_ENV, "IPGOV_PORT": str(_free_port()), "IPGOV_HOST": "127.0.0.1"}
    emit(in_fresh_database(args, _measure, env))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    main()
