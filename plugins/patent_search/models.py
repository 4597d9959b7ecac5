"""Tables of the patent_search plugin: collections and their documents, the procurement
register, technology watchlists and their matches, and FTO screenings kept as evidence;
the office connectors' tables are in ``offices.models``.

Every table is tenant-owned (``TenantScoped``). A collection belongs to the tenant that bought
it; a group-level collection with ``shared_with_group`` is read (never written) by every tenant
below its owner — the only cross-tenant read of this plugin, resolved by ``access.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

from .offices.models import OFFICE_MODELS

__all__ = ["MODELS", "Collection", "FtoScreening", "PatentDocument", "ProcurementItem",
           "Watchlist", "WatchlistMatch"]

COLLECTION_KINDS = ("portfolio", "research", "licensed")
"""portfolio: the tenant's own patents; research: prior art it gathered; licensed: a bought
database or data feed."""


class Collection(TenantScoped, Base):
    """A set of patent documents a tenant holds (its portfolio, research, a bought database)."""

    __tablename__ = "ps_collections"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="research")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    shared_with_group: Mapped[bool] = mapped_column(Boolean, default=False)
    document_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PatentDocument(TenantScoped, Base):
    """One publication in one collection (the record; the search index is derived from it)."""

    __tablename__ = "ps_documents"
    __table_args__ = (
        UniqueConstraint("collection_id", "publication_number"),
        Index("ix_ps_documents_tenant_pubdate", "tenant_id", "publication_date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    collection_id: Mapped[str] = mapped_column(String(36), ForeignKey("ps_collections.id"),
                                               index=True)
    publication_number: Mapped[str] = mapped_column(String(60))
    country: Mapped[str] = mapped_column(String(8))
    doc_number: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(8), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    claims: Mapped[list] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    publication_date: Mapped[date | None] = mapped_column(Date)
    filing_date: Mapped[date | None] = mapped_column(Date)
    priority_date: Mapped[date | None] = mapped_column(Date)
    application_number: Mapped[str] = mapped_column(Text, default="")
    family_id: Mapped[str] = mapped_column(Text, default="")
    cpc: Mapped[list] = mapped_column(default=list)
    ipc: Mapped[list] = mapped_column(default=list)
    applicants: Mapped[list] = mapped_column(default=list)
    assignees: Mapped[list] = mapped_column(default=list)
    inventors: Mapped[list] = mapped_column(default=list)
    citations: Mapped[list] = mapped_column(default=list)
    language: Mapped[str] = mapped_column(String(16), default="")
    source_format: Mapped[str] = mapped_column(String(60), default="")
    source_file: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcurementItem(TenantScoped, Base):
    """A patent database or service a tenant pays for (seed 7.2b: bought once at group level).
    """

    __tablename__ = "ps_procurement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vendor: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), default="database")
    coverage: Mapped[list] = mapped_column(default=list)  # jurisdictions, e.g. ["CN", "US"]
    annual_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    seats: Mapped[int] = mapped_column(Integer, default=1)
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    shared_with_group: Mapped[bool] = mapped_column(Boolean, default=False)
    collection_id: Mapped[str | None] = mapped_column(String(36))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Watchlist(TenantScoped, Base):
    """A technology direction or competitor watch: new documents matching it raise findings."""

    __tablename__ = "ps_watchlists"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(200), default="")
    cpc: Mapped[list] = mapped_column(default=list)
    keywords: Mapped[list] = mapped_column(default=list)
    assignees: Mapped[list] = mapped_column(default=list)
    query: Mapped[str] = mapped_column(Text, default="")  # the compiled search query
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchlistMatch(TenantScoped, Base):
    """A document that matched a watchlist when it was ingested (once per document)."""

    __tablename__ = "ps_watchlist_matches"
    __table_args__ = (UniqueConstraint("watchlist_id", "collection_id", "publication_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    watchlist_id: Mapped[str] = mapped_column(String(36), ForeignKey("ps_watchlists.id"),
                                              index=True)
    collection_id: Mapped[str] = mapped_column(String(36))
    publication_number: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float] = mapped_column(default=0.0)
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)


class FtoScreening(TenantScoped, Base):
    """A freedom-to-operate screening of a technical solution, kept as evidence."""

    __tablename__ = "ps_fto_screenings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    collection_ids: Mapped[list] = mapped_column(default=list)
    results: Mapped[list] = mapped_column(default=list)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


MODELS = [Collection, PatentDocument, ProcurementItem, Watchlist, WatchlistMatch, FtoScreening,
          *OFFICE_MODELS]
