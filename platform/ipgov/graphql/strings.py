"""One rule for every string the API receives: no NUL character, no unpaired surrogate.

PostgreSQL cannot store U+0000 in text and no driver can encode a lone surrogate
(U+D800-U+DFFF) as UTF-8; SQLite would store the NUL and hand it to every reader. Instead of a
check in each resolver, this extension looks at every string of an operation before it runs:
string literals of the document (arguments, input objects, lists, variable defaults) and
every string inside the variables (``String``, ``ID``, ``JSON`` alike), and refuses the
operation with ``BAD_TEXT`` naming where the string is. Nothing runs, nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

__all__ = ["StringInputRule", "bad_text_reason", "find_bad_string"]

_BAD = re.compile("[\x00\ud800-\udfff]")


def bad_text_reason(text: str) -> str | None:
    """Why ``text`` cannot be accepted (``None`` when it can)."""
    match = _BAD.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return "contains a NUL character (U+0000)"
    return f"contains an unpaired surrogate (U+{ord(match.group()):04X}), not a character"


def _in_variables(variables: Any) -> tuple[str, str] | None:
    """(where, reason) of the first bad string (keys included) in the variables."""
    stack: list[tuple[str, Any]] = [("$", variables)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            reason = bad_text_reason(value)
            if reason:
                return where, reason
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}{key}" if where == "$" else f"{where}.{key}"
                reason = bad_text_reason(str(key))
                if reason:
                    return name, f"has a key that {reason}"
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return None


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: tuple[StringValueNode, str, str] | None = None

    def enter_string_value(self, node: StringValueNode, _key: Any, parent: Any,
                           *_args: Any) -> Any:
        reason = bad_text_reason(node.value)
        if reason and self.found is None:
            name = getattr(getattr(parent, "name", None), "value", None) or "a string literal"
            self.found = (node, name, reason)
            return Visitor.BREAK
        return None


def find_bad_string(document: Any, variables: Any) -> GraphQLError | None:
    """The ``BAD_TEXT`` error for the first bad string of an operation, if any."""
    if document is not None:
        literals = _Literals()
        visit(document, literals)
        if literals.found is not None:
            node, name, reason = literals.found
            return GraphQLError(f"the text given for {name} {reason}", nodes=[node],
                                extensions={"code": "BAD_TEXT", "field": name})
    if variables:
        found = _in_variables(variables)
        if found is not None:
            where, reason = found
            return GraphQLError(f"the text given in variable {where} {reason}",
                                extensions={"code": "BAD_TEXT", "field": where})
    return None


class StringInputRule(SchemaExtension):
    """Refuses an operation carrying a NUL or an unpaired surrogate in any string."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        error = find_bad_string(context.graphql_document, context.variables)
        if error is not None:
            context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield
