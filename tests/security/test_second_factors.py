"""Second factors of local accounts (issue 19 item 3) over the real app (ASGI, SQLite and
PostgreSQL): TOTP enrolment and the sign-in's second step (drift, replay), recovery codes,
passkeys through a software authenticator (real signatures), the ticket's limits, each group's
policy (roles and a trade-secret clearance) with enrol-first, and an administrator's reset
within the privilege ceiling and the tenant boundary."""

from __future__ import annotations

import dataclasses
import time

import pyotp
import pytest

from tests.conftest import make_group
from tests.security.authenticator import SoftAuthenticator
from tests.security.identity_support import (
    PASSWORD,
    audit_actions,
    error_codes,
    user_with_password,
)

ORIGIN = "http://localhost:8000"
STEP = ("token userId secondFactorTicket secondFactorMethods enrolSecondFactor "
        "errors { code message }")
LOGIN_STEP = f"""mutation($e: String!, $p: String!) {{ login(email: $e, password: $p) {{
  {STEP} }} }}"""
BEGIN_TOTP = """mutation($t: String) { beginTotpEnrolment(ticket: $t) { secret uri
  errors { code } } }"""
CONFIRM_TOTP = f"""mutation($c: String!, $t: String) {{ confirmTotpEnrolment(code: $c, ticket: $t)
  {{ factor {{ id kind name }} recoveryCodes session {{ {STEP} }} errors {{ code }} }} }}"""
VERIFY = f"""mutation($t: String!, $c: String, $r: String) {{
  verifySecondFactor(ticket: $t, code: $c, recoveryCode: $r) {{ {STEP} }} }}"""
MINE = """{ mySecondFactors { factors { id kind name } recoveryCodesLeft required } }"""
REGENERATE = "mutation { regenerateRecoveryCodes { codes errors { code } } }"
REMOVE = "mutation($f: ID!) { removeMySecondFactor(factorId: $f) { ok errors { code } } }"
BEGIN_PASSKEY = """mutation($t: String) { beginPasskeyRegistration(ticket: $t) { challengeId
  options errors { code } } }"""
FINISH_PASSKEY = f"""mutation($id: ID!, $c: String!, $n: String!, $t: String) {{
  finishPasskeyRegistration(challengeId: $id, credential: $c, name: $n, ticket: $t) {{
  factor {{ id kind name }} recoveryCodes session {{ {STEP} }} errors {{ code }} }} }}"""
BEGIN_SIGN_IN = """mutation($t: String!) { beginPasskeySignIn(ticket: $t) { challengeId options
  errors { code } } }"""
FINISH_SIGN_IN = f"""mutation($t: String!, $id: ID!, $c: String!) {{
  finishPasskeySignIn(ticket: $t, challengeId: $id, credential: $c) {{ {STEP} }} }}"""
RESET = """mutation($t: ID!, $u: ID!) { resetMemberSecondFactors(tenantId: $t, userId: $u) {
  removed errors { code } } }"""
POLICY = """mutation($t: ID!, $r: [String!]!, $p: [String!]!) {
  setSecondFactorPolicy(tenantId: $t, roles: $r, permissions: $p) {
  policy { roles permissions } errors { code } } }"""


@pytest.fixture
def settings(settings):
    """The platform as people reach it on ``localhost`` (the passkeys' relying party)."""
    return dataclasses.replace(settings, public_url=ORIGIN)


def _code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


async def _login(gql, email="pat@acme.example") -> dict:
    body = await gql(LOGIN_STEP, {"e": email, "p": PASSWORD})
    assert body.get("data"), body
    return body["data"]["login"]


async def _token(gql, email="pat@acme.example") -> str:
    payload = await _login(gql, email)
    assert payload["token"], payload
    return payload["token"]


async def _enrol_totp(gql, token: str | None = None, ticket: str | None = None
                      ) -> tuple[str, dict]:
    started = (await gql(BEGIN_TOTP, {"t": ticket}, token=token))["data"]["beginTotpEnrolment"]
    assert started["errors"] == [] and started["uri"].startswith("otpauth://totp/"), started
    secret = started["secret"]
    done = (await gql(CONFIRM_TOTP, {"c": _code(secret), "t": ticket}, token=token)
            )["data"]["confirmTotpEnrolment"]
    assert done["errors"] == [], done
    return secret, done


