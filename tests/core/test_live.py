"""GraphQL subscriptions over a real WebSocket (issue 17 item 5): a review's progress and a
user's notifications reach the client without polling; the socket signs in once, carries
subscriptions only, never follows another tenant's objects, and ends a subscription whose
credential is revoked."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
import websockets

from ipgov.live.hub import LiveHub
from tests.conftest import make_group
from tests.security.servers import free_port

PROGRESS = """subscription($t: ID!, $id: ID!) { reviewProgress(tenantId: $t, id: $id) {
  id status checksDone checksTotal statusLabel } }"""
FEED = "subscription { myNotificationFeed { unread added { eventType title tenantId } } }"
REQUEST = """mutation($t: ID!) { requestReview(tenantId: $t) { run { id status }
  errors { code } } }"""
RULE = """mutation($t: ID!, $r: RuleInput!) { saveNotificationRule(tenantId: $t, rule: $r) {
  errors { code field } } }"""


@pytest.fixture
def quick(platform):
    """Subscribers wake within 0.1 s and check their credential again every second."""
    platform.settings = dataclasses.replace(platform.settings, live_poll_seconds=0.1,
                                            live_recheck_seconds=1.0)
    return platform  # reviews and events run in the server's embedded worker threads


@contextlib.asynccontextmanager
async def serving(platform) -> AsyncIterator[str]:
    """The real application on a real port (uvicorn, lifespan and all); yields its ws URL."""
    from ipgov.web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(platform), host="127.0.0.1", port=port,
                                           lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


class Socket:
    """A graphql-transport-ws client over a real WebSocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, timeout: float = 20) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def subscribe(self, query: str, variables: dict | None = None,
                        op: str = "1") -> None:
        await self.send({"type": "subscribe", "id": op,
                         "payload": {"query": query, "variables": variables or {}}})

    async def until_complete(self, op: str = "1") -> list[dict[str, Any]]:
        """Every message of operation ``op`` up to its ``complete`` (or ``error``)."""
        got = []
        while True:
            message = await self.receive()
            assert message.get("id") == op, message
            got.append(message)
            if message["type"] in {"complete", "error"}:
                return got


@contextlib.asynccontextmanager
async def socket(url: str, token: str | None, language: str | None = None,
                 **headers: str) -> AsyncIterator[Socket]:
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"],
                                  additional_headers=headers) as ws:
        client = Socket(ws)
        payload = {"authorization": f"Bearer {token}"} if token else {}
        if language:
            payload["language"] = language
        await client.send({"type": "connection_init", "payload": payload})
        yield client


