"""The computed docket: what an asset's dates, status and jurisdiction oblige, by the rules.

Pure functions of an :class:`AssetFacts` and a :class:`RuleSet`; nothing here reads the
database. Each :class:`DocketEntry` carries its rule id, a stable key (rule and period), the
due date after roll-forward, the grace period, the official fee and an explanation in en and
zh-CN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .rules import Fee, Rule, RuleSet
from .timelimits import add_months, add_years, month_end, roll_forward

__all__ = ["AssetFacts", "DocketEntry", "compute_docket", "expiry", "office_action_entry",
           "surcharge"]

DEAD = ("lapsed", "abandoned", "expired", "revoked")
IN_FORCE = ("granted", "registered")
MAX_YEARS = 30
DEADLINE_KIND = {"office_action": "office_action", "annuity": "annuity",
                 "maintenance": "annuity", "renewal": "renewal", "priority": "priority",
                 "national_phase": "national_phase", "validation": "validation"}
PLACE = {"CN": ("CN", "中国"), "EP": ("EP", "欧洲"), "US": ("US", "美国"), "JP": ("JP", "日本"),
         "KR": ("KR", "韩国"), "WO": ("PCT", "PCT"), "EU": ("EU", "欧盟")}
KIND = {"patent": ("patent", "专利"), "utility_model": ("utility model", "实用新型"),
        "design": ("design", "外观设计"), "trademark": ("trademark", "商标")}


@dataclass(frozen=True)
class AssetFacts:
    """What the docket depends on (the asset register's columns)."""

    id: str
    kind: str
    jurisdiction: str
    status: str
    filing_date: date | None
    priority_date: date | None = None
    grant_date: date | None = None
    fee_reduction: str = ""
    open_licence: bool = False


@dataclass(frozen=True)
class DocketEntry:
    """One computed deadline."""

    key: str
    rule_id: str
    kind: str
    due_on: date
    nominal_due: date
    grace_until: date | None
    fee: Decimal | None
    currency: str
    year: int | None
    explanation: dict[str, str]
    fee_checked: bool = False  # the amount was checked against the office's own list


def _subject(asset: AssetFacts) -> tuple[str, str]:
    place = PLACE.get(asset.jurisdiction, (asset.jurisdiction, asset.jurisdiction))
    kind = KIND.get(asset.kind, (asset.kind, asset.kind))
    if asset.kind == "patent" and asset.jurisdiction == "CN":
        kind = ("invention", "发明专利")
    return f"{place[0]} {kind[0]}", f"{place[1]}{kind[1]}"


def expiry(asset: AssetFacts, rules: RuleSet) -> date | None:
    """The end of the term by the asset's ``term`` rule (None without dates or rule)."""
    for rule in rules.for_asset(asset.jurisdiction, asset.kind):
        if rule.event == "term":
            anchor = asset.grant_date if rule.params["from"] == "grant" else asset.filing_date
            return add_years(anchor, rule.params["years"]) if anchor else None
    return None


def surcharge(rule: Rule, fee: Decimal, due: date, paid_on: date) -> Decimal | None:
    """The late-payment surcharge for paying ``fee`` on ``paid_on`` (0 on time; None after
    the grace period). CN steps: nothing in the first month overdue, then 5% per month."""
    if paid_on <= due:
        return Decimal(0)
    grace = rule.grace
    if grace is None or paid_on > add_months(due, grace.months):
        return None
    month = next(k for k in range(1, grace.months + 1) if paid_on <= add_months(due, k))
    if grace.steps:
        return (fee * grace.steps[month - 1] / 100).quantize(Decimal("0.01"))
    if grace.percent is not None:
        return (fee * grace.percent / 100).quantize(Decimal("0.01"))
    return grace.amount if grace.amount is not None else Decimal(0)


def _reduced(asset: AssetFacts, rules: RuleSet, rule: Rule, fee: Decimal,
             year: int | None, grant_year: int | None) -> Decimal:
    """``fee`` after the asset's CN fee reduction (费用减缴) and open-licence reduction."""
    ids = [asset.fee_reduction] + (["cn_open_licence"] if asset.open_licence else [])
    for rid in ids:
        reduction = rules.reductions.get(rid)
        if reduction is None or reduction.jurisdiction != rule.jurisdiction or (
                rule.event not in reduction.applies_to):
            continue
        if reduction.years_from_grant and year and grant_year and (
                year >= grant_year + reduction.years_from_grant):
            continue
        fee = fee * (100 - reduction.percent) / 100
    return fee.quantize(Decimal("0.01"))


def _years(asset: AssetFacts, rule: Rule, end: date, stop: date | None
           ) -> list[tuple[int, date]]:
    """(year number, nominal due date) of each annuity of ``rule`` up to ``end``."""
    due_kind, first = rule.params["due"], rule.params["first"]
    anchor = asset.grant_date if due_kind == "grant_anniversary" else asset.filing_date
    if anchor is None:
        return []
    out = []
    for year in range(2, MAX_YEARS + 1):
        nominal = add_years(anchor, year - 1)
        if due_kind == "filing_anniversary_month_end":
            nominal = month_end(nominal)
        if nominal > end or (stop and nominal >= stop):
            break
        out.append((year, nominal))
    grant = asset.grant_date
    if first == "grant_year":
        return [(y, d) for y, d in out if grant and d > grant]
    if first == "after_grant":
        return [(y, d) for y, d in out if grant and d > grant and y >= 3]
    kept = [(y, d) for y, d in out if y >= first]
    if rule.params.get("until") == "grant" and grant:
        kept = [(y, d) for y, d in kept if d <= grant]
    return kept


def _entry(asset: AssetFacts, rules: RuleSet, rule: Rule, key: str, what: tuple[str, str],
           nominal: date, fee: Decimal | None, currency: str, year: int | None,
           schedule: Fee | None = None) -> DocketEntry:
    office = rules.calendars.get(rule.jurisdiction) if rule.roll_forward else None
    due = roll_forward(nominal, office)
    grace = None
    if rule.grace:
        grace = add_months(nominal, rule.grace.months)
        if rule.params.get("due") == "filing_anniversary_month_end":
            grace = month_end(grace)  # EPO: the grace period ends with the sixth month
        grace = roll_forward(grace, office)
    subject = _subject(asset)
    en = f"{subject[0]}, {what[0]}, due by {due.isoformat()}"
    zh = f"{subject[1]}，{what[1]}，期限 {due.isoformat()}"
    if due != nominal:
        en += f" (moved from {nominal.isoformat()}, not a working day)"
        zh += f"（原期限 {nominal.isoformat()} 为非工作日，顺延）"
    if grace:
        paid = bool(rule.grace and (rule.grace.steps or rule.grace.percent or rule.grace.amount))
        en += f", grace until {grace.isoformat()}" + (" with surcharge" if paid else "")
        zh += f"，宽限期至 {grace.isoformat()}" + ("（需缴滞纳金）" if paid else "")
    checked = bool(schedule and schedule.checked_on)
    if fee is not None:
        en += f"; official fee {currency} {fee:,.2f}"
        zh += f"；官费 {currency} {fee:,.2f}"
        if not checked:  # the platform says what it does not know
            en += " (amount from the cited source, not yet checked against the office's list)"
            zh += "（金额取自所引来源，尚未与官方现行收费表核对）"
    return DocketEntry(key, rule.id, DEADLINE_KIND[rule.event], due, nominal, grace, fee,
                       currency, year, {"en": en, "zh-CN": zh}, checked)


def _annuities(asset: AssetFacts, rules: RuleSet, rule: Rule, start: date, end: date
               ) -> list[DocketEntry]:
    if asset.status not in IN_FORCE and rule.params.get("until") != "grant":
        return []
    stop = expiry(asset, rules)
    grant_year = None
    if asset.grant_date and asset.filing_date:
        grant_year = next(y for y in range(1, MAX_YEARS + 2)
                          if add_years(asset.filing_date, y) > asset.grant_date)
    out = []
    # a year whose grace ended before ``start`` is history: skip building its entry
    margin = timedelta(days=31 * ((rule.grace.months if rule.grace else 0) + 1))
    for year, nominal in _years(asset, rule, end, stop):
        if nominal + margin < start:
            continue
        schedule = rule.fee_on(nominal)
        fee = schedule.for_year(year) if schedule else None
        if fee is not None:
            fee = _reduced(asset, rules, rule, fee, year, grant_year)
        word = "renewal fee" if rule.jurisdiction == "EP" else "annuity"
        out.append(_entry(asset, rules, rule, f"{rule.id}:{year}",
                          (f"year {year} {word}", f"第{year}年年费"), nominal, fee,
                          schedule.currency if schedule else "", year, schedule))
    return out


def _maintenance(asset: AssetFacts, rules: RuleSet, rule: Rule) -> list[DocketEntry]:
    if asset.status not in IN_FORCE or asset.grant_date is None:
        return []
    schedule = rule.fee_on(asset.grant_date)
    out = []
    for i, months in enumerate(rule.params["at_months"]):
        nominal = add_months(asset.grant_date, months)
        fee = schedule.stages[i] if schedule and i < len(schedule.stages) else None
        label = f"{months / 12:g}"
        out.append(_entry(asset, rules, rule, f"{rule.id}:{label}",
                          (f"{label}-year maintenance fee", f"{label}年维持费"), nominal, fee,
                          schedule.currency if schedule else "", None, schedule))
    return out


def _renewals(asset: AssetFacts, rules: RuleSet, rule: Rule, end: date) -> list[DocketEntry]:
    anchor = asset.grant_date if rule.params["from"] in ("grant", "registration") else (
        asset.filing_date)
    if asset.status not in IN_FORCE or anchor is None:
        return []
    out = []
    for k in range(1, MAX_YEARS // rule.params["years"] + 2):
        nominal = add_years(anchor, k * rule.params["years"])
        if rule.params.get("month_end"):
            nominal = month_end(nominal)
        if nominal > end:
            break
        schedule = rule.fee_on(nominal)
        fee = schedule.for_year(k) if schedule else None
        out.append(_entry(asset, rules, rule, f"{rule.id}:{k}",
                          (f"renewal {k} ({k * rule.params['years']} years)",
                           f"第{k}次续展（{k * rule.params['years']}年）"), nominal, fee,
                          schedule.currency if schedule else "", None, schedule))
    return out


def _from_priority(asset: AssetFacts, rules: RuleSet, rule: Rule) -> list[DocketEntry]:
    start = asset.priority_date or asset.filing_date
    if start is None or asset.status in IN_FORCE:
        return []
    if rule.event == "priority":
        return [_entry(asset, rules, rule, rule.id, (
            f"{rule.params['months']}-month priority period for filing abroad",
            f"{rule.params['months']}个月优先权期限"), add_months(start, rule.params["months"]),
            None, "", None)]
    return [_entry(asset, rules, rule, f"{rule.id}:{office}", (
        f"national phase entry {office} ({months} months)",
        f"进入{office}国家阶段（{months}个月）"), add_months(start, months), None, "", None)
        for office, months in sorted(rule.params.get("offices", {}).items())]


def _validation(asset: AssetFacts, rules: RuleSet, rule: Rule) -> list[DocketEntry]:
    if asset.grant_date is None or asset.status not in IN_FORCE:
        return []
    return [_entry(asset, rules, rule, rule.id, (
        "national validations after grant", "授权后国家生效"),
        add_months(asset.grant_date, rule.params["months"]), None, "", None)]


def compute_docket(asset: AssetFacts, rules: RuleSet, *, start: date, end: date
                   ) -> list[DocketEntry]:
    """Every deadline of ``asset`` whose grace (or due date) ends on or after ``start`` and
    that falls due by ``end``, ordered by due date."""
    if asset.status in DEAD:
        return []
    out: list[DocketEntry] = []
    for rule in rules.for_asset(asset.jurisdiction, asset.kind):
        if rule.event == "annuity":
            out += _annuities(asset, rules, rule, start, end)
        elif rule.event == "maintenance":
            out += _maintenance(asset, rules, rule)
        elif rule.event == "renewal":
            out += _renewals(asset, rules, rule, end)
        elif rule.event in ("priority", "national_phase"):
            out += _from_priority(asset, rules, rule)
        elif rule.event == "validation":
            out += _validation(asset, rules, rule)
    kept = [e for e in out if (e.grace_until or e.due_on) >= start and e.due_on <= end]
    return sorted(kept, key=lambda e: (e.due_on, e.key))


def office_action_entry(asset: AssetFacts, rules: RuleSet, received_on: date
                        ) -> DocketEntry | None:
    """The response deadline of an office action notified on ``received_on`` by the asset's
    ``office_action`` rule (None when the rules have none for its jurisdiction and kind)."""
    rule = next((r for r in rules.for_asset(asset.jurisdiction, asset.kind)
                 if r.event == "office_action"), None)
    if rule is None:
        return None
    if "days" in rule.params:
        nominal, period = received_on + timedelta(days=rule.params["days"]), (
            f"{rule.params['days']} days", f"{rule.params['days']}天")
    else:
        nominal, period = add_months(received_on, rule.params["months"]), (
            f"{rule.params['months']} months", f"{rule.params['months']}个月")
    return _entry(asset, rules, rule, f"{rule.id}:{received_on.isoformat()}", (
        f"response to the office action of {received_on.isoformat()} ({period[0]})",
        f"答复 {received_on.isoformat()} 的审查意见（{period[1]}）"), nominal, None, "", None)
