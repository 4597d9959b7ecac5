"""Mergers: absorption (rows move, the absorbed tenant stays as history) and parallel reporting
(an acquired group joins under a parent and follows the parent's governance mode)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipgov.audit.models import AuditEvent
from ipgov.audit.verify import verify_tenant
from ipgov.authz.models import AuthzRule
from ipgov.authz.store import PolicyRule
from ipgov.errors import DomainError
from ipgov.identity.models import Membership
from ipgov.tenancy import mergers, services
from ipgov.tenancy.models import PLATFORM_TENANT_ID, Tenant
from tests.conftest import make_group

ASSET = "ip_governance:asset"


async def tenant(platform, tenant_id) -> Tenant:
    async with platform.db.system_session("test: tenant") as s:
        return await s.get(Tenant, tenant_id)


async def events(platform, tenant_id) -> list[AuditEvent]:
    async with platform.db.system_session("test: audit") as s:
        stmt = select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
        return list((await s.execute(stmt.order_by(AuditEvent.seq))).scalars())


async def verify(platform, tenant_id):
    async with platform.db.system_session("test: verify") as s:
        return await verify_tenant(s, platform.audit_key, tenant_id)


async def memberships(platform, tenant_id) -> set[tuple[str, str]]:
    async with platform.db.system_session("test: memberships") as s:
        rows = (await s.execute(select(Membership).where(Membership.tenant_id == tenant_id)))
        return {(m.user_id, m.role) for m in rows.scalars()}


async def absorb(platform, keep, gone):
    async with platform.db.system_session("test: absorb") as s:
        counts = await mergers.absorb(platform, s, absorbing_id=keep, absorbed_id=gone,
                                      actor="test")
    await platform.authz.refresh()
    return counts


async def join(platform, parent, acquired):
    async with platform.db.system_session("test: join") as s:
        await mergers.join_parallel_reporting(platform, s, parent_id=parent,
                                              acquired_id=acquired, actor="test")
    await platform.authz.refresh()


def shape(t: Tenant) -> tuple:
    return (t.parent_id, t.root_id, t.depth, t.kind, t.status, t.governance_mode)


async def platform_admin(platform, group) -> str:
    from ipgov.identity.service import add_membership, create_user

    async with platform.db.system_session("test: platform admin") as s:
        u = await create_user(s, email="root@platform.example", display_name="root")
        await add_membership(platform, s, tenant_id=PLATFORM_TENANT_ID, user_id=u.id,
                             role="platform_admin", actor="test")
        user_id = u.id
    await platform.authz.refresh()
    return platform.tokens.issuer.issue(user_id).token


# --------------------------------------------------------------------------- absorption


async def test_absorption_moves_rows_and_keeps_the_absorbed_history(platform):
    g = await make_group(platform, "acme", "hybrid")
    a, b = g.ids["acme-a"], g.ids["acme-b"]
    a_admin, b_admin = g.users["a-admin"], g.users["b-admin"]
    authz = platform.authz
    async with platform.db.system_session("test: grandchild") as s:
        child = (await services.onboard_subsidiary(platform, s, parent_id=b, slug="acme-b-x",
                                                   name="b x", actor="test")).id
    await platform.authz.refresh()

    assert not authz.enforce(a_admin, b, "ipgov:member", "read")
    assert not authz.enforce(b_admin, a, "ipgov:tenant", "read")
    assert authz.enforce(b_admin, b, "ipgov:member", "read")
    b_before = [(e.id, e.seq, e.hash) for e in await events(platform, b)]
    assert b_before and (await verify(platform, b)).ok

    counts = await absorb(platform, a, b)

    assert counts["memberships"] == 1
    assert (b_admin, "tenant_admin") in await memberships(platform, a)
    assert await memberships(platform, b) == set()
    assert authz.enforce(b_admin, a, "ipgov:tenant", "read")
    assert authz.enforce(b_admin, a, "ipgov:member", "read")
    assert "tenant_admin" in authz.roles_in(b_admin, a)
    assert not authz.enforce(b_admin, b, "ipgov:member", "read")  # b's rights went with b
    assert authz.enforce(a_admin, a, "ipgov:member", "read")      # a's admin keeps hers

    gone = await tenant(platform, b)
    assert (gone.status, gone.absorbed_into_id, gone.parent_id) == ("absorbed", a, a)
    assert (await tenant(platform, child)).parent_id == a
    assert authz.tenant_info(b).status == "absorbed"

    b_after = await events(platform, b)
    assert [(e.id, e.seq, e.hash) for e in b_after[:len(b_before)]] == b_before
    assert [e.action for e in b_after[len(b_before):]] == ["tenant.absorbed"]
    result = await verify(platform, b)
    assert result.ok and result.events == len(b_before) + 1
    assert (await verify(platform, a)).ok
    absorbed_in_a = [e for e in await events(platform, a) if e.action == "tenant.absorbed"]
    assert len(absorbed_in_a) == 1 and absorbed_in_a[0].object_id == b
    assert absorbed_in_a[0].details["absorbed"] == "acme-b"
    # none of b's audit events moved into a's chain
    assert not {e.id for e in await events(platform, a)} & {i for i, _, _ in b_before}
    async with platform.db.system_session("test: rules") as s:
        left = (await s.execute(select(AuthzRule).where(AuthzRule.tenant_id == b))).all()
    assert left == []


async def test_absorbing_into_itself_or_a_descendant_fails_and_changes_nothing(platform):
    g = await make_group(platform, "acme", "hybrid")
    group, a = g.ids["acme"], g.ids["acme-a"]
    before = {t: shape(await tenant(platform, t)) for t in (group, a)}
    with pytest.raises(DomainError) as same:
        await absorb(platform, a, a)
    assert same.value.code == "INVALID_INPUT"
    with pytest.raises(DomainError) as cyclic:
        await absorb(platform, a, group)  # the group into its own subsidiary
    assert cyclic.value.code == "CYCLIC_PARENT"
    assert {t: shape(await tenant(platform, t)) for t in (group, a)} == before
    assert not [e for e in await events(platform, group) if e.action == "tenant.absorbed"]
    assert platform.authz.enforce(g.users["admin"], a, "ipgov:tenant", "read")


# --------------------------------------------------------------------------- parallel reporting


async def test_parallel_reporting_joins_under_parent_and_follows_its_mode(platform, two_groups):
    acme, globex = two_groups
    authz = platform.authz
    acme_admin, globex_admin = acme.users["admin"], globex.users["admin"]
    gx, gx_a, gx_c = globex.ids["globex"], globex.ids["globex-a"], globex.ids["globex-c"]
    contrib = globex.users["c-contrib"]
    async with platform.db.system_session("test: acme baseline") as s:
        await services.add_policy(platform, s, tenant_id=acme.ids["acme"], actor="test",
                                  rule=PolicyRule("contributor", ASSET, "read", "deny"),
                                  apply_to_subsidiaries=True)
    await platform.authz.refresh()

    assert not authz.enforce(acme_admin, gx, "ipgov:tenant", "read")
    assert not authz.enforce(acme_admin, gx_a, "ipgov:tenant", "read")
    assert authz.enforce(contrib, gx_c, ASSET, "read")

    await join(platform, acme.ids["acme"], gx)

    joined = await tenant(platform, gx)
    assert shape(joined) == (acme.ids["acme"], acme.ids["acme"], 1, "subsidiary", "active",
                             "centralized")
    for slug in ("globex-a", "globex-b", "globex-c"):
        t = await tenant(platform, globex.ids[slug])
        assert (t.parent_id, t.root_id, t.depth) == (gx, acme.ids["acme"], 2)
    # acme is hybrid: its roles now act in globex (and, globex being centralized, below it)
    assert authz.enforce(acme_admin, gx, "ipgov:tenant", "read")
    assert authz.enforce(acme_admin, gx_a, "ipgov:tenant", "read")
    assert "group_admin" in authz.roles_in(acme_admin, gx)
    # globex keeps its own IP department
    assert authz.enforce(globex_admin, gx, "ipgov:member", "create")
    assert authz.enforce(globex_admin, gx_a, "ipgov:member", "read")
    # acme's baseline reaches globex and its centrally governed subsidiaries
    async with platform.db.system_session("test: rules") as s:
        copied = list((await s.execute(select(AuthzRule).where(
            AuthzRule.tenant_id == gx, AuthzRule.origin == f"group:{acme.ids['acme']}"
        ))).scalars())
    assert [(r.v0, r.v1, r.v2, r.v3) for r in copied] == [("contributor", ASSET, "read", "deny")]
    assert not authz.enforce(contrib, gx_c, ASSET, "read")
    # the acme-side admins of unrelated subsidiaries gain nothing
    assert not authz.enforce(acme.users["a-admin"], gx, "ipgov:tenant", "read")
    for t in (acme.ids["acme"], gx):
        assert [e.action for e in await events(platform, t)
                if e.action == "tenant.parallel_reporting"] == ["tenant.parallel_reporting"]
        assert (await verify(platform, t)).ok


async def test_parallel_reporting_under_own_descendant_is_cyclic(platform, two_groups):
    acme, _ = two_groups
    ids = [acme.ids[s] for s in ("acme", "acme-a")]
    before = [shape(await tenant(platform, t)) for t in ids]
    for parent in (acme.ids["acme-a"], acme.ids["acme"]):
        with pytest.raises(DomainError) as exc:
            await join(platform, parent, acme.ids["acme"])
        assert exc.value.code == "CYCLIC_PARENT"
    assert [shape(await tenant(platform, t)) for t in ids] == before
    assert not [e for e in await events(platform, acme.ids["acme"])
                if e.action == "tenant.parallel_reporting"]
    assert platform.authz.enforce(acme.users["admin"], acme.ids["acme-a"], "ipgov:tenant", "read")


# --------------------------------------------------------------------------- GraphQL

ABSORB = """mutation($k: ID!, $g: ID!) { absorbTenant(absorbingId: $k, absorbedId: $g) {
  tenant { slug } errors { code field } } }"""
JOIN = """mutation($p: ID!, $a: ID!) { joinParallelReporting(parentId: $p, acquiredId: $a) {
  tenant { slug parentId rootId depth kind governanceMode } errors { code field } } }"""
TENANTS = "{ tenants(first: 50) { edges { node { slug } } } }"


def slugs(data) -> list[str]:
    return [e["node"]["slug"] for e in data["data"]["tenants"]["edges"]]


def forbidden(data) -> None:
    assert data["data"] is None
    assert data["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_absorption_through_graphql(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    a, b = g.ids["acme-a"], g.ids["acme-b"]
    forbidden(await gql(ABSORB, {"k": a, "g": b}, token=g.token("a-admin")))
    assert (await tenant(platform, b)).status == "active"
    assert slugs(await gql(TENANTS, token=g.token("b-admin"))) == ["acme-b"]

    done = await gql(ABSORB, {"k": a, "g": b}, token=g.token("admin"))
    assert done["data"]["absorbTenant"] == {"tenant": {"slug": "acme-a"}, "errors": []}
    assert (await tenant(platform, b)).status == "absorbed"
    assert slugs(await gql(TENANTS, token=g.token("b-admin"))) == ["acme-a"]

    again = await gql(ABSORB, {"k": a, "g": a}, token=g.token("admin"))
    assert again["data"]["absorbTenant"]["tenant"] is None
    assert again["data"]["absorbTenant"]["errors"][0]["code"] == "INVALID_INPUT"


async def test_parallel_reporting_through_graphql(platform, gql, two_groups):
    acme, globex = two_groups
    root = await platform_admin(platform, acme)
    gx = globex.ids["globex"]
    assert "globex" not in slugs(await gql(TENANTS, token=acme.token("admin")))

    # a subsidiary admin, and even globex's own group admin, may not attach globex to acme
    forbidden(await gql(JOIN, {"p": acme.ids["acme"], "a": gx}, token=acme.token("a-admin")))
    forbidden(await gql(JOIN, {"p": acme.ids["acme"], "a": gx}, token=globex.token("admin")))
    assert (await tenant(platform, gx)).parent_id is None

    cyclic = await gql(JOIN, {"p": acme.ids["acme-a"], "a": acme.ids["acme"]}, token=root)
    assert cyclic["data"]["joinParallelReporting"]["tenant"] is None
    assert cyclic["data"]["joinParallelReporting"]["errors"][0]["code"] == "CYCLIC_PARENT"
    assert (await tenant(platform, acme.ids["acme"])).parent_id is None

    done = await gql(JOIN, {"p": acme.ids["acme"], "a": gx}, token=root)
    assert done["data"]["joinParallelReporting"] == {
        "tenant": {"slug": "globex", "parentId": acme.ids["acme"], "rootId": acme.ids["acme"],
                   "depth": 1, "kind": "subsidiary", "governanceMode": "CENTRALIZED"},
        "errors": []}
    seen = slugs(await gql(TENANTS, token=acme.token("admin")))
    assert {"globex", "globex-a", "globex-b", "globex-c"} <= set(seen)
    assert slugs(await gql(TENANTS, token=globex.token("admin"))) == [
        "globex", "globex-a", "globex-b", "globex-c"]


# --------------------------------------------------------------------------- previews

PREVIEW_ABSORB = """query($k: ID!, $g: ID!) { previewAbsorption(absorbingId: $k, absorbedId: $g) {
  kind supervisionKept counts { item count }
  tenants { slug changes { roles gained { object action } lost { object action } } } } }"""
PREVIEW_JOIN = """query($p: ID!, $a: ID!) { previewParallelReporting(parentId: $p, acquiredId: $a) {
  kind supervisionKept counts { item count } tenants { slug pluginsEnabled pluginsDisabled
  changes { roles gained { object action } lost { object action } } } } }"""


async def test_an_absorption_preview_says_what_the_absorption_does_and_stores_nothing(
        platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    a, b = g.ids["acme-a"], g.ids["acme-b"]
    before = (shape(await tenant(platform, b)), len(await events(platform, a)),
              await memberships(platform, b))
    shown = await gql(PREVIEW_ABSORB, {"k": a, "g": b}, token=g.token("admin"))
    assert shown.get("errors") is None, shown
    preview = shown["data"]["previewAbsorption"]
    counts = {c["item"]: c["count"] for c in preview["counts"]}
    after = (shape(await tenant(platform, b)), len(await events(platform, a)),
             await memberships(platform, b))
    assert after == before  # nothing stored, nothing audited
    assert preview["kind"] == "absorption" and counts["memberships"] == 1
    gains = {(p["object"], p["action"]) for t in preview["tenants"] if t["slug"] == "acme-a"
             for c in t["changes"] for p in c["gained"]}
    assert ("ipgov:member", "read") in gains, preview["tenants"]  # b's admin administers a

    done = await absorb(platform, a, b)
    assert done["memberships"] == counts["memberships"]
    assert {k: v for k, v in done.items()} == {k: counts[k] for k in done}


async def test_a_merger_preview_is_refused_to_whoever_could_not_do_the_merger(
        platform, gql, two_groups):
    acme, globex = two_groups
    a, b = acme.ids["acme-a"], acme.ids["acme-b"]
    forbidden(await gql(PREVIEW_ABSORB, {"k": a, "g": b}, token=acme.token("a-admin")))
    forbidden(await gql(PREVIEW_ABSORB, {"k": a, "g": b}, token=globex.token("admin")))
    forbidden(await gql(PREVIEW_JOIN, {"p": acme.ids["acme"], "a": globex.ids["globex"]},
                        token=globex.token("admin")))


async def test_a_parallel_reporting_preview_shows_the_parent_mode_taking_over(
        platform, gql, two_groups):
    acme, globex = two_groups
    root = await platform_admin(platform, acme)
    gx = globex.ids["globex"]
    shown = await gql(PREVIEW_JOIN, {"p": acme.ids["acme"], "a": gx}, token=root)
    preview = shown["data"]["previewParallelReporting"]
    assert preview["kind"] == "parallel_reporting"
    assert (await tenant(platform, gx)).parent_id is None  # rolled back
    assert {t["slug"] for t in preview["tenants"]} <= {"globex", "globex-a", "globex-b",
                                                       "globex-c"}
    assert preview["tenants"], "acme's admins gain rights over globex under acme's mode"
