"""Engines and sessions that enforce tenant scope on every ORM statement.

The filter lives here, in the core, so no plugin has to remember it:

- ``do_orm_execute`` adds ``with_loader_criteria(TenantScoped, tenant_id IN scope)`` to every
  ORM select, update and delete (joins, eager loads and ``session.get`` included);
- ``before_flush`` stamps ``tenant_id`` on new rows and refuses rows of another tenant;
- ``after_begin`` tells PostgreSQL the scope (``app.tenant_ids``) for row-level security,
  the second wall behind the ORM filter.

On PostgreSQL the system scope does not use the app role at all: system sessions connect
through their own engine as the system role (``IPGOV_SYSTEM_DATABASE_URL``), which the
policies let see every tenant, and name their reason in ``application_name`` so that each
system transaction is visible in ``pg_stat_activity`` and the server log. Read-only sessions
are one consistent snapshot on both backends (PostgreSQL ``REPEATABLE READ READ ONLY``; a
deferred SQLite transaction in WAL mode on a ``query_only`` connection) and never wait for the
write lock: GraphQL queries, read routes and authentication use them.

A session with no scope refuses to run anything.

``after_commit(session, callback)`` runs an async callback once the session's transaction has
committed (the outbox sends its messages so: a rolled-back transaction sends nothing); a
failing callback is logged, never raised into the caller, whose work is already committed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from .base import TenantScoped
from .integrity import constraint_error
from .scope import TenantScope, TenantScopeError

__all__ = ["Database", "SNAPSHOT_OPTIONS", "ScopedSession", "after_commit", "engine_options",
           "orm_filter_enabled", "scope_of", "system_application_name"]

log = logging.getLogger("ipgov.db")
_SCOPE_KEY = "ipgov.tenant_scope"
_AFTER_COMMIT_KEY = "ipgov.after_commit"
AfterCommit = Callable[[], Awaitable[None]]
# Tests switch the ORM filter off to prove that PostgreSQL RLS holds alone.
_orm_filter = {"enabled": True}


def orm_filter_enabled(enabled: bool | None = None) -> bool:
    """Read (or, for RLS-only tests, set) whether the ORM tenant filter is applied."""
    if enabled is not None:
        _orm_filter["enabled"] = enabled
    return _orm_filter["enabled"]


class ScopedSession(Session):
    """The sync session class behind every ``AsyncSession``; carries the tenant scope."""


def scope_of(session: Session | AsyncSession) -> TenantScope:
    """The scope bound to ``session``; raises when none is bound."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    scope = sync.info.get(_SCOPE_KEY)
    if scope is None:
        raise TenantScopeError("database access without a tenant scope")
    return scope


