"""Table of pre-publication checks (seed 7.4 a): the text, the matches found, the verdict."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, utcnow

from ..common import ordered_id

__all__ = ["PublicationCheck"]


class PublicationCheck(TenantScoped, Base):
    """A text screened before publication, kept as evidence with every match found and the
    verdict of each risk (``risks``: secret disclosure, novelty loss, third-party text)."""

    __tablename__ = "dg_publication_checks"
    __table_args__ = (Index("ix_dg_publication_checks_submitter", "tenant_id", "submitted_by",
                            "submitted_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=ordered_id)
    title: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    leak_score: Mapped[float] = mapped_column(Float, default=0.0)
    # since dg_0002 the closest copied passage of third-party text (before: claim similarity)
    infringement_score: Mapped[float] = mapped_column(Float, default=0.0)
    verdict: Mapped[str] = mapped_column(String(10))  # clear | review | block
    matches: Mapped[list] = mapped_column(default=list)
    screened_plugins: Mapped[list] = mapped_column(default=list)
    risks: Mapped[list] = mapped_column(default=list)  # [] for checks stored before dg_0002
