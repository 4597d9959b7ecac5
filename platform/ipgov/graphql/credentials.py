"""One credential check per operation and per HTTP request, each charged to the rate limit.

A credential check is a root field that verifies or sets a secret (sign-in, password change
and reset, invitation acceptance, refresh): argon2 costs ~0.1 s of CPU, so 30 aliased
``login`` fields in a batch of 3 would cost 90 checks for one request counted once. Such fields
carry ``CREDENTIAL_CHECK`` in their metadata; ``OneCredentialCheckRule`` refuses an operation
that selects more than one (aliases and fragments included) before anything runs, and
``credential_check`` refuses the second one of a request (a batch of operations shares one
context) and charges each check to the client address's rate limit.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

from ipgov.errors import DomainError
from ipgov.web.ratelimit import rate_limits

__all__ = ["CREDENTIAL_CHECK", "CredentialCheckLimit", "OneCredentialCheckRule",
           "credential_check"]

CREDENTIAL_CHECK = {"ipgov.credential_check": True}
"""Metadata of a field that checks a credential: ``strawberry.mutation(metadata=...)``."""


class CredentialCheckLimit(DomainError):
    """A request asked for more than one credential check."""

    code = "CREDENTIAL_CHECK_LIMIT"


def _is_credential_field(parent: Any, name: str) -> bool:
    field = getattr(parent, "fields", {}).get(name) if parent is not None else None
    definition = (getattr(field, "extensions", None) or {}).get("strawberry-definition")
    return bool(definition is not None and (definition.metadata or {}).get(
        "ipgov.credential_check"))


class OneCredentialCheckRule(ValidationRule):
    """At most one credential-checking root field per operation (fragments walked once)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        root = self.context.schema.get_root_type(node.operation)
        count = self._count(node.selection_set, root, set())
        if count > 1:
            self.report_error(GraphQLError(
                f"an operation may check one credential (sign-in, password, invitation), "
                f"not {count}", node, extensions={"code": CredentialCheckLimit.code}))

    def _count(self, selections: SelectionSetNode, root: Any, seen: set[str]) -> int:
        count = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                count += _is_credential_field(root, selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                count += self._count(selection.selection_set, root, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    count += self._count(fragment.selection_set, root, seen)
        return count


async def credential_check(context: Any) -> None:
    """Admit one credential check for this HTTP request and charge it to the client address;
    ``CredentialCheckLimit`` for a second one, ``RATE_LIMITED`` when over the budget."""
    if context.credential_checks >= 1:
        raise CredentialCheckLimit("a request may check one credential; send the others in "
                                   "separate requests")
    context.credential_checks += 1
    client = context.client_address or "unknown"
    rejection = await rate_limits(context.platform).hit("client", client)
    if rejection is not None:
        raise DomainError(f"too many requests from this address; retry in "
                          f"{rejection.retry_after} s", code="RATE_LIMITED",
                          details={"seconds": rejection.retry_after})
