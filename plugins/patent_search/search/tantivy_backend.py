"""The embedded search backend: a tantivy index on local disk (or in memory for tests).

Writes: tantivy allows one writer per index across processes, so each batch opens the writer,
commits and releases it at once (a per-process lock serialises this process's batches; another
process's writer is waited for with backoff on ``LockBusy``). Readers reload after each commit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

import tantivy

from patent_search.search.cpc import CpcScheme
from patent_search.search.cursor import CursorCodec, CursorPosition
from patent_search.search.fields import FACET_FIELDS, TEXT_BOOSTS, number_date
from patent_search.search.freetext import read_query
from patent_search.search.highlight import (
    byte_to_char_ranges,
    cjk_runs_for,
    positive_text_leaves,
    snippet,
)
from patent_search.search.model import (
    FACET_KEYS,
    FacetCount,
    Hit,
    IndexDoc,
    SearchNotice,
    SearchPage,
    SearchRequest,
    check_aggregate,
)
from patent_search.search.paging import begin_page, buckets
from patent_search.search.query import Node, Or, is_scored
from patent_search.search.tantivy_query import QueryTranslator, english_analyzer
from patent_search.search.tantivy_ranking import Ranked, ranked_window
from patent_search.search.tantivy_schema import EN_ANALYZER, build_schema, to_document

__all__ = ["TantivyBackend"]

Occur = tantivy.Occur
BATCH = 10_000  # documents per commit: fewer commits and merges (about 1.3x at 30k)
WRITER_HEAP = 128_000_000
LOCK_RETRIES = 12
FACET_SIZE = 20
SNIPPET_FIELDS = ("title", "abstract", "claims", "description")
MATCH_ALL = "*"


class TantivyBackend:
    """:class:`~patent_search.search.model.SearchBackend` on an embedded tantivy index."""

    def __init__(self, path: Path | None, cpc: CpcScheme | None = None,
                 cursors: CursorCodec | None = None) -> None:
        self.schema = build_schema()
        if path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path) if path else None, reuse=True)
        self.index.register_tokenizer(EN_ANALYZER, english_analyzer())
        self.cpc = cpc if cpc is not None else CpcScheme.bundled()
        self.cursors = cursors if cursors is not None else CursorCodec.from_data_dir(None)
        self._write_lock = threading.Lock()

    # ---- writes -------------------------------------------------------------------------

    def _write(self, operation: Callable[[tantivy.IndexWriter], object]) -> None:
        """Run ``operation`` with the index writer held only for this batch, then commit."""
        with self._write_lock:
            writer = self._open_writer()
            try:
                operation(writer)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # releases the index lock
            self.index.reload()

    def _open_writer(self) -> tantivy.IndexWriter:
        delay = 0.02
        for attempt in range(LOCK_RETRIES):
            try:
                return self.index.writer(WRITER_HEAP, 1)
            except ValueError as exc:
                if "LockBusy" not in str(exc) or attempt == LOCK_RETRIES - 1:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
        raise AssertionError("unreachable")

    def _key_query(self, key: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, "key", key)

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Replace documents by key (delete by term query, then add), one commit per batch."""
        written = 0
        for batch in _batches(docs, BATCH):
            def add(writer: tantivy.IndexWriter, batch: list[IndexDoc] = batch) -> None:
                for doc in batch:
                    writer.delete_documents_by_query(self._key_query(doc.key))
                    writer.add_document(to_document(doc, self.schema))
            self._write(add)
            written += len(batch)
        return written

    def delete_collection(self, collection_id: str) -> None:
        """Remove every document of ``collection_id``."""
        query = tantivy.Query.term_query(self.schema, "collection_id", collection_id)
        self._write(lambda writer: writer.delete_documents_by_query(query))

    def delete_keys(self, keys: Iterable[str]) -> None:
        """Remove documents by key."""
        for batch in _batches(keys, BATCH):
            def delete(writer: tantivy.IndexWriter, batch: list[str] = batch) -> None:
                for key in batch:
                    writer.delete_documents_by_query(self._key_query(key))
            self._write(delete)

    def refresh(self) -> None:
        """Pick up commits made by this or another process."""
        self.index.reload()

    # ---- reads --------------------------------------------------------------------------

    def _scope(self, collection_ids: frozenset[str]) -> tantivy.Query:
        ids = sorted(collection_ids)
        return tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(self.schema, "collection_id", ids), 0.0)

    def _compile(self, searcher: tantivy.Searcher, text: str, collection_ids: frozenset[str],
                 syntax: str = "fielded"
                 ) -> tuple[tantivy.Query, Node | None, SearchNotice | None]:
        """The scoped tantivy query for ``text``, its tree (None for ``*``) and the notice
        saying it was read as free text (see :mod:`.freetext`)."""
        scope = self._scope(collection_ids)
        if text.strip() == MATCH_ALL:
            return scope, None, None
        node, notice = read_query(text, syntax)
        translator = QueryTranslator(self.schema, text, expand_prefix=_expander(searcher))
        query = translator.translate(node)
        both = tantivy.Query.boolean_query([(Occur.Must, scope), (Occur.Must, query)])
        return both, node, notice

    def count(self, collection_ids: frozenset[str]) -> int:
        """Documents held by the collections (0 for none)."""
        if not collection_ids:
            return 0
        return _matching(self.index.searcher(), self._scope(collection_ids))

    def search(self, request: SearchRequest) -> SearchPage:
        """One page over ``request.collection_ids``; see :mod:`.tantivy_ranking` for order."""
        position, offset = begin_page(request, self.cursors)
        if not request.collection_ids:
            return SearchPage([], 0, None, {})
        searcher = self.index.searcher()
        query, node, notice = self._compile(searcher, request.query, request.collection_ids,
                                            request.syntax)
        counts: list[int] = []  # the window's first search counts the matches (one pass)
        window = ranked_window(searcher, self.schema, query, offset + request.limit,
                               by_date=request.sort == "date",
                               scored=node is not None and is_scored(node), counts=counts)
        total = counts[0] if counts else _matching(searcher, query)
        start = _resume(window, position)
        page = window[start:start + request.limit]
        hits = self._hits(searcher, page, node if request.highlight else None, request.sort)
        next_cursor = None
        if page and start + len(page) < total:
            last = page[-1]
            next_cursor = self.cursors.encode(request, CursorPosition(
                start + len(page), last.value, last.tie, hits[-1].key))
        facets = self._facets(searcher, query) if request.facets else {}
        missing = self._missing(searcher, query) if request.facets else {}
        return SearchPage(hits, total, next_cursor, facets, facet_missing=missing,
                          notices=[notice] if notice else [])

    def _hits(self, searcher: tantivy.Searcher, page: list[Ranked], node: Node | None,
              sort: str) -> list[Hit]:
        highlighter = _Highlighter(self, searcher, node) if node is not None else None
        hits = []
        for ranked in page:
            doc = searcher.doc(ranked.address)
            number = doc.get_first("pd") or 0
            hits.append(Hit(
                key=doc.get_first("key") or "",
                collection_id=doc.get_first("collection_id") or "",
                publication_number=doc.get_first("publication_number") or "",
                title=doc.get_first("title") or "",
                score=ranked.value if sort == "relevance" else 0.0,
                snippets=highlighter.snippets(doc) if highlighter else {},
                publication_date=number_date(number),
                cpc=list(doc.get_all("cpc")),
                assignees=list(doc.get_all("assignee_kw")),
                jurisdiction=doc.get_first("jurisdiction") or "",
            ))
        return hits

    def _terms(self, searcher: tantivy.Searcher, query: tantivy.Query,
               dimensions: dict[str, int]) -> dict[str, list[FacetCount]]:
        """Exact document counts per keyword value, largest first (ties by value)."""
        spec = {by: {"terms": {"field": FACET_FIELDS[by], "size": size,
                               "segment_size": max(size * 10, 10_000),
                               "order": {"_count": "desc"}}}
                for by, size in dimensions.items()}
        result = searcher.aggregate(query, spec)
        return {by: buckets(self.cpc, by, [(str(b["key"]), int(b["doc_count"]))
                                           for b in result[by]["buckets"]])
                for by in dimensions}

    def _facets(self, searcher: tantivy.Searcher,
                query: tantivy.Query) -> dict[str, list[FacetCount]]:
        return self._terms(searcher, query, {key: FACET_SIZE for key in FACET_KEYS})

    def _missing(self, searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, int]:
        """Per facet, the matching documents without a value (year 0: date unknown)."""
        out = {}
        for by in FACET_KEYS:
            if by == "year":
                clauses = [(Occur.Must, tantivy.Query.term_query(self.schema, "year", 0))]
            else:
                clauses = [(Occur.MustNot, tantivy.Query.exists_query(FACET_FIELDS[by]))]
            both = tantivy.Query.boolean_query([(Occur.Must, query), *clauses])
            out[by] = _matching(searcher, both)
        return out

    def highlight(self, request: SearchRequest, keys: list[str]) -> dict[str, dict[str, str]]:
        """Snippets of ``request.query`` for the documents ``keys`` only (the page a fused
        ranking returns), within ``request.collection_ids``; ``{}`` for ``*``."""
        if request.query.strip() == MATCH_ALL or not keys:
            return {}
        searcher = self.index.searcher()
        node, _notice = read_query(request.query, request.syntax)
        highlighter = _Highlighter(self, searcher, node)
        out = {}
        for key in keys:
            if key.split(":", 1)[0] not in request.collection_ids:
                continue
            for _score, address in searcher.search(self._key_query(key), 1, count=False).hits:
                out[key] = highlighter.snippets(searcher.doc(address))
        return out

    def aggregate(self, query: str, collection_ids: frozenset[str], by: str,
                  limit: int) -> list[FacetCount]:
        """Landscape counts: documents per CPC subclass/group, assignee, applicant, year, office."""
        check_aggregate(by, limit)
        if not collection_ids:
            return []
        searcher = self.index.searcher()
        compiled, _, _ = self._compile(searcher, query or MATCH_ALL, collection_ids)
        return self._terms(searcher, compiled, {by: limit})[by]


