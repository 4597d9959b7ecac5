"""Tables of the evidence area: a stored file (content-addressed, one per hash per tenant) and
its attachments to records of any type.

The file's SHA-256 is written into the tenant's audit chain when it is stored
(``audit_event_id``), so ``verify`` can tell a stored file changed since from one never
recorded: the chain is tamper-evident, the row alone is not.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["EvidenceAttachment", "EvidenceFile"]


class EvidenceFile(TenantScoped, Base):
    """One stored file: its hash (the storage key), size, sniffed type, kind and validity,
    and the honest outcome of the virus scan (``not_scanned`` when no scanner is set)."""

    __tablename__ = "ipg_evidence_files"
    __table_args__ = (UniqueConstraint("tenant_id", "sha256"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    backend: Mapped[str] = mapped_column(String(10))
    scan_status: Mapped[str] = mapped_column(String(20))
    scan_detail: Mapped[str] = mapped_column(String(500), default="")
    audit_event_id: Mapped[str] = mapped_column(String(36), default="")
    uploaded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvidenceAttachment(TenantScoped, Base):
    """A file attached to a record: ``(object_type, object_id)`` names the record the way the
    permission model names its object (``ip_governance:pdca_phase``); ``verified`` is false
    for records of another plugin, whose existence this plugin cannot check."""

    __tablename__ = "ipg_evidence_attachments"
    __table_args__ = (UniqueConstraint("evidence_id", "object_type", "object_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    evidence_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ipg_evidence_files.id", ondelete="CASCADE"), index=True)
    object_type: Mapped[str] = mapped_column(String(120), index=True)
    object_id: Mapped[str] = mapped_column(String(120))
    verified: Mapped[bool] = mapped_column(Boolean, default=True)
    attached_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
