"""Semantic and hybrid ranking for the API: an offline model trained on the stored documents.

The semantic index is derived data, like the full-text index: it is (re)built from the
database when the collections it covers have changed (document counts or update times), in
this process, bounded to ``MAX_SEMANTIC_DOCS`` documents. Semantic and hybrid results are one
page (no cursor): the top ``first`` of the fused list.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from sqlalchemy import select

from .access import collection_scope
from .models import Collection, PatentDocument
from .search import Hit, IndexDoc, InvalidCursorError, SearchPage, SearchRequest
from .store import backend, document_record

__all__ = ["MAX_SEMANTIC_DOCS", "ranked_search", "semantic_index"]

MAX_SEMANTIC_DOCS = 200_000
_LOCK = threading.Lock()


async def _state(platform: Any) -> tuple:
    async with platform.db.system_session("patent_search: semantic index state") as session:
        rows = (await session.execute(select(Collection.id, Collection.document_count,
                                             Collection.updated_at).order_by(Collection.id)))
        return tuple((r[0], r[1], str(r[2])) for r in rows)


async def semantic_index(platform: Any) -> Any:
    """The process's semantic index, rebuilt when the stored collections changed."""
    from .semantic import SemanticIndex

    state = await _state(platform)
    cached = platform.extras.get("patent_search.semantic")
    if cached is not None and cached[0] == state:
        return cached[1]
    async with platform.db.system_session("patent_search: semantic index build") as session:
        docs = [IndexDoc.of(d.tenant_id, d.collection_id, document_record(d))
                for d in (await session.execute(select(PatentDocument).limit(MAX_SEMANTIC_DOCS)
                                                )).scalars()]

    def build() -> Any:
        index = SemanticIndex(platform.settings.data_dir / "patent-semantic")
        if docs:
            index.fit_documents(docs)
            index.add(docs)
        return index

    with _LOCK:
        index = await asyncio.to_thread(build)
    platform.extras["patent_search.semantic"] = (state, index)
    return index


async def ranked_search(platform: Any, tenant_id: str, request: SearchRequest,
                        mode: str) -> SearchPage:
    """Semantic (``mode="semantic"``) or hybrid (BM25 fused with semantic) results."""
    from .semantic import hybrid

    if request.cursor:
        raise InvalidCursorError("semantic and hybrid results are a single page; "
                                 "use bm25 to page through results")
    index = await semantic_index(platform)
    semantic = index.search(request.query, request.collection_ids, 100)
    engine = backend(platform)
    bm25_hits: dict[str, Hit] = {}
    bm25: list[tuple[str, float]] = []
    if mode == "hybrid":
        try:
            page = engine.search(SearchRequest(query=request.query,
                                               collection_ids=request.collection_ids,
                                               limit=100, highlight=request.highlight))
            bm25 = [(h.key, h.score) for h in page.hits]
            bm25_hits = {h.key: h for h in page.hits}
        except ValueError:
            bm25 = []  # a free text that is not a valid query still ranks semantically
        ranked = hybrid(bm25, semantic, request.limit)
    else:
        ranked = semantic[:request.limit]
    missing = [k for k, _ in ranked if k not in bm25_hits]
    details = await _hits(platform, tenant_id, missing)
    hits = []
    for key, score in ranked:
        hit = bm25_hits.get(key) or details.get(key)
        if hit is not None:
            hit.score = float(score)
            hits.append(hit)
    return SearchPage(hits=hits, total=len(hits), next_cursor=None, facets={})


async def _hits(platform: Any, tenant_id: str, keys: list[str]) -> dict[str, Hit]:
    if not keys:
        return {}
    pairs = [k.split(":", 1) for k in keys]
    async with platform.db.session(collection_scope(platform, tenant_id),
                                   readonly=True) as session:
        rows = (await session.execute(select(PatentDocument).where(
            PatentDocument.collection_id.in_({c for c, _ in pairs}),
            PatentDocument.publication_number.in_({p for _, p in pairs})))).scalars().all()
    out = {}
    for d in rows:
        key = f"{d.collection_id}:{d.publication_number}"
        out[key] = Hit(key=key, collection_id=d.collection_id,
                       publication_number=d.publication_number, title=d.title, score=0.0,
                       publication_date=d.publication_date, cpc=list(d.cpc),
                       assignees=list(d.assignees or d.applicants), jurisdiction=d.country)
    return out
