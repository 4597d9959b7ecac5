"""Group-chat robots: WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书) custom robots.

Each robot is a webhook URL of the chat service with a message format and a signature of its
own (from the services' documentation):

- WeCom: ``{"msgtype": "markdown", "markdown": {"content": ...}}``, at most 4096 bytes; the
  URL's ``key`` is the credential, there is no signature.
- DingTalk: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``; with 加签 the URL gets
  ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(key=secret, msg="<timestamp>\\n<secret>")).
- Feishu: a rich-text ``post`` in the reader's language; with 签名校验 the body carries
  ``timestamp`` (s) and ``sign`` = base64(HMAC-SHA256(key="<timestamp>\\n<secret>", msg="")).

All three answer HTTP 200 with an error code in the body (``errcode``; Feishu ``code``): a
non-zero code is a failure, retried only when it says "too fast" or "busy".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from .base import Destination, Notice, Outcome, outcome_of_status
from .compose import Block, digest_blocks, fit, notice_blocks
from .outbound import OutboundError, OutboundPolicy, post

__all__ = ["DingTalkRobot", "FeishuRobot", "WeComRobot", "dingtalk_sign", "feishu_sign",
           "markdown"]

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#~|!])")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` (before URL encoding) for a request made at ``timestamp_ms``."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's ``sign`` for a request made at ``timestamp_s`` (the key is what is signed)."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _plain(value: str) -> str:
    """Text from a payload made inert in markdown (no links, mentions, headings or tags)."""
    flat = " ".join(value.split())
    return MARKDOWN_SPECIAL.sub(r"\\\1", flat).replace("<", "＜").replace(">", "＞")


def _href(url: str) -> str:
    """A link target that cannot end the markdown link early (spaces, brackets encoded)."""
    return quote(url, safe=":/?&=#%~.-_+@,;!$'*")


def markdown(blocks: Sequence[Block]) -> str:
    """The blocks as the markdown WeCom and DingTalk render."""
    out = []
    for b in blocks:
        if b.kind == "heading":
            out.append(f"### {_plain(b.text)}")
        elif b.kind == "line":
            out.append(f"> **{_plain(b.text)}**: {_plain(b.value)}")
        elif b.kind == "group":
            out.append(f"**{_plain(b.text)}**" + (f" ({b.value})" if b.value else ""))
        else:
            bullet = "- " if b.kind == "item" else ""
            shown = f"[{_plain(b.text)}]({_href(b.href)})" if b.href else _plain(b.text)
            out.append(bullet + shown)
    return "\n".join(out)


def _blocks(notices: Sequence[Notice], locale: str) -> list[Block]:
    return notice_blocks(notices[0], locale) if len(notices) == 1 \
        else digest_blocks(notices, locale)


class _Robot:
    """What the three robots share: compose, sign, post, read the answer's code."""

    kind = ""
    limit = 4000  # bytes of message text
    code_field = "errcode"
    retryable_codes: frozenset[int] = frozenset()

    def __init__(self, policy: OutboundPolicy, clock: Callable[[], float] = time.time) -> None:
        self.policy, self.clock = policy, clock

    def message(self, blocks: Sequence[Block], locale: str) -> dict[str, Any]:
        """The JSON message of these blocks."""
        raise NotImplementedError

    def size(self, blocks: Sequence[Block]) -> int:
        """How many bytes of the robot's limit the blocks use."""
        return len(markdown(blocks).encode("utf-8"))

    def signed(self, destination: Destination, body: dict[str, Any], now: float
               ) -> tuple[str, dict[str, Any]]:
        """The URL and body to post (unsigned unless a robot says otherwise)."""
        return destination.target, body

    async def deliver(self, destination: Destination, notices: Sequence[Notice], *,
                      delivery_id: str, locale: str) -> Outcome:
        """Post the notices to the robot; ``delivery_id`` is not sent (robots keep none)."""
        blocks = fit(_blocks(notices, locale), self.size, self.limit, notices, locale)
        url, body = self.signed(destination, self.message(blocks, locale), self.clock())
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            reply = await post(url, content=content, policy=self.policy,
                               headers={"Content-Type": "application/json; charset=utf-8"})
        except OutboundError as exc:
            return Outcome.from_error(exc)
        if not 200 <= reply.status < 300:
            return outcome_of_status(reply.status, reply.headers.get("retry-after", ""))
        return self.answer(reply.body)

    def answer(self, body: bytes) -> Outcome:
        """The outcome the robot's JSON answer says (code 0: delivered)."""
        try:
            data = json.loads(body)
            code = int(data.get(self.code_field, data.get("StatusCode", -1)))
        except (ValueError, TypeError, AttributeError):
            return Outcome.failed("unexpected_answer", "the robot's answer is not its JSON",
                                  retryable=True)
        if code == 0:
            return Outcome.sent(detail=f"{self.kind} accepted")
        said = str(data.get("errmsg") or data.get("msg") or "")[:200]
        return Outcome.failed(f"{self.kind}_{code}", f"{self.kind} error {code}: {said}",
                              retryable=code in self.retryable_codes)


