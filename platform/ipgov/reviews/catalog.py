"""Which checks a review runs: the core's own and those of the plugins enabled for the tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .checks import Check
from .core_checks import CORE_CHECKS

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["CheckCatalogError", "all_checks", "checks_for", "text_problems"]


class CheckCatalogError(RuntimeError):
    """A plugin returned something that is not a Check, two checks share an id, or a check's
    Chinese text would lose a parameter its English text carries."""


def all_checks(platform: Platform) -> list[tuple[str, Check]]:
    """Every check of the core and every loaded plugin as (plugin, check), sorted by id."""
    found: dict[str, tuple[str, Check]] = {c.id: ("core", c) for c in CORE_CHECKS}
    core_problems = [p for c in CORE_CHECKS for p in text_problems(c)]
    if core_problems:
        raise CheckCatalogError("core: " + "; ".join(core_problems))
    for plugin, checks in platform.registry.results_by_plugin("register_checks"):
        for check in checks:
            if not isinstance(check, Check):
                raise CheckCatalogError(f"plugin {plugin}: {check!r} is not ipgov.api.Check")
            if not check.id.startswith(f"{plugin}."):
                raise CheckCatalogError(f"plugin {plugin}: check id {check.id!r} must start "
                                        f"with '{plugin}.'")
            if check.id in found:
                raise CheckCatalogError(f"check id {check.id!r} is defined twice")
            problems = text_problems(check)
            if problems:
                raise CheckCatalogError(f"plugin {plugin}: " + "; ".join(problems))
            found[check.id] = (plugin, check)
    return [found[k] for k in sorted(found)]


def text_problems(check: Check) -> list[str]:
    """What is wrong with a check's finding texts: a language missing, or the Chinese text
    not carrying every parameter the English one does (it would lose the specifics)."""
    from ipgov.i18n.text import placeholders

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


def checks_for(platform: Platform, enabled_plugins: frozenset[str] | set[str]) -> list[
        tuple[str, Check]]:
    """The checks a review of a tenant with these plugins enabled runs."""
    cache = platform.extras.setdefault("checks", all_checks(platform))
    return [(p, c) for p, c in cache if p == "core" or p in enabled_plugins]
