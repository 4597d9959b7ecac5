"""Sign-in throttling over real HTTP (the app over ASGI, SQLite and PostgreSQL).

Issue 22 item 7 (parallel guesses are all evaluated), item 8 (one request, many argon2 checks),
item 11 (an existing address locks, an unknown one never does) and issue 15 item 4 (five wrong
passwords lock the account for everyone). The two-process variants are in
``tests/e2e/test_identity_processes.py``.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from ipgov.settings import Settings
from ipgov.tenancy.models import PLATFORM_TENANT_ID
from tests.security.identity_support import (
    LOGIN,
    PASSWORD,
    REFRESH,
    audit_actions,
    client_at,
    error_codes,
    sign_in,
    user_with_password,
)

ATTACKER, OWNER = "198.51.100.66", "203.0.113.10"
WRONG = "not the password at all"
# the fields login had before sessions, so that these tests fail on the old code by behaviour
GUESS = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
  token errors { code } } }"""


@pytest.fixture
async def app(platform):
    from ipgov.web.app import create_app

    return create_app(platform)


async def _failures(platform) -> list[int]:
    from ipgov.identity.models import LoginThrottle

    async with platform.db.system_session("test: throttles") as s:
        return sorted(r.failures for r in (await s.execute(select(LoginThrottle))).scalars())


async def test_forty_parallel_guesses_verify_only_the_free_attempts(platform, app):
    """Before: every parallel attempt read the counter before any wrote it (all evaluated)."""
    await user_with_password(platform)
    async with client_at(app, ATTACKER) as attacker:
        bodies = await asyncio.gather(*[
            attacker(GUESS, {"e": "pat@acme.example", "p": f"{WRONG} {i}"}) for i in range(40)])
    assert all(b.get("data") for b in bodies), [b for b in bodies if not b.get("data")][:2]
    results = [error_codes(b["data"]["login"]) for b in bodies]
    assert results.count(["BAD_CREDENTIALS"]) == 5, results
    assert results.count(["LOGIN_THROTTLED"]) == 35, results
    assert await _failures(platform) == [5]  # counted atomically, refused attempts not at all


async def test_the_right_password_after_the_free_attempts_waits(platform, app):
    await user_with_password(platform)
    async with client_at(app, ATTACKER) as attacker:
        await asyncio.gather(*[attacker(GUESS, {"e": "pat@acme.example", "p": WRONG})
                               for _ in range(19)])
        late = (await attacker(GUESS, {"e": "pat@acme.example", "p": PASSWORD}))["data"]["login"]
    assert late["token"] is None and error_codes(late) == ["LOGIN_THROTTLED"]


async def test_the_owner_elsewhere_is_never_locked_out(platform, app):
    """Before: five wrong passwords from anywhere locked the account for everyone."""
    await user_with_password(platform)
    async with client_at(app, ATTACKER) as attacker, client_at(app, OWNER) as owner:
        for _ in range(8):
            await attacker(GUESS, {"e": "pat@acme.example", "p": WRONG})
        refused = (await attacker(GUESS, {"e": "pat@acme.example", "p": PASSWORD}))
        assert error_codes(refused["data"]["login"]) == ["LOGIN_THROTTLED"]
        ok = await owner(GUESS, {"e": "pat@acme.example", "p": PASSWORD})
        assert ok["data"]["login"]["token"], ok


@pytest.mark.parametrize("language, words", [("en", "try again in"), ("zh-CN", "秒后重试")])
async def test_the_error_says_for_how_long_in_the_readers_language(platform, app, language,
                                                                   words):
    await user_with_password(platform)
    async with client_at(app, ATTACKER) as attacker:
        for _ in range(5):
            await attacker(LOGIN, {"e": "pat@acme.example", "p": WRONG})
        response = await attacker.post(LOGIN, {"e": "pat@acme.example", "p": WRONG},
                                       headers={"accept-language": language})
    payload = response.json()["data"]["login"]
    seconds = payload["retryAfter"]
    assert error_codes(payload) == ["LOGIN_THROTTLED"] and 0 < seconds <= 30
    message = payload["errors"][0]["message"]
    assert words in message and str(seconds) in message, message


async def test_throttling_is_audited(platform, app):
    user_id = await user_with_password(platform)
    async with client_at(app, ATTACKER) as attacker:
        for _ in range(6):
            await attacker(LOGIN, {"e": "pat@acme.example", "p": WRONG})
    events = [d for a, d in await audit_actions(platform, PLATFORM_TENANT_ID)
              if a == "user.sign_in_throttled"]
    assert len(events) == 1  # the 5th failure set a delay; the 6th attempt was refused unread
    assert events[0]["client"] == ATTACKER and events[0]["failures"] == 5
    assert events[0]["seconds"] == 30
    async with platform.db.system_session("t") as s:
        from ipgov.audit.models import AuditEvent

        row = (await s.execute(select(AuditEvent).where(
            AuditEvent.action == "user.sign_in_throttled"))).scalar_one()
        assert row.object_id == user_id


async def _attempts(client, address: str, count: int) -> list[list[str]]:
    return [error_codes((await client(GUESS, {"e": address, "p": WRONG}))["data"]["login"])
            for _ in range(count)]


