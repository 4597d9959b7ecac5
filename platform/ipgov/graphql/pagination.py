"""Relay-style cursor connections with keyset pagination, a bounded page size and signed
cursors (one codec for every list of the core and the plugins)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.errors import InvalidInput

from .cursors import decode_cursor, encode_cursor, list_kind, typed_values
from .permissions import public

__all__ = ["Connection", "Edge", "PageInfo", "check_page_size", "decode_cursor", "encode_cursor",
           "paginate"]

NodeT = TypeVar("NodeT")


@strawberry.type(description="Where a page stands in its list.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="One item of a page and the cursor just after it.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="A page of a list; ask for the next with `after: endCursor`.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo

    @strawberry.field(description="The items of this page, without cursors.",
                      extensions=public())  # the field returning the page checked access
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def check_page_size(first: int | None, maximum: int) -> int:
    """``first`` must be 1..maximum; a clear error otherwise (``null`` included)."""
    if first is None or first < 1 or first > maximum:
        got = "null" if first is None else first
        raise InvalidInput(f"first must be between 1 and {maximum}, got {got}",
                           code="PAGE_SIZE", field="first",
                           details={"maximum": maximum, "value": got})  # bounds, any language
    return first


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    order: Sequence[Any],
    *,
    first: int,
    after: str | None,
    maximum: int,
    to_node: Callable[[Any], Any],
    key: Callable[[Any], Sequence[Any]],
    descending: bool = False,
) -> Connection[Any]:
    """Run ``stmt`` ordered by ``order`` (unique as a whole; ascending, or descending when
    asked: a log read newest first) after ``after``."""
    check_page_size(first, maximum)
    kind = list_kind(order)
    if after:
        values = typed_values(order, decode_cursor(after, len(order), kind))
        stmt = stmt.where(_after(order, values, descending))
    ordered = [c.desc() for c in order] if descending else list(order)
    rows = list((await session.execute(stmt.order_by(*ordered).limit(first + 1))).scalars())
    edges = [Edge(cursor=encode_cursor(key(r), kind), node=to_node(r)) for r in rows[:first]]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=len(rows) > first,
                           end_cursor=edges[-1].cursor if edges else None),
    )


def _after(order: Sequence[Any], values: Sequence[Any], descending: bool = False) -> Any:
    """Row-value comparison ``(a, b, ...) > (x, y, ...)`` (``<`` descending) spelt portably."""
    clauses = []
    for i, column in enumerate(order):
        equal = [order[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal, column < values[i] if descending else column > values[i]))
    return or_(*clauses)
