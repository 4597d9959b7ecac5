"""Running migrations: core plus every plugin branch, then row-level security on PostgreSQL.

Row-level security is applied here, by the core, to every tenant-scoped table the metadata
knows, plugins' included, so that no plugin has to remember it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url

from .base import Base, TenantScoped
from .session import make_engine

__all__ = ["alembic_config", "apply_rls", "upgrade", "tenant_tables"]

MIGRATIONS = Path(__file__).parent / "migrations"
RLS_POLICY = "ipgov_tenant_isolation"


def alembic_config(url: str, plugin_locations: list[str]) -> Config:
    """An Alembic config over the core's and the plugins' version directories."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(MIGRATIONS / "versions"), *sorted(plugin_locations)]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def tenant_tables() -> list[str]:
    """Names of every tenant-scoped table (core and loaded plugins)."""
    names = []
    for mapper in Base.registry.mappers:
        if issubclass(mapper.class_, TenantScoped):
            names.append(mapper.class_.__tablename__)
    return sorted(set(names))


def _in_thread(fn: Callable[[], None]) -> None:
    """Alembic's env runs its own event loop; run it off the caller's loop."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            fn()
        except BaseException as exc:  # re-raised in the caller
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def upgrade(url: str, plugin_locations: list[str], app_role: str | None = None,
            app_password: str | None = None) -> None:
    """Upgrade to every head; on PostgreSQL also apply RLS and grant the app role."""
    cfg = alembic_config(url, plugin_locations)
    _in_thread(lambda: command.upgrade(cfg, "heads"))
    if make_url(url).get_backend_name() == "postgresql":
        _in_thread(lambda: asyncio.run(apply_rls(url, app_role, app_password)))


async def apply_rls(url: str, app_role: str | None, app_password: str | None = None) -> None:
    """ENABLE and FORCE row-level security with the tenant policy on every tenant table."""
    engine = make_engine(url)
    async with engine.begin() as conn:
        for table in tenant_tables():
            await conn.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
            await conn.execute(text(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY'))
            await conn.execute(text(f'DROP POLICY IF EXISTS {RLS_POLICY} ON "{table}"'))
            await conn.execute(text(
                f'CREATE POLICY {RLS_POLICY} ON "{table}" '
                "USING (current_setting('app.tenant_ids', true) = '*' OR tenant_id = ANY "
                "(string_to_array(current_setting('app.tenant_ids', true), ','))) "
                "WITH CHECK (current_setting('app.tenant_ids', true) = '*' OR tenant_id = ANY "
                "(string_to_array(current_setting('app.tenant_ids', true), ',')))"
            ))
        if app_role:
            await _grant_app_role(conn, app_role, app_password)
    await engine.dispose()


async def _grant_app_role(conn, role: str, password: str | None) -> None:  # type: ignore[no-untyped-def]
    """Let the app role use the tables, without ownership (so RLS binds it)."""
    if not role.replace("_", "").isalnum():
        raise ValueError(f"app role {role!r} must be letters, digits and underscores")
    exists = await conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if exists.first() is None:
        await conn.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS"))
    if password is not None:
        quoted = password.replace("'", "''")
        await conn.execute(text(f"ALTER ROLE {role} PASSWORD '{quoted}'"))
    await conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    await conn.execute(text(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"))
    await conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
