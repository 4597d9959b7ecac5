"""Tables of the organization area: governance subjects and their EDM records, the IP
strategy (objectives, KPI measurements, SWOT), the IP management organization (members,
RACI, training) and the nine management systems with PDCA cycles and judgements.

Seed §3 a (governance subjects), §5.1 (strategy), §5.2 (organization), §6.1 (management
systems); DESIGN §1 (Evaluate-Direct-Monitor).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipgov.api import Base, TenantScoped, new_id, utcnow

__all__ = [
    "GovernanceDecision",
    "GovernanceDirective",
    "GovernanceEvaluation",
    "GoverningBody",
    "IpStrategy",
    "KpiMeasurement",
    "ManagementSystem",
    "MonitoringRecord",
    "OrgMember",
    "PdcaCycle",
    "PdcaPhaseRecord",
    "RaciAssignment",
    "StrategyObjective",
    "SwotEntry",
    "SystemJudgement",
    "TrainingSession",
]


def _id() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


def _fk(table: str) -> Mapped[str]:
    return mapped_column(String(36), ForeignKey(f"{table}.id", ondelete="CASCADE"), index=True)


# ------------------------------------------------------------ governance subjects and EDM


class GoverningBody(TenantScoped, Base):
    """A governance subject: the board or top decision-maker, the decision level, the IP
    committee, internal supervision (seed §3 a)."""

    __tablename__ = "ipg_governing_bodies"

    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    chair: Mapped[str] = mapped_column(String(200), default="")
    mandate: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GovernanceEvaluation(TenantScoped, Base):
    """Evaluate: a body's assessment of a plan, programme or situation."""

    __tablename__ = "ipg_governance_evaluations"

    id: Mapped[str] = _id()
    body_id: Mapped[str] = _fk("ipg_governing_bodies")
    subject: Mapped[str] = mapped_column(String(300))
    conclusion: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GovernanceDirective(TenantScoped, Base):
    """Direct: an instruction a body gives management (not a review-engine directive)."""

    __tablename__ = "ipg_governance_directives"

    id: Mapped[str] = _id()
    body_id: Mapped[str] = _fk("ipg_governing_bodies")
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="open")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonitoringRecord(TenantScoped, Base):
    """Monitor: what a body observed of performance and compliance."""

    __tablename__ = "ipg_monitoring_records"

    id: Mapped[str] = _id()
    body_id: Mapped[str] = _fk("ipg_governing_bodies")
    subject: Mapped[str] = mapped_column(String(300))
    observation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="on_track")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class GovernanceDecision(TenantScoped, Base):
    """A key issue put to a governing body, owned by the tenant it concerns; when the group
    decides (reserved decision), ``escalation_id`` is the core escalation it raised."""

    __tablename__ = "ipg_governance_decisions"

    id: Mapped[str] = _id()
    decision_type: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(500))
    object_type: Mapped[str] = mapped_column(String(80), default="")
    object_id: Mapped[str] = mapped_column(String(36), default="")
    deciding_tenant_id: Mapped[str] = mapped_column(String(36), index=True)
    escalation_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    body_id: Mapped[str | None] = mapped_column(String(36))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decision_note: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


# ---------------------------------------------------------------------------- strategy


class IpStrategy(TenantScoped, Base):
    """The IP governance strategy (seed 5.1), re-assessed every ``reassessment_cadence_days``."""

    __tablename__ = "ipg_strategies"

    id: Mapped[str] = _id()
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    reassessment_cadence_days: Mapped[int] = mapped_column(Integer, default=365)
    last_reassessed_at: Mapped[datetime | None] = mapped_column()
    approved_at: Mapped[datetime | None] = mapped_column()
    decision_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StrategyObjective(TenantScoped, Base):
    """A strategic objective tied to business/innovation goals, with a KPI, a target, an
    owner and a time frame (seed 5.1.1, 5.1.3)."""

    __tablename__ = "ipg_strategy_objectives"

    id: Mapped[str] = _id()
    strategy_id: Mapped[str] = _fk("ipg_strategies")
    title: Mapped[str] = mapped_column(String(300))
    business_goal: Mapped[str] = mapped_column(String(500), default="")
    innovation_goal: Mapped[str] = mapped_column(String(500), default="")
    kpi: Mapped[str] = mapped_column(String(200), default="")
    kpi_unit: Mapped[str] = mapped_column(String(40), default="")
    target_value: Mapped[float | None] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    owner: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime | None] = mapped_column()
    ends_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KpiMeasurement(TenantScoped, Base):
    """A measured value of an objective's KPI at a moment (how business impact is measured)."""

    __tablename__ = "ipg_kpi_measurements"

    id: Mapped[str] = _id()
    objective_id: Mapped[str] = _fk("ipg_strategy_objectives")
    measured_at: Mapped[datetime] = mapped_column()
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(500), default="")


