"""The plugin catalog: every contribution of every loaded plugin, collected and validated once.

``build_platform`` builds it at start-up, so a plugin that contributes something broken (a
permission another plugin declares, a check without Chinese texts, a job kind outside its
namespace) stops the process with one :class:`PluginContractError` naming the plugin and the
contribution, instead of failing the first review that reaches it. Services then read typed
attributes (``platform.catalog.checks``, ``.jobs``, ``.permissions``) and never call a
collecting hook themselves. The core contributes through the same hooks, as built-in plugins
(``ipgov.startup.DEFAULT_PLUGINS``); built-in contributions need no plugin-name prefix.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipgov.db.base import Base
from ipgov.events.catalog import EventType, event_type_problems
from ipgov.i18n.text import placeholders
from ipgov.reviews.checks import Check

from .contracts import FrameworkCatalog, GraphQLContribution, JobKind, Permission, SupervisionMetric
from .workspace import WorkspaceModule, extension_problems

if TYPE_CHECKING:
    from .manager import PluginRegistry

__all__ = ["PluginCatalog", "PluginContractError", "build_catalog", "text_problems"]

log = logging.getLogger("ipgov.plugins")


class PluginContractError(RuntimeError):
    """A plugin's contribution breaks the plugin contract; raised at start-up.

    ``plugin`` names the plugin, ``contribution`` what is at fault (``check x.y``,
    ``permission x:y``, ``job kind x.y``); the message says what is wrong with it.
    """

    def __init__(self, plugin: str, contribution: str, problem: str) -> None:
        self.plugin = plugin
        self.contribution = contribution
        self.problem = problem
        super().__init__(f"plugin {plugin}: {contribution}: {problem}")


@dataclass(frozen=True)
class PluginCatalog:
    """What the loaded plugins contribute, each list sorted by plugin then by key.

    ``generation`` is the registry's generation it was built from (a plugin registered later,
    in a test, makes the platform build a new catalog).
    """

    generation: int
    builtins: frozenset[str]
    models: tuple[tuple[str, type], ...] = ()
    migrations: tuple[tuple[str, Path], ...] = ()
    permissions: tuple[tuple[str, Permission], ...] = ()
    checks: tuple[tuple[str, Check], ...] = ()
    jobs: Mapping[str, tuple[str, JobKind]] = field(default_factory=dict)
    graphql: tuple[tuple[str, GraphQLContribution], ...] = ()
    routes: tuple[tuple[str, Any], ...] = ()
    frameworks: tuple[tuple[str, FrameworkCatalog], ...] = ()
    metrics: tuple[tuple[str, SupervisionMetric], ...] = ()
    checks_by_id: Mapping[str, Check] = field(default_factory=dict)
    workspace_extensions: tuple[WorkspaceModule, ...] = ()
    event_types: Mapping[str, tuple[str, EventType]] = field(default_factory=dict)

    def checks_for(self, enabled_plugins: Iterable[str]) -> list[tuple[str, Check]]:
        """The checks a review of a tenant with these plugins enabled runs (built-ins always)."""
        wanted = set(enabled_plugins) | self.builtins
        return [(p, c) for p, c in self.checks if p in wanted]

    def metrics_for(self, enabled_plugins: Iterable[str]) -> list[tuple[str, SupervisionMetric]]:
        """The supervision metrics of these plugins (and of the built-ins)."""
        wanted = set(enabled_plugins) | self.builtins
        return [(p, m) for p, m in self.metrics if p in wanted]

    def workspace_for(self, enabled_plugins: Iterable[str]) -> list[WorkspaceModule]:
        """The workspace extensions of these plugins (and of the built-ins), by plugin."""
        wanted = set(enabled_plugins) | self.builtins
        return [m for m in self.workspace_extensions if m.plugin in wanted]

    def workspace_module(self, plugin: str) -> WorkspaceModule | None:
        """The extension ``plugin`` declared, if any (whether or not it is built)."""
        return next((m for m in self.workspace_extensions if m.plugin == plugin), None)


class _Collector:
    """Calls one collecting hook and checks each item; remembers keys to refuse duplicates."""

    def __init__(self, registry: PluginRegistry) -> None:
        self.registry = registry
        self.builtins = frozenset(registry.builtins)

    def items(self, hook: str, kind: type | tuple[type, ...], what: str
              ) -> list[tuple[str, Any]]:
        """``(plugin, item)`` for every item of every plugin's result of ``hook``."""
        found = []
        for plugin, result in self.registry.results_by_plugin(hook):
            values = result.items() if isinstance(result, Mapping) else result
            if not isinstance(values, Iterable):
                raise PluginContractError(plugin, hook, f"returned {result!r}, not a list")
            for value in values:
                if not isinstance(value, kind) and kind is not object:
                    raise PluginContractError(plugin, f"{what} {value!r}",
                                              f"is not ipgov.api.{_names(kind)}")
                found.append((plugin, value))
        return found

    def namespaced(self, plugin: str, key: str, what: str, separator: str) -> None:
        """A partner's keys start with its name (built-ins name the core's own)."""
        if plugin not in self.builtins and not key.startswith(f"{plugin}{separator}"):
            raise PluginContractError(plugin, f"{what} {key!r}",
                                      f"must start with '{plugin}{separator}'")


