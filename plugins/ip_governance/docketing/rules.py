"""Docketing rules as data: the ``ipgov-docket/1`` format (docs/docketing.md).

A rules file lists sources, holiday calendars, fee reductions and rules; every rule cites a
source. :func:`parse_rules` checks everything and raises one :class:`DocketFormatError` naming
the file, the rule and the field of each problem; a tenant's overrides (``DocketRuleOverride``)
are single rules in the same shape, merged by :func:`with_overrides`.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ipgov.api import InvalidInput

__all__ = [
    "EVENTS", "FORMAT", "DocketFormatError", "Fee", "Grace", "Problem", "Rule", "RuleSet",
    "parse_rule", "parse_rules", "shipped_rules", "with_overrides",
]

FORMAT = "ipgov-docket/1"
DATA = Path(__file__).parent / "data"
MAX_BYTES, MAX_RULES = 1_000_000, 2000
EVENTS = ("term", "annuity", "maintenance", "renewal", "priority", "office_action",
          "national_phase", "validation")
KINDS = ("patent", "utility_model", "design", "trademark")
DUE = ("filing_anniversary", "filing_anniversary_month_end", "grant_anniversary")
FROM = ("filing", "grant", "registration", "priority")
RULE_ID = re.compile(r"^[a-z]{2}\.[a-z_]{2,30}\.[a-z_0-9]{2,40}$")
JURISDICTION = re.compile(r"^[A-Z]{2}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
YEARS = re.compile(r"^(\d{1,2})(?:-(\d{1,2}))?$")
RULE_FIELDS = {
    "id", "jurisdiction", "kinds", "event", "source", "cite", "from", "years", "months",
    "days", "due", "first", "until", "roll_forward", "grace", "fees", "at_months",
    "window_months", "month_end", "offices", "extendable_months"}
NEEDS = {"term": {"from", "years"}, "annuity": {"due", "first"}, "maintenance": {"at_months"},
         "renewal": {"from", "years"}, "priority": {"months"}, "national_phase": {"months"},
         "validation": {"months"}, "office_action": set()}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a rules file: where (rule id, field) and what."""

    rule: str
    field: str
    message: str


