"""Sessions seen and ended by their owner and by a member's administrator, within the privilege
ceiling and the tenant boundary; a group's idle and absolute timeouts (issue 19 item 4)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sqlalchemy import update

from tests.conftest import make_group

LOGIN = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
  token refreshToken refreshExpiresAt errors { code } } }"""
REFRESH = """mutation($r: String!) { refreshSession(refreshToken: $r) {
  token refreshToken refreshExpiresAt errors { code } } }"""
MEMBER_SESSIONS = """query($t: ID!, $u: ID!) { memberSessions(tenantId: $t, userId: $u) {
  id client current } }"""
END = """mutation($t: ID!, $u: ID!, $s: ID) { endMemberSessions(tenantId: $t, userId: $u,
  sessionId: $s) { ended errors { code field } } }"""
POLICY = """mutation($t: ID!, $i: Int, $a: Int) { setSessionPolicy(tenantId: $t, idleMinutes: $i,
  absoluteHours: $a) { policy { idleMinutes absoluteHours platformDefault }
  errors { code field } } }"""
PASSWORD = "correct horse battery staple"


async def _password(platform, user_id: str) -> str:
    from ipgov.identity.models import User
    from ipgov.identity.passwords import hash_password

    async with platform.db.system_session("test: password") as s:
        await s.execute(update(User).where(User.id == user_id).values(
            password_hash=hash_password(PASSWORD)))
        email = (await s.get(User, user_id)).email
    return email


async def _sign_in(gql, platform, user_id: str) -> dict:
    email = await _password(platform, user_id)
    login = (await gql(LOGIN, {"e": email, "p": PASSWORD}))["data"]["login"]
    assert login["errors"] == [], login
    return login


async def test_an_admin_sees_and_ends_a_members_sessions_and_they_stop_working(gql, platform):
    acme = await make_group(platform, "acme")
    viewer = acme.users["a-viewer"]
    first = await _sign_in(gql, platform, viewer)
    await _sign_in(gql, platform, viewer)
    admin = acme.token("a-admin")
    seen = (await gql(MEMBER_SESSIONS, {"t": acme.ids["acme-a"], "u": viewer},
                      token=admin))["data"]["memberSessions"]
    assert len(seen) == 2 and not any(s["current"] for s in seen)
    one = await gql(END, {"t": acme.ids["acme-a"], "u": viewer, "s": seen[0]["id"]},
                    token=admin)
    assert one["data"]["endMemberSessions"] == {"ended": 1, "errors": []}
    everything = await gql(END, {"t": acme.ids["acme-a"], "u": viewer}, token=admin)
    assert everything["data"]["endMemberSessions"]["ended"] == 1
    refused = await gql("{ me { id } }", token=first["token"])
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    again = (await gql(REFRESH, {"r": first["refreshToken"]}))["data"]["refreshSession"]
    assert again["errors"] and again["token"] is None


async def test_a_subsidiary_admin_cannot_sign_the_group_director_out(gql, platform):
    from ipgov.identity.service import add_membership

    acme = await make_group(platform, "acme")
    async with platform.db.system_session("test: director in a subsidiary") as s:
        await add_membership(platform, s, tenant_id=acme.ids["acme-a"],
                             user_id=acme.users["admin"], role="viewer", actor="test")
    await platform.authz.refresh()
    await _sign_in(gql, platform, acme.users["admin"])
    answer = await gql(END, {"t": acme.ids["acme-a"], "u": acme.users["admin"]},
                       token=acme.token("a-admin"))
    assert [e["code"] for e in answer["data"]["endMemberSessions"]["errors"]] == [
        "PRIVILEGE_CEILING"]
    assert (await gql("{ me { id } }", token=acme.token("admin")))["data"]["me"]


async def test_nobody_sees_or_ends_another_tenants_peoples_sessions(gql, platform):
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    theirs = globex.users["a-viewer"]
    await _sign_in(gql, platform, theirs)
    for tenant in (acme.ids["acme-a"], globex.ids["globex-a"]):
        seen = await gql(MEMBER_SESSIONS, {"t": tenant, "u": theirs}, token=acme.token("admin"))
        assert seen["data"] is None
        codes = {e["extensions"]["code"] for e in seen["errors"]}
        assert codes & {"FORBIDDEN", "MEMBER_NOT_FOUND", "NOT_FOUND"}, seen
        ended = await gql(END, {"t": tenant, "u": theirs}, token=acme.token("admin"))
        assert ended.get("data") is None or ended["data"]["endMemberSessions"]["ended"] == 0


async def test_a_groups_timeouts_bound_its_members_sessions_the_strictest_wins(gql, platform):
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    loose = await gql(POLICY, {"t": acme.ids["acme"], "i": 120, "a": 24}, token=acme.token("admin"))
    assert loose["data"]["setSessionPolicy"]["errors"] == []
    strict = await gql(POLICY, {"t": globex.ids["globex"], "i": 30, "a": 8},
                       token=globex.token("admin"))
    assert strict["data"]["setSessionPolicy"]["policy"] == {
        "idleMinutes": 30, "absoluteHours": 8.0, "platformDefault": False}
    from ipgov.identity.service import add_membership

    person = acme.users["a-viewer"]
    login = await _sign_in(gql, platform, person)
    assert _minutes_left(login["refreshExpiresAt"]) <= 120
    async with platform.db.system_session("test: also in globex") as s:
        await add_membership(platform, s, tenant_id=globex.ids["globex-b"], user_id=person,
                             role="viewer", actor="test")
    renewed = (await gql(REFRESH, {"r": login["refreshToken"]}))["data"]["refreshSession"]
    assert 25 <= _minutes_left(renewed["refreshExpiresAt"]) <= 30  # globex's 30 minutes
    # past the absolute timeout the session ends, whatever the idle one says
    from ipgov.db.base import utcnow
    from ipgov.identity.models import RefreshToken

    async with platform.db.system_session("test: an old session") as s:
        await s.execute(update(RefreshToken).values(
            session_started_at=utcnow() - timedelta(hours=9)))
    ended = (await gql(REFRESH, {"r": renewed["refreshToken"]}))["data"]["refreshSession"]
    assert [e["code"] for e in ended["errors"]] == ["REFRESH_TOKEN_INVALID"]


async def test_a_policy_is_a_groups_and_only_tightens_the_platforms_bounds(gql, platform):
    platform.settings = dataclasses.replace(platform.settings, refresh_ttl_seconds=86_400)
    acme = await make_group(platform, "acme")
    sub = await gql(POLICY, {"t": acme.ids["acme-a"], "i": 30}, token=acme.token("admin"))
    assert [e["code"] for e in sub["data"]["setSessionPolicy"]["errors"]] == [
        "SESSION_POLICY_GROUP_ONLY"]
    wide = await gql(POLICY, {"t": acme.ids["acme"], "i": 2 * 1440, "a": 0},
                     token=acme.token("admin"))
    errors = wide["data"]["setSessionPolicy"]["errors"]
    assert {(e["code"], e["field"]) for e in errors} == {
        ("SESSION_POLICY_RANGE", "idleMinutes"), ("SESSION_POLICY_RANGE", "absoluteHours")}
    viewer = await gql(POLICY, {"t": acme.ids["acme"], "i": 30}, token=acme.token("a-viewer"))
    assert viewer["data"] is None or viewer["data"]["setSessionPolicy"]["policy"] is None


def _minutes_left(iso: str) -> float:
    from datetime import UTC, datetime

    return (datetime.fromisoformat(iso) - datetime.now(UTC)).total_seconds() / 60