def _names(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))


def _unique(pairs: list[tuple[str, Any]], key: Callable[[Any], str], what: str
            ) -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for plugin, item in pairs:
        k = key(item)
        if k in found:
            raise PluginContractError(plugin, f"{what} {k!r}",
                                      f"is also declared by plugin {found[k][0]}")
        found[k] = (plugin, item)
    return found


def _models(c: _Collector) -> tuple[tuple[str, type], ...]:
    pairs = c.items("register_models", type, "model")
    for plugin, model in pairs:
        if not issubclass(model, Base):
            raise PluginContractError(plugin, f"model {model.__name__}",
                                      "is not a subclass of ipgov.api.Base")
    return tuple(pairs)


def _migrations(c: _Collector) -> tuple[tuple[str, Path], ...]:
    found = []
    for plugin, location in c.registry.results_by_plugin("register_migrations"):
        if not Path(location).is_dir():
            raise PluginContractError(plugin, "register_migrations",
                                      f"{location} is not a directory")
        found.append((plugin, Path(location)))
    return tuple(found)


def _permissions(c: _Collector) -> tuple[tuple[str, Permission], ...]:
    pairs = c.items("register_permissions", Permission, "permission")
    for plugin, perm in pairs:
        c.namespaced(plugin, perm.object, "permission", ":")
        if not perm.actions or not all(isinstance(a, str) and a for a in perm.actions):
            raise PluginContractError(plugin, f"permission {perm.object!r}",
                                      "declares no actions (a tuple of names)")
    return tuple(_unique(pairs, lambda p: p.object, "permission").values())


def text_problems(check: Check) -> list[str]:
    """What is wrong with a check's finding texts: a language missing, or the Chinese text
    not carrying every parameter the English one does (it would lose the specifics)."""
    problems = []
    for name, text in check.texts.items():
        where = f"check {check.id}, text {name!r}"
        for part in ("title", "recommendation"):
            en, zh = getattr(text, part), getattr(text, f"{part}_zh")
            if en and not zh.strip():
                problems.append(f"{where}: the zh-CN {part} is missing")
            missing = placeholders(en) - placeholders(zh) if zh else set()
            if missing:
                problems.append(f"{where}: the zh-CN {part} lacks "
                                + ", ".join("{" + m + "}" for m in sorted(missing)))
    return problems


def _checks(c: _Collector) -> tuple[tuple[str, Check], ...]:
    pairs = c.items("register_checks", Check, "check")
    for plugin, check in pairs:
        c.namespaced(plugin, check.id, "check", ".")
        problems = text_problems(check)
        if problems:
            raise PluginContractError(plugin, f"check {check.id}", "; ".join(
                p.removeprefix(f"check {check.id}, ") for p in problems))
        if not callable(check.run):
            raise PluginContractError(plugin, f"check {check.id}", "run is not callable")
    found = _unique(pairs, lambda ch: ch.id, "check")
    return tuple(found[k] for k in sorted(found))


def _jobs(c: _Collector) -> dict[str, tuple[str, JobKind]]:
    kinds: dict[str, tuple[str, JobKind]] = {}
    for plugin, (name, value) in c.items("register_jobs", object, "job kind"):
        c.namespaced(plugin, name, "job kind", ".")
        if name in kinds:
            raise PluginContractError(plugin, f"job kind {name!r}",
                                      f"is also declared by plugin {kinds[name][0]}")
        kind = value if isinstance(value, JobKind) else JobKind(handler=value)
        if not inspect.iscoroutinefunction(kind.handler):
            raise PluginContractError(plugin, f"job kind {name!r}",
                                      "the handler must be an async function")
        kinds[name] = (plugin, kind)
    return dict(sorted(kinds.items()))


