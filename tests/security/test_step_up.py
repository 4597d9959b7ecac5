"""Step-up before changing second factors (issue 19) over the real app (ASGI, SQLite and
PostgreSQL): a session signed in long ago (a stolen cookie or token, say) can no longer remove
a factor, renew the recovery codes or add a factor; it must confirm it is the person first
(password or a fresh authenticator code), audited, for that session only; a wrong password
or code is refused and audited; a token with no sign-in session cannot be confirmed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.conftest import make_group
from tests.security.identity_support import (
    PASSWORD,
    audit_actions,
    error_codes,
    user_with_password,
)
from tests.security.test_second_factors import (
    BEGIN_PASSKEY,
    BEGIN_TOTP,
    MINE,
    REGENERATE,
    REMOVE,
    VERIFY,
    _code,
    _enrol_totp,
    _login,
    _token,
)

CONFIRM = """mutation($p: String, $c: String) { confirmIdentity(password: $p, code: $c) {
  confirmedAt errors { code message } } }"""
PLATFORM = "00000000-0000-0000-0000-000000000000"


async def _age_sessions(platform, minutes: int) -> None:
    """Every session began ``minutes`` ago (as if the person signed in then)."""
    from ipgov.db.base import utcnow
    from ipgov.identity.models import RefreshToken

    async with platform.db.system_session("test: old sessions") as s:
        await s.execute(update(RefreshToken).values(
            session_started_at=utcnow() - timedelta(minutes=minutes)))


async def _step_up_codes(gql, token: str, factor: str) -> list[list[str]]:
    return [error_codes((await gql(REMOVE, {"f": factor}, token=token))["data"][
                "removeMySecondFactor"]),
            error_codes((await gql(REGENERATE, token=token))["data"]["regenerateRecoveryCodes"]),
            error_codes((await gql(BEGIN_PASSKEY, {}, token=token))["data"][
                "beginPasskeyRegistration"]),
            error_codes((await gql(BEGIN_TOTP, {}, token=token))["data"]["beginTotpEnrolment"])]


async def test_an_old_session_must_confirm_before_changing_second_factors(gql, platform):
    """Before: any session, however old or wherever it was copied to, could remove the
    person's factors and read fresh recovery codes."""
    await user_with_password(platform)
    token = await _token(gql)
    secret, done = await _enrol_totp(gql, token)  # a fresh sign-in may
    factor = done["factor"]["id"]
    step = await _login(gql)  # a second session of the same person, by a recovery code
    second = (await gql(VERIFY, {"t": step["secondFactorTicket"], "r": done["recoveryCodes"][0]})
              )["data"]["verifySecondFactor"]["token"]
    answer = await gql(REGENERATE, token=token)
    assert answer.get("data"), answer
    other = answer["data"]["regenerateRecoveryCodes"]
    assert other["errors"] == [] and len(other["codes"]) == 10 and second
    await _age_sessions(platform, 11)
    assert await _step_up_codes(gql, token, factor) == [["STEP_UP_REQUIRED"]] * 4
    zh = (await gql.post(REMOVE.replace("errors { code }", "errors { code message }"),
                         {"f": factor}, token,
                         headers={"accept-language": "zh-CN"})).json()
    assert "分钟内登录" in zh["data"]["removeMySecondFactor"]["errors"][0]["message"], zh

    wrong = (await gql(CONFIRM, {"p": PASSWORD + "x"}, token=token))["data"]["confirmIdentity"]
    assert error_codes(wrong) == ["STEP_UP_CREDENTIAL_INVALID"] and not wrong["confirmedAt"]
    bad_code = "000000" if _code(secret) != "000000" else "111111"
    wrong_code = (await gql(CONFIRM, {"c": bad_code}, token=token))["data"]["confirmIdentity"]
    assert error_codes(wrong_code) == ["STEP_UP_CREDENTIAL_INVALID"]
    assert error_codes((await gql(CONFIRM, {}, token=token))["data"][
        "confirmIdentity"]) == ["STEP_UP_CREDENTIAL_MISSING"]
    assert await _step_up_codes(gql, token, factor) == [["STEP_UP_REQUIRED"]] * 4

    confirmed = (await gql(CONFIRM, {"p": PASSWORD}, token=token))["data"]["confirmIdentity"]
    assert confirmed["errors"] == [] and confirmed["confirmedAt"], confirmed
    assert error_codes((await gql(REGENERATE, token=second))["data"][
        "regenerateRecoveryCodes"]) == ["STEP_UP_REQUIRED"]  # that session's own, not this
    renewed = (await gql(REGENERATE, token=token))["data"]["regenerateRecoveryCodes"]
    assert renewed["errors"] == [] and len(renewed["codes"]) == 10
    by_code = (await gql(CONFIRM, {"c": _code(secret, 1)}, token=second))["data"]
    assert by_code["confirmIdentity"]["errors"] == [], by_code
    removed = (await gql(REMOVE, {"f": factor}, token=second))["data"]["removeMySecondFactor"]
    assert removed["ok"], removed
    assert (await gql(MINE, token=token))["data"]["mySecondFactors"]["factors"] == []
    actions = [(a, d.get("method")) for a, d in await audit_actions(platform, PLATFORM)]
    for expected in (("user.identity_confirmation_failed", "password"),
                     ("user.identity_confirmation_failed", "totp"),
                     ("user.identity_confirmed", "password"), ("user.identity_confirmed", "totp")):
        assert expected in actions, expected


async def test_a_token_without_a_sign_in_session_cannot_step_up(gql, platform):
    acme = await make_group(platform, "acme")
    token = acme.token("a-viewer")  # minted: no sign-in session behind it
    refused = (await gql(REGENERATE, token=token))["data"]["regenerateRecoveryCodes"]
    assert error_codes(refused) == ["STEP_UP_REQUIRED"]
    confirm = (await gql(CONFIRM, {"p": "anything"}, token=token))["data"]["confirmIdentity"]
    assert error_codes(confirm) == ["STEP_UP_REQUIRED"]
