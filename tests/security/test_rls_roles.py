"""Row-level security cannot be switched off by the app role (issue 22 item 14).

Run as the app role itself, on PostgreSQL (the role every request connects as): no value of
``app.tenant_ids`` shows every tenant, the tables without row-level security are protected by
privileges, the audit trail is append-only, and the system role that system sessions use sees
every tenant but cannot change the schema. ``TenantScope`` refuses anything but UUIDs before
it reaches the setting.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from ipgov.db.scope import TenantScope, TenantScopeError
from tests.conftest import make_group

pytestmark = pytest.mark.postgres

TENANT_TABLES = ("memberships", "audit_events", "authz_rules", "escalations")


@pytest.fixture
def postgres_only(backend):
    if backend != "postgres":
        pytest.skip("row-level security is PostgreSQL's")


async def _as(url: str, *statements: str, params: dict | None = None) -> list:
    """Run ``statements`` in one transaction as the role of ``url``; the last one's rows."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn, conn.begin():
            rows: list = []
            for sql in statements:
                result = await conn.execute(text(sql), params or {})
                rows = list(result) if result.returns_rows else []
            return rows
    finally:
        await engine.dispose()


async def _denied(url: str, *statements: str) -> str:
    with pytest.raises(DBAPIError) as caught:
        await _as(url, *statements)
    return str(caught.value.orig)


@pytest.mark.parametrize("value", ["*", "", " * ", "*,*", "%", "all"])
async def test_no_setting_shows_every_tenant_to_the_app_role(platform, postgres_only, value):
    acme = await make_group(platform, "acme")
    app = platform.settings.app_database_url
    for table in TENANT_TABLES + ("tenants",):
        rows = await _as(app, "SELECT set_config('app.tenant_ids', :v, true)",
                         f'SELECT count(*) FROM "{table}"', params={"v": value})
        assert rows[0][0] == 0, f"{table}: app.tenant_ids={value!r} showed {rows[0][0]} rows"
    one = acme.ids["acme-a"]
    rows = await _as(app, "SELECT set_config('app.tenant_ids', :v, true)",
                     "SELECT DISTINCT tenant_id FROM memberships", params={"v": one})
    assert [r[0] for r in rows] == [one]  # the policy still works for a real tenant id


async def test_tables_without_tenant_rows_are_closed_to_the_app_role(platform, postgres_only):
    await make_group(platform, "acme")
    app = platform.settings.app_database_url
    for table in ("users", "revoked_tokens", "alembic_version"):
        message = await _denied(app, f'SELECT * FROM "{table}" LIMIT 1')
        assert "permission denied" in message, (table, message)
    rows = await _as(app, "SELECT set_config('app.tenant_ids', '', true)",
                     "SELECT count(*) FROM tenants")
    assert rows[0][0] == 0  # tenants: only those the transaction names
    assert "permission denied" in await _denied(app, "DELETE FROM policy_changes")


async def test_the_audit_trail_is_append_only_for_app_and_system_roles(platform,
                                                                       postgres_only):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    scope = "SELECT set_config('app.tenant_ids', '" + tid + "', true)"
    for url in (platform.settings.app_database_url, platform.settings.system_database_url):
        for sql in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events",
                    "DELETE FROM audit_heads", "TRUNCATE audit_events"):
            assert "permission denied" in await _denied(url, scope, sql), (url, sql)


async def test_the_system_role_sees_every_tenant_and_cannot_change_the_schema(platform,
                                                                              postgres_only):
    acme = await make_group(platform, "acme")
    system = platform.settings.system_database_url
    rows = await _as(system, "SELECT count(DISTINCT tenant_id) FROM memberships")
    assert rows[0][0] >= 4, rows
    for sql in ("ALTER TABLE memberships DISABLE ROW LEVEL SECURITY",
                "DROP POLICY ipgov_tenant_isolation ON memberships",
                "CREATE TABLE ipgov_evil (id int)",
                "ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY"):
        message = await _denied(system, sql)
        assert "must be owner" in message or "permission denied" in message, (sql, message)
    app = platform.settings.app_database_url
    app_role = app.split("://", 1)[1].split(":", 1)[0]
    system_role = system.split("://", 1)[1].split(":", 1)[0]
    assert "permission denied" in await _denied(app, f"SET ROLE {system_role}")
    assert (await _as(app, f"SELECT pg_has_role('{app_role}', '{system_role}', 'MEMBER')"))[
        0][0] is False
    assert acme.ids  # the platform's own system sessions really use the system role:
    async with platform.db.system_session("test: who am i") as s:
        assert (await s.execute(text("SELECT current_user"))).scalar() == system_role
        name = (await s.execute(text("SELECT current_setting('application_name')"))).scalar()
        assert name == "ipgov system: test: who am i"
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        assert (await s.execute(text("SELECT current_user"))).scalar() == app_role


@pytest.mark.parametrize("bad", ["*", "", "a,b", "00000000-0000-0000-0000-00000000000",
                                 "' OR 1=1 --", "00000000-0000-0000-0000-000000000000,x"])
def test_tenant_scopes_take_only_uuids(bad):
    with pytest.raises(TenantScopeError):
        TenantScope.tenant(bad)
    with pytest.raises(TenantScopeError):
        TenantScope.tenants({bad, "00000000-0000-0000-0000-000000000000"}, "test")


async def test_a_malformed_tenant_id_is_a_clear_graphql_error(platform, gql, backend):
    acme = await make_group(platform, "acme")
    body = await gql("query($t: ID!) { auditEvents(tenantId: $t) { edges { cursor } } }",
                     {"t": "*"}, token=acme.token("admin"))
    codes = [e["extensions"]["code"] for e in body.get("errors", [])]
    assert codes and "INTERNAL" not in codes, body
