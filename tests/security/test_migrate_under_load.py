"""``ipgov migrate`` under load on PostgreSQL (issue 22 item 6).

A migration that must change a table waits for its lock at most the lock timeout, steps back
and tries again, so requests never queue behind it for the length of someone's long read; a
table that stays locked fails the migration with a message naming it and nothing half-done;
tables of other roles are left alone, ours owned by another role are named; a migrating role
without CREATEROLE gets one clear line. Each test migrates its own database as a non-superuser
owner, the way a managed PostgreSQL is run.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from ipgov.db.migrate import MigrationError, upgrade
from ipgov.db.rls import LockPolicy
from ipgov.settings import Settings
from ipgov.startup import build_platform
from tests.conftest import APP_ROLE, PG_URL, SYSTEM_ROLE, _admin_sql

pytestmark = pytest.mark.postgres
OWNER = "ipgov_owner_test"
OTHER = "ipgov_other_test"


async def _ensure_role(name: str, attributes: str) -> None:
    engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        if (await conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                               {"r": name})).first() is None:
            await conn.execute(text(f"CREATE ROLE {name} LOGIN PASSWORD '{name}' {attributes}"))
    await engine.dispose()


@pytest.fixture
def database(tmp_path: Path):
    """A new database owned by the non-superuser ``OWNER``: (owner URL, superuser URL)."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (set IPGOV_TEST_POSTGRES_URL)")
    name = f"ipgov_mig_{uuid.uuid4().hex[:10]}"
    asyncio.run(_ensure_role(OWNER, "CREATEROLE"))
    asyncio.run(_admin_sql(PG_URL, f'CREATE DATABASE "{name}" OWNER {OWNER}'))
    base = make_url(PG_URL).set(database=name)
    owner = base.set(username=OWNER, password=OWNER).render_as_string(hide_password=False)
    yield owner, base.render_as_string(hide_password=False)
    asyncio.run(_admin_sql(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _locations(tmp_path: Path, url: str) -> list[str]:
    platform = build_platform(Settings(data_dir=tmp_path, database_url=url))
    await platform.close()
    return [str(p) for p in platform.registry.hook.register_migrations() if p]


def _migrate(url: str, locations: list[str], lock: LockPolicy, lines: list[str]) -> None:
    upgrade(url, locations, app_role=APP_ROLE, app_password=APP_ROLE, system_role=SYSTEM_ROLE,
            system_password=SYSTEM_ROLE, lock=lock, progress=lines.append)


def _app_url(owner: str) -> str:
    return make_url(owner).set(username=APP_ROLE, password=APP_ROLE).render_as_string(
        hide_password=False)


async def _sql(url: str, sql: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        for statement in sql.split("; "):
            await conn.execute(text(statement))
    await engine.dispose()


async def _hold_read(url: str, table: str, started: asyncio.Event, seconds: float) -> float:
    """A long read transaction on ``table`` (AccessShare lock); returns when it released."""
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        await conn.execute(text("SELECT set_config('app.tenant_ids', '', true)"))
        await conn.execute(text(f'SELECT count(*) FROM "{table}"'))
        started.set()
        await asyncio.sleep(seconds)
        await conn.commit()
    released = time.monotonic()
    await engine.dispose()
    return released


async def _short_reads(url: str, table: str, until: float) -> list[float]:
    """Short queries on ``table`` one after the other; the time each one finished."""
    engine = create_async_engine(url)
    finished = []
    while time.monotonic() < until:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT set_config('app.tenant_ids', '', true)"))
            await conn.execute(text(f'SELECT count(*) FROM "{table}"'))
            await conn.commit()
        finished.append(time.monotonic())
        await asyncio.sleep(0.1)
    await engine.dispose()
    return finished


def _in_thread(fn) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run() -> None:
        try:
            fn()
            outcome.append(("done", time.monotonic()))
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcome.append(("error", exc))

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


async def test_migration_under_a_long_read_never_stalls_requests(database, tmp_path):
    owner, _superuser = database
    locations = await _locations(tmp_path, owner)
    lines: list[str] = []
    await asyncio.to_thread(_migrate, owner, locations, LockPolicy(), lines)
    # installed; now one table needs work again (as after an upgrade that changes a policy)
    await _sql(owner, 'DROP POLICY ipgov_tenant_isolation ON "memberships"')
    app, hold = _app_url(owner), 6.0
    started = asyncio.Event()
    reader = asyncio.create_task(_hold_read(app, "memberships", started, hold))
    await started.wait()
    lock = LockPolicy(timeout_seconds=0.3, retries=60, first_pause=0.2, longest_pause=0.5)
    thread, outcome = _in_thread(lambda: _migrate(owner, locations, lock, lines))
    short = asyncio.create_task(_short_reads(app, "memberships", time.monotonic() + hold - 1.5))
    released, finished = await reader, await short
    await asyncio.to_thread(thread.join, 120)
    assert outcome and outcome[0][0] == "done", outcome
    assert outcome[0][1] >= released  # the migration waited for the reader ...
    assert finished and max(finished) < released  # ... and no request waited behind it
    assert any("table memberships: busy" in line for line in lines), lines
    engine = create_async_engine(owner)
    async with engine.connect() as conn:
        policy = (await conn.execute(text(
            "SELECT count(*) FROM pg_policies WHERE tablename = 'memberships' "
            "AND policyname = 'ipgov_tenant_isolation'"))).scalar()
    await engine.dispose()
    assert policy == 1
    again: list[str] = []
    await asyncio.to_thread(_migrate, owner, locations, lock, again)  # up to date: no lock
    assert any("0 table(s) changed" in line for line in again), again


async def test_a_table_that_stays_locked_fails_clearly_and_changes_nothing(database,
                                                                          tmp_path):
    owner, _superuser = database
    locations = await _locations(tmp_path, owner)
    await asyncio.to_thread(_migrate, owner, locations, LockPolicy(), [])
    await _sql(owner, 'DROP POLICY ipgov_tenant_isolation ON "memberships"')
    started = asyncio.Event()
    reader = asyncio.create_task(_hold_read(_app_url(owner), "memberships", started, 8.0))
    await started.wait()
    lock = LockPolicy(timeout_seconds=0.2, retries=2, first_pause=0.1, longest_pause=0.2)
    with pytest.raises(MigrationError, match="table memberships: a table stayed locked"):
        await asyncio.to_thread(_migrate, owner, locations, lock, [])
    await reader
    engine = create_async_engine(owner)
    async with engine.connect() as conn:
        rls = (await conn.execute(text(
            "SELECT relrowsecurity FROM pg_class WHERE relname = 'memberships'"))).scalar()
    await engine.dispose()
    assert rls is True  # rolled back whole: row-level security was never off


async def test_tables_of_other_roles_are_left_alone_or_named(database, tmp_path):
    owner, superuser = database
    await _ensure_role(OTHER, "")
    await _sql(superuser, f"CREATE TABLE other_things (id int); "
                          f"ALTER TABLE other_things OWNER TO {OTHER}")
    locations = await _locations(tmp_path, owner)
    await asyncio.to_thread(_migrate, owner, locations, LockPolicy(), [])  # not ours: no error
    await _sql(superuser, f'ALTER TABLE "escalations" OWNER TO {OTHER}; '
                          'DROP POLICY ipgov_tenant_isolation ON "escalations"')
    with pytest.raises(MigrationError, match=r"escalations \(owned by ipgov_other_test\)"):
        await asyncio.to_thread(_migrate, owner, locations, LockPolicy(), [])


def test_creating_a_role_without_createrole_is_one_clear_line(database, tmp_path):
    owner, superuser = database
    asyncio.run(_sql(superuser, f"ALTER ROLE {OWNER} NOCREATEROLE"))
    try:
        env = {**os.environ, "IPGOV_DATA_DIR": str(tmp_path), "IPGOV_DATABASE_URL": owner}
        done = subprocess.run([sys.executable, "-m", "ipgov.cli.main", "migrate", "--app-role",
                               f"ipgov_new_{uuid.uuid4().hex[:6]}"], capture_output=True,
                              text=True, env=env, timeout=300, check=False)
    finally:
        asyncio.run(_sql(superuser, f"ALTER ROLE {OWNER} CREATEROLE"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "may not create roles: grant it CREATEROLE" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


async def test_a_migration_without_roles_keeps_theirs(database, tmp_path):
    """``ipgov serve`` migrates at start-up without --app-role/--system-role: it must not
    take the system role's access away (nor touch any table)."""
    owner, _superuser = database
    locations = await _locations(tmp_path, owner)
    await asyncio.to_thread(_migrate, owner, locations, LockPolicy(), [])
    lines: list[str] = []
    await asyncio.to_thread(lambda: upgrade(owner, locations, progress=lines.append))
    assert any("0 table(s) changed" in line for line in lines), lines
    system = make_url(owner).set(username=SYSTEM_ROLE, password=SYSTEM_ROLE).render_as_string(
        hide_password=False)
    engine = create_async_engine(system)
    async with engine.connect() as conn:
        await conn.execute(text("INSERT INTO tenants (id, slug, name, kind, root_id, depth, "
                                "governance_mode, status, enabled_plugins, reserved_decisions, "
                                "locale, created_at, updated_at) VALUES ("
                                "'00000000-0000-4000-8000-000000000001', 'x', 'X', 'group', "
                                "'00000000-0000-4000-8000-000000000001', 0, 'hybrid', "
                                "'active', '[]', '[]', '', now(), now())"))
        seen = (await conn.execute(text("SELECT count(*) FROM tenants"))).scalar()
    await engine.dispose()
    assert seen == 1


async def test_a_migration_grants_new_tables_to_the_configured_roles(database, tmp_path):
    """A later release (or a plugin enabled later) adds tables; ``ipgov migrate``,
    ``ipgov serve`` and ``ipgov plugins enable`` migrate without --app-role: the roles the
    configuration connects as (IPGOV_APP_DATABASE_URL, IPGOV_SYSTEM_DATABASE_URL) must get the
    new tables' privileges, or the app answers "permission denied" on them."""
    from ipgov.cli.common import migrate_platform

    owner, _superuser = database
    locations = await _locations(tmp_path, owner)
    await asyncio.to_thread(_migrate, owner, locations, LockPolicy(), [])
    # a table made after the roles were granted (what a downgrade and upgrade, or a new
    # revision, leaves behind)
    await _sql(owner, f"REVOKE ALL ON tenants FROM {APP_ROLE}; "
                      f"REVOKE ALL ON tenants FROM {SYSTEM_ROLE}")
    system = make_url(owner).set(username=SYSTEM_ROLE, password=SYSTEM_ROLE).render_as_string(
        hide_password=False)
    platform = build_platform(Settings(data_dir=tmp_path, database_url=owner,
                                       app_database_url=_app_url(owner),
                                       system_database_url=system))
    try:
        await asyncio.to_thread(migrate_platform, platform)
    finally:
        await platform.close()
    for url in (_app_url(owner), system):
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM tenants"))).scalar() == 0
        await engine.dispose()
