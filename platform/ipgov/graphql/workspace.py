"""The web workspace's plugin screens in GraphQL: ``workspaceExtensions(tenantId)``.

The workspace shell asks which extensions are in effect in the tenant it shows, then loads
each available module from its ``moduleUrl``. ``allowed`` on every entry is the caller's own
authorization decision in that tenant, so the shell hides what the caller cannot open; the
fields behind a screen check again, whatever the shell shows.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ipgov.authz.access import check_tenant_access
from ipgov.errors import DomainError
from ipgov.i18n import pick
from ipgov.plugins.workspace import WorkspaceModule, WorkspaceNavEntry, WorkspaceWidget

from .permissions import requires

__all__ = ["WorkspaceQuery"]


@strawberry.type(name="WorkspacePermission", description="A permission: an action on a "
                 "resource (an object type such as example_partner:note).")
class WorkspacePermissionType:
    resource: str
    action: str


@strawberry.type(name="WorkspaceNavEntry", description="A navigation entry a plugin adds to "
                 "the workspace: one page of its module.")
class WorkspaceNavEntryType:
    key: str = strawberry.field(description="Unique within the plugin.")
    label: str = strawberry.field(description="In the caller's language (English when the "
                                  "plugin gives no translation).")
    path: str = strawberry.field(description="The route inside the workspace; starts with "
                                 "/x/<plugin>/.")
    section: str = strawberry.field(description="The menu section it belongs to.")
    icon: str | None = strawberry.field(description="An Ant Design icon name, if any.")
    allowed: bool = strawberry.field(description="The caller holds `requires` in this tenant "
                                     "(always true when nothing is required).")
    requires: WorkspacePermissionType | None


@strawberry.type(name="WorkspaceWidget", description="A widget a plugin's module mounts in a "
                 "slot of the workspace.")
class WorkspaceWidgetType:
    key: str = strawberry.field(description="Unique within the plugin.")
    label: str = strawberry.field(description="In the caller's language.")
    slot: str = strawberry.field(description="Where it goes: home.")
    allowed: bool = strawberry.field(description="The caller holds `requires` in this tenant.")
    requires: WorkspacePermissionType | None


@strawberry.type(name="WorkspaceExtension", description="The screens one plugin adds to the "
                 "workspace: an ES module, its navigation entries and widgets.")
class WorkspaceExtensionType:
    plugin: str
    module_url: str | None = strawberry.field(description="Where to import the module from "
                                              "(immutable: it carries a content hash); null "
                                              "while it is unavailable.")
    context_version: int = strawberry.field(description="The mount context version the module "
                                            "expects (docs/plugins.md).")
    available: bool = strawberry.field(description="The module file exists and can be loaded.")
    unavailable_reason: str | None = strawberry.field(description="Why not, in the caller's "
                                                      "language.")
    navigation: list[WorkspaceNavEntryType]
    widgets: list[WorkspaceWidgetType]


class _Decisions:
    """The caller's authorization decisions in one tenant, asked once per permission."""

    def __init__(self, info: Info, tenant_id: str) -> None:
        ctx = info.context
        self.authz, self.subject = ctx.platform.authz, ctx.require_principal().subject
        self.tenant_id = tenant_id
        self.known: dict[tuple[str, str], bool] = {}

    def allows(self, requires: tuple[str, str] | None) -> bool:
        if requires is None:
            return True
        if requires not in self.known:
            try:  # the same decision a field declaring ``requires`` takes
                check_tenant_access(self.authz, self.subject, self.tenant_id, *requires)
                self.known[requires] = True
            except DomainError:
                self.known[requires] = False
        return self.known[requires]


def _permission(requires: tuple[str, str] | None) -> WorkspacePermissionType | None:
    return WorkspacePermissionType(resource=requires[0], action=requires[1]) if requires else None


def _label(label: dict[str, str], locale: str) -> str:
    return pick(label["en"], label.get("zh-CN", ""), locale)


def _nav(entry: WorkspaceNavEntry, decisions: _Decisions, locale: str) -> WorkspaceNavEntryType:
    return WorkspaceNavEntryType(
        key=entry.key, label=_label(entry.label, locale), path=entry.path,
        section=entry.section, icon=entry.icon, allowed=decisions.allows(entry.requires),
        requires=_permission(entry.requires))


def _widget(widget: WorkspaceWidget, decisions: _Decisions, locale: str) -> WorkspaceWidgetType:
    return WorkspaceWidgetType(
        key=widget.key, label=_label(widget.label, locale), slot=widget.slot,
        allowed=decisions.allows(widget.requires), requires=_permission(widget.requires))


def _extension(module: WorkspaceModule, decisions: _Decisions, locale: str
               ) -> WorkspaceExtensionType:
    version = module.version()
    extension = module.extension
    reason = None if version else pick(
        f"The screens of {module.plugin} are not built yet: {extension.entry} is missing "
        "from its module folder. Build the plugin's web module and reload.",
        f"{module.plugin} 的界面尚未构建：其模块目录中缺少 {extension.entry}。"
        "请构建该插件的网页模块后重新加载。", locale)
    return WorkspaceExtensionType(
        plugin=module.plugin, module_url=module.module_url(version) if version else None,
        context_version=extension.context_version, available=version is not None,
        unavailable_reason=reason,
        navigation=[_nav(e, decisions, locale) for e in extension.navigation],
        widgets=[_widget(w, decisions, locale) for w in extension.widgets])


@strawberry.type
class WorkspaceQuery:
    @strawberry.field(description="The screens of the plugins in effect in the tenant, for the "
                      "web workspace (at most one extension per installed plugin), with the "
                      "caller's permission for each entry.",
                      extensions=requires("ipgov:tenant", "read"))
    def workspace_extensions(self, info: Info,
                             tenant_id: strawberry.ID) -> list[WorkspaceExtensionType]:
        ctx = info.context
        tenant = ctx.platform.authz.tenant_info(str(tenant_id))
        if tenant is None:  # the permission check refused unknown ids already
            return []
        decisions = _Decisions(info, str(tenant_id))
        modules = ctx.platform.catalog.workspace_for(tenant.enabled_plugins)
        return [_extension(m, decisions, ctx.locale) for m in modules]
