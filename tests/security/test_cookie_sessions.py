"""The workspace's session in cookies (issue 19 item 4): HttpOnly access and refresh cookies,
a CSRF token bound to the session, refresh by cookie, sign-out clearing them, and WebSocket
sign-in by cookie only from this host's pages. Bearer tokens keep working for APIs."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets

from tests.conftest import make_group
from tests.core.test_live import serving

LOGIN = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
  token refreshToken userId errors { code } } }"""
ME = "{ me { id } }"
COOKIE_MODE = {"x-ipgov-session": "cookie"}
PASSWORD = "correct horse battery staple"


async def _user(platform, email="pat@acme.example") -> str:
    from ipgov.identity.service import create_user

    async with platform.db.system_session("test: user") as s:
        user = await create_user(s, email=email, display_name="Pat", password=PASSWORD)
    return user.id


async def _post(client: httpx.AsyncClient, query: str, variables=None, **headers):
    return await client.post("/graphql", json={"query": query, "variables": variables or {}},
                             headers=headers)


async def _sign_in(client: httpx.AsyncClient, email="pat@acme.example") -> httpx.Response:
    response = await _post(client, LOGIN, {"e": email, "p": PASSWORD}, **COOKIE_MODE)
    assert response.json()["data"]["login"]["errors"] == []
    return response


def _set_cookies(response: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def _csrf(client: httpx.AsyncClient) -> str:
    return client.cookies["ipgov_csrf"]


async def test_a_cookie_sign_in_keeps_the_tokens_out_of_reach_of_scripts(gql, platform):
    user = await _user(platform)
    response = await _sign_in(gql.client)
    login = response.json()["data"]["login"]
    assert login["token"] is None and login["refreshToken"] is None
    assert login["userId"] == user
    cookies = _set_cookies(response)
    for name in ("ipgov_access", "ipgov_refresh"):
        assert "HttpOnly" in cookies[name] and "SameSite=strict" in cookies[name], cookies
    assert "HttpOnly" not in cookies["ipgov_csrf"]  # the page reads it and sends it back
    # without the page's CSRF token the cookie is worth nothing
    refused = await _post(gql.client, ME)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["reason"] == "CSRF_FAILED"
    allowed = await _post(gql.client, ME, **{"x-ipgov-csrf": _csrf(gql.client)})
    assert allowed.json()["data"]["me"]["id"] == user
    # a page of another site cannot send it, even with the token
    cross = await _post(gql.client, ME, **{"x-ipgov-csrf": _csrf(gql.client),
                                           "origin": "https://evil.example"})
    assert cross.json()["errors"][0]["extensions"]["reason"] == "CSRF_FAILED"


async def test_one_sessions_csrf_token_does_not_open_another_session(gql, platform):
    await _user(platform)
    await _user(platform, "sam@acme.example")
    first = httpx.AsyncClient(transport=gql.client._transport, base_url="http://ipgov.test")
    async with first:
        await _sign_in(first)
        await _sign_in(gql.client, "sam@acme.example")
        stolen = await _post(gql.client, ME, **{"x-ipgov-csrf": _csrf(first)})
    assert stolen.json()["errors"][0]["extensions"]["reason"] == "CSRF_FAILED"


async def test_refresh_by_cookie_rotates_and_a_replayed_refresh_cookie_ends_the_session(
        gql, platform):
    await _user(platform)
    await _sign_in(gql.client)
    old_refresh = gql.client.cookies["ipgov_refresh"]
    refresh = "mutation { refreshSession { userId token errors { code } } }"
    renewed = await _post(gql.client, refresh, **COOKIE_MODE,
                          **{"x-ipgov-csrf": _csrf(gql.client)})
    body = renewed.json()["data"]["refreshSession"]
    assert body["errors"] == [] and body["token"] is None
    assert gql.client.cookies["ipgov_refresh"] != old_refresh
    # a copy of the old refresh cookie (no access cookie: it expired, say) is caught
    async with httpx.AsyncClient(transport=gql.client._transport,
                                 base_url="http://ipgov.test") as thief:
        replay = await _post(thief, refresh, **COOKIE_MODE,
                             cookie=f"ipgov_refresh={old_refresh}")
    assert [e["code"] for e in replay.json()["data"]["refreshSession"]["errors"]] == [
        "REFRESH_TOKEN_REUSED"]


async def test_sign_out_clears_the_cookies_and_the_old_access_cookie_is_refused(gql, platform):
    await _user(platform)
    await _sign_in(gql.client)
    access, csrf = gql.client.cookies["ipgov_access"], _csrf(gql.client)
    out = await _post(gql.client, "mutation { signOut { ok } }",
                      **COOKIE_MODE, **{"x-ipgov-csrf": csrf})
    assert out.json()["data"]["signOut"]["ok"] is True
    assert all("Max-Age=0" in c for c in _set_cookies(out).values()), _set_cookies(out)
    again = await _post(gql.client, ME, **{"x-ipgov-csrf": csrf},
                        cookie=f"ipgov_access={access}")
    assert again.json()["errors"][0]["extensions"]["reason"] == "TOKEN_REVOKED"


async def test_bearer_tokens_need_no_csrf_token(gql, platform):
    acme = await make_group(platform, "acme")
    body = await gql(ME, token=acme.token("admin"))
    assert body["data"]["me"]["id"] == acme.users["admin"]


@pytest.mark.parametrize("origin, accepted", [("same", True), ("https://evil.example", False),
                                              (None, False)])
async def test_a_socket_signs_in_by_cookie_only_from_this_hosts_pages(
        gql, platform, origin, accepted):
    await _user(platform)
    await _sign_in(gql.client)
    access = gql.client.cookies["ipgov_access"]
    async with serving(platform) as url:
        host = url.split("/")[2]
        headers = {"cookie": f"ipgov_access={access}"}
        if origin:
            headers["origin"] = f"http://{host}" if origin == "same" else origin
        if origin not in (None, "same"):  # another site's page: refused at the handshake
            with pytest.raises(websockets.InvalidStatus) as refused:
                await websockets.connect(url, subprotocols=["graphql-transport-ws"],
                                         additional_headers=headers)
            assert refused.value.response.status_code == 403
            return
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"],
                                      additional_headers=headers) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            if accepted:
                assert json.loads(await ws.recv())["type"] == "connection_ack"
            else:  # no Origin: not a browser page of ours; the cookie does not count
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await ws.recv()
                assert closed.value.rcvd.code == 4403


async def test_over_https_the_cookies_are_secure_and_host_prefixed(platform):
    from ipgov.web.app import create_app

    await _user(platform)
    app = create_app(platform)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://ipgov.test") as client:
        response = await _sign_in(client)
    cookies = _set_cookies(response)
    assert set(cookies) == {"__Host-ipgov_access", "__Host-ipgov_refresh", "__Host-ipgov_csrf"}
    assert all("Secure" in c and "Path=/" in c for c in cookies.values())
