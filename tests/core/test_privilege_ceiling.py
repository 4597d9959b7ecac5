"""Privilege ceilings (issue 29 item 1): the escalation paths found by the sweep, through the
real GraphQL API, and a property test over (granter role, granted role, tenant level,
governance mode) that looks for any grant giving more than the granter holds.

The world mirrors the demo's shape: a group, a sub-holding governing a grandchild (like
Hanwei Industrial and Europe), and a sibling subsidiary, in each governance mode.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ipgov.authz.roles import TENANT_ROLES
from ipgov.authz.store import PolicyRule
from ipgov.errors import Forbidden
from ipgov.identity.models import Membership, ServiceAccount
from tests.conftest import make_group

CAN = "query($t: ID!, $o: String!, $a: String!) { can(tenantId: $t, object: $o, action: $a) }"
CREATE_SA = """mutation($t: ID!, $r: String!) { createServiceAccount(tenantId: $t, name: "ci",
  role: $r) { apiKey errors { code field message } } }"""
CREATE_SA_SCOPED = """mutation($t: ID!, $r: String!, $s: [String!]) { createServiceAccount(
  tenantId: $t, name: "ci", role: $r, scopes: $s) { apiKey errors { code field message } } }"""
ADD_MEMBER = """mutation($t: ID!, $e: String!, $r: String!) { addMember(tenantId: $t, email: $e,
  role: $r) { membership { id } errors { code field message } } }"""
REMOVE_MEMBER = """mutation($t: ID!, $m: ID!) { removeMember(tenantId: $t, membershipId: $m) {
  errors { code field message } } }"""
ADD_POLICY = """mutation($t: ID!, $s: String!, $o: String!, $a: String!, $e: String!,
  $sub: Boolean!) { addPolicy(tenantId: $t, subject: $s, object: $o, action: $a, effect: $e,
  applyToSubsidiaries: $sub) { rule { id } errors { code field message } } }"""
ABSORB = """mutation($a: ID!, $b: ID!) { absorbTenant(absorbingId: $a, absorbedId: $b) {
  tenant { id } errors { code } } }"""


def codes_of(body: dict[str, Any], name: str) -> set[str]:
    """Error codes of a mutation, whether raised (top level) or returned in its payload."""
    found = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    payload = (body.get("data") or {}).get(name) or {}
    return found | {e["code"] for e in payload.get("errors") or []}


async def industrial(platform):
    """acme (hybrid) whose subsidiary acme-a governs acme-a-eu centrally (Industrial/Europe)."""
    from ipgov.tenancy import services

    g = await make_group(platform, "acme", "hybrid")
    async with platform.db.system_session("test: sub-holding") as s:
        await services.change_governance_mode(platform, s, tenant_id=g.ids["acme-a"],
                                              mode="centralized", actor="test")
        eu = await services.onboard_subsidiary(platform, s, parent_id=g.ids["acme-a"],
                                               slug="acme-a-eu", name="Acme Europe",
                                               actor="test")
    g.ids["acme-a-eu"] = eu.id
    await platform.authz.refresh()
    return g


async def test_tenant_admin_cannot_mint_a_group_admin_key_and_absorb(platform, gql):
    g = await industrial(platform)
    a, eu, token = g.ids["acme-a"], g.ids["acme-a-eu"], g.token("a-admin")
    before = await gql(ABSORB, {"a": a, "b": eu}, token)
    assert codes_of(before, "absorbTenant") == {"FORBIDDEN"}
    body = await gql(CREATE_SA, {"t": a, "r": "group_admin"}, token)
    assert codes_of(body, "createServiceAccount") == {"GROUP_ROLE_OUTSIDE_GROUP"}, body
    assert not (body.get("data") or {}).get("createServiceAccount", {}).get("apiKey")
    async with platform.db.system_session("t") as s:
        assert (await s.execute(select(func.count(ServiceAccount.id)))).scalar_one() == 0
    # nor can scopes reach beyond the role (and so beyond the creator)
    scoped = await gql(CREATE_SA_SCOPED, {"t": a, "r": "tenant_admin",
                                          "s": ["ipgov:tenant:merge"]}, token)
    assert codes_of(scoped, "createServiceAccount") == {"SCOPE_OUTSIDE_ROLE"}, scoped
    assert platform.authz.tenant_info(eu).status == "active"


async def test_tenant_admin_cannot_make_himself_group_admin(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    a, token = g.ids["acme-a"], g.token("a-admin")
    merge = {"t": a, "o": "ipgov:tenant", "a": "merge"}
    assert (await gql(CAN, merge, token))["data"]["can"] is False
    body = await gql(ADD_MEMBER, {"t": a, "e": "a-admin@acme.example", "r": "group_admin"},
                     token)
    assert codes_of(body, "addMember") == {"GROUP_ROLE_OUTSIDE_GROUP"}, body
    await platform.authz.refresh()
    assert (await gql(CAN, merge, token))["data"]["can"] is False


async def test_policies_cannot_grant_what_the_granter_lacks(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    a, token = g.ids["acme-a"], g.token("a-admin")
    merge = {"t": a, "o": "ipgov:tenant", "a": "merge"}
    for obj, action in (("*", "*"), ("*", "merge"), ("ipgov:tenant", "merge"),
                        ("data_governance:content:secret", "read")):
        body = await gql(ADD_POLICY, {"t": a, "s": "tenant_admin", "o": obj, "a": action,
                                      "e": "allow", "sub": False}, token)
        assert codes_of(body, "addPolicy") == {"PRIVILEGE_CEILING"}, (obj, action, body)
    assert (await gql(CAN, merge, token))["data"]["can"] is False
    # what the administrator holds, he may hand on
    ok = await gql(ADD_POLICY, {"t": a, "s": "viewer", "o": "ip_governance:asset",
                                "a": "create", "e": "allow", "sub": False}, token)
    assert ok["data"]["addPolicy"]["errors"] == []


async def test_a_subsidiary_cannot_deny_the_group_or_demote_its_superiors(platform, gql):
    from ipgov.identity.service import add_membership, create_user

    g = await make_group(platform, "acme", "hybrid")
    a, root = g.ids["acme-a"], g.ids["acme"]
    audit = {"t": a, "o": "ipgov:audit", "a": "read"}
    body = await gql(ADD_POLICY, {"t": a, "s": "group_admin", "o": "ipgov:audit", "a": "read",
                                  "e": "deny", "sub": False}, g.token("a-admin"))
    assert codes_of(body, "addPolicy") == {"PRIVILEGE_CEILING"}, body
    assert (await gql(CAN, audit, g.token("admin")))["data"]["can"] is True
    # a tenant administrator of the group itself cannot remove the group administrator
    async with platform.db.system_session("t") as s:
        deputy = await create_user(s, email="deputy@acme.example", display_name="Deputy")
        await add_membership(platform, s, tenant_id=root, user_id=deputy.id,
                             role="tenant_admin", actor="test")
        boss = (await s.execute(select(Membership.id).where(
            Membership.user_id == g.users["admin"]))).scalar_one()
    await platform.authz.refresh()
    token = platform.tokens.issuer.issue(deputy.id).token
    body = await gql(REMOVE_MEMBER, {"t": root, "m": boss}, token)
    assert codes_of(body, "removeMember") == {"PRIVILEGE_CEILING"}, body
    async with platform.db.system_session("t") as s:
        assert await s.get(Membership, boss) is not None


# ------------------------------------------------------------------ the property: no escalation

MODES = ("hybrid", "centralized", "decentralized")
LEVELS = ("group", "sub", "grandchild", "sibling")


async def ceiling_world(platform) -> dict[str, Any]:
    """Per mode, a group whose mode is that mode, a sub-holding in the same mode with a
    grandchild, and a sibling; a user holding each tenant role at each level (group roles
    only at the group)."""
    from ipgov.identity.service import add_membership, create_user
    from ipgov.tenancy import services

    world: dict[str, Any] = {"tenants": {}, "users": {}}
    async with platform.db.system_session("test: ceiling world") as s:
        for mode in MODES:
            group = await services.create_group(platform, s, slug=f"g-{mode}", name=mode,
                                                 governance_mode=mode, actor="test")
            sub = await services.onboard_subsidiary(platform, s, parent_id=group.id,
                                                    slug=f"s-{mode}", name="sub",
                                                    governance_mode=mode, actor="test")
            grand = await services.onboard_subsidiary(platform, s, parent_id=sub.id,
                                                      slug=f"gc-{mode}", name="gc",
                                                      actor="test")
            sibling = await services.onboard_subsidiary(platform, s, parent_id=group.id,
                                                        slug=f"sb-{mode}", name="sb",
                                                        actor="test")
            for level, tenant in zip(LEVELS, (group, sub, grand, sibling), strict=True):
                world["tenants"][(mode, level)] = tenant.id
                for role in TENANT_ROLES:
                    if role == "group_admin" and level != "group":
                        continue
                    user = await create_user(s, email=f"{role}.{level}.{mode}@w.example",
                                             display_name=role)
                    await add_membership(platform, s, tenant_id=tenant.id, user_id=user.id,
                                         role=role, actor="test")
                    world["users"][(mode, level, role)] = user.id
    await platform.authz.refresh()
    return world


def everything(platform, subject: str) -> dict[str, frozenset]:
    """``subject``'s permissions in every tenant."""
    return {t: platform.authz.permissions_of(subject, t) for t in platform.authz.directory}


