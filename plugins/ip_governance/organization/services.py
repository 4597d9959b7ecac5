"""Rules of the organization area: what a valid governing body, strategy, organization and
management system record is, and how a strategy is approved.

Every function takes a session scoped to the tenant it writes (or, for decisions, to the
tenants involved) and raises field-level ``InvalidInput`` / ``NotFound`` / ``Conflict``, so
bad input stores nothing. Seed §3 a, §5.1, §5.2, §6.1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import (
    Conflict,
    FieldErrors,
    InvalidInput,
    NotFound,
    PlatformContext,
    clean_text,
    decide_escalation,
    escalate_if_reserved,
    in_range,
    one_of,
    utcnow,
)

from .models import (
    GovernanceDecision,
    GovernanceDirective,
    GovernanceEvaluation,
    GoverningBody,
    IpStrategy,
    KpiMeasurement,
    ManagementSystem,
    MonitoringRecord,
    OrgMember,
    PdcaCycle,
    PdcaPhaseRecord,
    RaciAssignment,
    StrategyObjective,
    SwotEntry,
    SystemJudgement,
    TrainingSession,
)

BODY_KINDS = ("board", "top_decision_maker", "decision_level", "ip_committee",
              "internal_supervision", "other")
TOP_BODY_KINDS = frozenset({"board", "top_decision_maker"})
DECIDING_BODY_KINDS = frozenset({"board", "top_decision_maker", "decision_level", "ip_committee"})
DEPARTMENT_TYPES = ("top_decision_maker", "decision_level", "internal_supervision",
                    "key_business_department", "ip_department", "legal", "r_and_d", "finance",
                    "human_resources", "other")
REQUIRED_DEPARTMENTS = ("internal_supervision", "key_business_department", "ip_department")
RACI_ROLES = ("R", "A", "C", "I")
SWOT_CATEGORIES = ("strength", "weakness", "opportunity", "threat")
DIRECTIVE_STATUSES = ("open", "in_progress", "done", "cancelled")
DECISION_STATUSES = ("pending", "approved", "rejected")
MONITORING_STATUSES = ("on_track", "attention", "off_track")
PDCA_PHASES = ("plan", "do", "check", "act")
CRITERIA = ("completeness", "effectiveness", "suitability", "compliance", "cost_effectiveness",
            "consistency")
SYSTEM_KINDS = {
    "quality": "Quality management",
    "project": "Project management",
    "investment": "Investment management",
    "service": "Service management",
    "business_continuity": "Business continuity management",
    "information_security": "Information security management",
    "risk": "Risk management",
    "supplier": "Supplier (supply chain) management",
    "ip_asset": "IP asset management",
}
STRATEGY_APPROVAL = "strategy_approval"
_CLOCK_SKEW = timedelta(days=1)

M = TypeVar("M")


# ----------------------------------------------------------------------------- helpers


def aware(moment: datetime) -> datetime:
    """A UTC-aware datetime (SQLite returns naive ones; every stored time is UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: str | None, field: str, *, max_len: int, required: bool = True) -> str:
    return clean_text(value, field, max_len=max_len, required=required)


def _choice(value: str, choices: Iterable[str], field: str) -> str:
    return one_of(value, tuple(choices), field) or ""


def _int(value: int, field: str, low: int, high: int) -> int:
    return int(in_range(value, field, low, high))


def _past(moment: datetime | None, field: str) -> datetime:
    """A moment that has happened (default now); a future one is refused."""
    now = utcnow()
    if moment is None:
        return now
    moment = aware(moment)
    if moment > now + _CLOCK_SKEW:
        raise InvalidInput(f"{field} lies in the future", field=field)
    return moment


async def _get(session: AsyncSession, model: type[M], tenant_id: str, row_id: str,
               field: str, what: str) -> M:
    """The row of ``tenant_id`` with this id; ``NotFound`` on ``field`` otherwise."""
    row = await session.get(model, str(row_id))
    if row is None or row.tenant_id != tenant_id:  # type: ignore[attr-defined]
        raise NotFound(f"no such {what} in this tenant", field=field)
    return row


