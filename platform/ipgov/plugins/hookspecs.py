"""Hook specifications: the whole contract between the core and its plugins.

Every hook is called with keyword arguments only. A plugin implements a hook by defining a
function of the same name decorated with ``ipgov.api.hookimpl`` in its ``hooks`` module, and may
accept any subset of the parameters. Unless a spec says *first result*, the core collects the
results of every plugin (a list, in load order; the core sorts contributions by plugin name where
order matters). Hooks that may do I/O may return an awaitable; the core awaits it.

The *collecting* hooks (``register_*`` returning contributions) are called once, at start-up,
by ``ipgov.plugins.catalog.build_catalog``; a broken contribution stops start-up with one
``PluginContractError`` naming the plugin and the contribution.

Documentation for each hook, with a runnable example, lives in ``docs/plugins.md``; a test fails
when a hook is added here without a heading there or without a test that exercises it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from datetime import date

    import click
    from sqlalchemy.ext.asyncio import AsyncSession

    from ipgov.events.catalog import EventType
    from ipgov.plugins.context import PlatformContext
    from ipgov.plugins.contracts import (
        DemoContext,
        FrameworkCatalog,
        GraphQLContribution,
        Permission,
        PlatformEvent,
        SupervisionMetric,
        TenantEvent,
    )
    from ipgov.plugins.workspace import WorkspaceExtension
    from ipgov.reviews.checks import Check
    from ipgov.settings import PluginSetting

__all__ = ["hookspec", "hookimpl", "PROJECT_NAME"]

PROJECT_NAME = "ipgov"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# ---------------------------------------------------------------------------------------------
# Models and migrations
# ---------------------------------------------------------------------------------------------


@hookspec
def register_models() -> list[type]:
    """Return the plugin's SQLAlchemy model classes (subclasses of ``ipgov.api.Base``).

    Tenant-owned models also inherit ``ipgov.api.TenantScoped``; the core filters them.
    Since 0.1.
    """


@hookspec
def register_migrations() -> str:
    """Return the path of the plugin's Alembic ``versions`` directory.

    The plugin's first revision carries a branch label (the plugin name) and depends on the
    core's first revision; ``ipgov migrate`` upgrades every head. Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# GraphQL
# ---------------------------------------------------------------------------------------------


@hookspec
def register_graphql_types() -> GraphQLContribution:
    """Return Strawberry Query/Mutation types to merge into the root schema.

    A field name that another contribution also defines fails start-up. Every field must
    declare its permission with ``ipgov.api.requires`` (or ``ipgov.api.public``). Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# Authorization
# ---------------------------------------------------------------------------------------------


@hookspec
def register_permissions() -> list[Permission]:
    """Return the object types and actions the plugin protects (``plugin:object``). Since 0.1."""


@hookspec
def register_role_grants() -> dict[str, list[tuple[str, str]]]:
    """Return default grants: role name -> list of ``(object, action)``.

    The core materialises them into a tenant's policies at onboarding, and where missing when
    the plugin comes into effect for a tenant that exists already (enabling, a group's baseline,
    a mode change). Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# Tenancy
# ---------------------------------------------------------------------------------------------


@hookspec
def on_tenant_created(event: TenantEvent) -> Any:
    """Seed the plugin's defaults for a tenant, once per tenant and plugin.

    Called at onboarding for the plugins enabled for the new tenant, or later the first time the
    plugin comes into effect for a tenant that exists already (``event.details["reason"]`` is
    ``"onboarding"`` or ``"plugin_enabled"``), inside that transaction. ``event.session`` is
    system-scoped: set ``tenant_id=event.tenant_id`` on every row you add. Raising aborts the
    change. May return an awaitable. Since 0.1.
    """


@hookspec
def on_tenant_merged(event: TenantEvent) -> Any:
    """Prepare an absorption: ``event.tenant_id`` absorbs ``event.other_tenant_id``.

    Called before the core moves the absorbed tenant's rows into the absorbing tenant, so a
    plugin can resolve clashes (one row per tenant, unique names); rows that would still clash
    abort the merger with ``ABSORPTION_CLASH`` naming the plugin. ``event.session`` is the
    merger's system-scoped session. Called for plugins enabled for either tenant. May return an
    awaitable. Since 0.1.
    """


@hookspec
def load_demo_data(demo: DemoContext) -> Any:
    """Add the plugin's demo data to the demo group (``ipgov demo``).

    ``demo.tenants`` maps slugs to tenant ids; ``demo.session`` is a system-scoped session in
    the demo's transaction: set ``tenant_id`` on every row. Called once, after the tenants and
    users exist, for every loaded plugin. May return an awaitable. Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# Reviews and background work
# ---------------------------------------------------------------------------------------------


@hookspec
def register_checks() -> list[Check]:
    """Return the review checks (``ipgov.api.Check``) that governance reviews run.

    A check's ``run(ctx)`` receives an ``ipgov.api.CheckContext`` (a read-only tenant-scoped
    session, the tenant, the review's time) and returns ``FindingDraft`` items; it may be a
    coroutine function or a plain one. Run for tenants that enable the plugin. Since 0.1.
    """


@hookspec
def should_review_on(event: PlatformEvent) -> Any:
    """Return True when ``event`` (raised with ``ipgov.api.emit_event``) calls for a review of
    ``event.tenant_id``. Called for plugins enabled for that tenant; any True requests one
    review per event id. May return an awaitable. Since 0.1.
    """


@hookspec
def register_jobs() -> dict[str, Any]:
    """Return background job kinds: ``{"<plugin>.<kind>": handler}``.

    ``handler(ctx)`` is an async function receiving an ``ipgov.api.JobContext`` (tenant,
    params, ``ctx.session()``, ``ctx.progress(...)``, ``ctx.error(...)``); what it returns is
    stored as the job's result (JSON). Jobs run in the review workers (embedded threads by
    default, ``ipgov worker`` processes with a broker) and are delivered at least once: a
    handler must be idempotent. Start one with ``ipgov.api.enqueue_job``. Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------