async def test_totp_enrolment_then_the_sign_in_needs_a_fresh_code(gql, platform):
    """Before: a password alone opened a session whatever the person had enrolled."""
    user_id = await user_with_password(platform)
    token = await _token(gql)
    # a wrong first code does not put the app in force
    started = (await gql(BEGIN_TOTP, {}, token=token))["data"]["beginTotpEnrolment"]
    wrong = (await gql(CONFIRM_TOTP, {"c": "000000" if _code(started["secret"]) != "000000"
                                      else "111111"}, token=token))["data"]
    assert error_codes(wrong["confirmTotpEnrolment"]) == ["SECOND_FACTOR_CODE_INVALID"]
    secret, done = await _enrol_totp(gql, token)
    assert done["factor"]["kind"] == "totp" and len(done["recoveryCodes"]) == 10
    mine = (await gql(MINE, token=token))["data"]["mySecondFactors"]
    assert mine["recoveryCodesLeft"] == 10 and [f["kind"] for f in mine["factors"]] == ["totp"]
    # the password now yields a ticket, not a session
    step = await _login(gql)
    assert step["token"] is None and step["userId"] is None and step["secondFactorTicket"]
    assert step["secondFactorMethods"] == ["totp", "recovery_code"]
    assert (await gql(MINE, token=step["secondFactorTicket"]))["errors"]  # not a bearer token
    # the confirmation's code (this step) is spent; a code two steps away is refused
    replay = (await gql(VERIFY, {"t": step["secondFactorTicket"], "c": _code(secret)}))
    assert error_codes(replay["data"]["verifySecondFactor"]) == ["SECOND_FACTOR_CODE_INVALID"]
    far = (await gql(VERIFY, {"t": step["secondFactorTicket"], "c": _code(secret, 3)}))
    assert error_codes(far["data"]["verifySecondFactor"]) == ["SECOND_FACTOR_CODE_INVALID"]
    # the next step's code is within the drift window and works once
    ok = (await gql(VERIFY, {"t": step["secondFactorTicket"], "c": _code(secret, 1)}))
    assert ok["data"]["verifySecondFactor"]["token"], ok
    again = (await gql(VERIFY, {"t": step["secondFactorTicket"], "c": _code(secret, 1)}))
    assert error_codes(again["data"]["verifySecondFactor"]) == ["SECOND_FACTOR_TICKET_INVALID"]
    actions = [a for a, _ in await audit_actions(platform, "00000000-0000-0000-0000-000000000000")]
    for action in ("user.second_factor_enrolled", "user.second_factor_failed",
                   "user.second_factor_used"):
        assert action in actions
    signed = [d for a, d in await audit_actions(platform, "00000000-0000-0000-0000-000000000000")
              if a == "user.signed_in" and d.get("method") == "password+totp"]
    assert signed and user_id


async def test_recovery_codes_work_once_and_regenerating_voids_the_old_set(gql, platform):
    await user_with_password(platform)
    token = await _token(gql)
    _secret, done = await _enrol_totp(gql, token)
    first, second = done["recoveryCodes"][:2]
    step = await _login(gql)
    used = await gql(VERIFY, {"t": step["secondFactorTicket"], "r": first.upper()})
    assert used["data"]["verifySecondFactor"]["token"], used
    step = await _login(gql)
    reused = await gql(VERIFY, {"t": step["secondFactorTicket"], "r": first})
    assert error_codes(reused["data"]["verifySecondFactor"]) == ["SECOND_FACTOR_CODE_INVALID"]
    fresh = (await gql(REGENERATE, token=token))["data"]["regenerateRecoveryCodes"]["codes"]
    assert len(fresh) == 10 and second not in fresh
    old = await gql(VERIFY, {"t": step["secondFactorTicket"], "r": second})
    assert error_codes(old["data"]["verifySecondFactor"]) == ["SECOND_FACTOR_CODE_INVALID"]
    new = await gql(VERIFY, {"t": step["secondFactorTicket"], "r": fresh[0]})
    assert new["data"]["verifySecondFactor"]["token"], new


async def test_a_ticket_dies_after_five_wrong_codes(gql, platform):
    await user_with_password(platform)
    secret, _done = await _enrol_totp(gql, await _token(gql))
    ticket = (await _login(gql))["secondFactorTicket"]
    right = _code(secret, 1)
    for _ in range(5):
        await gql(VERIFY, {"t": ticket, "c": "999999" if right != "999999" else "888888"})
    late = await gql(VERIFY, {"t": ticket, "c": right})
    assert error_codes(late["data"]["verifySecondFactor"]) in (
        ["SECOND_FACTOR_TICKET_INVALID"], ["LOGIN_THROTTLED"])
    assert late["data"]["verifySecondFactor"]["token"] is None


async def _register_passkey(gql, key: SoftAuthenticator, token=None, ticket=None,
                            name="laptop") -> dict:
    begun = (await gql(BEGIN_PASSKEY, {"t": ticket}, token=token)
             )["data"]["beginPasskeyRegistration"]
    assert begun["errors"] == [], begun
    done = await gql(FINISH_PASSKEY, {"id": begun["challengeId"], "c": key.create(
        begun["options"]), "n": name, "t": ticket}, token=token)
    return done["data"]["finishPasskeyRegistration"]


