"""Who may change a directive (issue 15 item 1): its owner role, its escalation and the
governance mode decide, and an owner must be a member who can act for that role."""

from __future__ import annotations

import uuid
from datetime import timedelta

from ipgov.db.base import utcnow
from ipgov.identity.service import add_membership, create_user
from ipgov.reviews.models import Directive
from ipgov.tenancy import services
from tests.conftest import make_group

UPDATE = """mutation($t: ID!, $id: ID!, $s: String, $o: ID) { updateDirective(tenantId: $t,
  id: $id, status: $s, ownerUserId: $o) { directive { status ownerUserId }
  errors { code field message } } }"""
ADD_POLICY = """mutation($t: ID!, $s: String!) { addPolicy(tenantId: $t, subject: $s,
  object: "ipgov:directive", action: "update") { errors { code } } }"""


def outcome(body: dict) -> str:
    """``ok``, or the code that refused the change (raised or in the payload)."""
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    payload = body["data"]["updateDirective"]
    return payload["errors"][0]["code"] if payload["errors"] else "ok"


async def world(platform):
    """acme (hybrid); in acme-c a contributor, an IP manager and an administrator; one
    high-severity directive owned by ip_manager escalated to the group, one not escalated."""
    g = await make_group(platform, "acme", "hybrid")
    c = g.ids["acme-c"]
    async with platform.db.system_session("t: people") as s:
        for name, role in (("c-ipm", "ip_manager"), ("c-admin", "tenant_admin")):
            user = await create_user(s, email=f"{name}@acme.example", display_name=name)
            await add_membership(platform, s, tenant_id=c, user_id=user.id, role=role,
                                 actor="test")
            g.users[name] = user.id
    await platform.authz.refresh()
    directives = {}
    async with platform.db.tenant_session(c) as s:
        for key, escalation in (("escalated", "group"), ("local", None)):
            d = Directive(tenant_id=c, check_id="ip_governance.risk.register", finding_key=key,
                          action="Treat the risk", owner_role="ip_manager", severity="high",
                          function="identify", domain="management_systems",
                          due_at=utcnow() + timedelta(days=3), opened_run_id="r",
                          last_seen_run_id="r", escalation=escalation,
                          escalated_at=utcnow() if escalation else None)
            s.add(d)
            await s.flush()
            directives[key] = d.id
    return g, directives


async def test_a_contributor_cannot_close_an_escalated_managers_directive(platform, gql):
    g, ids = await world(platform)
    c = g.ids["acme-c"]
    body = await gql(UPDATE, {"t": c, "id": ids["escalated"], "s": "done"}, g.token("c-contrib"))
    assert outcome(body) == "FORBIDDEN", body  # no default right to change directives
    # even granted the right locally, a contributor does not act for an IP manager
    granted = await gql(ADD_POLICY, {"t": c, "s": "contributor"}, g.token("c-admin"))
    assert granted["data"]["addPolicy"]["errors"] == []
    await platform.authz.refresh()
    for key in ("escalated", "local"):
        body = await gql(UPDATE, {"t": c, "id": ids[key], "s": "done"}, g.token("c-contrib"))
        assert outcome(body) in ("DIRECTIVE_ESCALATED", "DIRECTIVE_OWNER_ROLE"), body
    async with platform.db.tenant_session(c) as s:
        assert {(await s.get(Directive, i)).status for i in ids.values()} == {"open"}


async def test_an_escalated_directive_is_closed_by_the_level_it_escalated_to(platform, gql):
    g, ids = await world(platform)
    c, escalated = g.ids["acme-c"], ids["escalated"]
    for user in ("c-ipm", "c-admin"):
        body = await gql(UPDATE, {"t": c, "id": escalated, "s": "done"}, g.token(user))
        assert outcome(body) == "DIRECTIVE_ESCALATED", (user, body)
    local = await gql(UPDATE, {"t": c, "id": ids["local"], "s": "done"}, g.token("c-ipm"))
    assert outcome(local) == "ok"
    group = await gql(UPDATE, {"t": c, "id": escalated, "s": "done"}, g.token("admin"))
    assert outcome(group) == "ok" and group["data"]["updateDirective"]["directive"][
        "status"] == "done"
    # once the group governs decentrally, the subsidiary decides for itself
    reopened = await gql(UPDATE, {"t": c, "id": escalated, "s": "open"}, g.token("admin"))
    assert outcome(reopened) == "ok"
    async with platform.db.system_session("t: mode") as s:
        await services.change_governance_mode(platform, s, tenant_id=g.ids["acme"],
                                              mode="decentralized", actor="test")
    await platform.authz.refresh()
    body = await gql(UPDATE, {"t": c, "id": escalated, "s": "done"}, g.token("c-admin"))
    assert outcome(body) == "ok", body


async def test_an_owner_is_a_member_who_can_act_for_the_owner_role(platform, gql):
    g, ids = await world(platform)
    other = await make_group(platform, "globex")
    c, local, token = g.ids["acme-c"], ids["local"], g.token("c-admin")
    for stranger in (str(uuid.uuid4()), other.users["admin"], g.users["a-admin"],
                     g.users["c-contrib"]):
        body = await gql(UPDATE, {"t": c, "id": local, "o": stranger}, token)
        assert outcome(body) == "OWNER_NOT_MEMBER", (stranger, body)
        assert stranger not in str(body["data"]["updateDirective"]["errors"])
    for member in (g.users["c-ipm"], g.users["admin"]):  # direct, and through the group
        body = await gql(UPDATE, {"t": c, "id": local, "o": member}, token)
        assert outcome(body) == "ok", body
        assert body["data"]["updateDirective"]["directive"]["ownerUserId"] == member
