"""Running migrations: core plus every plugin branch, then roles and row-level security.

Row-level security and privileges are applied here, by the core, to every table the
metadata knows, plugins' included, so that no plugin has to remember it (``ipgov.db.rls``,
decisions in ``ipgov.db.access``). On PostgreSQL every step runs under a lock timeout and is
retried when it times out, so a migration under load never stalls requests for long.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from .base import Base, TenantScoped
from .rls import (
    LockPolicy,
    MigrationError,
    Roles,
    attempts,
    busy,
    is_lock_timeout,
    secure_postgres,
)
from .session import make_engine

__all__ = ["MigrationError", "alembic_config", "apply_rls", "upgrade", "tenant_tables"]

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("ipgov.migrate")


def alembic_config(url: str, plugin_locations: list[str],
                   lock: LockPolicy | None = None) -> Config:
    """An Alembic config over the core's and the plugins' version directories."""
    from alembic.config import Config  # alembic only where a migration runs (CLI start-up)

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(MIGRATIONS / "versions"), *sorted(plugin_locations)]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["ipgov_lock_timeout_ms"] = int((lock or LockPolicy()).timeout_seconds * 1000)
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


def _say(message: str) -> None:
    log.info("%s", message)


def _alembic_upgrade(cfg: Config, lock: LockPolicy, progress: Callable[[str], None]) -> None:
    """``upgrade heads``, one transaction per revision; a revision that met a lock timeout
    was rolled back whole (PostgreSQL DDL is transactional) and is tried again."""
    from alembic import command

    for attempt, pause in attempts(lock):
        try:
            command.upgrade(cfg, "heads")
            return
        except DBAPIError as exc:
            if not is_lock_timeout(exc):
                raise
            busy("schema upgrade", lock, attempt, pause, progress)
            time.sleep(pause)


def upgrade(url: str, plugin_locations: list[str], app_role: str | None = None,
            app_password: str | None = None, *, system_role: str | None = None,
            system_password: str | None = None, lock: LockPolicy | None = None,
            progress: Callable[[str], None] = _say) -> None:
    """Upgrade to every head; on PostgreSQL also roles, privileges and row-level security."""
    lock = lock or LockPolicy()
    cfg = alembic_config(url, plugin_locations, lock)
    _in_thread(lambda: _alembic_upgrade(cfg, lock, progress))
    if make_url(url).get_backend_name() == "postgresql":
        roles = Roles(app_role, app_password, system_role, system_password)
        _in_thread(lambda: asyncio.run(apply_rls(url, roles, lock, progress)))


async def apply_rls(url: str, roles: Roles, lock: LockPolicy | None = None,
                    progress: Callable[[str], None] = _say) -> None:
    """Roles, privileges and row-level security on every table (PostgreSQL)."""
    engine = make_engine(url)
    try:
        report = await secure_postgres(engine, roles, lock or LockPolicy(), progress)
    finally:
        await engine.dispose()
    progress(f"row-level security and privileges: {len(report.changed)} table(s) changed, "
             f"{report.unchanged} already up to date")