async def test_unknown_passwordless_and_disabled_accounts_answer_like_a_real_one(platform, app):
    """Before: an existing address locked after five failures, an unknown one never did."""
    from sqlalchemy import update

    from ipgov.identity.models import User
    from ipgov.identity.service import create_user

    await user_with_password(platform)
    disabled = await user_with_password(platform, "gone@acme.example")
    async with platform.db.system_session("t") as s:
        await create_user(s, email="invited@acme.example", display_name="No password")
        await s.execute(update(User).where(User.id == disabled).values(active=False))
    answers = {}
    for i, address in enumerate(("pat@acme.example", "nobody@acme.example",
                                 "invited@acme.example", "gone@acme.example")):
        async with client_at(app, f"198.51.100.{i + 1}") as client:
            answers[address] = await _attempts(client, address, 7)
    assert answers["pat@acme.example"] == [["BAD_CREDENTIALS"]] * 5 + [["LOGIN_THROTTLED"]] * 2
    for address, answer in answers.items():
        assert answer == answers["pat@acme.example"], address


async def test_delays_grow_and_the_next_attempt_is_verified_when_they_pass(settings):
    import dataclasses

    from ipgov.identity.throttle import delay_seconds

    grow = dataclasses.replace(settings, login_free_attempts=3, login_delay_seconds=10,
                               login_max_delay_seconds=60)
    assert [delay_seconds(grow, n) for n in range(1, 9)] == [0, 0, 10, 20, 40, 60, 60, 60]
    assert delay_seconds(Settings(), 5) == 30 and delay_seconds(Settings(), 40) == 900


@pytest.mark.settings(login_delay_seconds=1)
async def test_after_the_delay_one_more_attempt_is_verified_then_a_longer_wait(platform, app):
    await user_with_password(platform)
    async with client_at(app, ATTACKER) as attacker:
        for _ in range(5):
            await attacker(LOGIN, {"e": "pat@acme.example", "p": WRONG})
        await asyncio.sleep(1.2)
        sixth = (await attacker(LOGIN, {"e": "pat@acme.example", "p": WRONG}))["data"]["login"]
        assert error_codes(sixth) == ["BAD_CREDENTIALS"] and sixth["retryAfter"] == 2
        refused = (await attacker(LOGIN, {"e": "pat@acme.example", "p": PASSWORD}))
        assert error_codes(refused["data"]["login"]) == ["LOGIN_THROTTLED"]
        await asyncio.sleep(2.2)
        assert (await sign_in(attacker))["token"]  # a success forgets the failures
    assert await _failures(platform) == []


async def test_a_known_session_signs_in_while_the_password_is_throttled(platform, app):
    """The owner behind the attacker's address keeps working with a refresh token."""
    await user_with_password(platform)
    async with client_at(app, ATTACKER) as shared:
        session = await sign_in(shared)
        for _ in range(6):
            await shared(LOGIN, {"e": "pat@acme.example", "p": WRONG})
        refreshed = (await shared(REFRESH, {"r": session["refreshToken"]}))["data"]
        assert refreshed["refreshSession"]["token"], refreshed


# ---------------------------------------------------------------- credential checks per request


def _aliased_logins(n: int) -> str:
    fields = " ".join(f'l{i}: login(email: "pat@acme.example", password: "{WRONG} {i}") '
                      "{ token }" for i in range(n))
    return f"mutation {{ {fields} }}"


@pytest.mark.settings(rate_limit_anonymous="")
async def test_an_operation_checks_one_credential(platform, app, sql):
    """Before: 30 aliased logins (or spread through fragments) were 30 argon2 checks."""
    await user_with_password(platform)
    fragment = ('mutation { ...A ...B } fragment A on Mutation { a: login(email: "x@y.example", '
                'password: "p") { token } } fragment B on Mutation { b: refreshSession('
                'refreshToken: "r") { token } }')
    async with client_at(app, ATTACKER) as client:
        for document in (_aliased_logins(30), fragment):
            sql.reset()
            body = (await client.post(document)).json()
            assert body["data"] is None
            assert [e["extensions"]["code"] for e in body["errors"]] == ["CREDENTIAL_CHECK_LIMIT"]
            assert sql.count == 0, sql.statements  # refused before anything ran
    assert await _failures(platform) == []


@pytest.mark.settings(rate_limit_anonymous="")
async def test_a_batch_checks_one_credential(platform, app):
    await user_with_password(platform)
    one = {"query": GUESS, "variables": {"e": "pat@acme.example", "p": WRONG}}
    async with client_at(app, ATTACKER) as client:
        response = await client.client.post("/graphql", json=[one, one, one])
        assert response.status_code == 200, response.text
    results = [error_codes(item["data"]["login"]) for item in response.json()]
    assert sorted(results) == [["BAD_CREDENTIALS"]] + [["CREDENTIAL_CHECK_LIMIT"]] * 2
    assert await _failures(platform) == [1]


@pytest.mark.settings(rate_limit_anonymous="6/minute")
async def test_each_credential_check_is_charged_to_the_rate_limit(platform, app):
    """Before: a sign-in cost one request, however many passwords it checked."""
    await user_with_password(platform)
    async with client_at(app, OWNER) as client:
        for _ in range(3):  # each: one request and one credential check
            response = await client.post(GUESS, {"e": "pat@acme.example", "p": PASSWORD})
            assert response.status_code == 200 and response.json()["data"]["login"]["token"]
        limited = await client.post(GUESS, {"e": "pat@acme.example", "p": PASSWORD})
    assert limited.status_code == 429
