"""Domain errors with stable, language-neutral codes; the API layers turn them into responses."""

from __future__ import annotations

from typing import Any

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "Unauthenticated",
]


class DomainError(Exception):
    """An expected failure a person can act on: ``code`` is stable, ``message`` readable."""

    code = "ERROR"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.details = details or {}


class InvalidInput(DomainError):
    """The request is malformed or breaks a rule; ``field`` names the culprit."""

    code = "INVALID_INPUT"


class NotFound(DomainError):
    """No such object in the caller's reach (also used where existence must not leak)."""

    code = "NOT_FOUND"


class Conflict(DomainError):
    """The request clashes with stored state (duplicate slug, wrong status)."""

    code = "CONFLICT"


class Forbidden(DomainError):
    """The caller is authenticated but may not do this."""

    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    """No valid credentials."""

    code = "UNAUTHENTICATED"
