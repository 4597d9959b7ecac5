"""The platform as a plugin sees it: ``PlatformContext``, a typed protocol (``ipgov.api``).

Hooks, routes, jobs and command-line commands receive the running platform; plugins annotate
it with ``PlatformContext`` and use only its members, the way datasette plugins use the
documented methods of the ``datasette`` object. ``ipgov.runtime.Platform`` satisfies it (a test
checks every member). Documented member by member in ``docs/internals.md``.

This module imports nothing of ipgov at run time (types only), so that the hook specs can name
it without an import circle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ipgov.settings import PluginSettings, Settings

__all__ = [
    "AuditRecord",
    "EventRecord",
    "PlatformContext",
    "QueuedRecord",
    "RecordedEvent",
    "SessionContext",
    "TenantDirectory",
    "TenantRecord",
]


class TenantRecord(Protocol):
    """A tenant as the platform knows it from memory (no database round trip)."""

    @property
    def id(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def root_id(self) -> str: ...
    @property
    def governance_mode(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def enabled_plugins(self) -> frozenset[str]: ...


@runtime_checkable
class TenantDirectory(Protocol):
    """The tenant tree: one tenant, the chain above it, everything below it."""

    def info(self, tenant_id: str) -> TenantRecord | None:
        """The tenant ``tenant_id``; ``None`` for an unknown id."""
        ...

    def ancestors(self, tenant_id: str) -> Sequence[TenantRecord]:
        """Its parent, the parent's parent, ... up to the group root (the tenant excluded)."""
        ...

    def descendants(self, tenant_id: str) -> Sequence[TenantRecord]:
        """Every tenant below it, any depth, sorted by slug (the tenant excluded)."""
        ...


class AuditRecord(Protocol):
    """An appended audit event: plugins keep its id."""

    @property
    def id(self) -> str: ...


class QueuedRecord(Protocol):
    """A job or a review the platform recorded: its id and where it stands."""

    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...


class EventRecord(Protocol):
    """Something that happened in a tenant (``ipgov.api.PlatformEvent``)."""

    @property
    def tenant_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def event_id(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...


class RecordedEvent(Protocol):
    """An event written to the outbox (``record_event``): its id is the event id."""

    @property
    def id(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...


SessionContext = AbstractAsyncContextManager["AsyncSession"]


@runtime_checkable
class PlatformContext(Protocol):
    """What a plugin may use of the running platform (``docs/internals.md``)."""

    @property
    def settings(self) -> Settings:
        """The core's settings (``max_page_size``, ``data_dir``...), read only."""
        ...

    @property
    def tenants(self) -> TenantDirectory:
        """The tenant directory: ``info``, ``ancestors``, ``descendants``."""
        ...

    def tenant_session(self, tenant_id: str) -> SessionContext:
        """A read-write session of one tenant: commits when the block succeeds."""
        ...

    def read_session(self, tenant_id: str) -> SessionContext:
        """A read-only session of one tenant: never commits, never takes the write lock."""
        ...

    def tenants_session(self, tenant_ids: Iterable[str], reason: str, *,
                        readonly: bool = False) -> SessionContext:
        """A session over several tenants (authorize the caller for each first)."""
        ...

    def index_session(self, plugin: str, purpose: str) -> SessionContext:
        """A read-only session over every tenant, only for building a derived index."""
        ...

    async def audit(self, session: AsyncSession, *, tenant_id: str, actor: str, action: str,
                    object_type: str, object_id: str = "",
                    details: dict[str, Any] | None = None,
                    changed: Any = None) -> AuditRecord:
        """Append an event to the tenant's audit chain in ``session``'s transaction."""
        ...

    def plugin_settings(self, plugin: str) -> PluginSettings:
        """The settings ``plugin`` declared (``register_settings``), as configured."""
        ...

    def plugin_state(self, plugin: str) -> dict[str, Any]:
        """A per-process dictionary that belongs to ``plugin`` (its caches)."""
        ...

    def allowed(self, subject: str, tenant_id: str, obj: str, action: str) -> bool:
        """Whether ``subject`` may do ``action`` on ``obj`` in ``tenant_id``."""
        ...

    def tenants_where(self, subject: str, obj: str, action: str) -> set[str] | None:
        """The tenants where ``subject`` may do it (``None``: every tenant)."""
        ...

    async def enqueue_job(self, *, tenant_id: str, kind: str,
                          params: Mapping[str, Any] | None = None, actor: str,
                          idempotency_key: str | None = None) -> QueuedRecord:
        """Record a background job of a declared kind and send it to the workers."""
        ...

    async def emit_event(self, event: EventRecord, *,
                         actor: str = "system") -> QueuedRecord | None:
        """Tell the plugins that something happened (``should_review_on``); the review it
        requested, if any."""
        ...

    async def record_event(self, session: AsyncSession, *, tenant_id: str, type: str,
                           payload: Mapping[str, Any], actor: str, object_id: str = "",
                           severity: str | None = None,
                           idempotency_key: str | None = None) -> RecordedEvent | None:
        """Record an event of a declared type in ``session``'s transaction (the outbox); None
        when ``idempotency_key`` was recorded already."""
        ...