def _add(session: AsyncSession, row: M) -> M:
    session.add(row)
    return row


# ------------------------------------------------------------- governing bodies and EDM


async def create_body(session: AsyncSession, tenant_id: str, *, name: str, kind: str,
                      chair: str = "", mandate: str = "") -> GoverningBody:
    """Register a governance subject (seed §3 a)."""
    v = FieldErrors()
    body = GoverningBody(tenant_id=tenant_id, name=v.check(_text, name, "name", max_len=200),
                         kind=v.check(_choice, kind, BODY_KINDS, "kind"),
                         chair=v.check(_text, chair, "chair", max_len=200, required=False),
                         mandate=v.check(_text, mandate, "mandate", max_len=5000, required=False))
    v.raise_if_any()
    _add(session, body)
    await session.flush()
    return body


async def _active_body(session: AsyncSession, tenant_id: str, body_id: str) -> GoverningBody:
    body = await _get(session, GoverningBody, tenant_id, body_id, "bodyId", "governing body")
    if not body.active:
        raise InvalidInput("the governing body is inactive", field="bodyId")
    return body


async def record_evaluation(session: AsyncSession, tenant_id: str, *, body_id: str,
                            subject: str, conclusion: str = "", rating: int | None = None,
                            evaluated_at: datetime | None = None) -> GovernanceEvaluation:
    """Evaluate: a body's assessment, optionally rated 1 (poor) to 5 (excellent)."""
    v = FieldErrors()
    await _active_body(session, tenant_id, body_id)
    row = GovernanceEvaluation(
        tenant_id=tenant_id, body_id=body_id,
        subject=v.check(_text, subject, "subject", max_len=300),
        conclusion=v.check(_text, conclusion, "conclusion", max_len=5000, required=False),
        rating=None if rating is None else v.check(_int, rating, "rating", 1, 5),
        evaluated_at=v.check(_past, evaluated_at, "evaluatedAt"))
    v.raise_if_any()
    _add(session, row)
    await session.flush()
    return row


async def issue_directive(session: AsyncSession, tenant_id: str, *, body_id: str, title: str,
                          description: str = "", owner: str = "",
                          due_at: datetime | None = None) -> GovernanceDirective:
    """Direct: a body instructs management (who, what, by when)."""
    v = FieldErrors()
    await _active_body(session, tenant_id, body_id)
    row = GovernanceDirective(
        tenant_id=tenant_id, body_id=body_id, title=v.check(_text, title, "title", max_len=300),
        description=v.check(_text, description, "description", max_len=5000, required=False),
        owner=v.check(_text, owner, "owner", max_len=200, required=False),
        due_at=aware(due_at) if due_at else None, status="open")
    v.raise_if_any()
    _add(session, row)
    await session.flush()
    return row


async def set_directive_status(session: AsyncSession, tenant_id: str, directive_id: str,
                               status: str) -> GovernanceDirective:
    """Move a governance directive along (open, in_progress, done, cancelled)."""
    row = await _get(session, GovernanceDirective, tenant_id, directive_id, "id",
                     "governance directive")
    row.status = _choice(status, DIRECTIVE_STATUSES, "status")
    await session.flush()
    return row


async def record_monitoring(session: AsyncSession, tenant_id: str, *, body_id: str,
                            subject: str, observation: str = "", status: str = "on_track",
                            recorded_at: datetime | None = None) -> MonitoringRecord:
    """Monitor: what a body observed of performance and compliance."""
    v = FieldErrors()
    await _active_body(session, tenant_id, body_id)
    row = MonitoringRecord(
        tenant_id=tenant_id, body_id=body_id,
        subject=v.check(_text, subject, "subject", max_len=300),
        observation=v.check(_text, observation, "observation", max_len=5000, required=False),
        status=v.check(_choice, status, MONITORING_STATUSES, "status"),
        recorded_at=v.check(_past, recorded_at, "recordedAt"))
    v.raise_if_any()
    _add(session, row)
    await session.flush()
    return row


# ---------------------------------------------------------------------------- strategy