@pytest.fixture
async def world(platform):
    return await ceiling_world(platform)


class OnLoop:
    """Runs the platform's coroutines on the test's event loop from Hypothesis' thread."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()

    def __call__(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)


PROPERTY = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
ONE_BACKEND = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
# decisions are the in-memory engine's; the database only stores the rules


@ONE_BACKEND
async def test_no_membership_grant_gives_more_than_the_granter_holds(platform, world):
    """Every allowed grant, performed, leaves the grantee (a fresh user, or the granter
    himself) with nothing anywhere that the granter did not hold before."""
    from ipgov.identity.service import add_membership, create_user

    on_loop, seen = OnLoop(), {"allowed": 0, "refused": 0, "self": 0}

    async def attempt(granter_key, role: str, level: str, self_grant: bool) -> None:
        granter = world["users"][granter_key]
        tenant = world["tenants"][(granter_key[0], level)]
        before = everything(platform, granter)
        try:
            async with platform.db.system_session("test: grant") as s:
                grantee = granter if self_grant else (await create_user(
                    s, email=f"u{sum(seen.values())}@w.example", display_name="u")).id
                held = (await s.execute(select(Membership.id).where(
                    Membership.user_id == grantee, Membership.tenant_id == tenant,
                    Membership.role == role))).first()
                if not held:
                    await add_membership(platform, s, tenant_id=tenant, user_id=grantee,
                                         role=role, actor="test", granter=granter)
        except Forbidden:
            seen["refused"] += 1
            return
        seen["allowed"] += 1
        seen["self"] += self_grant
        await platform.authz.refresh()
        after = everything(platform, grantee)
        gained = {t: sorted(after[t] - before[t]) for t in after if after[t] - before[t]}
        assert not gained, (granter_key, role, level, self_grant, gained)

    @PROPERTY
    @given(granter=st.sampled_from(sorted(world["users"])), role=st.sampled_from(TENANT_ROLES),
           level=st.sampled_from(LEVELS), self_grant=st.booleans())
    def grants(granter, role, level, self_grant):
        on_loop(attempt(granter, role, level, self_grant))

    await asyncio.to_thread(grants)
    assert seen["allowed"] and seen["refused"] and seen["self"], seen


POLICY_OBJECTS = ("ipgov:tenant", "ipgov:member", "ipgov:escalation", "ipgov:audit",
                  "ipgov:directive", "ip_governance:asset", "ip_governance:risk_appetite",
                  "data_governance:content:secret")


@ONE_BACKEND
async def test_no_policy_rule_widens_or_restricts_beyond_the_granter(platform, world):
    """Every allowed rule, applied, gives nobody a permission the granter lacks, and takes
    nothing from anybody who holds something the granter lacks (the group stays whole)."""
    from ipgov.authz import store
    from ipgov.authz.models import AuthzRule
    from ipgov.errors import InvalidInput

    on_loop, seen = OnLoop(), {"allowed": 0, "refused": 0, "deny": 0}
    people = sorted(world["users"].values())
    before = {p: everything(platform, p) for p in people}  # each example undoes its rule

    async def attempt(granter_key, subject: str, obj: str, action: str, deny: bool,
                      level: str, to_subsidiaries: bool) -> None:
        granter = world["users"][granter_key]
        tenant = world["tenants"][(granter_key[0], level)]
        parent = platform.authz.tenant_info(tenant).parent_id
        from_group = bool(parent) and platform.authz.enforce(granter, parent, "ipgov:policy",
                                                             "update")
        rule = PolicyRule(subject, obj, action, "deny" if deny else "allow")
        try:
            async with platform.db.system_session("test: rule") as s:
                row = await services.add_policy(
                    platform, s, tenant_id=tenant, rule=rule, actor="test", granter=granter,
                    apply_to_subsidiaries=to_subsidiaries, acting_from_group=from_group)
        except Forbidden:
            seen["refused"] += 1
            return
        except InvalidInput:  # a rule on no declared permission
            return
        seen["allowed"] += 1
        seen["deny"] += deny
        await platform.authz.refresh()
        granter_had = before[granter]
        try:
            for person in people:
                after = everything(platform, person)
                for t in after:
                    gained = after[t] - before[person][t]
                    assert gained <= granter_had[t], (granter_key, rule, t, person, gained)
                    if before[person][t] - after[t]:
                        assert before[person][t] <= granter_had[t], (granter_key, rule, t,
                                                                    person)
        finally:
            async with platform.db.system_session("test: undo rule") as s:
                await services.remove_policy(platform, s, tenant_id=tenant, rule_id=row.id,
                                             actor="test", acting_from_group=True)
                copies = (await s.execute(select(AuthzRule).where(
                    AuthzRule.ptype == "p", AuthzRule.v0 == subject, AuthzRule.v1 == obj,
                    AuthzRule.v2 == action, AuthzRule.origin.like("group:%")))).scalars()
                await store.remove_rules(s, list(copies))
            await platform.authz.refresh()

    from ipgov.tenancy import services

    admins = sorted(k for k in world["users"] if k[2] in ("group_admin", "tenant_admin"))
    permissions = sorted(p for p in platform.authz.declared if p[0] in POLICY_OBJECTS)

    @PROPERTY
    @given(granter=st.sampled_from(admins) | st.sampled_from(sorted(world["users"])),
           subject=st.sampled_from(TENANT_ROLES),
           permission=st.sampled_from(permissions) | st.just(("*", "*")),
           deny=st.booleans(), level=st.sampled_from(LEVELS), to_subsidiaries=st.booleans())
    def rules(granter, subject, permission, deny, level, to_subsidiaries):
        try:
            on_loop(attempt(granter, subject, *permission, deny, level, to_subsidiaries))
        except AssertionError as exc:
            first.append(str(exc)[:3000])
            raise

    first: list[str] = []

    try:
        await asyncio.to_thread(rules)
    except BaseException:
        if first:  # Hypothesis reports the shrunk example; the first one says more
            pytest.fail(f"first failure: {first[0]}")
        raise
    assert seen["allowed"] and seen["refused"] and seen["deny"], seen
