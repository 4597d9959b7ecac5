"""Building blocks of event payload schemas (JSON Schema draft 2020-12), shared by the core's
types and offered to plugins (``ipgov.api.event_payload``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .catalog import SEVERITIES

__all__ = ["COUNT", "DATE", "DATETIME", "ID", "SEVERITY", "TEXT", "event_field",
           "event_payload"]

ID: Mapping[str, Any] = {"type": "string", "minLength": 1, "maxLength": 200}
TEXT: Mapping[str, Any] = {"type": "string", "maxLength": 500}
DATE: Mapping[str, Any] = {"type": "string", "format": "date"}
DATETIME: Mapping[str, Any] = {  # the pattern too: "date-time" needs an optional checker
    "type": "string", "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
COUNT: Mapping[str, Any] = {"type": "integer", "minimum": 0}
SEVERITY: Mapping[str, Any] = {"enum": list(SEVERITIES)}


def event_payload(required: Mapping[str, Any],
                  optional: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An object schema with these ``required`` and ``optional`` properties and nothing else
    (every payload also carries ``tenant_id``)."""
    properties = {"tenant_id": dict(ID), **{k: dict(v) for k, v in required.items()},
                  **{k: dict(v) for k, v in (optional or {}).items()}}
    return {"type": "object", "properties": properties,
            "required": ["tenant_id", *required], "additionalProperties": False}


def event_field(kind: str) -> dict[str, Any]:
    """The schema of a common field: ``id``, ``text`` (at most 500 characters), ``date``,
    ``datetime`` (ISO 8601 with an offset), ``count`` or ``severity``."""
    fields = {"id": ID, "text": TEXT, "date": DATE, "datetime": DATETIME, "count": COUNT,
              "severity": SEVERITY}
    if kind not in fields:
        raise ValueError(f"no common event field {kind!r}; one of {sorted(fields)}")
    return dict(fields[kind])
