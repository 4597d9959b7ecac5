"""Governance modes: who may see and change what in a subsidiary, per the group's mode.

centralized: group roles cascade, group templates are copied, local rules are off, subsidiary
admins cannot change policies. hybrid: cascade, templates copied (group deny wins), local rules
on, defaults mandatory. decentralized: no cascade, no templates, the subsidiary owns its rules.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipgov.audit.models import AuditEvent
from ipgov.authz.models import AuthzRule
from ipgov.authz.store import PolicyRule
from ipgov.errors import Forbidden
from ipgov.tenancy import decisions, services
from ipgov.tenancy.models import Escalation
from tests.conftest import make_group

ASSET = "ip_governance:asset"
RISK = "ip_governance:risk"
MODES = ["centralized", "hybrid", "decentralized"]


async def add_rule(platform, tenant_id, subject, obj, action, effect="allow", *,
                   template=False, from_group=False) -> str:
    async with platform.db.system_session("test: add policy") as s:
        row = await services.add_policy(
            platform, s, tenant_id=tenant_id, rule=PolicyRule(subject, obj, action, effect),
            actor="test", apply_to_subsidiaries=template, acting_from_group=from_group)
        await s.flush()
        rule_id = row.id
    await platform.authz.refresh()
    return rule_id


async def set_mode(platform, tenant_id, mode) -> None:
    async with platform.db.system_session("test: mode") as s:
        await services.change_governance_mode(platform, s, tenant_id=tenant_id, mode=mode,
                                              actor="test")
    await platform.authz.refresh()


async def rules_of(platform, tenant_id) -> list[AuthzRule]:
    async with platform.db.system_session("test: read rules") as s:
        stmt = select(AuthzRule).where(AuthzRule.tenant_id == tenant_id, AuthzRule.ptype == "p")
        return list((await s.execute(stmt)).scalars())


async def rule(platform, rule_id) -> AuthzRule | None:
    async with platform.db.system_session("test: read rule") as s:
        return await s.get(AuthzRule, rule_id)


POLICIES = """query($t: ID!, $after: String) { policies(tenantId: $t, first: 100, after: $after) {
  edges { node { id subject object action effect origin } } pageInfo { hasNextPage endCursor }
} }"""


async def api_rules(gql, tenant_id, token) -> list[dict]:
    """Every rule the API shows for a tenant (its rows and those of the sets it references)."""
    out: list[dict] = []
    after = None
    while True:
        data = await gql(POLICIES, {"t": tenant_id, "after": after}, token=token)
        page = data["data"]["policies"]
        out += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return out
        after = page["pageInfo"]["endCursor"]


def slugs(data) -> list[str]:
    return [e["node"]["slug"] for e in data["data"]["tenants"]["edges"]]


CAN = """query($t: ID!, $o: String!, $a: String!) { can(tenantId: $t, object: $o, action: $a) }"""
MY = """query($t: ID!) { myPermissions(tenantId: $t) { object action } }"""
ADD = """mutation($t: ID!, $s: String!, $o: String!, $a: String!, $e: String!, $sub: Boolean!) {
  addPolicy(tenantId: $t, subject: $s, object: $o, action: $a, effect: $e,
            applyToSubsidiaries: $sub) {
    rule { id origin active appliesToSubsidiaries } errors { code message }
  }
}"""
REMOVE = """mutation($t: ID!, $r: ID!) { removePolicy(tenantId: $t, ruleId: $r) {
  errors { code } } }"""
MODE = """mutation($t: ID!, $m: GovernanceModeEnum!) { setGovernanceMode(tenantId: $t, mode: $m) {
  tenant { slug governanceMode } errors { code } } }"""
TENANTS = "{ tenants(first: 50) { edges { node { slug } } } }"


# --------------------------------------------------------------------------- role cascade


@pytest.mark.parametrize("mode,cascades", [("centralized", True), ("hybrid", True),
                                           ("decentralized", False)])
async def test_group_admin_acts_in_subsidiary_only_when_mode_cascades(platform, mode, cascades):
    g = await make_group(platform, "acme", mode)
    authz, admin, sub = platform.authz, g.users["admin"], g.ids["acme-a"]
    assert authz.enforce(admin, g.ids["acme"], "ipgov:tenant", "read")
    assert authz.enforce(admin, sub, "ipgov:tenant", "read") is cascades
    assert authz.enforce(admin, sub, "ipgov:member", "read") is cascades
    assert ("group_admin" in authz.roles_in(admin, sub)) is cascades
    where = authz.tenants_where(admin, "ipgov:tenant", "read")
    assert (sub in where) is cascades
    # roles never flow upwards: a subsidiary admin has no say in the group
    assert not authz.enforce(g.users["a-admin"], g.ids["acme"], "ipgov:tenant", "read")
    assert not authz.enforce(g.users["a-admin"], g.ids["acme-b"], "ipgov:tenant", "read")


@pytest.mark.parametrize("mode,expected", [
    ("centralized", ["acme", "acme-a", "acme-b", "acme-c"]),
    ("hybrid", ["acme", "acme-a", "acme-b", "acme-c"]),
    ("decentralized", ["acme"]),
])
async def test_graphql_tenants_list_follows_mode(platform, gql, mode, expected):
    g = await make_group(platform, "acme", mode)
    assert slugs(await gql(TENANTS, token=g.token("admin"))) == expected
    assert slugs(await gql(TENANTS, token=g.token("a-admin"))) == ["acme-a"]


# --------------------------------------------------------------------------- templates


async def test_group_deny_template_wins_in_hybrid_over_local_allow(platform):
    g = await make_group(platform, "acme", "hybrid")
    authz, contrib, sub = platform.authz, g.users["c-contrib"], g.ids["acme-c"]
    assert authz.enforce(contrib, sub, ASSET, "read")  # a default grant
    await add_rule(platform, g.ids["acme"], "contributor", ASSET, "read", "deny", template=True)
    local = await add_rule(platform, sub, "contributor", ASSET, "read", "allow")
    assert not authz.enforce(contrib, sub, ASSET, "read")
    assert authz.enforce(contrib, sub, "ipgov:tenant", "read")  # only the denied pair goes
    copied = [r for r in await rules_of(platform, sub) if r.origin == f"group:{g.ids['acme']}"]
    assert [(r.v0, r.v1, r.v2, r.v3, r.active) for r in copied] == [
        ("contributor", ASSET, "read", "deny", True)]
    assert (await rule(platform, local)).active
    # every subsidiary got the baseline
    assert any(r.origin.startswith("group:") for r in await rules_of(platform, g.ids["acme-a"]))


async def test_group_template_does_not_apply_in_decentralized(platform):
    g = await make_group(platform, "acme", "decentralized")
    authz, contrib, sub = platform.authz, g.users["c-contrib"], g.ids["acme-c"]
    await add_rule(platform, g.ids["acme"], "contributor", ASSET, "read", "deny", template=True)
    assert authz.enforce(contrib, sub, ASSET, "read")
    for slug in ("acme-a", "acme-b", "acme-c"):
        assert not [r for r in await rules_of(platform, g.ids[slug])
                    if r.origin.startswith("group:")]


# --------------------------------------------------------------------------- who changes policies


@pytest.mark.parametrize("mode", MODES)
async def test_subsidiary_admin_adding_policy_per_mode(platform, gql, mode):
    g = await make_group(platform, "acme", mode)
    sub, viewer = g.ids["acme-a"], g.users["a-viewer"]
    before = len(await rules_of(platform, sub))
    assert not platform.authz.enforce(viewer, sub, ASSET, "create")
    data = await gql(ADD, {"t": sub, "s": "viewer", "o": ASSET, "a": "create", "e": "allow",
                           "sub": False}, token=g.token("a-admin"))
    payload = data["data"]["addPolicy"]
    if mode == "centralized":
        assert payload["rule"] is None
        assert [e["code"] for e in payload["errors"]] == ["GOVERNANCE_MODE_FORBIDS"]
        assert len(await rules_of(platform, sub)) == before
        assert not platform.authz.enforce(viewer, sub, ASSET, "create")
        with pytest.raises(Forbidden) as exc:
            async with platform.db.system_session("test") as s:
                await services.add_policy(platform, s, tenant_id=sub, actor="test",
                                          rule=PolicyRule("viewer", ASSET, "create"))
        assert exc.value.code == "GOVERNANCE_MODE_FORBIDS"
    else:
        assert payload["errors"] == []
        assert payload["rule"]["origin"] == "local" and payload["rule"]["active"]
        assert len(await rules_of(platform, sub)) == before + 1
        assert platform.authz.enforce(viewer, sub, ASSET, "create")
        can = await gql(CAN, {"t": sub, "o": ASSET, "a": "create"}, token=g.token("a-viewer"))
        assert can["data"]["can"] is True


async def test_group_admin_may_change_a_centralized_subsidiarys_policies(platform, gql):
    g = await make_group(platform, "acme", "centralized")
    sub = g.ids["acme-a"]
    data = await gql(ADD, {"t": sub, "s": "viewer", "o": RISK, "a": "read", "e": "deny",
                           "sub": False}, token=g.token("admin"))
    assert data["data"]["addPolicy"]["errors"] == []
    assert not platform.authz.enforce(g.users["a-viewer"], sub, RISK, "read")


@pytest.mark.parametrize("mode,removable", [("hybrid", False), ("decentralized", True)])
async def test_default_grants_are_mandatory_only_in_hybrid(platform, gql, mode, removable):
    g = await make_group(platform, "acme", mode)
    sub, viewer, token = g.ids["acme-a"], g.users["a-viewer"], g.token("a-admin")
    before = await api_rules(gql, sub, token)
    default = next(r for r in before if r["origin"] == "default"
                   and (r["subject"], r["object"], r["action"]) == ("viewer", RISK, "read"))
    assert platform.authz.enforce(viewer, sub, RISK, "read")
    data = await gql(REMOVE, {"t": sub, "r": default["id"]}, token=token)
    errors = [e["code"] for e in data["data"]["removePolicy"]["errors"]]
    assert errors == ([] if removable else ["GOVERNANCE_MODE_FORBIDS"])
    after = await api_rules(gql, sub, token)
    assert (default not in after) is removable
    assert len(after) == len(before) - removable, "that rule alone went"
    assert platform.authz.enforce(viewer, sub, RISK, "read") is not removable
    sibling = g.ids["acme-b"]
    assert platform.authz.enforce("viewer", sibling, RISK, "read"), \
        "the other tenants holding the same defaults keep it"


async def test_subsidiary_cannot_remove_the_groups_baseline(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    sub = g.ids["acme-a"]
    await add_rule(platform, g.ids["acme"], "viewer", RISK, "read", "deny", template=True)
    copied = next(r for r in await rules_of(platform, sub) if r.origin.startswith("group:"))
    data = await gql(REMOVE, {"t": sub, "r": copied.id}, token=g.token("a-admin"))
    assert [e["code"] for e in data["data"]["removePolicy"]["errors"]] == [
        "GOVERNANCE_MODE_FORBIDS"]
    assert await rule(platform, copied.id) is not None
    assert not platform.authz.enforce(g.users["a-viewer"], sub, RISK, "read")


# --------------------------------------------------------------------------- switching modes


async def test_switching_modes_recomputes_policies_and_audits(platform):
    g = await make_group(platform, "acme", "hybrid")
    group, sub = g.ids["acme"], g.ids["acme-a"]
    authz, viewer, admin = platform.authz, g.users["a-viewer"], g.users["admin"]
    await add_rule(platform, group, "viewer", RISK, "read", "deny", template=True)
    local = await add_rule(platform, sub, "viewer", ASSET, "create", "allow")

    async def state():
        rows = await rules_of(platform, sub)
        return {
            "local_active": next(r for r in rows if r.id == local).active,
            "templates": sum(r.origin == f"group:{group}" for r in rows),
            "asset_create": authz.enforce(viewer, sub, ASSET, "create"),
            "risk_read": authz.enforce(viewer, sub, RISK, "read"),
            "admin_in_sub": authz.enforce(admin, sub, "ipgov:tenant", "read"),
        }

    hybrid = {"local_active": True, "templates": 1, "asset_create": True, "risk_read": False,
              "admin_in_sub": True}
    assert await state() == hybrid
    await set_mode(platform, group, "centralized")
    assert await state() == {"local_active": False, "templates": 1, "asset_create": False,
                             "risk_read": False, "admin_in_sub": True}
    await set_mode(platform, group, "decentralized")
    assert await state() == {"local_active": True, "templates": 0, "asset_create": True,
                             "risk_read": True, "admin_in_sub": False}
    await set_mode(platform, group, "hybrid")
    assert await state() == hybrid

    async with platform.db.system_session("test: audit") as s:
        events = list((await s.execute(
            select(AuditEvent).where(AuditEvent.tenant_id == group,
                                     AuditEvent.action == "tenant.governance_mode_changed")
            .order_by(AuditEvent.seq))).scalars())
    assert [(e.details["from"], e.details["to"]) for e in events] == [
        ("hybrid", "centralized"), ("centralized", "decentralized"), ("decentralized", "hybrid")]
    assert all(e.object_id == group for e in events)


async def test_graphql_mode_switch_changes_a_subsidiary_users_answers(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    group, sub = g.ids["acme"], g.ids["acme-a"]
    admin, a_admin, viewer = g.token("admin"), g.token("a-admin"), g.token("a-viewer")

    async def can(obj, action, token=viewer):
        return (await gql(CAN, {"t": sub, "o": obj, "a": action}, token=token))["data"]["can"]

    async def mine():
        data = await gql(MY, {"t": sub}, token=viewer)
        return {(p["object"], p["action"]) for p in data["data"]["myPermissions"]}

    added = await gql(ADD, {"t": sub, "s": "viewer", "o": ASSET, "a": "create", "e": "allow",
                            "sub": False}, token=a_admin)
    assert added["data"]["addPolicy"]["errors"] == []
    template = await gql(ADD, {"t": group, "s": "viewer", "o": RISK, "a": "read", "e": "deny",
                               "sub": True}, token=admin)
    assert template["data"]["addPolicy"]["rule"]["appliesToSubsidiaries"] is True
    assert await can(ASSET, "create") is True and await can(RISK, "read") is False
    assert (ASSET, "create") in await mine() and (RISK, "read") not in await mine()

    # a subsidiary admin cannot change the group's mode
    denied = await gql(MODE, {"t": group, "m": "CENTRALIZED"}, token=a_admin)
    assert denied["data"] is None
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    switched = await gql(MODE, {"t": group, "m": "CENTRALIZED"}, token=admin)
    assert switched["data"]["setGovernanceMode"]["tenant"]["governanceMode"] == "CENTRALIZED"
    assert await can(ASSET, "create") is False and await can(RISK, "read") is False
    assert (ASSET, "create") not in await mine()
    refused = await gql(ADD, {"t": sub, "s": "viewer", "o": ASSET, "a": "update", "e": "allow",
                              "sub": False}, token=a_admin)
    assert refused["data"]["addPolicy"]["errors"][0]["code"] == "GOVERNANCE_MODE_FORBIDS"

    await gql(MODE, {"t": group, "m": "DECENTRALIZED"}, token=admin)
    assert await can(ASSET, "create") is True and await can(RISK, "read") is True
    assert {(ASSET, "create"), (RISK, "read")} <= await mine()
    # the group admin no longer acts in the subsidiary
    outside = await gql(CAN, {"t": sub, "o": "ipgov:tenant", "a": "read"}, token=admin)
    assert outside["data"] is None
    assert outside["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert slugs(await gql(TENANTS, token=admin)) == ["acme"]

    await gql(MODE, {"t": group, "m": "HYBRID"}, token=admin)
    assert await can(ASSET, "create") is True and await can(RISK, "read") is False
    assert await can("ipgov:tenant", "read", token=admin) is True


# --------------------------------------------------------------------------- reserved decisions


@pytest.mark.parametrize("mode,reserved,other", [
    ("centralized", True, True), ("hybrid", True, False), ("decentralized", False, False)])
async def test_reserved_decisions_escalate_per_mode(platform, mode, reserved, other):
    g = await make_group(platform, "acme", mode)
    group, sub = g.ids["acme"], g.ids["acme-a"]
    async with platform.db.system_session("test: escalate") as s:
        results = {}
        for kind in ("risk_appetite", "asset_filing"):
            results[kind] = await decisions.escalate_if_reserved(
                platform, s, tenant_id=sub, decision_type=kind, subject=f"decide {kind}",
                actor=g.users["a-admin"])
        at_group = await decisions.escalate_if_reserved(
            platform, s, tenant_id=group, decision_type="risk_appetite", subject="x",
            actor=g.users["admin"])
    assert at_group is None
    for kind, expected in (("risk_appetite", reserved), ("asset_filing", other)):
        esc = results[kind]
        if expected:
            assert isinstance(esc, Escalation)
            assert (esc.tenant_id, esc.from_tenant_id, esc.decision_type) == (group, sub, kind)
        else:
            assert esc is None
    async with platform.db.system_session("test: read escalations") as s:
        stored = list((await s.execute(select(Escalation))).scalars())
    assert sorted(e.decision_type for e in stored) == sorted(
        k for k, e in (("risk_appetite", reserved), ("asset_filing", other)) if e)
    assert all(e.tenant_id == group for e in stored)
