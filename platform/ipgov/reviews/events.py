"""Event-triggered reviews: a plugin raises an event, plugins decide whether it warrants one.

For example patent_search raises ``patent_search.watchlist_match`` when a newly ingested
document matches a watchlist; ip_governance may answer that a Monitor review is due. The
event id makes the review idempotent: replaying the event requests nothing new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipgov.plugins.contracts import PlatformEvent
from ipgov.plugins.manager import call_and_await

from .models import ReviewRun
from .service import request_review

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["PlatformEvent", "emit_event"]


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
