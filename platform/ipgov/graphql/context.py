"""The per-request GraphQL context: platform, principal, locale, sessions and DataLoaders.

Sessions follow the operation: a query's sessions are read-only (no write lock on SQLite, a
``READ ONLY`` snapshot on PostgreSQL), a mutation's read-write. ``ReadOnlyQueries`` (a schema
extension) tells the context which one runs, per operation, so a batch mixing both stays right.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Any

from graphql import OperationType
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.extensions import SchemaExtension
from strawberry.litestar import BaseContext

from ipgov.db import TenantScope
from ipgov.errors import Unauthenticated
from ipgov.identity.service import Principal
from ipgov.runtime import Platform

__all__ = ["IpgovContext", "ReadOnlyQueries", "operation_is_read_only"]

_read_only_operation: ContextVar[bool] = ContextVar("ipgov_read_only_operation", default=False)


def operation_is_read_only() -> bool:
    """True while a GraphQL query (not a mutation or subscription) executes."""
    return _read_only_operation.get()


class ReadOnlyQueries(SchemaExtension):
    """Marks the execution of a query operation, so that its sessions are read-only."""

    def on_execute(self) -> Iterator[None]:
        kind = self.execution_context.operation_type
        token = _read_only_operation.set(getattr(kind, "value", kind) == OperationType.QUERY.value)
        try:
            yield
        finally:
            _read_only_operation.reset(token)


class IpgovContext(BaseContext, kw_only=True):
    """What every resolver receives as ``info.context``."""

    platform: Platform
    principal: Principal | None = None
    request_id: str = ""
    locale: str = "en"
    client_address: str = ""  # the peer address (sign-in throttles and limits key on it)
    credential_checks: int = 0  # credential checks so far in this HTTP request (at most one)
    loaders: dict[str, DataLoader] = {}  # noqa: RUF012 - msgspec copies defaults
    #: A WebSocket's connection_init payload, and the credential it signed in with (checked
    #: again while its subscriptions live: graphql/live.py).
    connection_params: dict[str, Any] | None = None
    credential: str = ""
    #: The request's session cookies (``ipgov.web.cookies.SessionCookies``; typed there: HTTP
    #: sits above GraphQL): sign-in fields put the session there when the client asks.
    session_cookies: Any = None

    def require_principal(self) -> Principal:
        """The caller; ``Unauthenticated`` when the request carried no credentials."""
        if self.principal is None:
            raise Unauthenticated("sign in first: send 'Authorization: Bearer <token>'")
        return self.principal

    def session(self, tenant_id: str) -> Any:
        """A database session bound to one tenant: read-only in a query, else read-write
        (commits when the block succeeds)."""
        return self.platform.db.tenant_session(tenant_id, readonly=operation_is_read_only())

    def write_session(self, tenant_id: str) -> Any:
        """A read-write session bound to one tenant even inside a query: for reads that must
        leave a record of themselves (an access log), which a read-only session refuses."""
        return self.platform.db.tenant_session(tenant_id)

    def multi_session(self, tenant_ids: set[str], reason: str) -> Any:
        """A session over several tenants the caller is entitled to (lists across tenants);
        read-only in a query."""
        return self.platform.db.session(TenantScope.tenants(frozenset(tenant_ids), reason),
                                        readonly=operation_is_read_only())

    def system_session(self, reason: str) -> Any:
        """An unfiltered session for platform-wide operations (onboarding, mergers, the
        global rows a resolver reads: users, tenants); read-only in a query like every
        session of a query (on SQLite a query then never waits for, or takes, the write
        lock), read-write in a mutation."""
        return self.platform.db.session(TenantScope.system(reason),
                                        readonly=operation_is_read_only())

    def write_system_session(self, reason: str) -> Any:
        """A read-write unfiltered session even inside a query, for a read that must leave a
        record of itself (``write_session``'s system counterpart)."""
        return self.platform.db.system_session(reason)

    def loader(
        self, name: str, batch: Callable[[list[Any]], Awaitable[list[Any]]]
    ) -> DataLoader:
        """The request's DataLoader called ``name`` (created on first use)."""
        if name not in self.loaders:
            self.loaders[name] = DataLoader(load_fn=batch)
        return self.loaders[name]

    @property
    def actor(self) -> str:
        """How the caller appears in the audit trail."""
        principal = self.require_principal()
        return principal.subject


SessionT = AsyncSession
