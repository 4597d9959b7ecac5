"""Details for errors that state a limit, so the limit reads in every language.

An error raised with ``details=out_of_range(1, 4, value)`` keeps its stable code (clients
branch on it) and its English message, and a Chinese reader gets the catalog's
``BOUNDS_OUT_OF_RANGE`` text with the same bounds and value instead of a generic sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["not_one_of", "out_of_range", "too_few", "too_long", "too_many", "too_short"]


def out_of_range(minimum: Any, maximum: Any, value: Any) -> dict[str, Any]:
    """A number outside ``minimum..maximum``."""
    return {"message_key": "BOUNDS_OUT_OF_RANGE", "minimum": minimum, "maximum": maximum,
            "value": value}


def too_long(maximum: int, length: int) -> dict[str, Any]:
    """A text longer than ``maximum`` characters."""
    return {"message_key": "BOUNDS_TOO_LONG", "maximum": maximum, "value": length}


def too_short(minimum: int) -> dict[str, Any]:
    """A text shorter than ``minimum`` characters (its length is not echoed: a password)."""
    return {"message_key": "BOUNDS_TOO_SHORT", "minimum": minimum}


def too_many(maximum: int, count: int) -> dict[str, Any]:
    """A list longer than ``maximum`` items."""
    return {"message_key": "BOUNDS_TOO_MANY", "maximum": maximum, "value": count}


def too_few(minimum: int) -> dict[str, Any]:
    """A list shorter than ``minimum`` items."""
    return {"message_key": "BOUNDS_TOO_FEW", "minimum": minimum}


def not_one_of(allowed: Iterable[Any], value: Any) -> dict[str, Any]:
    """A value outside its vocabulary."""
    return {"message_key": "BOUNDS_NOT_ONE_OF", "allowed": ", ".join(map(str, allowed)),
            "value": repr(value)}