def _errors(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The errors of an ``error`` message (refused before it ran) or of a ``next`` one."""
    if message["type"] == "error":
        return message["payload"]
    assert message["payload"]["data"] is None, message
    return message["payload"]["errors"]


async def _request_review(gql, group, tenant: str) -> str:
    answer = await gql(REQUEST, {"t": group.ids[tenant]}, token=group.token("admin"))
    return answer["data"]["requestReview"]["run"]["id"]


async def test_a_review_streams_its_progress_until_it_ends(gql, quick):
    acme = await make_group(quick, "acme")
    async with serving(quick) as url, socket(url, acme.token("a-admin")) as ws:
        assert (await ws.receive())["type"] == "connection_ack"
        run = await _request_review(gql, acme, "acme-a")
        await ws.subscribe(PROGRESS, {"t": acme.ids["acme-a"], "id": run})
        first = await ws.receive()
        rest = await ws.until_complete()
    states = [first] + rest[:-1]
    progress = [m["payload"]["data"]["reviewProgress"] for m in states]
    assert rest[-1]["type"] == "complete"
    assert progress[-1]["status"] in {"succeeded", "partial"}
    assert progress[-1]["checksDone"] == progress[-1]["checksTotal"] > 0
    assert [p["checksDone"] for p in progress] == sorted(p["checksDone"] for p in progress)
    assert len({json.dumps(p, sort_keys=True) for p in progress}) == len(progress)  # changes only


async def test_a_socket_signs_in_at_connection_init_or_is_closed(gql, quick):
    acme = await make_group(quick, "acme")
    async with serving(quick) as url:
        for token in (None, "not-a-token", acme.token("a-admin")[:-4] + "AAAA"):
            async with socket(url, token) as ws:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await ws.receive()
                assert closed.value.rcvd.code == 4403
        async with websockets.connect(url, subprotocols=["graphql-ws"]) as legacy:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(legacy.recv(), 10)
            assert closed.value.rcvd.code == 4406  # the legacy protocol is not offered


async def test_the_socket_carries_subscriptions_only_and_http_refuses_them(gql, quick):
    acme = await make_group(quick, "acme")
    operations = (("q", "{ me { id } }"),
                  ("m", 'mutation { login(email: "a@b.c", password: "x") { token } }'))
    async with serving(quick) as url:
        # Chinese asked for by the upgrade's header, or (browsers) in connection_init
        for language, headers in ((None, {"Accept-Language": "zh-CN"}), ("zh-CN", {})):
            async with socket(url, acme.token("a-admin"), language, **headers) as ws:
                await ws.receive()
                for op, query in operations:
                    await ws.subscribe(query, op=op)
                    [error] = await ws.until_complete(op)
                    assert error["type"] == "error"
                    [detail] = error["payload"]
                    assert detail["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
                    assert "WebSocket" in detail["message"] and "订阅" in detail["message"]
    answer = await gql(FEED, token=acme.token("a-admin"))
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["OPERATION_NOT_ALLOWED"]


async def test_nobody_follows_another_tenants_review(gql, quick):
    acme, globex = await make_group(quick, "acme"), await make_group(quick, "globex")
    async with serving(quick) as url, socket(url, acme.token("a-admin")) as ws, \
            socket(url, globex.token("a-admin")) as owner:
        await ws.receive()
        await owner.receive()
        theirs = await _request_review(gql, globex, "globex-a")
        # its owner follows it: what the process reads for her must not reach the others
        await owner.subscribe(PROGRESS, {"t": globex.ids["globex-a"], "id": theirs})
        await owner.receive()
        polls = LiveHub.of(quick).polls
        while LiveHub.of(quick).polls < polls + 2:
            await asyncio.sleep(0.05)
        answers = []
        for op, (tenant, run) in enumerate([(globex.ids["globex-a"], theirs),
                                            (acme.ids["acme-a"], theirs),
                                            (acme.ids["acme-a"], "0" * 8 + theirs[8:])]):
            await ws.subscribe(PROGRESS, {"t": tenant, "id": run}, op=str(op))
            answers.append(await ws.until_complete(str(op)))
    codes = [[e["extensions"]["code"] for e in _errors(m[0])] for m in answers]
    assert codes[0] in (["FORBIDDEN"], ["NOT_FOUND"])  # not theirs to read at all
    assert codes[1] == codes[2] == ["REVIEW_NOT_FOUND"]  # their tenant: as if it did not exist
    assert theirs not in json.dumps(answers[1]).replace(theirs, "", 1)  # only echoed once


async def test_my_feed_announces_what_arrives_and_what_is_read_not_others(gql, quick):
    acme, globex = await make_group(quick, "acme"), await make_group(quick, "globex")
    for group, tenant in ((acme, "acme-a"), (globex, "globex-a")):
        answer = await gql(RULE, {"t": group.ids[tenant],
                                  "r": {"name": "r", "eventTypes": ["review.finished"],
                                        "roles": ["viewer"]}}, token=group.token("a-admin"))
        assert answer["data"]["saveNotificationRule"]["errors"] == []
    async with serving(quick) as url, socket(url, acme.token("a-viewer")) as mine, \
            socket(url, globex.token("a-viewer")) as theirs:
        for ws in (mine, theirs):
            await ws.receive()
            await ws.subscribe(FEED)
            assert (await ws.receive())["payload"]["data"]["myNotificationFeed"] == {
                "unread": 0, "added": []}
        await _request_review(gql, acme, "acme-a")  # runs, finishes, its event is routed
        update = (await mine.receive())["payload"]["data"]["myNotificationFeed"]
        assert update["unread"] == 1
        [item] = update["added"]
        assert item["eventType"] == "review.finished"
        assert item["tenantId"] == acme.ids["acme-a"]
        read = await gql("mutation { markMyNotificationsRead }",
                         token=acme.token("a-viewer"))
        assert "errors" not in read, read
        update = (await mine.receive())["payload"]["data"]["myNotificationFeed"]
        assert update == {"unread": 0, "added": []}
        polls = LiveHub.of(quick).polls
        while LiveHub.of(quick).polls < polls + 3:  # the other group's feed saw every poll
            await asyncio.sleep(0.05)
        with pytest.raises(TimeoutError):
            await theirs.receive(timeout=0.3)


async def test_a_revoked_sign_in_ends_the_subscription(gql, quick):
    acme = await make_group(quick, "acme")
    token = acme.token("a-admin")
    async with serving(quick) as url, socket(url, token) as ws:
        await ws.receive()
        await ws.subscribe(FEED)
        await ws.receive()
        answer = await gql("mutation { signOut { errors { code } } }", token=token)
        assert "errors" not in answer, answer
        ended, complete = await ws.until_complete()  # within IPGOV_LIVE_RECHECK_SECONDS
    assert ended["type"] == "next" and complete["type"] == "complete"
    assert [e["extensions"]["code"] for e in _errors(ended)] == [
        "LIVE_SIGN_IN_EXPIRED"]


async def test_websocket_upgrades_are_charged_to_the_callers_rate_limit(gql, quick):
    quick.settings = dataclasses.replace(quick.settings, rate_limit_anonymous="3/minute")
    async with serving(quick) as url:
        for _ in range(3):
            async with websockets.connect(url, subprotocols=["graphql-transport-ws"]):
                pass
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(url, subprotocols=["graphql-transport-ws"]):
                pass
    assert refused.value.response.status_code == 403