async def create_strategy(session: AsyncSession, tenant_id: str, *, title: str,
                          summary: str = "",
                          reassessment_cadence_days: int = 365) -> IpStrategy:
    """A draft IP governance strategy with its re-assessment cadence (seed 5.1.3)."""
    v = FieldErrors()
    row = IpStrategy(tenant_id=tenant_id, title=v.check(_text, title, "title", max_len=300),
                     summary=v.check(_text, summary, "summary", max_len=20000, required=False),
                     reassessment_cadence_days=v.check(_int, reassessment_cadence_days,
                                                    "reassessmentCadenceDays", 1, 3650),
                     status="draft")
    v.raise_if_any()
    _add(session, row)
    await session.flush()
    return row


async def update_strategy(session: AsyncSession, tenant_id: str, strategy_id: str, *,
                          title: str | None = None, summary: str | None = None,
                          reassessment_cadence_days: int | None = None,
                          reassessed_at: datetime | None = None) -> IpStrategy:
    """Change a strategy's text or cadence, or record that it was re-assessed."""
    v = FieldErrors()
    row = await _get(session, IpStrategy, tenant_id, strategy_id, "id", "strategy")
    if title is not None:
        row.title = v.check(_text, title, "title", max_len=300)
    if summary is not None:
        row.summary = v.check(_text, summary, "summary", max_len=20000, required=False)
    if reassessment_cadence_days is not None:
        row.reassessment_cadence_days = v.check(_int, reassessment_cadence_days,
                                             "reassessmentCadenceDays", 1, 3650)
    if reassessed_at is not None:
        row.last_reassessed_at = v.check(_past, reassessed_at, "reassessedAt")
    v.raise_if_any()
    await session.flush()
    return row


async def add_objective(
    session: AsyncSession, tenant_id: str, *, strategy_id: str, title: str,
    business_goal: str = "", innovation_goal: str = "", kpi: str = "", kpi_unit: str = "",
    target_value: float | None = None, higher_is_better: bool = True, owner: str = "",
    starts_at: datetime | None = None, ends_at: datetime | None = None,
) -> StrategyObjective:
    """A strategic objective tied to a business or innovation goal (seed 5.1.1)."""
    await _get(session, IpStrategy, tenant_id, strategy_id, "strategyId", "strategy")
    v = FieldErrors()
    texts = {"title": v.check(_text, title, "title", max_len=300),
             "business_goal": v.check(_text, business_goal, "businessGoal", max_len=500,
                                      required=False),
             "innovation_goal": v.check(_text, innovation_goal, "innovationGoal", max_len=500,
                                        required=False),
             "kpi": v.check(_text, kpi, "kpi", max_len=200, required=False),
             "kpi_unit": v.check(_text, kpi_unit, "kpiUnit", max_len=40, required=False),
             "owner": v.check(_text, owner, "owner", max_len=200, required=False)}
    if not (business_goal or "").strip() and not (innovation_goal or "").strip():
        v.add(InvalidInput("link the objective to a business or an innovation goal",
                           code="REQUIRED", field="businessGoal"))
    if target_value is not None and not (kpi or "").strip():
        v.add(InvalidInput("a target value needs a KPI", code="REQUIRED", field="kpi"))
    if starts_at and ends_at and aware(ends_at) <= aware(starts_at):
        v.add(InvalidInput("the time frame must end after it starts", field="endsAt"))
    v.raise_if_any()
    row = StrategyObjective(
        tenant_id=tenant_id, strategy_id=strategy_id, target_value=target_value,
        higher_is_better=higher_is_better, starts_at=aware(starts_at) if starts_at else None,
        ends_at=aware(ends_at) if ends_at else None, **texts)
    _add(session, row)
    await session.flush()
    return row


