"""The first N hits of a tantivy query in a total order: value descending, then tie-breaker.

The value is the score (or the publication date as YYYYMMDD); the tie-breaker is the
``key_order`` fast field (a 64-bit digest of the key, see :func:`.fields.key_order`), then the
key. tantivy's own top-K breaks ties by internal document address, which changes when segments
merge, so pages could repeat or skip tied hits. Here the hits strictly better than the N-th are
taken as they are and the tie group at the N-th position is completed exactly (by a search
ordered on ``key_order`` over that group), so every page of the same query holds each hit once,
in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import tantivy

__all__ = ["Ranked", "ranked_window"]

Occur = tantivy.Occur
TIE = "key_order"


@dataclass(frozen=True)
class Ranked:
    """A hit in the window: its sort value (score or YYYYMMDD), tie-breaker and address."""

    value: float
    tie: int
    address: tantivy.DocAddress

    def order(self) -> tuple[float, int]:
        return (-self.value, self.tie)


def ranked_window(searcher: tantivy.Searcher, schema: tantivy.Schema, query: tantivy.Query,
                  need: int, *, by_date: bool, scored: bool,
                  counts: list[int] | None = None) -> list[Ranked]:
    """The first ``need`` hits ordered by (value desc, tie asc).

    With ``counts`` (an empty list), the first engine search also counts the matches and
    appends the total: one pass for the count and the top hits instead of two."""
    counts = counts if counts is not None else [0]
    if need <= 0:
        return []
    if not by_date and not scored:  # every hit scores the same: the tie-breaker is the order
        return _by_tie(searcher, query, need, 0.0, skip=frozenset(), counts=counts)
    fetch = need
    while True:
        hits = _tied(searcher, _fetch(searcher, query, fetch, by_date, counts))
        if len(hits) < fetch:  # the whole result set is here
            return sorted(hits, key=Ranked.order)[:need]
        boundary = hits[need - 1].value
        better = sorted((h for h in hits if h.value > boundary), key=Ranked.order)
        rest = need - len(better)
        if hits[-1].value != boundary:  # the boundary tie group is complete
            group = sorted((h for h in hits if h.value == boundary), key=Ranked.order)
            return better + group[:rest]
        if by_date:
            same_day = tantivy.Query.range_query(schema, "pd", tantivy.FieldType.Integer,
                                                 int(boundary), int(boundary))
            group_query = tantivy.Query.boolean_query([(Occur.Must, query),
                                                       (Occur.Must, same_day)])
            return better + _by_tie(searcher, group_query, rest, boundary, skip=frozenset(),
                                    counts=[0])
        if boundary == 0.0:  # hits matched by filters only all score 0: order them by tie
            skip = frozenset(h.tie for h in better)
            return better + _by_tie(searcher, query, rest, 0.0, skip=skip, counts=[0])
        fetch *= 4


def _counted(result: tantivy.SearchResult, counts: list[int], count: bool) -> None:
    if count:  # tantivy's stub omits SearchResult.count, which the search sets (count=True)
        counts.append(int(result.count))  # type: ignore[attr-defined]


def _fetch(searcher: tantivy.Searcher, query: tantivy.Query, limit: int,
           by_date: bool, counts: list[int]) -> list[tuple[float, tantivy.DocAddress]]:
    count = not counts  # only the first search of a window counts
    if by_date:
        result = searcher.search(query, limit, count=count, order_by_field="pd",
                                 order=tantivy.Order.Desc)
    else:
        result = searcher.search(query, limit, count=count)
    _counted(result, counts, count)
    return [(float(value), address) for value, address in result.hits]


def _tied(searcher: tantivy.Searcher,
          hits: list[tuple[float, tantivy.DocAddress]]) -> list[Ranked]:
    ties = searcher.fast_field_values(TIE, [address for _, address in hits]) if hits else []
    return [Ranked(value, int(tie or 0), address) for (value, address), tie in zip(hits, ties,
                                                                                  strict=True)]


def _by_tie(searcher: tantivy.Searcher, query: tantivy.Query, limit: int, value: float,
            skip: frozenset[int], counts: list[int]) -> list[Ranked]:
    count = not counts
    result = searcher.search(query, limit + len(skip), count=count, order_by_field=TIE,
                             order=tantivy.Order.Asc)
    _counted(result, counts, count)
    ranked = [Ranked(value, int(tie), address) for tie, address in result.hits
              if tie not in skip]
    return ranked[:limit]
