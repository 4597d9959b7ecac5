"""Tables of the documents area (GB/T 29490-2023 7.5, documented information): a controlled
document, its versions (each file an evidence file), the approvers' decisions and the read
acknowledgements of the roles it is distributed to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["ControlledDocument", "DocumentAcknowledgement", "DocumentApproval",
           "DocumentVersion"]


def _id() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


class ControlledDocument(TenantScoped, Base):
    """A manual, procedure, form or policy. ``imposed``: a group's document that applies to
    its subsidiaries (centralized and hybrid modes); ``supplements_id``: the group document a
    subsidiary's local supplement adds to (hybrid mode only)."""

    __tablename__ = "ipg_documents"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[str] = _id()
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    imposed: Mapped[bool] = mapped_column(Boolean, default=False)
    supplements_id: Mapped[str | None] = mapped_column(String(36))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentVersion(TenantScoped, Base):
    """One version: its file, author, approvers (``sequence``: in order; ``quorum``: any
    ``quorum`` of them), dates and distribution. Status: ``in_approval``, ``approved`` (in
    force from ``effective_on``), ``rejected``, ``superseded`` (kept, read-only)."""

    __tablename__ = "ipg_document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[str] = _id()
    document_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ipg_documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))
    evidence_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ipg_evidence_files.id", ondelete="RESTRICT"))
    change_note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="in_approval")
    approval_mode: Mapped[str] = mapped_column(String(10))
    approvers: Mapped[list] = mapped_column(default=list)
    quorum: Mapped[int] = mapped_column(Integer)
    effective_on: Mapped[date] = mapped_column(Date)
    review_due_on: Mapped[date] = mapped_column(Date)
    distribution: Mapped[list] = mapped_column(default=list)
    approved_at: Mapped[datetime | None] = mapped_column()
    superseded_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentApproval(TenantScoped, Base):
    """An approver's decision on a version (``approve`` or ``reject``)."""

    __tablename__ = "ipg_document_approvals"
    __table_args__ = (UniqueConstraint("version_id", "approver"),)

    id: Mapped[str] = _id()
    version_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ipg_document_versions.id", ondelete="CASCADE"), index=True)
    approver: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentAcknowledgement(TenantScoped, Base):
    """A user of this tenant confirms having read a version in force; the version may be the
    group's (an imposed document), so it is named by id without a foreign key."""

    __tablename__ = "ipg_document_acknowledgements"
    __table_args__ = (UniqueConstraint("tenant_id", "version_id", "user_id"),)

    id: Mapped[str] = _id()
    document_id: Mapped[str] = mapped_column(String(36), index=True)
    version_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[str] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)
