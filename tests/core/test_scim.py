"""SCIM 2.0 provisioning (issue 19 item 2): tokens, Users and Groups CRUD, filters, PATCH,
pagination, deprovisioning refused on the next request, and isolation between groups.

Everything goes through the real application (ASGI, the same middleware as production) on
SQLite and PostgreSQL; tokens are made with the GraphQL mutation a group administrator uses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ipgov.runtime import Platform
from tests.conftest import GraphQLClient, Group, make_group

SCIM = "/scim/v2"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CREATE = """mutation($g: ID!, $n: String!) { createScimToken(groupId: $g, name: $n) {
  secret token { id state } errors { code message } } }"""
ME = "query { me { id } }"


class Scim:
    """A SCIM client with one group's token, against the app in-process."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client, self.token = client, token

    async def call(self, method: str, path: str, body: Any = None, **params: Any
                   ) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.token}",
                   "content-type": "application/scim+json"}
        return await self.client.request(method, f"{SCIM}{path}", json=body, params=params,
                                         headers=headers)

    async def user(self, name: str, **extra: Any) -> dict[str, Any]:
        body = {"schemas": [USER], "userName": name,
                "emails": [{"value": f"{name}@corp.example", "primary": True}],
                "name": {"givenName": name.title(), "familyName": "Tester"}, **extra}
        response = await self.call("POST", "/Users", body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def group(self, name: str, members: list[str] = ()) -> httpx.Response:
        return await self.call("POST", "/Groups", {
            "schemas": [GROUP], "displayName": name,
            "members": [{"value": m} for m in members]})


@pytest.fixture
async def client(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    from ipgov.web.app import create_app

    app = create_app(platform)
    await platform.authz.start()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as c:
        yield c
    await platform.authz.stop()


async def token_for(client: httpx.AsyncClient, group: Group, tenant: str,
                    admin: str = "admin") -> str:
    got = await GraphQLClient(client)(CREATE, {"g": group.ids[tenant], "n": "Entra ID"},
                                      group.token(admin))
    payload = got["data"]["createScimToken"]
    assert payload["errors"] == [], payload
    return str(payload["secret"])


@pytest.fixture
async def acme(platform: Platform) -> Group:
    return await make_group(platform, "acme", "hybrid")


@pytest.fixture
async def globex(platform: Platform) -> Group:
    return await make_group(platform, "globex", "centralized")


@pytest.fixture
async def scim(client: httpx.AsyncClient, acme: Group) -> Scim:
    return Scim(client, await token_for(client, acme, "acme"))


async def roles_of(platform: Platform, user_id: str) -> set[tuple[str, str]]:
    from sqlalchemy import select

    from ipgov.identity.models import Membership

    async with platform.db.system_session("test: roles") as session:
        rows = await session.execute(select(Membership.tenant_id, Membership.role).where(
            Membership.user_id == user_id))
        return set(rows.all())


# ------------------------------------------------------------------------------- tokens


async def test_token_is_shown_once_stored_hashed_and_audited(client, acme, platform) -> None:
    from sqlalchemy import select

    from ipgov.audit.models import AuditEvent
    from ipgov.identity.scim.models import ScimToken

    secret = await token_for(client, acme, "acme")
    assert secret.startswith("ipgovscim_")
    async with platform.db.system_session("test") as session:
        stored = (await session.execute(select(ScimToken))).scalar_one()
        actions = set((await session.execute(select(AuditEvent.action).where(
            AuditEvent.tenant_id == acme.ids["acme"]))).scalars())
    assert secret.split("_")[2] not in stored.secret_hash and len(stored.secret_hash) == 64
    assert "scim.token_created" in actions
    listed = await GraphQLClient(client)(
        'query($g: ID!) { scimTokens(groupId: $g) { edges { node { id name state } } } }',
        {"g": acme.ids["acme"]}, acme.token("admin"))
    assert listed["data"]["scimTokens"]["edges"] == [
        {"node": {"id": stored.id, "name": "Entra ID", "state": "active"}}]


async def test_only_those_who_may_grant_every_role_make_tokens(client, acme) -> None:
    gql = GraphQLClient(client)
    # a subsidiary of a hybrid group is provisioned by the group's token, not its own
    sub = await gql(CREATE, {"g": acme.ids["acme-a"], "n": "x"}, acme.token("admin"))
    assert sub["data"]["createScimToken"]["errors"][0]["code"] == "SCIM_TOKEN_NOT_HERE"
    # a subsidiary administrator holds no right on the group's provisioning at all
    other = await gql(CREATE, {"g": acme.ids["acme"], "n": "x"}, acme.token("a-admin"))
    assert other["data"] is None and other["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_decentralized_subsidiary_provisions_itself(client, platform) -> None:
    soft = await make_group(platform, "soft", "decentralized")
    gql = GraphQLClient(client)
    made = await gql(CREATE, {"g": soft.ids["soft-a"], "n": "own"}, soft.token("a-admin"))
    assert made["data"]["createScimToken"]["errors"] == []
    own = Scim(client, made["data"]["createScimToken"]["secret"])
    user = await own.user("lin")
    assert (await own.group("ipgov:soft-a:viewer", [user["id"]])).status_code == 201
    # the group's own token of a decentralized group reaches the group only
    root = Scim(client, await token_for(client, soft, "soft"))
    refused = await root.group("ipgov:soft-a:viewer")
    assert refused.status_code == 400 and refused.json()["scimType"] == "invalidValue"


async def test_revoked_token_is_refused_at_once(client, acme, scim) -> None:
    assert (await scim.call("GET", "/Users")).status_code == 200
    token_id = scim.token.split("_")[1]
    revoked = await GraphQLClient(client)(
        'mutation($g: ID!, $t: ID!) { revokeScimToken(groupId: $g, tokenId: $t) '
        '{ token { state } errors { code } } }',
        {"g": acme.ids["acme"], "t": token_id}, acme.token("admin"))
    assert revoked["data"]["revokeScimToken"]["token"]["state"] == "revoked"
    refused = await scim.call("GET", "/Users")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "the SCIM token is unknown, expired or revoked"
    assert refused.headers["www-authenticate"].startswith("Bearer")


async def test_requests_without_a_valid_token_are_scim_401(client) -> None:
    for headers in ({}, {"authorization": "Bearer nonsense"},
                    {"authorization": "Bearer ipgovscim_0123456789ab_" + "a" * 43}):
        response = await client.get(f"{SCIM}/Users", headers=headers)
        assert response.status_code == 401
        assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


# ------------------------------------------------------------------------------- users


async def test_user_create_get_replace_delete(scim, platform) -> None:
    made = await scim.user("bjensen", externalId="e-1", title="Engineer", active=True)
    assert made["active"] is True and made["meta"]["resourceType"] == "User"
    assert made["meta"]["location"].endswith(f"/scim/v2/Users/{made['id']}")
    got = (await scim.call("GET", f"/Users/{made['id']}")).json()
    assert got["title"] == "Engineer" and got["externalId"] == "e-1"
    replaced = await scim.call("PUT", f"/Users/{made['id']}", {
        "schemas": [USER], "userName": "bjensen", "displayName": "Barbara Jensen",
        "preferredLanguage": "zh-Hans-CN",
        "emails": [{"value": "barbara@corp.example", "primary": True}]})
    assert replaced.status_code == 200, replaced.text
    assert "title" not in replaced.json()  # PUT replaces: what is left out is gone
    from ipgov.identity.models import User

    async with platform.db.system_session("test") as session:
        user = await session.get(User, made["id"])
        assert (user.email, user.display_name, user.locale) == (
            "barbara@corp.example", "Barbara Jensen", "zh-CN")
    assert (await scim.call("DELETE", f"/Users/{made['id']}")).status_code == 204
    gone = await scim.call("GET", f"/Users/{made['id']}")
    assert gone.status_code == 404 and gone.json()["status"] == "404"
    async with platform.db.system_session("test") as session:
        user = await session.get(User, made["id"])
        assert not user.active and "barbara" not in user.email  # anonymised, row kept


async def test_user_creation_errors_are_scim_errors(scim) -> None:
    await scim.user("dup")
    again = await scim.call("POST", "/Users", {"schemas": [USER], "userName": "DUP",
                                               "emails": [{"value": "other@corp.example"}]})
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"
    no_mail = await scim.call("POST", "/Users", {"schemas": [USER], "userName": "x"})
    assert no_mail.status_code == 400 and "emails" in no_mail.json()["detail"]
    junk = await scim.client.post(f"{SCIM}/Users", content=b"{not json", headers={
        "authorization": f"Bearer {scim.token}", "content-type": "application/scim+json"})
    assert junk.status_code == 400 and junk.json()["scimType"] in {"invalidSyntax",
                                                                   "invalidValue"}


async def test_filters(scim) -> None:
    a = await scim.user("alice", externalId="ext-a")
    b = await scim.user("bob", externalId="ext-b", emails=[
        {"value": "bob@corp.example", "primary": True}, {"value": "robert@home.example"}])
    await scim.call("PATCH", f"/Users/{b['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "replace", "value": {"active": False}}]})

    async def ids(expression: str) -> list[str]:
        response = await scim.call("GET", "/Users", filter=expression)
        assert response.status_code == 200, response.text
        return sorted(r["id"] for r in response.json().get("Resources", []))

    assert await ids('userName eq "ALICE"') == [a["id"]]  # userName is not case-exact
    assert await ids('emails.value eq "robert@home.example"') == [b["id"]]
    assert await ids('emails[value eq "bob@corp.example"]') == [b["id"]]
    assert await ids('externalId eq "ext-a"') == [a["id"]]
    assert await ids('externalId eq "EXT-A"') == []  # externalId is case-exact
    assert await ids("active eq false") == [b["id"]]
    assert await ids('userName sw "a" or externalId eq "ext-b"') == sorted([a["id"], b["id"]])
    assert await ids('userName eq "alice" and active eq false') == []
    refused = await scim.call("GET", "/Users", filter='title eq "x"')
    assert refused.status_code == 400 and refused.json()["scimType"] == "invalidFilter"
    assert "userName" in refused.json()["detail"] or "username" in refused.json()["detail"]


async def test_pagination_is_bounded(scim, platform) -> None:
    platform.settings = dataclasses.replace(platform.settings, max_page_size=3)
    for n in range(5):
        await scim.user(f"p{n}")
    first = (await scim.call("GET", "/Users", count=50)).json()
    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (5, 3, 1)
    rest = (await scim.call("GET", "/Users", startIndex=4, count=3)).json()
    assert rest["itemsPerPage"] == 2
    seen = {r["id"] for r in first["Resources"]} | {r["id"] for r in rest["Resources"]}
    assert len(seen) == 5
    assert (await scim.call("GET", "/Users", count=0)).json()["itemsPerPage"] == 0


async def test_patch_add_replace_remove(scim) -> None:
    made = await scim.user("carol")
    path = f"/Users/{made['id']}"
    patched = await scim.call("PATCH", path, {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "title", "value": "Counsel"},
        {"op": "replace", "path": "name.givenName", "value": "Caroline"},
        {"op": "add", "path": "emails", "value": [{"value": "c2@corp.example"}]}]})
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["title"] == "Counsel" and body["name"]["givenName"] == "Caroline"
    assert {e["value"] for e in body["emails"]} == {"carol@corp.example", "c2@corp.example"}
    removed = (await scim.call("PATCH", path, {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": "title"},
        {"op": "remove", "path": 'emails[value eq "c2@corp.example"]'}]})).json()
    assert "title" not in removed and len(removed["emails"]) == 1
    required = await scim.call("PATCH", path, {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": "emails"}]})
    assert required.status_code == 400  # a user keeps an e-mail address


# ------------------------------------------------------------------------------- groups and roles


async def test_groups_map_to_roles_and_follow_membership(scim, acme, platform) -> None:
    user = await scim.user("dave")
    made = await scim.group("ipgov:acme-a:ip_manager", [user["id"]])
    assert made.status_code == 201, made.text
    group = made.json()
    assert [m["value"] for m in group["members"]] == [user["id"]]
    assert (acme.ids["acme-a"], "ip_manager") in await roles_of(platform, user["id"])
    assert platform.authz.enforce(user["id"], acme.ids["acme-a"], "ipgov:review", "request")
    plain = await scim.group("All staff", [user["id"]])  # confers nothing, stored as named
    assert plain.status_code == 201
    assert await roles_of(platform, user["id"]) == {(acme.ids["acme-a"], "ip_manager")}
    left = await scim.call("PATCH", f"/Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": f'members[value eq "{user["id"]}"]'}]})
    assert left.status_code == 200, left.text
    assert await roles_of(platform, user["id"]) == set()
    await scim.call("PATCH", f"/Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": user["id"]}]}]})
    assert await roles_of(platform, user["id"]) == {(acme.ids["acme-a"], "ip_manager")}
    renamed = await scim.call("PATCH", f"/Groups/{group['id']}", {"schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": "ipgov:acme-b:viewer"}]})
    assert renamed.status_code == 200
    assert await roles_of(platform, user["id"]) == {(acme.ids["acme-b"], "viewer")}
    assert (await scim.call("DELETE", f"/Groups/{group['id']}")).status_code == 204
    assert await roles_of(platform, user["id"]) == set()
    listed = (await scim.call("GET", "/Groups", filter='displayName eq "all staff"',
                              excludedAttributes="members")).json()
    assert [g["displayName"] for g in listed["Resources"]] == ["All staff"]
    assert "members" not in listed["Resources"][0]


