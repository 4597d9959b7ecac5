"""Production topology on one machine: two APIs, two workers, a scheduler, PostgreSQL, Redis.

Two `ipgov serve` processes (different ports), two `ipgov worker` processes and one `ipgov
scheduler` run against one PostgreSQL database and one Redis broker, as the Helm chart deploys
them. The story:

- a policy change made through one API is enforced by the other within a second (both ways),
  and it stays inside its tenant (sibling and other group unchanged);
- a group review requested through one API is completed by the workers and read through the
  other;
- one API is SIGKILLed while it acknowledges review requests: every acknowledged request is
  in the database and completed by the workers, and the audit chains are intact;
- the killed API, started again cold, serves the same decisions as the warm one.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from ipgov.settings import Settings
from tests.e2e.test_review_workers import _cleanup_redis

PG_URL = os.environ.get("IPGOV_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("IPGOV_TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.skipif(not (PG_URL and REDIS_URL),
                       reason="needs IPGOV_TEST_POSTGRES_URL and IPGOV_TEST_REDIS_URL"),
]

IPGOV = [sys.executable, "-m", "ipgov.cli.main"]
START_TIMEOUT = 60.0
PROPAGATION = 1.0  # the promise: another replica enforces a change within a second
ASSET = "ip_governance:asset"
TERMINAL = ("succeeded", "partial", "failed")

CAN = "query($t: ID!, $o: String!, $a: String!) { can(tenantId: $t, object: $o, action: $a) }"
ADD_POLICY = """mutation($t: ID!, $s: String!, $o: String!, $a: String!, $e: String!,
  $sub: Boolean!) { addPolicy(tenantId: $t, subject: $s, object: $o, action: $a, effect: $e,
  applyToSubsidiaries: $sub) { rule { id } errors { code message } } }"""
REQUEST = """mutation($t: ID!, $k: String) { requestReview(tenantId: $t, idempotencyKey: $k) {
  run { id status } errors { code message } } }"""
GROUP_REVIEW = """mutation($t: ID!) { requestGroupReview(tenantId: $t) {
  run { id status } errors { code message } } }"""
RUN = """query($t: ID!, $r: ID!) { reviewRun(tenantId: $t, id: $r) {
  status childrenTotal childrenDone scores } }"""


async def _add_viewer(platform, group, name: str, tenant_id: str) -> None:
    from ipgov.identity.service import add_membership, create_user

    async with platform.db.system_session("test: viewer") as s:
        user = await create_user(s, email=f"{name}@example.test", display_name=name)
        await add_membership(platform, s, tenant_id=tenant_id, user_id=user.id, role="viewer",
                             actor="test")
    group.users[name] = user.id


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """Named process groups with their logs; every one is killed by ``stop_all``."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {}

    def start(self, name: str, *args: str, port: int | None = None) -> None:
        env = dict(self.env)
        if port is not None:
            env["IPGOV_PORT"] = str(port)
            self.ports[name] = port
        with open(self.logs / f"{name}.log", "a") as log:
            self.procs[name] = subprocess.Popen(
                [*IPGOV, *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)  # a worker forks: kill the whole group

    def start_api(self, name: str) -> None:
        self.start(name, "serve", "--no-migrate", port=self.ports.get(name) or _free_port())

    def base(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name)

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(out)

    async def wait_ready(self, *names: str) -> None:
        """Poll ``/readyz`` of each API until it answers 200 (bounded)."""
        deadline = time.monotonic() + START_TIMEOUT
        pending = set(names)
        async with httpx.AsyncClient(timeout=2) as client:
            while pending:
                self.check_alive()
                for name in sorted(pending):
                    with contextlib.suppress(httpx.HTTPError):
                        if (await client.get(f"{self.base(name)}/readyz")).status_code == 200:
                            pending.discard(name)
                if time.monotonic() > deadline:
                    pytest.fail(f"{sorted(pending)} not ready in {START_TIMEOUT:.0f} s\n"
                                f"{self.tail()}")
                await asyncio.sleep(0.1)


class Api:
    """A GraphQL client for one API process."""

    def __init__(self, client: httpx.AsyncClient, base: str) -> None:
        self.client, self.base = client, base

    async def raw(self, query: str, variables: dict[str, Any], token: str) -> dict:
        """The response body of one operation (HTTP 200 expected)."""
        r = await self.client.post(f"{self.base}/graphql",
                                   json={"query": query, "variables": variables},
                                   headers={"authorization": f"Bearer {token}"})
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()

    async def __call__(self, query: str, variables: dict[str, Any], token: str) -> dict:
        body = await self.raw(query, variables, token)
        assert not body.get("errors"), body
        return body["data"]

    async def can(self, token: str, tenant: str, obj: str = ASSET, action: str = "create") -> bool:
        return (await self(CAN, {"t": tenant, "o": obj, "a": action}, token))["can"]

    async def error_code(self, query: str, variables: dict[str, Any], token: str) -> str:
        """The code of the operation's first error (it must fail)."""
        body = await self.raw(query, variables, token)
        assert body.get("data") is None and body.get("errors"), body
        return body["errors"][0]["extensions"]["code"]


def _env(tmp_path: Path, owner: str, app: str, namespace: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update({
        "IPGOV_DATA_DIR": str(tmp_path / "data"),  # shares the JWT and audit keys
        "IPGOV_DATABASE_URL": owner,
        "IPGOV_APP_DATABASE_URL": app,
        "IPGOV_BROKER_URL": REDIS_URL,
        "IPGOV_BROKER_NAMESPACE": namespace,
        "IPGOV_HOST": "127.0.0.1",
        "IPGOV_REVIEW_LEASE_SECONDS": "5",
        "IPGOV_REVIEW_REQUEUE_SECONDS": "3",
        "IPGOV_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    return env


async def _until(predicate, timeout: float, what: str, procs: Processes, every: float = 0.05):
    """Call ``predicate()`` (sync or async) until truthy; fail with the logs after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {timeout:.0f} s\n{procs.tail()}")
        procs.check_alive()
        await asyncio.sleep(every)


async def _propagation_delay(api: Api, token: str, tenant: str, expected: bool) -> float:
    """Seconds until ``api`` answers ``expected`` for the viewer's asset creation (5 s max)."""
    started = time.monotonic()
    while time.monotonic() - started < 5.0:
        if await api.can(token, tenant) is expected:
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    return float("inf")


async def test_two_apis_two_workers_share_policies_reviews_and_survive_a_kill(
        postgres_database, tmp_path):
    from ipgov.startup import build_platform
    from ipgov.tenancy.services import ensure_platform_tenant
    from tests.conftest import _truncate, make_group

    owner, app, _system = postgres_database
    await _truncate(owner)  # the session's database is shared with other tests
    namespace = f"ipgov-mp-{uuid.uuid4().hex[:10]}"
    env = _env(tmp_path, owner, app, namespace)
    (tmp_path / "logs").mkdir()
    procs = Processes(env, tmp_path / "logs")
    platform = build_platform(Settings.from_env(env))  # creates the shared keys first
    try:
        async with platform.db.system_session("test: platform tenant") as s:
            await ensure_platform_tenant(platform, s)
        await platform.authz.load()
        acme = await make_group(platform, "acme", "hybrid")
        globex = await make_group(platform, "globex", "hybrid")
        await _add_viewer(platform, acme, "b-viewer", acme.ids["acme-b"])

        procs.start_api("api-a")
        procs.start_api("api-b")
        procs.start("worker-1", "worker", "--processes", "1", "--threads", "2")
        procs.start("worker-2", "worker", "--processes", "1", "--threads", "2")
        procs.start("scheduler", "scheduler", "--every", "1")
        await procs.wait_ready("api-a", "api-b")

        async with httpx.AsyncClient(timeout=30) as client:
            a, b = Api(client, procs.base("api-a")), Api(client, procs.base("api-b"))
            await _policy_changes_cross_replicas(a, b, acme, globex)
            await _group_review_done_by_workers(a, b, acme, globex, procs)
            acked = await _kill_api_while_it_acknowledges(a, b, acme, procs)
            await _cold_replica_decides_like_warm(client, procs, acme, globex)
        await _acknowledged_runs_completed(platform, acked, acme, procs)
    finally:
        procs.stop_all()
        await platform.close()
        await _cleanup_redis(namespace)


async def _policy_changes_cross_replicas(a: Api, b: Api, acme, globex) -> None:
    sub, sibling = acme.ids["acme-a"], acme.ids["acme-b"]
    viewer = acme.token("a-viewer")
    assert not await a.can(viewer, sub) and not await b.can(viewer, sub)

    # a subsidiary admin grants viewers asset creation through API A: B enforces it
    added = await a(ADD_POLICY, {"t": sub, "s": "viewer", "o": ASSET, "a": "create",
                                 "e": "allow", "sub": False}, acme.token("a-admin"))
    assert added["addPolicy"]["errors"] == [], added
    assert await a.can(viewer, sub)
    delay = await _propagation_delay(b, viewer, sub, True)
    assert delay <= PROPAGATION, f"API B enforced the grant after {delay:.2f} s"

    # the grant stays in its tenant: sibling subsidiary and the other group are unchanged
    sibling_can = {"t": sibling, "o": ASSET, "a": "create"}
    assert await b.error_code(CAN, sibling_can, viewer) == "FORBIDDEN"  # no role in acme-b
    assert not await b.can(acme.token("b-viewer"), sibling)  # the sibling's viewers neither
    g_viewer, g_sub = globex.token("a-viewer"), globex.ids["globex-a"]
    assert not await a.can(g_viewer, g_sub) and not await b.can(g_viewer, g_sub)
    other_group = {"t": g_sub, "o": ASSET, "a": "create"}
    assert await b.error_code(CAN, other_group, viewer) == "FORBIDDEN"

    # the group's deny baseline, set through API B, wins in A over the local allow (hybrid)
    denied = await b(ADD_POLICY, {"t": acme.ids["acme"], "s": "viewer", "o": ASSET,
                                  "a": "create", "e": "deny", "sub": True}, acme.token("admin"))
    assert denied["addPolicy"]["errors"] == [], denied
    assert not await b.can(viewer, sub)
    delay = await _propagation_delay(a, viewer, sub, False)
    assert delay <= PROPAGATION, f"API A enforced the group deny after {delay:.2f} s"
    assert not await a.can(g_viewer, g_sub)


async def _group_review_done_by_workers(a: Api, b: Api, acme, globex, procs: Processes
                                        ) -> None:
    group, admin = acme.ids["acme"], acme.token("admin")
    requested = await b(GROUP_REVIEW, {"t": group}, admin)
    assert requested["requestGroupReview"]["errors"] == [], requested
    run_id = requested["requestGroupReview"]["run"]["id"]

    async def finished() -> dict | None:
        run = (await a(RUN, {"t": group, "r": run_id}, admin))["reviewRun"]
        return run if run["status"] in TERMINAL else None

    run = await _until(finished, 45, "group review", procs, every=0.2)
    assert run["status"] == "succeeded", run
    assert run["childrenTotal"] == run["childrenDone"] == 4, run  # acme and its three
    assert run["scores"]["overall"] is not None
    # another group's admin cannot read it through either API
    for api in (a, b):
        code = await api.error_code(RUN, {"t": group, "r": run_id}, globex.token("admin"))
        assert code == "FORBIDDEN"


async def _kill_api_while_it_acknowledges(a: Api, b: Api, acme, procs: Processes
                                          ) -> dict[str, str]:
    """Review requests stream into API A; A is SIGKILLed mid-stream. Returns acked run ids."""
    admin = acme.token("admin")
    tenants = [acme.ids[s] for s in ("acme", "acme-a", "acme-b", "acme-c")]
    acked: dict[str, str] = {}  # run id -> tenant id
    stop = asyncio.Event()

    async def sender(lane: int) -> None:
        i = 0
        while not stop.is_set():
            tenant = tenants[(lane + i) % len(tenants)]
            key = f"kill-{lane}-{i}"
            i += 1
            try:
                data = await a(REQUEST, {"t": tenant, "k": key}, admin)
            except httpx.HTTPError:
                return  # the process is gone: this request was not acknowledged
            assert data["requestReview"]["errors"] == [], data
            acked[data["requestReview"]["run"]["id"]] = tenant

    lanes = [asyncio.create_task(sender(n)) for n in range(4)]
    try:
        await _until(lambda: len(acked) >= 12, 30, "12 acknowledged requests", procs)
        procs.kill("api-a")  # SIGKILL while the lanes are mid-request
        stop.set()
        await asyncio.wait_for(asyncio.gather(*lanes), timeout=35)
    finally:
        stop.set()
        for lane in lanes:
            lane.cancel()
    # B keeps serving, and sees every acknowledged run
    for run_id, tenant in acked.items():
        run = (await b(RUN, {"t": tenant, "r": run_id}, admin))["reviewRun"]
        assert run is not None, f"acknowledged run {run_id} is missing"
    return acked


async def _cold_replica_decides_like_warm(client: httpx.AsyncClient, procs: Processes,
                                          acme, globex) -> None:
    procs.start_api("api-a")  # same port, fresh process: nothing cached
    await procs.wait_ready("api-a")
    a, b = Api(client, procs.base("api-a")), Api(client, procs.base("api-b"))
    ready = [(await client.get(f"{api.base}/readyz")).json() for api in (a, b)]
    assert ready[0]["policyVersion"] == ready[1]["policyVersion"] > 0, ready
    decisions: dict[tuple[str, str], list[dict[str, bool] | str]] = {}
    for name, group, foreign in (("acme", acme, globex.ids["globex-a"]),
                                 ("globex", globex, acme.ids["acme-a"])):
        for user in ("admin", "a-admin", "a-viewer", "c-contrib"):
            token = group.token(user)
            for tenant in [*group.ids.values(), foreign]:
                decisions[(f"{user}@{name}", tenant)] = [
                    await _decisions(api, token, tenant) for api in (a, b)]
    differ = {k: v for k, v in decisions.items() if v[0] != v[1]}
    assert not differ, f"cold and warm replicas disagree: {differ}"
    flat = [d for v in decisions.values() for d in
            ([v[0]] if isinstance(v[0], str) else v[0].values())]
    assert {True, False, "FORBIDDEN"} <= set(flat), flat  # a mixed, meaningful matrix


OBJECTS = [(ASSET, "create"), (ASSET, "read"), ("ip_governance:risk", "read"),
           ("ipgov:member", "read"), ("ipgov:policy", "update"), ("ipgov:tenant", "read")]
MATRIX = "query($t: ID!) { " + " ".join(
    f'c{i}: can(tenantId: $t, object: "{o}", action: "{a}")'
    for i, (o, a) in enumerate(OBJECTS)) + " }"


async def _decisions(api: Api, token: str, tenant: str) -> dict[str, bool] | str:
    """Every OBJECTS decision of one user in one tenant, or the error code when refused."""
    body = await api.raw(MATRIX, {"t": tenant}, token)
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    return body["data"]


async def _acknowledged_runs_completed(platform, acked: dict[str, str], acme,
                                       procs: Processes) -> None:
    from sqlalchemy import select

    from ipgov.audit.verify import verify_tenant
    from ipgov.reviews.models import ReviewRun

    async def statuses() -> dict[str, str]:
        async with platform.db.system_session("test: statuses") as s:
            return dict((await s.execute(select(ReviewRun.id, ReviewRun.status))).all())

    async def all_done() -> dict[str, str] | None:
        current = await statuses()
        return current if all(st in TERMINAL for st in current.values()) else None

    final = await _until(all_done, 60, "every review (acknowledged or not) finished", procs,
                         every=0.3)
    missing = sorted(set(acked) - set(final))
    assert not missing, f"acknowledged but lost: {missing}"
    failed = {r: s for r, s in final.items() if s == "failed"}
    assert not failed, failed
    async with platform.db.system_session("test: audit") as s:
        chains = [await verify_tenant(s, platform.audit_key, t) for t in acme.ids.values()]
    assert all(c.ok for c in chains), chains
    print(f"\n{len(acked)} acknowledged requests before the kill, {len(final)} runs in all")


def _children(pid: int) -> set[int]:
    """The server processes uvicorn spawned under ``pid`` (not multiprocessing's resource
    tracker, which is a child too)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (int((entry / "stat").read_text().split(") ")[1].split()[1]) == pid
                        and b"spawn_main" in (entry / "cmdline").read_bytes()):
                    found.add(int(entry.name))
    return found


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_serve_runs_several_processes_on_one_port(tmp_path):
    """``ipgov serve --processes 2``: two server processes answer on the port, each with its
    own platform; one killed is replaced and the service keeps answering (issue 28 item 1)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update(IPGOV_DATA_DIR=str(tmp_path / "data"), IPGOV_LOG_LEVEL="WARNING",
               IPGOV_SKIP_WEB="1")
    (tmp_path / "logs").mkdir()
    procs = Processes(env, tmp_path / "logs")
    try:
        procs.start("api", "serve", "--processes", "2", port=_free_port())
        base = procs.base("api")

        def ready() -> bool:
            try:
                return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(ready, 120, "ready")
        parent = procs.procs["api"].pid
        _wait(lambda: len(_children(parent)) >= 2, 60, "two server processes")
        workers = _children(parent)
        assert len(workers) == 2, workers
        for _ in range(10):
            assert httpx.post(f"{base}/graphql", json={"query": "{ __typename }"},
                              timeout=10).json() == {"data": {"__typename": "Query"}}
        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        _wait(lambda: len(_children(parent) - {victim}) == 2, 60, "a replacement process")
        _wait(ready, 60, "ready again")
    finally:
        procs.stop_all()
