"""PostgreSQL roles, privileges and row-level security, applied by ``ipgov migrate``.

Each table is brought to the state ``ipgov.db.access`` decides for it, one table per short
transaction under a lock timeout, and only when it differs: re-running the migration on an
up-to-date database takes no table lock at all. A step that cannot get its lock in time is
rolled back and tried again after a growing pause, so requests never queue for long behind
the migration's exclusive lock; after the last try it fails naming the table.

Policies (every tenant table, and ``tenants`` on ``id``):

- ``ipgov_tenant_isolation`` (every role): a row is visible and writable when its tenant is
  in ``app.tenant_ids``, a comma-joined list of UUIDs (validated by ``TenantScope``). There is
  no wildcard: no value the app role can set shows every tenant.
- ``ipgov_system_access`` (the owner and the system role only): every row.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .access import access_for
from .base import Base, TenantScoped

__all__ = ["LockPolicy", "MigrationError", "Roles", "attempts", "busy", "secure_postgres"]

TENANT_POLICY = "ipgov_tenant_isolation"
SYSTEM_POLICY = "ipgov_system_access"
SCOPE = "string_to_array(current_setting('app.tenant_ids', true), ',')"
POLICY_VERSION = "ipgov-rls-2"
_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")

Progress = Callable[[str], None]


class MigrationError(RuntimeError):
    """The migration cannot do what it must; the message says what to do."""


@dataclass(frozen=True)
class Roles:
    """The app role and the system role (names and optional passwords)."""

    app: str | None = None
    app_password: str | None = None
    system: str | None = None
    system_password: str | None = None


@dataclass(frozen=True)
class LockPolicy:
    """How long one step waits for a lock, and how often it is tried again."""

    timeout_seconds: float = 2.0
    retries: int = 10
    first_pause: float = 0.5
    longest_pause: float = 8.0


@dataclass
class Report:
    """What the migration changed and skipped, for the progress lines."""

    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    foreign: list[str] = field(default_factory=list)


def is_lock_timeout(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state == "55P03" or "LockNotAvailable" in type(orig).__name__ or \
        "lock timeout" in str(exc)


def attempts(lock: LockPolicy) -> Iterator[tuple[int, float]]:
    """(try number, pause after a lock timeout) of every try ``lock`` allows."""
    pause = lock.first_pause
    for attempt in range(1, lock.retries + 2):
        yield attempt, pause
        pause = min(pause * 2, lock.longest_pause)


def busy(what: str, lock: LockPolicy, attempt: int, pause: float, progress: Progress) -> None:
    """Say that ``what`` met a lock timeout; ``MigrationError`` after the last try."""
    if attempt > lock.retries:
        raise MigrationError(
            f"{what}: a table stayed locked by other sessions through {lock.retries + 1} "
            f"tries of {lock.timeout_seconds:g} s; what this step would have changed is "
            "unchanged. Run `ipgov migrate` again when the long transactions are over (see "
            "pg_stat_activity), or raise IPGOV_MIGRATE_LOCK_RETRIES")
    progress(f"{what}: busy (lock not granted within {lock.timeout_seconds:g} s), "
             f"try {attempt + 1}/{lock.retries + 1} in {pause:g} s")


async def in_step(engine: AsyncEngine, what: str, lock: LockPolicy, progress: Progress,
                  work: Callable[[AsyncConnection], Awaitable[None]]) -> None:
    """Run ``work`` in one transaction under the lock timeout, retrying when it times out."""
    for attempt, pause in attempts(lock):
        try:
            async with engine.begin() as conn:
                ms = max(1, int(lock.timeout_seconds * 1000))
                await conn.execute(text(f"SET LOCAL lock_timeout = '{ms}ms'"))
                await work(conn)
            return
        except DBAPIError as exc:
            if not is_lock_timeout(exc):
                raise
            busy(what, lock, attempt, pause, progress)
            await asyncio.sleep(pause)


def _check_role_name(name: str) -> str:
    if not _ROLE.fullmatch(name):
        raise MigrationError(f"role {name!r}: use lower-case letters, digits and underscores "
                             "(at most 63, not starting with a digit)")
    return name


def _quote_password(password: str) -> str:
    return "'" + password.replace("'", "''") + "'"


async def _me(conn: AsyncConnection) -> Any:
    return (await conn.execute(text(
        "SELECT current_user AS name, rolsuper AS super, rolcreaterole AS createrole "
        "FROM pg_roles WHERE rolname = current_user"))).one()


async def _ensure_role(conn: AsyncConnection, name: str, password: str | None,
                       progress: Progress) -> None:
    """Create the login role ``name`` if missing (needs CREATEROLE), set its password."""
    me = await _me(conn)
    row = (await conn.execute(text(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": name})).first()
    may_manage = me.super or me.createrole
    if row is None:
        if not may_manage:
            raise MigrationError(
                f"role {name} does not exist and {me.name} may not create roles: grant it "
                f"CREATEROLE, or create the role yourself (CREATE ROLE {name} LOGIN PASSWORD "
                "'...' NOSUPERUSER NOBYPASSRLS) and run `ipgov migrate` again")
        await conn.execute(text(f"CREATE ROLE {name} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
                                "NOCREATEROLE"))
        progress(f"created role {name}")
    elif row.rolsuper or row.rolbypassrls:
        raise MigrationError(f"role {name} is a superuser or has BYPASSRLS: row-level "
                             "security would not bind it; use an ordinary role")
    if password is not None:
        if not may_manage:
            progress(f"password of role {name} left as it is ({me.name} lacks CREATEROLE)")
            return
        await conn.execute(text(f"ALTER ROLE {name} PASSWORD {_quote_password(password)}"))


async def _check_separation(conn: AsyncConnection, roles: Roles, owner: str) -> None:
    if roles.app and roles.app in (owner, roles.system):
        raise MigrationError(f"the app role {roles.app} must differ from the owner and from "
                             "the system role")
    if roles.system and roles.system == owner:
        raise MigrationError(f"the system role {roles.system} must not be the owner: it "
                             "must not be able to change the schema")
    for member, of in ((roles.app, roles.system), (roles.app, owner), (roles.system, owner)):
        if member and of:
            inside = (await conn.execute(text("SELECT pg_has_role(:m, :o, 'MEMBER')"),
                                         {"m": member, "o": of})).scalar()
            if inside:
                raise MigrationError(f"role {member} is a member of {of}: it would inherit "
                                     f"{of}'s rights; revoke that membership")


def desired_tables() -> dict[str, tuple[bool, Any]]:
    """Every table of the metadata: whether it is tenant-owned, and its decision."""
    tenant_owned = {m.class_.__tablename__ for m in Base.registry.mappers
                    if issubclass(m.class_, TenantScoped)}
    names = sorted({t.name for t in Base.metadata.sorted_tables} | {"alembic_version"})
    return {n: (n in tenant_owned, access_for(n, n in tenant_owned)) for n in names}


def _fingerprint(table: str, column: str, system_roles: list[str]) -> str:
    raw = f"{POLICY_VERSION}|{table}|{column}|{','.join(sorted(system_roles))}"
    return f"{POLICY_VERSION} {hashlib.sha256(raw.encode()).hexdigest()[:16]}"


async def _table_state(conn: AsyncConnection) -> dict[str, Any]:
    rows = await conn.execute(text(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "pg_has_role(current_user, c.relowner, 'USAGE') AS mine, "
        "pg_get_userbyid(c.relowner) AS owner, "
        "(SELECT obj_description(p.oid, 'pg_policy') FROM pg_policy p "
        " WHERE p.polrelid = c.oid AND p.polname = :tenant) AS tenant_note, "
        "(SELECT obj_description(p.oid, 'pg_policy') FROM pg_policy p "
        " WHERE p.polrelid = c.oid AND p.polname = :system) AS system_note, "
        "(SELECT array_agg(r.rolname::text) FROM pg_policy p "
        " CROSS JOIN LATERAL unnest(p.polroles) AS g(oid) JOIN pg_roles r ON r.oid = g.oid "
        " WHERE p.polrelid = c.oid AND p.polname = :system) AS system_roles "
        "FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relkind IN ('r', 'p')"), {"tenant": TENANT_POLICY, "system": SYSTEM_POLICY})
    return {r.relname: r for r in rows}


def _policy_sql(table: str, column: str, system_roles: list[str]) -> list[str]:
    note = _fingerprint(table, column, system_roles)
    to = ", ".join(_ident(r) for r in system_roles)
    check = f"{column} = ANY ({SCOPE})"
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {TENANT_POLICY} ON "{table}"',
        f'CREATE POLICY {TENANT_POLICY} ON "{table}" USING ({check}) WITH CHECK ({check})',
        f"COMMENT ON POLICY {TENANT_POLICY} ON \"{table}\" IS '{note}'",
        f'DROP POLICY IF EXISTS {SYSTEM_POLICY} ON "{table}"',
        f'CREATE POLICY {SYSTEM_POLICY} ON "{table}" TO {to} USING (true) WITH CHECK (true)',
        f"COMMENT ON POLICY {SYSTEM_POLICY} ON \"{table}\" IS '{note}'",
    ]


def _rls_current(state: Any, table: str, column: str, system_roles: list[str]) -> bool:
    note = _fingerprint(table, column, system_roles)
    return bool(state.relrowsecurity and state.relforcerowsecurity
                and state.tenant_note == note and state.system_note == note)


async def _grants(conn: AsyncConnection, role: str) -> dict[str, set[str]]:
    rows = await conn.execute(text(
        "SELECT c.relname, a.privilege_type FROM pg_class c "
        "CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') "
        "AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = :r)"), {"r": role})
    out: dict[str, set[str]] = {}
    for name, privilege in rows:
        out.setdefault(name, set()).add(privilege)
    return out


def _grant_sql(table: str, role: str, have: set[str], want: frozenset[str]) -> list[str]:
    sql = []
    if want - have:
        sql.append(f'GRANT {", ".join(sorted(want - have))} ON "{table}" TO {role}')
    if have - want:
        sql.append(f'REVOKE {", ".join(sorted(have - want))} ON "{table}" FROM {role}')
    return sql


async def _run(conn: AsyncConnection, statements: list[str]) -> None:
    for statement in statements:
        await conn.execute(text(statement))


async def _sequences(conn: AsyncConnection, roles: list[str]) -> None:
    """Let the roles use the sequences behind the tables' serial columns."""
    rows = await conn.execute(text(
        "SELECT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
        "AND d.deptype IN ('a', 'i') JOIN pg_class t ON t.oid = d.refobjid "
        "WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace"))
    for (name,) in rows:
        for role in roles:
            await conn.execute(text(f'GRANT USAGE, SELECT ON SEQUENCE "{name}" TO {role}'))


