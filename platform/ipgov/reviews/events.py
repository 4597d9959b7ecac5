"""Event-triggered reviews: something happened, plugins decide whether it warrants a review.

Two ways in: ``emit_event`` asks at once (the caller gets the review, if any), and
``review_on_event``, an event consumer (``platform.event_consumers``), asks for every event
recorded in the outbox (``record_event``): patent_search records
``patent_search.watchlist.matched`` when newly ingested documents match a watchlist and
answers ``should_review_on`` with True, so the match both triggers a Monitor review and
notifies. The event id makes the review idempotent: a replayed or redelivered event requests
nothing new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ipgov.plugins.contracts import PlatformEvent
from ipgov.plugins.manager import call_and_await

from .models import ReviewRun
from .service import request_review

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["PlatformEvent", "emit_event", "review_on_event"]


async def emit_event(platform: Platform, event: PlatformEvent, *,
                     actor: str = "system") -> ReviewRun | None:
    """Ask enabled plugins whether ``event`` calls for a review; request it if one says so."""
    info = platform.authz.tenant_info(event.tenant_id)
    enabled = info.enabled_plugins if info else frozenset()
    hook = platform.registry.hook_for("should_review_on", enabled)
    answers = await call_and_await(hook(event=event))
    if not any(answers):
        return None
    return await request_review(platform, tenant_id=event.tenant_id, actor=actor,
                                trigger="event", idempotency_key=f"event:{event.event_id}")


async def review_on_event(platform: Platform, event: Any) -> None:
    """The review-trigger consumer: ``emit_event`` for a dispatched outbox event (its id is
    the event id, so a redelivery requests no second review)."""
    await emit_event(platform, PlatformEvent(tenant_id=event.tenant_id, kind=event.type,
                                             event_id=event.id, payload=dict(event.payload)),
                     actor=event.actor)
