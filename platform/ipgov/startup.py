"""Building a platform: load plugins, validate their catalog, open the database, start services.

The composition root: the one module that knows every service ``Platform`` holds. Nothing in
the core imports it except entry points (command line, worker, web application) and
``ipgov.api``; services receive the ``Platform`` it builds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from types import ModuleType

from ipgov import core_plugin
from ipgov.audit.chain import AuditKey
from ipgov.audit.witness import WitnessWriter, build_witness
from ipgov.authz.service import AuthzService
from ipgov.db import Database
from ipgov.db.session import engine_options
from ipgov.events.record import record_event
from ipgov.identity.service import build_token_services
from ipgov.jobs.service import enqueue_job
from ipgov.notify.routing import route_event
from ipgov.plugins.catalog import build_catalog
from ipgov.plugins.manager import PluginRegistry
from ipgov.reviews.events import emit_event, review_on_event
from ipgov.runtime import Platform
from ipgov.settings import PluginConfig, Settings
from ipgov.telemetry import Telemetry

__all__ = ["DEFAULT_PLUGINS", "build_platform", "new_registry", "plugins_setting"]

DEFAULT_PLUGINS: tuple[ModuleType, ...] = (core_plugin,)
"""The core's built-in plugins, registered before the installed ones (datasette's manner)."""


def plugins_setting(settings: Settings) -> list[str] | None:
    """The plugins ``IPGOV_ENABLED_PLUGINS`` names (``None``: every installed plugin)."""
    names = [p.strip() for p in settings.enabled_plugins.split(",") if p.strip()]
    return names or None


def new_registry(only: Iterable[str] | None = None) -> PluginRegistry:
    """A registry holding the built-in plugins and the installed ones (those in ``only``)."""
    registry = PluginRegistry()
    for module in DEFAULT_PLUGINS:
        registry.register(module, builtin=True)
    registry.load_entry_points(only=only)
    return registry


def build_platform(settings: Settings, *, plugins: list[str] | None = None) -> Platform:
    """Load plugins, validate what they contribute, open the database, prepare services.

    ``plugins`` limits which installed plugins load (``IPGOV_ENABLED_PLUGINS`` otherwise;
    empty means all). A broken contribution raises ``PluginContractError`` here, at start-up.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    registry = new_registry(plugins if plugins is not None else plugins_setting(settings))
    catalog = build_catalog(registry)  # imports every model into the shared metadata
    plugin_config = PluginConfig.resolve(  # PluginSettingError names plugin, setting, variable
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
        services={"enqueue_job": enqueue_job, "emit_event": emit_event,
                  "record_event": record_event},
        event_consumers=[review_on_event, route_event],
    )
    platform._catalog = catalog
    platform.witness = WitnessWriter(build_witness(settings.audit_witness_url, settings.data_dir),
                                     platform.audit_key)
    platform.telemetry = Telemetry(settings)
    for engine in db.engines:
        platform.telemetry.instrument_engine(engine)
    platform.authz = AuthzService(platform)
    platform.tokens = build_token_services(settings)
    return platform
