"""The running platform: settings, database, plugins, authorization, audit and tokens together.

One ``Platform`` per process (API server, worker, CLI command); services receive it instead of
reaching for globals, so tests can build as many isolated platforms as they need.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.audit.chain import AuditKey, append_event
from ipgov.audit.models import AuditEvent
from ipgov.audit.witness import WitnessWriter, build_witness
from ipgov.context import current_request_id
from ipgov.db import Database
from ipgov.db.session import engine_options
from ipgov.plugins.manager import PluginRegistry
from ipgov.settings import Settings
from ipgov.work.running import Work

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
    """Everything a service needs, built once per process by ``build_platform``."""

    settings: Settings
    db: Database
    registry: PluginRegistry
    audit_key: AuditKey
    authz: Any = None
    tokens: Any = None
    telemetry: Any = None
    witness: WitnessWriter | None = None
    work: Work = field(default_factory=Work.core)
    extras: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def current(self) -> Iterator[Platform]:
        """Inside: this platform is ``current_platform()`` (for checks and job handlers)."""
        token = platform_var.set(self)
        try:
            yield self
        finally:
            platform_var.reset(token)

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
    db = Database(settings.app_sqlalchemy_url, system_url=settings.system_sqlalchemy_url,
                  **engine_options(settings))
    platform = Platform(
        settings=settings,
        db=db,
        registry=registry,
        audit_key=AuditKey.load_or_create(settings.data_dir, settings.audit_key),
    )
    platform.witness = WitnessWriter(build_witness(settings.audit_witness_url, settings.data_dir),
                                     platform.audit_key)
    platform.telemetry = Telemetry(settings)
    for engine in db.engines:
        platform.telemetry.instrument_engine(engine)
    platform.authz = AuthzService(platform)
    platform.tokens = build_token_services(settings)
    return platform