def _graphql(c: _Collector) -> tuple[tuple[str, GraphQLContribution], ...]:
    found = []
    for plugin, contribution in c.registry.results_by_plugin("register_graphql_types"):
        if not isinstance(contribution, GraphQLContribution):
            raise PluginContractError(plugin, "register_graphql_types",
                                      "must return ipgov.api.GraphQLContribution")
        found.append((plugin, contribution))
    return tuple(found)


def _routes(c: _Collector) -> tuple[tuple[str, Any], ...]:
    pairs = c.items("register_routes", object, "route")
    for plugin, handler in pairs:
        if not hasattr(handler, "paths") and not hasattr(handler, "route_handlers"):
            raise PluginContractError(plugin, f"route {handler!r}",
                                      "is not a Litestar route handler or router")
    return tuple(pairs)


def _frameworks(c: _Collector) -> tuple[tuple[str, FrameworkCatalog], ...]:
    pairs = c.items("register_framework_catalogs", FrameworkCatalog, "framework catalog")
    for plugin, catalog in pairs:
        if not catalog.path.is_file():
            raise PluginContractError(plugin, f"framework catalog {catalog.id!r}",
                                      f"{catalog.path} is not a file")
    found = _unique(pairs, lambda f: f.id, "framework catalog")
    return tuple(found[k] for k in sorted(found))


def _metrics(c: _Collector) -> tuple[tuple[str, SupervisionMetric], ...]:
    pairs = c.items("register_supervision_metrics", SupervisionMetric, "supervision metric")
    for plugin, metric in pairs:
        c.namespaced(plugin, metric.key, "supervision metric", ".")
        if not callable(metric.compute):
            raise PluginContractError(plugin, f"supervision metric {metric.key!r}",
                                      "compute is not callable")
        if not metric.title_zh.strip():
            raise PluginContractError(plugin, f"supervision metric {metric.key!r}",
                                      "the zh-CN title is missing")
    found = _unique(pairs, lambda m: m.key, "supervision metric")
    return tuple(found[k] for k in sorted(found))


def _event_types(c: _Collector) -> dict[str, tuple[str, EventType]]:
    pairs = c.items("register_event_types", EventType, "event type")
    for plugin, event_type in pairs:
        c.namespaced(plugin, event_type.name, "event type", ".")
        for problem in event_type_problems(event_type):
            raise PluginContractError(plugin, f"event type {event_type.name!r}", problem)
    found = _unique(pairs, lambda t: t.name, "event type")
    return {name: found[name] for name in sorted(found)}


def _workspace_extensions(c: _Collector, permissions: tuple[tuple[str, Permission], ...]
                          ) -> tuple[WorkspaceModule, ...]:
    """One extension per plugin, checked; a module not built yet is logged, not refused."""
    declared = {perm.object: perm.actions for _p, perm in permissions}
    found = []
    for plugin, result in c.registry.results_by_plugin("register_workspace_extensions"):
        values = list(result) if isinstance(result, list | tuple) else [result]
        if not values:
            continue
        if len(values) > 1:
            raise PluginContractError(plugin, "register_workspace_extensions",
                                      f"returned {len(values)} extensions; a plugin ships one "
                                      "module (it may hold many pages and widgets)")
        for contribution, problem in extension_problems(plugin, values[0], declared):
            raise PluginContractError(plugin, contribution, problem)
        module = WorkspaceModule(plugin, values[0])
        if module.version() is None:
            log.warning("plugin %s: workspace module %s is missing (not built yet?); its "
                        "screens are unavailable until it exists",
                        plugin, module.root / module.extension.entry)
        found.append(module)
    return tuple(found)


def build_catalog(registry: PluginRegistry) -> PluginCatalog:
    """Collect and validate every contribution of the registry's plugins (once per process)."""
    c = _Collector(registry)
    checks = _checks(c)
    permissions = _permissions(c)
    return PluginCatalog(
        generation=registry.generation,
        builtins=c.builtins,
        models=_models(c),
        migrations=_migrations(c),
        permissions=permissions,
        checks=checks,
        jobs=_jobs(c),
        graphql=_graphql(c),
        routes=_routes(c),
        frameworks=_frameworks(c),
        metrics=_metrics(c),
        checks_by_id={ch.id: ch for _p, ch in checks},
        workspace_extensions=_workspace_extensions(c, permissions),
        event_types=_event_types(c),
    )
