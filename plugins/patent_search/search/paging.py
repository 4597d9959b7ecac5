"""What both backends do around the engine call: bounds, cursors, empty scopes, facet buckets."""

from __future__ import annotations

from patent_search.search.cpc import CpcScheme
from patent_search.search.cursor import CursorCodec, CursorPosition
from patent_search.search.model import (
    FacetCount,
    SearchRequest,
    check_window,
    validate_request,
)

__all__ = ["begin_page", "buckets"]


def begin_page(request: SearchRequest, cursors: CursorCodec) -> tuple[CursorPosition | None, int]:
    """Check the request and its cursor; the position to resume after and its offset."""
    validate_request(request)
    position = cursors.decode(request)
    offset = position.offset if position else 0
    check_window(offset, request.limit)
    return position, offset


def buckets(cpc: CpcScheme, by: str, counts: list[tuple[str, int]]) -> list[FacetCount]:
    """Facet counts, largest first then by symbol, CPC symbols titled from the scheme.

    Year 0 (publication date unknown) is left out.
    """
    kept = [(symbol, count) for symbol, count in counts if not (by == "year" and symbol == "0")]
    return [FacetCount(symbol, (cpc.title(symbol) if by.startswith("cpc") else "") or symbol,
                       count)
            for symbol, count in sorted(kept, key=lambda c: (-c[1], c[0]))]
