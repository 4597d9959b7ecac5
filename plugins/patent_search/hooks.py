"""Hook implementations of the patent_search plugin: the only place its hooks live."""

from __future__ import annotations

from ipgov.api import Permission, PluginInfo, hookimpl

PLUGIN_INFO = PluginInfo(
    name="patent_search",
    version="0.1.0",
    api_version=1,
    description=(
        "Patent database and search: ingestion, collections, search,"
        " watchlists, landscapes"
    ),
)

_READ_ROLES = ("viewer", "auditor", "reviewer", "contributor")
_WRITE_ROLES = ("group_admin", "tenant_admin", "ip_manager")
_CONTRIBUTOR_ACTIONS = ("create", "update")


@hookimpl
def register_permissions() -> list[Permission]:
    """The objects this plugin protects and their actions."""
    return [
        Permission("patent_search:collection", ('read', 'create', 'update', 'delete')),
        Permission("patent_search:document", ('read', 'ingest')),
        Permission("patent_search:watchlist", ('read', 'create', 'update', 'delete')),
    ]


@hookimpl
def register_role_grants() -> dict[str, list[tuple[str, str]]]:
    """Read for every role, create/update for contributors, everything for administrators."""
    grants: dict[str, list[tuple[str, str]]] = {}
    for perm in register_permissions():
        for role in _READ_ROLES:
            grants.setdefault(role, []).append((perm.object, "read"))
        grants["contributor"].extend(
            (perm.object, a) for a in perm.actions if a in _CONTRIBUTOR_ACTIONS)
        for role in _WRITE_ROLES:
            grants.setdefault(role, []).extend((perm.object, a) for a in perm.actions)
    return grants
