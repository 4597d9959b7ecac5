"""Which checks a review runs: the core's own and those of the plugins enabled for the tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .checks import Check
from .core_checks import CORE_CHECKS

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["CheckCatalogError", "all_checks", "checks_for"]


class CheckCatalogError(RuntimeError):
    """A plugin returned something that is not a Check, or two checks share an id."""


def all_checks(platform: Platform) -> list[tuple[str, Check]]:
    """Every check of the core and every loaded plugin as (plugin, check), sorted by id."""
    found: dict[str, tuple[str, Check]] = {c.id: ("core", c) for c in CORE_CHECKS}
    for plugin, checks in platform.registry.results_by_plugin("register_checks"):
        for check in checks:
            if not isinstance(check, Check):
                raise CheckCatalogError(f"plugin {plugin}: {check!r} is not ipgov.api.Check")
            if not check.id.startswith(f"{plugin}."):
                raise CheckCatalogError(f"plugin {plugin}: check id {check.id!r} must start "
                                        f"with '{plugin}.'")
            if check.id in found:
                raise CheckCatalogError(f"check id {check.id!r} is defined twice")
            found[check.id] = (plugin, check)
    return [found[k] for k in sorted(found)]


def checks_for(platform: Platform, enabled_plugins: frozenset[str] | set[str]) -> list[
        tuple[str, Check]]:
    """The checks a review of a tenant with these plugins enabled runs."""
    cache = platform.extras.setdefault("checks", all_checks(platform))
    return [(p, c) for p, c in cache if p == "core" or p in enabled_plugins]