async def record_measurement(session: AsyncSession, tenant_id: str, *, objective_id: str,
                             value: float, measured_at: datetime | None = None,
                             note: str = "") -> KpiMeasurement:
    """A measured value of an objective's KPI (how business impact is measured)."""
    v = FieldErrors()
    objective = await _get(session, StrategyObjective, tenant_id, objective_id, "objectiveId",
                           "objective")
    if not objective.kpi:
        raise InvalidInput("the objective has no KPI to measure", field="objectiveId")
    row = KpiMeasurement(tenant_id=tenant_id, objective_id=objective_id, value=float(value),
                         measured_at=v.check(_past, measured_at, "measuredAt"),
                         note=v.check(_text, note, "note", max_len=500, required=False))
    v.raise_if_any()
    _add(session, row)
    await session.flush()
    return row


async def add_swot(session: AsyncSession, tenant_id: str, *, strategy_id: str, category: str,
                   text: str) -> SwotEntry:
    """A strength, weakness, opportunity or threat of the organization's IP (seed 5.1.3)."""
    v = FieldErrors()
    await _get(session, IpStrategy, tenant_id, strategy_id, "strategyId", "strategy")
    row = SwotEntry(tenant_id=tenant_id, strategy_id=strategy_id,
                    category=v.check(_choice, category, SWOT_CATEGORIES, "category"),
                    text=v.check(_text, text, "text", max_len=5000))
    v.raise_if_any()
    _add(session, row)
    await session.flush()
    return row


# ----------------------------------------------------- approval: a reserved decision


async def submit_strategy(platform: PlatformContext, session: AsyncSession, tenant_id: str,
                          strategy_id: str, actor: str) -> tuple[IpStrategy, GovernanceDecision]:
    """Put a strategy to the deciding governing body.

    Strategy approval is a reserved decision: in a centralized group, or a hybrid one that
    reserves it, the core escalation goes to the group and the group's body decides; otherwise
    the tenant's own body does. ``session`` must reach the tenant's lineage.
    """
    strategy = await _get(session, IpStrategy, tenant_id, strategy_id, "id", "strategy")
    if strategy.status == "pending_approval":
        raise Conflict("the strategy already awaits a decision", code="ALREADY_PENDING",
                       field="id")
    objectives = (await session.execute(select(func.count(StrategyObjective.id)).where(
        StrategyObjective.strategy_id == strategy.id))).scalar_one()
    if not objectives:
        raise InvalidInput("a strategy needs at least one objective before approval",
                           field="id")
    decision = GovernanceDecision(
        tenant_id=tenant_id, decision_type=STRATEGY_APPROVAL,
        subject=f"IP governance strategy: {strategy.title}"[:500],
        object_type="ip_governance:strategy", object_id=strategy.id,
        deciding_tenant_id=tenant_id, status="pending", requested_by=actor)
    _add(session, decision)
    await session.flush()
    escalation = await escalate_if_reserved(
        platform, session, tenant_id=tenant_id, decision_type=STRATEGY_APPROVAL,
        subject=decision.subject, actor=actor,
        payload={"strategy_id": strategy.id, "decision_id": decision.id},
        idempotency_key=f"ip_governance.decision:{decision.id}")
    if escalation is not None:
        decision.deciding_tenant_id = escalation.tenant_id
        decision.escalation_id = escalation.id
    strategy.status, strategy.decision_id = "pending_approval", decision.id
    await session.flush()
    return strategy, decision


async def record_decision(platform: PlatformContext, session: AsyncSession, *,
                          deciding_tenant_id: str,
                          from_tenant_id: str, decision_id: str, body_id: str, approve: bool,
                          note: str, actor: str) -> GovernanceDecision:
    """The deciding body's final decision on a key issue (seed §3 a: final decisions on key
    issues that escalate); it settles the strategy and the core escalation alike."""
    decision = await _get(session, GovernanceDecision, from_tenant_id, decision_id,
                          "decisionId", "decision")
    if decision.deciding_tenant_id != deciding_tenant_id:
        raise NotFound("no such decision awaits this tenant", field="decisionId")
    if decision.status != "pending":
        raise Conflict(f"the decision is already {decision.status}", code="ALREADY_DECIDED",
                       field="decisionId")
    body = await _active_body(session, deciding_tenant_id, body_id)
    if body.kind not in DECIDING_BODY_KINDS:
        raise InvalidInput(f"a {body.kind} body does not take decisions; choose one of "
                           f"{', '.join(sorted(DECIDING_BODY_KINDS))}", field="bodyId")
    now = utcnow()
    decision.status = "approved" if approve else "rejected"
    decision.body_id, decision.decided_by, decision.decided_at = body.id, actor, now
    decision.decision_note = _text(note, "note", max_len=2000, required=False)
    if decision.escalation_id:
        await _settle_escalation(platform, session, decision, actor)
    if decision.object_type == "ip_governance:strategy":
        await _settle_strategy(session, decision)
    await session.flush()
    return decision


