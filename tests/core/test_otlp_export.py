"""With ``IPGOV_OTLP_ENDPOINT`` set, traces reach an OTLP/HTTP collector, tenant attached.

The collector is a small HTTP server started by the test on 127.0.0.1: it accepts
``POST /v1/traces`` (protobuf ``ExportTraceServiceRequest``, as the OpenTelemetry collector
does) and keeps what it decoded. One test drives an in-process platform on each backend;
the other a real ``ipgov serve`` process configured only through its environment.
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from ipgov.settings import Settings
from ipgov.startup import build_platform
from ipgov.tenancy.services import ensure_platform_tenant
from tests.conftest import make_group

MEMBERS = "query Members($t: ID!) { members(tenantId: $t) { edges { node { role } } } }"


@dataclasses.dataclass
class ReceivedSpan:
    """A span as the collector decoded it."""

    name: str
    service: str
    trace_id: str
    attributes: dict[str, str]


class Collector:
    """An OTLP/HTTP trace receiver on a free local port."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.requests: list[tuple[str, str]] = []  # (path, content type)
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                collector.receive(self.path, self.headers.get("content-type", ""), body)
                if self.path != "/v1/traces":
                    self.send_response(404)
                    self.end_headers()
                    return
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def receive(self, path: str, content_type: str, body: bytes) -> None:
        request = ExportTraceServiceRequest()
        if path == "/v1/traces":
            request.ParseFromString(body)
        with self.lock:
            self.requests.append((path, content_type))
            for resource_spans in request.resource_spans:
                resource = {a.key: a.value.string_value
                            for a in resource_spans.resource.attributes}
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        attributes = {a.key: _value(a.value) for a in span.attributes}
                        self.spans.append(ReceivedSpan(span.name, resource.get("service.name", ""),
                                                       span.trace_id.hex(), attributes))

    def spans_of_tenant(self, tenant_id: str) -> list[ReceivedSpan]:
        with self.lock:
            return [s for s in self.spans if s.attributes.get("ipgov.tenant_id") == tenant_id]


def _value(value) -> str:  # type: ignore[no-untyped-def]
    kind = value.WhichOneof("value")
    return str(getattr(value, kind)) if kind else ""


@pytest.fixture
def collector() -> Iterator[Collector]:
    c = Collector()
    c.thread.start()
    yield c
    c.server.shutdown()
    c.server.server_close()


async def test_platform_exports_tenant_spans_to_the_configured_collector(settings, collector):
    from ipgov.web.app import create_app

    platform = build_platform(dataclasses.replace(settings, otlp_endpoint=collector.endpoint))
    try:
        assert platform.telemetry.enabled
        async with platform.db.system_session("t") as s:
            await ensure_platform_tenant(platform, s)
        await platform.authz.start()
        group = await make_group(platform, "acme")
        tenant, other = group.ids["acme-a"], group.ids["acme-b"]
        transport = httpx.ASGITransport(app=create_app(platform))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.post("/graphql", json={"query": MEMBERS, "variables": {"t": tenant}},
                                  headers={"authorization": f"Bearer {group.token('a-admin')}"})
        assert r.status_code == 200 and "errors" not in r.json(), r.text
        assert platform.telemetry.provider.force_flush(10_000)
    finally:
        await platform.close()

    assert collector.requests and all(p == "/v1/traces" for p, _ in collector.requests)
    assert all(ct == "application/x-protobuf" for _, ct in collector.requests)
    by_name = {s.name: s for s in collector.spans}
    assert "graphql Members" in by_name, sorted(by_name)
    assert any(n.startswith("POST /graphql") for n in by_name), sorted(by_name)
    spans = collector.spans_of_tenant(tenant)
    assert any(s.attributes.get("db.system") or s.attributes.get("db.system.name")
               for s in spans), "SQL spans of the tenant's query carry its id"
    assert {s.service for s in collector.spans} == {"ipgov-api"}
    graphql_trace = by_name["graphql Members"].trace_id
    assert {s.trace_id for s in spans} == {graphql_trace}, "one request, one trace"
    assert not collector.spans_of_tenant(other), "no span is attributed to a tenant not asked"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_ipgov_serve_process_sends_traces_to_the_collector(sqlite_template, tmp_path,
                                                                 collector):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sqlite_template, data / "ipgov.db")
    platform = build_platform(Settings(data_dir=data))  # the server's default database
    try:
        async with platform.db.system_session("t") as s:
            await ensure_platform_tenant(platform, s)
        await platform.authz.load()
        group = await make_group(platform, "acme")
        token, tenant = group.token("a-admin"), group.ids["acme-a"]
    finally:
        await platform.close()

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPGOV_", "OTEL_"))}
    env.update({"IPGOV_DATA_DIR": str(data), "IPGOV_PORT": str(port),
                "IPGOV_OTLP_ENDPOINT": collector.endpoint, "IPGOV_LOG_LEVEL": "WARNING",
                "OTEL_BSP_SCHEDULE_DELAY": "100"})  # export within 0.1 s, not 5 s
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ipgov.cli.main", "serve", "--no-migrate"],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc, log)
        r = httpx.post(f"{base}/graphql", json={"query": MEMBERS, "variables": {"t": tenant}},
                       headers={"authorization": f"Bearer {token}"}, timeout=30)
        assert r.status_code == 200 and "errors" not in r.json(), r.text
        deadline = time.monotonic() + 15
        while not (collector.spans_of_tenant(tenant) and _names(collector) >= {
                "graphql Members", "POST /graphql http send"}):
            assert time.monotonic() < deadline, (
                f"no tenant spans arrived: {[s.name for s in collector.spans]}\n"
                f"{log.read_text()[-2000:]}")
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert {s.service for s in collector.spans} == {"ipgov-api"}
    request = {s.trace_id for s in collector.spans if s.name == "graphql Members"}
    tenant_spans = collector.spans_of_tenant(tenant)
    assert {s.trace_id for s in tenant_spans} & request  # the request's own spans say it
    # the tenant's other spans are the server's background work (the outbox of the group just
    # created, in its own traces, whenever the embedded workers reach it), never another request
    assert not [s.name for s in tenant_spans if s.trace_id not in request
                and s.name.startswith(("graphql", "POST", "GET"))]


def _names(collector: Collector) -> set[str]:
    with collector.lock:
        return {s.name for s in collector.spans}


def _wait_ready(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ipgov serve exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"ipgov serve not ready in 60 s: {log.read_text()[-2000:]}")
