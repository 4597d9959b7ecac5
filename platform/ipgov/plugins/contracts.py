"""Value types that cross the plugin boundary (arguments and results of hooks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "API_VERSION",
    "DemoContext",
    "GraphQLContribution",
    "Permission",
    "PluginInfo",
    "SupervisionMetric",
    "TenantEvent",
]

API_VERSION = 1
"""The plugin API's major version. Plugins declare the one they were written for."""


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says of itself: the ``PLUGIN_INFO`` attribute of its hooks module."""

    name: str
    version: str
    api_version: int
    description: str = ""
    default_enabled: bool = True


@dataclass(frozen=True)
class Permission:
    """An object type a plugin protects and the actions on it, e.g. ``ip_governance:risk``."""

    object: str
    actions: tuple[str, ...]
    description: str = ""


@dataclass
class GraphQLContribution:
    """Strawberry types a plugin adds to the root Query and Mutation."""

    query: list[type] = field(default_factory=list)
    mutation: list[type] = field(default_factory=list)
    types: list[type] = field(default_factory=list)


@dataclass
class TenantEvent:
    """Passed to tenancy hooks: the tenant, its group, the session and the acting user."""

    session: AsyncSession
    tenant_id: str
    group_id: str | None
    governance_mode: str
    actor: str
    other_tenant_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class DemoContext:
    """Passed to ``load_demo_data``: the demo's session, tenants by slug, users by email."""

    session: AsyncSession
    tenants: dict[str, str]
    users: dict[str, str]
    actor: str = "demo"
    data_dir: str = ""


@dataclass(frozen=True)
class SupervisionMetric:
    """A per-tenant figure for the supervision view, computed in the tenant's scope."""

    key: str
    title: str
    compute: Callable[[AsyncSession, str], Any]
    description: str = ""
