"""Hook implementations of the data_governance plugin: the only place its hooks live.

IP data governance (seed 7.4): the catalog of IP data assets with versioned metadata
specifications, data-quality rules, clearance-based access to protected content with an
access log, the trade-secret register with reasonable-steps evidence, lifecycle and retention
run by worker jobs with approved destruction, the technical solution <-> IP mapping, the
pre-publication check, and the data governance organization.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ipgov.api import (
    Check,
    DemoContext,
    EventType,
    GraphQLContribution,
    IpObject,
    Permission,
    PlatformContext,
    PluginInfo,
    PluginSetting,
    SupervisionMetric,
    TenantEvent,
    TextMatch,
    WorkspaceExtension,
    WorkspaceNavEntry,
    hookimpl,
    load_assistant_tools,
)

from . import checks, jobs, metrics, models
from .catalog.services import ensure_builtin_kinds
from .graphql.catalog import CatalogMutation, CatalogQuery
from .graphql.mapping import MappingMutation, MappingQuery
from .graphql.protection import ProtectionMutation, ProtectionQuery
from .graphql.publication import PublicationMutation, PublicationQuery
from .graphql.quality import QualityMutation, QualityQuery
from .permissions import (
    ASSET,
    GRANTS,
    LIFECYCLE,
    PERMISSIONS,
    PUBLICATION,
    SOLUTION,
    TRADE_SECRET,
)
from .publication.sources import screen_own_records
from .secrets.services import list_trade_secrets

PLUGIN_INFO = PluginInfo(
    name="data_governance",
    version="0.2.0",
    api_version=1,
    description=(
        "IP data governance: catalog, metadata specifications, quality, trade"
        " secrets, lifecycle, solution-IP mapping, pre-publication checks"
    ),
)


@hookimpl
def register_permissions() -> list[Permission]:
    """The objects this plugin protects, including one clearance object per level."""
    return list(PERMISSIONS)


@hookimpl
def register_settings() -> list[PluginSetting]:
    """The pre-publication checks' rate limits."""
    from .publication.services import SETTINGS

    return list(SETTINGS)


@hookimpl
def register_role_grants() -> dict[str, list[tuple[str, str]]]:
    """Readers cleared to internal, managers to confidential, nobody to secret."""
    return {role: list(items) for role, items in GRANTS.items()}


_PAGES: tuple[tuple[str, str, str, str, str], ...] = (
    # key, English, Chinese, permission object (read), icon
    ("catalog", "Data catalog", "数据目录", ASSET, "DatabaseOutlined"),
    ("trade_secrets", "Trade-secret steps", "商业秘密保护措施", TRADE_SECRET, "LockOutlined"),
    ("lifecycle", "Retention and destruction", "保留与销毁", LIFECYCLE, "DeleteOutlined"),
    ("mapping", "Solutions and IP", "技术方案与知识产权", SOLUTION, "ApartmentOutlined"),
    ("publication", "Pre-publication check", "发布前检查", PUBLICATION, "FileSearchOutlined"),
)


@hookimpl
def register_workspace_extensions() -> list[WorkspaceExtension]:
    """The plugin's workspace screens, built by the web build from ``web/src`` into
    ``web/dist/index.js``: the catalog with the trade-secret read, reasonable-steps
    evidence, retention and destruction approvals, the solution <-> IP map and the
    pre-publication check."""
    return [WorkspaceExtension(
        module_dir=Path(__file__).parent / "web" / "dist",
        entry="index.js",
        navigation=tuple(
            WorkspaceNavEntry(key=key, label={"en": en, "zh-CN": zh},
                              path=f"/x/data_governance/{key}", requires=(obj, "read"),
                              section="work", icon=icon)
            for key, en, zh, obj, icon in _PAGES),
    )]


@hookimpl
def register_models() -> list[type]:
    """Every table of the plugin."""
    return list(models.MODELS)


@hookimpl
def register_migrations() -> str:
    """One Alembic branch, ``data_governance``."""
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_graphql_types() -> GraphQLContribution:
    """The plugin's root fields."""
    return GraphQLContribution(
        query=[CatalogQuery, QualityQuery, ProtectionQuery, MappingQuery, PublicationQuery],
        mutation=[CatalogMutation, QualityMutation, ProtectionMutation, MappingMutation,
                  PublicationMutation],
        tools=load_assistant_tools(Path(__file__).with_name("assistant_tools.yaml")))


@hookimpl
def register_checks() -> list[Check]:
    """Review checks on every part of data governance."""
    return list(checks.CHECKS)


@hookimpl
def register_jobs() -> dict[str, Any]:
    """Lifecycle sweep, quality evaluation and IP inventory sync (daily per tenant)."""
    return jobs.job_kinds()


@hookimpl
def register_event_types() -> list[EventType]:
    """Trade-secret reads and refusals, blocked publications."""
    from .events import EVENT_TYPES

    return list(EVENT_TYPES)


@hookimpl
def register_supervision_metrics() -> list[SupervisionMetric]:
    """Catalogued data assets and unprotected technical solutions, per tenant."""
    return list(metrics.METRICS)


@hookimpl
async def on_tenant_created(event: TenantEvent) -> None:
    """A new tenant starts with the built-in asset kinds."""
    await ensure_builtin_kinds(event.session, event.tenant_id)


@hookimpl
async def load_demo_data(demo: DemoContext) -> None:
    """The Hanwei group's IP data: catalog, specs, rules, trade secrets, solutions, checks."""
    from .demo import demo as load

    await load(demo)


@hookimpl
async def list_ip_objects(platform: PlatformContext, tenant_id: str, kinds: list[str] | None,
                          ids: list[str] | None, limit: int) -> list[IpObject]:
    """The tenant's trade secrets (kind ``trade_secret``)."""
    if kinds is not None and "trade_secret" not in kinds:
        return []
    async with platform.read_session(tenant_id) as session:
        return await list_trade_secrets(session, tenant_id, ids=ids, limit=limit)


@hookimpl
async def screen_text(platform: PlatformContext, tenant_id: str, text: str,
                      limit: int) -> list[TextMatch]:
    """The trade secrets (risk ``secret_disclosure``, behind their clearance) and the unfiled
    technical solutions (risk ``novelty_loss``) the text resembles, with passages and scores."""
    async with platform.read_session(tenant_id) as session:
        return await screen_own_records(session, text, limit)