async def _settle_escalation(platform: PlatformContext, session: AsyncSession,
                             decision: GovernanceDecision, actor: str) -> None:
    """Close the core escalation the decision raised (the core records and audits it)."""
    try:
        await decide_escalation(platform, session, tenant_id=decision.deciding_tenant_id,
                                escalation_id=decision.escalation_id,
                                approve=decision.status == "approved", actor=actor,
                                note=decision.decision_note or "")
    except Conflict:
        raise Conflict("the group escalation was already decided elsewhere",
                       code="ALREADY_DECIDED", field="decisionId") from None


async def _settle_strategy(session: AsyncSession, decision: GovernanceDecision) -> None:
    strategy = await session.get(IpStrategy, decision.object_id)
    if strategy is None or strategy.decision_id != decision.id:
        return
    if decision.status == "approved":
        strategy.status = "approved"
        strategy.approved_at = strategy.last_reassessed_at = decision.decided_at
    else:
        strategy.status = "rejected"


# ------------------------------------------------------------------------ organization


async def add_member(session: AsyncSession, tenant_id: str, *, name: str,
                     department_type: str, department_name: str = "", role_title: str = "",
                     user_id: str | None = None) -> OrgMember:
    """A member of the IP management organization (seed §3 b, 5.2)."""
    v = FieldErrors()
    row = OrgMember(tenant_id=tenant_id, name=v.check(_text, name, "name", max_len=200),
                    department_type=v.check(_choice, department_type, DEPARTMENT_TYPES,
                                            "departmentType"),
                    department_name=v.check(_text, department_name, "departmentName", max_len=200,
                                          required=False),
                    role_title=v.check(_text, role_title, "roleTitle", max_len=200, required=False),
                    user_id=str(user_id) if user_id else None, active=True)
    v.raise_if_any()
    _add(session, row)
    await session.flush()
    return row


async def set_member_active(session: AsyncSession, tenant_id: str, member_id: str,
                            active: bool) -> OrgMember:
    """A member leaves (or rejoins) the organization; the record stays."""
    row = await _get(session, OrgMember, tenant_id, member_id, "id", "member")
    row.active = active
    await session.flush()
    return row


async def assign_raci(session: AsyncSession, tenant_id: str, *, process: str, member_id: str,
                      role: str) -> RaciAssignment:
    """Make a member R, A, C or I for an IP process; a process has one Accountable."""
    v = FieldErrors()
    process_name = v.check(_text, process, "process", max_len=120)
    role = v.check(_choice, role.upper() if role else role, RACI_ROLES, "role")
    v.raise_if_any()
    await _get(session, OrgMember, tenant_id, member_id, "memberId", "member")
    same = select(RaciAssignment).where(RaciAssignment.tenant_id == tenant_id,
                                        RaciAssignment.process == process_name)
    existing = list((await session.execute(same)).scalars())
    if any(a.member_id == member_id and a.role == role for a in existing):
        raise Conflict("the member already has this role for the process", field="role")
    if role == "A" and any(a.role == "A" for a in existing):
        raise Conflict(f"{process_name!r} already has an Accountable: a process has exactly "
                       "one", code="ACCOUNTABLE_TAKEN", field="role")
    row = RaciAssignment(tenant_id=tenant_id, process=process_name, member_id=member_id,
                         role=role)
    _add(session, row)
    await session.flush()
    return row


