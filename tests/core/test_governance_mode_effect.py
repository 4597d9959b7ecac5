"""A governance-mode change shows its effect before it is made, returns it, audits it, and
leaves the group's supervision of its subsidiaries in place (issue 15 item 10).

Switching a hybrid group to decentralized takes the group director out of every subsidiary
(they vanish from ``tenants``): the preview must say so per tenant, the change must return and
audit the same effect, and the supervision view must still show every subsidiary.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ipgov.audit.models import AuditEvent
from ipgov.authz.models import AuthzRule
from ipgov.tenancy import enablement, services
from ipgov.tenancy.models import Tenant
from tests.conftest import make_group

PREVIEW = """query($t: ID!, $m: GovernanceModeEnum!) {
previewGovernanceMode(tenantId: $t, mode: $m) {
  slug fromMode toMode supervisionKept rulesCopied rulesRemoved
  tenants { slug pluginsEnabled pluginsDisabled
            changes { roles members memberCount gained { object action } lost { object action } } }
} }"""
SET = """mutation($t: ID!, $m: GovernanceModeEnum!) { setGovernanceMode(tenantId: $t, mode: $m) {
  tenant { slug governanceMode }
  effect { fromMode toMode supervisionKept
           tenants { slug pluginsEnabled pluginsDisabled
                     changes { roles members memberCount gained { object action }
                               lost { object action } } } }
  errors { code message } } }"""
SUPERVISED = "{ supervisionTenants(first: 50) { edges { node { slug } } } }"
TENANTS = "{ tenants(first: 50) { edges { node { slug } } } }"


async def _fingerprint(platform) -> tuple:
    async with platform.db.system_session("test: fingerprint") as s:
        rules = (await s.execute(select(func.count()).select_from(AuthzRule))).scalar()
        events = (await s.execute(select(func.count()).select_from(AuditEvent))).scalar()
        modes = sorted((await s.execute(select(Tenant.slug, Tenant.governance_mode,
                                               Tenant.enabled_plugins))).all())
    return rules, events, modes


def _change_of(effect: dict, slug: str, role: str) -> dict:
    [tenant] = [t for t in effect["tenants"] if t["slug"] == slug]
    [change] = [c for c in tenant["changes"] if role in c["roles"]]
    return change


def _lost(change: dict) -> set[tuple[str, str]]:
    return {(p["object"], p["action"]) for p in change["lost"]}


async def test_preview_names_what_the_group_director_loses_and_changes_nothing(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    before = await _fingerprint(platform)
    data = await gql(PREVIEW, {"t": g.ids["acme"], "m": "DECENTRALIZED"}, token=g.token("admin"))
    effect = data["data"]["previewGovernanceMode"]
    assert (effect["fromMode"], effect["toMode"]) == ("HYBRID", "DECENTRALIZED")
    assert {t["slug"] for t in effect["tenants"]} == {"acme-a", "acme-b", "acme-c"}
    for slug in ("acme-a", "acme-b", "acme-c"):
        change = _change_of(effect, slug, "group_admin@acme")
        assert change["members"] == ["admin@acme.example"] and change["memberCount"] == 1
        assert {("ipgov:tenant", "read"), ("ipgov:member", "read"),
                ("ipgov:plugin", "update")} <= _lost(change)
        assert change["gained"] == []
    # the group's supervision stays: nobody loses the supervision view
    assert effect["supervisionKept"] is True
    assert all(("ipgov:supervision", "read") not in _lost(c)
               for t in effect["tenants"] for c in t["changes"])
    # subsidiary members keep everything: their profiles are not listed
    assert not any("tenant_admin@acme-a" in c["roles"]
                   for t in effect["tenants"] for c in t["changes"])
    assert await _fingerprint(platform) == before
    assert platform.authz.enforce(g.users["admin"], g.ids["acme-a"], "ipgov:tenant", "read")


async def test_change_returns_and_audits_the_previewed_effect(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    variables = {"t": g.ids["acme"], "m": "DECENTRALIZED"}
    preview = (await gql(PREVIEW, variables, token=g.token("admin")))["data"]
    payload = (await gql(SET, variables, token=g.token("admin")))["data"]["setGovernanceMode"]
    assert payload["errors"] == []
    assert payload["tenant"]["governanceMode"] == "DECENTRALIZED"
    assert payload["effect"]["tenants"] == preview["previewGovernanceMode"]["tenants"]
    async with platform.db.system_session("test: audit") as s:
        event = (await s.execute(select(AuditEvent).where(
            AuditEvent.action == "tenant.governance_mode_changed"))).scalar_one()
    assert (event.details["from"], event.details["to"]) == ("hybrid", "decentralized")
    changes = {tuple(c["roles"]): c for c in event.details["effect"]["acme-b"]["changes"]}
    assert "ipgov:tenant read" in changes[("group_admin@acme",)]["lost"]
    assert "ipgov:supervision read" not in changes[("auditor@acme",)]["lost"]
    assert event.details["supervision_kept"] is True
    # what the effect announced is what happened
    assert [e["node"]["slug"] for e in (await gql(TENANTS, token=g.token("admin")))["data"][
        "tenants"]["edges"]] == ["acme"]


async def test_supervision_of_subsidiaries_stays_after_decentralizing(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    await gql(SET, {"t": g.ids["acme"], "m": "DECENTRALIZED"}, token=g.token("admin"))
    await platform.authz.refresh()
    for user in ("admin", "auditor"):
        data = await gql(SUPERVISED, token=g.token(user))
        slugs = [e["node"]["slug"] for e in data["data"]["supervisionTenants"]["edges"]]
        assert slugs == ["acme", "acme-a", "acme-b", "acme-c"], (user, data)


async def test_going_back_to_hybrid_shows_what_is_regained(platform):
    g = await make_group(platform, "acme", "decentralized")
    effect = await services.preview_governance_mode(platform, tenant_id=g.ids["acme"],
                                                    mode="hybrid")
    by_slug = {t.slug: t for t in effect.tenants}
    [change] = [c for c in by_slug["acme-a"].changes if "group_admin@acme" in c.roles]
    assert ("ipgov:tenant", "read") in change.gained and not change.lost
    assert change.members == ("admin@acme.example",)
    text = "\n".join(effect.lines())
    assert "acme: decentralized -> hybrid" in text and "gains: " in text


async def test_preview_hides_members_where_the_caller_cannot_read_them(platform, gql):
    g = await make_group(platform, "acme", "decentralized")
    data = await gql(PREVIEW, {"t": g.ids["acme"], "m": "HYBRID"}, token=g.token("admin"))
    effect = data["data"]["previewGovernanceMode"]
    # decentralized: the group may not read acme-a's members yet, so none is named
    change = _change_of(effect, "acme-a", "group_admin@acme")
    assert change["members"] == [] and change["memberCount"] == 1


async def test_mode_change_previews_and_applies_the_plugin_baseline(platform):
    g = await make_group(platform, "acme", "hybrid")
    async with platform.db.system_session("test: narrow plugins") as s:
        for slug in ("acme-a", "acme-b", "acme-c"):
            await enablement.disable_plugin(platform, s, tenant_id=g.ids[slug],
                                            plugin="example_partner", actor="test")
        await enablement.enable_plugin(platform, s, tenant_id=g.ids["acme"],
                                       plugin="example_partner", actor="test",
                                       apply_to_subsidiaries=True)
    effect = await services.preview_governance_mode(platform, tenant_id=g.ids["acme"],
                                                    mode="decentralized")
    by_slug = {t.slug: t for t in effect.tenants}
    assert by_slug["acme-a"].plugins_disabled == ("example_partner",)
    [admin] = [c for c in by_slug["acme-a"].changes if c.roles == ("tenant_admin@acme-a",)]
    assert ("example_partner:note", "create") in admin.lost
    async with platform.db.system_session("test: mode") as s:
        applied = await services.change_governance_mode(platform, s, tenant_id=g.ids["acme"],
                                                         mode="decentralized", actor="test")
    assert applied.tenants == effect.tenants
    await platform.authz.refresh()
    assert "example_partner" not in platform.authz.tenant_info(g.ids["acme-a"]).enabled_plugins


async def test_parallel_reporting_audits_who_gains_what(platform, two_groups):
    from ipgov.tenancy import mergers

    acme, globex = two_groups
    async with platform.db.system_session("test: join") as s:
        await mergers.join_parallel_reporting(platform, s, parent_id=acme.ids["acme"],
                                              acquired_id=globex.ids["globex"], actor="test")
    async with platform.db.system_session("test: audit") as s:
        event = (await s.execute(select(AuditEvent).where(
            AuditEvent.tenant_id == globex.ids["globex"],
            AuditEvent.action == "tenant.parallel_reporting"))).scalar_one()
    changes = {tuple(c["roles"]): c for c in event.details["effect"]["globex-a"]["changes"]}
    # acme (hybrid) now rules globex: its director's role reaches globex's subsidiaries
    assert "ipgov:tenant read" in changes[("group_admin@acme",)]["gained"]
    assert event.details["supervision_kept"] is True
