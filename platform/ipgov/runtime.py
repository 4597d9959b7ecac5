"""The running platform: settings, database, plugins, authorization, audit and tokens together.

One ``Platform`` per process (API server, worker, CLI command); services receive it instead of
reaching for globals, so tests can build as many isolated platforms as they need.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.audit.chain import AuditKey, append_event
from ipgov.audit.models import AuditEvent
from ipgov.audit.witness import WitnessWriter, build_witness
from ipgov.context import current_request_id
from ipgov.db import Database
from ipgov.db.scope import TenantScope
from ipgov.db.session import engine_options
from ipgov.plugins.context import SessionContext, TenantRecord
from ipgov.plugins.manager import PluginRegistry
from ipgov.settings import PluginConfig, PluginSettings, Settings

if TYPE_CHECKING:
    from ipgov.graphql.cursors import CursorCodec
    from ipgov.identity.revocations import RevocationFollower
    from ipgov.plugins.context import EventRecord, PlatformContext, QueuedRecord
    from ipgov.web.ratelimit import RateLimits

__all__ = ["Platform", "build_platform", "current_platform", "platform_var"]

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
    #: Follows token revocations into this process (``RevocationFollower.of``).
    revocation_follower: RevocationFollower | None = None
    #: Plugin GET routes keyed by the tenant alone (``ipgov.web.downloads.tenant_routes``).
    download_routes: list[tuple[str, str, str]] | None = None
    #: Rate limiters by their limits (``ipgov.web.ratelimit.rate_limits``).
    rate_limiters: dict[str, RateLimits] = field(default_factory=dict)
    #: Core state not yet given a typed attribute (the work queue, the check catalog): the
    #: helpers that own them replace these keys; plugins use ``plugin_state``.
    extras: dict[str, Any] = field(default_factory=dict)
    _plugin_state: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    # --- the plugin context (ipgov.api.PlatformContext) ------------------------------------

    @property
    def tenants(self) -> TenantDirectoryView:
        """The tenant directory (``info``, ``ancestors``, ``descendants``), from memory."""
        return TenantDirectoryView(self.authz)

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
        from ipgov.jobs.service import enqueue_job

        return await enqueue_job(self, tenant_id=tenant_id, kind=kind,
                                 params=dict(params or {}), actor=actor,
                                 idempotency_key=idempotency_key)

    async def emit_event(self, event: EventRecord, *,
                         actor: str = "system") -> QueuedRecord | None:
        """Raise a platform event (``ipgov.api.emit_event``)."""
        from ipgov.reviews.events import emit_event

        return await emit_event(self, event, actor=actor)  # type: ignore[arg-type]

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


class TenantDirectoryView:
    """The tenant directory over the authorization layer's in-memory tenants."""

    def __init__(self, authz: Any) -> None:
        self._directory: Mapping[str, TenantRecord] = authz.directory if authz else {}

    def info(self, tenant_id: str) -> TenantRecord | None:
        """The tenant ``tenant_id``; ``None`` for an unknown id."""
        return self._directory.get(tenant_id)

    def ancestors(self, tenant_id: str) -> list[TenantRecord]:
        """Its parent, ... up to the group root."""
        chain = []
        current = self.info(tenant_id)
        while current is not None and current.parent_id is not None:
            current = self.info(current.parent_id)
            if current is not None:
                chain.append(current)
        return chain

    def descendants(self, tenant_id: str) -> list[TenantRecord]:
        """Every tenant below ``tenant_id`` (any depth), sorted by slug."""
        below = [info for info in self._directory.values()
                 if any(a.id == tenant_id for a in self.ancestors(info.id))]
        return sorted(below, key=lambda i: i.slug)


def build_platform(settings: Settings, *, plugins: list[str] | None = None) -> Platform:
    """Load plugins, open the database and prepare authorization and tokens.

    ``plugins`` limits which installed plugins load (``IPGOV_ENABLED_PLUGINS`` otherwise;
    empty means all).
    """
    from ipgov.authz.service import AuthzService
    from ipgov.identity.service import build_token_services
    from ipgov.telemetry import Telemetry

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    registry = PluginRegistry()
    if plugins is None and settings.enabled_plugins:
        plugins = [p.strip() for p in settings.enabled_plugins.split(",") if p.strip()]
    registry.load_entry_points(only=plugins)
    import ipgov.reviews.models  # noqa: F401 - core models in the shared metadata

    registry.hook.register_models()  # imports every plugin's models into the shared metadata
    plugin_config = PluginConfig.resolve(
        dict(registry.results_by_plugin("register_settings")),
        {**os.environ, **settings.extra})
    db = Database(settings.app_sqlalchemy_url, system_url=settings.system_sqlalchemy_url,
                  **engine_options(settings))
    platform = Platform(
        settings=settings,
        db=db,
        registry=registry,
        audit_key=AuditKey.load_or_create(settings.data_dir, settings.audit_key),
        plugin_config=plugin_config,
    )
    platform.witness = WitnessWriter(build_witness(settings.audit_witness_url, settings.data_dir),
                                     platform.audit_key)
    platform.telemetry = Telemetry(settings)
    for engine in db.engines:
        platform.telemetry.instrument_engine(engine)
    platform.authz = AuthzService(platform)
    platform.tokens = build_token_services(settings)
    return platform
