"""The engine-independent search contract: documents in, requests in, pages out, errors.

Both backends (embedded tantivy, OpenSearch) implement :class:`SearchBackend`; callers (GraphQL,
landscapes, semantic search, bench) code against these types only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from patent_search.ingest.model import PatentRecord

__all__ = [
    "AGGREGATE_BY",
    "FACET_KEYS",
    "MAX_AGGREGATE_BUCKETS",
    "MAX_PAGE_SIZE",
    "MAX_RESULT_WINDOW",
    "MODES",
    "FacetCount",
    "Hit",
    "IndexDoc",
    "InvalidCursorError",
    "QuerySyntaxError",
    "SearchBackend",
    "SearchNotice",
    "SearchPage",
    "SearchRequest",
    "SearchWindowError",
]

MAX_RESULT_WINDOW = 1_000
MAX_PAGE_SIZE = 100
MAX_AGGREGATE_BUCKETS = 1_000
FACET_KEYS = ("cpc_subclass", "cpc_group", "jurisdiction", "year", "assignee")
AGGREGATE_BY = frozenset(
    {"cpc_subclass", "cpc_group", "assignee", "applicant", "year", "jurisdiction"})
SORTS = ("relevance", "date")
SYNTAXES = ("auto", "fielded", "free")  # how the query text is read: see .freetext
MODES = ("bm25", "semantic", "hybrid")  # rankings: full text, offline model, both fused


@dataclass(frozen=True)
class IndexDoc:
    """One patent as indexed: ``key`` is ``f"{collection_id}:{publication_number}"``."""

    key: str
    tenant_id: str
    collection_id: str
    record: PatentRecord

    @classmethod
    def of(cls, tenant_id: str, collection_id: str, record: PatentRecord) -> IndexDoc:
        """The document for ``record`` in a collection, with its canonical key."""
        return cls(f"{collection_id}:{record.publication_number}", tenant_id, collection_id,
                   record)


@dataclass(frozen=True)
class SearchRequest:
    """A query over some collections; ``cursor`` is the ``next_cursor`` of the previous page."""

    query: str
    collection_ids: frozenset[str]
    limit: int = 10
    cursor: str | None = None
    facets: bool = False
    highlight: bool = True
    sort: str = "relevance"
    syntax: str = "fielded"  # or "free" (content words, OR) or "auto": see .freetext


@dataclass
class Hit:
    """One result; ``snippets`` map a field to HTML-escaped text with ``<mark>`` highlights."""

    key: str
    collection_id: str
    publication_number: str
    title: str
    score: float
    snippets: dict[str, str] = field(default_factory=dict)
    publication_date: date | None = None
    cpc: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    jurisdiction: str = ""


@dataclass
class FacetCount:
    """A bucket: CPC symbol (or assignee, year, office), its title and how many documents."""

    symbol: str
    title: str
    count: int


@dataclass(frozen=True)
class SearchNotice:
    """Why a result is not what the request asked for (a fallback), machine-readable.

    ``message`` is English; ``params`` fill the placeholders of the code's entry in the
    message catalog (``ipgov/i18n/messages.yaml``), which the API uses for other languages."""

    code: str
    message: str
    params: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass
class SearchPage:
    """A page of hits, the total match count, the cursor to the next page and facet counts.

    ``total_relation`` is ``"eq"`` when ``total`` is the exact number of matching documents and
    ``"gte"`` when it is a lower bound (semantic ranking has no match set of its own);
    ``ranked_by`` names the ranking actually applied and ``notices`` say why it differs from
    the one requested. ``facet_missing`` counts, per facet, the matching documents that carry
    no value for it (records exported without CPC codes or assignees, unknown dates)."""

    hits: list[Hit]
    total: int
    next_cursor: str | None
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    total_relation: str = "eq"
    ranked_by: str = "bm25"
    notices: list[SearchNotice] = field(default_factory=list)
    facet_missing: dict[str, int] = field(default_factory=dict)  # matches with no value


class QuerySyntaxError(ValueError):
    """A query the parser cannot read; ``position`` is the 0-based character offset at fault."""

    def __init__(self, message: str, position: int, query: str = "") -> None:
        self.message = message
        self.position = position
        self.query = query
        pointer = f" at position {position}" if position >= 0 else ""
        excerpt = f": {query[max(0, position - 20):position + 20]!r}" if query else ""
        super().__init__(f"{message}{pointer}{excerpt}")


class SearchWindowError(ValueError):
    """A page beyond the result window or a page size over the limit: refine the query."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class InvalidCursorError(ValueError):
    """A cursor that was not issued for this query (tampered, truncated or from another query)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class SearchBackend(Protocol):
    """What every search engine behind ipgov's patent search provides."""

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Index ``docs``, replacing documents with the same key; returns how many were written."""
        ...

    def delete_collection(self, collection_id: str) -> None:
        """Remove every document of a collection."""
        ...

    def delete_keys(self, keys: Iterable[str]) -> None:
        """Remove documents by key."""
        ...

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of hits over ``request.collection_ids`` only (empty set: nothing)."""
        ...

    def aggregate(self, query: str, collection_ids: frozenset[str], by: str,
                  limit: int) -> list[FacetCount]:
        """Landscape counts of documents matching ``query`` by one of :data:`AGGREGATE_BY`."""
        ...

    def count(self, collection_ids: frozenset[str]) -> int:
        """How many documents the collections hold."""
        ...

    def refresh(self) -> None:
        """Make committed writes visible to this process's readers."""
        ...


def validate_request(request: SearchRequest) -> None:
    """Reject page sizes, sorts and windows out of bounds with a clear message."""
    if not 1 <= request.limit <= MAX_PAGE_SIZE:
        raise SearchWindowError(f"limit must be between 1 and {MAX_PAGE_SIZE}, got {request.limit}")
    if request.syntax not in SYNTAXES:
        raise SearchWindowError(f"syntax must be one of {', '.join(SYNTAXES)}, "
                                f"got {request.syntax!r}")
    if request.sort not in SORTS:
        raise SearchWindowError(f"sort must be one of {', '.join(SORTS)}, got {request.sort!r}")


def check_window(offset: int, limit: int) -> None:
    """Refuse pages that end beyond :data:`MAX_RESULT_WINDOW` hits."""
    if offset + limit > MAX_RESULT_WINDOW:
        raise SearchWindowError(
            f"results beyond the first {MAX_RESULT_WINDOW} are not served; narrow the query "
            f"(add a field, a CPC class or a date range) instead of paging deeper")


def check_aggregate(by: str, limit: int) -> None:
    """Reject unknown landscape dimensions and unbounded bucket counts."""
    if by not in AGGREGATE_BY:
        choices = ", ".join(sorted(AGGREGATE_BY))
        raise ValueError(f"cannot aggregate by {by!r}; choose one of {choices}")
    if not 1 <= limit <= MAX_AGGREGATE_BUCKETS:
        raise ValueError(
            f"aggregate limit must be between 1 and {MAX_AGGREGATE_BUCKETS}, got {limit}")
