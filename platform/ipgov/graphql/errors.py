"""GraphQL error shaping: stable codes in ``extensions``, internal errors masked.

Expected failures (``DomainError``, authentication errors) keep their message and carry
``extensions.code`` (and ``field`` where one is at fault). Anything else becomes
"Internal error" with code ``INTERNAL`` and the request id, and is logged in full.
Mutations report validation failures as data: their payloads carry ``errors: [UserError!]!``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from ipgov.errors import DomainError
from ipgov.identity.tokens import AuthenticationError

__all__ = ["ErrorShaper", "UserError", "user_errors"]

log = logging.getLogger("ipgov.graphql")


@strawberry.type(description="A problem with the input of a mutation; nothing was changed.")
class UserError:
    code: str = strawberry.field(description="Stable, language-neutral error code.")
    message: str = strawberry.field(description="What went wrong, for a person.")
    field: str | None = strawberry.field(default=None, description="The input field at fault.")


def user_errors(exc: DomainError) -> list[UserError]:
    """The payload errors for a domain error."""
    return [UserError(code=exc.code, message=exc.message, field=exc.field)]


def _shape(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    if original is None:
        extensions = dict(error.extensions or {})
        extensions.setdefault("code", "GRAPHQL_VALIDATION")
        error.extensions = extensions
        return error
    if isinstance(original, DomainError):
        ext = {"code": original.code}
        if original.field:
            ext["field"] = original.field
        return GraphQLError(original.message, error.nodes, error.source, error.positions,
                            error.path, None, ext)
    if error.path is None and not isinstance(original, AuthenticationError):
        # Raised while coercing the request (a variable of the wrong shape), not by a resolver:
        # graphql-core's message says which variable and why; nothing internal leaks.
        return GraphQLError(error.message, error.nodes, error.source, error.positions, None,
                            None, {"code": "BAD_USER_INPUT"})
    if isinstance(original, AuthenticationError):
        return GraphQLError(original.message, error.nodes, error.source, error.positions,
                            error.path, None, {"code": "UNAUTHENTICATED",
                                               "reason": original.code})
    log.error("internal error in GraphQL request %s", request_id, exc_info=original)
    return GraphQLError("Internal error", error.nodes, error.source, error.positions,
                        error.path, None, {"code": "INTERNAL", "requestId": request_id})


class ErrorShaper(SchemaExtension):
    """Rewrites every error of an operation into the shape described above."""

    def on_operation(self) -> Iterator[None]:
        yield
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
