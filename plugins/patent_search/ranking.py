"""Semantic and hybrid ranking for the API: an offline model trained on the stored documents.

The semantic index is derived data, like the full-text index: persisted under the data
directory and kept in step with the database incrementally (see :mod:`.semantic_sync`).
Semantic and hybrid results are one page (no cursor): the top ``first`` of the fused list.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ipgov.api import PlatformContext

from .documents import documents_by_keys
from .search import (
    Hit,
    InvalidCursorError,
    SearchNotice,
    SearchPage,
    SearchRequest,
)
from .search.model import MODES
from .semantic import hybrid
from .semantic_sync import semantic_index
from .store import backend

__all__ = ["MODES", "ranked_search", "search_page", "semantic_index"]

CANDIDATES = 100  # per ranking, before fusion


async def search_page(platform: PlatformContext, tenant_id: str, request: SearchRequest,
                      mode: str) -> SearchPage:
    """One page of results in ``mode`` (``bm25``, ``semantic`` or ``hybrid``): what the API
    and the command line both answer."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "bm25":  # off the event loop: other requests go on while the engine works
        return await asyncio.to_thread(backend(platform).search, request)
    return await ranked_search(platform, tenant_id, request, mode)


async def ranked_search(platform: PlatformContext, tenant_id: str, request: SearchRequest,
                        mode: str) -> SearchPage:
    """Semantic (``mode="semantic"``) or hybrid (BM25 fused with semantic) results.

    The model never makes a query silently return nothing: when it knows none of the query's
    words (frequent words are dropped when it is fitted), the page is ranked by BM25 and a
    notice says so; words it ignores are named. ``total`` is exact for BM25 and a lower bound
    (``total_relation="gte"``) where semantic candidates count."""
    if request.cursor:
        raise InvalidCursorError("semantic and hybrid results are a single page; "
                                 "use bm25 to page through results")
    index = await semantic_index(platform)
    found = await asyncio.to_thread(index.search, request.query, request.collection_ids,
                                    CANDIDATES)
    semantic = [(k, s) for k, s in found if s > 0]
    notices = _semantic_notices(index, request.query, found=bool(semantic))
    bm25, error = await asyncio.to_thread(_bm25, backend(platform), request)
    ranked, ranked_by, total, relation = _choose(mode, request.limit, semantic, bm25)
    if bm25 is not None:
        notices.extend(bm25.notices)
    if error is not None and mode == "hybrid":  # never dropped from hybrid without a word
        notices.append(SearchNotice("QUERY_NOT_BM25", f"not a fielded query ({error}): ranked "
                                    "by the semantic model only", params={"error": str(error)}))
    if not ranked and error is not None:
        raise error
    hits = await _page_hits(platform, tenant_id, ranked, bm25)
    await _highlight(backend(platform), request, hits)
    return SearchPage(hits=hits, total=total, next_cursor=None,
                      facets=bm25.facets if bm25 else {}, total_relation=relation,
                      ranked_by=ranked_by, notices=notices,
                      facet_missing=bm25.facet_missing if bm25 else {})


async def _highlight(engine: Any, request: SearchRequest, hits: list[Hit]) -> None:
    """Snippets for the returned page only (an engine with ``highlight``; the others made
    them for every BM25 candidate), semantic-only hits included when the query parses."""
    if not request.highlight or not hits or not hasattr(engine, "highlight"):
        return
    try:
        found = await asyncio.to_thread(engine.highlight, request, [h.key for h in hits])
    except ValueError:  # a query that does not parse has nothing to highlight
        return
    for hit in hits:
        hit.snippets = found.get(hit.key, hit.snippets)


def _bm25(engine: Any, request: SearchRequest) -> tuple[SearchPage | None, ValueError | None]:
    """The BM25 candidates (and facets) of the query, or why it is not a valid query."""
    highlight = request.highlight and not hasattr(engine, "highlight")  # else: page only
    try:
        return engine.search(SearchRequest(query=request.query,
                                           collection_ids=request.collection_ids,
                                           limit=CANDIDATES, highlight=highlight,
                                           facets=request.facets, syntax=request.syntax)), None
    except ValueError as exc:  # a free text that is no valid query still ranks semantically
        return None, exc


def _choose(mode: str, limit: int, semantic: list[tuple[str, float]],
            bm25: SearchPage | None) -> tuple[list[tuple[str, float]], str, int, str]:
    """(ranked keys, ranking applied, total, total relation) for the mode and what each
    ranking found."""
    lexical = [(h.key, h.score) for h in bm25.hits] if bm25 else []
    matched = bm25.total if bm25 else 0
    if semantic and mode == "hybrid" and lexical:
        union = len({k for k, _ in lexical} | {k for k, _ in semantic})
        return hybrid(lexical, semantic, limit), "hybrid", max(matched, union), "gte"
    if semantic:
        relation = "gte" if len(semantic) >= CANDIDATES else "eq"
        return semantic[:limit], "semantic", len(semantic), relation
    return lexical[:limit], "bm25", matched, "eq"


def _semantic_notices(index: Any, query: str, *, found: bool) -> list[SearchNotice]:
    """Why the semantic ranking is missing or partial, naming the words it cannot use."""
    if not len(index):
        return [SearchNotice("SEMANTIC_INDEX_EMPTY", "the semantic index holds no documents "
                             "yet: ranked by BM25", params={"empty": "1"})]
    unknown = index.unknown_terms(query)
    words = ", ".join(unknown[:10])
    if not found:
        why = "too frequent or too rare in the stored documents to be part of it"
        reason = f" ({words}: {why})" if unknown else ""
        return [SearchNotice("SEMANTIC_QUERY_UNKNOWN", "the semantic model knows no word of "
                             f"this query{reason}: ranked by BM25 instead",
                             params={"words": words or "-"})]
    if unknown:
        return [SearchNotice("SEMANTIC_TERMS_IGNORED", f"the semantic ranking ignored {words} "
                             "(not in the model's vocabulary)", params={"words": words})]
    return []


async def _page_hits(platform: PlatformContext, tenant_id: str, ranked: list[tuple[str, float]],
                     bm25: SearchPage | None) -> list[Hit]:
    """The hits of the ranked keys, with snippets where BM25 made them."""
    known = {h.key: h for h in bm25.hits} if bm25 else {}
    details = await _hits(platform, tenant_id, [k for k, _ in ranked if k not in known])
    hits = []
    for key, score in ranked:
        hit = known.get(key) or details.get(key)
        if hit is not None:
            hit.score = float(score)
            hits.append(hit)
    return hits


async def _hits(platform: PlatformContext, tenant_id: str, keys: list[str]) -> dict[str, Hit]:
    if not keys:
        return {}
    pairs = [(c, p) for c, p in (k.split(":", 1) for k in keys)]
    rows = await documents_by_keys(platform, tenant_id, pairs)
    out = {}
    for d in rows:
        key = f"{d.collection_id}:{d.publication_number}"
        out[key] = Hit(key=key, collection_id=d.collection_id,
                       publication_number=d.publication_number, title=d.title, score=0.0,
                       publication_date=d.publication_date, cpc=list(d.cpc),
                       assignees=list(d.assignees or d.applicants), jurisdiction=d.country)
    return out