@hookspec
def register_event_types() -> list[EventType]:
    """Return the kinds of event the plugin records (``ipgov.api.EventType``): name (starting
    with the plugin's name and a dot), payload schema version, summary, JSON Schema of the
    payload, titles in en and zh-CN, the permission object it is about, a workspace link and
    an example payload.

    Record one with ``ipgov.api.record_event`` in the transaction of the change it reports.
    A duplicate name, a name outside the plugin's namespace, an invalid schema or example fail
    start-up. Listed in docs/events.md. Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# Frameworks and supervision
# ---------------------------------------------------------------------------------------------


@hookspec
def register_framework_catalogs() -> list[FrameworkCatalog]:
    """Return governance frameworks shipped as ``ipgov-framework/1`` data files.

    Every tenant sees them beside the frameworks it loads itself (profiles and gap analysis
    are assessed against them). Two plugins contributing the same framework id fail start-up.
    Since 0.1.
    """


@hookspec
def register_supervision_metrics() -> list[SupervisionMetric]:
    """Return per-tenant figures for the supervision view (``ipgov.api.SupervisionMetric``).

    ``compute(session, tenant_id)`` runs in a read-only session scoped to one tenant, for
    tenants that enable the plugin; keys start with the plugin's name. Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# Cross-plugin lookups (plugins never import each other; they ask through the core)
# ---------------------------------------------------------------------------------------------


@hookspec
def list_ip_objects(platform: PlatformContext, tenant_id: str, kinds: list[str] | None,
                    ids: list[str] | None, limit: int) -> Any:
    """Return the ``ipgov.api.IpObject`` items this plugin holds for ``tenant_id`` (at most
    ``limit``), filtered by ``kinds`` and ``ids`` when given. Called for plugins enabled for the
    tenant through ``ipgov.api.list_ip_objects``; the caller has already been authorized to
    read the tenant. May return an awaitable. Since 0.1.
    """


@hookspec
def screen_text(platform: PlatformContext, tenant_id: str, text: str, limit: int) -> Any:
    """Compare ``text`` (an article, a paper, a technical solution) with what this plugin
    stores for ``tenant_id`` and return up to ``limit`` ``ipgov.api.TextMatch`` items, best
    first, each with its matching passages. Called through ``ipgov.api.screen_text``; read only
    what the tenant may read (its own rows and collections shared with it). May return an
    awaitable. Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------------------------


@hookspec
def notification_recipients(session: AsyncSession, tenant_id: str,
                            selectors: list[str]) -> Any:
    """Return the user ids that ``selectors`` name in ``tenant_id`` (a notification rule's RACI
    roles, written ``<process>:<R|A|C|I>``), or nothing for selectors the plugin does not
    know. ``session`` is the tenant's. All results are joined; may return an awaitable.
    Since 0.1.
    """


@hookspec
def calendar_entries(session: AsyncSession, tenant_id: str, locale: str, start: date,
                     end: date) -> Any:
    """Return ``ipgov.api.CalendarEntry`` items of ``tenant_id`` dated from ``start`` to
    ``end`` (deadlines, due dates) for users' calendar feeds, titled in ``locale``; the core
    keeps those the feed's user may read (``object_type``). ``session`` is a read-only
    session of the tenant. All results are joined; may return an awaitable. Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------


@hookspec
def register_settings() -> list[PluginSetting]:
    """Return the plugin's settings (``ipgov.api.PluginSetting``: name, type, default,
    environment variable, description).

    The core reads and checks them when the platform starts (a bad value stops it with an error
    naming the plugin, the setting and the variable); the plugin reads them with
    ``platform.plugin_settings("<plugin>").<name>``. Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# Web workspace
# ---------------------------------------------------------------------------------------------


@hookspec
def register_workspace_extensions() -> list[WorkspaceExtension]:
    """Return the plugin's screens for the web workspace: a list holding at most one
    ``ipgov.api.WorkspaceExtension`` (its built ES module, navigation entries and widgets).

    The core serves ``module_dir`` at ``/workspace-extensions/<plugin>/`` and lists the
    extension, for tenants where the plugin is in effect, in GraphQL ``workspaceExtensions``;
    the workspace loads the module and calls its ``mount(element, context, target)``. Paths
    start with ``/x/<plugin>/``; a missing module file makes the extension unavailable, not
    start-up fail. Since 0.1.
    """


# ---------------------------------------------------------------------------------------------
# HTTP and command line
# ---------------------------------------------------------------------------------------------


@hookspec
def register_routes() -> list[Any]:
    """Return Litestar route handlers or routers (uploads, exports), mounted under ``/plugins``.

    Handlers authenticate and authorize themselves; serve no tenant data without both.
    Since 0.1.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands to the ``ipgov`` command line (called when it starts, for every
    installed plugin). Since 0.1."""
