"""Demo data of the organization area for the Hanwei group: HQ has a complete top-level design
and well-run management systems; each subsidiary has realistic gaps, so a group review shows
every check of this area failing somewhere and passing elsewhere.

- hanwei-semiconductor: an objective without owner/time frame, a KPI off target, a strategy
  not re-assessed for 500 days, the risk management system judged weak.
- hanwei-medical: no internal supervision in the IP organization, training 14 months ago,
  two Accountables for patent filing, no SWOT.
- hanwei-software: no board or top decision-maker, no key business department.
- hanwei-cloud: no strategy at all, every PDCA cycle stale, a process without Accountable.
- hanwei-industrial: complete, like HQ.
- hanwei-europe: no IP department member, no training, two systems with unfinished cycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import DemoContext, utcnow

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
from .services import CRITERIA, PDCA_PHASES, ensure_management_systems

__all__ = ["demo"]


@dataclass(frozen=True)
class Scenario:
    """What a demo tenant lacks or does badly (empty: a complete, healthy tenant)."""

    strategy: str = "ok"  # ok, missing, stale, no_swot
    weak_objectives: bool = False
    kpi_off_target: bool = False
    no_board: bool = False
    missing_departments: frozenset[str] = frozenset()
    training: str = "recent"  # recent, old, none
    raci: str = "ok"  # ok, double_a, missing_a
    stale_systems: str | frozenset[str] = frozenset()  # "all", or kinds with unfinished cycles
    weak_system: str | None = None
    monitoring: str = "recent"  # recent, old, none


SCENARIOS: dict[str, Scenario] = {
    "hanwei-group": Scenario(),
    "hanwei-semiconductor": Scenario(strategy="stale", weak_objectives=True,
                                     kpi_off_target=True, weak_system="risk"),
    "hanwei-medical": Scenario(strategy="no_swot", training="old", raci="double_a",
                               missing_departments=frozenset({"internal_supervision"})),
    "hanwei-software": Scenario(no_board=True, monitoring="none",
                                missing_departments=frozenset({"key_business_department"})),
    "hanwei-cloud": Scenario(strategy="missing", stale_systems="all", raci="missing_a",
                             monitoring="old"),
    "hanwei-industrial": Scenario(),
    "hanwei-europe": Scenario(training="none",
                              missing_departments=frozenset({"ip_department"}),
                              stale_systems=frozenset({"business_continuity", "supplier"})),
}

MEMBERS = [
    ("top_decision_maker", "Chief Executive Officer", "Executive Office"),
    ("decision_level", "VP Technology", "Technology Committee"),
    ("internal_supervision", "Head of Internal Audit", "Internal Audit & Supervision"),
    ("key_business_department", "Product Line Director", "Product Business Unit"),
    ("ip_department", "IP Manager", "IP Department"),
    ("legal", "Senior Legal Counsel", "Legal Affairs"),
    ("r_and_d", "R&D Director", "Research & Development"),
]
PROCESSES = ["Invention disclosure review", "Patent filing decision",
             "Trade-secret classification", "Licensing negotiation"]
SWOT = [("strength", "Strong invention pipeline in the core product lines"),
        ("weakness", "Few engineers trained to write invention disclosures"),
        ("opportunity", "Cross-licensing with partners in the standards pool"),
        ("threat", "Competitors filing blocking patents around our roadmap")]


@dataclass
class _Builder:
    """Adds one tenant's rows to the demo session, stamped with its tenant id."""

    session: AsyncSession
    tenant_id: str
    name: str
    now: datetime = field(default_factory=utcnow)

    def ago(self, days: int) -> datetime:
        return self.now - timedelta(days=days)

    def add(self, row):
        row.tenant_id = self.tenant_id
        self.session.add(row)
        return row

    async def bodies(self, sc: Scenario) -> GoverningBody | None:
        board = None
        if not sc.no_board:
            board = self.add(GoverningBody(name="Board of Directors", kind="board",
                                           chair="Chairman", mandate="Ultimate responsibility "
                                           "for IP governance (GB/T 29490-2023 5.1)"))
        committee = self.add(GoverningBody(name="IP Management Committee", kind="ip_committee",
                                           chair="Group IP Director",
                                           mandate="Decides IP plans and escalations"))
        supervision = self.add(GoverningBody(name="Audit & Supervision Committee",
                                             kind="internal_supervision",
                                             chair="Head of Internal Audit"))
        await self.session.flush()
        self.add(GovernanceEvaluation(body_id=committee.id, rating=4,
                                      subject=f"{self.name}: IP plan implementation",
                                      conclusion="Filing targets on track; FTO coverage "
                                      "improving.", evaluated_at=self.ago(40)))
        self.add(GovernanceDirective(body_id=(board or committee).id, owner="IP Manager",
                                     title="Build a patent database around the technology "
                                     "roadmap", description="IP-CSF PR.PS-01: a database "
                                     "targeted at technical intelligence.", due_at=self.ago(-120)))
        if sc.monitoring != "none":
            self.add(MonitoringRecord(body_id=supervision.id, status="on_track",
                                      subject="IP compliance of product launches",
                                      observation="All launches this quarter had an FTO "
                                      "screening.",
                                      recorded_at=self.ago(15 if sc.monitoring == "recent"
                                                           else 400)))
        return board or committee

    async def strategy(self, sc: Scenario, decider: GoverningBody | None) -> None:
        if sc.strategy == "missing":
            return
        reassessed = self.ago(500 if sc.strategy == "stale" else 60)
        strategy = self.add(IpStrategy(
            title=f"{self.name} IP governance strategy 2025-2027", status="approved",
            summary="Integrate IP management into business and innovation strategy.",
            reassessment_cadence_days=365, last_reassessed_at=reassessed,
            approved_at=reassessed, created_at=self.ago(720)))
        await self.session.flush()
        if decider is not None:
            decision = self.add(GovernanceDecision(
                decision_type="strategy_approval", subject=f"IP strategy: {strategy.title}",
                object_type="ip_governance:strategy", object_id=strategy.id,
                deciding_tenant_id=self.tenant_id, status="approved", body_id=decider.id,
                decided_by="demo", decision_note="Approved", requested_by="demo",
                created_at=reassessed, decided_at=reassessed))
            await self.session.flush()
            strategy.decision_id = decision.id
        if sc.strategy != "no_swot":
            for category, text in SWOT:
                self.add(SwotEntry(strategy_id=strategy.id, category=category, text=text))
        await self.objectives(strategy.id, sc)

    async def objectives(self, strategy_id: str, sc: Scenario) -> None:
        filings = self.add(StrategyObjective(
            strategy_id=strategy_id, title="Protect the core technology of the roadmap",
            business_goal="Secure freedom to operate for new product lines",
            kpi="Invention patent filings per year", kpi_unit="filings", target_value=40,
            owner="IP Manager", starts_at=self.ago(300), ends_at=self.ago(-800)))
        fto = self.add(StrategyObjective(
            strategy_id=strategy_id, title="Launch products without IP disputes",
            innovation_goal="Screen every launch for freedom to operate",
            kpi="Launches with FTO screening", kpi_unit="%", target_value=95,
            owner="Legal Counsel", starts_at=self.ago(300), ends_at=self.ago(-400)))
        await self.session.flush()
        latest = 31 if sc.kpi_off_target else 44
        for days, value in ((200, 18), (20, latest)):
            self.add(KpiMeasurement(objective_id=filings.id, measured_at=self.ago(days),
                                    value=value, note="From the patent docket"))
        self.add(KpiMeasurement(objective_id=fto.id, measured_at=self.ago(30), value=97))
        if sc.weak_objectives:
            self.add(StrategyObjective(
                strategy_id=strategy_id, title="Monetise dormant patents",
                business_goal="New licensing revenue", kpi="Licensing revenue",
                kpi_unit="kCNY", target_value=500))

    def organization(self, sc: Scenario) -> list[OrgMember]:
        members = [self.add(OrgMember(department_type=kind, role_title=title,
                                      department_name=dept, name=f"{title} ({self.name})"))
                   for kind, title, dept in MEMBERS if kind not in sc.missing_departments]
        return members

    async def raci(self, sc: Scenario, members: list[OrgMember]) -> None:
        await self.session.flush()
        for i, process in enumerate(PROCESSES):
            roles = ["A", "R", "C", "I"]
            if sc.raci == "double_a" and process == "Patent filing decision":
                roles = ["A", "A", "R", "I"]
            if sc.raci == "missing_a" and process == "Licensing negotiation":
                roles = ["R", "R", "C", "I"]
            for j, role in enumerate(roles):
                member = members[(i + j) % len(members)]
                self.add(RaciAssignment(process=process, member_id=member.id, role=role))

    def training(self, sc: Scenario, members: list[OrgMember]) -> None:
        if sc.training == "none":
            return
        self.add(TrainingSession(topic="Trade-secret protection for R&D engineers",
                                 held_at=self.ago(420 if sc.training == "old" else 45),
                                 attendees_count=48,
                                 attendee_member_ids=[m.id for m in members[:3]]))

    async def systems(self, sc: Scenario) -> None:
        for system in await ensure_management_systems(self.session, self.tenant_id):
            await self.cycle(system, sc)
            scores = {c: {"score": 4, "note": "Meets expectations"} for c in CRITERIA}
            if system.kind == sc.weak_system:
                scores["cost_effectiveness"] = {"score": 2, "note": "Duplicate tools bought"}
                scores["compliance"] = {"score": 1, "note": "Risk register not maintained"}
            self.add(SystemJudgement(system_id=system.id, judged_at=self.ago(25),
                                     judged_by="Audit & Supervision Committee",
                                     criteria=scores))

    async def cycle(self, system: ManagementSystem, sc: Scenario) -> None:
        stale_all = sc.stale_systems == "all"
        unfinished = not stale_all and system.kind in sc.stale_systems
        start = 650 if stale_all else 150
        cycle = self.add(PdcaCycle(system_id=system.id, started_at=self.ago(start),
                                   title=f"{system.name} cycle"))
        await self.session.flush()
        phases = PDCA_PHASES[:2] if unfinished else PDCA_PHASES
        for step, phase in enumerate(phases, 1):
            self.add(PdcaPhaseRecord(cycle_id=cycle.id, phase=phase,
                                     completed_at=self.ago(start - 30 * step),
                                     evidence=f"{phase.title()} record of {system.name}",
                                     links=[f"https://docs.hanwei.example/{system.kind}/{phase}"]))


async def demo(demo: DemoContext) -> None:
    """Add governance subjects, strategy, organization and management-system records to each
    tenant of the Hanwei demo group."""
    for slug, sc in SCENARIOS.items():
        tenant_id = demo.tenants.get(slug)
        if tenant_id is None:
            continue
        b = _Builder(demo.session, tenant_id, slug.replace("hanwei-", "Hanwei ").title())
        decider = await b.bodies(sc)
        await b.strategy(sc, decider)
        members = b.organization(sc)
        await b.raci(sc, members)
        b.training(sc, members)
        await b.systems(sc)
    await demo.session.flush()
