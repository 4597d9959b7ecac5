"""One event, rendered for one reader's language: its title, the fields a person reads, a link.

Titles come from the event type (``titles[locale]``, ``{field}`` filled from the payload, with
severities and modes in the reader's words). A title or link that names a field the payload
lacks never fails: the placeholder shows as ``{field}``. Ids are left out of ``lines``: they
mean nothing to a reader and the link opens the object.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from ipgov.i18n.labels import label

from .base import Notice
from .texts import field_label

__all__ = ["EventLike", "EventTypeLike", "fill", "payload_lines", "render_notice",
           "workspace_path"]

MAX_LINES = 12
MAX_VALUE = 300
VOCABULARIES = {"severity": "severity", "worst": "severity", "tolerance": "severity",
                "mode": "governance_mode", "previous": "governance_mode",
                "function": "function", "domain": "domain", "status": "run_status"}
"""Payload fields whose values are stable codes, shown with the label of their vocabulary."""


class EventLike(Protocol):
    """What rendering reads of an event (the outbox row ``ipgov.events.models.Event``)."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def payload(self) -> Mapping[str, Any]: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def severity(self) -> str | None: ...


class EventTypeLike(Protocol):
    """What rendering reads of an event type (``ipgov.events.catalog.EventType``)."""

    @property
    def titles(self) -> Mapping[str, str]: ...
    @property
    def link(self) -> str: ...


class _Lenient(string.Formatter):
    """``str.format`` that shows ``{name}`` for a missing field or a spec that does not fit."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]
                  ) -> tuple[Any, str]:
        try:
            return super().get_field(field_name, args, kwargs)
        except (KeyError, IndexError, AttributeError, TypeError):
            return _Missing(field_name), field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        try:
            return super().format_field(value, format_spec)
        except (ValueError, TypeError):
            return str(value)


class _Missing(str):
    def __new__(cls, name: str) -> _Missing:
        return super().__new__(cls, "{" + name + "}")

    def __format__(self, _spec: str) -> str:
        return str(self)


def fill(template: str, values: Mapping[str, Any]) -> str:
    """``template`` formatted with ``values``; never raises for a missing or odd field."""
    try:
        return _Lenient().vformat(template, (), values)
    except (ValueError, IndexError):  # a malformed template ("{", "}{"): shown as written
        return template


def display(name: str, value: Any, locale: str) -> str:
    """A payload value as a person reads it in ``locale``."""
    if name in VOCABULARIES and isinstance(value, str):
        return label(VOCABULARIES[name], value, locale)
    if isinstance(value, bool):
        return {"en": ("no", "yes"), "zh-CN": ("否", "是")}[_loc(locale)][value]
    if isinstance(value, Mapping):
        shown = [f"{label('severity', str(k), locale)} {v}" for k, v in value.items() if v]
        return " · ".join(shown) or "0"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def payload_lines(payload: Mapping[str, Any], locale: str) -> list[tuple[str, str]]:
    """``(label, value)`` of the payload's fields a person reads (ids left out), bounded."""
    found = []
    for name, value in payload.items():
        if name == "id" or name.endswith("_id") or name.endswith("_ids") or value in (None, ""):
            continue
        shown = display(name, value, locale)
        if len(shown) > MAX_VALUE:
            shown = shown[: MAX_VALUE - 1] + "…"
        found.append((field_label(name, locale), shown))
    return found[:MAX_LINES]


def render_notice(event: EventLike, event_type: EventTypeLike, *, locale: str,
                  tenant_name: str, base_url: str, tenant_slug: str | None = None) -> Notice:
    """``event`` as a ``Notice`` in ``locale`` (English for any other language).

    ``tenant_slug`` fills ``{tenant_slug}`` in the type's link (``tenant_name`` when not
    given); the notice's ``path`` is that workspace path, its ``link`` the absolute URL under
    ``base_url`` (or "" without one)."""
    loc = _loc(locale)
    payload = dict(event.payload or {})
    shown = {k: display(k, v, loc) for k, v in payload.items()}
    template = event_type.titles.get(loc) or event_type.titles.get("en") or event.type
    path = workspace_path(event_type.link, payload, tenant_slug or tenant_name)
    return Notice(event_id=str(event.id), type=event.type, tenant_id=str(event.tenant_id),
                  tenant_name=tenant_name, occurred_at=event.occurred_at,
                  severity=event.severity, title=fill(template, shown)[:500],
                  lines=payload_lines(payload, loc),
                  link=base_url.rstrip("/") + path if base_url else "", payload=payload,
                  path=path)


def workspace_path(template: str, payload: Mapping[str, Any], slug: str) -> str:
    """The type's link template filled with the payload: a path of the workspace (the
    tenant's home when the type has no link or the payload lacks one of its fields)."""
    path = fill(template, {**payload, "tenant_slug": slug}) if template else f"/t/{slug}"
    if "{" in path:  # a field the payload lacks: the tenant's workspace instead
        path = f"/t/{slug}"
    return "/" + path.lstrip("/")


def _loc(locale: str) -> str:
    return "zh-CN" if (locale or "").lower().startswith("zh") else "en"
