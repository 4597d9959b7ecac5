"""Tables of the docketing area: a tenant's rule overrides and its exchange rates.

``DocketRuleOverride`` rows are materialised per tenant at write time: a tenant's own
declarations (``declared``) and the rules it inherits from its ancestors, with ``effective``
telling which one applies by governance mode, so that recomputing a docket reads one tenant's
rows and never crosses a tenant boundary.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = ["DocketRuleOverride", "ExchangeRate"]


class DocketRuleOverride(TenantScoped, Base):
    """One rule (``ipgov-docket/1`` shape) a tenant declared or inherits."""

    __tablename__ = "ipg_docket_rule_overrides"
    __movable_on_absorption__ = False  # the absorbing group's practice stands
    __table_args__ = (UniqueConstraint("tenant_id", "rule_id", "source_tenant_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rule_id: Mapped[str] = mapped_column(String(80))
    body: Mapped[dict] = mapped_column(default=dict)
    yaml: Mapped[str] = mapped_column(Text, default="")
    source_tenant_id: Mapped[str] = mapped_column(String(36))
    declared: Mapped[bool] = mapped_column(Boolean, default=True)
    effective: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ExchangeRate(TenantScoped, Base):
    """How many units of ``reporting_currency`` one unit of ``currency`` is worth, as the
    tenant recorded it on ``as_of``."""

    __tablename__ = "ipg_exchange_rates"
    __table_args__ = (UniqueConstraint("tenant_id", "currency", "reporting_currency"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    currency: Mapped[str] = mapped_column(String(3))
    reporting_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8))
    as_of: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
