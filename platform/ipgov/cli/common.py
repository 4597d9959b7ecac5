"""Shared plumbing for CLI commands: building the platform, running async code, clean errors."""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
from sqlalchemy import select

from ipgov.db.migrate import MigrationError, upgrade
from ipgov.db.rls import LockPolicy
from ipgov.errors import DomainError
from ipgov.identity.tokens import AuthenticationError
from ipgov.runtime import Platform
from ipgov.settings import Settings, get_settings
from ipgov.startup import build_platform
from ipgov.tenancy.models import Tenant

__all__ = ["fail", "run_with_platform", "settings", "tree_rows"]

T = TypeVar("T")


def settings() -> Settings:
    """Settings from the environment; a bad variable is a one-line error."""
    try:
        return get_settings()
    except ValueError as exc:
        raise click.ClickException(f"configuration: {exc}") from None


def fail(message: str) -> None:
    """Stop with one clear line on stderr and exit code 1."""
    raise click.ClickException(message)


def migrate_platform(platform: Platform, app_role: str | None = None,
                     system_role: str | None = None) -> None:
    """Upgrade the schema (core and every loaded plugin) to the newest revision.

    On PostgreSQL also roles, privileges and row-level security; a role's password comes from
    its connection URL (``IPGOV_APP_DATABASE_URL``, ``IPGOV_SYSTEM_DATABASE_URL``) when that
    URL names the role. A migration that cannot proceed is one clear line and exit 1.
    """

    cfg = platform.settings
    locations = [str(p) for p in platform.registry.hook.register_migrations() if p]
    # the roles the configuration connects as get every table the migration adds, whether the
    # operator names them (--app-role) or not (`ipgov serve`, `ipgov plugins enable`): a new
    # table without their privileges is a "permission denied" at the first request
    app_role = app_role or _role_of(cfg.app_database_url, cfg.sqlalchemy_url)
    system_role = system_role or _role_of(cfg.system_database_url, cfg.sqlalchemy_url)
    lock = LockPolicy(cfg.migrate_lock_timeout_seconds, cfg.migrate_lock_retries)
    try:
        upgrade(cfg.sqlalchemy_url, locations, app_role=app_role,
                app_password=_password_of(cfg.app_database_url, app_role),
                system_role=system_role,
                system_password=_password_of(cfg.system_database_url, system_role),
                lock=lock, progress=progress)
    except MigrationError as exc:
        raise click.ClickException(f"migrate: {exc}") from None


def _role_of(url: str, owner_url: str) -> str | None:
    """The PostgreSQL role ``url`` connects as, when it is not the owner's."""
    from sqlalchemy.engine import make_url

    if not url:
        return None
    parsed, owner = make_url(url), make_url(owner_url)
    if parsed.get_backend_name() != "postgresql" or not parsed.username:
        return None
    return parsed.username if parsed.username != owner.username else None


def _password_of(url: str, role: str | None) -> str | None:
    """The password in ``url`` when ``url`` connects as ``role``."""
    from sqlalchemy.engine import make_url

    if not role or not url:
        return None
    parsed = make_url(url)
    return parsed.password if parsed.username == role else None


def run_with_platform(fn: Callable[[Platform], Awaitable[T]], *, migrate: bool = False,
                      load_authz: bool = True) -> T:
    """Build the platform, optionally migrate, run ``fn`` and close; domain errors exit 1."""
    try:
        platform = build_platform(settings())
    except Exception as exc:
        raise click.ClickException(f"start-up: {exc}") from None
    if migrate:
        migrate_platform(platform)

    async def main() -> T:
        try:
            if not migrate:
                await _require_schema(platform)
            if load_authz:
                await platform.authz.load()
            return await fn(platform)
        finally:
            await platform.close()

    try:
        return asyncio.run(main())
    except (DomainError, AuthenticationError) as exc:
        named = getattr(exc, "field", None)  # DomainError names one, AuthenticationError none
        field = f" (field {named})" if named else ""
        raise click.ClickException(f"{exc.code}: {exc.message}{field}") from None


async def _require_schema(platform: Platform) -> None:
    """One clear line, not a traceback, when the database was never migrated."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    async with platform.db.engine.connect() as conn:
        await conn.execution_options(ipgov_readonly=True)  # a look, not SQLite's write lock
        present = await conn.run_sync(lambda c: inspect(c).has_table("alembic_version"))
    if not present:
        where = make_url(platform.settings.sqlalchemy_url).render_as_string(hide_password=True)
        raise click.ClickException(f"the database {where} has no ipgov schema yet: run "
                                   "`ipgov migrate` first")


def async_command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: the command body is ``async def body(platform, **options)``."""

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        return run_with_platform(lambda platform: fn(platform, **kwargs))

    return wrapper


def echo_rows(rows: list[tuple[Any, ...]], headers: tuple[str, ...]) -> None:
    """Print a plain aligned table."""
    table = [tuple(str(c) for c in headers)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def tree_rows(tenants: list[Any]) -> list[tuple[str, Any]]:
    """(label, tenant) in tree order: each tenant right under its parent, siblings by slug,
    the label drawn with branch lines (``├─ ``, ``└─ ``) so a tenant sits under its own
    parent (not under whichever tenant of the level above was printed last)."""
    children: dict[str | None, list[Any]] = {}
    known = {t.id for t in tenants}
    for tenant in tenants:
        parent = tenant.parent_id if tenant.parent_id in known else None
        children.setdefault(parent, []).append(tenant)
    rows: list[tuple[str, Any]] = []

    def walk(parent: str | None, prefix: str) -> None:
        kids = sorted(children.get(parent, []), key=lambda t: t.slug)
        for i, tenant in enumerate(kids):
            last = i == len(kids) - 1
            branch = "" if parent is None else ("└─ " if last else "├─ ")
            rows.append((prefix + branch + tenant.slug, tenant))
            below = "" if parent is None else ("   " if last else "│  ")
            walk(tenant.id, prefix + below)

    walk(None, "")
    return rows


def progress(message: str) -> None:
    """A progress line on stderr (stdout stays machine-readable)."""
    click.echo(message, err=True)
    sys.stderr.flush()


async def tenant_id_of(platform: Platform, ref: str) -> str:
    """The id of the tenant whose slug or id is ``ref`` (the command line's one way to
    resolve a tenant); a clear error and exit 1 when there is none."""
    async with platform.db.system_session("cli: resolve tenant") as session:
        row = (await session.execute(select(Tenant.id).where(
            (Tenant.slug == ref) | (Tenant.id == ref)))).scalar_one_or_none()
    if row is None:
        fail(f"no tenant with slug or id {ref!r}")
    return str(row)