async def remove_raci(session: AsyncSession, tenant_id: str, assignment_id: str) -> str:
    """Withdraw a RACI assignment; returns its id."""
    row = await _get(session, RaciAssignment, tenant_id, assignment_id, "id", "RACI assignment")
    await session.delete(row)
    await session.flush()
    return assignment_id


async def record_training(session: AsyncSession, tenant_id: str, *, topic: str,
                          held_at: datetime | None = None, attendees_count: int = 0,
                          attendee_member_ids: Iterable[str] = ()) -> TrainingSession:
    """A training held (seed 5.2 c); attendees by count, by member, or both."""
    v = FieldErrors()
    members = sorted({str(m) for m in attendee_member_ids})
    for member_id in members:
        await _get(session, OrgMember, tenant_id, member_id, "attendeeMemberIds", "member")
    count = v.check(_int, attendees_count, "attendeesCount", 0, 1_000_000)
    v.raise_if_any()
    row = TrainingSession(tenant_id=tenant_id, topic=v.check(_text, topic, "topic", max_len=300),
                          held_at=v.check(_past, held_at, "heldAt"),
                          attendees_count=max(count, len(members)),
                          attendee_member_ids=members)
    _add(session, row)
    await session.flush()
    return row


# ------------------------------------------------------------------ management systems


async def ensure_management_systems(session: AsyncSession,
                                    tenant_id: str) -> list[ManagementSystem]:
    """The nine management systems of the tenant, creating those missing (seed §6.1)."""
    stmt = select(ManagementSystem).where(ManagementSystem.tenant_id == tenant_id)
    have = {s.kind: s for s in (await session.execute(stmt)).scalars()}
    for kind, name in SYSTEM_KINDS.items():
        if kind not in have:
            have[kind] = _add(session, ManagementSystem(tenant_id=tenant_id, kind=kind,
                                                        name=name, cadence_days=365))
    await session.flush()
    return [have[k] for k in SYSTEM_KINDS]


async def update_system(session: AsyncSession, tenant_id: str, system_id: str, *,
                        cadence_days: int | None = None,
                        owner: str | None = None) -> ManagementSystem:
    """Set how often a system must complete a PDCA cycle, or its owner."""
    v = FieldErrors()
    row = await _get(session, ManagementSystem, tenant_id, system_id, "id",
                     "management system")
    if cadence_days is not None:
        row.cadence_days = v.check(_int, cadence_days, "cadenceDays", 1, 3650)
    if owner is not None:
        row.owner = v.check(_text, owner, "owner", max_len=200, required=False)
    v.raise_if_any()
    await session.flush()
    return row


async def start_cycle(session: AsyncSession, tenant_id: str, *, system_id: str, title: str,
                      started_at: datetime | None = None) -> PdcaCycle:
    """Open a PDCA cycle of a management system."""
    v = FieldErrors()
    await _get(session, ManagementSystem, tenant_id, system_id, "systemId", "management system")
    row = PdcaCycle(tenant_id=tenant_id, system_id=system_id,
                    title=v.check(_text, title, "title", max_len=300),
                    started_at=v.check(_past, started_at, "startedAt"))
    v.raise_if_any()
    _add(session, row)
    await session.flush()
    return row


async def record_phase(session: AsyncSession, tenant_id: str, *, cycle_id: str, phase: str,
                       completed_at: datetime | None = None, evidence: str = "",
                       links: Iterable[str] = ()) -> PdcaPhaseRecord:
    """Record a phase of a cycle with its evidence; phases come in order plan, do, check, act."""
    cycle = await _get(session, PdcaCycle, tenant_id, cycle_id, "cycleId", "PDCA cycle")
    phase = _choice(phase, PDCA_PHASES, "phase")
    done = {p.phase: p for p in (await session.execute(select(PdcaPhaseRecord).where(
        PdcaPhaseRecord.cycle_id == cycle.id))).scalars()}
    if phase in done:
        raise Conflict(f"the {phase} phase is already recorded", field="phase")
    previous = PDCA_PHASES[PDCA_PHASES.index(phase) - 1] if phase != "plan" else None
    if previous and previous not in done:
        raise InvalidInput(f"record the {previous} phase before {phase}", field="phase")
    moment = _past(completed_at, "completedAt")
    floor = aware(done[previous].completed_at) if previous else aware(cycle.started_at)
    if moment < floor:
        raise InvalidInput("a phase cannot end before the previous step", field="completedAt")
    clean_links = [_text(link, "links", max_len=500) for link in links]
    row = PdcaPhaseRecord(tenant_id=tenant_id, cycle_id=cycle.id, phase=phase,
                          completed_at=moment,
                          evidence=_text(evidence, "evidence", max_len=10000, required=False),
                          links=clean_links)
    _add(session, row)
    await session.flush()
    return row


