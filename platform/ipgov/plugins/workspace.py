"""The UI extension contract: screens a plugin adds to the web workspace.

A plugin returns one :class:`WorkspaceExtension` from ``register_workspace_extensions``: the
folder holding its built ES module (``module_dir``), the module's file (``entry``), and the
navigation entries and widgets the workspace shows for it. The workspace knows no plugin by
name: it lists the extensions in effect for a tenant (GraphQL ``workspaceExtensions``), loads
each module from ``/workspace-extensions/<plugin>/<entry>?v=<content hash>`` and calls its
``mount(element, context, target)`` with the versioned context of ``docs/plugins.md``.

The catalog checks the declarations at start-up (:func:`extension_problems`). A missing module
file is not a contract error: a first-party plugin's module may be built by the web build after
the API is installed, so the extension is only *unavailable* (a warning at start-up, ``available:
false`` in GraphQL) and becomes available as soon as the file appears.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CONTEXT_VERSIONS",
    "MAX_ENTRIES",
    "ROUTE_PREFIX",
    "WIDGET_SLOTS",
    "WorkspaceExtension",
    "WorkspaceModule",
    "WorkspaceNavEntry",
    "WorkspaceWidget",
    "extension_problems",
    "file_version",
    "inside",
]

CONTEXT_VERSIONS = frozenset({1})
"""The versions of the mount context this platform's workspace provides."""
WIDGET_SLOTS = frozenset({"home"})
"""Where widgets can go: ``home`` (the workspace's start page)."""
ROUTE_PREFIX = "/workspace-extensions"
"""Where the API serves every extension's ``module_dir`` (``<prefix>/<plugin>/<file>``)."""
MAX_ENTRIES = 32
"""At most this many navigation entries, and as many widgets, per plugin (lists stay bounded)."""

_KEY = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_ICON = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,63}$")
_PATH_TAIL = re.compile(r"^[A-Za-z0-9_\-./:]*$")
_ENTRY = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_\-./]*\.m?js$")
_LOCALES = ("en", "zh-CN")


@dataclass(frozen=True)
class WorkspaceNavEntry:
    """A navigation entry: a page of the plugin's module at ``path``.

    ``label`` maps ``"en"`` (required) and ``"zh-CN"`` to the text people read; ``path`` is
    the route inside the workspace and starts with ``/x/<plugin>/``; ``requires`` is the
    ``(resource, action)`` the caller needs in the tenant to open it (``None``: any member);
    ``section`` groups entries in the menu; ``icon`` names an Ant Design icon
    (``"FileTextOutlined"``).
    """

    key: str
    label: dict[str, str]
    path: str
    requires: tuple[str, str] | None = None
    section: str = "plugins"
    icon: str | None = None


@dataclass(frozen=True)
class WorkspaceWidget:
    """A widget the module mounts in a ``slot`` of the workspace (``"home"`` for now)."""

    key: str
    label: dict[str, str]
    slot: str = "home"
    requires: tuple[str, str] | None = None


@dataclass(frozen=True)
class WorkspaceExtension:
    """What a plugin adds to the web workspace (hook ``register_workspace_extensions``).

    ``module_dir`` is the folder holding the built ES module and its assets (served as it is,
    so it must hold nothing secret); ``entry`` is the module's file name inside it
    (``"index.js"``); ``context_version`` is the mount context the module was written for.
    The plugin is the one whose hook returned it.
    """

    module_dir: Path
    entry: str
    navigation: tuple[WorkspaceNavEntry, ...] = ()
    widgets: tuple[WorkspaceWidget, ...] = ()
    context_version: int = 1


@lru_cache(maxsize=512)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def file_version(path: Path) -> str | None:
    """A short content hash of the file (recomputed only when it changes), ``None`` if absent."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _digest(str(path), stat.st_mtime_ns, stat.st_size) if path.is_file() else None


def inside(root: Path, relative: str) -> Path | None:
    """The regular file ``relative`` names inside ``root``, symlinks resolved; ``None`` when it
    is missing, hidden (a part starts with a dot) or resolves outside ``root``."""
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    if any(not part or part.startswith(".") for part in relative.split("/")):
        return None
    try:
        base = root.resolve(strict=True)
        target = (base / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return target if target.is_relative_to(base) and target.is_file() else None


@dataclass(frozen=True)
class WorkspaceModule:
    """One plugin's validated extension, as the catalog keeps it."""

    plugin: str
    extension: WorkspaceExtension

    @property
    def root(self) -> Path:
        """The folder served at ``/workspace-extensions/<plugin>/``."""
        return Path(self.extension.module_dir)

    def version(self) -> str | None:
        """The entry file's content hash; ``None`` while the module is not built."""
        path = inside(self.root, self.extension.entry)
        return file_version(path) if path is not None else None

    def module_url(self, version: str) -> str:
        """The URL the workspace imports the module from (immutable for this ``version``)."""
        return f"{ROUTE_PREFIX}/{self.plugin}/{self.extension.entry}?v={version}"


