"""Which exports and reports a browser can open: the paths download links are made for.

Without a tenant: the supervision exports (for callers with a supervision entitlement). For a
tenant: every ``GET`` route a plugin enabled there registers under ``/plugins`` whose only path
parameter is the tenant (its reports and exports), titled by its handler's docstring. The core
names no plugin: a partner's report route appears here as soon as the plugin is enabled.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ipgov.errors import Forbidden

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["SUPERVISION_DOWNLOADS", "download_paths", "tenant_routes"]

SUPERVISION_DOWNLOADS = (("Supervision overview (CSV)", "/supervision/export.csv"),
                         ("Supervision report (printable)", "/supervision/report"))
_PARAMETER = re.compile(r"\{([a-z_]+)(?::[a-z]+)?\}")


def _title(handler: Any) -> str:
    doc = (getattr(handler.fn, "__doc__", None) or "").strip().splitlines()
    first = doc[0] if doc else handler.paths and sorted(handler.paths)[0]
    return re.split(r" \(|: ", str(first), maxsplit=1)[0].rstrip(".")


def tenant_routes(platform: Platform) -> list[tuple[str, str, str]]:
    """``(plugin, title, path template)`` of every plugin GET route keyed by the tenant alone."""
    if platform.download_routes is not None:
        return platform.download_routes
    found = []
    for plugin, handler in platform.catalog.routes:
        if "GET" not in (getattr(handler, "http_methods", None) or ()):
            continue
        for path in sorted(handler.paths):
            if _PARAMETER.findall(path) == ["tenant_id"]:
                found.append((plugin, _title(handler), f"/plugins{path}"))
    platform.download_routes = found
    return found


def download_paths(platform: Platform, tenant_id: str | None, subject: str
                   ) -> list[tuple[str, str]]:
    """``(title, path)`` of what ``subject`` can be given links to (checked again on use)."""
    if tenant_id is None:
        from ipgov.supervision.scope import entitlement

        try:
            entitlement(platform, subject)
        except Forbidden:
            return []
        return list(SUPERVISION_DOWNLOADS)
    info = platform.authz.tenant_info(tenant_id)
    enabled = info.enabled_plugins if info else frozenset()
    return [(title, _PARAMETER.sub(tenant_id, template))
            for plugin, title, template in tenant_routes(platform) if plugin in enabled]
