"""Hook implementations of the ip_governance plugin: the only place its hooks live.

The plugin has three areas, each shaped alike (models, services, graphql, checks):
``framework`` (the IP-CSF catalog, profiles and gap analysis), ``organization`` (strategy,
organization, governing bodies and EDM records, management systems and PDCA) and
``risk_assets`` (risk appetite and register, IP assets, deadlines, licences, incidents,
recovery). Each area exposes ``PERMISSIONS``, ``MODELS``, ``CHECKS``, ``QUERIES``,
``MUTATIONS`` and ``async provision(event)``; this module gathers them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from ipgov.api import (
    Check,
    DemoContext,
    EventType,
    FrameworkCatalog,
    GraphQLContribution,
    IpObject,
    Permission,
    PlatformContext,
    PluginInfo,
    PluginSetting,
    TenantEvent,
    WorkspaceExtension,
    WorkspaceNavEntry,
    WorkspaceWidget,
    hookimpl,
    load_assistant_tools,
)

from . import constraints as _constraints  # noqa: F401 - declares what its constraints mean
from .framework.catalog import shipped_catalogs

PLUGIN_INFO = PluginInfo(
    name="ip_governance",
    version="0.1.0",
    api_version=1,
    description=(
        "The IP governance system: framework, profiles, strategy, organization, "
        "management systems, risk, IP assets"
    ),
)

AREAS = ("framework", "organization", "risk_assets", "certification", "docketing", "evidence",
         "documents")
_READ_ROLES = ("viewer", "auditor", "reviewer", "contributor", "group_admin", "tenant_admin",
               "ip_manager")
_GOVERN = ("group_admin", "tenant_admin")  # the decision level: evaluates, directs, monitors
_MANAGE = (*_GOVERN, "ip_manager")  # the IP department executes within governance
_PARTICIPATE = (*_MANAGE, "contributor")  # every employee's own contributions
WRITE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "ip_governance:framework": {"update": _GOVERN},
    "ip_governance:profile": {"update": _GOVERN},
    "ip_governance:strategy": {"create": _MANAGE, "update": _MANAGE, "approve": _GOVERN},
    "ip_governance:governance": {"create": _GOVERN, "update": _GOVERN, "decide": _GOVERN},
    "ip_governance:organization": {"create": _GOVERN, "update": _GOVERN, "delete": _GOVERN},
    "ip_governance:management_system": {"create": _MANAGE, "update": _MANAGE},
    "ip_governance:risk": {"create": _MANAGE, "update": _MANAGE, "accept": _MANAGE},
    "ip_governance:risk_appetite": {"set": _GOVERN},
    "ip_governance:asset": {"create": _PARTICIPATE, "update": _PARTICIPATE, "delete": _MANAGE},
    "ip_governance:licence": {"create": _MANAGE, "update": _MANAGE},
    "ip_governance:incident": {"create": _PARTICIPATE, "update": _MANAGE, "close": _MANAGE},
    "ip_governance:certification": {"record": _GOVERN},
    "ip_governance:docket": {"override": _GOVERN, "recompute": _MANAGE, "set_rates": _MANAGE},
    "ip_governance:evidence": {"upload": _PARTICIPATE, "attach": _PARTICIPATE},
    "ip_governance:document": {"create": _MANAGE, "approve": _PARTICIPATE,
                               "acknowledge": _PARTICIPATE},
}
"""Who may do what besides reading, per object and action; the reasons are in
docs/authorization.md (tests/contract/test_authorization_matrix.py keeps the two equal)."""

def _areas() -> list[ModuleType]:
    """Each area's ``area`` module (areas not built yet are skipped)."""
    modules = []
    for name in AREAS:
        try:
            modules.append(importlib.import_module(f"ip_governance.{name}.area"))
        except ModuleNotFoundError as exc:
            if exc.name != f"ip_governance.{name}.area":
                raise
    return modules


@hookimpl
def register_permissions() -> list[Permission]:
    """The objects this plugin protects and their actions."""
    return [p for area in _areas() for p in area.PERMISSIONS]


@hookimpl
def register_role_grants() -> dict[str, list[tuple[str, str]]]:
    """Read for every role; writes as ``WRITE_GRANTS`` declares them (governance acts to the
    decision level, execution to the IP department, own contributions to contributors)."""
    grants: dict[str, list[tuple[str, str]]] = {}
    for perm in register_permissions():
        for role in _READ_ROLES:
            grants.setdefault(role, []).append((perm.object, "read"))
        for action, roles in WRITE_GRANTS.get(perm.object, {}).items():
            for role in roles:
                grants.setdefault(role, []).append((perm.object, action))
    return grants


@hookimpl
def register_models() -> list[type]:
    """Every model of every area."""
    return [m for area in _areas() for m in area.MODELS]


@hookimpl
def register_migrations() -> str:
    """One versions directory; each area's revisions form their own branch."""
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_graphql_types() -> GraphQLContribution:
    """Each area's Query and Mutation types."""
    areas = _areas()
    return GraphQLContribution(
        query=[q for a in areas for q in a.QUERIES],
        mutation=[m for a in areas for m in a.MUTATIONS],
        tools=load_assistant_tools(Path(__file__).with_name("assistant_tools.yaml")),
    )


@hookimpl
def register_checks() -> list[Check]:
    """Each area's review checks."""
    return [c for area in _areas() for c in area.CHECKS]


