"""Sessions over real HTTP: refresh rotation and reuse, sign-out, revocation followed by a
second platform, password change and reset (real SMTP server), download links excluded.

Issue 15 item 13 (no logout, no revocation, no refresh, no password change or reset) and issue
22 item 10 (revocation per process, loaded only at start).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time

import pytest
from sqlalchemy import select

from ipgov.tenancy.models import PLATFORM_TENANT_ID
from tests.security.identity_support import (
    LOGIN,
    ME,
    NEW_PASSWORD,
    PASSWORD,
    REFRESH,
    SESSION,
    SIGN_OUT,
    audit_actions,
    body_text,
    client_at,
    error_codes,
    sign_in,
    smtp_server,
    user_with_password,
)

HERE = "203.0.113.20"
CHANGE = """mutation($c: String!, $n: String!) { changePassword(currentPassword: $c,
  newPassword: $n) { token retryAfter errors { code field } } }"""
REQUEST_RESET = """mutation($e: String!) { requestPasswordReset(email: $e) {
  ok errors { code } } }"""
RESET = f"""mutation($t: String!, $n: String!) {{ resetPassword(token: $t, newPassword: $n) {{
  {SESSION} }} }}"""


@pytest.fixture
async def app(platform):
    from ipgov.web.app import create_app

    return create_app(platform)


async def _me_status(client, token: str) -> tuple[int, str | None]:
    response = await client.post(ME, token=token)
    errors = response.json().get("errors") or [{}]
    return response.status_code, (errors[0].get("extensions") or {}).get("reason")


async def test_refresh_rotates_and_a_reused_token_ends_the_session(platform, app):
    user_id = await user_with_password(platform)
    async with client_at(app, HERE) as client:
        first = await sign_in(client)
        second = (await client(REFRESH, {"r": first["refreshToken"]}))["data"]["refreshSession"]
        assert second["token"] and second["refreshToken"] != first["refreshToken"]
        assert await _me_status(client, second["token"]) == (200, None)

        reused = (await client(REFRESH, {"r": first["refreshToken"]}))["data"]["refreshSession"]
        assert error_codes(reused) == ["REFRESH_TOKEN_REUSED"] and reused["token"] is None
        after = (await client(REFRESH, {"r": second["refreshToken"]}))["data"]["refreshSession"]
        assert error_codes(after) == ["REFRESH_TOKEN_INVALID"]
        assert await _me_status(client, second["token"]) == (401, "TOKEN_REVOKED")
        assert await _me_status(client, first["token"]) == (401, "TOKEN_REVOKED")
        junk = (await client(REFRESH, {"r": "x" * 5000}))["data"]["refreshSession"]
        assert error_codes(junk) == ["REFRESH_TOKEN_INVALID"]
    actions = [(a, d.get("session")) for a, d in await audit_actions(platform, PLATFORM_TENANT_ID)]
    assert ("user.session_reuse_detected", second_session(first)) in actions
    assert ("user.signed_in", second_session(first)) in actions
    assert user_id


def second_session(payload: dict) -> str:
    """The session id (``sid``) of an access token."""
    import jwt

    return jwt.decode(payload["token"], options={"verify_signature": False})["sid"]


async def test_concurrent_refreshes_of_one_token_issue_one_pair(platform, app):
    await user_with_password(platform)
    async with client_at(app, HERE) as client:
        first = await sign_in(client)
        bodies = await asyncio.gather(*[client(REFRESH, {"r": first["refreshToken"]})
                                        for _ in range(6)])
        issued = [b["data"]["refreshSession"] for b in bodies
                  if b["data"]["refreshSession"]["token"]]
        codes = sorted(c for b in bodies for c in error_codes(b["data"]["refreshSession"]))
        assert len(issued) == 1 and "REFRESH_TOKEN_REUSED" in codes, codes
        assert set(codes) <= {"REFRESH_TOKEN_REUSED", "REFRESH_TOKEN_INVALID"}
        # a copy was presented: the pair issued in the race dies with its session
        assert (await _me_status(client, issued[0]["token"]))[0] == 401


async def test_sign_out_revokes_this_session_and_everywhere_all(platform, app):
    await user_with_password(platform)
    async with client_at(app, HERE) as client:
        laptop, phone = await sign_in(client), await sign_in(client)
        assert (await client(SIGN_OUT, {"all": False}, token=laptop["token"])
                )["data"]["signOut"]["ok"]
        assert await _me_status(client, laptop["token"]) == (401, "TOKEN_REVOKED")
        gone = (await client(REFRESH, {"r": laptop["refreshToken"]}))["data"]["refreshSession"]
        assert error_codes(gone) == ["REFRESH_TOKEN_INVALID"]
        assert await _me_status(client, phone["token"]) == (200, None)

        tablet = await sign_in(client)
        assert (await client(SIGN_OUT, {"all": True}, token=phone["token"])
                )["data"]["signOut"]["ok"]
        for session in (phone, tablet):
            assert (await _me_status(client, session["token"]))[0] == 401
            refused = (await client(REFRESH, {"r": session["refreshToken"]}))
            assert error_codes(refused["data"]["refreshSession"]) == ["REFRESH_TOKEN_INVALID"]
    actions = [a for a, _d in await audit_actions(platform, PLATFORM_TENANT_ID)]
    assert actions.count("user.signed_out") == 2


async def test_a_revocation_reaches_another_platform_within_the_poll_bound(platform, settings):
    """Before: each process loaded revocations once at start; the other kept accepting."""
    from ipgov.identity.revocations import RevocationFollower
    from ipgov.startup import build_platform
    from ipgov.web.app import create_app

    other = build_platform(settings)  # a second API process on the same database and keys
    await other.authz.load()
    follower = RevocationFollower.of(other)
    await follower.start()
    try:
        await user_with_password(platform)
        async with client_at(create_app(platform), HERE) as a, \
                client_at(create_app(other), HERE) as b:
            session = await sign_in(a)
            assert await _me_status(b, session["token"]) == (200, None)
            await a(SIGN_OUT, {"all": False}, token=session["token"])
            started = time.monotonic()
            while await _me_status(b, session["token"]) != (401, "TOKEN_REVOKED"):
                assert time.monotonic() - started < 5, "the other platform still accepts it"
                await asyncio.sleep(0.01)
        print(f"revocation followed in {time.monotonic() - started:.3f} s "
              f"(poll every {settings.policy_poll_seconds} s)")
        assert session["token"] and follower.seq > 0
    finally:
        await follower.stop()
        await other.close()


async def test_change_password_needs_the_current_one_and_ends_other_sessions(platform, app):
    await user_with_password(platform)
    async with client_at(app, HERE) as client:
        here, there = await sign_in(client), await sign_in(client)
        wrong = (await client(CHANGE, {"c": "not it at all", "n": NEW_PASSWORD},
                              token=here["token"]))["data"]["changePassword"]
        assert wrong["errors"] == [{"code": "BAD_CREDENTIALS", "field": "currentPassword"}]
        weak = (await client(CHANGE, {"c": PASSWORD, "n": "short"}, token=here["token"])
                )["data"]["changePassword"]
        assert weak["errors"] == [{"code": "PASSWORD_POLICY", "field": "newPassword"}]
        done = (await client(CHANGE, {"c": PASSWORD, "n": NEW_PASSWORD}, token=here["token"])
                )["data"]["changePassword"]
        assert done["errors"] == [] and done["token"]
        assert await _me_status(client, done["token"]) == (200, None)
        assert await _me_status(client, here["token"]) == (401, "TOKEN_REVOKED")  # old generation
        assert (await _me_status(client, there["token"]))[0] == 401
        other = (await client(REFRESH, {"r": there["refreshToken"]}))["data"]["refreshSession"]
        assert error_codes(other) == ["REFRESH_TOKEN_INVALID"]
        mine = (await client(REFRESH, {"r": here["refreshToken"]}))["data"]["refreshSession"]
        assert mine["token"]  # this session goes on
        old = (await client(LOGIN, {"e": "pat@acme.example", "p": PASSWORD}))["data"]["login"]
        assert error_codes(old) == ["BAD_CREDENTIALS"]
        assert (await sign_in(client, password=NEW_PASSWORD))["token"]
    actions = [a for a, _d in await audit_actions(platform, PLATFORM_TENANT_ID)]
    assert "user.password_changed" in actions


async def test_reset_without_a_mail_server_says_so(platform, app):
    async with client_at(app, HERE) as client:
        body = await client(REQUEST_RESET, {"e": "pat@acme.example"})
    assert error_codes(body["data"]["requestPasswordReset"]) == ["RESET_UNAVAILABLE"]


def _link_token(text: str, kind: str) -> str:
    match = re.search(rf"/account/#{kind}=([A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


async def test_password_reset_by_mail_lifts_the_throttle_and_ends_every_session(platform, app):
    from ipgov.identity.models import LoginThrottle

    await user_with_password(platform)
    async with smtp_server() as mailbox, client_at(app, HERE) as owner, \
            client_at(app, "198.51.100.9") as attacker:
        platform.settings = dataclasses.replace(platform.settings, smtp_url=mailbox.url,
                                                public_url="https://ipgov.example")
        old = await sign_in(owner)
        for _ in range(6):
            await attacker(LOGIN, {"e": "pat@acme.example", "p": "a wrong guess"})
        for address in ("pat@acme.example", "nobody@acme.example"):
            asked = await owner(REQUEST_RESET, {"e": address})
            assert asked["data"]["requestPasswordReset"] == {"ok": True, "errors": []}
        [message] = await mailbox.wait(1)
        await asyncio.sleep(0.5)
        assert len(mailbox.messages) == 1 and message["To"] == "pat@acme.example"
        text = body_text(message)
        assert "https://ipgov.example/account/#reset=" in text and "重置" in text
        token = _link_token(text, "reset")

        weak = (await owner(RESET, {"t": token, "n": "short"}))["data"]["resetPassword"]
        assert error_codes(weak) == ["PASSWORD_POLICY"]  # the link is not spent by a mistake
        done = (await owner(RESET, {"t": token, "n": NEW_PASSWORD}))["data"]["resetPassword"]
        assert done["token"] and done["refreshToken"]
        again = (await owner(RESET, {"t": token, "n": NEW_PASSWORD}))["data"]["resetPassword"]
        assert error_codes(again) == ["RESET_LINK_INVALID"]
        assert (await _me_status(owner, old["token"]))[0] == 401
        assert (await sign_in(attacker, password=NEW_PASSWORD))["token"]  # throttle lifted
    async with platform.db.system_session("t") as s:
        assert not (await s.execute(select(LoginThrottle))).scalars().all()
    actions = [a for a, _d in await audit_actions(platform, PLATFORM_TENANT_ID)]
    assert {"user.password_reset_requested", "user.password_reset"} <= set(actions)


@pytest.mark.settings(password_reset_ttl_seconds=1)
async def test_a_reset_link_expires(platform, app):
    from ipgov.identity.recovery import _new_reset_link

    await user_with_password(platform)
    link, _expires = await _new_reset_link(platform, "pat@acme.example")
    await asyncio.sleep(1.2)
    async with client_at(app, HERE) as client:
        body = await client(RESET, {"t": _link_token(link, "reset"), "n": NEW_PASSWORD})
    assert error_codes(body["data"]["resetPassword"]) == ["RESET_LINK_INVALID"]


async def test_expired_revocations_leave_memory_and_the_table(platform):
    """The revocation list stays bounded: what has expired is refused as expired anyway."""
    from datetime import timedelta

    from ipgov.db.base import utcnow
    from ipgov.identity.models import RevokedToken
    from ipgov.identity.revocations import RevocationFollower, purge_expired
    from ipgov.identity.service import revoke_token

    follower = RevocationFollower.of(platform)
    await revoke_token(platform, "expired-long-ago", utcnow() - timedelta(days=2))
    await revoke_token(platform, "still-valid", utcnow() + timedelta(hours=1))
    assert await follower.refresh() == 2 and follower.seq == 2
    assert {"expired-long-ago", "still-valid"} <= platform.tokens.revoked
    assert follower.forget_expired() == 1
    assert "expired-long-ago" not in platform.tokens.revoked
    await purge_expired(platform)
    async with platform.db.system_session("t") as s:
        left = (await s.execute(select(RevokedToken.jti))).scalars().all()
    assert left == ["still-valid"]
    fresh = RevocationFollower(platform)  # a process starting now
    platform.tokens.revoked.clear()
    assert await fresh.load() == 1 and fresh.seq == 2
