"""The plugin catalog: every contribution collected and validated once, at start-up.

A plugin with a broken contribution stops ``build_platform`` with one ``PluginContractError``
naming the plugin and the contribution; the core's own contributions arrive through the same
hooks (the built-in ``core`` plugin); a review run reads the catalog and never builds it.
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest

from ipgov import startup
from ipgov.api import (
    Check,
    EventType,
    FindingText,
    FrameworkCatalog,
    Function,
    GovernanceDomain,
    JobKind,
    Permission,
    PluginInfo,
    Severity,
    SupervisionMetric,
    event_field,
    event_payload,
    framework_catalogs,
    hookimpl,
)
from ipgov.db import scope_of
from ipgov.plugins import catalog as catalog_module
from ipgov.plugins.catalog import PluginContractError, build_catalog
from ipgov.reviews.inline import run_inline
from ipgov.startup import build_platform, new_registry
from ipgov.supervision.metrics import tenant_metrics
from tests.conftest import make_group

FRAMEWORK = (Path(__file__).parents[2] / "plugins" / "ip_governance" / "framework" / "data"
             / "ip-csf-1.0.yaml")


def _plugin(name: str, **hooks: Any) -> types.ModuleType:
    module = types.ModuleType(f"{name}_hooks")
    module.PLUGIN_INFO = PluginInfo(name=name, version="1", api_version=1)
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, hookimpl(specname=hook_name)(fn))
    return module


def _check(cid: str, **texts: FindingText) -> Check:
    return Check(id=cid, title="Probe", title_zh="探针", domain=GovernanceDomain.RESOURCES,
                 function=Function.PROTECT, severity=Severity.LOW, run=lambda ctx: [],
                 texts=texts)


async def _handler(ctx: Any) -> None:
    return None


def _sync_handler(ctx: Any) -> None:
    return None


def _metric(key: str, title_zh: str = "探针") -> SupervisionMetric:
    return SupervisionMetric(key, "Probe", lambda session, tenant_id: 1, title_zh=title_zh)


def _event(name: str = "partner.thing.happened", **changes: Any) -> EventType:
    values: dict[str, Any] = {
        "name": name, "version": 1, "summary": "Probe",
        "payload": event_payload({"thing_id": event_field("id")}),
        "titles": {"en": "Thing {thing_id}", "zh-CN": "事物 {thing_id}"},
        "object_type": "partner:thing", "example": {"tenant_id": "t", "thing_id": "x"}}
    return EventType(**{**values, **changes})


# (hook, what it returns, the contribution the error names, what it says)
BROKEN = [
    ("register_event_types", [_event("thing.happened")], "event type 'thing.happened'",
     "must start with 'partner.'"),
    ("register_event_types", [_event("review.finished")], "event type 'review.finished'",
     "must start with 'partner.'"),
    ("register_event_types", [_event(), _event()], "event type 'partner.thing.happened'",
     "is also declared by plugin partner"),
    ("register_event_types", [_event(titles={"en": "Thing {name}", "zh-CN": "事物"})],
     "event type 'partner.thing.happened'", "the en title names fields the payload lacks"),
    ("register_event_types", [_event(titles={"en": "Thing"})],
     "event type 'partner.thing.happened'", "the zh-CN title is missing"),
    ("register_event_types", [_event(labels={"en": "Thing happened"})],
     "event type 'partner.thing.happened'", "the labels lack zh-CN"),
    ("register_event_types", [_event(payload={"type": "object"})],
     "event type 'partner.thing.happened'", '"additionalProperties": false'),
    ("register_event_types", [_event(payload={"type": "object", "required": 3})],
     "event type 'partner.thing.happened'", "not valid JSON Schema"),
    ("register_event_types", [_event(example={"thing_id": "x"})],
     "event type 'partner.thing.happened'", "the example payload does not validate"),
    ("register_event_types", ["partner.thing"], "event type 'partner.thing'",
     "is not ipgov.api.EventType"),
    ("register_permissions", [Permission("ip_governance:risk", ("read",))],
     "permission 'ip_governance:risk'", "must start with 'partner:'"),
    ("register_permissions", [Permission("partner:thing", ())],
     "permission 'partner:thing'", "declares no actions"),
    ("register_permissions", ["partner:thing"], "permission 'partner:thing'",
     "is not ipgov.api.Permission"),
    ("register_checks", [_check("partner.x", gap=FindingText("Gap in {outcome}", ""))],
     "check partner.x", "text 'gap': the zh-CN title is missing"),
    ("register_checks", [_check("partner.x", gap=FindingText("Gap in {outcome}", "差距"))],
     "check partner.x", "lacks {outcome}"),
    ("register_checks", [_check("other.x")], "check 'other.x'", "must start with 'partner.'"),
    ("register_checks", [_check("core.audit_trail_intact")], "check 'core.audit_trail_intact'",
     "must start with 'partner.'"),
    ("register_jobs", {"sweep": _handler}, "job kind 'sweep'", "must start with 'partner.'"),
    ("register_jobs", {"partner.sweep": JobKind(handler=_sync_handler)},
     "job kind 'partner.sweep'", "must be an async function"),
    ("register_routes", ["not a route"], "route 'not a route'",
     "is not a Litestar route handler"),
    ("register_framework_catalogs", [FrameworkCatalog("mine", Path("/nonexistent.yaml"))],
     "framework catalog 'mine'", "is not a file"),
    ("register_framework_catalogs", [FrameworkCatalog("ip-csf", FRAMEWORK)],
     "framework catalog 'ip-csf'", "is also declared by plugin ip_governance"),
    ("register_supervision_metrics", [_metric("partner.m", title_zh="")],
     "supervision metric 'partner.m'", "the zh-CN title is missing"),
    ("register_supervision_metrics", [_metric("m")], "supervision metric 'm'",
     "must start with 'partner.'"),
    ("register_models", [int], "model int", "is not a subclass of ipgov.api.Base"),
    ("register_graphql_types", ["Query"], "register_graphql_types",
     "must return ipgov.api.GraphQLContribution"),
]


@pytest.mark.parametrize(("hook", "returned", "contribution", "problem"), BROKEN,
                         ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)])
def test_a_broken_contribution_fails_start_up_naming_plugin_and_contribution(
        settings, monkeypatch, hook, returned, contribution, problem):
    def with_partner(only=None):
        registry = new_registry(only)
        registry.register(_plugin("partner", **{hook: lambda: returned}))
        return registry

    monkeypatch.setattr(startup, "new_registry", with_partner)
    with pytest.raises(PluginContractError) as caught:
        build_platform(settings)
    error = caught.value
    assert error.plugin == "partner"
    assert error.contribution == contribution
    assert problem in error.problem
    assert str(error).startswith(f"plugin partner: {contribution}: ")


def test_the_same_permission_declared_twice_by_one_plugin_is_refused():
    registry = new_registry(only=[])
    registry.register(_plugin("partner", register_permissions=lambda: [
        Permission("partner:thing", ("read",)), Permission("partner:thing", ("update",))]))
    with pytest.raises(PluginContractError, match="is also declared by plugin partner"):
        build_catalog(registry)


def test_the_core_contributes_through_the_same_hooks_as_a_built_in_plugin():
    registry = new_registry(only=[])
    catalog = build_catalog(registry)
    assert registry.names() == []  # built-ins are never listed, enabled or disabled
    assert catalog.builtins == frozenset({"core"})
    assert {p for p, _c in catalog.checks} == {"core"}
    assert "core.audit_trail_intact" in catalog.checks_by_id
    assert {p for p, _perm in catalog.permissions} == {"core"}
    assert catalog.checks_for([]) == list(catalog.checks)  # core checks run for every tenant


def test_every_first_party_contribution_is_in_one_catalog():
    catalog = build_catalog(new_registry(only=["ip_governance", "patent_search",
                                               "data_governance"]))
    plugins = {p for p, _c in catalog.checks}
    assert plugins == {"core", "ip_governance", "patent_search", "data_governance"}
    assert [c.id for _p, c in catalog.checks] == sorted(catalog.checks_by_id)
    assert all(name.startswith(f"{p}.") for name, (p, _k) in catalog.jobs.items())
    assert [f.id for _p, f in catalog.frameworks] == ["ip-csf"]
    assert [m.key for _p, m in catalog.metrics] == ["data_governance.catalogued_assets",
                                                    "data_governance.unprotected_solutions"]
    assert {p for p, _m in catalog.models} >= {"core", "ip_governance"}
    assert len(catalog.graphql) == 3 and len(catalog.migrations) == 3


async def test_a_review_run_builds_the_catalog_zero_times(platform, monkeypatch):
    group = await make_group(platform, "acme")
    built = platform.catalog  # built by build_platform, before any review
    calls = []
    real = catalog_module.build_catalog

    def counting(registry):
        calls.append(registry)
        return real(registry)

    monkeypatch.setattr("ipgov.runtime.build_catalog", counting)
    monkeypatch.setattr(catalog_module, "build_catalog", counting)
    run = await run_inline(platform, group.ids["acme-a"], actor="test")
    assert run.status in ("succeeded", "partial")  # ran every check it selected
    assert calls == []
    assert platform.catalog is built


async def test_a_plugin_registered_after_start_up_gets_a_fresh_catalog(platform):
    before = platform.catalog
    platform.registry.register(_plugin("partner", register_checks=lambda: [
        _check("partner.late")]))
    assert before is not platform.catalog
    assert "partner.late" in platform.catalog.checks_by_id


def test_framework_catalogs_reach_plugins_through_the_api(platform):
    assert [c.id for c in framework_catalogs(platform)] == ["ip-csf"]


async def test_supervision_metrics_are_computed_in_the_tenant_of_each_row(platform):
    from ipgov.authz import store
    from ipgov.tenancy.models import Tenant

    seen = []

    async def scoped(session, tenant_id):
        seen.append((tenant_id, scope_of(session)))
        return 3

    def failing(session, tenant_id):
        raise RuntimeError("broken metric")

    group = await make_group(platform, "acme")
    tid = group.ids["acme-a"]
    platform.registry.register(_plugin("partner", register_supervision_metrics=lambda: [
        SupervisionMetric("partner.count", "Count", scoped, title_zh="计数"),
        SupervisionMetric("partner.broken", "Broken", failing, title_zh="故障")]))
    assert [m.key for m in await tenant_metrics(platform, tid)
            if m.plugin == "partner"] == []  # not enabled there
    async with platform.db.system_session("test: enable partner") as s:
        tenant = await s.get(Tenant, tid)
        tenant.enabled_plugins = sorted({*tenant.enabled_plugins, "partner"})
        await store.record_tree_change(s, tid)
    await platform.authz.refresh()
    values = {m.key: m for m in await tenant_metrics(platform, tid)}
    assert values["partner.count"].value == 3.0 and not values["partner.count"].failed
    assert values["partner.broken"].value is None and values["partner.broken"].failed
    [(tenant_seen, scope)] = seen
    assert tenant_seen == tid and scope.tenant_ids == frozenset({tid})  # this tenant alone


PLUGIN_METRICS = """query($root: ID) { supervisionOverview(rootId: $root) {
  edges { node { tenant { slug } pluginMetrics { plugin key title value failed } } } } }"""


async def test_the_supervision_overview_shows_each_tenants_plugin_metrics(platform, gql):
    group = await make_group(platform, "acme")
    body = await gql(PLUGIN_METRICS, {"root": group.ids["acme"]}, token=group.token("admin"))
    assert "errors" not in body, body
    rows = {e["node"]["tenant"]["slug"]: e["node"]["pluginMetrics"]
            for e in body["data"]["supervisionOverview"]["edges"]}
    assert set(rows) == {"acme", "acme-a", "acme-b", "acme-c"}
    for metrics in rows.values():  # data_governance is enabled by default, nothing catalogued
        assert [(m["key"], m["value"], m["failed"]) for m in metrics] == [
            ("data_governance.catalogued_assets", 0.0, False),
            ("data_governance.unprotected_solutions", 0.0, False)]
        assert metrics[0]["title"] == "Catalogued data assets"