def _label_problems(where: str, label: object) -> list[tuple[str, str]]:
    if not isinstance(label, dict) or not str(label.get("en", "")).strip():
        return [(where, "label needs an English text under 'en'")]
    unknown = sorted(set(label) - set(_LOCALES))
    if unknown:
        return [(where, f"label has unknown locales {unknown} (use 'en' and 'zh-CN')")]
    if not all(isinstance(v, str) for v in label.values()):
        return [(where, "label texts must be strings")]
    return []


def _requires_problems(where: str, requires: object,
                       declared: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    if requires is None:
        return []
    if (not isinstance(requires, tuple) or len(requires) != 2
            or not all(isinstance(x, str) for x in requires)):
        return [(where, "requires must be a (resource, action) tuple or None")]
    resource, action = requires
    if action not in declared.get(resource, ()):
        return [(where, f"requires ({resource!r}, {action!r}), which no plugin declares "
                        "(register_permissions)")]
    return []


def _entry_problems(plugin: str, item: WorkspaceNavEntry | WorkspaceWidget,
                    declared: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    kind = "navigation entry" if isinstance(item, WorkspaceNavEntry) else "widget"
    where = f"workspace {kind} {item.key!r}"
    found = [] if isinstance(item.key, str) and _KEY.match(item.key) else [
        (where, "key must be lower-case letters, digits, '_', '-' or '.' (at most 64)")]
    found += _label_problems(where, item.label)
    found += _requires_problems(where, item.requires, declared)
    if isinstance(item, WorkspaceNavEntry):
        prefix = f"/x/{plugin}/"
        tail = item.path[len(prefix):] if isinstance(item.path, str) else ""
        if (not isinstance(item.path, str) or not item.path.startswith(prefix)
                or not _PATH_TAIL.match(tail) or "//" in tail or ".." in tail):
            found.append((where, f"path {item.path!r} must start with {prefix!r} "
                                 "(letters, digits, '_', '-', '.', ':' and '/' after it)"))
        if not isinstance(item.section, str) or not _NAME.match(item.section):
            found.append((where, f"section {item.section!r} must be a lower-case name"))
        if item.icon is not None and not (isinstance(item.icon, str) and _ICON.match(item.icon)):
            found.append((where, f"icon {item.icon!r} must be an icon name such as "
                                 "'FileTextOutlined'"))
    elif item.slot not in WIDGET_SLOTS:
        found.append((where, f"slot {item.slot!r} is not one of {sorted(WIDGET_SLOTS)}"))
    return found


def extension_problems(plugin: str, extension: object, declared: dict[str, tuple[str, ...]]
                       ) -> list[tuple[str, str]]:
    """``(contribution, problem)`` for everything wrong with a plugin's declaration.

    ``declared`` maps every declared permission object to its actions. A missing entry *file*
    is not a problem here (see :meth:`WorkspaceModule.version`); an entry name that could
    never be served is.
    """
    if not isinstance(extension, WorkspaceExtension):
        return [("register_workspace_extensions",
                 f"returned {extension!r}, not ipgov.api.WorkspaceExtension")]
    found: list[tuple[str, str]] = []
    if not isinstance(extension.module_dir, Path):
        found.append(("workspace module_dir", f"{extension.module_dir!r} is not a pathlib.Path"))
    entry = extension.entry
    if (not isinstance(entry, str) or not _ENTRY.match(entry)
            or any(p in ("", ".", "..") or p.startswith(".") for p in entry.split("/"))):
        found.append(("workspace entry", f"{entry!r} must be a relative .js or .mjs file name "
                                         "inside module_dir"))
    if extension.context_version not in CONTEXT_VERSIONS:
        found.append(("workspace context_version", f"{extension.context_version!r} is not "
                      f"supported (this platform provides {sorted(CONTEXT_VERSIONS)})"))
    items: list[tuple[object, type[WorkspaceNavEntry] | type[WorkspaceWidget]]] = [
        *((i, WorkspaceNavEntry) for i in extension.navigation),
        *((i, WorkspaceWidget) for i in extension.widgets)]
    if len(extension.navigation) > MAX_ENTRIES or len(extension.widgets) > MAX_ENTRIES:
        found.append(("workspace navigation", f"at most {MAX_ENTRIES} navigation entries and "
                                              f"{MAX_ENTRIES} widgets"))
    seen: set[str] = set()
    for item, kind in items:
        if not isinstance(item, WorkspaceNavEntry | WorkspaceWidget) or not isinstance(item, kind):
            found.append(("workspace navigation" if kind is WorkspaceNavEntry
                          else "workspace widgets", f"{item!r} is not ipgov.api.{kind.__name__}"))
            continue
        if item.key in seen:
            found.append((f"workspace key {item.key!r}", "is used twice (keys are unique per "
                                                         "plugin, entries and widgets alike)"))
        seen.add(item.key)
        found += _entry_problems(plugin, item, declared)
    return found
