"""The running platform: settings, database, plugins, authorization, audit and tokens together.

One ``Platform`` per process (API server, worker, CLI command); services receive it instead of
reaching for globals, so tests can build as many isolated platforms as they need. It is built
by ``ipgov.startup.build_platform``; this module only holds it, so the services it holds can
name its type without an import circle (nothing here imports a service).
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
from ipgov.audit.witness import WitnessWriter
from ipgov.context import current_request_id
from ipgov.db import Database
from ipgov.plugins.catalog import PluginCatalog, build_catalog
from ipgov.plugins.manager import PluginRegistry
from ipgov.settings import Settings
from ipgov.work.running import Work

__all__ = ["Platform", "current_platform", "platform_var"]

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
    _catalog: PluginCatalog | None = field(default=None, init=False, repr=False)

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
