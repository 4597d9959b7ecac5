"""Traces for HTTP, GraphQL operations and SQL carry the tenant they served."""

from __future__ import annotations

import dataclasses

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ipgov.startup import build_platform
from ipgov.tenancy.services import ensure_platform_tenant
from tests.conftest import make_group


async def test_request_spans_carry_tenant_ids(settings):
    from ipgov.web.app import create_app

    platform = build_platform(dataclasses.replace(settings, tracing=True))
    exporter = InMemorySpanExporter()
    platform.telemetry.add_exporter(exporter)
    try:
        async with platform.db.system_session("t") as s:
            await ensure_platform_tenant(platform, s)
        await platform.authz.start()
        group = await make_group(platform, "acme")
        exporter.clear()
        tenant = group.ids["acme-a"]
        app = create_app(platform)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.post(
                "/graphql",
                json={"query": "query Members($t: ID!) { members(tenantId: $t) "
                               "{ edges { node { role } } } }", "variables": {"t": tenant}},
                headers={"authorization": f"Bearer {group.token('a-admin')}"})
        assert r.status_code == 200 and "errors" not in r.json()
        spans = exporter.get_finished_spans()
        by_name = {s.name: s for s in spans}
        assert "graphql Members" in by_name, sorted(by_name)
        http = [s for s in spans if s.name.startswith("POST")]
        assert http, [s.name for s in spans]
        sql = [s for s in spans if s.attributes.get("db.system") or
               s.attributes.get("db.system.name")]
        tenant_sql = [s for s in sql if s.attributes.get("ipgov.tenant_id") == tenant]
        assert tenant_sql, "SQL spans of the tenant query carry the tenant id"
        assert by_name["graphql Members"].attributes.get("graphql.errors") == 0
        trace_ids = {s.context.trace_id for s in [by_name["graphql Members"], *tenant_sql]}
        assert len(trace_ids) == 1, "GraphQL and SQL spans belong to one trace"
    finally:
        await platform.close()


def test_tracing_is_off_by_default(settings):
    platform = build_platform(settings)
    assert platform.telemetry.enabled is False
    assert platform.telemetry.litestar_plugins() == []