async def _passkey_sign_in(gql, key: SoftAuthenticator, **answer) -> dict:
    ticket = (await _login(gql))["secondFactorTicket"]
    begun = (await gql(BEGIN_SIGN_IN, {"t": ticket}))["data"]["beginPasskeySignIn"]
    assert begun["errors"] == [], begun
    body = await gql(FINISH_SIGN_IN, {"t": ticket, "id": begun["challengeId"],
                                      "c": key.get(begun["options"], **answer)})
    return body["data"]["finishPasskeySignIn"]


async def test_passkeys_register_sign_in_and_refuse_a_cloned_counter(gql, platform):
    await user_with_password(platform)
    token = await _token(gql)
    laptop, phone = (SoftAuthenticator(ORIGIN, "localhost") for _ in range(2))
    first = await _register_passkey(gql, laptop, token)
    assert first["errors"] == [] and first["factor"]["name"] == "laptop", first
    assert len(first["recoveryCodes"]) == 10
    second = await _register_passkey(gql, phone, token, name="phone")
    assert second["errors"] == [] and second["recoveryCodes"] == []
    # a passkey made for another site is refused
    evil = SoftAuthenticator("https://evil.example", "localhost")
    assert error_codes(await _register_passkey(gql, evil, token)) == ["PASSKEY_INVALID"]
    signed = await _passkey_sign_in(gql, laptop)
    assert signed["token"], signed
    cloned = await _passkey_sign_in(gql, laptop, counter=laptop.counter)
    assert error_codes(cloned) == ["PASSKEY_SIGN_COUNT"]
    # the challenge of a finished ceremony cannot be answered again
    ticket = (await _login(gql))["secondFactorTicket"]
    begun = (await gql(BEGIN_SIGN_IN, {"t": ticket}))["data"]["beginPasskeySignIn"]
    ok = await gql(FINISH_SIGN_IN, {"t": ticket, "id": begun["challengeId"],
                                    "c": phone.get(begun["options"])})
    assert ok["data"]["finishPasskeySignIn"]["token"]
    mine = (await gql(MINE, token=token))["data"]["mySecondFactors"]["factors"]
    removed = await gql(REMOVE, {"f": next(f["id"] for f in mine if f["name"] == "phone")},
                        token=token)
    assert removed["data"]["removeMySecondFactor"]["ok"]
    assert [f["name"] for f in (await gql(MINE, token=token))["data"]["mySecondFactors"][
        "factors"]] == ["laptop"]


async def test_a_bound_admin_without_a_factor_may_only_enrol(gql, platform):
    """Before: the group's administrators signed in with a password alone."""
    acme = await make_group(platform, "acme")
    await user_with_password(platform, "boss@acme.example", acme.ids["acme"], "group_admin")
    viewer = await user_with_password(platform, "pat@acme.example", acme.ids["acme-a"])
    set_policy = await gql(POLICY, {"t": acme.ids["acme"], "r": ["group_admin"], "p": []},
                           token=acme.token("admin"))
    assert set_policy["data"]["setSecondFactorPolicy"]["errors"] == [], set_policy
    assert (await _login(gql))["token"]  # a viewer is not bound
    step = await _login(gql, "boss@acme.example")
    assert step["token"] is None and step["enrolSecondFactor"] is True
    ticket = step["secondFactorTicket"]
    # an enrolment ticket is not a second factor
    assert error_codes((await gql(VERIFY, {"t": ticket, "c": "123456"}))["data"][
        "verifySecondFactor"]) == ["SECOND_FACTOR_TICKET_INVALID"]
    _secret, done = await _enrol_totp(gql, ticket=ticket)
    assert done["session"]["token"] and len(done["recoveryCodes"]) == 10
    # the last factor of a bound person cannot be removed
    boss_token = done["session"]["token"]
    factor = done["factor"]["id"]
    refused = await gql(REMOVE, {"f": factor}, token=boss_token)
    assert error_codes(refused["data"]["removeMySecondFactor"]) == ["SECOND_FACTOR_REQUIRED"]
    assert viewer


