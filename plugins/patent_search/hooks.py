"""Hook implementations of the patent_search plugin: the only place its hooks live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from ipgov.api import (
    Check,
    DemoContext,
    EventType,
    GraphQLContribution,
    IpObject,
    JobKind,
    Permission,
    PlatformContext,
    PlatformEvent,
    PluginInfo,
    PluginSetting,
    TenantEvent,
    TextMatch,
    TextPassage,
    WorkspaceExtension,
    WorkspaceNavEntry,
    WorkspaceWidget,
    hookimpl,
    load_assistant_tools,
)

PLUGIN_INFO = PluginInfo(
    name="patent_search",
    version="0.3.0",
    api_version=1,
    description=(
        "Patent database and search: ingestion of every major format, group-shared "
        "collections, procurement register, search with CPC facets, watchlists, FTO "
        "screening, landscapes"
    ),
)

_READ_ROLES = ("viewer", "auditor", "reviewer", "contributor", "group_admin", "tenant_admin",
               "ip_manager")
_MANAGE = ("group_admin", "tenant_admin", "ip_manager")  # infrastructure and its use (7.2)
WRITE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "patent_search:collection": {"create": _MANAGE, "update": _MANAGE, "delete": _MANAGE},
    "patent_search:document": {"ingest": _MANAGE, "screen": (*_MANAGE, "contributor")},
    "patent_search:watchlist": {"create": _MANAGE, "update": _MANAGE, "delete": _MANAGE},
    "patent_search:procurement": {"create": _MANAGE, "update": _MANAGE, "delete": _MANAGE},
    "patent_search:office_connector": {"configure": _MANAGE, "run": _MANAGE},
}
"""Who may do what besides reading; the reasons are in docs/authorization.md."""


@hookimpl
def register_permissions() -> list[Permission]:
    """The objects this plugin protects and their actions."""
    return [
        Permission("patent_search:collection", ("read", "create", "update", "delete"),
                   "Patent collections (own and group-shared)"),
        Permission("patent_search:document", ("read", "ingest", "screen"),
                   "Patent documents: search and read, ingestion, FTO screenings (kept as "
                   "evidence)"),
        Permission("patent_search:watchlist", ("read", "create", "update", "delete"),
                   "Technology directions and competitor watchlists"),
        Permission("patent_search:procurement", ("read", "create", "update", "delete"),
                   "The register of bought patent databases and services"),
        Permission("patent_search:office_connector", ("read", "configure", "run"),
                   "Office connectors (EPO OPS, USPTO ODP): credentials (set and cleared, "
                   "never read back), refresh runs and their status"),
    ]


@hookimpl
def register_role_grants() -> dict[str, list[tuple[str, str]]]:
    """Read for every role; writes as ``WRITE_GRANTS`` declares them (contributors screen
    their own solutions for freedom to operate, the IP department runs the databases)."""
    grants: dict[str, list[tuple[str, str]]] = {}
    for perm in register_permissions():
        for role in _READ_ROLES:
            grants.setdefault(role, []).append((perm.object, "read"))
        for action, roles in WRITE_GRANTS.get(perm.object, {}).items():
            for role in roles:
                grants.setdefault(role, []).append((perm.object, action))
    return grants


_COLL, _DOC = "patent_search:collection", "patent_search:document"
_WATCH, _PROC = "patent_search:watchlist", "patent_search:procurement"
_PAGES: tuple[tuple[str, str, str, str, str], ...] = (
    # key, English, Chinese, permission object (read), icon
    ("search", "Patent search", "专利检索", _DOC, "SearchOutlined"),
    ("fto", "FTO screening", "FTO 筛查", _DOC, "SafetyOutlined"),
    ("landscape", "Patent landscape", "专利态势", _DOC, "BarChartOutlined"),
    ("watchlists", "Patent watchlists", "专利监视清单", _WATCH, "EyeOutlined"),
    ("collections", "Patent collections", "专利集合", _COLL, "DatabaseOutlined"),
    ("procurement", "Database procurement", "数据库采购", _PROC, "ShoppingOutlined"),
)


@hookimpl
def register_workspace_extensions() -> list[WorkspaceExtension]:
    """The plugin's workspace screens, built by the web build from ``web/src`` into
    ``web/dist/index.js``: search with facets and documents, FTO screening, landscapes,
    watchlists, collections and the procurement register; a home widget with the new
    watchlist matches."""
    return [WorkspaceExtension(
        module_dir=Path(__file__).parent / "web" / "dist",
        entry="index.js",
        navigation=tuple(
            WorkspaceNavEntry(key=key, label={"en": en, "zh-CN": zh},
                              path=f"/x/patent_search/{key}", requires=(obj, "read"),
                              section="work", icon=icon)
            for key, en, zh, obj, icon in _PAGES),
        widgets=(WorkspaceWidget(
            key="watchlist_matches", label={"en": "New watchlist matches", "zh-CN": "新的监视命中"},
            slot="home", requires=(_WATCH, "read")),),
    )]


@hookimpl
def register_models() -> list[type]:
    from .models import MODELS

    return list(MODELS)


@hookimpl
def register_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_graphql_types() -> GraphQLContribution:
    from .graphql import OfficeMutation, OfficeQuery, PatentMutation, PatentQuery

    return GraphQLContribution(
        query=[PatentQuery, OfficeQuery], mutation=[PatentMutation, OfficeMutation],
        tools=load_assistant_tools(Path(__file__).with_name("assistant_tools.yaml")))


@hookimpl
def register_checks() -> list[Check]:
    from .checks import CHECKS

    return list(CHECKS)


@hookimpl
def register_jobs() -> dict[str, Any]:
    from .jobs import INGEST_KIND, ingest
    from .offices.refresh import EVERY, REFRESH_KIND, refresh_from_offices, tenants_with_connectors

    return {INGEST_KIND: ingest,
            REFRESH_KIND: JobKind(handler=refresh_from_offices, every=EVERY,
                                  description="Refresh the register's numbers from the "
                                              "offices' services (bibliographic data, "
                                              "family, legal events), resuming where the "
                                              "last run stopped",
                                  only_for=tenants_with_connectors)}


@hookimpl
def register_settings() -> list[PluginSetting]:
    """Upload limit, import folders, search engine and CPC titles."""
    from .settings import SETTINGS

    return list(SETTINGS)


@hookimpl
def should_review_on(event: PlatformEvent) -> bool:
    """New documents in a watched direction (the recorded event
    ``patent_search.watchlist.matched``) call for a Monitor review."""
    from .events import WATCHLIST_MATCHED

    return event.kind == WATCHLIST_MATCHED


@hookimpl
def register_event_types() -> list[EventType]:
    """Watchlist matches and stored FTO screenings."""
    from .events import EVENT_TYPES

    return list(EVENT_TYPES)


@hookimpl
async def on_tenant_merged(event: TenantEvent) -> None:
    """Collections and watchlists are unique by name per tenant: rename the absorbed tenant's
    clashing ones before they move."""
    from .models import Collection, Watchlist

    gone = event.other_tenant_id
    if gone is None:  # the core names the absorbed tenant in every merge event
        raise ValueError("on_tenant_merged: the event names no absorbed tenant")
    session = event.session
    for model in (Collection, Watchlist):
        keep = set((await session.execute(select(model.name).where(
            model.tenant_id == event.tenant_id))).scalars())
        moving = (await session.execute(select(model.id, model.name).where(
            model.tenant_id == gone))).all()
        for row_id, name in moving:
            if name in keep:
                await session.execute(update(model).where(model.id == row_id).values(
                    name=f"{name} (absorbed {gone[:8]})"))


@hookimpl
async def list_ip_objects(platform: PlatformContext, tenant_id: str, kinds: list[str] | None,
                          ids: list[str] | None, limit: int) -> list[IpObject]:
    """Documents of the tenant's portfolio collections: its own patents and applications."""
    from .models import Collection, PatentDocument

    wanted = set(kinds or ("patent", "application"))
    if not wanted & {"patent", "application"}:
        return []
    async with platform.read_session(tenant_id) as session:
        stmt = (select(PatentDocument).join(Collection,
                                            Collection.id == PatentDocument.collection_id)
                .where(Collection.kind == "portfolio")
                .order_by(PatentDocument.publication_number).limit(limit))
        if ids:
            stmt = stmt.where(PatentDocument.id.in_(ids))
        docs = (await session.execute(stmt)).scalars().all()
    out = []
    for doc in docs:
        kind = "application" if doc.kind.startswith("A") else "patent"
        if kind in wanted:
            out.append(IpObject(plugin="patent_search", id=doc.id, tenant_id=tenant_id,
                                kind=kind, ref=doc.publication_number, title=doc.title,
                                status=doc.kind,
                                details={"cpc": list(doc.cpc)[:10],
                                         "collection_id": doc.collection_id}))
    return out


@hookimpl
async def screen_text(platform: PlatformContext, tenant_id: str, text: str,
                      limit: int) -> list[TextMatch]:
    """Risk ``third_party_text``: documents of the collections the tenant may read (its own
    portfolio excepted) whose wording the text copies. Claim similarity is no risk of
    publishing (a publication infringes no patent): that is ``screenFto``'s job."""
    from .copying import copied_documents

    found = await copied_documents(platform, tenant_id, text, limit)
    return [TextMatch(plugin="patent_search", object_kind="patent",
                      object_id=f"{c.collection_id}:{c.publication_number}",
                      ref=c.publication_number, title=c.title, score=c.score,
                      risk="third_party_text",
                      passages=tuple(TextPassage(text=p.text, matched=p.matched, where=p.where,
                                                 score=p.score, start=p.start, end=p.end)
                                     for p in c.passages))
            for c in found]


@hookimpl
async def load_demo_data(demo: DemoContext) -> None:
    from .demo import load

    await load(demo)


@hookimpl
def register_routes() -> list[Any]:
    """The streamed upload of patent files into a collection."""
    from .routes import upload_documents

    return [upload_documents]


@hookimpl
def register_commands(cli: Any) -> None:
    from .cli import patents

    cli.add_command(patents)