class DocketFormatError(InvalidInput):
    """A rules file or override that does not follow ``ipgov-docket/1``; lists every problem."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file, self.problems = file, problems
        lines = "; ".join(f"{file}: rule {p.rule}: {p.field}: {p.message}" for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(lines + more, code="INVALID_DOCKET_RULES", field="yaml")


@dataclass(frozen=True)
class Fee:
    """Official fee amounts from a date: per year band, per stage, or one amount."""

    effective_from: date
    currency: str
    by_year: dict[int, Decimal] = field(default_factory=dict)
    stages: tuple[Decimal, ...] = ()
    amount: Decimal | None = None
    cite: str = ""
    #: the day the amounts were checked against the office's own current list (None: taken
    #: from the cited source but not checked yet; explanations and forecasts say so)
    checked_on: date | None = None

    def for_year(self, year: int) -> Decimal | None:
        """The amount for annuity year ``year`` (or the one amount)."""
        return self.by_year.get(year, self.amount)


@dataclass(frozen=True)
class Grace:
    """A late-payment period and its surcharge (percent steps per month, a percent, or fixed)."""

    months: int
    steps: tuple[int, ...] = ()
    percent: int | None = None
    amount: Decimal | None = None
    currency: str = ""


@dataclass(frozen=True)
class Rule:
    """One docketing rule (see docs/docketing.md for each field)."""

    id: str
    jurisdiction: str
    kinds: tuple[str, ...]
    event: str
    source: str
    cite: str
    params: dict[str, Any]
    grace: Grace | None = None
    fees: tuple[Fee, ...] = ()
    roll_forward: bool = False
    origin: str = "shipped"

    def fee_on(self, day: date) -> Fee | None:
        """The fee schedule in force on ``day`` (the latest that started by then)."""
        started = [f for f in self.fees if f.effective_from <= day]
        return max(started, key=lambda f: f.effective_from) if started else (
            min(self.fees, key=lambda f: f.effective_from) if self.fees else None)


@dataclass(frozen=True)
class Reduction:
    """A fee reduction an asset may carry (CN 费用减缴 or 开放许可)."""

    id: str
    jurisdiction: str
    percent: int
    applies_to: tuple[str, ...]
    years_from_grant: int | None
    cite: str


@dataclass(frozen=True)
class Calendar:
    """Non-working days of one office: weekends and listed dates."""

    weekends: bool
    dates: frozenset[date]


@dataclass(frozen=True)
class RuleSet:
    """A parsed rules file: its rules by id, calendars, reductions and sources."""

    id: str
    version: str
    rules: dict[str, Rule]
    calendars: dict[str, Calendar]
    reductions: dict[str, Reduction]
    sources: dict[str, dict[str, str]]

    def for_asset(self, jurisdiction: str, kind: str) -> list[Rule]:
        """The rules that apply to an asset of ``kind`` in ``jurisdiction``."""
        return [r for r in self.rules.values()
                if r.jurisdiction == jurisdiction and kind in r.kinds]


class _Reader:
    def __init__(self, sources: dict[str, Any]) -> None:
        self.problems: list[Problem] = []
        self.sources = sources

    def add(self, rule: str, name: str, message: str) -> None:
        self.problems.append(Problem(rule, name, message))

    def integer(self, rid: str, name: str, value: Any, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(rid, name, f"a whole number from {low} to {high}")
            return low
        return value

    def money(self, rid: str, name: str, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                0 <= value <= 100_000_000):
            self.add(rid, name, "an amount from 0 to 100,000,000")
            return Decimal(0)
        return Decimal(str(value))

    def text(self, rid: str, name: str, value: Any, max_len: int = 500) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > max_len:
            self.add(rid, name, f"a non-empty text of at most {max_len} characters")
            return ""
        return value.strip()


def _parse_grace(r: _Reader, rid: str, raw: Any) -> Grace | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"months", "surcharge"}:
        r.add(rid, "grace", "a mapping with months and an optional surcharge")
        return None
    months = r.integer(rid, "grace.months", raw.get("months"), 1, 24)
    sur = raw.get("surcharge") or {}
    if not isinstance(sur, dict) or set(sur) - {"steps", "percent", "amount", "currency"} or len(
            set(sur) - {"currency"}) > 1:
        r.add(rid, "grace.surcharge", "one of steps (percent per month), percent or amount")
        return Grace(months)
    steps = sur.get("steps")
    if steps is not None and (not isinstance(steps, list) or len(steps) != months):
        r.add(rid, "grace.surcharge.steps", f"one percent per grace month ({months})")
        steps = None
    clean_steps = tuple(r.integer(rid, f"grace.surcharge.steps[{i}]", s, 0, 200)
                        for i, s in enumerate(steps or []))
    percent = sur.get("percent")
    if percent is not None:
        percent = r.integer(rid, "grace.surcharge.percent", percent, 0, 500)
    amount = r.money(rid, "grace.surcharge.amount", sur["amount"]) if "amount" in sur else None
    currency = sur.get("currency", "")
    if amount is not None and not (isinstance(currency, str) and CURRENCY.match(currency)):
        r.add(rid, "grace.surcharge.currency", "an ISO 4217 code such as USD")
    return Grace(months, clean_steps, percent, amount, currency if amount is not None else "")


def _year_bands(r: _Reader, rid: str, where: str, raw: Any) -> dict[int, Decimal]:
    if not isinstance(raw, dict) or not raw:
        r.add(rid, where, 'a mapping of years or year ranges ("1-3") to amounts')
        return {}
    out: dict[int, Decimal] = {}
    for key, value in raw.items():
        match = YEARS.match(str(key))
        if not match:
            r.add(rid, f"{where}.{key}", 'a year or a range such as "4-6"')
            continue
        low, high = int(match[1]), int(match[2] or match[1])
        if not 1 <= low <= high <= 30:
            r.add(rid, f"{where}.{key}", "years 1 to 30, the lower first")
            continue
        for year in range(low, high + 1):
            if year in out:
                r.add(rid, f"{where}.{key}", f"year {year} is listed twice")
            out[year] = r.money(rid, f"{where}.{key}", value)
    return out


def _parse_fee(r: _Reader, rid: str, i: int, raw: Any) -> Fee | None:
    where = f"fees[{i}]"
    allowed = {"effective_from", "currency", "source", "cite", "years", "stages", "amount",
               "checked_on"}
    if not isinstance(raw, dict):
        r.add(rid, where, "a mapping")
        return None
    for extra in sorted(set(raw) - allowed):
        r.add(rid, f"{where}.{extra}", "unknown field")
    when = raw.get("effective_from")
    if isinstance(when, str):  # an override stored as JSON keeps its dates as ISO text
        with contextlib.suppress(ValueError):
            when = date.fromisoformat(when)
    if not isinstance(when, date):
        r.add(rid, f"{where}.effective_from", "a date (YYYY-MM-DD) the amounts apply from")
        when = date.min
    currency = raw.get("currency")
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        r.add(rid, f"{where}.currency", "an ISO 4217 code such as CNY")
        currency = "XXX"
    if raw.get("source") is not None and raw["source"] not in r.sources:
        r.add(rid, f"{where}.source", f"names no entry of sources: {raw['source']}")
    shapes = [k for k in ("years", "stages", "amount") if k in raw]
    if len(shapes) != 1:
        r.add(rid, where, "exactly one of years, stages or amount")
        return None
    by_year = _year_bands(r, rid, f"{where}.years", raw["years"]) if "years" in raw else {}
    stages: tuple[Decimal, ...] = ()
    if "stages" in raw:
        if not isinstance(raw["stages"], list) or not raw["stages"]:
            r.add(rid, f"{where}.stages", "a list of amounts, one per stage")
        else:
            stages = tuple(r.money(rid, f"{where}.stages[{j}]", v)
                           for j, v in enumerate(raw["stages"]))
    amount = r.money(rid, f"{where}.amount", raw["amount"]) if "amount" in raw else None
    checked = raw.get("checked_on")
    if isinstance(checked, str):
        with contextlib.suppress(ValueError):
            checked = date.fromisoformat(checked)
    if checked is not None and not isinstance(checked, date):
        r.add(rid, f"{where}.checked_on", "the date (YYYY-MM-DD) the amounts were checked "
                                          "against the office's own list")
        checked = None
    return Fee(when, currency, by_year, stages, amount, str(raw.get("cite", ""))[:500],
               checked)


def _parse_params(r: _Reader, rid: str, event: str, raw: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in sorted(NEEDS.get(event, set()) - set(raw)):
        r.add(rid, name, f"required for a {event} rule")
    if event == "office_action" and not {"months", "days"} & set(raw):
        r.add(rid, "months", "an office_action rule gives months or days")
    limits = {"years": (1, 30), "months": (1, 60), "days": (1, 365), "window_months": (1, 24),
              "extendable_months": (1, 24)}
    for name, (low, high) in limits.items():
        if name in raw:
            params[name] = r.integer(rid, name, raw[name], low, high)
    if "from" in raw:
        if raw["from"] not in FROM:
            r.add(rid, "from", f"one of {', '.join(FROM)}")
        params["from"] = raw["from"]
    if "due" in raw:
        if raw["due"] not in DUE:
            r.add(rid, "due", f"one of {', '.join(DUE)}")
        params["due"] = raw["due"]
    if "first" in raw:
        first = raw["first"]
        if first not in ("grant_year", "after_grant"):
            first = r.integer(rid, "first", first, 1, 30)
        params["first"] = first
    if "until" in raw:
        if raw["until"] != "grant":
            r.add(rid, "until", "only grant (fees paid to the office until grant)")
        params["until"] = "grant"
    if "at_months" in raw:
        at = raw["at_months"]
        if not isinstance(at, list) or not at or len(at) > 10:
            r.add(rid, "at_months", "a list of 1 to 10 month offsets from grant")
        else:
            params["at_months"] = tuple(r.integer(rid, f"at_months[{i}]", v, 1, 360)
                                        for i, v in enumerate(at))
    if "offices" in raw:
        offices = raw["offices"]
        if not isinstance(offices, dict) or not offices or len(offices) > 200:
            r.add(rid, "offices", "a mapping of office codes to months")
        else:
            for key in offices:
                if not JURISDICTION.match(str(key)):
                    r.add(rid, f"offices.{key}", "a 2-letter office code")
            params["offices"] = {str(k): r.integer(rid, f"offices.{k}", v, 1, 60)
                                 for k, v in offices.items()}
    if "month_end" in raw:
        params["month_end"] = raw["month_end"] is True
    return params


def parse_rule(raw: Any, sources: dict[str, Any], *, where: str = "rule",
               origin: str = "shipped", file: str = "<rule>") -> Rule:
    """One rule (a shipped entry or a tenant override); ``DocketFormatError`` when wrong."""
    r = _Reader(sources)
    rule = _rule(r, raw, where, origin)
    if r.problems or rule is None:
        raise DocketFormatError(file, r.problems)
    return rule


def _rule(r: _Reader, raw: Any, where: str, origin: str) -> Rule | None:
    if not isinstance(raw, dict):
        r.add(where, "(rule)", "a mapping")
        return None
    rid = raw.get("id")
    if not isinstance(rid, str) or not RULE_ID.match(rid):
        r.add(where, "id", "like cn.invention.annuity: <2 letters>.<subject>.<name>, lowercase")
        rid = where
    for extra in sorted(set(raw) - RULE_FIELDS):
        r.add(rid, extra, "unknown field")
    jurisdiction = raw.get("jurisdiction")
    if not isinstance(jurisdiction, str) or not JURISDICTION.match(jurisdiction):
        r.add(rid, "jurisdiction", "a 2-letter office code such as CN, EP, US, WO")
    kinds = raw.get("kinds")
    if not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds):
        r.add(rid, "kinds", f"a list of: {', '.join(KINDS)}")
        kinds = []
    event = raw.get("event")
    if event not in EVENTS:
        r.add(rid, "event", f"one of {', '.join(EVENTS)}")
    source = raw.get("source")
    if source not in r.sources:
        r.add(rid, "source", "every rule cites an entry of sources")
    cite = r.text(rid, "cite", raw.get("cite"))
    params = _parse_params(r, rid, str(event), raw)
    grace = _parse_grace(r, rid, raw.get("grace"))
    fees_raw = raw.get("fees") or []
    if not isinstance(fees_raw, list) or len(fees_raw) > 20:
        r.add(rid, "fees", "a list of at most 20 fee schedules")
        fees_raw = []
    parsed = [_parse_fee(r, rid, i, f) for i, f in enumerate(fees_raw)]
    fees = tuple(f for f in parsed if f is not None)
    roll = raw.get("roll_forward", False)
    if not isinstance(roll, bool):
        r.add(rid, "roll_forward", "true or false")
    return Rule(rid, str(jurisdiction), tuple(kinds), str(event), str(source), cite, params,
                grace, fees, roll is True, origin)


def _parse_calendars(r: _Reader, raw: Any) -> dict[str, Calendar]:
    out: dict[str, Calendar] = {}
    for office, body in (raw or {}).items():
        where = f"holidays.{office}"
        if not isinstance(body, dict) or body.get("source") not in r.sources:
            r.add("(holidays)", where, "a mapping citing an entry of sources")
            continue
        dates = body.get("dates") or []
        if not isinstance(dates, list) or any(not isinstance(d, date) for d in dates):
            r.add("(holidays)", f"{where}.dates", "a list of dates (YYYY-MM-DD)")
            dates = []
        out[str(office)] = Calendar(body.get("weekends") is True, frozenset(dates))
    return out


def _parse_reductions(r: _Reader, raw: Any) -> dict[str, Reduction]:
    out: dict[str, Reduction] = {}
    for i, body in enumerate(raw or []):
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            r.add(f"reductions[{i}]", "id", "a mapping with an id")
            continue
        rid = body["id"]
        if body.get("source") not in r.sources:
            r.add(rid, "source", "every reduction cites an entry of sources")
        years = body.get("years_from_grant")
        out[rid] = Reduction(
            rid, str(body.get("jurisdiction", "")),
            r.integer(rid, "percent", body.get("percent"), 1, 100),
            tuple(body.get("applies_to") or ()),
            r.integer(rid, "years_from_grant", years, 1, 30) if years is not None else None,
            r.text(rid, "cite", body.get("cite")))
    return out


def parse_rules(text: str, file: str = "<rules>") -> RuleSet:
    """Parse and check a whole rules file (``DocketFormatError`` lists every problem)."""
    if len(text.encode()) > MAX_BYTES:
        raise DocketFormatError(file, [Problem("(file)", "(file)", "larger than 1 MB")])
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DocketFormatError(file, [Problem("(file)", "(syntax)", str(exc)[:300])]) from None
    if not isinstance(doc, dict):
        raise DocketFormatError(file, [Problem("(file)", "(file)", "a mapping at the top")])
    sources: dict[str, Any] = doc["sources"] if isinstance(doc.get("sources"), dict) else {}
    r = _Reader(sources)
    if doc.get("format") != FORMAT:
        r.add("(file)", "format", f"exactly {FORMAT}")
    for extra in sorted(set(doc) - {"format", "id", "version", "sources", "holidays",
                                    "reductions", "rules"}):
        r.add("(file)", extra, "unknown field")
    for name, body in sources.items():
        if not isinstance(body, dict) or not body.get("title") or not body.get("url"):
            r.add("(sources)", f"sources.{name}", "a title and a url")
    raw_rules = doc.get("rules")
    if not isinstance(raw_rules, list) or not 1 <= len(raw_rules) <= MAX_RULES:
        r.add("(file)", "rules", f"a list of 1 to {MAX_RULES} rules")
        raw_rules = []
    rules: dict[str, Rule] = {}
    for i, raw in enumerate(raw_rules):
        rule = _rule(r, raw, f"rules[{i}]", "shipped")
        if rule is None:
            continue
        if rule.id in rules:
            r.add(rule.id, "id", "used by two rules")
        rules[rule.id] = rule
    calendars = _parse_calendars(r, doc.get("holidays"))
    reductions = _parse_reductions(r, doc.get("reductions"))
    if r.problems:
        raise DocketFormatError(file, r.problems)
    return RuleSet(str(doc.get("id")), str(doc.get("version")), rules, calendars, reductions,
                   {k: dict(v) for k, v in sources.items()})


@cache
def shipped_rules() -> RuleSet:
    """The rules file shipped with the plugin (parsed once per process)."""
    path = sorted(DATA.glob("docket-rules-*.yaml"))[-1]
    return parse_rules(path.read_text(encoding="utf-8"), path.name)


def with_overrides(base: RuleSet, overrides: list[Rule]) -> RuleSet:
    """``base`` with each override replacing the rule of the same id (or adding one); the
    caller orders ``overrides`` so the one that should win comes last."""
    rules = dict(base.rules)
    for rule in overrides:
        rules[rule.id] = rule
    return replace(base, rules=rules)
