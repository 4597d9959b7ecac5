"""Hook implementations of the example_partner plugin: the only place its hooks live.

It imports nothing from ipgov but ``ipgov.api``, like every partner plugin must.
"""

from __future__ import annotations

import strawberry

from ipgov.api import (
    Check,
    CheckContext,
    FindingDraft,
    FindingText,
    Function,
    GovernanceDomain,
    GraphQLContribution,
    Permission,
    PluginInfo,
    Severity,
    TenantEvent,
    hookimpl,
    requires,
)

__all__ = [
    "NOTE",
    "PLUGIN_INFO",
    "PROVISIONED",
    "ExamplePartnerQuery",
]

PLUGIN_INFO = PluginInfo(
    name="example_partner",
    version="0.1.0",
    api_version=1,
    description="Example partner plugin: a greeting field, a note permission and a review check",
)

NOTE = "example_partner:note"
_READ_ROLES = ("viewer", "auditor", "reviewer", "contributor")
_WRITE_ROLES = ("tenant_admin", "group_admin", "ip_manager")

PROVISIONED: list[str] = []
"""Ids of the tenants ``on_tenant_created`` ran for, in order (tests read it)."""


def always_remind(ctx: CheckContext) -> list[FindingDraft]:
    """Find one reminder per tenant: shows how a partner check reports a finding."""
    return [ctx.finding("reminder", params={"tenant": ctx.tenant.slug},
                        evidence={"tenant": ctx.tenant.slug})]


@strawberry.type
class ExamplePartnerQuery:
    """Root query fields of the example partner plugin."""

    @strawberry.field(
        description="A greeting for the tenant, from the example partner plugin.",
        extensions=requires(NOTE, "read"),
    )
    def example_partner_greeting(self, tenant_id: strawberry.ID) -> str:
        """Greet the tenant by id."""
        return f"Hello, tenant {tenant_id}, from the example partner plugin."


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
def register_graphql_types() -> GraphQLContribution:
    """Add ``examplePartnerGreeting`` to the root Query."""
    return GraphQLContribution(query=[ExamplePartnerQuery])


@hookimpl
def register_checks() -> list[Check]:
    """One check that always finds a reminder."""
    return [
        Check(
            id="example_partner.always_reminds",
            title="The example partner always reminds you",
            title_zh="示例合作伙伴插件的提醒",
            recommendation="Nothing to do: this check shows how a partner adds one.",
            recommendation_zh="无需处理：此检查演示合作伙伴如何添加检查。",
            domain=GovernanceDomain.RESOURCES,
            function=Function.MONITOR,
            severity=Severity.INFO,
            run=always_remind,
            references=("GB/T 29490-2023 9.1",),
            texts={"": FindingText("Reminder from the example partner for {tenant}",
                                   "示例合作伙伴插件给 {tenant} 的提醒",
                                   "Nothing to do for {tenant}: this is an example.",
                                   "{tenant} 无需处理：这只是一个示例。")},
        )
    ]


@hookimpl
def on_tenant_created(event: TenantEvent) -> None:
    """Record that the plugin was provisioned for the new tenant."""
    PROVISIONED.append(event.tenant_id)
