"""Shared fixtures: a migrated database per backend, a platform per test, HTTP clients.

Every test that takes ``platform`` runs on SQLite and, when ``IPGOV_TEST_POSTGRES_URL`` points at
a server (CI sets it), again on PostgreSQL, where the API connects as a non-owner role under
row-level security. SQLite databases are copied from a template migrated once per session;
PostgreSQL gets a fresh database per session, truncated between tests.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from ipgov.db.session import orm_filter_enabled
from ipgov.runtime import Platform
from ipgov.settings import Settings
from ipgov.startup import build_platform

PG_URL = os.environ.get("IPGOV_TEST_POSTGRES_URL", "")
APP_ROLE = "ipgov_app_test"
SYSTEM_ROLE = "ipgov_system_test"


# Long runs are kept out of the README's test command, which stays inside its time budget:
# ``slow`` marks the long journeys (real processes, browsers, outages), run by CI in a second
# pass (``.ci/run``: ``-m slow``); ``soak`` marks the security suite's long randomized runs
# (100,000 isolation operations, 10,000 tamperings), run only when someone asks for them.
LONG_RUNS = {"slow": "IPGOV_TEST_SLOW", "soak": "IPGOV_TEST_SOAK"}


def _asked_for(config: pytest.Config, marker: str) -> bool:
    expression = config.getoption("markexpr", "") or ""
    named = re.search(rf"(?<!not )\b{marker}\b", expression) is not None
    return named or os.environ.get(LONG_RUNS[marker]) == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("CI") == "true" and not PG_URL:
        raise pytest.UsageError("CI must set IPGOV_TEST_POSTGRES_URL: PostgreSQL tests may not "
                                "be skipped silently")
    for marker, variable in LONG_RUNS.items():
        if _asked_for(config, marker):
            continue
        skip = pytest.mark.skip(reason=f"long run ({marker}): use -m {marker} or {variable}=1")
        for item in items:
            if item.get_closest_marker(marker):
                item.add_marker(skip)


def _plugin_locations(platform: Platform) -> list[str]:
    return [str(p) for p in platform.registry.hook.register_migrations() if p]


def upgrade_heads(platform: Platform) -> None:
    """Upgrade a test's database back to every head the way ``ipgov migrate`` does: on
    PostgreSQL with the roles, so that tables a downgrade dropped and the upgrade made again get
    their privileges and row-level security back (a bare alembic upgrade leaves them without)."""
    from ipgov.db.migrate import upgrade

    url = platform.settings.database_url
    if platform.db.dialect == "postgresql":
        upgrade(url, _plugin_locations(platform), app_role=APP_ROLE, app_password=APP_ROLE,
                system_role=SYSTEM_ROLE, system_password=SYSTEM_ROLE)
    else:
        upgrade(url, _plugin_locations(platform))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to every head, copied for each test."""
    from ipgov.db.migrate import upgrade

    folder = tmp_path_factory.mktemp("template")
    url = f"sqlite+aiosqlite:///{folder / 'ipgov.db'}"
    platform = build_platform(Settings(data_dir=folder, database_url=url))
    upgrade(url, _plugin_locations(platform))
    asyncio.run(platform.db.dispose())
    return folder / "ipgov.db"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[tuple[str, str, str]]:
    """A fresh PostgreSQL database (owner, app-role and system-role URLs), migrated once."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (set IPGOV_TEST_POSTGRES_URL)")
    from sqlalchemy.engine import make_url

    from ipgov.db.migrate import upgrade

    base = make_url(PG_URL)
    name = f"ipgov_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(PG_URL, f'CREATE DATABASE "{name}"'))
    owner = base.set(database=name).render_as_string(hide_password=False)
    app, system = (base.set(database=name, username=role, password=role).render_as_string(
        hide_password=False) for role in (APP_ROLE, SYSTEM_ROLE))
    platform = build_platform(Settings(data_dir=Path("/tmp"), database_url=owner))
    upgrade(owner, _plugin_locations(platform), app_role=APP_ROLE, app_password=APP_ROLE,
            system_role=SYSTEM_ROLE, system_password=SYSTEM_ROLE)
    asyncio.run(platform.db.dispose())
    yield owner, app, system
    asyncio.run(_admin_sql(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin_sql(url: str, sql: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(sql))
    await engine.dispose()


async def _truncate(owner_url: str) -> None:
    """Empty every table a test wrote to and restart the sequences.

    ``DELETE`` of the tables that hold rows, not ``TRUNCATE`` of all: truncating the ~100
    tables (CASCADE, new files for each table and index) took 3-5 s a test, deleting the dozen
    a test writes takes 0.2-0.4 s (measured on the CI machine), and the PostgreSQL half of the
    suite paid it once per test. The tables come from the catalogue, not the ORM's metadata: a
    test may create tables of its own (a test plugin's), with foreign keys to the platform's.
    Foreign keys and triggers are set aside for the reset (``session_replication_role``, which
    needs the superuser the test database is owned by); where that is refused, the written
    tables are truncated with CASCADE instead. ``row_security = off`` makes a role that would see
    only part of a table (row-level security) fail loudly instead of leaving rows behind.
    """
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(owner_url)
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL row_security = off"))
        tables = list((await conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version' ORDER BY tablename"))).scalars())
        probe = " UNION ALL ".join(
            f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in tables)
        written = sorted(row[0] for row in (await conn.execute(text(probe))).all())
        try:
            async with conn.begin_nested():
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
            replica = True
        except DBAPIError:
            replica = False
        if replica:
            for name in written:
                await conn.execute(text(f'DELETE FROM "{name}"'))
            await conn.execute(text("SET LOCAL session_replication_role = origin"))
        elif written:
            names = ", ".join(f'"{name}"' for name in written)
            await conn.execute(text(f"TRUNCATE {names} CASCADE"))
        sequences = (await conn.execute(text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))).scalars()
        for sequence in list(sequences):
            await conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        await conn.execute(text("INSERT INTO policy_version (id, version, changed_at) "
                                "VALUES (1, 0, CURRENT_TIMESTAMP)"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this test run."""
    return request.param


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Settings for an isolated platform on ``backend``."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "ipgov.db")
        url = f"sqlite+aiosqlite:///{tmp_path / 'ipgov.db'}"
        return Settings(data_dir=tmp_path, database_url=url, policy_poll_seconds=0.05)
    owner, app, system = request.getfixturevalue("postgres_database")
    asyncio.run(_truncate(owner))
    return Settings(data_dir=tmp_path, database_url=owner, app_database_url=app,
                    system_database_url=system, policy_poll_seconds=0.05)


@pytest.fixture
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    """A platform with the platform tenant created and policies loaded."""
    from ipgov.tenancy.services import ensure_platform_tenant

    p = build_platform(settings)
    async with p.db.system_session("test: platform tenant") as session:
        await ensure_platform_tenant(p, session)
    await p.authz.load()
    yield p
    orm_filter_enabled(True)
    await p.close()


@pytest.fixture
async def insider(platform: Platform) -> AsyncIterator[Any]:
    """The database as an insider with write access sees it (the owner connection, which may
    update and delete audit events): for tampering tests. Use ``insider.system_session``."""
    from ipgov.db.session import Database

    db = Database(platform.settings.sqlalchemy_url)
    yield db
    await db.dispose()


@dataclass
class Group:
    """A demo-like group for tests: ids by slug and a token per user."""

    platform: Platform
    ids: dict[str, str]
    users: dict[str, str]

    def token(self, user: str) -> str:
        return self.platform.tokens.issuer.issue(self.users[user]).token


async def make_group(platform: Platform, prefix: str, mode: str = "hybrid") -> Group:
    """Group ``<prefix>`` (mode) with subsidiaries ``<prefix>-a``, ``-b``, ``-c`` and users.

    Users: ``admin`` (group_admin), ``auditor`` (auditor in the group), ``a-admin`` and
    ``b-admin`` (tenant_admin), ``a-viewer`` (viewer in -a), ``c-contrib`` (contributor in -c).
    """
    from ipgov.identity.service import add_membership, create_user
    from ipgov.tenancy import services

    ids: dict[str, str] = {}
    users: dict[str, str] = {}
    async with platform.db.system_session("test: make group") as s:
        g = await services.create_group(platform, s, slug=prefix, name=prefix.title(),
                                        governance_mode=mode, actor="test")
        ids[prefix] = g.id
        for suffix in ("a", "b", "c"):
            t = await services.onboard_subsidiary(platform, s, parent_id=g.id,
                                                  slug=f"{prefix}-{suffix}",
                                                  name=f"{prefix} {suffix}", actor="test")
            ids[f"{prefix}-{suffix}"] = t.id
        for name, slug, role in [("admin", prefix, "group_admin"),
                                 ("auditor", prefix, "auditor"),
                                 ("a-admin", f"{prefix}-a", "tenant_admin"),
                                 ("b-admin", f"{prefix}-b", "tenant_admin"),
                                 ("a-viewer", f"{prefix}-a", "viewer"),
                                 ("c-contrib", f"{prefix}-c", "contributor")]:
            u = await create_user(s, email=f"{name}@{prefix}.example", display_name=name)
            users[name] = u.id
            await add_membership(platform, s, tenant_id=ids[slug], user_id=u.id, role=role,
                                 actor="test")
    await platform.authz.refresh()
    return Group(platform, ids, users)


@pytest.fixture
async def two_groups(platform: Platform) -> tuple[Group, Group]:
    """Two unrelated groups, ``acme`` (hybrid) and ``globex`` (centralized)."""
    return (await make_group(platform, "acme", "hybrid"),
            await make_group(platform, "globex", "centralized"))


class GraphQLClient:
    """Posts GraphQL operations to the app in-process (ASGI) with an optional bearer token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None, **extra: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        headers.update(extra.pop("headers", {}))
        return await self.client.post("/graphql", json={"query": query,
                                                        "variables": variables or {}},
                                      headers=headers)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None,
                       token: str | None = None) -> dict[str, Any]:
        response = await self.post(query, variables, token)
        return response.json()


@pytest.fixture
async def gql(platform: Platform) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client against the real Litestar app (lifespan run, ASGI transport)."""
    from ipgov.web.app import create_app

    app = create_app(platform)
    await platform.authz.start()  # what the app's lifespan does; anyio scopes cannot span
    transport = httpx.ASGITransport(app=app)  # pytest-asyncio's setup and teardown tasks
    async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as client:
        yield GraphQLClient(client)