@dataclass(frozen=True)
class _Catalog:
    """What the migration read of the database before changing anything."""

    app: str | None
    system: str | None
    state: dict[str, Any]
    grants: dict[str, dict[str, set[str]]]


async def _prepare(engine: AsyncEngine, roles: Roles, progress: Progress) -> _Catalog:
    """Ensure the roles and their schema usage; read tables, owners and grants."""
    app = _check_role_name(roles.app) if roles.app else None
    system = _check_role_name(roles.system) if roles.system else None
    async with engine.begin() as conn:
        for name, password in ((app, roles.app_password), (system, roles.system_password)):
            if name:
                await _ensure_role(conn, name, password, progress)
        await _check_separation(conn, roles, (await _me(conn)).name)
        schema = (await conn.execute(text("SELECT current_schema()"))).scalar_one()
        for name in (app, system):
            if name:
                await conn.execute(text(f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {name}"))
        state = await _table_state(conn)
        grants = {r: await _grants(conn, r) for r in (app, system) if r}
    return _Catalog(app, system, state, grants)


def _table_work(table: str, access: Any, catalog: _Catalog) -> list[str]:
    """The statements that bring ``table`` to its decided state (none when it is)."""
    state, work = catalog.state[table], []
    # the table's owner and the system role see every row (the owner could switch RLS off);
    # roles the policy already names stay: a migration without --system-role (``ipgov serve``
    # migrating at start-up) must not take the system role's access away
    system_roles = sorted({state.owner, *(state.system_roles or ()),
                           *([catalog.system] if catalog.system else [])})
    if access.rls_column and not _rls_current(state, table, access.rls_column, system_roles):
        work += _policy_sql(table, access.rls_column, system_roles)
    for role, want in ((catalog.app, access.app), (catalog.system, access.system)):
        if role:
            work += _grant_sql(table, role, catalog.grants[role].get(table, set()), want)
    return work


async def secure_postgres(engine: AsyncEngine, roles: Roles, lock: LockPolicy,
                          progress: Progress) -> Report:
    """Roles, then each table's row-level security and privileges, then sequences."""
    report, catalog = Report(), await _prepare(engine, roles, progress)
    for table, (_tenant_owned, access) in desired_tables().items():
        if table not in catalog.state:
            continue
        work = _table_work(table, access, catalog)
        if not work:
            report.unchanged += 1
        elif not catalog.state[table].mine:
            report.foreign.append(f"{table} (owned by {catalog.state[table].owner})")
        else:
            await in_step(engine, f"table {table}", lock, progress,
                          functools.partial(_run, statements=work))
            report.changed.append(table)
    async with engine.begin() as conn:
        await _sequences(conn, [r for r in (catalog.app, catalog.system) if r])
    if report.foreign:
        raise MigrationError(
            "these tables need row-level security or privileges changed but belong to another "
            f"role: {', '.join(report.foreign)}; run `ipgov migrate` as their owner, or "
            "transfer them (ALTER TABLE ... OWNER TO the migration's role)")
    return report


def _ident(name: str) -> str:
    """A quoted SQL identifier (role and schema names read from the catalog)."""
    return '"' + name.replace('"', '""') + '"'
