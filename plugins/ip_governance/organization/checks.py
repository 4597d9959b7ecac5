"""Review checks of the organization area: is the top-level design (governance subjects,
strategy, organization) in place and alive, and are the management systems run as PDCA and
judged well? Each finding's key names the object or condition, so it stays stable while the
condition holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from ipgov.api import Check, CheckContext, FindingDraft, Function, GovernanceDomain, Severity

from .models import (
    GoverningBody,
    IpStrategy,
    KpiMeasurement,
    ManagementSystem,
    MonitoringRecord,
    OrgMember,
    RaciAssignment,
    StrategyObjective,
    SwotEntry,
    SystemJudgement,
    TrainingSession,
)
from .services import REQUIRED_DEPARTMENTS, TOP_BODY_KINDS, aware, completed_cycles

__all__ = ["CHECKS"]

P = "ip_governance.organization"
TRAINING_WINDOW_DAYS = 365
LOW_SCORE = 2


async def _strategies(ctx: CheckContext) -> list[IpStrategy]:
    stmt = select(IpStrategy).where(IpStrategy.status != "retired").order_by(IpStrategy.id)
    return list((await ctx.session.execute(stmt)).scalars())


async def _objectives(ctx: CheckContext) -> list[StrategyObjective]:
    stmt = (select(StrategyObjective).join(IpStrategy, IpStrategy.id ==
                                           StrategyObjective.strategy_id)
            .where(IpStrategy.status != "retired").order_by(StrategyObjective.id))
    return list((await ctx.session.execute(stmt)).scalars())


# ---------------------------------------------------------------------------- strategy


async def objective_incomplete(ctx: CheckContext) -> list[FindingDraft]:
    """Objectives without a KPI and target, an owner or a time frame (seed 5.1.3)."""
    out = []
    for o in await _objectives(ctx):
        missing = [name for name, ok in (("KPI", bool(o.kpi) and o.target_value is not None),
                                         ("owner", bool(o.owner)),
                                         ("time frame", bool(o.starts_at and o.ends_at)))
                   if not ok]
        if missing:
            out.append(ctx.finding(
                o.id, f"Strategic objective '{o.title}' lacks {', '.join(missing)} (seed "
                "5.1.3: define responsibilities, business-impact measures and a time frame)",
                evidence={"objective": o.title, "missing": missing},
                object_type="ip_governance:strategy", object_id=o.strategy_id))
    return out


async def strategy_reassessment(ctx: CheckContext) -> list[FindingDraft]:
    """No strategy at all, or one not re-assessed within its cadence (seed 5.1.3)."""
    strategies = await _strategies(ctx)
    if not strategies:
        return [ctx.finding("missing", "No IP governance strategy is recorded (seed 5.1: "
                            "governance subjects set and regularly re-assess the strategy)",
                            evidence={"strategies": 0})]
    out = []
    for s in strategies:
        since = aware(s.last_reassessed_at or s.created_at)
        due = since + timedelta(days=s.reassessment_cadence_days)
        if due < ctx.now:
            out.append(ctx.finding(
                s.id, f"IP strategy '{s.title}' was not re-assessed within its "
                f"{s.reassessment_cadence_days}-day cadence (seed 5.1.3)",
                evidence={"last_reassessed_at": since.isoformat(), "due_at": due.isoformat(),
                          "days_overdue": (ctx.now - due).days},
                object_type="ip_governance:strategy", object_id=s.id))
    return out


async def swot_missing(ctx: CheckContext) -> list[FindingDraft]:
    """Strategies whose environment was never assessed as strengths, weaknesses,
    opportunities and threats (seed 5.1.3)."""
    counts = dict((await ctx.session.execute(select(SwotEntry.strategy_id, func.count(
        SwotEntry.id)).group_by(SwotEntry.strategy_id))).all())
    return [ctx.finding(s.id, f"IP strategy '{s.title}' has no SWOT analysis (seed 5.1.3: "
                        "examine strengths, weaknesses, opportunities and threats)",
                        evidence={"strategy": s.title},
                        object_type="ip_governance:strategy", object_id=s.id)
            for s in await _strategies(ctx) if not counts.get(s.id)]


async def kpi_below_target(ctx: CheckContext) -> list[FindingDraft]:
    """Objectives whose latest KPI measurement misses the target (seed 5.1.1)."""
    measurements = (await ctx.session.execute(select(KpiMeasurement).order_by(
        KpiMeasurement.objective_id, KpiMeasurement.measured_at, KpiMeasurement.id))).scalars()
    latest = {m.objective_id: m for m in measurements}
    out = []
    for o in await _objectives(ctx):
        m = latest.get(o.id)
        if m is None or o.target_value is None:
            continue
        missed = m.value < o.target_value if o.higher_is_better else m.value > o.target_value
        unit = f" {o.kpi_unit}" if o.kpi_unit else ""
        if missed:
            out.append(ctx.finding(
                o.id, f"KPI '{o.kpi}' of objective '{o.title}' is off target: {m.value:g} "
                f"against {o.target_value:g}{unit} (seed 5.1.1: monitor that strategic "
                "objectives are achieved)",
                evidence={"kpi": o.kpi, "value": m.value, "target": o.target_value,
                          "measured_at": aware(m.measured_at).isoformat(),
                          "higher_is_better": o.higher_is_better},
                object_type="ip_governance:strategy", object_id=o.strategy_id))
    return out


# ------------------------------------------------------------------------ organization


async def governing_body_missing(ctx: CheckContext) -> list[FindingDraft]:
    """No board or top decision-maker: nobody bears the ultimate responsibility (seed §3 a)."""
    stmt = select(func.count(GoverningBody.id)).where(GoverningBody.active.is_(True),
                                                      GoverningBody.kind.in_(TOP_BODY_KINDS))
    if (await ctx.session.execute(stmt)).scalar_one():
        return []
    return [ctx.finding("top_decision_maker", "No board or top decision-maker is recorded as "
                        "a governance subject (seed §3 a: the top decision-maker is ultimately "
                        "responsible for IP governance)", evidence={"kinds": sorted(
                            TOP_BODY_KINDS)})]


async def organization_composition(ctx: CheckContext) -> list[FindingDraft]:
    """The IP management organization lacks internal supervision, a key business department
    or the IP department (seed §3 b, 5.2); one finding per missing type."""
    stmt = select(OrgMember.department_type).where(OrgMember.active.is_(True)).distinct()
    present = set((await ctx.session.execute(stmt)).scalars())
    return [ctx.finding(kind, f"The IP management organization has no member from "
                        f"{kind.replace('_', ' ')} (seed §3 b: at least internal supervision, "
                        "key business departments and the IP department)",
                        evidence={"missing": kind, "present": sorted(present)})
            for kind in REQUIRED_DEPARTMENTS if kind not in present]


async def training_stale(ctx: CheckContext) -> list[FindingDraft]:
    """No IP training in the last year (seed 5.2 c: regular education and training)."""
    last = (await ctx.session.execute(select(func.max(TrainingSession.held_at)))).scalar()
    if last is not None and aware(last) >= ctx.now - timedelta(days=TRAINING_WINDOW_DAYS):
        return []
    return [ctx.finding("training", f"No IP training was held in the last "
                        f"{TRAINING_WINDOW_DAYS} days (seed 5.2 c)",
                        evidence={"last_training": aware(last).isoformat() if last else None})]


MONITORING_WINDOW_DAYS = 180


async def monitoring_stale(ctx: CheckContext) -> list[FindingDraft]:
    """No governing body recorded monitoring of IP performance and compliance in the last
    half year (the M of Evaluate-Direct-Monitor, GB/T 34960 as adopted by the seed, §3)."""
    last = (await ctx.session.execute(select(func.max(MonitoringRecord.recorded_at)))).scalar()
    if last is not None and aware(last) >= ctx.now - timedelta(days=MONITORING_WINDOW_DAYS):
        return []
    return [ctx.finding("monitoring", "No governing body has recorded monitoring of IP "
                        f"performance and compliance in the last {MONITORING_WINDOW_DAYS} "
                        "days (seed §3: governance evaluates, directs and monitors)",
                        evidence={"last_monitoring": aware(last).isoformat() if last else None})]


async def raci_accountable(ctx: CheckContext) -> list[FindingDraft]:
    """IP processes without exactly one Accountable (seed 5.2 a: clear authorization and
    decision-making)."""
    rows = (await ctx.session.execute(select(RaciAssignment.process, RaciAssignment.role))).all()
    accountable: Counter[str] = Counter()
    processes = set()
    for process, role in rows:
        processes.add(process)
        accountable[process] += role == "A"
    return [ctx.finding(p, f"IP process '{p}' has {accountable[p]} Accountable instead of "
                        "exactly one (seed 5.2 a: clarify authorization and decision-making)",
                        evidence={"process": p, "accountable": accountable[p]})
            for p in sorted(processes) if accountable[p] != 1]


# ------------------------------------------------------------------ management systems


async def _systems(ctx: CheckContext) -> list[ManagementSystem]:
    stmt = select(ManagementSystem).order_by(ManagementSystem.kind)
    return list((await ctx.session.execute(stmt)).scalars())


async def pdca_stale(ctx: CheckContext) -> list[FindingDraft]:
    """Management systems without a PDCA cycle completed (all four phases) within their
    cadence (seed 6.1)."""
    ended = await completed_cycles(ctx.session)
    out = []
    for s in await _systems(ctx):
        last = ended.get(s.id)
        if last is not None and last >= ctx.now - timedelta(days=s.cadence_days):
            continue
        out.append(ctx.finding(
            s.kind, f"{s.name} has not completed a Plan-Do-Check-Act cycle within its "
            f"{s.cadence_days}-day cadence (seed 6.1)",
            evidence={"system": s.kind, "cadence_days": s.cadence_days,
                      "last_completed": last.isoformat() if last else None},
            object_type="ip_governance:management_system", object_id=s.id))
    return out


async def judgement_low(ctx: CheckContext) -> list[FindingDraft]:
    """Management systems whose latest judgement scores a criterion 2 or lower (seed 6.1)."""
    rows = (await ctx.session.execute(select(SystemJudgement).order_by(
        SystemJudgement.system_id, SystemJudgement.judged_at, SystemJudgement.id))).scalars()
    latest = {j.system_id: j for j in rows}
    low_by_system: dict[str, dict[str, int]] = defaultdict(dict)
    for system_id, j in latest.items():
        for criterion, value in (j.criteria or {}).items():
            if int(value.get("score", 5)) <= LOW_SCORE:
                low_by_system[system_id][criterion] = int(value["score"])
    return [ctx.finding(
        s.kind, f"{s.name} was judged weak on {', '.join(sorted(low_by_system[s.id]))} "
        "(seed 6.1: completeness, effectiveness, suitability, compliance, cost-effectiveness "
        "and consistency)", evidence={"system": s.kind, "low": low_by_system[s.id]},
        object_type="ip_governance:management_system", object_id=s.id)
        for s in await _systems(ctx) if low_by_system.get(s.id)]


def _check(name: str, title: str, title_zh: str, run: Any, *,
           domain: GovernanceDomain = GovernanceDomain.TOP_LEVEL_DESIGN,
           severity: Severity = Severity.MEDIUM, seed_ref: str, recommendation: str,
           recommendation_zh: str, function: Function = Function.GOVERN) -> Check:
    return Check(id=f"{P}.{name}", title=title, title_zh=title_zh, domain=domain,
                 function=function, severity=severity, run=run, seed_ref=seed_ref,
                 recommendation=recommendation, recommendation_zh=recommendation_zh)


_MS = GovernanceDomain.MANAGEMENT_SYSTEMS

CHECKS: list[Check] = [
    _check("governing_body_missing", "A board or top decision-maker governs IP",
           "设有董事会或最高决策者作为知识产权治理主体", governing_body_missing,
           severity=Severity.HIGH, seed_ref="3 a",
           recommendation="Record the board or top decision-maker as a governing body and its "
           "mandate for IP governance.",
           recommendation_zh="将董事会或最高决策者登记为治理主体，并记录其知识产权治理职责。"),
    _check("objective_incomplete", "Strategic objectives have a KPI, an owner and a time frame",
           "知识产权战略目标具备KPI、责任人和时间框架", objective_incomplete,
           seed_ref="5.1.3",
           recommendation="Give each objective a KPI with a target, an owner and start/end "
           "dates.",
           recommendation_zh="为每个战略目标设定带目标值的KPI、责任人以及起止日期。"),
    _check("strategy_reassessment", "The IP strategy exists and is re-assessed on schedule",
           "知识产权治理战略已制定并按期重新评估", strategy_reassessment,
           seed_ref="5.1.3",
           recommendation="Re-assess the IP governance strategy against changes in the "
           "internal and external environment and record the date.",
           recommendation_zh="根据内外部环境变化重新评估知识产权治理战略，并记录评估日期。"),
    _check("swot_missing", "The IP strategy rests on a SWOT analysis",
           "知识产权战略基于SWOT分析", swot_missing, severity=Severity.LOW,
           seed_ref="5.1.3",
           recommendation="Record the strengths, weaknesses, opportunities and threats of the "
           "organization's IP.",
           recommendation_zh="记录本组织知识产权的优势、劣势、机会和威胁。"),
    _check("kpi_below_target", "Strategic KPIs meet their targets",
           "战略目标KPI达到目标值", kpi_below_target, seed_ref="5.1.1",
           recommendation="Have the governing body evaluate the gap and direct corrective "
           "action.",
           recommendation_zh="由治理主体评估差距并下达纠正措施。"),
    _check("organization_composition", "The IP management organization is complete",
           "知识产权管理机构成员完整", organization_composition,
           severity=Severity.HIGH, seed_ref="5.2",
           recommendation="Add members from internal supervision, key business departments "
           "and the IP department to the IP management organization.",
           recommendation_zh="在知识产权管理机构中补充内部监督部门、重要业务部门和知识产权部门的成员。"),
    _check("training_stale", "IP training is held regularly", "定期开展知识产权培训",
           training_stale, severity=Severity.LOW, seed_ref="5.2 c",
           recommendation="Hold IP awareness and competence training at least once a year and "
           "record attendance.",
           recommendation_zh="每年至少开展一次知识产权意识与能力培训，并记录出勤情况。"),
    _check("monitoring_stale", "Governing bodies monitor IP performance and compliance",
           "治理主体定期监督知识产权绩效与合规", monitoring_stale, function=Function.MONITOR,
           seed_ref="3", recommendation="Have the IP committee or internal supervision record "
           "what it observed of IP performance and compliance, at least twice a year.",
           recommendation_zh="由知识产权委员会或内部监督部门至少每半年记录一次对知识产权绩效与合规的监督情况。"),
    _check("raci_accountable", "Every IP process has exactly one Accountable",
           "每个知识产权流程有且仅有一个负责批准者（A）", raci_accountable,
           seed_ref="5.2 a",
           recommendation="Name exactly one Accountable member for each IP process.",
           recommendation_zh="为每个知识产权流程指定且仅指定一名负责批准者（A）。"),
    _check("pdca_stale", "Management systems complete PDCA cycles on schedule",
           "管理体系按周期完成PDCA循环", pdca_stale, domain=_MS, seed_ref="6.1",
           recommendation="Complete a Plan-Do-Check-Act cycle with evidence within the "
           "system's cadence.",
           recommendation_zh="在体系规定的周期内完成一次附有证据的计划-执行-检查-处置（PDCA）循环。"),
    _check("judgement_low", "Management systems are judged adequate on the six criteria",
           "管理体系在六项准则上评价合格", judgement_low, domain=_MS, seed_ref="6.1",
           recommendation="Direct improvements on the weak criteria and judge the system "
           "again.",
           recommendation_zh="针对薄弱准则下达改进措施，并重新评价该管理体系。"),
]
