"""Tables of the risk_assets area: risk appetite and tolerances, the IP risk register, the IP
asset register with deadlines, licences and royalties, incidents, responses and recovery plans.

Every table is tenant-owned (``TenantScoped``): the core filters reads to the session's tenant
scope and PostgreSQL row-level security enforces the same boundary.
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

__all__ = [
    "IpAsset", "IpAssetDeadline", "IpIncident", "IpIncidentResponse", "IpLicence",
    "IpRecoveryPlan", "IpRisk", "IpRoyaltyPayment", "RiskAppetite", "RiskTolerance",
]


class RiskAppetite(TenantScoped, Base):
    """A tenant's risk appetite statement (seed 3 c, 5.1.2 c): one per tenant."""

    __tablename__ = "ipg_risk_appetites"
    __movable_on_absorption__ = False  # the absorbing tenant's appetite stands
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    statement: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(200), default="")
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RiskTolerance(TenantScoped, Base):
    """The highest acceptable likelihood × impact score (1-25) for one risk category."""

    __tablename__ = "ipg_risk_tolerances"
    __movable_on_absorption__ = False  # the absorbing tenant's appetite stands
    __table_args__ = (UniqueConstraint("tenant_id", "category"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    category: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IpRisk(TenantScoped, Base):
    """An entry of the IP risk register, scored on the 5×5 matrix, with its treatment."""

    __tablename__ = "ipg_risks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(200), default="")
    treatment: Mapped[str | None] = mapped_column(String(20))
    treatment_plan: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    accepted_by: Mapped[str | None] = mapped_column(String(200))
    accepted_at: Mapped[datetime | None] = mapped_column()
    acceptance_expires_on: Mapped[date | None] = mapped_column(Date)
    asset_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("ipg_assets.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IpAsset(TenantScoped, Base):
    """One IP right or protectable asset owned by the tenant (the owning entity)."""

    __tablename__ = "ipg_assets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(500))
    jurisdiction: Mapped[str] = mapped_column(String(8), default="")
    family_id: Mapped[str] = mapped_column(String(100), default="", index=True)
    application_number: Mapped[str] = mapped_column(String(60), default="")
    publication_number: Mapped[str] = mapped_column(String(60), default="")
    registration_number: Mapped[str] = mapped_column(String(60), default="")
    kind_code: Mapped[str] = mapped_column(String(10), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    assignee: Mapped[str] = mapped_column(String(300), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    inventors: Mapped[list] = mapped_column(default=list)
    cpc_codes: Mapped[list] = mapped_column(default=list)
    value_tier: Mapped[str | None] = mapped_column(String(1))
    priority_date: Mapped[date | None] = mapped_column(Date)
    filing_date: Mapped[date | None] = mapped_column(Date)
    publication_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    fee_reduction: Mapped[str] = mapped_column(String(30), default="")  # docket reduction id
    open_licence: Mapped[bool] = mapped_column(Boolean, default=False)  # CN 开放许可
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IpAssetDeadline(TenantScoped, Base):
    """A dated obligation on an asset: renewal/annuity, office-action response, opposition."""

    __tablename__ = "ipg_asset_deadlines"
    __table_args__ = (Index("ix_ipg_asset_deadlines_docket", "tenant_id", "asset_id", "origin"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    asset_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ipg_assets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    description: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # computed by the docket (origin "computed"): which rule and period, the grace period,
    # the official fee and an explanation {"en", "zh-CN"}; manual deadlines leave them empty
    origin: Mapped[str] = mapped_column(String(10), default="manual")
    rule_id: Mapped[str | None] = mapped_column(String(80))
    docket_key: Mapped[str | None] = mapped_column(String(120))
    grace_until: Mapped[date | None] = mapped_column(Date)
    fee_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    fee_currency: Mapped[str] = mapped_column(String(3), default="")
    explanation: Mapped[dict] = mapped_column(default=dict)


class IpLicence(TenantScoped, Base):
    """A licence in (we use others' IP) or out (others use ours) — the Operate function."""

    __tablename__ = "ipg_licences"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    direction: Mapped[str] = mapped_column(String(3))
    counterparty: Mapped[str] = mapped_column(String(300))
    asset_ids: Mapped[list] = mapped_column(default=list)
    scope: Mapped[str] = mapped_column(Text, default="")
    territory: Mapped[str] = mapped_column(String(200), default="")
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    royalty_bearing: Mapped[bool] = mapped_column(Boolean, default=True)
    royalty_terms: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IpRoyaltyPayment(TenantScoped, Base):
    """A royalty received (licence out) or paid (licence in)."""

    __tablename__ = "ipg_royalty_payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    licence_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ipg_licences.id", ondelete="CASCADE"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IpIncident(TenantScoped, Base):
    """A detected attack on or harm to our IP (Monitor), handled by responses (Respond)."""

    __tablename__ = "ipg_incidents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    detected_on: Mapped[date] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(10), default="medium")
    status: Mapped[str] = mapped_column(String(20), default="open")
    asset_ids: Mapped[list] = mapped_column(default=list)
    closed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IpIncidentResponse(TenantScoped, Base):
    """One action taken on an incident (Respond)."""

    __tablename__ = "ipg_incident_responses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ipg_incidents.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    responder: Mapped[str] = mapped_column(String(200), default="")
    taken_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IpRecoveryPlan(TenantScoped, Base):
    """How assets and operations hit by an incident are restored (Recover); steps as a list of
    ``{"title", "status", "due_on"}``."""

    __tablename__ = "ipg_recovery_plans"
    __table_args__ = (UniqueConstraint("tenant_id", "incident_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    incident_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ipg_incidents.id", ondelete="CASCADE"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    steps: Mapped[list] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DeadlineReminderSettings(TenantScoped, Base):
    """How many days before a deadline the tenant is reminded (``deadline.approaching``)."""

    __tablename__ = "ipg_deadline_reminders"
    __table_args__ = (UniqueConstraint("tenant_id"),)
    __movable_on_absorption__ = False  # the absorbing tenant keeps its own lead times

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lead_days: Mapped[list] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