async def test_a_directory_groups_own_colon_is_a_plain_group(scim, acme, platform) -> None:
    """``Sales:Team`` and ``Acme-A:Viewer`` are the directory's own names (a tenant slug and a
    role by coincidence): plain groups that confer nothing and are never refused. Only
    ``ipgov:<slug>:<role>`` names a role; a name with that prefix that is not of that form is
    refused with its reason."""
    user = await scim.user("erin")
    for name in ("Sales:Team", "Acme-A:Viewer", "acme-b : reviewer"):
        made = await scim.group(name, [user["id"]])
        assert made.status_code == 201, (name, made.text)
        assert made.json()["displayName"] == name
    assert await roles_of(platform, user["id"]) == set()
    found = (await scim.call("GET", "/Groups", filter='displayName eq "sales:team"')).json()
    assert [g["displayName"] for g in found["Resources"]] == ["Sales:Team"]
    mapped = await scim.group("ipgov:Acme-A:Viewer", [user["id"]])
    assert mapped.status_code == 201, mapped.text
    assert await roles_of(platform, user["id"]) == {(acme.ids["acme-a"], "viewer")}
    for name in ("ipgov:acme-a", "ipgov:Sales:Team:x", "ipgov:sales team:viewer"):
        refused = await scim.group(name)
        assert refused.status_code == 400, (name, refused.text)
        assert "ipgov:<tenant slug>:<role>" in refused.json()["detail"], refused.text


