"""The ``Date`` and ``DateTime`` scalars of the whole schema.

Output: a ``DateTime`` is always ISO 8601 in UTC with its offset (``2026-03-01T08:30:00+00:00``),
whatever the database driver returned (SQLite hands back naive values; they are UTC, see
``ipgov.db.base.UTCDateTime``). Input: a value that is not a date says what is wrong with it
(``day is out of range for month``, ``expected YYYY-MM-DD``) without repeating the value, so
the error shaper can pass the reason on. A ``DateTime`` without an offset is taken as UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

__all__ = ["SCALAR_OVERRIDES", "parse_date", "parse_datetime", "serialize_datetime"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _refuse(kind: str, reason: str, shape: str) -> GraphQLError:
    return GraphQLError(f"not a valid {kind}: {reason} (expected {shape})")


def parse_date(value: Any) -> dt.date:
    """A calendar date from ``YYYY-MM-DD``; the reason when it is not one."""
    shape = "YYYY-MM-DD"
    if not isinstance(value, str):
        raise _refuse("Date", "a date is written as a string", shape)
    if not _DATE.match(value):
        raise _refuse("Date", "wrong format", shape)
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _refuse("Date", str(exc), shape) from None


def parse_datetime(value: Any) -> dt.datetime:
    """An instant from ISO 8601; without an offset it is UTC."""
    shape = "ISO 8601 such as 2026-03-01T08:30:00+08:00"
    if not isinstance(value, str) or len(value) > 40:
        raise _refuse("DateTime", "a date and time is written as a string", shape)
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        reason = str(exc) if "out of range" in str(exc) or "must be in" in str(exc) else (
            "wrong format")
        raise _refuse("DateTime", reason, shape) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def serialize_datetime(value: dt.datetime) -> str:
    """ISO 8601 in UTC with its offset; a naive value is UTC (what SQLite returns)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def _serialize_date(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return serialize_datetime(value)[:10]
    return value.isoformat()


SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    dt.date: ScalarDefinition(
        name="Date", description="A calendar date, ISO 8601 (YYYY-MM-DD).",
        specified_by_url=None, serialize=_serialize_date, parse_value=parse_date,
        parse_literal=None, origin=dt.date),
    dt.datetime: ScalarDefinition(
        name="DateTime", description="An instant, ISO 8601 with its UTC offset "
        "(2026-03-01T08:30:00+00:00); input without an offset is taken as UTC.",
        specified_by_url=None, serialize=serialize_datetime, parse_value=parse_datetime,
        parse_literal=None, origin=dt.datetime),
}
"""Passed to ``strawberry.Schema(scalar_overrides=...)`` by ``ipgov.graphql.schema``."""
