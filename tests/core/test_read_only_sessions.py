"""GraphQL queries read through read-only sessions; mutations through read-write ones.

On SQLite a read-write session takes the write lock at ``BEGIN IMMEDIATE``, so queries opened
that way queue behind any writer and answer 503 "database is locked" once the busy timeout
passes. Queries begin deferred on a ``query_only`` connection instead, and PostgreSQL queries
run in a ``READ ONLY`` transaction.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from ip_governance.risk_assets.models import IpRisk
from ipgov.db import TenantScope
from tests.conftest import make_group

RISKS = """query($t: ID!) { ipRisks(tenantId: $t, first: 5) { nodes { id title } } }"""
ADD_RISK = """mutation($t: ID!) { createIpRisk(tenantId: $t, input: {title: "new",
    category: "infringement", likelihood: 2, impact: 2}) { errors { code } } }"""


def _begins(platform: Any) -> list[str]:
    """Every transaction start the platform's engines send (SQLite ``BEGIN [IMMEDIATE]``)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    for engine in platform.db.engines:
        event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_query_takes_no_write_lock_and_a_mutation_does(platform, gql):
    acme = await make_group(platform, "acme")
    await platform.authz.stop()  # no background polls among the counted statements
    begins = _begins(platform)
    read = await gql(RISKS, {"t": acme.ids["acme-a"]}, token=acme.token("a-admin"))
    assert read["data"]["ipRisks"]["nodes"] == []
    assert begins and set(begins) == {"BEGIN"}  # authentication and the resolver alike
    begins.clear()
    await gql(ADD_RISK, {"t": acme.ids["acme-a"]}, token=acme.token("a-admin"))
    assert "BEGIN IMMEDIATE" in begins


async def test_a_read_only_session_refuses_writes(platform):
    acme = await make_group(platform, "acme")
    with pytest.raises(DBAPIError):
        async with platform.db.read_session(TenantScope.tenant(acme.ids["acme-a"])) as s:
            s.add(IpRisk(title="x", category="infringement", likelihood=1, impact=1, score=1))
            await s.flush()
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        assert (await s.execute(select(IpRisk))).scalars().all() == []
        s.add(IpRisk(title="y", category="infringement", likelihood=1, impact=1, score=1))
    async with platform.db.tenant_session(acme.ids["acme-a"], readonly=True) as s:
        assert [r.title for r in (await s.execute(select(IpRisk))).scalars()] == ["y"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_sixteen_concurrent_queries_answer_while_a_write_is_in_progress(platform, gql):
    acme = await make_group(platform, "acme")
    tenant = acme.ids["acme-a"]
    async with platform.db.tenant_session(tenant) as s:
        s.add(IpRisk(title="stored", category="infringement", likelihood=2, impact=3, score=6))
    token = acme.token("a-admin")
    async with platform.db.tenant_session(tenant) as writer:
        await writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is held
        writer.add(IpRisk(title="uncommitted", category="infringement", likelihood=1,
                          impact=1, score=1))
        await writer.flush()
        answers = await asyncio.gather(*[
            gql.post(RISKS, {"t": tenant}, token=token) for _ in range(16)])
        assert [a.status_code for a in answers] == [200] * 16
        for answer in answers:
            body = answer.json()
            assert "errors" not in body, body
            assert [n["title"] for n in body["data"]["ipRisks"]["nodes"]] == ["stored"]
    after = await gql(RISKS, {"t": tenant}, token=token)
    assert {n["title"] for n in after["data"]["ipRisks"]["nodes"]} == {"stored", "uncommitted"}


async def test_resolver_sessions_follow_the_operation_type_on_every_backend(platform, gql,
                                                                            monkeypatch):
    acme = await make_group(platform, "acme")
    tenant, token = acme.ids["acme-a"], acme.token("a-admin")
    opened: list[tuple[str | None, bool]] = []
    real = platform.db.session

    def spy(scope: TenantScope, *, readonly: bool = False) -> Any:
        opened.append((scope.single_tenant, readonly))
        return real(scope, readonly=readonly)

    monkeypatch.setattr(platform.db, "session", spy)
    await gql(RISKS, {"t": tenant}, token=token)
    assert (tenant, True) in opened and (tenant, False) not in opened
    opened.clear()
    created = await gql(ADD_RISK, {"t": tenant}, token=token)
    assert created["data"]["createIpRisk"]["errors"] == []
    assert (tenant, False) in opened