async def test_a_group_stored_under_the_former_form_keeps_its_role_until_renamed(
        scim, acme, platform) -> None:
    """Before the prefix was required, ``acme-a:viewer`` gave a role: such a stored group
    keeps it while the directory writes the same name (members change), and a rename reads
    the new name under today's rule."""
    from sqlalchemy import update

    from ipgov.identity.scim.models import ScimGroup

    user, other = await scim.user("fay"), await scim.user("gus")
    group = (await scim.group("acme-a:viewer", [user["id"]])).json()
    async with platform.db.system_session("test: a group stored by the former reading") as s:
        await s.execute(update(ScimGroup).where(ScimGroup.id == group["id"]).values(
            target_tenant_id=acme.ids["acme-a"], role="viewer"))
    added = await scim.call("PATCH", f"/Groups/{group['id']}", {"schemas": [PATCH],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": other["id"]}]}]})
    assert added.status_code == 200, added.text
    assert await roles_of(platform, other["id"]) == {(acme.ids["acme-a"], "viewer")}
    assert await roles_of(platform, user["id"]) == {(acme.ids["acme-a"], "viewer")}
    renamed = await scim.call("PATCH", f"/Groups/{group['id']}", {"schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "displayName", "value": "acme-a:viewers"}]})
    assert renamed.status_code == 200, renamed.text
    assert await roles_of(platform, user["id"]) == set()


async def test_group_role_only_in_the_group_tenant(scim) -> None:
    refused = await scim.group("ipgov:acme-a:group_admin")
    assert refused.status_code == 400 and "tenant_admin" in refused.json()["detail"]
    assert (await scim.group("ipgov:acme:group_admin")).status_code == 201
    assert (await scim.group("IPGOV:Acme-B:IP_Manager")).status_code == 201


# ------------------------------------------------------------------------------- deprovisioning


async def _signed_in(platform: Platform, user_id: str) -> str:
    from ipgov.identity.models import User
    from ipgov.identity.sessions import open_session

    async with platform.db.system_session("test: sign in") as session:
        user = await session.get(User, user_id)
        signed = await open_session(platform, session, user, client="test")
    return signed.access_token


@pytest.mark.parametrize("how", ["active-false", "delete"])
async def test_deprovisioned_user_is_refused_on_the_next_request(scim, client, acme, platform,
                                                                  how) -> None:
    from sqlalchemy import select

    from ipgov.audit.models import AuditEvent
    from ipgov.identity.models import ApiKey
    from ipgov.identity.service_accounts import create_service_account

    user = await scim.user("erin")
    await scim.group("ipgov:acme-a:tenant_admin", [user["id"]])
    bearer = await _signed_in(platform, user["id"])
    gql = GraphQLClient(client)
    assert (await gql(ME, token=bearer))["data"]["me"]["id"] == user["id"]
    async with platform.db.system_session("test: key") as session:
        _account, key, api_key = await create_service_account(
            platform, session, tenant_id=acme.ids["acme-a"], name="erin's CI",
            role="viewer", actor=user["id"], granter=user["id"])
    await platform.authz.refresh()
    assert (await gql(ME, token=api_key)).get("errors") is None

    if how == "delete":
        assert (await scim.call("DELETE", f"/Users/{user['id']}")).status_code == 204
    else:
        patched = await scim.call("PATCH", f"/Users/{user['id']}", {"schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "active", "value": False}]})
        assert patched.status_code == 200 and patched.json()["active"] is False

    refused = await gql.post(ME, token=bearer)
    assert refused.status_code == 401, refused.text
    assert (await gql.post(ME, token=api_key)).status_code == 401
    assert await roles_of(platform, user["id"]) == set()
    async with platform.db.system_session("test") as session:
        assert (await session.get(ApiKey, key.id)) is not None  # revoked, kept for the trail
        actions = set((await session.execute(select(AuditEvent.action).where(
            AuditEvent.tenant_id == acme.ids["acme"]))).scalars())
        trail = (await session.execute(select(AuditEvent.id).where(
            AuditEvent.actor == user["id"]))).all()
    ended = "scim.user_deleted" if how == "delete" else "scim.user_deactivated"
    assert {"scim.user_created", ended} <= actions
    assert trail  # the user's own history stays, and every chain it touched still verifies
    from ipgov.audit.verify import verify_snapshot
    from ipgov.db import TenantScope

    tenants = [acme.ids["acme"], acme.ids["acme-a"]]
    results = await verify_snapshot(platform, tenants, TenantScope.system("test: verify"))
    assert all(r.ok for r in results.values()), results


async def test_reactivation_restores_group_roles(scim, platform, acme) -> None:
    user = await scim.user("faye")
    await scim.group("ipgov:acme-b:reviewer", [user["id"]])
    path = f"/Users/{user['id']}"
    off = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}
    await scim.call("PATCH", path, off)
    assert await roles_of(platform, user["id"]) == set()
    on = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]}
    assert (await scim.call("PATCH", path, on)).json()["active"] is True
    assert await roles_of(platform, user["id"]) == {(acme.ids["acme-b"], "reviewer")}


# ------------------------------------------------------------------------------- isolation


async def test_another_groups_token_never_sees_or_touches_our_users(client, scim, acme, globex,
                                                                     platform) -> None:
    ours = await scim.user("gina")
    theirs = Scim(client, await token_for(client, globex, "globex"))
    path = f"/Users/{ours['id']}"
    for method, body in [("GET", None), ("DELETE", None),
                         ("PUT", {"schemas": [USER], "userName": "gina",
                                  "emails": [{"value": "gina@corp.example"}]}),
                         ("PATCH", {"schemas": [PATCH], "Operations": [
                             {"op": "replace", "value": {"active": False}}]})]:
        response = await theirs.call(method, path, body)
        assert response.status_code == 404, (method, response.text)
    unknown = await theirs.call("GET", "/Users/00000000-0000-4000-8000-000000000000")
    assert unknown.json()["detail"].replace(
        "00000000-0000-4000-8000-000000000000", ours["id"]) == (
        await theirs.call("GET", path)).json()["detail"]  # the same answer as nothing
    listed = (await theirs.call("GET", "/Users", filter='userName eq "gina"')).json()
    assert listed["totalResults"] == 0
    # their groups cannot take our user in, nor name our tenants
    member = await theirs.group("ipgov:globex-a:viewer", [ours["id"]])
    assert member.status_code == 400 and member.json()["scimType"] == "invalidValue"
    crafted = await theirs.group("ipgov:acme-a:tenant_admin")
    assert crafted.status_code == 400 and "not a tenant this token provisions" in \
        crafted.json()["detail"]
    shouted = await theirs.group("IPGOV:ACME-A:Viewer")  # either case names the same tenant
    assert shouted.status_code == 400
    ghost = await theirs.group("ipgov:nowhere-at-all:viewer")
    assert ghost.json()["detail"].replace("nowhere-at-all", "acme-a") == crafted.json()["detail"]
    # our group cannot name theirs either, by create, rename or PATCH
    g = (await scim.group("ipgov:acme-a:viewer", [ours["id"]])).json()
    rename = await scim.call("PATCH", f"/Groups/{g['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "displayName", "value": "ipgov:globex:group_admin"}]})
    assert rename.status_code == 400
    assert await roles_of(platform, ours["id"]) == {(acme.ids["acme-a"], "viewer")}
    assert (await theirs.call("GET", f"/Groups/{g['id']}")).status_code == 404
    # and their email filter does not find our user
    found = (await theirs.call("GET", "/Users", filter='emails.value eq "gina@corp.example"'))
    assert found.json()["totalResults"] == 0


async def test_existing_user_of_another_group_is_not_taken_over(client, acme, globex,
                                                                 platform) -> None:
    theirs = Scim(client, await token_for(client, globex, "globex"))
    taken = await theirs.call("POST", "/Users", {
        "schemas": [USER], "userName": "admin", "emails": [{"value": "admin@acme.example"}]})
    assert taken.status_code == 409 and taken.json()["scimType"] == "uniqueness"
    ours = Scim(client, await token_for(client, acme, "acme"))
    linked = await ours.call("POST", "/Users", {
        "schemas": [USER], "userName": "a-viewer", "emails": [{"value": "a-viewer@acme.example"}]})
    assert linked.status_code == 201 and linked.json()["id"] == acme.users["a-viewer"]


# ------------------------------------------------------------------------------- protocol


async def test_discovery_and_protocol_errors(scim, platform) -> None:
    config = (await scim.call("GET", "/ServiceProviderConfig")).json()
    assert config["patch"]["supported"] and not config["bulk"]["supported"]
    assert config["filter"]["maxResults"] == platform.settings.max_page_size
    types = (await scim.call("GET", "/ResourceTypes")).json()
    assert {r["endpoint"] for r in types["Resources"]} == {"/Users", "/Groups"}
    schema = (await scim.call("GET", f"/Schemas/{USER}")).json()
    emails = next(a for a in schema["attributes"] if a["name"] == "emails")
    assert emails["required"] is True
    assert (await scim.call("PUT", "/ServiceProviderConfig", {})).status_code == 405
    missing = await scim.call("GET", "/Nowhere")
    assert missing.status_code == 404 and missing.json()["status"] == "404"
    assert (await scim.call("POST", "/.search", {})).status_code == 501
    assert (await scim.call("GET", "/Schemas", filter='id eq "x"')).status_code == 403


async def test_oversized_body_is_refused(scim, platform) -> None:
    limit = platform.settings.max_request_bytes
    response = await scim.call("POST", "/Users", {"schemas": [USER], "userName": "big",
                                                  "title": "x" * (limit + 1)})
    assert response.status_code == 413
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


async def test_rate_limited_per_token_with_a_scim_error(platform, acme, globex) -> None:
    from ipgov.web.app import create_app

    platform.settings = dataclasses.replace(platform.settings, rate_limit_user="4/minute")
    await platform.authz.start()
    transport = httpx.ASGITransport(app=create_app(platform))
    async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as client:
        ours = Scim(client, await token_for(client, acme, "acme"))
        theirs = Scim(client, await token_for(client, globex, "globex"))
        statuses = [(await ours.call("GET", "/Users")).status_code for _ in range(5)]
        limited = await ours.call("GET", "/Users")
        other = await theirs.call("GET", "/Users")  # same address, its own budget
    await platform.authz.stop()
    assert statuses[:4] == [200] * 4 and limited.status_code == 429
    assert limited.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert int(limited.headers["retry-after"]) >= 1
    assert other.status_code == 200


async def test_entra_id_request_shapes(scim, platform, acme) -> None:
    """What Microsoft Entra ID sends: capitalised ops, booleans as strings, a filtered path
    into emails, the enterprise extension, and a group created empty then filled."""
    user = await scim.user("hana", active=True, emails=[
        {"value": "hana@corp.example", "type": "work", "primary": True}])
    path = f"/Users/{user['id']}"
    changed = await scim.call("PATCH", path, {"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "h@corp.example"},
        {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"
                              "department", "value": "IP"}]})
    assert changed.status_code == 200, changed.text
    group = (await scim.call("POST", "/Groups", {
        "schemas": [GROUP], "externalId": "8f1c", "displayName": "ipgov:acme-c:contributor",
        "members": []})).json()
    await scim.call("PATCH", f"/Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "Add", "path": "members", "value": [{"value": user["id"]}]}]})
    assert await roles_of(platform, user["id"]) == {(acme.ids["acme-c"], "contributor")}
    off = await scim.call("PATCH", path, {"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": "active", "value": "False"}]})
    assert off.status_code == 200 and off.json()["active"] is False
    assert await roles_of(platform, user["id"]) == set()


async def test_concurrent_creates_of_one_user_answer_201_once_and_409_otherwise(scim) -> None:
    import asyncio

    body = {"schemas": [USER], "userName": "race",
            "emails": [{"value": "race@corp.example", "primary": True}]}
    answers = await asyncio.gather(*(scim.call("POST", "/Users", body) for _ in range(6)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 5, [a.text for a in answers]
    assert all(a.json()["scimType"] == "uniqueness" for a in answers if a.status_code == 409)


def test_a_unique_violation_at_commit_is_a_scim_conflict() -> None:
    """Two transactions that both passed the userName check meet the unique index at commit:
    the answer is 409 ``uniqueness``, not a 500."""
    from sqlalchemy.exc import IntegrityError

    from ipgov.identity.scim.errors import scim_error

    answer = scim_error(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert answer is not None
    status, body, _headers = answer
    assert (status, body["scimType"]) == (409, "uniqueness") and "retry" in body["detail"]
