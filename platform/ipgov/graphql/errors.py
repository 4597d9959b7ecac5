"""GraphQL error shaping: stable codes in ``extensions``, internal errors masked.

Expected failures (``DomainError``, authentication errors) carry ``extensions.code`` (and
``field`` where one is at fault). Anything else becomes "Internal error" with code ``INTERNAL``
and the request id, and is logged in full. Mutations report validation failures as data: their
payloads carry ``errors: [UserError!]!``.

Messages are in the request's language (``IpgovContext.locale``) when the message catalog
(``ipgov.i18n``) has an entry for the code, the English original otherwise; the English text
is always in ``extensions.messageEn`` (``UserError.messageEn``) so clients can log one language.
Codes never change with the language.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from ipgov.db.outage import unavailable_dependency
from ipgov.errors import DomainError
from ipgov.i18n import current_locale, normalize, translate
from ipgov.identity.tokens import AuthenticationError

__all__ = ["ErrorShaper", "UserError", "user_errors"]

log = logging.getLogger("ipgov.graphql")


@strawberry.type(description="A problem with the input of a mutation; nothing was changed.")
class UserError:
    code: str = strawberry.field(description="Stable, language-neutral error code.")
    message: str = strawberry.field(description="What went wrong, for a person.")
    field: str | None = strawberry.field(default=None, description="The input field at fault.")
    message_en: str | None = strawberry.field(
        default=None, description="The message in English, whatever the request's language.")


def localized(code: str, english: str, params: dict[str, Any] | None = None) -> str:
    """The message for ``code`` in the current request's language; ``english`` when the
    request is in English or the catalog has no usable entry."""
    if current_locale.get() == "en":
        return english
    return translate(code, params=params) or english


def _params(exc: DomainError) -> dict[str, Any]:
    return {**exc.details, "field": exc.field or ""}


def user_errors(exc: DomainError) -> list[UserError]:
    """The payload errors for a domain error, in the request's language."""
    return [UserError(code=exc.code, message=localized(exc.code, exc.message, _params(exc)),
                      field=exc.field, message_en=exc.message)]


def _error(error: GraphQLError, code: str, english: str, ext: dict[str, Any],
           params: dict[str, Any] | None = None, path: bool = True,
           message_code: str | None = None) -> GraphQLError:
    """A shaped error with ``extensions.code``: ``english`` localized through
    ``message_code`` (default ``code``), the English original kept in ``messageEn``."""
    ext = {"code": code, **ext, "messageEn": english}
    return GraphQLError(localized(message_code or code, english, params), error.nodes,
                        error.source, error.positions, error.path if path else None, None, ext)


def _shape(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if original is None:
        extensions = dict(error.extensions or {})
        extensions.setdefault("code", "GRAPHQL_VALIDATION")
        if current_locale.get() == "en":
            error.extensions = extensions
            return error
        return _error(error, extensions.pop("code"), error.message, extensions)
    if isinstance(original, DomainError):
        ext = {"field": original.field} if original.field else {}
        return _error(error, original.code, original.message, ext, _params(original))
    if error.path is None and not isinstance(original, AuthenticationError):
        # Raised while coercing the request (a variable of the wrong shape), not by a resolver:
        # graphql-core's message says which variable and why; nothing internal leaks.
        return _error(error, "BAD_USER_INPUT", _without_values(error.message), {}, path=False)
    if isinstance(original, AuthenticationError):
        return _error(error, "UNAUTHENTICATED", original.message, {"reason": original.code},
                      message_code=original.code)
    dependency = unavailable_dependency(original)
    if dependency is not None:  # e.g. an anonymous login while the database is away
        log.warning("%s unavailable in GraphQL request %s: %s", dependency, request_id,
                    type(original).__name__)
        if dependency != "database":
            return _error(error, "SERVICE_UNAVAILABLE", f"a service this request needs "
                          f"({dependency}) is unavailable; retry in a few seconds",
                          {"dependency": dependency}, path=False)
        return _error(error, "DATABASE_UNAVAILABLE",
                      "the database is unavailable; retry in a few seconds", {}, path=False)
    log.error("internal error in GraphQL request %s", request_id, exc_info=original)
    return _error(error, "INTERNAL", "Internal error", {"requestId": request_id})


_VARIABLE = re.compile(r"^Variable '(\$\w+)' (?:got|has) invalid value(.*)$", re.S)


def _without_values(message: str) -> str:
    """graphql-core quotes the rejected value ("Variable '$p' has invalid value: ...: [...]");
    a value may be a secret (a password sent with the wrong type), so only the variable and
    the reason are kept."""
    match = _VARIABLE.match(message)
    if not match:
        return message
    rest = match.group(2)
    if "; " in rest:  # "got invalid value <value>; <reason>"
        rest = rest.split("; ", 1)[1]
    rest = rest.lstrip(": ")
    reason = rest.split(": ", 1)[0].split(" at '", 1)[0].rstrip(".") or "wrong type"
    return f"Variable '{match.group(1)}' has an invalid value: {reason}."


class ErrorShaper(SchemaExtension):
    """Rewrites every error of an operation into the shape described above."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        token = current_locale.set(normalize(getattr(context, "locale", None)) or "en")
        try:
            yield
            self._shape_errors()
        finally:
            current_locale.reset(token)

    def _shape_errors(self) -> None:
        result = self.execution_context.result
        if not isinstance(result, ExecutionResult | GraphQLExecutionResult) or not result.errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "")
        result.errors = [_shape(e, request_id) for e in result.errors]
        codes = {(e.extensions or {}).get("code") for e in result.errors}
        response = getattr(context, "response", None)
        if "UNAUTHENTICATED" in codes and response is not None and result.data is None:
            response.status_code = 401
        if codes & {"DATABASE_UNAVAILABLE", "SERVICE_UNAVAILABLE"} and response is not None:
            response.status_code = 503
            response.headers["Retry-After"] = "5"
