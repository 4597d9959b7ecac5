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
    """The request is malformed or breaks a rule; ``field`` names the culprit.

    An input with several bad fields raises one ``InvalidInput`` carrying each field's error
    in ``errors`` (``ipgov.validation.FieldErrors`` collects them), so the caller learns every
    problem at once; ``field_errors`` is that list, or the error itself for a single field."""

    code = "INVALID_INPUT"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 details: dict[str, Any] | None = None,
                 errors: list[DomainError] | None = None) -> None:
        super().__init__(message, code=code, field=field, details=details)
        self.errors = list(errors or [])

    @property
    def field_errors(self) -> list[DomainError]:
        """One error per bad field (this error alone when it concerns one field)."""
        return self.errors or [self]


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
