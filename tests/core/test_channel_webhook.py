"""Standard Webhooks: a real local receiver verifies our signatures with the reference library
(standardwebhooks), not with our own code; during a rotation a receiver holding either secret
verifies; the timestamp is current and a receiver refuses an old one; retries keep the id;
statuses map to delivered, retry later, or give up."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ipgov.notify.channels.base import Destination, Notice
from ipgov.notify.channels.outbound import OutboundPolicy
from ipgov.notify.channels.webhook import WebhookChannel, new_webhook_secret
from tests.core.channel_support import LOCAL, LOCAL_POLICY, answering, receiver

NOTICE = Notice(
    event_id="e-1", type="review.finished", tenant_id="t-1", tenant_name="acme",
    occurred_at=datetime(2026, 11, 3, 8, 0, tzinfo=UTC), severity="high",
    title="Review finished: 3 finding(s), worst high", lines=[("Findings", "3")],
    link="https://ipgov.example.com/t/acme/reviews/r-1",
    payload={"tenant_id": "t-1", "review_id": "r-1", "status": "succeeded", "findings": 3,
             "worst": "high", "counts": {"high": 1, "low": 2}})


def verify(secret: str, request) -> dict:
    """What a receiver that holds ``secret`` does with a request (the reference library)."""
    return Webhook(secret).verify(request.body, request.headers)


async def send(url: str, secrets, *, delivery_id="d-1", notices=(NOTICE,), **channel):
    destination = Destination.from_registered(kind="webhook", target=url, secrets=secrets)
    return await WebhookChannel(LOCAL_POLICY, **channel).deliver(
        destination, list(notices), delivery_id=delivery_id, locale="en")


async def test_a_review_finished_delivery_verifies_with_the_reference_library():
    secret = new_webhook_secret()
    with receiver() as hook:
        outcome = await send(hook.url(), [secret])
    assert outcome.delivered and not outcome.retryable
    (request,) = hook.requests
    body = verify(secret, request)
    assert body["type"] == "review.finished" and body["data"] == dict(NOTICE.payload)
    assert body["timestamp"] == "2026-11-03T08:00:00+00:00"
    assert body["event"]["id"] == "e-1" and request.headers["webhook-id"] == "d-1"
    assert request.headers["content-type"] == "application/json"
    with pytest.raises(WebhookVerificationError):
        verify(new_webhook_secret(), request)  # another secret does not verify


async def test_during_a_rotation_a_receiver_with_either_secret_verifies():
    new, old = new_webhook_secret(), new_webhook_secret()
    with receiver() as hook:
        assert (await send(hook.url(), [new, old])).delivered
    (request,) = hook.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert verify(old, request)["type"] == verify(new, request)["type"] == "review.finished"
    with pytest.raises(WebhookVerificationError):
        verify(new_webhook_secret(), request)


async def test_the_timestamp_is_current_and_an_old_one_is_refused():
    secret = new_webhook_secret()
    with receiver() as hook:
        await send(hook.url(), [secret])
        await send(hook.url(), [secret], clock=lambda: time.time() - 600)  # a replay's age
    fresh, replayed = hook.requests
    assert abs(int(fresh.headers["webhook-timestamp"]) - time.time()) < 5
    verify(secret, fresh)
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify(secret, replayed)
    tampered = dataclasses.replace(fresh, body=fresh.body.replace(b'"findings":3',
                                                                  b'"findings":0'))
    with pytest.raises(WebhookVerificationError):
        verify(secret, tampered)


async def test_a_retry_keeps_the_id_so_the_receiver_can_drop_the_duplicate():
    secret = new_webhook_secret()
    with receiver() as hook:
        await send(hook.url(), [secret], delivery_id="d-7")
        await send(hook.url(), [secret], delivery_id="d-7")
    assert {r.headers["webhook-id"] for r in hook.requests} == {"d-7"}


async def test_a_digest_is_one_signed_message_listing_the_events():
    secret = new_webhook_secret()
    second = dataclasses.replace(NOTICE, event_id="e-2", type="directive.overdue")
    with receiver() as hook:
        await send(hook.url(), [secret], notices=[NOTICE, second])
    body = verify(secret, hook.requests[0])
    assert body["type"] == "ipgov.digest"
    assert [e["event"]["id"] for e in body["data"]["events"]] == ["e-1", "e-2"]


@pytest.mark.parametrize("status, delivered, retryable", [
    (200, True, False), (202, True, False), (204, True, False),
    (400, False, False), (404, False, False), (410, False, False), (301, False, False),
    (408, False, True), (429, False, True), (500, False, True), (503, False, True),
])
async def test_statuses_map_to_delivered_retry_or_give_up(status, delivered, retryable):
    with receiver(answering(status, {"ok": status < 300})) as hook:
        outcome = await send(hook.url(), [new_webhook_secret()])
    assert (outcome.delivered, outcome.retryable) == (delivered, retryable)
    assert str(status) in outcome.detail


async def test_a_receiver_that_does_not_answer_is_retried_later():
    policy = OutboundPolicy.from_settings(dataclasses.replace(
        LOCAL, notify_total_timeout_seconds=1.0))
    destination = Destination.from_registered(kind="webhook", target="", secrets=[
        new_webhook_secret()])
    with receiver(hang=True) as hook:
        outcome = await WebhookChannel(policy).deliver(
            dataclasses.replace(destination, target=hook.url()), [NOTICE], delivery_id="d",
            locale="en")
    assert (outcome.delivered, outcome.retryable, outcome.status) == (False, True, "timeout")


async def test_details_carry_no_secret_and_unsigned_webhooks_are_not_sent():
    secret = new_webhook_secret()
    with receiver(answering(500)) as hook:
        outcome = await send(hook.url() + "?token=abc", [secret])
        unsigned = await send(hook.url(), [])
    assert secret not in json.dumps(dataclasses.asdict(outcome)) and "abc" not in outcome.detail
    assert unsigned.status == "unsigned" and len(hook.requests) == 1
