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
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

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


def _message(exc: DomainError) -> str:
    """``exc``'s message in the request's language: the catalog entry named by
    ``details["message_code"]`` (a reason more precise than the stable code) or by its code."""
    return localized(exc.details.get("message_code") or exc.code, exc.message, _params(exc))


def _field_errors(exc: DomainError) -> list[DomainError]:
    return list(getattr(exc, "field_errors", None) or [exc])


def user_errors(exc: DomainError) -> list[UserError]:
    """The payload errors for a domain error, in the request's language: one per bad field
    when the input had several (``ipgov.validation.FieldErrors``)."""
    return [UserError(code=e.code, message=_message(e), field=e.field, message_en=e.message)
            for e in _field_errors(exc)]


def _field_error_extensions(exc: DomainError) -> dict[str, Any]:
    """``extensions.fieldErrors`` of a top-level error for an input with several bad fields."""
    errors = _field_errors(exc)
    if len(errors) < 2:
        return {}
    return {"fieldErrors": [{"code": e.code, "field": e.field, "messageEn": e.message,
                             "message": _message(e)} for e in errors]}


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
        ext.update(_field_error_extensions(original))
        return _error(error, original.code, original.message, ext, _params(original),
                      message_code=original.details.get("message_code"))
    if isinstance(original, InvalidOperationTypeError):  # e.g. a query over the WebSocket
        return _operation_not_allowed(error, original.operation_type)
    if isinstance(original, GraphQLError):  # a variable or argument refused in coercion, e.g.
        # "Argument 'first' has invalid value: Expected variable '$f' ... not to be None."
        return _error(error, "BAD_USER_INPUT", _without_values(error.message), {},
                      path=error.path is not None)
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


def _operation_not_allowed(error: GraphQLError, kind: OperationType) -> GraphQLError:
    if kind is OperationType.SUBSCRIPTION:
        english = ("subscriptions run over a WebSocket (graphql-transport-ws) at the GraphQL "
                   "path, not over HTTP")
        return _error(error, "OPERATION_NOT_ALLOWED", english, {}, path=False,
                      message_code="SUBSCRIPTIONS_OVER_WEBSOCKET")
    english = ("the WebSocket carries subscriptions only: send queries and mutations with "
               "HTTP POST to the GraphQL path")
    return _error(error, "OPERATION_NOT_ALLOWED", english, {}, path=False)


_VARIABLE = re.compile(
    r"^Variable '(\$\w+)' (?:got invalid value .*? at '[^'.]*\.?([^']*)'; "
    r"|got invalid value .*?; |has invalid value(?: at \.?([^:]*))?: )(.*)$", re.S)
_ENUM = re.compile(r"^Value .* does not exist in '(\w+)' enum\.?(.*)$", re.S)


def _without_values(message: str) -> str:
    """graphql-core quotes the rejected value ("... invalid value at .p: String cannot
    represent a non string value: [...]"); a value may be a secret (a password sent with the
    wrong type), so the variable, the path inside it and the reason are kept, the value not.
    The platform's own scalars (``ipgov.graphql.scalars``) give reasons without the value."""
    match = _VARIABLE.match(message)
    if not match:
        return message
    variable, path, reason = match.group(1), match.group(2) or match.group(3), match.group(4)
    enum = _ENUM.match(reason)
    if enum:
        reason = f"not one of the values of the {enum.group(1)} enum{enum.group(2)}"
    elif " value: " in reason:  # "Int cannot represent non-integer value: 'x'"
        reason = reason.split(" value: ", 1)[0] + " value"
    reason = reason.strip().rstrip(".") or "wrong type"
    where = f" at {path}" if path else ""
    return f"Variable '{variable}' has an invalid value{where}: {reason}."


class ErrorShaper(SchemaExtension):
    """Rewrites every error of an operation into the shape described above."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        token = current_locale.set(normalize(getattr(context, "locale", None)) or "en")
        try:
            yield
            self._shape_errors(self.execution_context.result)
        finally:
            current_locale.reset(token)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Each result a subscription streams, shaped before it is sent."""
        self._shape_errors(result)
        yield

    def _shape_errors(self, result: Any) -> None:
        if not isinstance(result, ExecutionResult | GraphQLExecutionResult) or not result.errors:
            return
        shaped: set[int] = self.__dict__.setdefault("_shaped", set())  # results shaped as
        if id(result) in shaped:  # they streamed (subscriptions), not again at the end
            return
        shaped.add(id(result))
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