async def judge_system(session: AsyncSession, tenant_id: str, *, system_id: str,
                       criteria: Mapping[str, tuple[int, str]],
                       judged_at: datetime | None = None,
                       judged_by: str = "") -> SystemJudgement:
    """Judge a system on all six criteria, each scored 1 (poor) to 5 (excellent)."""
    await _get(session, ManagementSystem, tenant_id, system_id, "systemId", "management system")
    unknown = sorted(set(criteria) - set(CRITERIA))
    if unknown:
        raise InvalidInput(f"unknown criteria: {', '.join(unknown)}", field="criteria")
    missing = [c for c in CRITERIA if c not in criteria]
    if missing:
        raise InvalidInput(f"judge every criterion; missing: {', '.join(missing)}",
                           field="criteria")
    v = FieldErrors()
    scored = {c: {"score": v.check(_int, criteria[c][0], f"criteria.{c}", 1, 5),
                  "note": v.check(_text, criteria[c][1], f"criteria.{c}.note", max_len=2000,
                                  required=False)}
              for c in CRITERIA}
    moment = v.check(_past, judged_at, "judgedAt")
    judge = v.check(_text, judged_by, "judgedBy", max_len=200, required=False)
    v.raise_if_any()
    row = SystemJudgement(tenant_id=tenant_id, system_id=system_id, criteria=scored,
                          judged_at=moment, judged_by=judge)
    _add(session, row)
    await session.flush()
    return row


async def completed_cycles(session: AsyncSession) -> dict[str, datetime]:
    """For each system in the session's scope, when its latest complete PDCA cycle ended."""
    stmt = (select(PdcaCycle.system_id, PdcaPhaseRecord.cycle_id,
                   func.count(PdcaPhaseRecord.id), func.max(PdcaPhaseRecord.completed_at))
            .join(PdcaCycle, PdcaCycle.id == PdcaPhaseRecord.cycle_id)
            .group_by(PdcaCycle.system_id, PdcaPhaseRecord.cycle_id))
    latest: dict[str, datetime] = {}
    for system_id, _cycle, phases, ended in (await session.execute(stmt)).all():
        if phases == len(PDCA_PHASES):
            ended = aware(ended)
            if system_id not in latest or ended > latest[system_id]:
                latest[system_id] = ended
    return latest


async def merge_management_systems(session: AsyncSession, *, keep: str, gone: str) -> int:
    """Move cycles and judgements of ``gone``'s systems onto ``keep``'s system of the same
    kind (creating it when missing); returns how many systems were merged."""
    theirs = (await session.execute(select(ManagementSystem).where(
        ManagementSystem.tenant_id == gone))).scalars().all()
    ours = {m.kind: m for m in (await session.execute(select(ManagementSystem).where(
        ManagementSystem.tenant_id == keep))).scalars()}
    for system in theirs:
        target = ours.get(system.kind)
        if target is None:
            target = ManagementSystem(tenant_id=keep, kind=system.kind, name=system.name,
                                      owner=system.owner, cadence_days=system.cadence_days)
            session.add(target)
            await session.flush()
            ours[system.kind] = target
        for model in (PdcaCycle, SystemJudgement):
            await session.execute(update(model).where(model.system_id == system.id)
                                  .values(system_id=target.id)
                                  .execution_options(synchronize_session=False))
    return len(theirs)
