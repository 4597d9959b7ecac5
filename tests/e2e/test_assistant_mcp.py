"""The assistant server (issue 25) with the MCP SDK's own client, over both transports,
against real processes: ``ipgov serve`` (Streamable HTTP at /mcp) and ``ipgov mcp`` (stdio).

What it shows: the tools are listed in the caller's language with their JSON Schemas; read and
write tools run as the caller (a viewer's write refused by the server, another group's tenant
never reached); a trade-secret read without a purpose is refused; writes switched off by a
group are refused in its subsidiaries; every call and every change it made is in the audit
trail marked as done through an assistant; an unauthenticated request gets the MCP
authorization challenge.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import make_group
from tests.e2e.test_multi_process import Processes, _free_port


def _env(settings: Any, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPGOV_")}
    env.update({"IPGOV_DATA_DIR": str(settings.data_dir),
                "IPGOV_DATABASE_URL": settings.database_url, "IPGOV_HOST": "127.0.0.1",
                "IPGOV_PORT": str(port), "IPGOV_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
                "IPGOV_POLICY_POLL_SECONDS": "0.2"})
    if settings.app_database_url:
        env["IPGOV_APP_DATABASE_URL"] = settings.app_database_url
        env["IPGOV_SYSTEM_DATABASE_URL"] = settings.system_database_url
    return env


def _http(base: str, token: str, language: str = "en") -> Any:
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}",
                                           "Accept-Language": language})
    return Client(streamable_http_client(f"{base}/mcp", http_client=http))


def _body(result: Any) -> dict[str, Any]:
    return result.structured_content or json.loads(result.content[0].text)


def _codes(result: Any) -> list[str]:
    return [e["code"] for e in _body(result).get("errors", [])]


async def _wait_ready(base: str) -> None:
    import asyncio

    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"{base}/readyz", timeout=1)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail("ipgov serve did not become ready")


async def _events(platform: Any, tenant_id: str, action: str) -> list[Any]:
    from ipgov.audit.models import AuditEvent

    async with platform.db.tenant_session(tenant_id, readonly=True) as session:
        return list((await session.execute(select(AuditEvent).where(
            AuditEvent.action == action).order_by(AuditEvent.seq))).scalars())


async def test_assistant_tools_over_http_and_stdio(platform, settings, tmp_path):
    acme = await make_group(platform, "acme")
    globex = await make_group(platform, "globex", "centralized")
    port = _free_port()
    env = _env(settings, port)
    (tmp_path / "logs").mkdir()
    procs = Processes(env, tmp_path / "logs")
    try:
        procs.start("api", "serve", "--no-migrate", port=port)
        base = procs.base("api")
        await _wait_ready(base)
        await _challenge_without_credentials(base)
        await _tools_listed_in_the_callers_language(base, acme)
        await _reads_stay_in_the_callers_group(base, acme, globex)
        await _writes_are_the_callers_and_marked(base, platform, acme)
        await _trade_secret_needs_a_purpose(base, acme)
        await _writes_switched_off_by_the_group(base, platform, acme)
        await _stdio_as_one_caller(env, acme, globex)
    finally:
        procs.stop_all()


async def _challenge_without_credentials(base: str) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{base}/mcp", json={"jsonrpc": "2.0", "id": 1,
                                                        "method": "tools/list"})
        assert answer.status_code == 401, answer.text
        challenge = answer.headers["www-authenticate"]
        assert challenge.startswith("Bearer ") and "resource_metadata=" in challenge
        metadata_url = challenge.split('resource_metadata="')[1].rstrip('"')
        metadata = (await client.get(metadata_url)).json()
        assert metadata["resource"] == f"{base}/mcp"
        assert metadata["bearer_methods_supported"] == ["header"]
        foreign = await client.post(f"{base}/mcp", headers={"origin": "https://evil.example"},
                                    json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert foreign.status_code == 403


async def _tools_listed_in_the_callers_language(base: str, acme: Any) -> None:
    async with _http(base, acme.token("a-admin"), "zh-CN") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    for name in ("list_tenants", "list_findings", "request_review", "search_patents",
                 "start_fto_screening", "list_ip_assets", "read_data_asset_content",
                 "certification_checklist"):
        assert name in tools, sorted(tools)
    assert "租户" in tools["list_tenants"].description
    findings = tools["list_findings"].input_schema
    assert findings["required"] == ["tenantId"]
    assert findings["properties"]["first"]["default"] == 20
    assert "租户 id" in findings["properties"]["tenantId"]["description"]
    assert tools["list_tenants"].annotations.read_only_hint is True
    assert tools["request_review"].annotations.read_only_hint is False
    async with _http(base, acme.token("a-admin")) as client:
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        templates = {t.uri_template for t in (await client.list_resource_templates())
                     .resource_templates}
        review = await client.read_resource(
            f"ipgov://tenants/{acme.ids['acme-a']}/reviews/latest")
    assert {"prepare_certification_audit", "triage_watchlist_matches",
            "explain_finding"} <= prompts
    assert "ipgov://tenants/{tenantId}/certification" in templates
    assert "errors" not in json.loads(review.contents[0].text)


async def _reads_stay_in_the_callers_group(base: str, acme: Any, globex: Any) -> None:
    async with _http(base, acme.token("admin")) as client:
        listed = _body(await client.call_tool("list_tenants", {"first": 50}))
        slugs = {e["node"]["slug"] for e in listed["data"]["tenants"]["edges"]}
        assert slugs == {"acme", "acme-a", "acme-b", "acme-c"}
        for tool, arguments in [("list_directives", {"tenantId": globex.ids["globex-a"]}),
                                ("list_findings", {"tenantId": globex.ids["globex"]}),
                                ("list_ip_assets", {"tenantId": globex.ids["globex-b"]})]:
            result = await client.call_tool(tool, arguments)
            assert result.is_error, (tool, _body(result))
            assert set(_codes(result)) <= {"FORBIDDEN", "NOT_FOUND"}, _codes(result)
            assert not any((_body(result).get("data") or {}).values())
        bad = await client.call_tool("list_findings", {"tenantId": acme.ids["acme-a"],
                                                       "first": "many"})
        assert bad.is_error and _codes(bad) == ["ASSISTANT_BAD_ARGUMENTS"]
        assert "first" in _body(bad)["errors"][0]["message"]


async def _writes_are_the_callers_and_marked(base: str, platform: Any, acme: Any) -> None:
    tenant = acme.ids["acme-a"]
    async with _http(base, acme.token("a-viewer")) as client:
        refused = await client.call_tool("request_review", {"tenantId": tenant})
    assert refused.is_error and _codes(refused) == ["FORBIDDEN"]
    async with _http(base, acme.token("a-admin")) as client:
        done = await client.call_tool("request_review", {"tenantId": tenant})
    assert not done.is_error, _body(done)
    run_id = _body(done)["data"]["requestReview"]["run"]["id"]
    (requested,) = await _events(platform, tenant, "review.requested")
    assert requested.details["via"] == "assistant" and requested.object_id == run_id
    assert requested.actor == acme.users["a-admin"]
    calls = await _events(platform, tenant, "assistant.tool_called")
    # the viewer's refused call is in the trail too (in the viewer's own tenant, acme-a)
    assert [(c.actor, c.details["tool"], c.details["outcome"], c.details["via"])
            for c in calls] == [
        (acme.users["a-viewer"], "request_review", "FORBIDDEN", "assistant"),
        (acme.users["a-admin"], "request_review", "ok", "assistant")]


async def _trade_secret_needs_a_purpose(base: str, acme: Any) -> None:
    async with _http(base, acme.token("a-admin")) as client:
        missing = await client.call_tool("read_data_asset_content",
                                         {"tenantId": acme.ids["acme-a"], "id": "x"})
        assert missing.is_error and _codes(missing) == ["ASSISTANT_BAD_ARGUMENTS"]
        assert "purpose" in _body(missing)["errors"][0]["message"]
        vague = await client.call_tool("read_data_asset_content",
                                       {"tenantId": acme.ids["acme-a"], "id": "x",
                                        "purpose": "x"})
        assert vague.is_error and _codes(vague) == ["PURPOSE_REQUIRED"]


SET_WRITES = """mutation($t: ID!, $a: Boolean) { setAssistantWrites(tenantId: $t, allowed: $a) {
  policy { setting writesAllowed decidedBy } errors { code } } }"""
POLICY = """query($t: ID!) { assistantPolicy(tenantId: $t) { setting writesAllowed decidedBy } }"""


async def _writes_switched_off_by_the_group(base: str, platform: Any, acme: Any) -> None:
    async with httpx.AsyncClient() as http:
        async def gql(query: str, variables: dict[str, Any], user: str) -> dict[str, Any]:
            answer = await http.post(f"{base}/graphql", json={"query": query,
                                                              "variables": variables},
                                     headers={"authorization": f"Bearer {acme.token(user)}"})
            body = answer.json()
            assert "errors" not in body, body
            return body["data"]

        off = await gql(SET_WRITES, {"t": acme.ids["acme"], "a": False}, "admin")
        assert off["setAssistantWrites"]["policy"] == {"setting": False,
                                                       "writesAllowed": False,
                                                       "decidedBy": "acme"}
        # a subsidiary's administrator cannot switch them back on under the group's "no"
        again = await gql(SET_WRITES, {"t": acme.ids["acme-a"], "a": True}, "a-admin")
        assert again["setAssistantWrites"]["policy"]["writesAllowed"] is False
        seen = await gql(POLICY, {"t": acme.ids["acme-a"]}, "a-admin")
        assert seen["assistantPolicy"] == {"setting": True, "writesAllowed": False,
                                           "decidedBy": "acme"}
    async with _http(base, acme.token("a-admin")) as client:
        refused = await client.call_tool("update_directive", {"tenantId": acme.ids["acme-a"],
                                                              "id": "d", "status": "done"})
        assert refused.is_error and _codes(refused) == ["ASSISTANT_WRITES_DISABLED"]
        reads = await client.call_tool("list_directives", {"tenantId": acme.ids["acme-a"]})
        assert not reads.is_error, _body(reads)


async def _stdio_as_one_caller(env: dict[str, str], acme: Any, globex: Any) -> None:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "ipgov.cli.main", "mcp"],
        env={**env, "IPGOV_TOKEN": globex.token("admin"), "LANG": "C.UTF-8"})
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"list_tenants", "request_review"} <= names
        listed = _body(await client.call_tool("list_tenants", {}))
        slugs = {e["node"]["slug"] for e in listed["data"]["tenants"]["edges"]}
        assert slugs == {"globex", "globex-a", "globex-b", "globex-c"}
        across = await client.call_tool("list_directives", {"tenantId": acme.ids["acme-a"]})
        assert across.is_error and set(_codes(across)) <= {"FORBIDDEN", "NOT_FOUND"}
        done = await client.call_tool("request_review", {"tenantId": globex.ids["globex-b"]})
        assert not done.is_error, _body(done)
