"""The OpenSearch/Elasticsearch backend: the same contract over the REST API with ``httpx``.

Documents are indexed with ``_id = key`` (re-indexing replaces), searched with the DSL built by
:mod:`.opensearch_dsl` from the same parsed query as tantivy, paged with ``search_after`` on
(sort value, key) inside the same opaque signed cursor, faceted with terms aggregations.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import httpx

from patent_search.search.cpc import CpcScheme
from patent_search.search.cursor import CursorCodec, CursorPosition
from patent_search.search.fields import FACET_FIELDS, SEARCH_FIELDS, flatten, number_date
from patent_search.search.freetext import read_query
from patent_search.search.model import (
    FACET_KEYS,
    FacetCount,
    Hit,
    IndexDoc,
    SearchPage,
    SearchRequest,
    check_aggregate,
)
from patent_search.search.opensearch_dsl import index_body, translate
from patent_search.search.paging import begin_page, buckets

__all__ = ["OpenSearchBackend", "OpenSearchError", "search_body"]

BULK_BATCH = 500
FACET_SIZE = 20
SNIPPET_FIELDS = ("title", "abstract", "claims", "description")
SOURCE_FIELDS = ["key", "collection_id", "publication_number", "title", "pd", "cpc",
                 "assignee_kw", "jurisdiction"]


class OpenSearchError(RuntimeError):
    """The search cluster refused a request; the message names the index and the reason."""


def _scope(collection_ids: frozenset[str]) -> dict[str, Any]:
    return {"terms": {"collection_id": sorted(collection_ids)}}


def _query(text: str, collection_ids: frozenset[str], syntax: str = "fielded"
           ) -> dict[str, Any]:
    """The scoped DSL query for ``text`` (``*``: every document of the collections)."""
    must = [] if text.strip() == "*" else [translate(read_query(text, syntax)[0])]
    return {"bool": {"filter": [_scope(collection_ids)], "must": must}}


def _terms(by: str, size: int) -> dict[str, Any]:
    return {"terms": {"field": FACET_FIELDS[by], "size": size,
                      "shard_size": max(size * 10, 10_000)}}


def search_body(request: SearchRequest, position: CursorPosition | None) -> dict[str, Any]:
    """The ``_search`` body for a request (pure: unit-tested without a server)."""
    primary = {"_score": "desc"} if request.sort == "relevance" else {"pd": "desc"}
    body: dict[str, Any] = {
        "query": _query(request.query, request.collection_ids, request.syntax),
        "size": request.limit,
        "track_total_hits": True,
        "sort": [primary, {"key_order": "asc"}, {"key": "asc"}],
        "_source": SOURCE_FIELDS,
    }
    if position is not None:
        body["search_after"] = [position.value, position.tie, position.key]
    if request.highlight:
        fields: dict[str, dict[str, Any]] = {
            name: {} for base in SNIPPET_FIELDS for name in (base, f"{base}.zh")}
        body["highlight"] = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"],
                             "encoder": "html", "fragment_size": 180,
                             "number_of_fragments": 1, "fields": fields}
    if request.facets:
        body["aggs"] = {by: _terms(by, FACET_SIZE) for by in FACET_KEYS}
        body["aggs"].update({f"{by}__missing": _missing(by) for by in FACET_KEYS})
    return body


def _missing(by: str) -> dict[str, Any]:
    """Documents without a value for the facet (year 0: publication date unknown)."""
    if by == "year":
        return {"filter": {"term": {"year": 0}}}
    return {"missing": {"field": FACET_FIELDS[by]}}


class OpenSearchBackend:
    """:class:`~patent_search.search.model.SearchBackend` on an OpenSearch/Elasticsearch index."""

    def __init__(self, url: str, *, index: str = "ipgov-patents", cpc: CpcScheme | None = None,
                 cursors: CursorCodec | None = None, timeout: float = 30.0) -> None:
        self.index = index
        self.cpc = cpc if cpc is not None else CpcScheme.bundled()
        self.cursors = cursors if cursors is not None else CursorCodec.from_data_dir(None)
        self.client = httpx.Client(base_url=url.rstrip("/"), timeout=timeout)
        self._ready = False

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
        content = None
        headers = {"Content-Type": "application/json"}
        if isinstance(body, str):
            content, headers["Content-Type"] = body, "application/x-ndjson"
        elif body is not None:
            content = json.dumps(body)
        response = self.client.request(method, path, content=content, headers=headers,
                                       params=params or None)
        if response.status_code >= 400:
            raise OpenSearchError(f"{method} {path} on index {self.index!r}: "
                                  f"HTTP {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else {}

    def ensure_index(self) -> None:
        """Create the index with its mapping when it does not exist yet."""
        if self._ready:
            return
        if self.client.head(f"/{self.index}").status_code == 404:
            self._call("PUT", f"/{self.index}", index_body())
        self._ready = True

    def drop_index(self) -> None:
        """Delete the whole index (tests and re-indexing)."""
        self.client.delete(f"/{self.index}")
        self._ready = False

    # ---- writes -------------------------------------------------------------------------

    def _bulk(self, lines: list[str]) -> None:
        result = self._call("POST", "/_bulk", "\n".join(lines) + "\n")
        if result.get("errors"):
            failed = next(item for item in result["items"]
                          if next(iter(item.values())).get("error"))
            action = next(iter(failed.values()))
            raise OpenSearchError(f"bulk write to {self.index!r} failed for key "
                                  f"{action.get('_id')!r}: {action['error']}")

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Index documents with ``_id = key``, so a second write replaces the first."""
        self.ensure_index()
        written, lines = 0, []
        for doc in docs:
            lines += [json.dumps({"index": {"_index": self.index, "_id": doc.key}}),
                      json.dumps(flatten(doc), ensure_ascii=False)]
            written += 1
            if len(lines) >= 2 * BULK_BATCH:
                self._bulk(lines)
                lines = []
        if lines:
            self._bulk(lines)
        return written

    def delete_collection(self, collection_id: str) -> None:
        """Remove every document of a collection."""
        self.ensure_index()
        self._call("POST", f"/{self.index}/_delete_by_query",
                   {"query": {"term": {"collection_id": collection_id}}},
                   conflicts="proceed", refresh="true")

    def delete_keys(self, keys: Iterable[str]) -> None:
        """Remove documents by key."""
        self.ensure_index()
        lines = [json.dumps({"delete": {"_index": self.index, "_id": key}}) for key in keys]
        for start in range(0, len(lines), BULK_BATCH):
            self._bulk(lines[start:start + BULK_BATCH])

    def refresh(self) -> None:
        """Make indexed documents searchable now."""
        self.ensure_index()
        self._call("POST", f"/{self.index}/_refresh")

    # ---- reads --------------------------------------------------------------------------

    def count(self, collection_ids: frozenset[str]) -> int:
        """Documents held by the collections (0 for none)."""
        if not collection_ids:
            return 0
        self.ensure_index()
        body = {"query": {"bool": {"filter": [_scope(collection_ids)]}}}
        return int(self._call("POST", f"/{self.index}/_count", body)["count"])

    def search(self, request: SearchRequest) -> SearchPage:
        """One page over ``request.collection_ids`` ordered by (score or date) desc, key asc."""
        position, offset = begin_page(request, self.cursors)
        if not request.collection_ids:
            return SearchPage([], 0, None, {})
        body = search_body(request, position)  # a bad query fails before any network call
        self.ensure_index()
        result = self._call("POST", f"/{self.index}/_search", body)
        raw_hits = result["hits"]["hits"]
        total = int(result["hits"]["total"]["value"])
        hits = [self._hit(raw, request.sort) for raw in raw_hits]
        next_cursor = None
        if raw_hits and offset + len(raw_hits) < total:
            value, tie, key = raw_hits[-1]["sort"]
            next_cursor = self.cursors.encode(request, CursorPosition(
                offset + len(raw_hits), float(value), int(tie), str(key)))
        facets, missing = {}, {}
        if request.facets:
            aggregations = result["aggregations"]
            facets = {by: self._buckets(by, aggregations[by]) for by in FACET_KEYS}
            missing = {by: int(aggregations[f"{by}__missing"]["doc_count"])
                       for by in FACET_KEYS}
        notice = None if request.query.strip() == "*" else read_query(request.query,
                                                                      request.syntax)[1]
        return SearchPage(hits, total, next_cursor, facets, facet_missing=missing,
                          notices=[notice] if notice else [])

    def _hit(self, raw: dict[str, Any], sort: str) -> Hit:
        source = raw["_source"]
        number = int(source.get("pd") or 0)
        return Hit(
            key=source["key"], collection_id=source["collection_id"],
            publication_number=source["publication_number"], title=source.get("title", ""),
            score=float(raw.get("_score") or 0.0) if sort == "relevance" else 0.0,
            snippets=_snippets(raw.get("highlight", {})),
            publication_date=number_date(number),
            cpc=list(source.get("cpc", [])), assignees=list(source.get("assignee_kw", [])),
            jurisdiction=source.get("jurisdiction", ""))

    def _buckets(self, by: str, aggregation: dict[str, Any]) -> list[FacetCount]:
        return buckets(self.cpc, by, [(str(b["key"]), int(b["doc_count"]))
                                      for b in aggregation["buckets"]])

    def aggregate(self, query: str, collection_ids: frozenset[str], by: str,
                  limit: int) -> list[FacetCount]:
        """Landscape counts: documents per CPC subclass/group, assignee, applicant, year, office."""
        check_aggregate(by, limit)
        if not collection_ids:
            return []
        body = {"query": _query(query or "*", collection_ids), "size": 0,
                "aggs": {by: _terms(by, limit)}}
        self.ensure_index()
        result = self._call("POST", f"/{self.index}/_search", body)
        return self._buckets(by, result["aggregations"][by])


def _snippets(highlight: dict[str, list[str]]) -> dict[str, str]:
    """One snippet per field: the English fragment, else the CJK sub-field's."""
    out: dict[str, str] = {}
    for field in SEARCH_FIELDS:
        fragments = highlight.get(field) or highlight.get(f"{field}.zh")
        if fragments:
            out[field] = fragments[0]
    return out