class _Highlighter:
    """Snippet generators for one page: one per field, built from the positive text clauses."""

    def __init__(self, backend: TantivyBackend, searcher: tantivy.Searcher, node: Node) -> None:
        self.node = node
        self.generators: dict[str, tantivy.SnippetGenerator] = {}
        positive = positive_text_leaves(node)
        if not positive:
            return
        translator = QueryTranslator(backend.schema, expand_prefix=_expander(searcher),
                                     for_highlight=True)
        query = translator.translate(Or(tuple(positive)))
        for field in SNIPPET_FIELDS:
            generator = tantivy.SnippetGenerator.create(searcher, query, backend.schema, field)
            generator.set_max_num_chars(180)
            self.generators[field] = generator

    def snippets(self, doc: tantivy.Document) -> dict[str, str]:
        out = {}
        for field, generator in self.generators.items():
            text = doc.get_first(field) or ""
            if not text:
                continue
            found = generator.snippet_from_doc(doc)
            fragment = found.fragment()
            ranges = [(r.start, r.end) for r in found.highlighted()]
            english = (fragment, byte_to_char_ranges(fragment, ranges)) if ranges else None
            html = snippet(text, english, cjk_runs_for(self.node, field, tuple(TEXT_BOOSTS)))
            if html:
                out[field] = html
        return out


def _expander(searcher: tantivy.Searcher) -> Callable[[str, str, int], list[str]]:
    def expand(field: str, prefix: str, limit: int) -> list[str]:
        return [term for term, _ in searcher.terms_with_prefix(field, prefix, limit=limit)]
    return expand


def _resume(window: list[Ranked], position: CursorPosition | None) -> int:
    """Where the page after ``position`` starts: just after the last hit already served."""
    if position is None:
        return 0
    last = (-position.value, position.tie)
    for index, ranked in enumerate(window):
        if ranked.order() > last:
            return index
    return len(window)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _matching(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    """How many documents match ``query`` (a search counts them by default)."""
    # tantivy's stub omits SearchResult.count, which the search sets (count=True)
    count: int = searcher.search(query, 1).count  # type: ignore[attr-defined]
    return count
