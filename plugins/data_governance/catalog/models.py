"""Tables of the catalog: asset kinds (a registry, extensible), versioned metadata
specifications per kind, the data assets and their protected content."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["DataAsset", "DataAssetContent", "DataAssetKind", "MetadataSpec"]


class DataAssetKind(TenantScoped, Base):
    """A kind of IP data asset the tenant catalogs (built-in or added by the tenant)."""

    __tablename__ = "dg_asset_kinds"
    __movable_on_absorption__ = False  # the absorbing tenant keeps its own registry
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    builtin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MetadataSpec(TenantScoped, Base):
    """One version of a kind's metadata specification (a JSON Schema); the highest applies."""

    __tablename__ = "dg_metadata_specs"
    __movable_on_absorption__ = False
    __table_args__ = (UniqueConstraint("tenant_id", "kind_key", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind_key: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int] = mapped_column(Integer)
    json_schema: Mapped[dict] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataAsset(TenantScoped, Base):
    """An entry of the IP data catalog; a destroyed asset stays as a tombstone."""

    __tablename__ = "dg_assets"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(60))
    kind_key: Mapped[str] = mapped_column(String(60), index=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    steward: Mapped[str] = mapped_column(String(200), default="")
    classification: Mapped[str] = mapped_column(String(20), default="internal")
    system_of_record: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[list] = mapped_column(default=list)
    lifecycle_stage: Mapped[str] = mapped_column(String(20), default="create")
    retention_months: Mapped[int | None] = mapped_column(Integer)
    retention_starts_on: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    properties: Mapped[dict] = mapped_column(default=dict)
    spec_version: Mapped[int | None] = mapped_column(Integer)
    last_used_at: Mapped[datetime | None] = mapped_column()
    archived_at: Mapped[datetime | None] = mapped_column()
    destroyed_at: Mapped[datetime | None] = mapped_column()
    destroyed_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DataAssetContent(TenantScoped, Base):
    """The protected body of an asset (a trade secret's description, a document's text):
    read only with clearance, every read logged, purged on destruction."""

    __tablename__ = "dg_asset_contents"
    __table_args__ = (UniqueConstraint("asset_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("dg_assets.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
