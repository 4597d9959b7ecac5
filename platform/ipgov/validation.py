"""Validating an input field by field, and reporting every bad field at once.

A person who sends a form with a bad slug and an empty name wants to hear about both, not
one per attempt. ``FieldErrors`` runs each field's check, keeps the ``InvalidInput`` it
raises, and raises them together (one ``InvalidInput`` whose ``errors`` are the field errors;
GraphQL payloads show one ``UserError`` per field, localized). The checks below give stable
codes with the parameters the message catalog (``ipgov/i18n/messages.yaml``) needs to say the
reason in the reader's language. Plugins use the same helpers through ``ipgov.api``.

Enum-like string filters (``directives(status: ...)``) use ``filter_value``: an unknown value
is an error naming the allowed ones, not an empty page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ipgov.errors import DomainError, InvalidInput

__all__ = ["FieldErrors", "clean_text", "filter_value", "in_range", "one_of", "required"]

T = TypeVar("T")


class FieldErrors:
    """Collects the field errors of one input; ``raise_if_any`` reports them together.

    ``check(fn, *args)`` returns ``fn(*args)`` or, when it raised ``InvalidInput``, records
    the error and returns ``None``; ``field()`` does the same for a block of statements."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """``fn(*args, **kwargs)``, or ``None`` after recording the ``InvalidInput`` it raised."""
        try:
            return fn(*args, **kwargs)
        except InvalidInput as exc:
            self.add(exc)
            return None

    @contextmanager
    def field(self) -> Iterator[None]:
        """Record an ``InvalidInput`` raised inside the block instead of propagating it."""
        try:
            yield
        except InvalidInput as exc:
            self.add(exc)

    def add(self, error: DomainError) -> None:
        """Record ``error`` (each of its field errors when it carries several)."""
        self.errors.extend(getattr(error, "field_errors", None) or [error])

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        """Raise the recorded errors: the one error, or an ``InvalidInput`` holding them all."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            summary = "; ".join(f"{e.field or 'input'}: {e.message}" for e in self.errors)
            raise InvalidInput(f"{len(self.errors)} fields are not valid: {summary}",
                               errors=self.errors,
                               details={"count": len(self.errors)})


def required(value: T | None, field: str) -> T:
    """``value``, or ``REQUIRED`` on ``field`` when it is missing or blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(f"{field} is required", code="REQUIRED", field=field)
    return value


def clean_text(value: str | None, field: str, *, max_len: int, required: bool = False) -> str:
    """``value`` trimmed; ``REQUIRED`` when blank and required, ``TOO_LONG`` past ``max_len``."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidInput(f"{field} is required", code="REQUIRED", field=field)
    if len(cleaned) > max_len:
        raise InvalidInput(f"{field} is longer than {max_len} characters ({len(cleaned)})",
                           code="TOO_LONG", field=field, details={"max": max_len})
    return cleaned


def one_of(value: str | None, allowed: Iterable[str], field: str, *,
           required: bool = True) -> str | None:
    """``value`` if it is one of ``allowed``; ``REQUIRED`` or ``NOT_ALLOWED`` (naming the
    choices) otherwise. ``None`` when optional and empty."""
    choices = tuple(allowed)
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{field} is required", code="REQUIRED", field=field)
        return None
    if value not in choices:
        raise InvalidInput(f"{field} must be one of {', '.join(choices)}; got {value!r}",
                           code="NOT_ALLOWED", field=field,
                           details={"allowed": ", ".join(choices)})
    return value


def in_range(value: int | float | None, field: str, low: float, high: float) -> Any:
    """``value`` when ``low <= value <= high``; ``NOT_IN_RANGE`` otherwise."""
    if value is None or not low <= value <= high:
        raise InvalidInput(f"{field} must be between {low} and {high}; got {value}",
                           code="NOT_IN_RANGE", field=field,
                           details={"low": low, "high": high})
    return value


def filter_value(value: str | None, allowed: Iterable[str], field: str) -> str | None:
    """A list filter's value: ``None`` (no filter) or one of ``allowed``; anything else is
    ``UNKNOWN_FILTER_VALUE`` naming the allowed values (never a silently empty answer)."""
    if value is None or value == "":
        return None
    choices = tuple(allowed)
    if value not in choices:
        raise InvalidInput(f"unknown {field} {value!r}: use one of {', '.join(choices)}",
                           code="UNKNOWN_FILTER_VALUE", field=field,
                           details={"allowed": ", ".join(choices)})
    return value
