"""docs/events.md, written from the event catalog: every type with its name, version, summary,
payload schema and an example payload. ``python -m ipgov.events.docs > docs/events.md``
regenerates it; a test fails when the page and the catalog differ."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .catalog import EventType

__all__ = ["render_events_doc"]

INTRO = """# Platform events

Generated from the event catalog by `python -m ipgov.events.docs > docs/events.md` (a test
fails when this page and the code differ). The core declares its types in
`ipgov.events.core_types`; plugins add theirs with the hook `register_event_types`
([plugins.md](plugins.md#register_event_types)).

Every event is written to the outbox (table `events`) in the transaction of the change that
caused it, with `record_event`: an event of a transaction that rolled back never exists, and a
committed one is dispatched at least once to every event consumer (the notification router,
the review trigger), after the commit; work recovery sends what a dying process could not. A
consumer sees the row: `id` (the event id, stable across redeliveries), `tenant_id`, `type`,
`version` (of the payload schema), `payload`, `severity` (none, or info, low, medium, high,
critical), `actor`, `object_id`, `occurred_at`. A payload carries ids and the few fields a
message needs, never protected content; recipients must hold `read` on the type's object.
Time-driven events (directives due soon and overdue, asset deadlines approaching and missed)
come from the scheduler, once per object and period (an idempotency key).
"""


def _section(plugin: str, t: EventType) -> str:
    schema = json.dumps(dict(t.payload), indent=2, ensure_ascii=False, sort_keys=True)
    example = json.dumps(dict(t.example), indent=2, ensure_ascii=False, sort_keys=True)
    return "\n".join([
        f"## {t.name}", "",
        f"Version {t.version} · declared by `{plugin}` · about `{t.object_type}`"
        + (f" · link `{t.link}`" if t.link else ""), "",
        t.summary, "",
        *([f"Label (en): {t.labels['en']}  ", f"Label (zh-CN): {t.labels['zh-CN']}  "]
          if t.labels else []),
        f"Title (en): {t.titles['en']}  ", f"Title (zh-CN): {t.titles['zh-CN']}", "",
        "Payload schema:", "", "```json", schema, "```", "",
        "Example payload:", "", "```json", example, "```", ""])


def render_events_doc(types: Iterable[tuple[str, EventType]]) -> str:
    """The page for ``(plugin, type)`` pairs, sorted by name."""
    ordered = sorted(types, key=lambda pair: pair[1].name)
    index = [f"- [{t.name}](#{t.name.replace('.', '')}): {t.summary}" for _, t in ordered]
    return "\n".join([INTRO, "## Index", "", *index, "", *(_section(p, t) for p, t in ordered)])


if __name__ == "__main__":  # pragma: no cover - the documented way to regenerate the page
    from ipgov.plugins.catalog import build_catalog
    from ipgov.startup import new_registry

    print(render_events_doc(build_catalog(new_registry()).event_types.values()), end="")
