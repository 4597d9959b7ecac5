"""Loading plugins from the ``ipgov.plugins`` entry-point group and calling their hooks."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .contracts import API_VERSION, PluginInfo

__all__ = ["PluginLoadError", "PluginRegistry", "ENTRY_POINT_GROUP", "call_and_await",
           "installed_by"]

ENTRY_POINT_GROUP = "ipgov.plugins"
log = logging.getLogger(__name__)


class PluginLoadError(RuntimeError):
    """A plugin could not be loaded (import error, missing PLUGIN_INFO, wrong API version)."""


@dataclass(frozen=True)
class LoadedPlugin:
    """A registered plugin: its declared info and the module that implements its hooks."""

    info: PluginInfo
    module: ModuleType


class PluginRegistry:
    """A pluggy manager plus what each plugin declared; one per application."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.builtins: dict[str, LoadedPlugin] = {}
        self.generation = 0
        """Incremented by every registration: a catalog built before it is out of date."""

    @property
    def hook(self) -> Any:
        """The hook relay (``registry.hook.register_models()``)."""
        return self.pm.hook

    def register(self, module: ModuleType, *, builtin: bool = False) -> PluginInfo:
        """Register a hooks module after checking its ``PLUGIN_INFO`` and API version.

        A ``builtin`` plugin is part of the core (``ipgov.startup.DEFAULT_PLUGINS``): always
        in effect, never listed, enabled or disabled per tenant.
        """
        info = getattr(module, "PLUGIN_INFO", None)
        if not isinstance(info, PluginInfo):
            raise PluginLoadError(f"{module.__name__}: no PLUGIN_INFO = ipgov.api.PluginInfo(...)")
        if info.api_version != API_VERSION:
            raise PluginLoadError(
                f"plugin {info.name} {info.version} needs plugin API {info.api_version}, "
                f"this ipgov provides API {API_VERSION}"
            )
        if info.name in self.plugins or info.name in self.builtins:
            raise PluginLoadError(f"plugin name {info.name!r} is registered twice")
        self.pm.register(module, name=info.name)
        (self.builtins if builtin else self.plugins)[info.name] = LoadedPlugin(info, module)
        self.generation += 1
        return info

    def load_entry_points(self, only: Iterable[str] | None = None) -> list[PluginInfo]:
        """Load every installed plugin (or those named in ``only``), sorted by name."""
        wanted = set(only) if only is not None else None
        loaded = []
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if wanted is not None and ep.name not in wanted:
                continue
            try:
                module = ep.load()
            except Exception as exc:
                raise PluginLoadError(f"plugin {ep.name}: cannot import {ep.value}: {exc}") from exc
            info = self.register(module)
            if info.name != ep.name:
                raise PluginLoadError(
                    f"entry point {ep.name!r} registers a plugin named {info.name!r}; "
                    "the two names must match")
            loaded.append(info)
        return loaded

    def names(self) -> list[str]:
        """Registered plugin names, sorted."""
        return sorted(self.plugins)

    def default_enabled(self) -> list[str]:
        """Plugins enabled for a new tenant unless the caller says otherwise."""
        return [n for n in self.names() if self.plugins[n].info.default_enabled]

    def hook_for(self, name: str, enabled: Iterable[str]) -> Any:
        """A caller of hook ``name`` limited to the plugins in ``enabled``."""
        wanted = set(enabled)
        disabled = [p.module for n, p in self.plugins.items() if n not in wanted]
        return self.pm.subset_hook_caller(name, remove_plugins=disabled)

    def plugin_of(self, impl_module: Any) -> str | None:
        """The name of the plugin a hook implementation belongs to."""
        return self.pm.get_name(impl_module)

    def results_by_plugin(self, name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call hook ``name`` and pair each result with its plugin's name, sorted by name."""
        pairs = []
        for impl in getattr(self.pm.hook, name).get_hookimpls():
            result = impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
            if result is not None:
                pairs.append((impl.plugin_name, result))
        return sorted(pairs, key=lambda p: p[0])


def installed_by(distribution: str) -> list[str]:
    """The plugins a distribution registers (``ipgov``: the first-party ones), sorted."""
    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)
                  if ep.dist is not None and ep.dist.name == distribution)


async def call_and_await(results: Iterable[Any]) -> list[Any]:
    """Await every awaitable among hook results, in order; return all results."""
    out = []
    for result in results:
        out.append(await result if inspect.isawaitable(result) else result)
    return out
