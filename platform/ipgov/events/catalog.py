"""The event catalog: every kind of platform event, its versioned payload schema and its texts.

Events are a public contract (docs/events.md): consumers (the notification router, webhooks
of partners) read ``type``, ``version`` and a payload that validates against the type's JSON
Schema. The core declares its types in ``ipgov.events.core_types``; plugins add theirs with
the hook ``register_event_types``. The catalog is built once, with the plugin catalog, and a
broken declaration stops start-up (``PluginContractError``).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

__all__ = ["EventType", "SEVERITIES", "LANGUAGES", "event_type_problems"]

SEVERITIES = ("info", "low", "medium", "high", "critical")
"""What an event's ``severity`` may be (or None)."""
LANGUAGES = ("en", "zh-CN")
"""The languages every event title is written in."""


@dataclass(frozen=True)
class EventType:
    """One kind of event.

    ``name`` is ``<area>.<what>`` for the core (``review.finished``) and starts with the
    plugin's name for a plugin (``ip_governance.deadline.approaching``); ``version`` is the
    payload schema's version (a breaking change adds a new version); ``payload`` is a JSON
    Schema (draft 2020-12) of an object with ``"additionalProperties": false``; ``titles``
    hold one line per language, formatted with the payload (``{field}``); ``object_type`` is
    the permission object the event is about (recipients must hold read on it); ``link`` is a
    workspace path template (``{tenant_slug}`` and payload fields); ``example`` a payload that
    validates (docs/events.md shows it; a test checks it); ``labels`` the kind's short name
    per language, shown where people pick event types (rule editors, preferences: the
    summary stands in when a type has none).
    """

    name: str
    version: int
    summary: str
    payload: Mapping[str, Any]
    titles: Mapping[str, str]
    object_type: str
    link: str = ""
    example: Mapping[str, Any] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    def validator(self) -> Draft202012Validator:
        """A validator of this type's payloads."""
        return Draft202012Validator(dict(self.payload),
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    def title(self, payload: Mapping[str, Any], locale: str = "en") -> str:
        """The title in ``locale`` (English when the language is not written)."""
        text = self.titles.get(locale) or self.titles["en"]
        return text.format_map(dict(payload))

    def label(self, locale: str = "en") -> str:
        """The kind's short name in ``locale`` (English, then the summary, when not written)."""
        return self.labels.get(locale) or self.labels.get("en") or self.summary


def _fields(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(template) if name}


def event_type_problems(event_type: EventType) -> Iterable[str]:
    """What is wrong with a declaration (nothing for a sound one)."""
    schema = dict(event_type.payload)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        yield f"the payload schema is not valid JSON Schema: {exc.message}"
        return
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        yield 'the payload schema must be an object with "additionalProperties": false'
    properties = set(schema.get("properties", {}))
    for language in LANGUAGES:
        text = event_type.titles.get(language, "")
        if not text.strip():
            yield f"the {language} title is missing"
        elif unknown := _fields(text) - properties:
            yield f"the {language} title names fields the payload lacks: {sorted(unknown)}"
    if event_type.labels and (missing := [lang for lang in LANGUAGES
                                          if not event_type.labels.get(lang, "").strip()]):
        yield f"the labels lack {', '.join(missing)}"
    if unknown := _fields(event_type.link) - properties - {"tenant_slug"}:
        yield f"the link names fields the payload lacks: {sorted(unknown)}"
    if event_type.version < 1 or ":" not in event_type.object_type:
        yield "version is at least 1 and object_type is '<plugin>:<object>'"
    errors = sorted(e.message for e in event_type.validator().iter_errors(
        dict(event_type.example)))
    if errors:
        yield f"the example payload does not validate: {errors[0]}"
