"""The events ip_governance records (hook ``register_event_types``, docs/events.md): an asset
deadline approaching, at the lead times the tenant chose (default 90, 30, 7 and 1 days), and
a deadline missed; both from the periodic job ``ip_governance.deadline_reminders``."""

from __future__ import annotations

from ipgov.api import EventType, event_field, event_payload

__all__ = ["APPROACHING", "EVENT_TYPES", "MISSED"]

APPROACHING, MISSED = "ip_governance.deadline.approaching", "ip_governance.deadline.missed"
T = "00000000-0000-4000-8000-000000000001"
DEADLINE = {"deadline_id": event_field("id"), "asset_id": event_field("id"),
            "asset_title": event_field("text"), "kind": event_field("id"),
            "due_on": event_field("date")}
EXAMPLE = {"tenant_id": T, "deadline_id": "d-1", "asset_id": "a-1",
           "asset_title": "CN 114000000 A", "kind": "annuity", "due_on": "2027-03-01"}
LINK = "/t/{tenant_slug}/x/ip_governance/deadline-list"

EVENT_TYPES = [
    EventType(
        name=APPROACHING, version=1,
        summary="An open asset deadline is due within one of the tenant's lead times "
                "(once per deadline and lead time).",
        payload=event_payload({**DEADLINE, "days": event_field("count"),
                               "lead": event_field("count")}),
        titles={"en": "{kind} of {asset_title} due in {days} day(s) ({due_on})",
                "zh-CN": "{asset_title} 的{kind}将在 {days} 天后到期（{due_on}）"},
        object_type="ip_governance:asset", link=LINK,
        labels={"en": "Asset deadline approaching", "zh-CN": "资产期限临近"},
        example={**EXAMPLE, "days": 30, "lead": 30}),
    EventType(
        name=MISSED, version=1,
        summary="An asset deadline passed while still open (once per deadline).",
        payload=event_payload(DEADLINE),
        titles={"en": "Deadline missed: {kind} of {asset_title} ({due_on})",
                "zh-CN": "期限已错过：{asset_title} 的{kind}（{due_on}）"},
        object_type="ip_governance:asset", link=LINK, example=EXAMPLE,
        labels={"en": "Asset deadline missed", "zh-CN": "资产期限已错过"}),
]
"""Every event type of the plugin."""