@hookimpl
def register_event_types() -> list[EventType]:
    """Asset deadlines approaching (at the tenant's lead times) and missed."""
    from .events import EVENT_TYPES

    return list(EVENT_TYPES)


@hookimpl
async def notification_recipients(session: Any, tenant_id: str, selectors: list[str]) -> list[str]:
    """Holders of the RACI roles a notification rule names (``process:R``)."""
    from .notifications import raci_holders

    return await raci_holders(session, selectors)


@hookimpl
async def calendar_entries(session: Any, tenant_id: str, locale: str, start: Any,
                           end: Any) -> list[Any]:
    """The tenant's open asset deadlines, for its members' calendar feeds."""
    from .notifications import deadline_entries

    return await deadline_entries(session, locale, start, end)


@hookimpl
async def list_ip_objects(platform: PlatformContext, tenant_id: str, kinds: list[str] | None,
                          ids: list[str] | None, limit: int) -> list[IpObject]:
    """The register's patents, utility models and designs with their numbers."""
    from .risk_assets.objects import register_objects

    return await register_objects(platform, tenant_id, kinds, ids, limit)


@hookimpl
def register_jobs() -> dict[str, Any]:
    """The hourly deadline-reminder scan of each tenant."""
    from .risk_assets.reminders import REMINDER_JOB, REMINDERS

    return {REMINDER_JOB: REMINDERS}


@hookimpl
def register_framework_catalogs() -> list[FrameworkCatalog]:
    """The built-in IP-CSF, as a data file every tenant's profiles are assessed against."""
    return shipped_catalogs()


@hookimpl
async def on_tenant_created(event: TenantEvent) -> Any:
    """Seed each area's defaults for the new tenant."""
    for area in _areas():
        await area.provision(event)


@hookimpl
async def load_demo_data(demo: DemoContext) -> None:
    """Each area's demo data for the demo group, and its baseline: contributors of the
    Hanwei group propose assets through the IP department rather than create them."""
    demo.baselines.append(("hanwei-group", "contributor", "ip_governance:asset", "create",
                           "deny"))
    for area in _areas():
        loader = getattr(area, "demo", None)
        if loader is not None:
            await loader(demo)


@hookimpl
async def on_tenant_merged(event: TenantEvent) -> None:
    """Before an absorption moves rows: let each area reconcile what would clash."""
    for area in _areas():
        merger = getattr(area, "merge", None)
        if merger is not None:
            await merger(event)


@hookimpl
def register_routes() -> list[Any]:
    """The printable governance report per tenant, and the certification pack's exports."""
    from .certification.routes import certification_evidence_zip, certification_report
    from .evidence.routes import download_evidence, upload_evidence
    from .report.routes import governance_report

    return [governance_report, certification_report, certification_evidence_zip,
            upload_evidence, download_evidence]


@hookimpl
def register_settings() -> list[PluginSetting]:
    """Evidence files: size and type limits, the virus scanner, the object store."""
    from .evidence.settings import SETTINGS

    return list(SETTINGS)


@hookimpl
def register_commands(cli: Any) -> None:
    """``ipgov evidence verify``."""
    from .evidence.cli import evidence

    cli.add_command(evidence)


_SCREENS: tuple[tuple[str, str, str, str, str, str], ...] = (
    # key, en, zh-CN, section, resource read, icon (a page's path is /x/ip_governance/<key>,
    # but keys are unique across pages and widgets: the deadlines page is the widget's "all")
    ("assets", "IP assets", "知识产权资产", "work", "ip_governance:asset",
     "SafetyCertificateOutlined"),
    ("deadline-list", "Deadlines", "期限", "work", "ip_governance:asset", "CalendarOutlined"),
    ("risks", "IP risks", "知识产权风险", "work", "ip_governance:risk", "WarningOutlined"),
    ("licences", "Licences", "许可", "work", "ip_governance:licence", "FileProtectOutlined"),
    ("incidents", "Incidents", "事件", "work", "ip_governance:incident", "AlertOutlined"),
    ("strategy", "IP strategy", "知识产权战略", "govern", "ip_governance:strategy", "AimOutlined"),
    ("management-systems", "Management systems", "管理体系", "govern",
     "ip_governance:management_system", "SyncOutlined"),
    ("profile", "Framework profile", "框架画像", "govern", "ip_governance:profile",
     "RadarChartOutlined"),
    ("certification", "GB/T 29490 checklist", "GB/T 29490 检查表", "govern",
     "ip_governance:certification", "AuditOutlined"),
    ("documents", "Controlled documents", "受控文件", "govern", "ip_governance:document",
     "FileTextOutlined"),
)


@hookimpl
def register_workspace_extensions() -> list[WorkspaceExtension]:
    """The plugin's workspace screens, built by the web build from ``web/src`` into
    ``web/dist/index.js`` through the same contract a partner uses; each page asks for the
    read permission of the object it shows (the fields behind it check every write again)."""
    return [WorkspaceExtension(
        module_dir=Path(__file__).parent / "web" / "dist",
        entry="index.js",
        navigation=tuple(
            WorkspaceNavEntry(key=key, label={"en": en, "zh-CN": zh},
                              path=f"/x/{PLUGIN_INFO.name}/{key}", requires=(resource, "read"),
                              section=section, icon=icon)
            for key, en, zh, section, resource, icon in _SCREENS),
        widgets=(WorkspaceWidget(
            key="deadlines", label={"en": "Deadlines in 90 days", "zh-CN": "90 天内的期限"},
            slot="home", requires=("ip_governance:asset", "read")),),
    )]
