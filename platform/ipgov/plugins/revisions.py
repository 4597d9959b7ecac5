"""Writing a plugin's next Alembic revision by autogenerate (``ipgov plugin revision``).

The revision compares the plugin's own tables (those of models defined in the plugin's
package) with a database migrated to every head, and lands in the plugin's ``versions``
directory: the first one starts the plugin's branch (label = plugin name, depends on the core's
first revision), later ones follow the branch's head. Tables of the core and other plugins are
never touched by it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipgov.db.base import Base

from .manager import PluginRegistry

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["CORE_FIRST_REVISION", "plugin_tables", "write_revision"]

CORE_FIRST_REVISION = "0001_core"


def plugin_tables(registry: PluginRegistry, plugin: str) -> set[str]:
    """Names of the tables whose models live in ``plugin``'s package."""
    package = registry.plugins[plugin].module.__name__.rsplit(".", 1)[0]
    return {m.class_.__table__.name for m in Base.registry.mappers
            if m.class_.__module__ == package or m.class_.__module__.startswith(f"{package}.")}


def _next_id(versions: Path, plugin: str) -> str:
    numbers = [int(m.group(1)) for p in versions.glob(f"{plugin}_*.py")
               if (m := re.fullmatch(rf"{re.escape(plugin)}_(\d+)\.py", p.name))]
    return f"{plugin}_{max(numbers, default=0) + 1:04d}"


def _has_branch(cfg: Config, plugin: str) -> bool:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(cfg)
    return any(plugin in (rev.branch_labels or ()) for rev in script.walk_revisions())


def write_revision(cfg: Config, registry: PluginRegistry, plugin: str, versions: Path,
                   message: str) -> Any:
    """Autogenerate ``plugin``'s next revision into ``versions``; returns Alembic's script."""
    from alembic import command

    tables = plugin_tables(registry, plugin)

    def include_object(obj: Any, name: str, type_: str, _reflected: bool, _other: Any) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        return table in tables

    cfg.attributes["include_object"] = include_object
    versions.mkdir(parents=True, exist_ok=True)
    first = not _has_branch(cfg, plugin)
    return command.revision(
        cfg, message=message, autogenerate=True, rev_id=_next_id(versions, plugin),
        head="base" if first else f"{plugin}@head", branch_label=plugin if first else None,
        depends_on=CORE_FIRST_REVISION if first else None, version_path=str(versions))
