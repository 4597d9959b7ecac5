"""The queries of patent_search: collections, search with facets and cursors, documents,
landscapes, FTO screenings, watchlists and their matches, the procurement register and the
group's duplicate purchases. Reads only: every list is a bounded page or a capped list."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    DomainError,
    InvalidInput,
    bounds,
    descendants,
    requires,
    tenant_page,
    to_type,
)

from ..access import (
    collection_session,
    readable_collection,
    visible_collection_ids,
    visible_collections,
)
from ..documents import find_document
from ..models import FtoScreening, ProcurementItem, Watchlist, WatchlistMatch
from ..procurement import find_duplicates
from ..ranking import MODES, search_page
from ..search.model import SYNTAXES
from ..store import backend
from .types import (
    COLL,
    DOC,
    PROC,
    WATCH,
    CollectionType,
    DocumentType,
    DuplicateType,
    FacetCountType,
    FacetType,
    FtoType,
    MatchType,
    ProcurementType,
    SearchResultType,
    WatchlistType,
    collection_node,
    facet_count_node,
    hit_node,
    item_node,
    match_node,
    notice_node,
    screening_node,
    watch_node,
)

__all__ = ["PatentQuery"]

ID = strawberry.ID
MAX_HITS_PAGE = 100
SYNTAX_HELP = ("How the query is read: fielded (the query language), free (a pasted claim or "
               "abstract: its content words, any may match) or auto (free text when long, not "
               "fielded, or more than 6 plain words; a notice says so)")
LANDSCAPE_BY = ("cpc_subclass", "cpc_group", "assignee", "applicant", "year", "jurisdiction")


def _search_error(exc: Exception) -> DomainError:
    from ..search import InvalidCursorError, QuerySyntaxError, SearchWindowError

    if isinstance(exc, QuerySyntaxError):
        return InvalidInput(str(exc), code="QUERY_SYNTAX", field="query")
    if isinstance(exc, SearchWindowError):
        return InvalidInput(exc.message, code="RESULT_WINDOW", field="after")
    if isinstance(exc, InvalidCursorError):
        return InvalidInput(exc.message, code="INVALID_CURSOR", field="after")
    raise exc


@strawberry.type
class PatentQuery:
    @strawberry.field(description="Collections the tenant may read: its own and those its "
                                  "group shares.", extensions=requires(COLL, "read"))
    async def patent_collections(self, info: Info, tenant_id: ID) -> list[CollectionType]:
        rows = await visible_collections(info.context.platform, str(tenant_id))
        return [collection_node(c, str(tenant_id)) for c in rows[:500]]

    @strawberry.field(description="Search patents (fielded boolean query language, see "
                                  "docs/patent_search.md), BM25, semantic or hybrid ranking.",
                      extensions=requires(DOC, "read"))
    async def patent_search(self, info: Info, tenant_id: ID, query: str,
                            collection_ids: list[ID] | None = None, first: int = 10,
                            after: str | None = None, facets: bool = False,
                            mode: str = "bm25",
                            syntax: Annotated[str, strawberry.argument(description=SYNTAX_HELP)]
                            = "auto") -> SearchResultType:
        from ..search import SearchRequest

        if not 1 <= first <= MAX_HITS_PAGE:
            raise InvalidInput(f"first must be between 1 and {MAX_HITS_PAGE}", field="first",
                               code="PAGE_SIZE", details={"maximum": MAX_HITS_PAGE,
                                                          "value": first})
        if mode not in MODES:
            raise InvalidInput(f"mode: {', '.join(MODES)}", field="mode")
        if syntax not in SYNTAXES:
            raise InvalidInput(f"syntax: {', '.join(SYNTAXES)}", field="syntax",
                               code="INVALID_CHOICE", details={
                                   "message_key": "BOUNDS_NOT_ONE_OF",
                                   "allowed": ", ".join(SYNTAXES), "value": syntax})
        platform = info.context.platform
        ids = await visible_collection_ids(platform, str(tenant_id),
                                           [str(c) for c in collection_ids or []])
        request = SearchRequest(query=query, collection_ids=ids, limit=first, cursor=after,
                                facets=facets, syntax=syntax)
        try:
            page = await search_page(platform, str(tenant_id), request, mode)
        except ValueError as exc:
            raise _search_error(exc) from None
        return to_type(
            SearchResultType, page, notices=[notice_node(n) for n in page.notices],
            hits=[hit_node(h) for h in page.hits],
            facets=[FacetType(name=name, missing=page.facet_missing.get(name, 0),
                              buckets=[facet_count_node(b) for b in buckets])
                    for name, buckets in sorted(page.facets.items())])

    @strawberry.field(description="A stored document of a visible collection, by its "
                                  "publication number written any common way (US7548894, "
                                  "US 7,548,894 B2, US-7548894-B2, EP 1 234 567 A1, "
                                  "WO2020/123456; a bare number with `jurisdiction`).",
                      extensions=requires(DOC, "read"))
    async def patent_document(self, info: Info, tenant_id: ID, collection_id: ID,
                              publication_number: str,
                              jurisdiction: str | None = None) -> DocumentType:
        platform = info.context.platform
        await readable_collection(platform, str(tenant_id), str(collection_id))
        async with collection_session(platform, str(tenant_id)) as session:
            doc = await find_document(session, str(collection_id), publication_number,
                                      jurisdiction)
            return to_type(DocumentType, doc)

    @strawberry.field(description="Landscape statistics: counts of the documents matching a "
                                  "query by CPC subclass or group, assignee, applicant, year "
                                  "or jurisdiction.", extensions=requires(DOC, "read"))
    async def patent_landscape(self, info: Info, tenant_id: ID, by: str, query: str = "",
                               collection_ids: list[ID] | None = None,
                               limit: int = 20) -> list[FacetCountType]:
        if by not in LANDSCAPE_BY:
            raise InvalidInput(f"by: {', '.join(LANDSCAPE_BY)}", field="by")
        if not 1 <= limit <= 200:
            raise InvalidInput("limit must be between 1 and 200", field="limit",
                               details=bounds.out_of_range(1, 200, limit))
        platform = info.context.platform
        ids = await visible_collection_ids(platform, str(tenant_id),
                                           [str(c) for c in collection_ids or []])
        try:
            buckets = backend(platform).aggregate(query, ids, by, limit)
        except ValueError as exc:
            raise _search_error(exc) from None
        return [facet_count_node(b) for b in buckets]

    @strawberry.field(description="FTO screenings kept as evidence.",
                      extensions=requires(DOC, "read"))
    async def fto_screenings(self, info: Info, tenant_id: ID, first: int = 20,
                             after: str | None = None) -> Connection[FtoType]:
        return await tenant_page(info, str(tenant_id), select(FtoScreening), [FtoScreening.id],
                                 first=first, after=after, to_node=screening_node)

    @strawberry.field(description="Watchlists (technology directions, competitors).",
                      extensions=requires(WATCH, "read"))
    async def patent_watchlists(self, info: Info, tenant_id: ID, first: int = 50,
                                after: str | None = None) -> Connection[WatchlistType]:
        return await tenant_page(info, str(tenant_id), select(Watchlist), [Watchlist.id],
                                 first=first, after=after, to_node=watch_node)

    @strawberry.field(description="Documents that matched the tenant's watchlists.",
                      extensions=requires(WATCH, "read"))
    async def patent_watchlist_matches(
        self, info: Info, tenant_id: ID, watchlist_id: ID | None = None,
        acknowledged: bool | None = None, first: int = 50, after: str | None = None,
    ) -> Connection[MatchType]:
        stmt = select(WatchlistMatch)
        if watchlist_id:
            stmt = stmt.where(WatchlistMatch.watchlist_id == str(watchlist_id))
        if acknowledged is not None:
            stmt = stmt.where(WatchlistMatch.acknowledged.is_(acknowledged))
        return await tenant_page(info, str(tenant_id), stmt, [WatchlistMatch.id], first=first,
                                 after=after, to_node=match_node)

    @strawberry.field(description="The tenant's procurement register.",
                      extensions=requires(PROC, "read"))
    async def procurement_items(self, info: Info, tenant_id: ID, first: int = 50,
                                after: str | None = None) -> Connection[ProcurementType]:
        return await tenant_page(info, str(tenant_id), select(ProcurementItem),
                                 [ProcurementItem.id], first=first, after=after,
                                 to_node=item_node)

    @strawberry.field(description="Products bought by more than one entity below (and "
                                  "including) this tenant — among the entities whose register "
                                  "the caller may read.", extensions=requires(PROC, "read"))
    async def procurement_duplicates(self, info: Info,
                                     tenant_id: ID) -> list[DuplicateType]:
        ctx = info.context
        platform = ctx.platform
        subject = ctx.require_principal().subject
        readable = {t.id for t in descendants(platform, str(tenant_id))
                    if platform.allowed(subject, t.id, PROC, "read")}
        readable.add(str(tenant_id))
        async with ctx.multi_session(readable, "patent_search: duplicate purchases") as s:
            duplicates = await find_duplicates(s, readable)
        return [to_type(DuplicateType, d, tenant_ids=list(d.tenant_ids),
                        total_cost=str(d.total_cost), avoidable_cost=str(d.avoidable_cost),
                        items=[item_node(i) for i in d.items]) for d in duplicates[:200]]
