"""Signed webhooks following the Standard Webhooks specification (standardwebhooks.com).

Each message is a JSON body ``{"type", "timestamp", "data", "event"}`` posted with the headers
``webhook-id`` (the delivery id: the same on every retry, so receivers drop duplicates),
``webhook-timestamp`` (seconds, when this attempt was signed: receivers refuse old ones, which
stops replays) and ``webhook-signature``: ``v1,<base64 HMAC-SHA256(id.timestamp.body)>`` for
every secret of the destination, separated by spaces, so a receiver holding the old or the new
secret verifies during a rotation. ``data`` is the event's payload as the catalog documents it;
a digest (several notices) is one message of type ``ipgov.digest`` listing them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets as random
import time
from collections.abc import Callable, Sequence
from typing import Any

from .base import Destination, Notice, Outcome, outcome_of_status
from .outbound import OutboundError, OutboundPolicy, post

__all__ = ["WebhookChannel", "body_of", "new_webhook_secret", "signature"]

DIGEST_TYPE = "ipgov.digest"


def new_webhook_secret() -> str:
    """A fresh signing secret in the spec's form (``whsec_`` + 32 random bytes in base64)."""
    return "whsec_" + base64.b64encode(random.token_bytes(32)).decode("ascii")


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<signature>`` of one message under one ``whsec_`` secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def _event(notice: Notice) -> dict[str, Any]:
    return {"type": notice.type, "timestamp": notice.occurred_at.isoformat(),
            "data": dict(notice.payload),
            "event": {"id": notice.event_id, "tenant_id": notice.tenant_id,
                      "tenant": notice.tenant_name, "severity": notice.severity,
                      "title": notice.title, "link": notice.link}}


def body_of(notices: Sequence[Notice], now: float) -> bytes:
    """The JSON body: the event itself, or a digest of several (oldest first)."""
    if len(notices) == 1:
        message = _event(notices[0])
    else:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        message = {"type": DIGEST_TYPE, "timestamp": stamp,
                   "data": {"events": [_event(n) for n in notices]}}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


class WebhookChannel:
    """Posts Standard Webhooks to the destination's URL under the outbound policy."""

    kind = "webhook"

    def __init__(self, policy: OutboundPolicy, clock: Callable[[], float] = time.time) -> None:
        self.policy, self.clock = policy, clock

    async def deliver(self, destination: Destination, notices: Sequence[Notice], *,
                      delivery_id: str, locale: str) -> Outcome:
        """Sign and post the notices (``locale`` is for titles already rendered)."""
        if not destination.secrets:
            return Outcome.failed("unsigned", "the webhook has no signing secret",
                                  retryable=False)
        now = self.clock()
        body, timestamp = body_of(notices, now), int(now)
        headers = {"Content-Type": "application/json", "User-Agent": "ipgov-webhooks/1",
                   "webhook-id": delivery_id, "webhook-timestamp": str(timestamp),
                   "webhook-signature": " ".join(signature(s, delivery_id, timestamp, body)
                                                 for s in destination.secrets)}
        try:
            reply = await post(destination.target, content=body, headers=headers,
                               policy=self.policy)
        except OutboundError as exc:
            return Outcome.from_error(exc)
        return outcome_of_status(reply.status, reply.headers.get("retry-after", ""))
