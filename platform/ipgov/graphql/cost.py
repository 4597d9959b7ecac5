"""What a GraphQL document costs, computed once and in linear time before any other validation.

Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` walk every path through fragment
spreads: ``fragment F{i} on Query { ...F{i+1} ...F{i+1} }`` makes them visit 2^n spreads (n = 18
took 8 s, n = 30 hung a process). Here each fragment's cost (depth, aliases, fields once
expanded) is computed once, children before parents, and reused at every spread, so the whole
document costs one pass over its text whatever the fan-out. The limits and their messages are
the same as Strawberry's (``IPGOV_GRAPHQL_MAX_DEPTH``, ``IPGOV_GRAPHQL_MAX_ALIASES``, code
``GRAPHQL_VALIDATION``); on top, ``IPGOV_GRAPHQL_MAX_FIELDS`` bounds the fields the document
selects once expanded (code ``QUERY_TOO_COMPLEX``).

Only a document within budget reaches graphql-core's own rules, and those run under a deadline
(``IPGOV_GRAPHQL_VALIDATION_TIMEOUT_SECONDS``): a large document is validated in a worker thread
so the event loop keeps answering (``/healthz`` included), and a validation past its deadline
is abandoned with ``QUERY_TOO_COMPLEX``.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from ipgov.settings import Settings

__all__ = ["Cost", "DocumentCost", "cost_errors", "document_cost"]

CAP = 10**15  # costs saturate here: 2^1000 spreads need no exact count to be refused
#: Pairs of fields sharing a response name within one selection set: graphql-core compares
#: each pair (800 copies of ``me { id }`` took 1.3 s to validate); legitimate documents repeat
#: a name a handful of times.
MAX_OVERLAPS = 10_000
INLINE_FIELDS = 200  # documents up to this size are validated on the event loop itself
QUEUE_WAIT = 4  # a large document waits at most 4 deadlines (+1 s) for a validation thread
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ipgov-graphql-validation")


@dataclass(frozen=True)
class Cost:
    """``depth``: deepest chain of fields with selections (introspection not counted, as
    Strawberry's limiter); ``aliases`` and ``fields``: counted once per expansion."""

    depth: int = 0
    aliases: int = 0
    fields: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(max(self.depth, other.depth), min(CAP, self.aliases + other.aliases),
                    min(CAP, self.fields + other.fields))


ZERO = Cost()


def _nested_sets(root: SelectionSetNode) -> list[SelectionSetNode]:
    """Every selection set under ``root`` (itself included), parents before children."""
    order, stack = [], [root]
    while stack:
        current = stack.pop()
        order.append(current)
        stack.extend(s.selection_set for s in current.selections
                     if isinstance(s, (FieldNode, InlineFragmentNode)) and s.selection_set)
    return order


def _field_cost(field: FieldNode, child: Cost) -> Cost:
    alias = 1 if field.alias else 0
    if field.selection_set is None:
        return Cost(0, alias, 1)
    depth = 0 if field.name.value.startswith("__") else child.depth + 1
    return Cost(depth, min(CAP, child.aliases + alias), min(CAP, child.fields + 1))


def _pairs(names: Counter[str]) -> int:
    return min(CAP, sum(k * (k - 1) // 2 for k in names.values()))


class _Costing:
    """Costs and top-level response names of each fragment, computed once; ``overlaps``
    counts pairs of fields sharing a response name in one selection set (what graphql-core's
    OverlappingFieldsCanBeMergedRule compares pairwise)."""

    def __init__(self) -> None:
        self.costs: dict[str, Cost] = {}
        self.names: dict[str, Counter[str]] = {}
        self.overlaps = 0

    def selection(self, root: SelectionSetNode) -> tuple[Cost, Counter[str]]:
        """The cost and response names of ``root``, children before parents, no recursion."""
        done: dict[int, tuple[Cost, Counter[str]]] = {}
        for current in reversed(_nested_sets(root)):
            total, names = ZERO, Counter[str]()
            for selection in current.selections:
                if isinstance(selection, FragmentSpreadNode):
                    total += self.costs.get(selection.name.value, ZERO)
                    _add(names, self.names.get(selection.name.value, Counter()))
                elif isinstance(selection, InlineFragmentNode):
                    inner, inner_names = done[id(selection.selection_set)]
                    total += inner
                    _add(names, inner_names)
                elif isinstance(selection, FieldNode):
                    child = (done[id(selection.selection_set)][0] if selection.selection_set
                             else ZERO)
                    total += _field_cost(selection, child)
                    names[(selection.alias or selection.name).value] += 1
            self.overlaps = min(CAP, self.overlaps + _pairs(names))
            done[id(current)] = (total, names)
        return done[id(root)]


def _add(names: Counter[str], more: Counter[str]) -> None:
    for name, count in more.items():
        names[name] = min(CAP, names[name] + count)


def _spreads(root: SelectionSetNode) -> Iterator[str]:
    for current in _nested_sets(root):
        for selection in current.selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value


def _post_order(definitions: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Fragment names, each after the fragments it spreads (a spread closing a cycle is
    skipped: graphql-core's NoFragmentCyclesRule reports it)."""
    edges = {name: list(dict.fromkeys(_spreads(d.selection_set)))
             for name, d in definitions.items()}
    done: set[str] = set()
    order: list[str] = []
    for root in edges:
        if root in done:
            continue
        path, on_path = [(root, iter(edges[root]))], {root}
        while path:
            name, pending = path[-1]
            nxt = next((s for s in pending if s in edges and s not in done
                        and s not in on_path), None)
            if nxt is None:
                path.pop()
                on_path.discard(name)
                done.add(name)
                order.append(name)
            else:
                path.append((nxt, iter(edges[nxt])))
                on_path.add(nxt)
    return order


def document_cost(document: DocumentNode) -> tuple[dict[str, Cost], int]:
    """The cost of each operation of ``document`` (by name; ``anonymous`` for unnamed ones),
    every fragment costed once, and the pairs of same-named fields compared in validation."""
    definitions = {d.name.value: d for d in document.definitions
                   if isinstance(d, FragmentDefinitionNode)}
    costing = _Costing()
    for name in _post_order(definitions):
        costing.costs[name], costing.names[name] = costing.selection(
            definitions[name].selection_set)
    operations = {(d.name.value if d.name else "anonymous"): costing.selection(d.selection_set)[0]
                  for d in document.definitions if isinstance(d, OperationDefinitionNode)}
    return operations, costing.overlaps


def _too_complex(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX"})


def cost_errors(document: DocumentNode, settings: Settings) -> tuple[list[GraphQLError], Cost]:
    """The limits ``document`` breaks (depth per operation, aliases and fields over all
    operations, as Strawberry counts them), and its total cost."""
    costs, overlaps = document_cost(document)
    total = sum(costs.values(), ZERO)
    nodes = {(d.name.value if d.name else "anonymous"): d for d in document.definitions
             if isinstance(d, OperationDefinitionNode)}
    errors = [GraphQLError(f"'{name}' exceeds maximum operation depth of "
                           f"{settings.graphql_max_depth}", [nodes[name]])
              for name, cost in costs.items() if cost.depth > settings.graphql_max_depth]
    if total.aliases > settings.graphql_max_aliases:
        errors.append(GraphQLError(f"{total.aliases} aliases found. "
                                   f"Allowed: {settings.graphql_max_aliases}"))
    if total.fields > settings.graphql_max_fields:
        shown = f"{total.fields:,}" if total.fields < CAP else f"more than {CAP:,}"
        errors.append(_too_complex(f"the document selects {shown} fields once its fragments "
                                   f"are expanded; at most {settings.graphql_max_fields}"))
    if overlaps > MAX_OVERLAPS:
        errors.append(_too_complex(f"the document repeats field names too often (more than "
                                   f"{MAX_OVERLAPS:,} pairs of fields with one response name "
                                   f"in a selection); merge or alias the repeated fields"))
    return errors, total


def _deadline_rule(seconds: float) -> type[ValidationRule]:
    """A rule that aborts validation once it has used ``seconds`` of its thread's CPU time
    (checked at every node). CPU time, not the clock: on a busy machine an ordinary document
    waits for the processor longer than it computes, and must not be refused for that; a
    document that is expensive to validate costs CPU wherever it runs."""

    class Deadline(ValidationRule):
        def __init__(self, context: Any) -> None:
            super().__init__(context)
            self.until = time.thread_time() + seconds  # in the thread that validates

        def enter(self, *_args: Any) -> None:
            if time.thread_time() > self.until:
                raise ValidationAbortedError(
                    f"validating this document took longer than {seconds:g} s",
                    extensions={"code": "QUERY_TOO_COMPLEX"})

    return Deadline


def _validate(schema: Any, document: DocumentNode, rules: Iterable[Any]) -> list[GraphQLError]:
    from strawberry.schema.schema import validate_document

    return validate_document(schema, document, tuple(rules))


class DocumentCost(SchemaExtension):
    """Refuses over-budget documents before any other validation, then runs the validation
    rules under a deadline (see the module docstring)."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings

    async def on_validate(self) -> Any:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.pre_execution_errors is None:
            errors, total = cost_errors(document, self.settings)
            ctx.pre_execution_errors = errors or await self._bounded(ctx, document, total)
        yield

    async def _bounded(self, ctx: Any, document: DocumentNode,
                       total: Cost) -> list[GraphQLError]:
        seconds = self.settings.graphql_validation_timeout_seconds
        rules = (*ctx.validation_rules, _deadline_rule(seconds))
        if total.fields <= INLINE_FIELDS:
            return _validate(ctx.schema._schema, document, rules)
        run = contextvars.copy_context().run
        future = asyncio.get_running_loop().run_in_executor(
            _POOL, run, _validate, ctx.schema._schema, document, rules)
        try:  # the clock bounds the wait for a free validation thread, generously: a busy
            # machine slows every thread, only hostile documents fill the pool for long
            return await asyncio.wait_for(asyncio.shield(future), QUEUE_WAIT * seconds + 1)
        except TimeoutError:  # waiting for a free validation thread took the time
            return [_too_complex(f"validating this document took longer than {seconds:g} s")]
