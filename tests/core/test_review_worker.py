"""Reviews through the broker: a GraphQL request is executed by an in-process Dramatiq worker
(StubBroker + AsyncIO), in the same trace as the request, and tenantless messages are refused."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time

import httpx
import pytest
from dramatiq import Message
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ipgov.reviews.work import ACTOR_NAME, QUEUE_NAME
from ipgov.startup import build_platform
from ipgov.tenancy.models import Tenant
from ipgov.tenancy.services import ensure_platform_tenant
from ipgov.work.broker import MessageWithoutTenant
from ipgov.work.worker import WorkerRuntime
from tests.conftest import make_group

REQUEST = """mutation requestReview($t: ID!) {
  requestReview(tenantId: $t) { run { id status tenantId } errors { code message } }
}"""
RUN = """query reviewRun($t: ID!, $id: ID!) {
  reviewRun(tenantId: $t, id: $id) {
    id status checksTotal checksDone scores checkResults { checkId status }
  }
}"""


@pytest.fixture
async def traced(settings):
    """An API platform and a worker runtime whose platform shares one span exporter."""
    settings = dataclasses.replace(settings, tracing=True)
    exporter = InMemorySpanExporter()
    api = build_platform(settings)
    api.telemetry.add_exporter(exporter)
    built = []

    def platform_factory(s):
        p = build_platform(s)
        p.telemetry.add_exporter(exporter)
        built.append(p)
        return p

    runtime = WorkerRuntime(settings, platform_factory=platform_factory)
    worker = None
    try:
        async with api.db.system_session("t") as s:
            await ensure_platform_tenant(api, s)
        await api.authz.start()
        worker = runtime.queue.start_worker(2)
        yield api, runtime, exporter, built
    finally:
        if worker is not None:
            await runtime.close_from_other_loop()
            await asyncio.to_thread(worker.stop)
        await api.authz.stop()
        await api.close()


async def _client(api):
    from ipgov.web.app import create_app

    app = create_app(api)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def _post(client, query, variables, token, name):
    r = await client.post("/graphql", json={"query": query, "variables": variables,
                                            "operationName": name},
                          headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return body["data"]


async def test_a_requested_review_is_run_by_the_worker_in_the_same_trace(traced):
    api, runtime, exporter, built = traced
    group = await make_group(api, "acme")
    tenant = group.ids["acme-a"]
    async with api.db.system_session("t: core checks only") as s:  # a known set of checks
        (await s.get(Tenant, tenant)).enabled_plugins = []
    api.work.attach(runtime.queue)  # what the app's lifespan attaches
    token = group.token("a-admin")
    exporter.clear()

    async with await _client(api) as client:
        data = await _post(client, REQUEST, {"t": tenant}, token, "requestReview")
        run = data["requestReview"]["run"]
        assert data["requestReview"]["errors"] == [] and run["status"] == "queued"
        deadline = time.monotonic() + 20
        while True:
            status = (await _post(client, RUN, {"t": tenant, "id": run["id"]}, token,
                                  "reviewRun"))["reviewRun"]
            if status["status"] not in ("queued", "running"):
                break
            assert time.monotonic() < deadline, f"the worker did not finish: {status}"
            await asyncio.sleep(0.1)

    assert status["status"] == "succeeded", status
    assert status["checksTotal"] == status["checksDone"] == len(status["checkResults"]) == 2
    assert {c["checkId"] for c in status["checkResults"]} == {
        "core.administrator_appointed", "core.audit_trail_intact"}
    assert status["scores"]["overall"] is not None
    assert len(built) == 1 and built[0] is not api  # the worker used its own platform

    spans = exporter.get_finished_spans()
    request = [s for s in spans if s.name == "graphql requestReview"]
    assert len(request) == 1, sorted({s.name for s in spans})
    trace_id = request[0].context.trace_id
    review = [s for s in spans if s.name == "review.run" or s.name.startswith("review.check ")]
    assert any(s.name == "review.run" for s in review), sorted({s.name for s in spans})
    check_spans = {s.name for s in review if s.name.startswith("review.check ")}
    assert check_spans == {f"review.check {c['checkId']}" for c in status["checkResults"]}
    assert {s.context.trace_id for s in review} == {trace_id}
    assert all(s.attributes.get("ipgov.tenant_id") == tenant for s in review), [
        (s.name, dict(s.attributes)) for s in review]
    # the worker's spans come from the worker platform, under the request's span
    run_span = next(s for s in review if s.name == "review.run")
    assert run_span.attributes.get("ipgov.review.run_id") == run["id"]
    assert run_span.parent is not None
    ids_in_trace = {s.context.span_id for s in spans if s.context.trace_id == trace_id}
    assert run_span.parent.span_id in ids_in_trace | {request[0].context.span_id}


async def test_a_review_message_without_tenant_is_refused(traced, caplog):
    api, runtime, exporter, built = traced
    queue, broker = runtime.queue, runtime.queue.broker

    with pytest.raises(MessageWithoutTenant):
        queue.actors["review"].send_with_options(kwargs={"run_id": "x"})
    with pytest.raises(MessageWithoutTenant):
        queue.actors["review"].send_with_options(kwargs={"run_id": "x", "tenant_id": ""})
    assert broker.queues[QUEUE_NAME].qsize() == 0

    # a tenantless message that reaches the queue anyway (another producer) is not processed
    message = Message(queue_name=QUEUE_NAME, actor_name=ACTOR_NAME, args=(),
                      kwargs={"run_id": "x"}, options={})
    with caplog.at_level(logging.INFO, logger="ipgov.reviews"):
        broker.queues[QUEUE_NAME].put(message.encode())
        await asyncio.to_thread(broker.join, QUEUE_NAME, timeout=10_000)
    assert any("refused message" in r.getMessage() for r in caplog.records)
    assert built == []  # the actor never ran: no worker platform was even built
