"""The running platform: settings, database, plugins, authorization, audit and tokens together.

One ``Platform`` per process (API server, worker, CLI command); services receive it instead of
reaching for globals, so tests can build as many isolated platforms as they need. It is built
by ``ipgov.startup.build_platform``; this module only holds it, so the services it holds can
name its type without an import circle (nothing here imports a service).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.audit.chain import AuditKey, append_event
from ipgov.audit.models import AuditEvent
from ipgov.audit.witness import WitnessWriter
from ipgov.context import acting_through, current_request_id
from ipgov.db import Database
from ipgov.db.scope import TenantScope
from ipgov.plugins.catalog import PluginCatalog, build_catalog
from ipgov.plugins.context import SessionContext
from ipgov.plugins.manager import PluginRegistry
from ipgov.settings import PluginConfig, PluginSettings, Settings
from ipgov.tenancy.directory import TenantDirectory
from ipgov.work.running import Work

if TYPE_CHECKING:
    from ipgov.graphql.cursors import CursorCodec
    from ipgov.plugins.context import EventRecord, PlatformContext, QueuedRecord, RecordedEvent

__all__ = ["EventConsumer", "Platform", "current_platform", "platform_var"]

EventConsumer = Callable[["Platform", Any], Awaitable[None]]
"""``async consumer(platform, event)``: sees every dispatched event (an
``ipgov.events.models.Event`` row), at least once: it must be idempotent by ``event.id``."""

platform_var: ContextVar[Platform | None] = ContextVar("ipgov_platform", default=None)


def current_platform() -> Platform:
    """The platform running the current review or request (set by the runner)."""
    platform = platform_var.get()
    if platform is None:
        raise RuntimeError("no platform in this context")
    return platform


@dataclass
class Platform:
    """Everything a service needs, built once per process by ``build_platform``.

    Plugins see it as ``ipgov.api.PlatformContext`` (the members documented in
    ``docs/internals.md``); the other attributes are the core's.
    """

    settings: Settings
    db: Database
    registry: PluginRegistry
    audit_key: AuditKey
    authz: Any = None
    tokens: Any = None
    telemetry: Any = None
    witness: WitnessWriter | None = None
    #: Plugin settings, resolved and validated at start-up (``plugin_settings``).
    plugin_config: PluginConfig = field(default_factory=PluginConfig)
    #: The GraphQL cursor signer (``ipgov.graphql.cursors.CursorCodec.of``).
    cursor_codec: CursorCodec | None = None
    #: Follows token revocations into this process (``RevocationFollower.of``, typed there:
    #: the identity services sit above the platform).
    revocation_follower: Any = None
    #: What live subscriptions wait on (``ipgov.live.hub.LiveHub.of``; made on first use).
    live_hub: Any = None
    #: Plugin GET routes keyed by the tenant alone (``ipgov.web.downloads.tenant_routes``).
    download_routes: list[tuple[str, str, str]] | None = None
    #: Rate limiters by their limits (``ipgov.web.ratelimit.rate_limits``; typed there: HTTP
    #: sits above the platform).
    rate_limiters: dict[str, Any] = field(default_factory=dict)
    #: The kinds of queued work and the queue this process sends them to (``ipgov.work``).
    work: Work = field(default_factory=Work.core)
    #: What every dispatched event is handed to, in order (``ipgov.events.work``): the review
    #: trigger, the notification router; registered by ``ipgov.startup.build_platform``.
    event_consumers: list[EventConsumer] = field(default_factory=list)
    #: Service functions the context offers plugins (``enqueue_job``, ``emit_event``,
    #: ``record_event``), set by
    #: ``ipgov.startup`` (the one module allowed to import both this one and the services).
    services: dict[str, Callable[..., Awaitable[Any]]] = field(default_factory=dict, repr=False)
    _catalog: PluginCatalog | None = field(default=None, init=False, repr=False)
    _plugin_state: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    # -- the plugin catalog (ipgov/plugins/catalog.py) -------------------------------------

    @property
    def catalog(self) -> PluginCatalog:
        """Every plugin contribution, validated: built by ``build_platform`` at start-up.

        A plugin registered after start-up (tests do) makes the next read build it again.
        """
        if self._catalog is None or self._catalog.generation != self.registry.generation:
            self._catalog = build_catalog(self.registry)
        return self._catalog

    @contextmanager
    def current(self) -> Iterator[Platform]:
        """Inside: this platform is ``current_platform()`` (for checks and job handlers)."""
        token = platform_var.set(self)
        try:
            yield self
        finally:
            platform_var.reset(token)

    # --- the plugin context (ipgov.api.PlatformContext) ------------------------------------

    @property
    def tenants(self) -> TenantDirectory:
        """The tenant directory (``info``, ``ancestors``, ``descendants``), from memory."""
        return self.authz.directory if self.authz is not None else TenantDirectory()

    def tenant_session(self, tenant_id: str) -> SessionContext:
        """A read-write session of one tenant."""
        return self.db.session(TenantScope.tenant(tenant_id))

    def read_session(self, tenant_id: str) -> SessionContext:
        """A read-only session of one tenant (never commits, no write lock on SQLite)."""
        return self.db.session(TenantScope.tenant(tenant_id), readonly=True)

    def tenants_session(self, tenant_ids: Iterable[str], reason: str, *,
                        readonly: bool = False) -> SessionContext:
        """A session over several tenants; ``reason`` says why."""
        return self.db.session(TenantScope.tenants(frozenset(tenant_ids), reason),
                               readonly=readonly)

    def index_session(self, plugin: str, purpose: str) -> SessionContext:
        """A read-only session over every tenant for building ``plugin``'s derived index."""
        return self.db.session(TenantScope.system(f"{plugin}: derived index: {purpose}"),
                               readonly=True)

    def plugin_settings(self, plugin: str) -> PluginSettings:
        """The settings ``plugin`` declared, as configured."""
        return self.plugin_config.of(plugin)

    def plugin_state(self, plugin: str) -> dict[str, Any]:
        """``plugin``'s own per-process dictionary (its caches)."""
        return self._plugin_state.setdefault(plugin, {})

    def allowed(self, subject: str, tenant_id: str, obj: str, action: str) -> bool:
        """The authorization decision for ``subject`` in ``tenant_id``."""
        return bool(self.authz.enforce(subject, tenant_id, obj, action))

    def tenants_where(self, subject: str, obj: str, action: str) -> set[str] | None:
        """The tenants where ``subject`` may do ``action`` on ``obj`` (``None``: all)."""
        found: set[str] | None = self.authz.tenants_where(subject, obj, action)
        return found

    async def enqueue_job(self, *, tenant_id: str, kind: str,
                          params: Mapping[str, Any] | None = None, actor: str,
                          idempotency_key: str | None = None) -> QueuedRecord:
        """Record a job (``ipgov.api.enqueue_job``)."""
        return await self._service("enqueue_job")(self, tenant_id=tenant_id, kind=kind,
                                 params=dict(params or {}), actor=actor,
                                 idempotency_key=idempotency_key)

    async def emit_event(self, event: EventRecord, *,
                         actor: str = "system") -> QueuedRecord | None:
        """Raise a platform event (``ipgov.api.emit_event``)."""
        result: QueuedRecord | None = await self._service("emit_event")(self, event, actor=actor)
        return result

    async def record_event(self, session: AsyncSession, *, tenant_id: str, type: str,
                           payload: Mapping[str, Any], actor: str, object_id: str = "",
                           severity: str | None = None,
                           idempotency_key: str | None = None) -> RecordedEvent | None:
        """Record an event in ``session``'s transaction (``ipgov.api.record_event``)."""
        result: RecordedEvent | None = await self._service("record_event")(
            self, session, tenant_id=tenant_id, type=type, payload=payload, actor=actor,
            object_id=object_id, severity=severity, idempotency_key=idempotency_key)
        return result

    def _service(self, name: str) -> Callable[..., Awaitable[Any]]:
        """A service function the composition root (``ipgov.startup``) wired in, so this module
        imports no service and no circle runs through it."""
        found = self.services.get(name)
        if found is None:
            raise RuntimeError(f"the platform was built without the {name!r} service "
                               "(build it with ipgov.startup.build_platform)")
        return found

    async def audit(
        self,
        session: AsyncSession,
        *,
        tenant_id: str,
        actor: str,
        action: str,
        object_type: str,
        object_id: str = "",
        details: dict[str, Any] | None = None,
        changed: Any = None,
    ) -> AuditEvent:
        """Append an audit event to ``tenant_id``'s chain in the caller's transaction.

        The event records the before/after values of the object it names (``object_id``), or
        of ``changed`` (an ORM object) when what changed is another object.
        """
        via = acting_through.get()
        if via:
            details = {**(details or {}), "via": via}
        return await append_event(
            session,
            self.audit_key,
            tenant_id=tenant_id,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            request_id=current_request_id(),
            details=details,
            witness=self.witness,
            changed=changed,
        )

    async def close(self) -> None:
        """Stop background work and close database connections."""
        if self.authz is not None:
            await self.authz.stop()
        if self.witness is not None:
            self.witness.close()
        await self.db.dispose()
        if self.telemetry is not None:
            self.telemetry.shutdown()


if TYPE_CHECKING:

    def _platform_is_a_plugin_context(platform: Platform) -> PlatformContext:
        """mypy proves here that ``Platform`` satisfies ``PlatformContext`` structurally."""
        return platform

