"""The events data_governance records (hook ``register_event_types``, docs/events.md): a
trade secret's content read or refused (the access log's rows, as events), and a
pre-publication check that blocked a text. Payloads name the records, never their content."""

from __future__ import annotations

from ipgov.api import EventType, event_field, event_payload

__all__ = ["EVENT_TYPES", "TRADE_SECRET_KIND"]

TRADE_SECRET_KIND = "trade_secret"  # noqa: S105 - an asset kind
T = "00000000-0000-4000-8000-000000000001"
LEVEL = {"type": "string", "maxLength": 20}
READ = event_payload({"asset_id": event_field("id"), "code": event_field("id"),
                      "classification": LEVEL, "reader": event_field("id")})
READ_EXAMPLE = {"tenant_id": T, "asset_id": "a-1", "code": "TS-001",
                "classification": "secret", "reader": "u-1"}


def _read(outcome: str, summary: str, labels: tuple[str, str], en: str, zh: str) -> EventType:
    return EventType(
        name=f"data_governance.trade_secret.{outcome}", version=1, summary=summary,
        payload=READ, titles={"en": en, "zh-CN": zh}, object_type="data_governance:access_log",
        link="/t/{tenant_slug}/x/data_governance/catalog", example=READ_EXAMPLE,
        labels={"en": labels[0], "zh-CN": labels[1]})


EVENT_TYPES = [
    _read("read", "Someone cleared for its classification read a trade secret's content.",
          ("Trade secret read", "商业秘密被读取"),
          "Trade secret {code} was read", "商业秘密 {code} 的内容被读取"),
    _read("refused", "Someone without the clearance tried to read a trade secret's content.",
          ("Trade secret read refused", "商业秘密读取被拒绝"),
          "Refused read of trade secret {code}", "拒绝读取商业秘密 {code}"),
    EventType(
        name="data_governance.publication_check.blocked", version=1,
        summary="A pre-publication check blocked a text (a trade secret, an unfiled "
                "solution or third-party wording would be disclosed).",
        payload=event_payload({"check_id": event_field("id"), "title": event_field("text"),
                               "channel": {"type": "string", "maxLength": 100},
                               "risks": {"type": "array", "maxItems": 10,
                                         "items": event_field("id")}}),
        titles={"en": "Publication blocked: {title}", "zh-CN": "发布已被阻止：{title}"},
        object_type="data_governance:publication_check",
        link="/t/{tenant_slug}/x/data_governance/publication",
        labels={"en": "Publication blocked", "zh-CN": "发布被阻止"},
        example={"tenant_id": T, "check_id": "p-1", "title": "Conference paper draft",
                 "channel": "conference", "risks": ["secret_disclosure"]}),
]
"""Every event type of the plugin."""
