"""Enabling and disabling a plugin for an existing tenant (issue 29 item 4).

A plugin installed into a running installation used to be unusable for every existing tenant:
enablement and role grants happened at onboarding only. ``enablePlugin`` / ``disablePlugin``
(and ``ipgov plugin enable|disable``) provision, grant, audit and follow the governance mode:
centralized, the group decides; hybrid, the group's baseline plus local choices;
decentralized, local only. Disabling keeps the data.
"""

from __future__ import annotations

from types import ModuleType

import pytest
from sqlalchemy import select

from ipgov.api import PluginInfo, hookimpl
from ipgov.audit.models import AuditEvent
from ipgov.authz import store
from ipgov.authz.models import AuthzRule
from ipgov.errors import DomainError, InvalidInput
from ipgov.tenancy import enablement, services
from ipgov.tenancy.models import PLATFORM_TENANT_ID, Tenant
from tests.conftest import make_group

PLUGIN = "data_governance"
ASSETS = """query($t: ID!) { dataAssets(tenantId: $t, first: 5) { edges { node { id } } } }"""
ENABLE = """mutation($t: ID!, $p: String!, $s: Boolean!) {
  enablePlugin(tenantId: $t, plugin: $p, applyToSubsidiaries: $s) {
    tenant { slug enabledPlugins } changes { tenantSlug enabled disabled provisioned }
    errors { code message field } } }"""
DISABLE = ENABLE.replace("enablePlugin", "disablePlugin")
PLUGINS = """query($t: ID!) { tenantPlugins(tenantId: $t) {
  name enabled ownChoice imposed appliesToSubsidiaries provisioned } }"""
CREATE_ASSET = """mutation($t: ID!) { createDataAsset(tenantId: $t, input: {code: "TD-1",
  kind: "technical_document", title: "Packaging process notes", classification: "internal"}) {
  asset { id } errors { code } } }"""


def _codes(body: dict) -> set[str]:
    return {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}


async def _without(platform, prefix: str, mode: str, plugin: str = PLUGIN):
    """A group whose subsidiaries were onboarded before ``plugin`` was enabled anywhere."""
    g = await make_group(platform, prefix, mode)
    async with platform.db.system_session("test: as if installed later") as s:
        for tenant in (await s.execute(select(Tenant).where(Tenant.root_id == g.ids[prefix])
                                       )).scalars():
            tenant.enabled_plugins = [p for p in tenant.enabled_plugins if p != plugin]
            tenant.local_plugins = list(tenant.enabled_plugins)
            tenant.provisioned_plugins = list(tenant.enabled_plugins)
        refs = list((await s.execute(select(AuthzRule).where(
            AuthzRule.ptype == "s", AuthzRule.origin == "default"))).scalars())
        for ref in refs:  # each tenant's defaults without the plugin's grants
            rules = (await store.read_rule_sets(s, [ref.v0]))[ref.v0]
            await store.attach_rule_set(s, ref.tenant_id, origin="default", rules=[
                r for r in rules if not r[1].startswith(f"{plugin}:")])
            await s.delete(ref)
    await platform.authz.load()
    return g


async def held(session, tenant_id: str) -> list[tuple[str, str]]:
    """(subject, object) of every p rule the tenant holds, rows and referenced sets, with
    repeats (a grant written twice shows twice)."""
    rows = (await session.execute(select(AuthzRule).where(
        AuthzRule.tenant_id == tenant_id, AuthzRule.ptype.in_(("p", "s"))))).scalars().all()
    out = [(r.v0, r.v1) for r in rows if r.ptype == "p"]
    for ref in (r for r in rows if r.ptype == "s"):
        out += [(r[0], r[1]) for r in (await store.read_rule_sets(session, [ref.v0]))[ref.v0]]
    return out


async def test_enabling_for_an_existing_tenant_grants_provisions_and_audits(platform, gql):
    g = await _without(platform, "acme", "hybrid")
    sub, token = g.ids["acme-a"], g.token("a-admin")
    refused = await gql(ASSETS, {"t": sub}, token=token)
    assert _codes(refused) & {"PLUGIN_DISABLED", "FORBIDDEN"}
    data = await gql(ENABLE, {"t": sub, "p": PLUGIN, "s": False}, token=token)
    payload = data["data"]["enablePlugin"]
    assert payload["errors"] == []
    assert PLUGIN in payload["tenant"]["enabledPlugins"]
    assert payload["changes"] == [{"tenantSlug": "acme-a", "enabled": [PLUGIN],
                                   "disabled": [], "provisioned": [PLUGIN]}]
    assert (await gql(ASSETS, {"t": sub}, token=token))["data"]["dataAssets"]["edges"] == []
    # the plugin's default grants reach a contributor-level role too
    assert platform.authz.enforce(g.users["a-viewer"], sub, "data_governance:asset", "read")
    async with platform.db.system_session("test: audit") as s:
        [event] = (await s.execute(select(AuditEvent).where(
            AuditEvent.tenant_id == sub, AuditEvent.action == "plugin.enabled"))).scalars()
    assert event.object_id == PLUGIN and event.actor == g.users["a-admin"]
    assert event.details["provisioned_in"] == {"acme-a": [PLUGIN]}
    assert event.details["grants_added"] > 0


