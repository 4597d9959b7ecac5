"""Hook implementations of the example_partner plugin: the only place its hooks live.

It imports nothing from ipgov but ``ipgov.api``, like every partner plugin must.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, select, update

from ipgov.api import (
    Check,
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
)

from .checks import CHECKS
from .graphql import ExamplePartnerMutation, ExamplePartnerQuery
from .models import ExampleNote, ExampleSettings
from .services import NOTE, PLUGIN, SETTINGS

__all__ = ["NOTE", "PLUGIN_INFO"]

PLUGIN_INFO = PluginInfo(
    name="example_partner",
    version="0.2.0",
    api_version=1,
    description="Example partner plugin: notes with due dates, a review check, settings",
)

_READ_ROLES = ("viewer", "auditor", "reviewer", "contributor")
_WRITE_ROLES = ("tenant_admin", "group_admin", "ip_manager")


@hookimpl
def register_models() -> list[type]:
    """The plugin's tables (importing this module registered them already)."""
    return [ExampleNote, ExampleSettings]


@hookimpl
def register_migrations() -> str:
    """The plugin's Alembic branch, shipped inside the package."""
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def register_permissions() -> list[Permission]:
    """The one object this plugin protects: notes, which can be read and created."""
    return [Permission(NOTE, ("read", "create"), "Notes kept by the example partner")]


@hookimpl
def register_role_grants() -> dict[str, list[tuple[str, str]]]:
    """Every role reads notes; administrators and IP managers also create them."""
    grants: dict[str, list[tuple[str, str]]] = {role: [(NOTE, "read")] for role in _READ_ROLES}
    for role in _WRITE_ROLES:
        grants[role] = [(NOTE, "read"), (NOTE, "create")]
    return grants


@hookimpl
def register_settings() -> list[PluginSetting]:
    """``max_notes`` (``IPGOV_EXAMPLE_PARTNER_MAX_NOTES``), checked when the platform starts."""
    return list(SETTINGS)


@hookimpl
async def list_ip_objects(platform: PlatformContext, tenant_id: str, kinds: list[str] | None,
                          ids: list[str] | None, limit: int) -> list[IpObject]:
    """Notes as IP objects of kind ``other``, read in a read-only session of the tenant."""
    if kinds and "other" not in kinds:
        return []
    async with platform.read_session(tenant_id) as session:
        query = select(ExampleNote).order_by(ExampleNote.title).limit(limit)
        if ids:
            query = query.where(ExampleNote.id.in_(ids))
        notes = (await session.execute(query)).scalars().all()
    return [IpObject(plugin=PLUGIN, id=n.id, tenant_id=tenant_id, kind="other", ref=n.title,
                     title=n.title, status="open",
                     details={"due_on": str(n.due_on or "")}) for n in notes]


@hookimpl
def register_graphql_types() -> GraphQLContribution:
    """Add the greeting, the notes connection and the note mutation."""
    return GraphQLContribution(query=[ExamplePartnerQuery], mutation=[ExamplePartnerMutation])


@hookimpl
def register_workspace_extensions() -> list[WorkspaceExtension]:
    """The notes page and a home widget, in ``web/notes.js``: a hand-written ES module that
    the workspace loads as it is (no bundler) and mounts with its context."""
    return [WorkspaceExtension(
        module_dir=Path(__file__).parent / "web",
        entry="notes.js",
        navigation=(WorkspaceNavEntry(
            key="notes", label={"en": "Notes", "zh-CN": "备注"},
            path=f"/x/{PLUGIN}/notes", requires=(NOTE, "read"), icon="FileTextOutlined"),),
        widgets=(WorkspaceWidget(
            key="quick_note", label={"en": "Add a note", "zh-CN": "添加备注"}, slot="home",
            requires=(NOTE, "create")),),
    )]


@hookimpl
def register_checks() -> list[Check]:
    """Reviews flag overdue notes."""
    return list(CHECKS)


@hookimpl
async def on_tenant_created(event: TenantEvent) -> None:
    """Seed the tenant's settings row: at onboarding, or when the plugin is first enabled
    for a tenant that exists already (``event.details["reason"]`` says which)."""
    exists = await event.session.execute(
        select(ExampleSettings.id).where(ExampleSettings.tenant_id == event.tenant_id))
    if exists.first() is None:
        event.session.add(ExampleSettings(tenant_id=event.tenant_id, reminder_days=30))
        await event.session.flush()


@hookimpl
async def on_tenant_merged(event: TenantEvent) -> None:
    """Before the core moves the absorbed tenant's rows: the absorbing tenant keeps its own
    settings row (one per tenant), and absorbed notes whose title it uses get a suffix."""
    keep, gone = event.tenant_id, event.other_tenant_id
    if gone is None:  # the core names the absorbed tenant in every merge event
        raise ValueError("on_tenant_merged: the event names no absorbed tenant")
    session = event.session
    kept = await session.execute(select(ExampleSettings.id).where(
        ExampleSettings.tenant_id == keep))
    if kept.first() is not None:
        await session.execute(delete(ExampleSettings).where(ExampleSettings.tenant_id == gone))
    titles = select(ExampleNote.title).where(ExampleNote.tenant_id == keep)
    await session.execute(
        update(ExampleNote).where(ExampleNote.tenant_id == gone, ExampleNote.title.in_(titles))
        .values(title=func.substr(ExampleNote.title, 1, 185) + f" (from {gone[:8]})")
        .execution_options(synchronize_session=False))
