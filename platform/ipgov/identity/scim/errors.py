"""SCIM error responses (RFC 7644 §3.12) for every failure a SCIM request can meet.

``scim2-models`` exceptions carry their status and ``scimType``; the platform's domain errors
(``ipgov.errors``) raised by the services underneath map onto the nearest SCIM error, keeping
their message as the readable ``detail``.
"""

from __future__ import annotations

from typing import Any

from scim2_models import Error, SCIMException
from sqlalchemy.exc import IntegrityError

from ipgov.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated

__all__ = ["CHALLENGE", "scim_error"]

CHALLENGE = 'Bearer realm="SCIM"'
_DOMAIN: list[tuple[type[DomainError], int, str | None]] = [
    (Unauthenticated, 401, None), (Forbidden, 403, None), (NotFound, 404, None),
    (Conflict, 409, "uniqueness"), (InvalidInput, 400, "invalidValue"),
]


def _body(status: int, detail: str, scim_type: str | None) -> dict[str, Any]:
    error = Error(status=status, detail=detail[:500], scim_type=scim_type)
    body: dict[str, Any] = error.model_dump()
    return body


def scim_error(exc: Exception) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    """``(status, body, headers)`` for ``exc``; ``None`` for an unexpected exception (the
    application's handlers answer it: a 503 for an outage, else a 500 without details)."""
    if isinstance(exc, IntegrityError):  # two requests made the same user or group at once
        return 409, _body(409, "another request stored the same userName, e-mail address or "
                          "member at the same moment; retry", "uniqueness"), {}
    if isinstance(exc, SCIMException):
        error = exc.to_error()
        status = int(error.status or 500)
        body: dict[str, Any] = error.model_dump()
    else:
        for kind, status, scim_type in _DOMAIN:
            if isinstance(exc, kind):
                body = _body(status, exc.message, scim_type)
                break
        else:
            return None
    headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else {}
    return status, body, headers