async def test_a_trade_secret_clearance_binds_its_holder(gql, platform):
    acme = await make_group(platform, "acme")
    await user_with_password(platform, "boss@acme.example", acme.ids["acme"], "group_admin")
    await user_with_password(platform, "pat@acme.example", acme.ids["acme-a"], "ip_manager")
    clearance = "data_governance:content:secret:read"
    bad = await gql(POLICY, {"t": acme.ids["acme"], "r": ["no_such_role"], "p": ["x:y"]},
                    token=acme.token("admin"))
    assert sorted(error_codes(bad["data"]["setSecondFactorPolicy"])) == [
        "SECOND_FACTOR_POLICY_UNKNOWN"] * 2
    sub = await gql(POLICY, {"t": acme.ids["acme-a"], "r": [], "p": [clearance]},
                    token=acme.token("admin"))
    assert error_codes(sub["data"]["setSecondFactorPolicy"]) == [
        "SECOND_FACTOR_POLICY_GROUP_ONLY"]
    ok = await gql(POLICY, {"t": acme.ids["acme"], "r": [], "p": [clearance]},
                   token=acme.token("admin"))
    assert ok["data"]["setSecondFactorPolicy"]["policy"]["permissions"] == [clearance]
    assert (await _login(gql, "boss@acme.example"))["enrolSecondFactor"] is True
    assert (await _login(gql))["token"]  # an IP manager is cleared up to confidential


async def test_an_admin_resets_a_members_factors_within_the_ceiling_and_the_group(gql,
                                                                                   platform):
    acme = await make_group(platform, "acme")
    globex = await make_group(platform, "globex")
    member = await user_with_password(platform, "pat@acme.example", acme.ids["acme-a"])
    await _enrol_totp(gql, await _token(gql))
    # another group's administrator cannot reach an acme member
    foreign = await gql(RESET, {"t": globex.ids["globex"], "u": member},
                        token=globex.token("admin"))
    assert error_codes(foreign["data"]["resetMemberSecondFactors"]) == ["MEMBER_NOT_FOUND"]
    crossed = await gql(RESET, {"t": acme.ids["acme-a"], "u": member},
                        token=globex.token("admin"))
    assert crossed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # a subsidiary's administrator cannot reset a director of the group who works there too
    director = await user_with_password(platform, "boss@acme.example", acme.ids["acme"],
                                        "group_admin")
    async with platform.db.system_session("test: director in -a") as s:
        from ipgov.identity.service import add_membership

        await add_membership(platform, s, tenant_id=acme.ids["acme-a"], user_id=director,
                             role="viewer", actor="test")
    await platform.authz.refresh()
    above = await gql(RESET, {"t": acme.ids["acme-a"], "u": director},
                      token=acme.token("a-admin"))
    assert error_codes(above["data"]["resetMemberSecondFactors"]) == ["PRIVILEGE_CEILING"]
    done = await gql(RESET, {"t": acme.ids["acme-a"], "u": member}, token=acme.token("a-admin"))
    assert done["data"]["resetMemberSecondFactors"] == {"removed": 1, "errors": []}
    assert (await _login(gql))["token"]  # the password alone again (no policy binds pat)
    assert [d["removed"] for a, d in await audit_actions(platform, acme.ids["acme-a"])
            if a == "user.second_factors_reset"] == [1]


async def test_a_reset_link_does_not_skip_the_second_factor(gql, platform):
    """A reset link proves control of the mailbox, not of the phone: the second step stays."""
    from ipgov.identity.recovery import _new_reset_link

    await user_with_password(platform)
    await _enrol_totp(gql, await _token(gql))
    link, _expires = await _new_reset_link(platform, "pat@acme.example")
    reset = await gql(f"""mutation($k: String!, $p: String!) {{
      resetPassword(token: $k, newPassword: $p) {{ {STEP} }} }}""",
                      {"k": link.split("reset=")[1], "p": "a brand new passphrase 2026"})
    payload = reset["data"]["resetPassword"]
    assert payload["token"] is None and payload["secondFactorTicket"], payload


async def test_a_policy_ends_the_sessions_of_the_unenrolled_at_their_next_refresh(gql, platform):
    """Before: a session opened before the policy kept refreshing until its absolute end."""
    acme = await make_group(platform, "acme")
    await user_with_password(platform, "boss@acme.example", acme.ids["acme"], "group_admin")
    body = await gql("""mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
      token refreshToken } }""", {"e": "boss@acme.example", "p": PASSWORD})
    before = body["data"]["login"]
    await gql(POLICY, {"t": acme.ids["acme"], "r": ["group_admin"], "p": []},
              token=acme.token("admin"))
    refreshed = await gql("""mutation($r: String!) { refreshSession(refreshToken: $r) {
      token errors { code } } }""", {"r": before["refreshToken"]})
    assert refreshed["data"], refreshed
    payload = refreshed["data"]["refreshSession"]
    assert payload["token"] is None
    assert error_codes(payload) == ["SECOND_FACTOR_ENROLMENT_REQUIRED"]
    assert (await gql(MINE, token=before["token"]))["errors"]  # the session's token is revoked