async def test_disabling_keeps_the_data_and_answers_plugin_disabled(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    sub, token = g.ids["acme-a"], g.token("a-admin")
    created = await gql(CREATE_ASSET, {"t": sub}, token=token)
    asset_id = created["data"]["createDataAsset"]["asset"]["id"]
    data = await gql(DISABLE, {"t": sub, "p": PLUGIN, "s": False}, token=token)
    assert data["data"]["disablePlugin"]["errors"] == []
    assert "PLUGIN_DISABLED" in _codes(await gql(ASSETS, {"t": sub}, token=token))
    again = await gql(ENABLE, {"t": sub, "p": PLUGIN, "s": False}, token=token)
    # provisioned once: enabling again runs no on_tenant_created
    assert again["data"]["enablePlugin"]["changes"][0]["provisioned"] == []
    edges = (await gql(ASSETS, {"t": sub}, token=token))["data"]["dataAssets"]["edges"]
    assert [e["node"]["id"] for e in edges] == [asset_id]


def _recorder(name: str, seen: list[tuple[str, str]]) -> ModuleType:
    """A plugin that records every on_tenant_created call and grants viewers one read."""
    module = ModuleType(f"{name}_hooks")
    module.PLUGIN_INFO = PluginInfo(name=name, version="1", api_version=1)

    @hookimpl
    def on_tenant_created(event):
        seen.append((event.tenant_id, event.details.get("reason", "")))

    @hookimpl
    def register_role_grants():
        return {"viewer": [(f"{name}:thing", "read")]}

    module.on_tenant_created = on_tenant_created
    module.register_role_grants = register_role_grants
    return module


async def test_on_tenant_created_runs_once_per_tenant_and_plugin(platform):
    g = await make_group(platform, "acme", "hybrid")
    seen: list[tuple[str, str]] = []
    platform.registry.register(_recorder("late", seen))
    sub = g.ids["acme-b"]
    for _ in range(2):
        async with platform.db.system_session("test: enable twice") as s:
            await enablement.enable_plugin(platform, s, tenant_id=sub, plugin="late",
                                           actor="test")
    async with platform.db.system_session("test: disable, enable") as s:
        await enablement.disable_plugin(platform, s, tenant_id=sub, plugin="late", actor="t")
        await enablement.enable_plugin(platform, s, tenant_id=sub, plugin="late", actor="t")
    assert seen == [(sub, "plugin_enabled")]
    async with platform.db.system_session("test: grants") as s:
        grants = [g for g in await held(s, sub) if g[1] == "late:thing"]
    assert grants == [("viewer", "late:thing")]


async def test_unknown_plugin_is_a_clear_error(platform):
    g = await make_group(platform, "acme", "hybrid")
    async with platform.db.system_session("test") as s:
        with pytest.raises(InvalidInput) as info:
            await enablement.enable_plugin(platform, s, tenant_id=g.ids["acme-a"],
                                           plugin="no_such_plugin", actor="t")
    assert info.value.code == "UNKNOWN_PLUGIN" and "no_such_plugin" in info.value.message


# --------------------------------------------------------------------------- per governance mode


async def test_centralized_the_group_decides(platform, gql):
    g = await _without(platform, "globex", "centralized")
    sub = g.ids["globex-a"]
    local = await gql(ENABLE, {"t": sub, "p": PLUGIN, "s": False}, token=g.token("a-admin"))
    assert [e["code"] for e in local["data"]["enablePlugin"]["errors"]] == [
        "GOVERNANCE_MODE_FORBIDS"]
    by_group = await gql(ENABLE, {"t": g.ids["globex"], "p": PLUGIN, "s": True},
                         token=g.token("admin"))
    changes = {c["tenantSlug"] for c in by_group["data"]["enablePlugin"]["changes"]}
    assert changes == {"globex", "globex-a", "globex-b", "globex-c"}
    assert (await gql(ASSETS, {"t": sub}, token=g.token("a-admin")))["data"]["dataAssets"][
        "edges"] == []
    # the group may also decide for one subsidiary
    off = await gql(DISABLE, {"t": sub, "p": PLUGIN, "s": False}, token=g.token("admin"))
    assert [e["code"] for e in off["data"]["disablePlugin"]["errors"]] == [
        "GOVERNANCE_MODE_FORBIDS"]  # part of the group's baseline: disabled at the group only


async def test_hybrid_baseline_is_mandatory_and_local_choices_add(platform, gql):
    g = await _without(platform, "acme", "hybrid")
    sub, sub_token = g.ids["acme-a"], g.token("a-admin")
    local = await gql(ENABLE, {"t": sub, "p": PLUGIN, "s": False}, token=sub_token)
    assert [c["tenantSlug"] for c in local["data"]["enablePlugin"]["changes"]] == ["acme-a"]
    await gql(DISABLE, {"t": sub, "p": PLUGIN, "s": False}, token=sub_token)
    await gql(ENABLE, {"t": g.ids["acme"], "p": PLUGIN, "s": True}, token=g.token("admin"))
    rows = {r["name"]: r for r in (await gql(PLUGINS, {"t": sub}, token=sub_token))["data"][
        "tenantPlugins"]}
    assert rows[PLUGIN] == {"name": PLUGIN, "enabled": True, "ownChoice": False,
                            "imposed": True, "appliesToSubsidiaries": False,
                            "provisioned": True}
    refused = await gql(DISABLE, {"t": sub, "p": PLUGIN, "s": False}, token=sub_token)
    assert [e["code"] for e in refused["data"]["disablePlugin"]["errors"]] == [
        "GOVERNANCE_MODE_FORBIDS"]
    # the group lifts its baseline: subsidiaries that did not choose it themselves lose it
    await gql(DISABLE, {"t": g.ids["acme"], "p": PLUGIN, "s": True}, token=g.token("admin"))
    await platform.authz.refresh()
    assert PLUGIN not in platform.authz.tenant_info(sub).enabled_plugins


async def test_decentralized_subsidiaries_decide_alone(platform, gql):
    g = await _without(platform, "initech", "decentralized")
    await gql(ENABLE, {"t": g.ids["initech"], "p": PLUGIN, "s": True}, token=g.token("admin"))
    await platform.authz.refresh()
    assert PLUGIN in platform.authz.tenant_info(g.ids["initech"]).enabled_plugins
    assert PLUGIN not in platform.authz.tenant_info(g.ids["initech-a"]).enabled_plugins
    refused = await gql.post(ENABLE, {"t": g.ids["initech-a"], "p": PLUGIN, "s": False},
                             token=g.token("admin"))
    assert "FORBIDDEN" in _codes(refused.json())
    own = await gql(ENABLE, {"t": g.ids["initech-a"], "p": PLUGIN, "s": False},
                    token=g.token("a-admin"))
    assert own["data"]["enablePlugin"]["errors"] == []


async def test_new_subsidiary_under_a_baseline_gets_it_even_when_it_asks_for_less(platform):
    g = await _without(platform, "acme", "hybrid")
    async with platform.db.system_session("test") as s:
        await enablement.enable_plugin(platform, s, tenant_id=g.ids["acme"], plugin=PLUGIN,
                                       actor="t", apply_to_subsidiaries=True)
        t = await services.onboard_subsidiary(platform, s, parent_id=g.ids["acme"],
                                              slug="acme-new", name="New", actor="t",
                                              plugins=[])
        assert t.enabled_plugins == [PLUGIN] and t.local_plugins == []


async def test_platform_and_suspended_tenants_are_refused(platform):
    g = await make_group(platform, "acme", "hybrid")
    async with platform.db.system_session("test") as s:
        await services.set_status(platform, s, tenant_id=g.ids["acme-c"], status="suspended",
                                  actor="t")
    async with platform.db.system_session("test") as s:
        with pytest.raises(DomainError) as info:
            await enablement.disable_plugin(platform, s, tenant_id=g.ids["acme-c"],
                                            plugin=PLUGIN, actor="t")
    assert info.value.code == "TENANT_INACTIVE"
    async with platform.db.system_session("test") as s:
        with pytest.raises(InvalidInput) as refused:
            await enablement.enable_plugin(platform, s, tenant_id=PLATFORM_TENANT_ID,
                                           plugin=PLUGIN, actor="t")
    assert refused.value.field == "tenantId"


# --------------------------------------------------------------------------- tenant boundary


CROSSING = [
    (ENABLE, {"p": PLUGIN, "s": True}),
    (DISABLE, {"p": PLUGIN, "s": True}),
    (PLUGINS, {}),
    ("""query($t: ID!) { previewGovernanceMode(tenantId: $t, mode: DECENTRALIZED) {
        tenants { slug changes { members } } } }""", {}),
    ("""mutation($t: ID!) { setGovernanceMode(tenantId: $t, mode: DECENTRALIZED) {
        effect { slug } errors { code } } }""", {}),
]


@pytest.mark.parametrize("query, extra", CROSSING)
async def test_another_groups_admin_is_refused_and_nothing_changes(platform, gql, two_groups,
                                                                   query, extra):
    acme, globex = two_groups
    async with platform.db.system_session("test: before") as s:
        before = sorted((await s.execute(select(Tenant.slug, Tenant.enabled_plugins,
                                                Tenant.governance_mode))).all())
    for target in (globex.ids["globex"], globex.ids["globex-a"]):
        response = await gql.post(query, {"t": target, **extra}, token=acme.token("admin"))
        body = response.json()
        assert _codes(body) & {"FORBIDDEN", "TENANT_NOT_FOUND", "NOT_FOUND"}, body
        assert "globex" not in response.text.lower()
    async with platform.db.system_session("test: after") as s:
        after = sorted((await s.execute(select(Tenant.slug, Tenant.enabled_plugins,
                                               Tenant.governance_mode))).all())
    assert after == before