def after_commit(session: Session | AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` after ``session``'s transaction commits (in registration order), from
    ``Database.session``; nothing runs when it rolls back."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


async def _run_after_commit(session: AsyncSession) -> None:
    """The callbacks registered on ``session``, each once; errors are logged."""
    callbacks = session.sync_session.info.pop(_AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        try:
            await callback()
        except Exception:  # the transaction is committed: recovery covers what did not run
            log.warning("an after-commit callback failed", exc_info=True)


@event.listens_for(ScopedSession, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    scope = scope_of(state.session)
    if scope.is_system or not _orm_filter["enabled"]:
        return
    if state.is_column_load or state.is_relationship_load:
        return
    ids = tuple(scope.tenant_ids or ())
    if not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id.in_(ids),
            include_aliases=True,
            track_closure_variables=False,
        )
    )


@event.listens_for(ScopedSession, "before_flush")
def _stamp_and_check_tenant(session: Session, _ctx: Any, _instances: Any) -> None:
    scope = scope_of(session)
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if scope.single_tenant is None:
                raise TenantScopeError(
                    f"{type(obj).__name__}: tenant_id must be given outside a one-tenant scope"
                )
            obj.tenant_id = scope.single_tenant
        elif not scope.allows(obj.tenant_id):
            raise TenantScopeError(f"{type(obj).__name__}: write to a tenant outside the scope")
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantScoped) and not scope.allows(obj.tenant_id):
            raise TenantScopeError(f"{type(obj).__name__}: change to a tenant outside the scope")


@event.listens_for(ScopedSession, "after_begin")
def _tell_postgres_the_scope(session: Session, _tx: Any, connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    scope = scope_of(session)
    if scope.is_system:
        connection.execute(text("SELECT set_config('application_name', :name, true)"),
                           {"name": system_application_name(scope.reason)})
        return
    connection.execute(
        text("SELECT set_config('app.tenant_ids', :ids, true)"), {"ids": scope.rls_setting()}
    )


def system_application_name(reason: str) -> str:
    """How a system transaction names itself to PostgreSQL (at most 63 bytes)."""
    name = f"ipgov system: {reason}"
    return name.encode()[:63].decode(errors="ignore")


SNAPSHOT_OPTIONS = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
"""PostgreSQL options of a read-only session: every statement sees one snapshot."""


def _sqlite_pragmas(busy_ms: int) -> Any:
    def connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the driver, starts transactions (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return connect


def make_engine(url: str, *, lock_timeout: float = 10.0, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout (``lock_timeout``
    seconds: how long a writer waits for another's lock before "database is locked")."""
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(int(lock_timeout * 1000)))
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    elif kwargs.get("connect_args", {}).get("command_timeout"):
        event.listen(engine.sync_engine, "handle_error", _timeout_invalidates)
    return engine


def _timeout_invalidates(context: Any) -> None:
    """A statement that timed out on the client (a silent server) leaves the connection in an
    unknown state: drop it from the pool instead of handing it to the next request."""
    if not isinstance(context.original_exception, TimeoutError):
        return
    context.is_disconnect = True
    fairy = getattr(context.connection, "connection", None) if context.connection else None
    driver = getattr(getattr(fairy, "dbapi_connection", None), "_connection", None)
    if driver is not None and hasattr(driver, "terminate"):
        driver.terminate()  # no graceful goodbye to a server that does not answer


def engine_options(settings: Any) -> dict[str, Any]:
    """Engine options bounding every wait on the database (docs/operations.md): connecting,
    one statement, an idle open transaction, a pooled connection, a lock. A silent server then
    costs a request at most about ``database_statement_timeout_seconds`` before a 503."""
    url = settings.app_sqlalchemy_url
    if url.startswith("sqlite"):
        return {"lock_timeout": settings.database_lock_timeout_seconds}
    ms = {name: str(int(seconds * 1000)) for name, seconds in (
        ("statement_timeout", settings.database_statement_timeout_seconds),
        ("idle_in_transaction_session_timeout",
         settings.database_idle_in_transaction_timeout_seconds),
        ("lock_timeout", settings.database_lock_timeout_seconds))}
    options: dict[str, Any] = {"pool_timeout": settings.database_pool_timeout_seconds}
    if "+asyncpg" in url:  # the client's own wait: the server may be silent, not just slow
        options["connect_args"] = {
            "timeout": settings.database_connect_timeout_seconds,
            "command_timeout": settings.database_statement_timeout_seconds + 1,
            "server_settings": ms}
    elif "+psycopg" in url:
        options["connect_args"] = {
            "connect_timeout": max(1, round(settings.database_connect_timeout_seconds)),
            "options": " ".join(f"-c {name}={value}" for name, value in ms.items())}
    return options


def _sqlite_begin(conn: Connection) -> None:
    """Take SQLite's write lock at BEGIN: a read-then-write transaction can then never fail
    with "database is locked" on upgrade; concurrent writers wait (busy_timeout) instead.
    Read-only sessions begin deferred and never wait for writers (WAL); their connection is
    ``PRAGMA query_only`` meanwhile, so a write there fails at once instead of taking the lock."""
    readonly = bool(conn.get_execution_options().get("ipgov_readonly"))
    _query_only(conn, readonly)
    conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def _query_only(conn: Connection, readonly: bool) -> None:
    """Switch the pooled connection's ``query_only`` when it differs (remembered per pooled
    connection; set on the driver's cursor, so statement counts do not see it)."""
    pooled = conn.connection
    if pooled.info.get("ipgov_query_only", False) == readonly:
        return
    cursor = pooled.cursor()
    try:
        cursor.execute(f"PRAGMA query_only={int(readonly)}")
    finally:
        cursor.close()
    pooled.info["ipgov_query_only"] = readonly


def _factory(engine: AsyncEngine, readonly: bool) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``; read-only ones on a copy of it whose connections begin read-only
    (the pool is shared: a copy only adds execution options)."""
    if readonly:
        options: dict[str, Any] = {"ipgov_readonly": True}
        if engine.dialect.name == "postgresql":
            options.update(SNAPSHOT_OPTIONS)
        engine = engine.execution_options(**options)
    return async_sessionmaker(engine, sync_session_class=ScopedSession, expire_on_commit=False)


class Database:
    """The app engine (and, on PostgreSQL, the system engine); every session has a scope.

    ``system_url`` is the connection of system sessions; without one (SQLite, or one role for
    everything) they share the app engine.
    """

    def __init__(self, url: str, system_url: str | None = None, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.system_engine = (make_engine(system_url, **engine_kwargs)
                              if system_url and system_url != url else self.engine)
        self._factories = {
            (system, readonly): _factory(self.system_engine if system else self.engine, readonly)
            for system in (False, True) for readonly in (False, True)}

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        """Every engine of this database (one, or the app and the system engine)."""
        if self.system_engine is self.engine:
            return (self.engine,)
        return (self.engine, self.system_engine)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self, scope: TenantScope, *,
                      readonly: bool = False) -> AsyncIterator[AsyncSession]:
        """A session bound to ``scope``; commits on success, rolls back on error.

        ``readonly`` sessions (GraphQL queries, read routes, review checks, reports,
        verification) never commit, read one consistent snapshot, refuse writes and, on SQLite,
        do not take the write lock, so they run beside a writing session. Like every session
        they connect lazily, at the first statement.
        """
        from ipgov.telemetry.setup import current_tenant

        token = current_tenant.set(scope.single_tenant or current_tenant.get())
        factory = self._factories[scope.is_system, readonly]
        try:
            async with factory() as session:
                session.sync_session.info[_SCOPE_KEY] = scope
                try:
                    yield session
                    if not readonly:  # a read-only session ends by closing: objects stay
                        await session.commit()  # loaded, the connection rolls back
                except BaseException as exc:
                    session.sync_session.info.pop(_AFTER_COMMIT_KEY, None)
                    await session.rollback()
                    refused = constraint_error(exc)  # a refusal of the data: a domain error
                    if refused is not None:
                        raise refused from exc
                    raise
                await _run_after_commit(session)
        finally:
            current_tenant.reset(token)

    def tenant_session(self, tenant_id: str, *, readonly: bool = False) -> Any:
        """A session of one tenant (requests, worker jobs, CLI commands that entered a tenant)."""
        return self.session(TenantScope.tenant(tenant_id), readonly=readonly)

    def read_session(self, scope: TenantScope) -> Any:
        """A read-only session bound to ``scope`` (see ``session``)."""
        return self.session(scope, readonly=True)

    def system_session(self, reason: str) -> Any:
        """An unfiltered session for platform operations; ``reason`` says why."""
        return self.session(TenantScope.system(reason))

    async def dispose(self) -> None:
        """Close every pooled connection."""
        for engine in self.engines:
            await engine.dispose()
