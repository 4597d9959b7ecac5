"""WeCom, DingTalk and Feishu robots against real local receivers that check, as the chat
services do, the JSON shape and the signature (computed here again from each service's
documented algorithm); error codes in a 200 answer; the reader's language; bounded size."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest

from ipgov.notify.channels.base import Destination, Notice
from ipgov.notify.channels.robots import DingTalkRobot, FeishuRobot, WeComRobot
from tests.core.channel_support import LOCAL_POLICY, answering, receiver

NOTICE = Notice(
    event_id="e-1", type="ip_governance.deadline.approaching", tenant_id="t-1",
    tenant_name="acme", occurred_at=datetime(2026, 11, 3, 8, 0, tzinfo=UTC), severity="high",
    title="Deadline in 30 days: renewal of CN2020123456", lines=[("Due on", "2026-12-03")],
    link="https://ipgov.example.com/t/acme/assets/a-1", payload={"tenant_id": "t-1"})
ZH = dataclasses.replace(NOTICE, title="30 天后到期：CN2020123456 续费",
                         lines=[("截止日期", "2026-12-03")])
SECRET = "SEC0123456789abcdef"


def dingtalk_receiver(secret: str):
    """Answers as DingTalk does: errcode 310000 unless the URL's sign is right and recent."""
    def answer(request):
        q = request.query
        expected = base64.b64encode(hmac.new(
            secret.encode(), f"{q.get('timestamp')}\n{secret}".encode(),
            hashlib.sha256).digest()).decode()
        fresh = abs(int(q.get("timestamp", 0)) / 1000 - time.time()) < 3600
        good = q.get("sign") == expected and fresh and q.get("access_token") == "tok"
        return 200, {}, json.dumps({"errcode": 0 if good else 310000,
                                    "errmsg": "ok" if good else "sign not match"}).encode()
    return answer


def feishu_receiver(secret: str):
    """Answers as Feishu does: code 19021 unless the body's sign is right and recent."""
    def answer(request):
        body = request.json()
        key = f"{body.get('timestamp')}\n{secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        fresh = abs(int(body.get("timestamp", 0)) - time.time()) < 3600
        good = body.get("sign") == expected and fresh
        return 200, {}, json.dumps({"code": 0 if good else 19021, "data": {},
                                    "msg": "success" if good else "sign match fail"}).encode()
    return answer


async def deliver(robot_class, url, notices, *, secrets=(), locale="en"):
    destination = Destination.from_registered(kind=robot_class.kind, target=url,
                                              secrets=secrets)
    return await robot_class(LOCAL_POLICY).deliver(destination, list(notices),
                                                   delivery_id="d-1", locale=locale)


@pytest.mark.parametrize("locale, notice, words", [
    ("en", NOTICE, ["### Deadline in 30 days", "> **Tenant**: acme", "> **Severity**: high",
                    "[Open in ipgov](https://ipgov.example.com/t/acme/assets/a-1)"]),
    ("zh-CN", ZH, ["### 30 天后到期", "> **租户**: acme", "> **严重程度**: 高",
                   "> **截止日期**: 2026-12-03", "[在 ipgov 中打开]("]),
])
async def test_wecom_gets_markdown_with_the_key_in_the_url(locale, notice, words):
    with receiver(answering(200, {"errcode": 0, "errmsg": "ok"})) as chat:
        outcome = await deliver(WeComRobot, chat.url("/cgi-bin/webhook/send?key=k-1"),
                                [notice], locale=locale)
    assert outcome.delivered
    (request,) = chat.requests
    body = request.json()
    assert request.query == {"key": "k-1"} and set(body) == {"msgtype", "markdown"}
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"content"}
    for word in words:
        assert word in body["markdown"]["content"]


async def test_dingtalk_signs_in_the_url_and_the_robot_verifies_it():
    with receiver(dingtalk_receiver(SECRET)) as chat:
        url = chat.url("/robot/send?access_token=tok")
        signed = await deliver(DingTalkRobot, url, [ZH], secrets=[SECRET], locale="zh-CN")
        forged = await deliver(DingTalkRobot, url, [ZH], secrets=["SECwrong"])
    assert signed.delivered
    assert (forged.delivered, forged.retryable, forged.status) == (False, False,
                                                                   "dingtalk_310000")
    body = chat.requests[0].json()
    assert body["msgtype"] == "markdown" and body["markdown"]["title"].startswith("30 天后到期")
    assert "> **租户**: acme" in body["markdown"]["text"]


