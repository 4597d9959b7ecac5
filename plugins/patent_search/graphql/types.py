"""GraphQL types of patent_search: collections, search results and facets, documents, FTO
screenings, watchlists and their matches, the procurement register; their inputs and
payloads; and the row -> type mappings (the core kit's ``row_mapper`` where a plain copy)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from ipgov.api import UserError, actor_field, localized_message, row_mapper, to_type

from .. import fto as fto_screen
from ..models import Collection, FtoScreening

__all__ = ["COLL", "DISCLAIMER", "DOC", "PROC", "WATCH", "CollectionInput", "CollectionPayload",
           "CollectionType", "DocumentType", "DuplicateType", "FacetCountType", "FacetType",
           "FtoPayload", "FtoType", "HitType", "IngestPayload", "MatchType", "PatentDeletePayload",
           "ProcurementInput", "ProcurementPayload", "ProcurementType", "SearchNoticeType",
           "SearchResultType", "WatchlistInput", "WatchlistPayload", "WatchlistType",
           "collection_node", "facet_count_node", "hit_node", "item_node", "match_node",
           "notice_node", "screening_node", "watch_node"]

ID = strawberry.ID
COLL, DOC = "patent_search:collection", "patent_search:document"  # permission objects
WATCH, PROC = "patent_search:watchlist", "patent_search:procurement"


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
    code: str = strawberry.field(description="FREE_TEXT_QUERY, SEMANTIC_QUERY_UNKNOWN, "
                                             "SEMANTIC_TERMS_IGNORED, SEMANTIC_INDEX_EMPTY, "
                                             "SEMANTIC_PARTIAL or QUERY_NOT_BM25")
    message: str = strawberry.field(description="Why, in the request's language")
    message_en: str = strawberry.field(description="Why, in English")


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
    created_by_actor = actor_field("created_by", "Who created it, by name (null if nobody).")
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


def collection_node(c: Collection, tenant_id: str) -> CollectionType:
    """A collection as the asking tenant sees it (``writable`` when it owns it)."""
    return to_type(CollectionType, c, writable=c.tenant_id == tenant_id)


watch_node = row_mapper(WatchlistType)
match_node = row_mapper(MatchType)
item_node = row_mapper(ProcurementType, annual_cost=lambda i: str(i.annual_cost))
facet_count_node = row_mapper(FacetCountType)


def notice_node(notice: Any) -> SearchNoticeType:
    """A search notice in the request's language (the catalog entry of its code, filled from
    its params; English when the catalog has none)."""
    return SearchNoticeType(code=notice.code, message_en=notice.message,
                            message=localized_message(notice.code, notice.message,
                                                      notice.params))


hit_node = row_mapper(HitType, cpc=lambda h: list(h.cpc), assignees=lambda h: list(h.assignees))


def _claim_match(c: dict[str, Any]) -> ClaimMatchType:
    match = fto_screen.ClaimMatch(**c)
    return to_type(ClaimMatchType, match, text=match.claim,
                   claim=match.claim if match.part == "claim" else "")


def _screening_hit(h: dict[str, Any]) -> ScreeningHitType:
    doc = fto_screen.DocumentMatch(**{**h, "claims": []})
    return to_type(ScreeningHitType, doc, claims_available=doc.compared_with == "claims",
                   claims=[_claim_match(c) for c in h["claims"]])


def screening_node(row: FtoScreening) -> FtoType:
    """A kept screening with its hits and the disclaimer."""
    return to_type(FtoType, row, disclaimer=DISCLAIMER,
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
