"""Tables of the office connectors: a tenant's connector per office (credentials sealed, the
run's cursor and what the office last said) and the legal events the offices gave.

The cursor lives on the connector row: ``run_numbers`` is the list a run walks (taken from
the register when the run starts), ``cursor`` the count of those finished. A number's
documents, events and the cursor's step commit in one transaction, so a run stopped anywhere
(a quota, a killed worker) resumes at the first number not finished, and nothing finished is
fetched twice or lost.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["OFFICE_MODELS", "OfficeConnector", "OfficeLegalEvent"]


class OfficeConnector(TenantScoped, Base):
    """A tenant's connection to one office's service, and the state of its refresh runs."""

    __tablename__ = "ps_office_connectors"
    __table_args__ = (UniqueConstraint("tenant_id", "office"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    office: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sealed_credentials: Mapped[str] = mapped_column(Text, default="")  # seal_secret JSON
    credential_hint: Mapped[str] = mapped_column(String(40), default="")  # "…a1b2"
    configured_by: Mapped[str] = mapped_column(String(200), default="")
    configured_at: Mapped[datetime | None] = mapped_column()
    collection_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20), default="idle")
    run_numbers: Mapped[list] = mapped_column(default=list)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    run_started_at: Mapped[datetime | None] = mapped_column()
    last_run_at: Mapped[datetime | None] = mapped_column()
    last_completed_at: Mapped[datetime | None] = mapped_column()
    resume_after: Mapped[datetime | None] = mapped_column()
    quota: Mapped[dict] = mapped_column(default=dict)
    last_error_code: Mapped[str] = mapped_column(String(60), default="")
    last_error_message: Mapped[str] = mapped_column(Text, default="")
    last_error_params: Mapped[dict] = mapped_column(default=dict)
    requests_total: Mapped[int] = mapped_column(Integer, default=0)
    documents_total: Mapped[int] = mapped_column(Integer, default=0)
    events_total: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OfficeLegalEvent(TenantScoped, Base):
    """One legal-status event an office gave for a family member of a register number
    (INPADOC through EPO OPS, file-wrapper transactions through USPTO ODP)."""

    __tablename__ = "ps_office_legal_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "fingerprint"),
        Index("ix_ps_office_legal_events_member", "tenant_id", "publication_number"),
        Index("ix_ps_office_legal_events_register", "tenant_id", "register_number"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    office: Mapped[str] = mapped_column(String(20))
    register_number: Mapped[str] = mapped_column(String(60))  # the number the run asked for
    publication_number: Mapped[str] = mapped_column(String(60), default="")  # family member
    application_number: Mapped[str] = mapped_column(String(60), default="")
    family_id: Mapped[str] = mapped_column(String(40), default="")
    country: Mapped[str] = mapped_column(String(8), default="")
    code: Mapped[str] = mapped_column(String(40))
    event_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    influence: Mapped[str] = mapped_column(String(4), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    fingerprint: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


OFFICE_MODELS = [OfficeConnector, OfficeLegalEvent]
