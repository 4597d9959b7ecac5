"""Tables of data quality: rules per asset kind and their evaluations over time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

from ..common import ordered_id

__all__ = ["QualityEvaluation", "QualityRule"]


class QualityRule(TenantScoped, Base):
    """A data-quality rule on one asset kind: a dimension, the field it looks at, parameters
    and the lowest acceptable score (0..1)."""

    __tablename__ = "dg_quality_rules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind_key: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(String(200))
    dimension: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(200), default="")
    params: Mapped[dict] = mapped_column(default=dict)
    threshold: Mapped[float] = mapped_column(Float, default=0.95)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QualityEvaluation(TenantScoped, Base):
    """A rule's score at one evaluation (a job run or a request), kept for the trend."""

    __tablename__ = "dg_quality_evaluations"
    __table_args__ = (Index("ix_dg_quality_evaluations_rule_at", "rule_id", "evaluated_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=ordered_id)
    rule_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("dg_quality_rules.id", ondelete="CASCADE"))
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[float] = mapped_column(Float)
    total: Mapped[int] = mapped_column(Integer)
    failing: Mapped[int] = mapped_column(Integer)
    failing_asset_ids: Mapped[list] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(40), default="request")
