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

from ipgov.api import (
    Check,
    CheckContext,
    FindingDraft,
    FindingText,
    Function,
    GovernanceDomain,
    NotAssessed,
    Severity,
    localized,
)

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
from .services import (
    REQUIRED_DEPARTMENTS,
    SYSTEM_KINDS,
    TOP_BODY_KINDS,
    aware,
    completed_cycles,
)

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


_DEPARTMENT_ZH = {"internal_supervision": "内部监督部门",
                  "key_business_department": "重要业务部门", "ip_department": "知识产权部门"}
_PART_ZH = {"KPI": "KPI 及目标值", "owner": "责任人", "time frame": "时间框架"}
_SYSTEM_ZH = {"quality": "质量管理体系", "project": "项目管理体系", "investment": "投资管理体系",
              "service": "服务管理体系", "business_continuity": "业务连续性管理体系",
              "information_security": "信息安全管理体系", "risk": "风险管理体系",
              "supplier": "供应商（供应链）管理体系", "ip_asset": "知识产权资产管理体系"}
_CRITERION_ZH = {"completeness": "完整性", "effectiveness": "有效性", "suitability": "适宜性",
                 "compliance": "合规性", "cost_effectiveness": "成本效益",
                 "consistency": "一致性"}
NO_OBJECTIVES = ("no strategic objective is recorded (see strategy_reassessment)",
                 "未记录任何战略目标（见“知识产权治理战略已制定并按期重新评估”检查）")


def _label(value: str, zh: dict[str, str]) -> dict[str, str]:
    return localized(value.replace("_", " "), zh.get(value, value))


def _system(system: ManagementSystem) -> dict[str, str]:
    """A management system as a parameter: its own name, or the Chinese name of its kind."""
    english = system.name or system.kind.replace("_", " ")
    renamed = english != SYSTEM_KINDS.get(system.kind)
    return localized(english, english if renamed else _SYSTEM_ZH.get(system.kind, english))


# ---------------------------------------------------------------------------- strategy