class WeComRobot(_Robot):
    """WeCom group robot: markdown, the key in the URL; 45009 = too many messages a minute."""

    kind = "wecom"
    limit = 4096
    retryable_codes = frozenset({-1, 45009, 45033})

    def message(self, blocks: Sequence[Block], locale: str) -> dict[str, Any]:
        """``{"msgtype": "markdown", "markdown": {"content": ...}}``."""
        return {"msgtype": "markdown", "markdown": {"content": markdown(blocks)}}


class DingTalkRobot(_Robot):
    """DingTalk custom robot: markdown, signed in the URL; 130101/410100 = sent too fast."""

    kind = "dingtalk"
    limit = 5000
    retryable_codes = frozenset({-1, 130101, 410100, 90030})

    def message(self, blocks: Sequence[Block], locale: str) -> dict[str, Any]:
        """``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``."""
        return {"msgtype": "markdown",
                "markdown": {"title": blocks[0].text[:64], "text": markdown(blocks)}}

    def signed(self, destination: Destination, body: dict[str, Any], now: float
               ) -> tuple[str, dict[str, Any]]:
        """The URL with ``timestamp`` and ``sign`` when the robot has a secret."""
        if not destination.secrets:
            return destination.target, body
        stamp = int(now * 1000)
        query = urlencode({"timestamp": stamp, "sign": dingtalk_sign(destination.secrets[0],
                                                                     stamp)})
        joiner = "&" if "?" in destination.target else "?"
        return f"{destination.target}{joiner}{query}", body


class FeishuRobot(_Robot):
    """Feishu custom bot: a rich-text post, signed in the body; 11232/230020 = rate limits."""

    kind = "feishu"
    code_field = "code"
    retryable_codes = frozenset({11232, 230020})

    def message(self, blocks: Sequence[Block], locale: str) -> dict[str, Any]:
        """``{"msg_type": "post", "content": {"post": {"zh_cn"|"en_us": {title, content}}}}``."""
        language = "zh_cn" if locale.lower().startswith("zh") else "en_us"
        paragraphs = [_paragraph(b) for b in blocks[1:]]
        return {"msg_type": "post", "content": {"post": {language: {
            "title": blocks[0].text, "content": paragraphs}}}}

    def size(self, blocks: Sequence[Block]) -> int:
        """Bytes of the post's JSON."""
        return len(json.dumps(self.message(blocks, "en"), ensure_ascii=False).encode())

    def signed(self, destination: Destination, body: dict[str, Any], now: float
               ) -> tuple[str, dict[str, Any]]:
        """The body with ``timestamp`` and ``sign`` when the robot has a secret."""
        if not destination.secrets:
            return destination.target, body
        stamp = int(now)
        return destination.target, {"timestamp": str(stamp),
                                     "sign": feishu_sign(destination.secrets[0], stamp), **body}


def _paragraph(block: Block) -> list[Mapping[str, str]]:
    if block.kind == "line":
        return [{"tag": "text", "text": f"{block.text}: {block.value}"}]
    if block.kind == "group":
        return [{"tag": "text", "text": block.text + (f" ({block.value})" if block.value else "")}]
    prefix = [{"tag": "text", "text": "• "}] if block.kind == "item" else []
    if block.href:
        return [*prefix, {"tag": "a", "text": block.text, "href": block.href}]
    return [*prefix, {"tag": "text", "text": block.text}]
