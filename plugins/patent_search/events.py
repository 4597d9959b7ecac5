"""The events patent_search records (hook ``register_event_types``, docs/events.md): new
documents matching a tenant's watchlists, and an FTO screening kept as evidence."""

from __future__ import annotations

from ipgov.api import EventType, event_field, event_payload

__all__ = ["EVENT_TYPES", "WATCHLIST_MATCHED"]

WATCHLIST_MATCHED = "patent_search.watchlist.matched"
T = "00000000-0000-4000-8000-000000000001"

EVENT_TYPES = [
    EventType(
        name=WATCHLIST_MATCHED, version=1,
        summary="Newly ingested documents matched the tenant's watchlists (one event per "
                "tenant and ingestion job); also asks for a Monitor review.",
        payload=event_payload({"job_id": event_field("id"), "matches": event_field("count")}),
        titles={"en": "{matches} new document(s) match your watchlists",
                "zh-CN": "{matches} 篇新文献命中您的监控清单"},
        object_type="patent_search:watchlist", link="/t/{tenant_slug}/x/patent_search/watchlists",
        labels={"en": "Watchlist matches", "zh-CN": "监控清单命中"},
        example={"tenant_id": T, "job_id": "j-1", "matches": 12}),
    EventType(
        name="patent_search.fto.stored", version=1,
        summary="An FTO screening of a technical solution was stored as evidence.",
        payload=event_payload({"screening_id": event_field("id"), "title": event_field("text"),
                               "hits": event_field("count"),
                               "collections": event_field("count")}),
        titles={"en": "FTO screening stored: {title} ({hits} hit(s))",
                "zh-CN": "FTO 筛查已保存：{title}（{hits} 项命中）"},
        object_type="patent_search:document", link="/t/{tenant_slug}/x/patent_search/fto",
        labels={"en": "FTO screening stored", "zh-CN": "FTO 筛查已保存"},
        example={"tenant_id": T, "screening_id": "s-1", "title": "Sparse matrix accelerator",
                 "hits": 4, "collections": 2}),
]
"""Every event type of the plugin."""