async def test_feishu_signs_in_the_body_and_posts_rich_text_in_the_readers_language():
    with receiver(feishu_receiver("fs-secret")) as chat:
        url = chat.url("/open-apis/bot/v2/hook/abc")
        signed = await deliver(FeishuRobot, url, [ZH], secrets=["fs-secret"], locale="zh-CN")
        forged = await deliver(FeishuRobot, url, [ZH], secrets=["other"])
    assert signed.delivered and not forged.delivered and forged.status == "feishu_19021"
    body = chat.requests[0].json()
    assert body["msg_type"] == "post" and set(body["content"]["post"]) == {"zh_cn"}
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == ZH.title
    assert [p[0]["text"] for p in post["content"] if "租户" in p[0]["text"]] == ["租户: acme"]
    assert {"tag": "a", "text": "在 ipgov 中打开", "href": NOTICE.link} in post["content"][-1]


@pytest.mark.parametrize("robot, answer, retryable", [
    (WeComRobot, {"errcode": 45009, "errmsg": "api freq out of limit"}, True),
    (WeComRobot, {"errcode": 93000, "errmsg": "invalid webhook url"}, False),
    (DingTalkRobot, {"errcode": 130101, "errmsg": "send too fast"}, True),
    (DingTalkRobot, {"errcode": 300001, "errmsg": "token is not exist"}, False),
    (FeishuRobot, {"code": 11232, "msg": "frequency limited"}, True),
    (FeishuRobot, {"code": 19024, "msg": "Key Words Not Found"}, False),
])
async def test_an_error_code_in_a_200_answer_is_a_failure(robot, answer, retryable):
    with receiver(answering(200, answer)) as chat:
        outcome = await deliver(robot, chat.url("/hook/x?key=k&access_token=t"), [NOTICE])
    assert not outcome.delivered and outcome.retryable is retryable
    assert str(answer.get("errcode", answer.get("code"))) in outcome.status


@pytest.mark.parametrize("robot", [WeComRobot, DingTalkRobot, FeishuRobot])
async def test_an_unreadable_answer_or_a_server_error_is_retried(robot):
    with (receiver(answering(200, b"<html>gateway</html>")) as html,
          receiver(answering(502, b"")) as down):
        garbled = await deliver(robot, html.url("/hook/x?key=k"), [NOTICE])
        failed = await deliver(robot, down.url("/hook/x?key=k"), [NOTICE])
    assert (garbled.delivered, garbled.retryable) == (False, True)
    assert (failed.delivered, failed.retryable) == (False, True)


async def test_a_long_digest_is_cut_within_the_limit_with_a_link_to_the_rest():
    notices = [dataclasses.replace(ZH, event_id=f"e-{i}", title=f"{'很长的标题' * 20} {i}",
                                   link=f"https://ipgov.example.com/t/acme/assets/a-{i}")
               for i in range(60)]
    with receiver(answering(200, {"errcode": 0})) as chat:
        assert (await deliver(WeComRobot, chat.url("/send?key=k"), notices,
                              locale="zh-CN")).delivered
    content = chat.requests[0].json()["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.startswith("### ipgov 的 60 条通知") and "**acme**" in content
    last = content.splitlines()[-1]
    assert last.startswith("[……另有 ") and last.endswith("(https://ipgov.example.com/)")


async def test_a_long_notice_is_shortened_with_its_own_link():
    notice = dataclasses.replace(ZH, lines=[(f"字段{i}", "很长的值" * 75) for i in range(12)])
    with receiver(answering(200, {"code": 0})) as chat:
        assert (await deliver(FeishuRobot, chat.url("/hook/x"), [notice])).delivered
    raw = chat.requests[0].body
    assert len(raw) <= 4200  # the post's JSON within the bound (plus signature fields)
    last = json.loads(raw)["content"]["post"]["en_us"]["content"][-1]
    assert last == [{"tag": "a", "text": "… (shortened: open ipgov for the rest)",
                     "href": NOTICE.link}]


async def test_payload_text_cannot_inject_markdown_links_or_mentions():
    hostile = dataclasses.replace(NOTICE, title="[win](https://evil.example) <@all> ## x",
                                  lines=[("Name", "**bold**\n# heading")])
    with receiver(answering(200, {"errcode": 0})) as chat:
        await deliver(WeComRobot, chat.url("/send?key=k"), [hostile])
    content = chat.requests[0].json()["markdown"]["content"]
    assert "[win](https://evil.example)" not in content and "<@all>" not in content
    assert r"\[win\]\(https://evil.example\)" in content
    assert "\n# heading" not in content and r"\*\*bold\*\*" in content