async def objective_incomplete(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Objectives without a KPI and target, an owner or a time frame (seed 5.1.3)."""
    objectives = await _objectives(ctx)
    if not objectives:
        return ctx.not_assessed(*NO_OBJECTIVES)
    out = []
    for o in objectives:
        missing = [name for name, ok in (("KPI", bool(o.kpi) and o.target_value is not None),
                                         ("owner", bool(o.owner)),
                                         ("time frame", bool(o.starts_at and o.ends_at)))
                   if not ok]
        if missing:
            out.append(ctx.finding(
                o.id, params={"objective": o.title,
                              "missing": [localized(m, _PART_ZH[m]) for m in missing]},
                evidence={"objective": o.title, "missing": missing},
                object_type="ip_governance:strategy", object_id=o.strategy_id))
    return out


async def strategy_reassessment(ctx: CheckContext) -> list[FindingDraft]:
    """No strategy at all, or one not re-assessed within its cadence (seed 5.1.3)."""
    strategies = await _strategies(ctx)
    if not strategies:
        return [ctx.finding("missing", text="missing", params={"tenant": ctx.tenant.name},
                            evidence={"strategies": 0})]
    out = []
    for s in strategies:
        since = aware(s.last_reassessed_at or s.created_at)
        due = since + timedelta(days=s.reassessment_cadence_days)
        if due < ctx.now:
            out.append(ctx.finding(
                s.id, text="overdue",
                params={"strategy": s.title, "cadence_days": s.reassessment_cadence_days,
                        "since": f"{since:%Y-%m-%d}", "days_overdue": (ctx.now - due).days},
                evidence={"last_reassessed_at": since.isoformat(), "due_at": due.isoformat(),
                          "days_overdue": (ctx.now - due).days},
                object_type="ip_governance:strategy", object_id=s.id))
    return out


async def swot_missing(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Strategies whose environment was never assessed as strengths, weaknesses,
    opportunities and threats (seed 5.1.3)."""
    strategies = await _strategies(ctx)
    if not strategies:
        return ctx.not_assessed("no IP strategy is recorded (see strategy_reassessment)",
                                "未记录知识产权战略（见“知识产权治理战略已制定并按期重新评估”检查）")
    counts: dict[str, int] = {sid: n for sid, n in (await ctx.session.execute(select(
        SwotEntry.strategy_id, func.count(SwotEntry.id)).group_by(SwotEntry.strategy_id))).all()}
    return [ctx.finding(s.id, params={"strategy": s.title}, evidence={"strategy": s.title},
                        object_type="ip_governance:strategy", object_id=s.id)
            for s in strategies if not counts.get(s.id)]


async def kpi_below_target(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Objectives whose latest KPI measurement misses the target (seed 5.1.1)."""
    measurements = (await ctx.session.execute(select(KpiMeasurement).order_by(
        KpiMeasurement.objective_id, KpiMeasurement.measured_at, KpiMeasurement.id))).scalars()
    latest = {m.objective_id: m for m in measurements}
    measured = [(o, latest[o.id], target) for o in await _objectives(ctx)
                if o.id in latest and (target := o.target_value) is not None]
    if not measured:
        return ctx.not_assessed("no KPI of a strategic objective has been measured",
                                "尚无战略目标的 KPI 测量记录")
    out = []
    for o, m, target in measured:
        missed = m.value < target if o.higher_is_better else m.value > target
        if missed:
            out.append(ctx.finding(
                o.id, params={"kpi": o.kpi, "objective": o.title, "value": f"{m.value:g}",
                              "target": f"{o.target_value:g}", "unit": o.kpi_unit or ""},
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
    return [ctx.finding("top_decision_maker", params={"tenant": ctx.tenant.name},
                        evidence={"kinds": sorted(TOP_BODY_KINDS)})]


async def organization_composition(ctx: CheckContext) -> list[FindingDraft]:
    """The IP management organization lacks internal supervision, a key business department
    or the IP department (seed §3 b, 5.2); one finding per missing type."""
    stmt = select(OrgMember.department_type).where(OrgMember.active.is_(True)).distinct()
    present = set((await ctx.session.execute(stmt)).scalars())
    return [ctx.finding(kind, params={"department": _label(kind, _DEPARTMENT_ZH)},
                        evidence={"missing": kind, "present": sorted(present)})
            for kind in REQUIRED_DEPARTMENTS if kind not in present]


async def training_stale(ctx: CheckContext) -> list[FindingDraft]:
    """No IP training in the last year (seed 5.2 c: regular education and training)."""
    last = (await ctx.session.execute(select(func.max(TrainingSession.held_at)))).scalar()
    if last is not None and aware(last) >= ctx.now - timedelta(days=TRAINING_WINDOW_DAYS):
        return []
    return [ctx.finding("training", params={
        "days": TRAINING_WINDOW_DAYS, "last": f"{aware(last):%Y-%m-%d}" if last else "—"},
        evidence={"last_training": aware(last).isoformat() if last else None})]


MONITORING_WINDOW_DAYS = 180


async def monitoring_stale(ctx: CheckContext) -> list[FindingDraft]:
    """No governing body recorded monitoring of IP performance and compliance in the last
    half year (the M of Evaluate-Direct-Monitor, GB/T 34960 as adopted by the seed, §3)."""
    last = (await ctx.session.execute(select(func.max(MonitoringRecord.recorded_at)))).scalar()
    if last is not None and aware(last) >= ctx.now - timedelta(days=MONITORING_WINDOW_DAYS):
        return []
    return [ctx.finding("monitoring", params={
        "days": MONITORING_WINDOW_DAYS, "last": f"{aware(last):%Y-%m-%d}" if last else "—"},
        evidence={"last_monitoring": aware(last).isoformat() if last else None})]


async def raci_accountable(ctx: CheckContext) -> list[FindingDraft]:
    """IP processes without exactly one Accountable (seed 5.2 a: clear authorization and
    decision-making); no RACI at all is itself a finding (nothing says who decides)."""
    rows = (await ctx.session.execute(select(RaciAssignment.process, RaciAssignment.role))).all()
    if not rows:
        return [ctx.finding("no-raci", text="none", params={"tenant": ctx.tenant.name})]
    accountable: Counter[str] = Counter()
    processes = set()
    for process, role in rows:
        processes.add(process)
        accountable[process] += role == "A"
    return [ctx.finding(p, text="count", params={"process": p, "accountable": accountable[p]},
                        evidence={"process": p, "accountable": accountable[p]})
            for p in sorted(processes) if accountable[p] != 1]


# ------------------------------------------------------------------ management systems


async def _systems(ctx: CheckContext) -> list[ManagementSystem]:
    stmt = select(ManagementSystem).order_by(ManagementSystem.kind)
    return list((await ctx.session.execute(stmt)).scalars())


async def pdca_stale(ctx: CheckContext) -> list[FindingDraft]:
    """Management systems without a PDCA cycle completed (all four phases) within their
    cadence (seed 6.1); no management system at all is itself a finding."""
    systems = await _systems(ctx)
    if not systems:
        return [ctx.finding("no-systems", text="none", params={"tenant": ctx.tenant.name})]
    ended = await completed_cycles(ctx.session)
    out = []
    for s in systems:
        last = ended.get(s.id)
        if last is not None and last >= ctx.now - timedelta(days=s.cadence_days):
            continue
        out.append(ctx.finding(
            s.kind, text="stale",
            params={"system": _system(s), "cadence_days": s.cadence_days,
                    "last": f"{last:%Y-%m-%d}" if last else "—"},
            evidence={"system": s.kind, "cadence_days": s.cadence_days,
                      "last_completed": last.isoformat() if last else None},
            object_type="ip_governance:management_system", object_id=s.id))
    return out


async def judgement_low(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Management systems whose latest judgement scores a criterion 2 or lower (seed 6.1)."""
    rows = (await ctx.session.execute(select(SystemJudgement).order_by(
        SystemJudgement.system_id, SystemJudgement.judged_at, SystemJudgement.id))).scalars()
    latest = {j.system_id: j for j in rows}
    if not latest:
        return ctx.not_assessed("no management system has been judged on the six criteria",
                                "尚无管理体系按六项准则接受评价")
    low_by_system: dict[str, dict[str, int]] = defaultdict(dict)
    for system_id, j in latest.items():
        for criterion, value in (j.criteria or {}).items():
            if int(value.get("score", 5)) <= LOW_SCORE:
                low_by_system[system_id][criterion] = int(value["score"])
    return [ctx.finding(
        s.kind, params={"system": _system(s), "criteria": [
            _label(c, _CRITERION_ZH) for c in sorted(low_by_system[s.id])]},
        evidence={"system": s.kind, "low": low_by_system[s.id]},
        object_type="ip_governance:management_system", object_id=s.id)
        for s in await _systems(ctx) if low_by_system.get(s.id)]


def _check(name: str, title: str, title_zh: str, run: Any, *,
           domain: GovernanceDomain = GovernanceDomain.TOP_LEVEL_DESIGN,
           severity: Severity = Severity.MEDIUM, references: tuple[str, ...],
           recommendation: str, recommendation_zh: str,
           function: Function = Function.GOVERN, **texts: FindingText) -> Check:
    return Check(id=f"{P}.{name}", title=title, title_zh=title_zh, domain=domain,
                 function=function, severity=severity, run=run, references=references,
                 recommendation=recommendation, recommendation_zh=recommendation_zh,
                 texts={"" if k == "one" else k: v for k, v in texts.items()})


_MS = GovernanceDomain.MANAGEMENT_SYSTEMS
G = "GB/T 29490-2023 "

CHECKS: list[Check] = [
    _check("governing_body_missing", "A board or top decision-maker governs IP",
           "设有董事会或最高决策者作为知识产权治理主体", governing_body_missing,
           severity=Severity.HIGH, references=("IP-CSF GV.RR-01", G + "5.1"),
           recommendation="Record the board or top decision-maker as a governing body and its "
           "mandate for IP governance.",
           recommendation_zh="将董事会或最高决策者登记为治理主体，并记录其知识产权治理职责。",
           one=FindingText(
               "No board or top decision-maker of {tenant} is recorded as a governance "
               "subject: the top decision-maker is ultimately responsible for IP governance",
               "{tenant} 未将董事会或最高决策者登记为治理主体："
               "最高决策者对知识产权治理负最终责任")),
    _check("objective_incomplete", "Strategic objectives have a KPI, an owner and a time frame",
           "知识产权战略目标具备KPI、责任人和时间框架", objective_incomplete,
           references=("IP-CSF GV.ST-01", G + "6.2"),
           recommendation="Give each objective a KPI with a target, an owner and start/end "
           "dates.",
           recommendation_zh="为每个战略目标设定带目标值的KPI、责任人以及起止日期。",
           one=FindingText(
               "Strategic objective '{objective}' lacks {missing}",
               "战略目标“{objective}”缺少{missing}",
               "Give '{objective}' {missing}: responsibilities, business-impact measures and "
               "a time frame make an objective governable.",
               "为“{objective}”补充{missing}：明确职责、业务影响衡量方式和时间框架，目标才可治理。")),
    _check("strategy_reassessment", "The IP strategy exists and is re-assessed on schedule",
           "知识产权治理战略已制定并按期重新评估", strategy_reassessment,
           references=("IP-CSF GV.ST-03", G + "6.2", G + "6.3"),
           recommendation="Re-assess the IP governance strategy against changes in the "
           "internal and external environment and record the date.",
           recommendation_zh="根据内外部环境变化重新评估知识产权治理战略，并记录评估日期。",
           missing=FindingText(
               "No IP governance strategy is recorded for {tenant}: governance subjects set "
               "the strategy and re-assess it regularly",
               "{tenant} 未记录知识产权治理战略：治理主体应制定战略并定期重新评估",
               "Record the IP governance strategy of {tenant} with its objectives and a "
               "re-assessment cadence.",
               "记录 {tenant} 的知识产权治理战略，包括其目标和重新评估周期。"),
           overdue=FindingText(
               "IP strategy '{strategy}' was not re-assessed within its {cadence_days}-day "
               "cadence (last {since}, {days_overdue} days overdue)",
               "知识产权战略“{strategy}”未在 {cadence_days} 天周期内重新评估（上次 {since}，"
               "已逾期 {days_overdue} 天）",
               "Re-assess '{strategy}' against changes in the internal and external "
               "environment and record the date.",
               "根据内外部环境变化重新评估“{strategy}”，并记录评估日期。")),
    _check("swot_missing", "The IP strategy rests on a SWOT analysis",
           "知识产权战略基于SWOT分析", swot_missing, severity=Severity.LOW,
           references=("IP-CSF GV.OC-02", G + "4.1"),
           recommendation="Record the strengths, weaknesses, opportunities and threats of the "
           "organization's IP.",
           recommendation_zh="记录本组织知识产权的优势、劣势、机会和威胁。",
           one=FindingText(
               "IP strategy '{strategy}' has no SWOT analysis (strengths, weaknesses, "
               "opportunities and threats)",
               "知识产权战略“{strategy}”没有SWOT分析（优势、劣势、机会和威胁）")),
    _check("kpi_below_target", "Strategic KPIs meet their targets",
           "战略目标KPI达到目标值", kpi_below_target,
           references=("IP-CSF MO.PF-01", G + "9.1"),
           recommendation="Have the governing body evaluate the gap and direct corrective "
           "action.",
           recommendation_zh="由治理主体评估差距并下达纠正措施。",
           one=FindingText(
               "KPI '{kpi}' of objective '{objective}' is off target: {value} against "
               "{target} {unit}",
               "目标“{objective}”的 KPI“{kpi}”未达标：实际 {value}，目标 {target} {unit}",
               "Have the governing body evaluate why '{kpi}' is at {value} instead of "
               "{target} {unit} and direct corrective action.",
               "由治理主体评估“{kpi}”为何为 {value} 而非 {target} {unit}，并下达纠正措施。")),
    _check("organization_composition", "The IP management organization is complete",
           "知识产权管理机构成员完整", organization_composition,
           severity=Severity.HIGH, references=("IP-CSF GV.RR-02", G + "5.3"),
           recommendation="Add members from internal supervision, key business departments "
           "and the IP department to the IP management organization.",
           recommendation_zh="在知识产权管理机构中补充内部监督部门、重要业务部门和知识产权部门的成员。",
           one=FindingText(
               "The IP management organization has no member from {department}: it needs "
               "at least internal supervision, key business departments and the IP department",
               "知识产权管理机构缺少来自{department}的成员：至少应包括内部监督部门、重要业务部门"
               "和知识产权部门",
               "Add a member from {department} to the IP management organization.",
               "在知识产权管理机构中增加一名来自{department}的成员。")),
    _check("training_stale", "IP training is held regularly", "定期开展知识产权培训",
           training_stale, severity=Severity.LOW,
           references=("IP-CSF PR.AT-01", G + "7.2", G + "7.3"),
           recommendation="Hold IP awareness and competence training at least once a year and "
           "record attendance.",
           recommendation_zh="每年至少开展一次知识产权意识与能力培训，并记录出勤情况。",
           one=FindingText(
               "No IP training was held in the last {days} days (last: {last})",
               "最近 {days} 天内未开展知识产权培训（上次：{last}）")),
    _check("monitoring_stale", "Governing bodies monitor IP performance and compliance",
           "治理主体定期监督知识产权绩效与合规", monitoring_stale, function=Function.MONITOR,
           references=("IP-CSF GV.OV-01", G + "9.3"),
           recommendation="Have the IP committee or internal supervision record "
           "what it observed of IP performance and compliance, at least twice a year.",
           recommendation_zh="由知识产权委员会或内部监督部门至少每半年记录一次对知识产权绩效与合规的监督情况。",
           one=FindingText(
               "No governing body has recorded monitoring of IP performance and compliance "
               "in the last {days} days (last: {last}): governance evaluates, directs and "
               "monitors",
               "最近 {days} 天内没有治理主体记录对知识产权绩效与合规的监督（上次：{last}）："
               "治理包括评估、指导和监督")),
    _check("raci_accountable", "Every IP process has exactly one Accountable",
           "每个知识产权流程有且仅有一个负责批准者（A）", raci_accountable,
           references=("IP-CSF GV.RR-03", G + "5.3"),
           recommendation="Name exactly one Accountable member for each IP process.",
           recommendation_zh="为每个知识产权流程指定且仅指定一名负责批准者（A）。",
           count=FindingText(
               "IP process '{process}' has {accountable} Accountable instead of exactly one",
               "知识产权流程“{process}”有 {accountable} 名负责批准者（A），而非恰好一名",
               "Name exactly one Accountable member for '{process}'.",
               "为“{process}”指定且仅指定一名负责批准者（A）。"),
           none=FindingText(
               "No RACI assignment is recorded for any IP process of {tenant}: authorization "
               "and decision-making are not clarified",
               "{tenant} 未为任何知识产权流程记录 RACI 分工：授权与决策机制未予明确",
               "Record who is Responsible, Accountable, Consulted and Informed for each IP "
               "process of {tenant}.",
               "为 {tenant} 的每个知识产权流程记录执行者、负责批准者、咨询者和知会者（RACI）。")),
    _check("pdca_stale", "Management systems complete PDCA cycles on schedule",
           "管理体系按周期完成PDCA循环", pdca_stale, domain=_MS,
           references=("IP-CSF MO.PF-02", G + "9.1", G + "10.2"),
           recommendation="Complete a Plan-Do-Check-Act cycle with evidence within the "
           "system's cadence.",
           recommendation_zh="在体系规定的周期内完成一次附有证据的计划-执行-检查-处置（PDCA）循环。",
           stale=FindingText(
               "{system} has not completed a Plan-Do-Check-Act cycle within its "
               "{cadence_days}-day cadence (last completed: {last})",
               "{system}未在 {cadence_days} 天周期内完成计划-执行-检查-处置（PDCA）循环"
               "（上次完成：{last}）",
               "Complete a Plan-Do-Check-Act cycle of {system} with evidence within "
               "{cadence_days} days.",
               "在 {cadence_days} 天内完成一次附有证据的{system} PDCA 循环。"),
           none=FindingText(
               "No IP management system is established for {tenant}: quality, project, "
               "investment, service, continuity, information security, risk, supplier and "
               "asset management should each run as PDCA",
               "{tenant} 未建立知识产权管理体系：质量、项目、投资、服务、业务连续性、信息安全、"
               "风险、供应商和资产管理均应按 PDCA 运行",
               "Establish the management systems of {tenant} with their PDCA cadence.",
               "为 {tenant} 建立各项管理体系并确定其 PDCA 周期。")),
    _check("judgement_low", "Management systems are judged adequate on the six criteria",
           "管理体系在六项准则上评价合格", judgement_low, domain=_MS,
           references=("IP-CSF MO.PF-02", G + "9.1"),
           recommendation="Direct improvements on the weak criteria and judge the system "
           "again.",
           recommendation_zh="针对薄弱准则下达改进措施，并重新评价该管理体系。",
           one=FindingText(
               "{system} was judged weak on {criteria}",
               "{system}在{criteria}方面评价薄弱",
               "Direct improvements of {system} on {criteria} and judge it again.",
               "针对{system}的{criteria}下达改进措施，并重新评价。")),
]
