"""Invitations over real HTTP: a member added through the API can sign in (issue 15 item 13).

The link goes by e-mail to a real SMTP server (aiosmtpd) when one is configured and is shown to
the inviting admin otherwise; accepting sets the password and grants the role once; existing
accounts are never taken over; only who may add members may invite, in their own tenants.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re

import pytest
from sqlalchemy import select

from tests.conftest import make_group
from tests.security.identity_support import (
    PASSWORD,
    SESSION,
    audit_actions,
    body_text,
    error_codes,
    sign_in,
    smtp_server,
    user_with_password,
)

INVITE = """mutation($t: ID!, $e: String!, $r: String!) { inviteMember(tenantId: $t, email: $e,
  role: $r) { invitation { id email role status delivered expiresAt } link errors { code } } }"""
ACCEPT = f"""mutation($k: String!, $p: String) {{ acceptInvitation(token: $k, password: $p) {{
  tenantId role session {{ {SESSION} }} errors {{ code }} }} }}"""
REVOKE = """mutation($t: ID!, $i: ID!) { revokeInvitation(tenantId: $t, invitationId: $i) {
  invitation { status } errors { code } } }"""
LIST = """query($t: ID!, $first: Int!, $after: String) { invitations(tenantId: $t, first: $first,
  after: $after) { edges { node { email status } } pageInfo { hasNextPage endCursor } } }"""
CAN = "query($t: ID!) { can(tenantId: $t, object: \"ipgov:tenant\", action: \"read\") }"
NEWCOMER = "lin.fang@acme.example"


@pytest.fixture
async def acme(platform):
    return await make_group(platform, "acme")


def _token(link: str) -> str:
    match = re.search(r"/account/#invitation=([A-Za-z0-9_-]+)$", link)
    assert match, link
    return match.group(1)


async def _invite(gql, acme, email: str = NEWCOMER, role: str = "contributor",
                  admin: str = "a-admin", tenant: str = "acme-a") -> dict:
    body = await gql(INVITE, {"t": acme.ids[tenant], "e": email, "r": role},
                     token=acme.token(admin))
    return body["data"]["inviteMember"]


async def test_an_invited_member_sets_a_password_and_signs_in(platform, gql, acme):
    """Before: addMember made a user without password and nothing let it sign in."""
    invited = await _invite(gql, acme)
    assert invited["errors"] == [] and invited["invitation"]["status"] == "open"
    assert invited["invitation"]["delivered"] is False and invited["link"]  # no SMTP: shown
    token = _token(invited["link"])

    weak = (await gql(ACCEPT, {"k": token, "p": "short"}))["data"]["acceptInvitation"]
    assert error_codes(weak) == ["PASSWORD_POLICY"]  # nothing spent by a mistake
    accepted = (await gql(ACCEPT, {"k": token, "p": PASSWORD}))["data"]["acceptInvitation"]
    assert accepted["errors"] == [] and accepted["role"] == "contributor"
    assert accepted["tenantId"] == acme.ids["acme-a"] and accepted["session"]["token"]
    me = await gql("{ me { memberships { tenantSlug role } } }",
                   token=accepted["session"]["token"])
    assert {"tenantSlug": "acme-a", "role": "contributor"} in me["data"]["me"]["memberships"]
    assert (await sign_in(gql, NEWCOMER))["token"]

    again = (await gql(ACCEPT, {"k": token, "p": PASSWORD}))["data"]["acceptInvitation"]
    assert error_codes(again) == ["INVITATION_INVALID"]
    listed = await gql(LIST, {"t": acme.ids["acme-a"], "first": 10}, token=acme.token("a-admin"))
    assert [e["node"] for e in listed["data"]["invitations"]["edges"]] == [
        {"email": NEWCOMER, "status": "accepted"}]
    actions = [a for a, _d in await audit_actions(platform, acme.ids["acme-a"])]
    assert {"invitation.created", "invitation.accepted", "member.added"} <= set(actions)


async def test_the_link_goes_by_mail_when_smtp_is_configured(platform, gql, acme):
    async with smtp_server() as mailbox:
        platform.settings = dataclasses.replace(platform.settings, smtp_url=mailbox.url,
                                                public_url="https://ipgov.example/")
        invited = await _invite(gql, acme)
        [message] = await mailbox.wait(1)
    assert invited["link"] is None and invited["invitation"]["delivered"] is True
    assert message["To"] == NEWCOMER and "acme-a" in message["Subject"]
    text = body_text(message)
    assert "contributor" in text and "受邀" in text
    link = re.search(r"https://ipgov\.example/account/#invitation=\S+", text).group(0)
    accepted = (await gql(ACCEPT, {"k": _token(link), "p": PASSWORD}))["data"]
    assert accepted["acceptInvitation"]["session"]["token"]


async def test_a_mail_server_that_is_away_falls_back_to_showing_the_link(platform, gql, acme):
    platform.settings = dataclasses.replace(platform.settings, smtp_url="smtp://127.0.0.1:9")
    invited = await _invite(gql, acme)
    assert invited["invitation"]["delivered"] is False and invited["link"]


async def test_an_existing_account_is_never_taken_over(platform, gql, acme):
    await user_with_password(platform, NEWCOMER)
    token = _token((await _invite(gql, acme))["link"])
    hijack = (await gql(ACCEPT, {"k": token, "p": "the admin's own choice"}))["data"]
    assert error_codes(hijack["acceptInvitation"]) == ["INVITATION_SIGN_IN_REQUIRED"]
    assert (await sign_in(gql, NEWCOMER))["token"]  # the owner's password still works
    own = (await sign_in(gql, NEWCOMER))["token"]
    accepted = (await gql(ACCEPT, {"k": token}, token=own))["data"]["acceptInvitation"]
    assert accepted["errors"] == [] and accepted["session"] is None
    assert (await gql(CAN, {"t": acme.ids["acme-a"]}, token=own))["data"]["can"] is True


async def test_revoked_and_expired_invitations_cannot_be_accepted(platform, gql, acme):
    invited = await _invite(gql, acme)
    revoked = (await gql(REVOKE, {"t": acme.ids["acme-a"], "i": invited["invitation"]["id"]},
                         token=acme.token("a-admin")))["data"]["revokeInvitation"]
    assert revoked == {"invitation": {"status": "revoked"}, "errors": []}
    refused = (await gql(ACCEPT, {"k": _token(invited["link"]), "p": PASSWORD}))["data"]
    assert error_codes(refused["acceptInvitation"]) == ["INVITATION_INVALID"]

    platform.settings = dataclasses.replace(platform.settings, invitation_ttl_seconds=1)
    soon = await _invite(gql, acme, "soon@acme.example")
    await asyncio.sleep(1.2)
    late = (await gql(ACCEPT, {"k": _token(soon["link"]), "p": PASSWORD}))["data"]
    assert error_codes(late["acceptInvitation"]) == ["INVITATION_INVALID"]


async def test_a_second_invitation_replaces_the_first(platform, gql, acme):
    first, second = await _invite(gql, acme), await _invite(gql, acme)
    stale = (await gql(ACCEPT, {"k": _token(first["link"]), "p": PASSWORD}))["data"]
    assert error_codes(stale["acceptInvitation"]) == ["INVITATION_INVALID"]
    fresh = (await gql(ACCEPT, {"k": _token(second["link"]), "p": PASSWORD}))["data"]
    assert fresh["acceptInvitation"]["errors"] == []
    again = await _invite(gql, acme)
    assert error_codes(again) == ["DUPLICATE_MEMBERSHIP"]


async def test_only_member_admins_invite_and_only_into_their_tenants(platform, gql, acme):
    globex = await make_group(platform, "globex")
    for who, tenant, code in [("a-viewer", "acme-a", "FORBIDDEN"),
                              ("c-contrib", "acme-c", "FORBIDDEN"),
                              ("b-admin", "acme-a", "FORBIDDEN")]:
        body = await gql(INVITE, {"t": acme.ids[tenant], "e": NEWCOMER, "r": "viewer"},
                         token=acme.token(who))
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == code, who
    foreign = await gql(INVITE, {"t": globex.ids["globex-a"], "e": NEWCOMER, "r": "viewer"},
                        token=acme.token("admin"))
    assert foreign["data"] is None and foreign["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listing = await gql(LIST, {"t": globex.ids["globex-a"], "first": 5}, token=acme.token("admin"))
    assert listing["data"] is None
    bad_role = await _invite(gql, acme, role="platform_admin")
    assert error_codes(bad_role) == ["INVALID_INPUT"]
    bad_email = await _invite(gql, acme, email="not an address")
    assert error_codes(bad_email) == ["INVALID_INPUT"]
    from ipgov.identity.models import Invitation

    async with platform.db.system_session("t") as s:
        assert (await s.execute(select(Invitation))).scalars().all() == []


async def test_open_invitations_are_bounded_and_listed_in_pages(platform, gql, acme):
    platform.settings = dataclasses.replace(platform.settings, max_pending_invitations=3)
    for i in range(3):
        assert (await _invite(gql, acme, f"p{i}@acme.example"))["errors"] == []
    over = await _invite(gql, acme, "p3@acme.example")
    assert error_codes(over) == ["INVITATION_LIMIT"]
    page = await gql(LIST, {"t": acme.ids["acme-a"], "first": 2}, token=acme.token("a-admin"))
    conn = page["data"]["invitations"]
    assert len(conn["edges"]) == 2 and conn["pageInfo"]["hasNextPage"]
    rest = await gql(LIST, {"t": acme.ids["acme-a"], "first": 2,
                            "after": conn["pageInfo"]["endCursor"]}, token=acme.token("a-admin"))
    assert len(rest["data"]["invitations"]["edges"]) == 1


async def test_another_tenants_invitation_cannot_be_revoked_or_read(platform, gql, acme):
    theirs = await _invite(gql, acme, admin="b-admin", tenant="acme-b")
    inv = theirs["invitation"]["id"]
    own_tenant = await gql(REVOKE, {"t": acme.ids["acme-a"], "i": inv}, token=acme.token("a-admin"))
    assert error_codes(own_tenant["data"]["revokeInvitation"]) == ["INVITATION_NOT_FOUND"]
    their_tenant = await gql(REVOKE, {"t": acme.ids["acme-b"], "i": inv},
                             token=acme.token("a-admin"))
    assert their_tenant["data"] is None
    assert their_tenant["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = await gql(LIST, {"t": acme.ids["acme-a"], "first": 10}, token=acme.token("a-admin"))
    assert listed["data"]["invitations"]["edges"] == []
    still = (await gql(ACCEPT, {"k": _token(theirs["link"]), "p": PASSWORD}))["data"]
    assert still["acceptInvitation"]["errors"] == []  # untouched by the attempts
