"""Patent full-text search behind one interface: embedded tantivy by default, OpenSearch at scale.

Callers build :class:`IndexDoc` from ``PatentRecord``\\ s, write them with ``upsert`` and search
with :class:`SearchRequest`; :func:`open_backend` picks the engine from the settings. The query
language is documented in :mod:`patent_search.search.query`.
"""

from patent_search.search.cpc import CpcScheme
from patent_search.search.factory import open_backend
from patent_search.search.model import (
    AGGREGATE_BY,
    FACET_KEYS,
    MAX_RESULT_WINDOW,
    FacetCount,
    Hit,
    IndexDoc,
    InvalidCursorError,
    QuerySyntaxError,
    SearchBackend,
    SearchNotice,
    SearchPage,
    SearchRequest,
    SearchWindowError,
)
from patent_search.search.query import MAX_CLAUSES, parse

__all__ = [
    "AGGREGATE_BY",
    "FACET_KEYS",
    "MAX_CLAUSES",
    "MAX_RESULT_WINDOW",
    "CpcScheme",
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
    "open_backend",
    "parse",
]
