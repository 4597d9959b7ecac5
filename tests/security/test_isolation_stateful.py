"""Tenant isolation under generation (OWASP API1 BOLA, API3 BOPLA, API5 BFLA; AWS SaaS Lens).

A Hypothesis state machine plays users of three groups (hybrid, centralized, decentralized)
replaying other tenants' ids (other groups, and sibling subsidiaries) through every root field
of the live schema that takes an id (core and plugins: new fields are covered as they appear),
one call or a batch at a time, through review and job worker messages, and through the AI
assistants' tools (ipgov.assistant, every tool taking a tenant).

Invariants: every probe is refused (FORBIDDEN / NOT_FOUND, or a payload error), no response
carries another tenant's ids or names, no row of any tenant changes, and every probe is
answered exactly as its twin that aims at ids naming nothing (no existence oracle: issue 15
item 3). A legitimate read
each step proves the harness sees successes. On PostgreSQL it runs again with the ORM tenant
filter off: RLS alone holds.

Default run: a few hundred operations per backend; ``-m soak`` (or ``IPGOV_TEST_SOAK=1``):
``IPGOV_ISOLATION_OPERATIONS`` (100,000 by default) operations.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import os
import random
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from mcp_types import CallToolRequestParams
from sqlalchemy import select

from ipgov.assistant.server import AssistantServer, Caller
from ipgov.db.session import orm_filter_enabled
from ipgov.graphql.schema import build_schema
from tests.conftest import make_group
from tests.security.probes import (
    World,
    id_arguments,
    load_rows,
    object_id,
    operation,
    probe_fields,
    refused,
    subscription_fields,
    tenant_slots,
)

GROUPS = {"acme": "hybrid", "globex": "centralized", "initech": "decentralized"}
USERS = ("admin", "auditor", "a-admin", "b-admin", "a-viewer", "c-contrib")
STEPS = 10  # short examples, many of them: Hypothesis turns rules off per example (swarm)


async def fingerprint(platform) -> dict[str, str]:
    """A digest of every table's rows (volatile columns aside): any write changes it."""
    from ipgov.db.base import Base

    volatile = {"last_used_at", "failed_logins", "locked_until"}
    digests = {}
    async with platform.db.system_session("test: fingerprint") as s:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.c if c.name not in volatile]
            rows = sorted(repr(tuple(r)) for r in (await s.execute(select(*cols))).all())
            digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


async def build_world(platform) -> World:
    """Three groups with users, a queued review and job in every tenant, all row ids loaded."""
    from ipgov.reviews.service import request_review

    tenants, group_of, users, tokens = {}, {}, {}, {}
    for slug, mode in GROUPS.items():
        group = await make_group(platform, slug, mode)
        tenants.update(group.ids)
        group_of.update({tid: slug for tid in group.ids.values()})
        for user in USERS:
            users[(slug, user)] = group.users[user]
            tokens[(slug, user)] = group.token(user)
        for tid in group.ids.values():
            await request_review(platform, tenant_id=tid, actor="test")
            await _queued_job(platform, tid)
            await _notification_rows(platform, tid, group.users["admin"])
    world = World(tenants, group_of, users, tokens)
    await load_rows(platform, world)
    return world


async def _queued_job(platform, tenant_id: str) -> None:
    """A queued plugin job in the tenant (the row a job message names)."""
    from ipgov.jobs.models import Job

    async with platform.db.tenant_session(tenant_id) as s:
        s.add(Job(tenant_id=tenant_id, kind="security.probe", params={}, requested_by="test"))