class SwotEntry(TenantScoped, Base):
    """A strength, weakness, opportunity or threat of the organization's IP (seed 5.1.3)."""

    __tablename__ = "ipg_swot_entries"

    id: Mapped[str] = _id()
    strategy_id: Mapped[str] = _fk("ipg_strategies")
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ------------------------------------------------------------------------ organization


class OrgMember(TenantScoped, Base):
    """A member of the IP management organization and the department type it represents."""

    __tablename__ = "ipg_org_members"

    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(200))
    department_type: Mapped[str] = mapped_column(String(40))
    department_name: Mapped[str] = mapped_column(String(200), default="")
    role_title: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[str | None] = mapped_column(String(36))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RaciAssignment(TenantScoped, Base):
    """Who is Responsible, Accountable, Consulted or Informed for an IP process (seed 5.2 a)."""

    __tablename__ = "ipg_raci_assignments"
    __table_args__ = (UniqueConstraint("tenant_id", "process", "member_id", "role"),)

    id: Mapped[str] = _id()
    process: Mapped[str] = mapped_column(String(120))
    member_id: Mapped[str] = _fk("ipg_org_members")
    role: Mapped[str] = mapped_column(String(1))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingSession(TenantScoped, Base):
    """An IP awareness or competence training (seed 5.2 c)."""

    __tablename__ = "ipg_training_sessions"

    id: Mapped[str] = _id()
    topic: Mapped[str] = mapped_column(String(300))
    held_at: Mapped[datetime] = mapped_column()
    attendees_count: Mapped[int] = mapped_column(Integer, default=0)
    attendee_member_ids: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ------------------------------------------------------------------ management systems


class ManagementSystem(TenantScoped, Base):
    """One of the nine IP-related management systems of a tenant (seed §6.1)."""

    __tablename__ = "ipg_management_systems"
    __movable_on_absorption__ = False  # cycles move to the absorbing tenant's system
    __table_args__ = (UniqueConstraint("tenant_id", "kind"),)

    id: Mapped[str] = _id()
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), default="")
    cadence_days: Mapped[int] = mapped_column(Integer, default=365)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PdcaCycle(TenantScoped, Base):
    """A Plan-Do-Check-Act cycle of a management system; complete when all four phases are
    recorded."""

    __tablename__ = "ipg_pdca_cycles"

    id: Mapped[str] = _id()
    system_id: Mapped[str] = _fk("ipg_management_systems")
    title: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PdcaPhaseRecord(TenantScoped, Base):
    """One phase (plan, do, check, act) of a cycle, when it was done and its evidence."""

    __tablename__ = "ipg_pdca_phases"
    __table_args__ = (UniqueConstraint("cycle_id", "phase"),)

    id: Mapped[str] = _id()
    cycle_id: Mapped[str] = _fk("ipg_pdca_cycles")
    phase: Mapped[str] = mapped_column(String(10))
    completed_at: Mapped[datetime] = mapped_column()
    evidence: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list] = mapped_column(default=list)


class SystemJudgement(TenantScoped, Base):
    """A judgement of a system on the six criteria: ``criteria`` maps each criterion to
    ``{"score": 1..5, "note": str}``."""

    __tablename__ = "ipg_system_judgements"

    id: Mapped[str] = _id()
    system_id: Mapped[str] = _fk("ipg_management_systems")
    judged_at: Mapped[datetime] = mapped_column()
    judged_by: Mapped[str] = mapped_column(String(200), default="")
    criteria: Mapped[dict] = mapped_column(default=dict)
