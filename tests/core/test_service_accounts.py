"""Service accounts and API keys (issue 29 item 3): listed beside members with owner, scopes
and keys; scopes within the role and the creator's rights; expiry; last use at most once a
minute; rotation with an overlap; revocation effective in every process at once; the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from ipgov.authz.service import AuthzService
from ipgov.authz.store import PolicyRule
from ipgov.db.base import utcnow
from ipgov.identity.models import ApiKey
from ipgov.identity.service import authenticate
from ipgov.identity.tokens import AuthenticationError
from ipgov.startup import build_platform
from ipgov.tenancy import services
from tests.conftest import make_group

CREATE = """mutation($t: ID!, $n: String!, $r: String!, $s: [String!], $d: Int) {
  createServiceAccount(tenantId: $t, name: $n, role: $r, scopes: $s, expiresInDays: $d) {
    apiKey serviceAccount { id scopes ownerEmail keys { id state expiresAt } }
    errors { code field message } } }"""
LIST = """query($t: ID!) { serviceAccounts(tenantId: $t) { edges { node { id name role scopes
  ownerUserId ownerEmail createdBy keys { id state expiresAt lastUsedAt revokedAt replacedBy }
  } } } }"""
ROTATE = """mutation($t: ID!, $a: ID!, $o: Int!) { rotateApiKey(tenantId: $t,
  serviceAccountId: $a, overlapHours: $o) { apiKey key { id state } previousKeys { id state }
  errors { code field message } } }"""
REVOKE = """mutation($t: ID!, $k: ID!) { revokeApiKey(tenantId: $t, keyId: $k) {
  key { id state revokedAt } errors { code } } }"""
DISABLE = """mutation($t: ID!, $a: ID!) { disableServiceAccount(tenantId: $t,
  serviceAccountId: $a) { serviceAccount { disabledAt keys { state } } errors { code } } }"""
TENANT = "query($t: ID!) { tenant(id: $t) { slug } }"
JOBS = "query($t: ID!) { jobs(tenantId: $t) { edges { node { id } } } }"


def code(body: dict) -> str | None:
    errors = body.get("errors") or []
    return (errors[0].get("extensions") or {}).get("code") if errors else None


async def refused(platform, key: str) -> None:
    """``key`` is refused as unknown or revoked."""
    with pytest.raises(AuthenticationError) as info:
        await authenticate(platform, f"Bearer {key}")
    assert info.value.code == "API_KEY_INVALID"


async def _create(gql, tenant: str, token: str, **variables):
    body = await gql(CREATE, {"t": tenant, "n": "ci", "r": "viewer", **variables}, token)
    payload = body["data"]["createServiceAccount"]
    assert payload["errors"] == [], body
    return payload


async def test_accounts_are_listed_beside_members_with_owner_scopes_and_keys(platform, gql):
    g = await make_group(platform, "acme")
    a, admin = g.ids["acme-a"], g.token("a-admin")
    made = await _create(gql, a, admin, s=["ipgov:tenant:read"], d=30)
    account = made["serviceAccount"]
    assert account["scopes"] == ["ipgov:tenant:read"]
    assert account["ownerEmail"] == "a-admin@acme.example"
    listed = await gql(LIST, {"t": a}, admin)
    node = listed["data"]["serviceAccounts"]["edges"][0]["node"]
    assert (node["name"], node["role"], node["ownerUserId"]) == ("ci", "viewer",
                                                                 g.users["a-admin"])
    assert node["createdBy"] == g.users["a-admin"]
    (key,) = node["keys"]
    assert key["state"] == "active" and key["lastUsedAt"] is None
    assert made["apiKey"].startswith(f"ipgov_{key['id']}_")
    # a viewer of the tenant may not see them; another group's administrator neither
    assert code(await gql(LIST, {"t": a}, g.token("a-viewer"))) == "FORBIDDEN"
    # the scope limits the key below its role: a viewer reads jobs, this key may not
    assert (await gql(TENANT, {"t": a}, made["apiKey"]))["data"]["tenant"]["slug"] == "acme-a"
    assert code(await gql(JOBS, {"t": a}, made["apiKey"])) == "FORBIDDEN"
    # and scopes cannot reach beyond the role
    wide = await gql(CREATE, {"t": a, "n": "ci2", "r": "viewer", "s": ["ipgov:member:create"]},
                     admin)
    assert wide["data"]["createServiceAccount"]["errors"][0]["code"] == "SCOPE_OUTSIDE_ROLE"
    bad = await gql(CREATE, {"t": a, "n": "ci3", "r": "viewer", "s": ["tenant-read"]}, admin)
    assert bad["data"]["createServiceAccount"]["errors"][0]["code"] == "SCOPE_MALFORMED"
    long = await gql(CREATE, {"t": a, "n": "ci4", "r": "viewer", "d": 5000}, admin)
    assert long["data"]["createServiceAccount"]["errors"][0]["code"] == "KEY_LIFETIME"


async def test_last_use_is_written_at_most_once_a_minute(platform, gql):
    g = await make_group(platform, "acme")
    a = g.ids["acme-a"]
    made = await _create(gql, a, g.token("a-admin"))
    key_id = made["serviceAccount"]["keys"][0]["id"]

    async def last_used():
        async with platform.db.system_session("t") as s:
            return (await s.get(ApiKey, key_id)).last_used_at

    await authenticate(platform, f"Bearer {made['apiKey']}")
    first = await last_used()
    assert first is not None
    for _ in range(5):
        await authenticate(platform, f"Bearer {made['apiKey']}")
    assert await last_used() == first  # not on every request
    async with platform.db.system_session("t") as s:  # a minute and a second later
        await s.execute(update(ApiKey).where(ApiKey.id == key_id).values(
            last_used_at=utcnow() - timedelta(seconds=61)))
    await authenticate(platform, f"Bearer {made['apiKey']}")
    assert (await last_used()).replace(tzinfo=None) > first.replace(tzinfo=None)


async def test_rotation_overlaps_then_ends_the_old_key(platform, gql):
    g = await make_group(platform, "acme")
    a, admin = g.ids["acme-a"], g.token("a-admin")
    made = await _create(gql, a, admin)
    account, old = made["serviceAccount"]["id"], made["apiKey"]
    rotated = (await gql(ROTATE, {"t": a, "a": account, "o": 2}, admin))["data"]["rotateApiKey"]
    assert rotated["errors"] == [] and rotated["key"]["state"] == "active"
    assert [k["state"] for k in rotated["previousKeys"]] == ["expiring"]
    for key in (old, rotated["apiKey"]):  # both work during the overlap
        assert (await gql(TENANT, {"t": a}, key))["data"]["tenant"]["slug"] == "acme-a"
    keys = (await gql(LIST, {"t": a}, admin))["data"]["serviceAccounts"]["edges"][0]["node"]
    states = {k["id"]: (k["state"], k["replacedBy"]) for k in keys["keys"]}
    assert states[rotated["key"]["id"]] == ("active", None)
    assert states[made["serviceAccount"]["keys"][0]["id"]] == ("expiring",
                                                              rotated["key"]["id"])
    # the overlap ends: the old key is refused as expired, the new one still works
    async with platform.db.system_session("t") as s:
        await s.execute(update(ApiKey).where(ApiKey.id == made["serviceAccount"]["keys"][0][
            "id"]).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = await gql.post(TENANT, {"t": a}, token=old)
    assert response.status_code == 401
    assert "API_KEY_EXPIRED" in response.text
    assert (await gql(TENANT, {"t": a}, rotated["apiKey"]))["data"]["tenant"]
    # an immediate rotation (overlap 0) ends the previous key at once
    now = (await gql(ROTATE, {"t": a, "a": account, "o": 0}, admin))["data"]["rotateApiKey"]
    assert (await gql.post(TENANT, {"t": a}, token=rotated["apiKey"])).status_code == 401
    assert (await gql(TENANT, {"t": a}, now["apiKey"]))["data"]["tenant"]


async def test_rotating_needs_the_rights_the_new_secret_carries(platform, gql):
    """Whoever rotates receives a working key: the ceiling applies as at creation."""
    g = await make_group(platform, "acme")
    a = g.ids["acme-a"]
    made = await _create(gql, a, g.token("admin"), r="tenant_admin")
    async with platform.db.system_session("t: personal deny") as s:
        await services.add_policy(platform, s, tenant_id=a, actor="test", acting_from_group=True,
                                  rule=PolicyRule(g.users["a-admin"], "ipgov:review", "request",
                                                  "deny"))
    await platform.authz.refresh()
    body = await gql(ROTATE, {"t": a, "a": made["serviceAccount"]["id"], "o": 1},
                     g.token("a-admin"))
    assert body["data"]["rotateApiKey"]["errors"][0]["code"] == "PRIVILEGE_CEILING", body
    assert body["data"]["rotateApiKey"]["apiKey"] is None
    ok = await gql(ROTATE, {"t": a, "a": made["serviceAccount"]["id"], "o": 1},
                   g.token("admin"))
    assert ok["data"]["rotateApiKey"]["errors"] == []


async def test_revocation_takes_effect_in_every_process_at_once(platform, gql):
    """Another process (its own platform: engine, caches, connections) refuses a key the
    moment it is revoked, as does the one that revoked it."""
    g = await make_group(platform, "acme")
    a, admin = g.ids["acme-a"], g.token("a-admin")
    made = await _create(gql, a, admin)
    other = build_platform(platform.settings)
    other.authz = AuthzService(other)
    await other.authz.load()
    try:
        assert (await authenticate(other, f"Bearer {made['apiKey']}")).kind == "service"
        key_id = made["serviceAccount"]["keys"][0]["id"]
        revoked = (await gql(REVOKE, {"t": a, "k": key_id}, admin))["data"]["revokeApiKey"]
        assert revoked["key"]["state"] == "revoked"
        for process in (platform, other):
            await refused(process, made["apiKey"])
        assert (await gql.post(TENANT, {"t": a}, token=made["apiKey"])).status_code == 401
    finally:
        await other.close()


async def test_disabling_an_account_revokes_every_key_and_its_role(platform, gql):
    g = await make_group(platform, "acme")
    a, admin = g.ids["acme-a"], g.token("a-admin")
    made = await _create(gql, a, admin)
    account = made["serviceAccount"]["id"]
    await gql(ROTATE, {"t": a, "a": account, "o": 5}, admin)
    body = await gql(DISABLE, {"t": a, "a": account}, admin)
    payload = body["data"]["disableServiceAccount"]
    assert payload["serviceAccount"]["disabledAt"] is not None
    assert {k["state"] for k in payload["serviceAccount"]["keys"]} == {"revoked"}
    assert not platform.authz.enforce(f"sa:{account}", a, "ipgov:tenant", "read")
    assert (await gql(LIST, {"t": a}, admin))["data"]["serviceAccounts"]["edges"] == []
    again = await gql(DISABLE, {"t": a, "a": account}, admin)
    assert again["data"]["disableServiceAccount"]["errors"][0]["code"] == (
        "SERVICE_ACCOUNT_NOT_FOUND")


async def test_keys_of_another_tenant_cannot_be_rotated_or_revoked(platform, gql):
    g = await make_group(platform, "acme")
    made = await _create(gql, g.ids["acme-a"], g.token("a-admin"))
    b, b_admin = g.ids["acme-b"], g.token("b-admin")
    key_id = made["serviceAccount"]["keys"][0]["id"]
    revoke = await gql(REVOKE, {"t": b, "k": key_id}, b_admin)
    assert revoke["data"]["revokeApiKey"]["errors"][0]["code"] == "API_KEY_NOT_FOUND"
    rotate = await gql(ROTATE, {"t": b, "a": made["serviceAccount"]["id"], "o": 1}, b_admin)
    assert rotate["data"]["rotateApiKey"]["errors"][0]["code"] == "SERVICE_ACCOUNT_NOT_FOUND"
    assert (await gql(TENANT, {"t": g.ids["acme-a"]}, made["apiKey"]))["data"]["tenant"]


def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "IPGOV_DATA_DIR": str(settings.data_dir),
           "IPGOV_DATABASE_URL": settings.database_url}
    return subprocess.run([sys.executable, "-m", "ipgov.cli.main", "service-account", *args],
                          env=env, capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2])


async def test_cli_lists_accounts_beside_members_and_manages_keys(platform, backend):
    if backend != "sqlite":
        return  # the CLI reads IPGOV_DATABASE_URL; one backend shows the commands
    await make_group(platform, "acme")
    made = _cli(platform.settings, "create", "acme-a", "ci", "viewer", "--owner",
                "a-admin@acme.example", "--scope", "ipgov:tenant:read")
    assert made.returncode == 0, made.stderr
    plaintext = made.stdout.strip().splitlines()[-1]
    assert plaintext.startswith("ipgov_")
    listed = _cli(platform.settings, "list", "acme-a")
    lines = listed.stdout.splitlines()
    assert any(line.split()[:3] == ["user", "a-admin@acme.example", "tenant_admin"]
               for line in lines), listed.stdout
    service = next(line for line in lines if line.startswith("service"))
    assert "ci" in service and "viewer" in service and "a-admin@acme.example" in service
    assert "1 key(s)" in service
    rotated = _cli(platform.settings, "rotate", "acme-a", "ci", "--overlap-hours", "0")
    assert rotated.returncode == 0, rotated.stderr
    new_key = rotated.stdout.strip().splitlines()[-1]
    keys = _cli(platform.settings, "keys", "acme-a", "ci").stdout
    assert "expired" in keys and "active" in keys, keys
    revoked = _cli(platform.settings, "revoke", "acme-a", new_key.split("_")[1])
    assert revoked.returncode == 0, revoked.stderr
    await refused(platform, new_key)
    unknown = _cli(platform.settings, "disable", "acme-a", "nope")
    assert unknown.returncode == 1 and "no active service account" in unknown.stderr


async def test_ending_an_account_needs_the_rights_to_grant_its_role(platform, gql):
    """A tenant administrator of the group cannot cut off the group administrator's
    integration (as he cannot remove the group administrator)."""
    from ipgov.identity.service import add_membership, create_user

    g = await make_group(platform, "acme")
    root = g.ids["acme"]
    made = await _create(gql, root, g.token("admin"), r="group_admin")
    async with platform.db.system_session("t: deputy") as s:
        deputy = await create_user(s, email="deputy@acme.example", display_name="Deputy")
        await add_membership(platform, s, tenant_id=root, user_id=deputy.id,
                             role="tenant_admin", actor="test")
    await platform.authz.refresh()
    token = platform.tokens.issuer.issue(deputy.id).token
    key_id = made["serviceAccount"]["keys"][0]["id"]
    revoke = await gql(REVOKE, {"t": root, "k": key_id}, token)
    assert revoke["data"]["revokeApiKey"]["errors"][0]["code"] == "PRIVILEGE_CEILING"
    disable = await gql(DISABLE, {"t": root, "a": made["serviceAccount"]["id"]}, token)
    assert disable["data"]["disableServiceAccount"]["errors"][0]["code"] == "PRIVILEGE_CEILING"
    assert (await gql(TENANT, {"t": root}, made["apiKey"]))["data"]["tenant"]["slug"] == "acme"