async def _notification_rows(platform, tenant_id: str, user_id: str) -> None:
    """A destination, a rule and an inbox delivery in the tenant (what notification fields
    name by id)."""
    from ipgov.notify.models import Delivery, NotificationDestination, NotificationRule

    async with platform.db.tenant_session(tenant_id) as s:
        destination = NotificationDestination(
            tenant_id=tenant_id, name=f"hook {tenant_id[:8]}", kind="webhook",
            target=f"https://hooks.example.com/{tenant_id}", secrets=["whsec_probe"])
        s.add(destination)
        await s.flush()
        s.add(NotificationRule(tenant_id=tenant_id, name=f"rule {tenant_id[:8]}",
                               event_types=["review.*"], destination_ids=[destination.id]))
        s.add(Delivery(tenant_id=tenant_id, event_id=str(uuid.uuid4()), requested_by="test",
                       event_type="review.finished", event_tenant_id=tenant_id,
                       channel="inbox", user_id=user_id, status="delivered",
                       idempotency_key=f"probe:{tenant_id}"))


class Loop:
    """Runs the app's coroutines on the test's event loop from the machine's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def __call__(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)


def recorded(failures: list[str]):
    """Keep a rule's first failure: Hypothesis replays a failing example, and if the replay
    passes (a flaky failure) it reports only that the data was inconsistent."""

    def wrap(fn):
        @functools.wraps(fn)
        def rule_body(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                failures.append(f"{fn.__name__}: {type(exc).__name__}: {exc}"[:4000])
                raise

        return rule_body

    return wrap


def make_machine(platform, client, world: World, loop: Loop, stats: dict[str, int],
                 failures: list[str]):
    """The state machine class, bound to one platform and client."""
    live_schema = build_schema(platform.settings, platform.registry)
    schema = live_schema._schema
    fields = probe_fields(schema)
    subscriptions = subscription_fields(schema)
    actors = sorted(world.tokens)
    recorded_in: list[str] = []

    class ProbeAssistant(AssistantServer):
        """The assistant server whose call records are collected, not written (the
        fingerprint proves no row changes anywhere)."""

        async def _append(self, tenant_id, principal, tool, details) -> None:
            recorded_in.append(tenant_id)

    async def _no_limit(_principal) -> None:
        return None

    assistant = ProbeAssistant(platform, live_schema, caller_of=lambda caller: caller,
                               limit=_no_limit, transport="probe")
    tenant_tools = [t for t in assistant.tools.values() if "tenantId" in t.input_schema.get(
        "required", [])]

    class CrossTenantReplay(RuleBasedStateMachine):
        """Users replay other tenants' ids; nothing crosses, nothing leaks, nothing changes."""

        @initialize(seed=st.integers(0, 2 ** 32))
        def start(self, seed: int) -> None:
            self.rng = random.Random(seed)

        def _probe(self, actor: tuple[str, str], probe: int, bola: bool
                   ) -> tuple[str, dict, str, str, set[str]]:
            query, variables, name, kind, targets, _twin, _sent = self._probe_pair(
                actor, probe, bola)
            return query, variables, name, kind, targets

        def _probe_pair(self, actor: tuple[str, str], probe: int, bola: bool,
                        among: list | None = None):
            """The probe, and its twin with every id it aims at another tenant replaced by
            an id that names nothing (the caller's own tenant stays): both must be answered
            alike, or the answer tells the outsider what exists (an existence oracle)."""
            pool = among or fields
            kind, name, field = pool[probe % len(pool)]
            foreign = self.rng.choice(world.foreign(*actor))
            home = world.home(*actor)
            tenant_args = tenant_slots(field, name)
            bola = bola and any(p.split(".")[-1] not in tenant_args for p in id_arguments(field))
            own = self.rng.choice(home)
            sent: dict[str, tuple[str, str]] = {}

            def slot(path: str) -> str:
                arg = path.split(".")[-1]
                if arg in tenant_args and bola:
                    return own
                value = foreign if arg in tenant_args else object_id(world, foreign, name, arg,
                                                                     self.rng)
                sent[path] = (value, str(uuid.UUID(int=self.rng.getrandbits(128), version=4)))
                return value

            query, variables = operation(kind, name, field, slot)
            _, twin = operation(kind, name, field,
                                lambda path: sent[path][1] if path in sent else own)
            return query, variables, name, kind, {foreign}, twin, sent

        def _alike(self, first: str, second: str, sent: dict[str, tuple[str, str]]) -> None:
            """The two answers are the same once the ids sent are put aside."""
            def put_aside(text: str, which: int) -> str:
                values = sorted({v[which] for v in sent.values()}, key=len, reverse=True)
                for value in values:
                    text = text.replace(value, "<id>")
                return text

            assert put_aside(first, 0) == put_aside(second, 1), (first, second)
            stats["alike"] += 1

        def _check(self, body: dict, text: str, name: str, sent: dict, targets: set[str],
                   bola: bool, actor) -> None:
            stats["operations"] += 1
            sent_text = json.dumps(sent)
            hidden = {s for s in world.secrets_of(targets) if s not in sent_text and len(s) > 3}
            leaked = sorted(s for s in hidden if s in text)
            assert not leaked, (actor, name, sent, leaked, body)
            codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
            assert "INTERNAL" not in codes, (actor, name, sent, body)
            if bola:
                value = (body.get("data") or {}).get(name)
                stats["bola"] += 1
                if isinstance(value, dict) and "errors" in value:
                    assert value["errors"] or body.get("errors"), (actor, name, sent, body)
            else:
                assert refused(body, name), (actor, name, sent, body)
                stats["refused"] += 1

        @rule(actor=st.sampled_from(actors), probe=st.integers(0, 10 ** 6), bola=st.booleans())
        @recorded(failures)
        def replay_one(self, actor, probe: int, bola: bool) -> None:
            query, variables, name, _kind, targets, twin, sent = self._probe_pair(
                actor, probe, bola)
            response = loop(client.post(query, variables, token=world.tokens[actor]))
            assert response.status_code < 500, (name, response.text)
            self._check(response.json(), response.text, name, variables, targets, bola, actor)
            unknown = loop(client.post(query, twin, token=world.tokens[actor]))
            assert unknown.status_code == response.status_code, (name, unknown.text)
            self._alike(json.dumps(response.json(), sort_keys=True),
                        json.dumps(unknown.json(), sort_keys=True), sent)

        @rule(actor=st.sampled_from(actors), probe=st.integers(0, 10 ** 6), bola=st.booleans())
        @recorded(failures)
        def replay_subscription(self, actor, probe: int, bola: bool) -> None:
            """A subscription (as the WebSocket runs it) naming another tenant's objects:
            its first answer is a refusal, alike for ids naming nothing."""
            query, variables, name, _kind, targets, twin, sent = self._probe_pair(
                actor, probe, bola, subscriptions)
            body = loop(first_answer(platform, live_schema, world.tokens[actor], query,
                                     variables))
            text = json.dumps(body, sort_keys=True)
            self._check(body, text, name, variables, targets, bola, actor)
            other = loop(first_answer(platform, live_schema, world.tokens[actor], query, twin))
            self._alike(text, json.dumps(other, sort_keys=True), sent)
            stats["subscriptions"] += 1

        @rule(actor=st.sampled_from(actors), probes=st.lists(st.integers(0, 10 ** 6),
                                                             min_size=2, max_size=4))
        @recorded(failures)
        def replay_batch(self, actor, probes: list[int]) -> None:
            built = [self._probe(actor, p, False) for p in probes]
            payload = [{"query": q, "variables": v} for q, v, *_ in built]
            headers = {"authorization": f"Bearer {world.tokens[actor]}"}
            response = loop(client.client.post("/graphql", json=payload, headers=headers))
            assert response.status_code < 500, response.text
            for (_q, v, name, _k, targets), body in zip(built, response.json(), strict=True):
                self._check(body, json.dumps(body), name, v, targets, False, actor)
            stats["batches"] += 1

        @rule(actor=st.sampled_from(actors), pick=st.integers(0, 10 ** 6))
        @recorded(failures)
        def replay_worker_message(self, actor, pick: int) -> None:
            """A review or job message naming one tenant and another tenant's row claims
            nothing (both directions)."""
            from ipgov.jobs.service import execute_job
            from ipgov.reviews.runner import execute_run

            own = world.home(*actor)[pick % len(world.home(*actor))]
            foreign = world.foreign(*actor)[pick % len(world.foreign(*actor))]
            table, execute = (("review_runs", execute_run), ("jobs", execute_job))[pick % 2]
            theirs, mine = world.rows[foreign][table][0], world.rows[own][table][0]
            row, tenant = ((theirs, own), (mine, foreign))[pick // 2 % 2]
            outcome = loop(execute(platform, row, tenant))
            assert outcome.startswith("not"), (table, outcome)
            stats["operations"] += 1
            stats["worker"] += 1

        @rule(actor=st.sampled_from(actors), pick=st.integers(0, 10 ** 6))
        @recorded(failures)
        def replay_tool(self, actor, pick: int) -> None:
            """An assistant's tool (ipgov.assistant) aimed at another tenant: refused, no
            foreign id or name in the answer, and its audit record kept in the caller's own
            tenant, never the one it aimed at."""
            tool = tenant_tools[pick % len(tenant_tools)]
            foreign = self.rng.choice(world.foreign(*actor))
            arguments = {"tenantId": foreign}
            for name in tool.input_schema.get("required", []):
                if name != "tenantId":
                    arguments[name] = _tool_value(tool.input_schema["properties"][name],
                                                  self.rng)
            recorded_in.clear()
            result = loop(assistant._call_tool(Caller(f"Bearer {world.tokens[actor]}"),
                                               CallToolRequestParams(name=tool.name,
                                                                     arguments=arguments)))
            text = result.content[0].text
            assert result.is_error, (actor, tool.name, arguments, text)
            hidden = {h for h in world.secrets_of({foreign}) if h not in json.dumps(arguments)
                      and len(h) > 3}
            assert not sorted(h for h in hidden if h in text), (actor, tool.name, text)
            assert "INTERNAL" not in text, (actor, tool.name, text)
            assert recorded_in and foreign not in recorded_in, (tool.name, recorded_in)
            stats["operations"] += 1
            stats["tools"] += 1

        @rule(actor=st.sampled_from(actors))
        @recorded(failures)
        def legitimate_read(self, actor) -> None:
            own = world.home(*actor)[0]
            body = loop(client("query($t: ID!) { tenant(id: $t) { id slug } }", {"t": own},
                               token=world.tokens[actor]))
            assert body["data"]["tenant"]["id"] == own, body
            stats["legitimate"] += 1

        @invariant()
        def counted(self) -> None:
            assert stats["operations"] >= 0

    return CrossTenantReplay


def _tool_value(schema: dict, rng: random.Random) -> Any:
    """A value of a tool argument's JSON Schema type (ids as random UUIDs)."""
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        return {k: _tool_value(v, rng) for k, v in schema.get("properties", {}).items()
                if k in schema.get("required", [])}
    if kind == "array":
        return [_tool_value(schema.get("items", {}), rng)]
    if kind == "integer":
        return 1
    if kind == "boolean":
        return False
    if "enum" in schema:
        return schema["enum"][0]
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


async def first_answer(platform, schema, token: str, query: str, variables: dict) -> dict:
    """The first answer of a subscription run as the WebSocket runs it (a signed-in socket
    context), formatted like the ``next`` / ``error`` payloads it would carry."""
    from ipgov.graphql.context import IpgovContext
    from ipgov.identity.service import authenticate

    credential = f"Bearer {token}"
    context = IpgovContext(platform=platform, principal=await authenticate(platform, credential),
                           request_id="probe", locale="en", loaders={}, credential=credential)
    context.websocket = object()  # type: ignore[assignment]  # what the socket handler sets
    stream = await schema.stream(query, variable_values=variables, context_value=context)
    try:
        async with asyncio.timeout(30):  # in this task: the extensions' context stays one
            result = await anext(stream)
    finally:
        await stream.aclose()
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


async def _run(platform, client, operations: int, *, derandomize: bool = True
               ) -> dict[str, int]:
    world = await build_world(platform)
    before = await fingerprint(platform)
    stats = dict.fromkeys(("operations", "refused", "bola", "batches", "worker",
                           "legitimate", "alike", "subscriptions", "tools"), 0)
    failures: list[str] = []
    machine = make_machine(platform, client, world, Loop(asyncio.get_running_loop()), stats,
                           failures)
    examples = max(1, operations // (STEPS * 2))
    config = settings(max_examples=examples, stateful_step_count=STEPS, deadline=None,
                      derandomize=derandomize, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
    while stats["operations"] < operations:
        try:
            await asyncio.to_thread(run_state_machine_as_test, machine, settings=config)
        except BaseException as exc:  # Hypothesis' flakiness errors are exception groups
            if failures and not isinstance(exc, KeyboardInterrupt):
                pytest.fail(f"{len(failures)} failure(s); first: {failures[0]}")
            raise
    after = await fingerprint(platform)
    changed = sorted(t for t in before if before[t] != after[t])
    assert not changed, f"probes changed rows in: {changed}"
    assert all(stats[k] > 0 for k in ("refused", "bola", "batches", "worker", "legitimate",
                                      "alike", "subscriptions", "tools")), stats
    print(f"\nisolation: {stats}")
    return stats


@pytest.fixture(params=["orm+rls", "rls-only"])
def tenant_walls(request, backend):
    """Both walls, or (PostgreSQL only) row-level security alone, the ORM filter off."""
    if request.param == "rls-only":
        if backend != "postgres":
            pytest.skip("row-level security exists only on PostgreSQL")
        orm_filter_enabled(False)
    yield request.param
    orm_filter_enabled(True)


DEFAULT_OPERATIONS = {"sqlite": 300, "postgres": 200}  # per variant; PostgreSQL runs two


NO_RATE_LIMITS = pytest.mark.settings(rate_limit_user="", rate_limit_tenant="",
                                      rate_limit_anonymous="")  # tested on their own


def test_the_replay_reaches_every_tenant_root_field(platform):
    """New root fields join the replay by their id arguments; the web workspace's list of
    plugin screens is one of them (so ``allowed`` never answers for another tenant)."""
    names = {name for _kind, name, _f in probe_fields(
        build_schema(platform.settings, platform.registry)._schema)}
    assert {"workspaceExtensions", "tenantPlugins", "tenant",
            "deadlineReminderDays", "setDeadlineReminderDays",  # issue 17
            "notificationDestinations", "notificationRules", "notificationDeliveries",
            "registerNotificationDestination", "rotateNotificationSecret",
            "removeNotificationDestination", "saveNotificationRule", "removeNotificationRule",
            "sendTestNotification", "markMyNotificationsRead"} <= names
    schema = build_schema(platform.settings, platform.registry)._schema
    assert {name for _k, name, _f in subscription_fields(schema)} >= {"reviewProgress"}


@NO_RATE_LIMITS
async def test_cross_tenant_replay_never_crosses(platform, app_client, backend, tenant_walls):
    stats = await _run(platform, app_client, DEFAULT_OPERATIONS[backend])
    assert stats["operations"] >= DEFAULT_OPERATIONS[backend]


@pytest.mark.soak
@NO_RATE_LIMITS
async def test_cross_tenant_replay_long_run(platform, app_client, tenant_walls):
    total = int(os.environ.get("IPGOV_ISOLATION_OPERATIONS", "100000"))
    stats = await _run(platform, app_client, total, derandomize=False)
    assert stats["operations"] >= total
