"""GraphQL of patent_search: collections (own and group-shared), ingestion jobs, search with
facets and cursors, documents, landscapes, FTO screening, watchlists and their matches, and
the procurement register with the group's duplicate purchases.

Reads are bounded (page sizes, a 1,000-hit result window, a 50-clause query limit enforced by
the engine); writes return a payload with ``errors``, touch only the caller's own tenant and
are audited.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import strawberry
from sqlalchemy import delete, select, update
from strawberry.scalars import JSON
from strawberry.types import Info

from ipgov.api import (
    Connection,
    DomainError,
    InvalidInput,
    NotFound,
    UserError,
    bounds,
    descendants,
    enqueue_job,
    paginate,
    record_audit,
    requires,
    user_errors,
)

from . import fto as fto_screen
from .access import (
    collection_scope,
    readable_collection,
    visible_collection_ids,
    visible_collections,
    writable_collection,
)
from .documents import find_document
from .jobs import INGEST_KIND, check_source
from .models import (
    COLLECTION_KINDS,
    Collection,
    FtoScreening,
    PatentDocument,
    ProcurementItem,
    Watchlist,
    WatchlistMatch,
)
from .procurement import find_duplicates
from .ranking import MODES, search_page
from .store import backend
from .watch import compile_query, validate_criteria

__all__ = ["PatentMutation", "PatentQuery"]

ID = strawberry.ID
COLL, DOC = "patent_search:collection", "patent_search:document"
WATCH, PROC = "patent_search:watchlist", "patent_search:procurement"
MAX_HITS_PAGE = 100
LANDSCAPE_BY = ("cpc_subclass", "cpc_group", "assignee", "applicant", "year", "jurisdiction")


def _search_error(exc: Exception) -> DomainError:
    from .search import InvalidCursorError, QuerySyntaxError, SearchWindowError

    if isinstance(exc, QuerySyntaxError):
        return InvalidInput(str(exc), code="QUERY_SYNTAX", field="query")
    if isinstance(exc, SearchWindowError):
        return InvalidInput(exc.message, code="RESULT_WINDOW", field="after")
    if isinstance(exc, InvalidCursorError):
        return InvalidInput(exc.message, code="INVALID_CURSOR", field="after")
    raise exc


# --- types ------------------------------------------------------------------------------------


@strawberry.type(name="PatentCollection", description="A set of patent documents.")
class CollectionType:
    id: ID
    tenant_id: ID = strawberry.field(description="The owner (a group for shared collections)")
    name: str
    kind: str = strawberry.field(description="portfolio, research or licensed")
    description: str
    source: str
    shared_with_group: bool
    document_count: int
    writable: bool = strawberry.field(description="Whether the asking tenant owns it")
    updated_at: datetime


def _collection(c: Collection, tenant_id: str) -> CollectionType:
    return CollectionType(id=ID(c.id), tenant_id=ID(c.tenant_id), name=c.name, kind=c.kind,
                          description=c.description, source=c.source,
                          shared_with_group=c.shared_with_group,
                          document_count=c.document_count, writable=c.tenant_id == tenant_id,
                          updated_at=c.updated_at)


@strawberry.type(name="PatentHit", description="A search result with highlighted snippets.")
class HitType:
    collection_id: ID
    publication_number: str
    title: str
    score: float
    snippets: JSON = strawberry.field(description="field -> HTML-escaped text with <mark>")
    publication_date: date | None
    cpc: list[str]
    assignees: list[str]
    jurisdiction: str


@strawberry.type(name="PatentFacetCount")
class FacetCountType:
    symbol: str
    title: str
    count: int


@strawberry.type(name="PatentFacet", description="Counts of one facet (CPC titles included).")
class FacetType:
    name: str
    buckets: list[FacetCountType]
    missing: int = strawberry.field(
        description="Matching documents with no value for this facet (e.g. records exported "
                    "without CPC codes or assignees): the buckets do not count them")


@strawberry.type(name="PatentSearchNotice",
                 description="Why the result differs from what was asked (a fallback).")
class SearchNoticeType:
    code: str = strawberry.field(description="SEMANTIC_QUERY_UNKNOWN, SEMANTIC_TERMS_IGNORED, "
                                             "SEMANTIC_INDEX_EMPTY or QUERY_NOT_BM25")
    message: str


@strawberry.type(name="PatentSearchResult")
class SearchResultType:
    total: int = strawberry.field(description="Documents matching the query: exact when "
                                              "totalRelation is eq, a lower bound when gte")
    total_relation: str = strawberry.field(
        description="eq (total is exact) or gte (a lower bound: semantic ranking has no "
                    "match set of its own; at least this many documents are related)")
    ranked_by: str = strawberry.field(description="The ranking applied: bm25, semantic or "
                                                  "hybrid (see notices when it is not the mode)")
    notices: list[SearchNoticeType]
    hits: list[HitType]
    next_cursor: str | None = strawberry.field(description="Pass as `after` for the next page")
    facets: list[FacetType] = strawberry.field(
        description="Counts over the documents matching the query (the BM25 match set)")


@strawberry.type(name="PatentDocument", description="A stored publication in full.")
class DocumentType:
    collection_id: ID
    publication_number: str
    country: str
    kind: str
    title: str
    abstract: str
    claims: list[str]
    description: str
    publication_date: date | None
    filing_date: date | None
    priority_date: date | None
    application_number: str
    family_id: str
    cpc: list[str]
    ipc: list[str]
    applicants: list[str]
    assignees: list[str]
    inventors: list[str]
    citations: list[str]
    language: str
    source_format: str
    source_file: str


@strawberry.type(name="PatentClaimMatch",
                 description="A compared part of a document (a claim, or its abstract or "
                             "description when it has no claims text) and the closest passage "
                             "of the screened text.")
class ClaimMatchType:
    number: int | None = strawberry.field(description="The claim number; null when part is "
                                                      "not claim")
    part: str = strawberry.field(description="claim, abstract or description")
    label: str = strawberry.field(description="claim 3, abstract, description")
    text: str = strawberry.field(description="The compared text of the document")
    claim: str = strawberry.field(deprecation_reason="Use text and part: this is empty unless "
                                                     "part is claim")
    passage: str = strawberry.field(description="The passage of the screened text")
    start: int
    end: int
    score: float
    shared_terms: list[str]


@strawberry.type(name="PatentScreeningHit")
class ScreeningHitType:
    collection_id: ID
    publication_number: str
    title: str
    score: float
    compared_with: str = strawberry.field(
        description="claims, or abstract / description for a document stored without claims "
                    "(ranked below every claim match), or unknown for an older screening")
    claims_available: bool = strawberry.field(description="Whether claims were compared")
    note: str = strawberry.field(description="Plain words on what was compared when it was not "
                                             "claims ('' otherwise)")
    claims: list[ClaimMatchType] = strawberry.field(
        description="The best matching parts; claims only when claimsAvailable")


@strawberry.type(name="FtoScreening", description="A freedom-to-operate screening (evidence).")
class FtoType:
    id: ID
    title: str
    created_by: str
    created_at: datetime
    hits: list[ScreeningHitType]
    disclaimer: str


@strawberry.type(name="PatentWatchlist")
class WatchlistType:
    id: ID
    name: str
    direction: str
    cpc: list[str]
    keywords: list[str]
    assignees: list[str]
    query: str
    severity: str
    active: bool


@strawberry.type(name="PatentWatchlistMatch")
class MatchType:
    id: ID
    watchlist_id: ID
    collection_id: ID
    publication_number: str
    title: str
    score: float
    matched_at: datetime
    acknowledged: bool


@strawberry.type(name="ProcurementItem", description="A database or service an entity buys.")
class ProcurementType:
    id: ID
    tenant_id: ID
    vendor: str
    product: str
    category: str
    coverage: list[str]
    annual_cost: str = strawberry.field(description="Decimal, as text")
    currency: str
    seats: int
    contract_start: date | None
    contract_end: date | None
    shared_with_group: bool
    notes: str


@strawberry.type(name="ProcurementDuplicate")
class DuplicateType:
    vendor: str
    product: str
    tenant_ids: list[ID]
    total_cost: str
    avoidable_cost: str
    items: list[ProcurementType]


def _watch(w: Watchlist) -> WatchlistType:
    return WatchlistType(id=ID(w.id), name=w.name, direction=w.direction, cpc=list(w.cpc),
                         keywords=list(w.keywords), assignees=list(w.assignees), query=w.query,
                         severity=w.severity, active=w.active)


def _match(m: WatchlistMatch) -> MatchType:
    return MatchType(id=ID(m.id), watchlist_id=ID(m.watchlist_id),
                     collection_id=ID(m.collection_id),
                     publication_number=m.publication_number, title=m.title, score=m.score,
                     matched_at=m.matched_at, acknowledged=m.acknowledged)


def _item(i: ProcurementItem) -> ProcurementType:
    return ProcurementType(id=ID(i.id), tenant_id=ID(i.tenant_id), vendor=i.vendor,
                           product=i.product, category=i.category, coverage=list(i.coverage),
                           annual_cost=str(i.annual_cost), currency=i.currency, seats=i.seats,
                           contract_start=i.contract_start, contract_end=i.contract_end,
                           shared_with_group=i.shared_with_group, notes=i.notes)


def _claim_match(c: dict[str, Any]) -> ClaimMatchType:
    match = fto_screen.ClaimMatch(**c)
    return ClaimMatchType(number=match.number, part=match.part, label=match.label,
                          text=match.claim, claim=match.claim if match.part == "claim" else "",
                          passage=match.passage, start=match.start, end=match.end,
                          score=match.score, shared_terms=match.shared_terms)


def _screening_hit(h: dict[str, Any]) -> ScreeningHitType:
    doc = fto_screen.DocumentMatch(**{**h, "claims": []})
    return ScreeningHitType(collection_id=ID(doc.collection_id),
                            publication_number=doc.publication_number, title=doc.title,
                            score=doc.score, compared_with=doc.compared_with,
                            claims_available=doc.compared_with == "claims", note=doc.note,
                            claims=[_claim_match(c) for c in h["claims"]])


def _screening(row: FtoScreening) -> FtoType:
    return FtoType(id=ID(row.id), title=row.title, created_by=row.created_by,
                   created_at=row.created_at, disclaimer=DISCLAIMER,
                   hits=[_screening_hit(h) for h in row.results])


DISCLAIMER = ("An automated screening to prioritise review by a patent attorney; it is not a "
              "freedom-to-operate opinion.")


# --- inputs and payloads ---------------------------------------------------------------------


@strawberry.input
class CollectionInput:
    name: str
    kind: str = "research"
    description: str = ""
    source: str = ""
    shared_with_group: bool = False


@strawberry.input
class WatchlistInput:
    name: str
    direction: str = ""
    cpc: list[str] = strawberry.field(default_factory=list)
    keywords: list[str] = strawberry.field(default_factory=list)
    assignees: list[str] = strawberry.field(default_factory=list)
    query: str = ""
    severity: str = "medium"
    active: bool = True


@strawberry.input
class ProcurementInput:
    vendor: str
    product: str
    category: str = "database"
    coverage: list[str] = strawberry.field(default_factory=list)
    annual_cost: str = "0"
    currency: str = "CNY"
    seats: int = 1
    contract_start: date | None = None
    contract_end: date | None = None
    shared_with_group: bool = False
    notes: str = ""


@strawberry.type
class CollectionPayload:
    collection: CollectionType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class IngestPayload:
    job_id: ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WatchlistPayload:
    watchlist: WatchlistType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ProcurementPayload:
    item: ProcurementType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FtoPayload:
    screening: FtoType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PatentDeletePayload:
    deleted: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


# --- validation -------------------------------------------------------------------------------


def _check_collection(data: CollectionInput) -> None:
    if not data.name.strip() or len(data.name) > 200:
        raise InvalidInput("a name of 1 to 200 characters is required", field="input.name")
    if data.kind not in COLLECTION_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(COLLECTION_KINDS)}",
                           field="input.kind")


def _procurement_values(data: ProcurementInput) -> dict[str, Any]:
    for name in ("vendor", "product"):
        if not getattr(data, name).strip() or len(getattr(data, name)) > 200:
            raise InvalidInput("1 to 200 characters are required", field=f"input.{name}")
    try:
        cost = Decimal(data.annual_cost)
    except InvalidOperation:
        raise InvalidInput(f"{data.annual_cost!r} is not a number", field="input.annualCost"
                           ) from None
    if cost < 0 or not cost.is_finite() or cost >= Decimal("1e12"):
        raise InvalidInput("the annual cost must be between 0 and 10^12",
                           field="input.annualCost")
    if len(data.currency) != 3 or not data.currency.isalpha():
        raise InvalidInput("a three-letter ISO 4217 code (CNY, EUR, USD)", field="input.currency")
    if data.seats < 1:
        raise InvalidInput("at least one seat", field="input.seats")
    if data.contract_start and data.contract_end and data.contract_end < data.contract_start:
        raise InvalidInput("the contract ends before it starts", field="input.contractEnd")
    values = dataclasses.asdict(data)
    values.update(annual_cost=cost, currency=data.currency.upper(),
                  coverage=[c.strip().upper() for c in data.coverage if c.strip()][:50])
    return values


def _watch_values(data: WatchlistInput) -> dict[str, Any]:
    if not data.name.strip() or len(data.name) > 200:
        raise InvalidInput("a name of 1 to 200 characters is required", field="input.name")
    if data.severity not in ("info", "low", "medium", "high", "critical"):
        raise InvalidInput("severity: info, low, medium, high or critical",
                           field="input.severity")
    validate_criteria(data.cpc, data.keywords, data.assignees, data.query)
    if data.query.strip():
        from .search import QuerySyntaxError, parse

        try:
            parse(data.query)
        except QuerySyntaxError as exc:
            raise InvalidInput(str(exc), code="QUERY_SYNTAX", field="input.query") from None
    values = dataclasses.asdict(data)
    values["query"] = data.query.strip() or compile_query(data.cpc, data.keywords,
                                                          data.assignees)
    return values


# --- queries ----------------------------------------------------------------------------------


@strawberry.type
class PatentQuery:
    @strawberry.field(description="Collections the tenant may read: its own and those its "
                                  "group shares.", extensions=requires(COLL, "read"))
    async def patent_collections(self, info: Info, tenant_id: ID) -> list[CollectionType]:
        rows = await visible_collections(info.context.platform, str(tenant_id))
        return [_collection(c, str(tenant_id)) for c in rows[:500]]

    @strawberry.field(description="Search patents (fielded boolean query language, see "
                                  "docs/patent_search.md), BM25, semantic or hybrid ranking.",
                      extensions=requires(DOC, "read"))
    async def patent_search(self, info: Info, tenant_id: ID, query: str,
                            collection_ids: list[ID] | None = None, first: int = 10,
                            after: str | None = None, facets: bool = False,
                            mode: str = "bm25") -> SearchResultType:
        from .search import SearchRequest

        if not 1 <= first <= MAX_HITS_PAGE:
            raise InvalidInput(f"first must be between 1 and {MAX_HITS_PAGE}", field="first",
                               code="PAGE_SIZE", details={"maximum": MAX_HITS_PAGE,
                                                          "value": first})
        if mode not in MODES:
            raise InvalidInput(f"mode: {', '.join(MODES)}", field="mode")
        platform = info.context.platform
        ids = await visible_collection_ids(platform, str(tenant_id),
                                           [str(c) for c in collection_ids or []])
        request = SearchRequest(query=query, collection_ids=ids, limit=first, cursor=after,
                                facets=facets)
        try:
            page = await search_page(platform, str(tenant_id), request, mode)
        except ValueError as exc:
            raise _search_error(exc) from None
        return SearchResultType(
            total=page.total, total_relation=page.total_relation, ranked_by=page.ranked_by,
            notices=[SearchNoticeType(code=n.code, message=n.message) for n in page.notices],
            next_cursor=page.next_cursor,
            hits=[HitType(collection_id=ID(h.collection_id),
                          publication_number=h.publication_number, title=h.title,
                          score=h.score, snippets=h.snippets,
                          publication_date=h.publication_date, cpc=list(h.cpc),
                          assignees=list(h.assignees), jurisdiction=h.jurisdiction)
                  for h in page.hits],
            facets=[FacetType(name=name, missing=page.facet_missing.get(name, 0),
                              buckets=[FacetCountType(symbol=b.symbol, title=b.title,
                                                      count=b.count) for b in buckets])
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
        async with platform.db.session(collection_scope(platform, str(tenant_id)),
                                       readonly=True) as session:
            doc = await find_document(session, str(collection_id), publication_number,
                                      jurisdiction)
            fields = {f.name for f in dataclasses.fields(DocumentType)}
            values = {f: getattr(doc, f) for f in fields}
        values["collection_id"] = ID(values["collection_id"])
        return DocumentType(**values)

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
        return [FacetCountType(symbol=b.symbol, title=b.title, count=b.count) for b in buckets]

    @strawberry.field(description="FTO screenings kept as evidence.",
                      extensions=requires(DOC, "read"))
    async def fto_screenings(self, info: Info, tenant_id: ID, first: int = 20,
                             after: str | None = None) -> Connection[FtoType]:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            return await paginate(session, select(FtoScreening), [FtoScreening.id],
                                  first=first, after=after,
                                  maximum=ctx.platform.settings.max_page_size,
                                  to_node=_screening, key=lambda r: [r.id])

    @strawberry.field(description="Watchlists (technology directions, competitors).",
                      extensions=requires(WATCH, "read"))
    async def patent_watchlists(self, info: Info, tenant_id: ID, first: int = 50,
                                after: str | None = None) -> Connection[WatchlistType]:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            return await paginate(session, select(Watchlist), [Watchlist.id], first=first,
                                  after=after, maximum=ctx.platform.settings.max_page_size,
                                  to_node=_watch, key=lambda r: [r.id])

    @strawberry.field(description="Documents that matched the tenant's watchlists.",
                      extensions=requires(WATCH, "read"))
    async def patent_watchlist_matches(
        self, info: Info, tenant_id: ID, watchlist_id: ID | None = None,
        acknowledged: bool | None = None, first: int = 50, after: str | None = None,
    ) -> Connection[MatchType]:
        ctx = info.context
        stmt = select(WatchlistMatch)
        if watchlist_id:
            stmt = stmt.where(WatchlistMatch.watchlist_id == str(watchlist_id))
        if acknowledged is not None:
            stmt = stmt.where(WatchlistMatch.acknowledged.is_(acknowledged))
        async with ctx.session(str(tenant_id)) as session:
            return await paginate(session, stmt, [WatchlistMatch.id], first=first,
                                  after=after, maximum=ctx.platform.settings.max_page_size,
                                  to_node=_match, key=lambda r: [r.id])

    @strawberry.field(description="The tenant's procurement register.",
                      extensions=requires(PROC, "read"))
    async def procurement_items(self, info: Info, tenant_id: ID, first: int = 50,
                                after: str | None = None) -> Connection[ProcurementType]:
        ctx = info.context
        async with ctx.session(str(tenant_id)) as session:
            return await paginate(session, select(ProcurementItem), [ProcurementItem.id],
                                  first=first, after=after,
                                  maximum=ctx.platform.settings.max_page_size,
                                  to_node=_item, key=lambda r: [r.id])

    @strawberry.field(description="Products bought by more than one entity below (and "
                                  "including) this tenant — among the entities whose register "
                                  "the caller may read.", extensions=requires(PROC, "read"))
    async def procurement_duplicates(self, info: Info,
                                     tenant_id: ID) -> list[DuplicateType]:
        ctx = info.context
        platform = ctx.platform
        subject = ctx.require_principal().subject
        readable = {t.id for t in descendants(platform, str(tenant_id))
                    if platform.authz.enforce(subject, t.id, PROC, "read")}
        readable.add(str(tenant_id))
        async with ctx.multi_session(readable, "patent_search: duplicate purchases") as s:
            duplicates = await find_duplicates(s, readable)
        return [DuplicateType(vendor=d.vendor, product=d.product,
                              tenant_ids=[ID(t) for t in d.tenant_ids],
                              total_cost=str(d.total_cost),
                              avoidable_cost=str(d.avoidable_cost),
                              items=[_item(i) for i in d.items]) for d in duplicates[:200]]


# --- mutations --------------------------------------------------------------------------------


async def _audit(info: Info, session: Any, tenant_id: str, action: str, obj: str,
                 object_id: str, details: dict[str, Any] | None = None) -> None:
    await record_audit(info.context.platform, session, tenant_id=tenant_id,
                       actor=info.context.actor, action=action, object_type=obj,
                       object_id=object_id, details=details or {})


@strawberry.type
class PatentMutation:
    @strawberry.mutation(description="Create a collection (shared with the group's "
                                     "subsidiaries when sharedWithGroup).",
                         extensions=requires(COLL, "create"))
    async def create_patent_collection(self, info: Info, tenant_id: ID,
                                       input: CollectionInput) -> CollectionPayload:  # noqa: A002
        try:
            _check_collection(input)
            async with info.context.session(str(tenant_id)) as session:
                clash = (await session.execute(select(Collection.id).where(
                    Collection.name == input.name.strip()))).first()
                if clash:
                    raise InvalidInput("a collection of that name exists", code="DUPLICATE",
                                       field="input.name")
                row = Collection(name=input.name.strip(), kind=input.kind,
                                 description=input.description, source=input.source,
                                 shared_with_group=input.shared_with_group,
                                 created_by=info.context.actor)
                session.add(row)
                await session.flush()
                await _audit(info, session, str(tenant_id), "patent_search.collection.created",
                             COLL, row.id, {"name": row.name, "shared": row.shared_with_group})
                return CollectionPayload(collection=_collection(row, str(tenant_id)))
        except DomainError as exc:
            return CollectionPayload(errors=user_errors(exc))

    @strawberry.mutation(description="Delete an own collection with its documents.",
                         extensions=requires(COLL, "delete"))
    async def delete_patent_collection(self, info: Info, tenant_id: ID,
                                       collection_id: ID) -> PatentDeletePayload:
        try:
            async with info.context.session(str(tenant_id)) as session:
                row = await writable_collection(session, str(tenant_id), str(collection_id))
                await session.execute(delete(PatentDocument).where(
                    PatentDocument.collection_id == row.id))
                await session.delete(row)
                await _audit(info, session, str(tenant_id), "patent_search.collection.deleted",
                             COLL, row.id, {"name": row.name})
            engine = backend(info.context.platform)
            engine.delete_collection(str(collection_id))
            engine.refresh()
            return PatentDeletePayload(deleted=True)
        except DomainError as exc:
            return PatentDeletePayload(errors=user_errors(exc))

    @strawberry.mutation(description="Ingest a file or folder (under the import folders) into "
                                     "an own collection, as a background job.",
                         extensions=requires(DOC, "ingest"))
    async def ingest_patents(self, info: Info, tenant_id: ID, collection_id: ID,
                             path: str) -> IngestPayload:
        platform = info.context.platform
        try:
            checked = check_source(platform, path, str(tenant_id))
            async with info.context.session(str(tenant_id)) as session:
                await writable_collection(session, str(tenant_id), str(collection_id))
            job = await enqueue_job(platform, tenant_id=str(tenant_id), kind=INGEST_KIND,
                                    params={"collection_id": str(collection_id),
                                            "source": str(checked)},
                                    actor=info.context.actor)
            return IngestPayload(job_id=ID(job.id))
        except DomainError as exc:
            return IngestPayload(errors=user_errors(exc))

    @strawberry.mutation(description="Screen a technical solution against the claims of the "
                                     "visible collections; the result is kept as evidence.",
                         extensions=requires(DOC, "screen"))
    async def screen_fto(self, info: Info, tenant_id: ID, title: str, text: str,
                         collection_ids: list[ID] | None = None,
                         limit: int = 10) -> FtoPayload:
        platform = info.context.platform
        try:
            if not text.strip() or len(text) > fto_screen.MAX_TEXT:
                raise InvalidInput(f"1 to {fto_screen.MAX_TEXT} characters", field="text")
            if not title.strip() or len(title) > 300:
                raise InvalidInput("a title of 1 to 300 characters", field="title")
            if not 1 <= limit <= 50:
                raise InvalidInput("limit must be between 1 and 50", field="limit")
            ids = await visible_collection_ids(platform, str(tenant_id),
                                               [str(c) for c in collection_ids or []])
            hits = await fto_screen.screen(platform, str(tenant_id), ids, text, limit=limit)
            async with info.context.session(str(tenant_id)) as session:
                row = FtoScreening(title=title.strip(), text=text, collection_ids=sorted(ids),
                                   created_by=info.context.actor,
                                   results=[dataclasses.asdict(h) for h in hits])
                session.add(row)
                await session.flush()
                # the screening is the object (not a document): the trail says what was done
                await _audit(info, session, str(tenant_id), "patent_search.fto.screened",
                             "patent_search:fto_screening", row.id,
                             {"hits": len(hits), "collections": len(ids)})
                return FtoPayload(screening=_screening(row))
        except DomainError as exc:
            return FtoPayload(errors=user_errors(exc))

    @strawberry.mutation(description="Create a watchlist.", extensions=requires(WATCH, "create"))
    async def create_patent_watchlist(self, info: Info, tenant_id: ID,
                                      input: WatchlistInput) -> WatchlistPayload:  # noqa: A002
        try:
            values = _watch_values(input)
            async with info.context.session(str(tenant_id)) as session:
                if (await session.execute(select(Watchlist.id).where(
                        Watchlist.name == values["name"]))).first():
                    raise InvalidInput("a watchlist of that name exists", code="DUPLICATE",
                                       field="input.name")
                row = Watchlist(created_by=info.context.actor, **values)
                session.add(row)
                await session.flush()
                await _audit(info, session, str(tenant_id), "patent_search.watchlist.created",
                             WATCH, row.id, {"name": row.name})
                return WatchlistPayload(watchlist=_watch(row))
        except DomainError as exc:
            return WatchlistPayload(errors=user_errors(exc))

    @strawberry.mutation(description="Replace a watchlist's criteria.",
                         extensions=requires(WATCH, "update"))
    async def update_patent_watchlist(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                      input: WatchlistInput) -> WatchlistPayload:  # noqa: A002
        try:
            values = _watch_values(input)
            async with info.context.session(str(tenant_id)) as session:
                row = await session.get(Watchlist, str(id))
                if row is None:
                    raise NotFound("no such watchlist in this tenant",
                                   code="WATCHLIST_NOT_FOUND", field="id")
                for key, value in values.items():
                    setattr(row, key, value)
                await _audit(info, session, str(tenant_id), "patent_search.watchlist.updated",
                             WATCH, row.id, {"name": row.name})
                return WatchlistPayload(watchlist=_watch(row))
        except DomainError as exc:
            return WatchlistPayload(errors=user_errors(exc))

    @strawberry.mutation(description="Mark watchlist matches as assessed.",
                         extensions=requires(WATCH, "update"))
    async def acknowledge_patent_matches(self, info: Info, tenant_id: ID,
                                         match_ids: list[ID]) -> PatentDeletePayload:
        try:
            if not 1 <= len(match_ids) <= 500:
                raise InvalidInput("1 to 500 match ids", field="matchIds")
            async with info.context.session(str(tenant_id)) as session:
                done = await session.execute(update(WatchlistMatch).where(
                    WatchlistMatch.id.in_([str(m) for m in match_ids])).values(
                    acknowledged=True).execution_options(synchronize_session=False))
                if done.rowcount != len(set(match_ids)):
                    raise NotFound("some matches are not in this tenant",
                                   code="MATCH_NOT_FOUND", field="matchIds")
                await _audit(info, session, str(tenant_id),
                             "patent_search.matches.acknowledged", WATCH, "",
                             {"count": len(match_ids)})
            return PatentDeletePayload(deleted=True)
        except DomainError as exc:
            return PatentDeletePayload(errors=user_errors(exc))

    @strawberry.mutation(description="Add a purchase to the procurement register.",
                         extensions=requires(PROC, "create"))
    async def add_procurement_item(self, info: Info, tenant_id: ID,
                                   input: ProcurementInput) -> ProcurementPayload:  # noqa: A002
        try:
            values = _procurement_values(input)
            async with info.context.session(str(tenant_id)) as session:
                row = ProcurementItem(**values)
                session.add(row)
                await session.flush()
                await _audit(info, session, str(tenant_id), "patent_search.procurement.added",
                             PROC, row.id, {"vendor": row.vendor, "product": row.product})
                return ProcurementPayload(item=_item(row))
        except DomainError as exc:
            return ProcurementPayload(errors=user_errors(exc))

    @strawberry.mutation(description="Remove a purchase from the register.",
                         extensions=requires(PROC, "delete"))
    async def remove_procurement_item(self, info: Info, tenant_id: ID,
                                      id: ID) -> PatentDeletePayload:  # noqa: A002
        try:
            async with info.context.session(str(tenant_id)) as session:
                row = await session.get(ProcurementItem, str(id))
                if row is None:
                    raise NotFound("no such purchase in this tenant",
                                   code="PROCUREMENT_NOT_FOUND", field="id")
                await session.delete(row)
                await _audit(info, session, str(tenant_id),
                             "patent_search.procurement.removed", PROC, str(id),
                             {"vendor": row.vendor, "product": row.product})
            return PatentDeletePayload(deleted=True)
        except DomainError as exc:
            return PatentDeletePayload(errors=user_errors(exc))
