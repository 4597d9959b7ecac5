"""Scores per function and per governance domain, with the coverage that says what they rest on.

A dimension's score is the share of its *assessed* checks that hold, weighted by each check's
severity (low 1, medium 2, high 3, critical 4; info 1): 100 when every assessed check holds, 0
when none does. A check holds when it found nothing above ``info``. Checks that had nothing to
assess (an empty register) and checks that failed are not assessed: they leave the score alone
and lower the *coverage* (assessed of applicable checks) reported beside it; checks that do not
apply to the tenant count in neither. A dimension no check could assess has no score ("not
assessed"), never 100. The overall score is the mean of the assessed functions.

Runs stored before coverage was kept (``method`` absent, scored 100 minus points per finding)
read with ``Assessment.UNKNOWN`` coverage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from statistics import mean
from typing import Any

from .checks import CheckStatus, Function, GovernanceDomain

__all__ = [
    "METHOD",
    "WEIGHT",
    "Assessment",
    "DimensionView",
    "ScoredCheck",
    "aggregate_scores",
    "dimensions",
    "overall_view",
    "score_run",
]

METHOD = "checks-v2"
WEIGHT = {"info": 1, "low": 1, "medium": 2, "high": 3, "critical": 4}
_COUNTS = ("assessed", "applicable", "passed", "not_assessed", "errors")


class Assessment(StrEnum):
    """What a score rests on: every applicable check, some of them, none, or unrecorded."""

    ASSESSED = "assessed"
    PARTIAL = "partial"
    NOT_ASSESSED = "not_assessed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ScoredCheck:
    """One check's part in a run's score: its classification, weight and outcome."""

    function: str
    domain: str
    severity: str
    status: str
    deficient: bool = False
    """True when the check reported a finding above ``info``."""


def _empty() -> dict[str, int]:
    return dict.fromkeys(_COUNTS, 0)


def _tally(counts: dict[str, int], weights: list[float], check: ScoredCheck) -> None:
    counts["applicable"] += 1
    if check.status == CheckStatus.ERROR:
        counts["errors"] += 1
    elif check.status == CheckStatus.NOT_ASSESSED:
        counts["not_assessed"] += 1
    else:
        counts["assessed"] += 1
        counts["passed"] += not check.deficient
        weight = WEIGHT.get(check.severity, 1)
        weights[0] += weight
        weights[1] += 0 if check.deficient else weight


def _part(checks: list[ScoredCheck], attribute: str) -> tuple[dict, dict]:
    counts: dict[str, dict[str, int]] = {}
    weights: dict[str, list[float]] = {}
    for check in checks:
        if check.status == CheckStatus.NOT_APPLICABLE:
            continue  # outside the coverage entirely
        name = getattr(check, attribute)
        _tally(counts.setdefault(name, _empty()), weights.setdefault(name, [0.0, 0.0]), check)
    scores = {name: round(100 * held / total, 1) for name, (total, held) in weights.items()
              if total}
    return scores, counts


def score_run(checks: Iterable[ScoredCheck]) -> dict[str, Any]:
    """``{"method", "functions", "domains", "overall", "coverage"}`` of one tenant's run."""
    checks = list(checks)
    functions, function_counts = _part(checks, "function")
    domains, domain_counts = _part(checks, "domain")
    overall_counts = _empty()
    for counts in function_counts.values():
        for key in _COUNTS:
            overall_counts[key] += counts[key]
    return {"method": METHOD, "functions": functions, "domains": domains,
            "overall": round(mean(functions.values()), 1) if functions else None,
            "coverage": {"functions": function_counts, "domains": domain_counts,
                         "overall": overall_counts}}


def aggregate_scores(children: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A group run: each dimension's mean over the children that assessed it, coverage
    summed over every child."""
    sums: dict[str, dict[str, list[float]]] = {"functions": {}, "domains": {}}
    coverage: dict[str, dict[str, dict[str, int]]] = {"functions": {}, "domains": {}}
    overall: list[float] = []
    total, methods = _empty(), set()
    for scores in children:
        methods.add(scores.get("method"))
        for part in ("functions", "domains"):
            for name, value in (scores.get(part) or {}).items():
                sums[part].setdefault(name, []).append(value)
            for name, counts in ((scores.get("coverage") or {}).get(part) or {}).items():
                into = coverage[part].setdefault(name, _empty())
                for key in _COUNTS:
                    into[key] += int(counts.get(key, 0))
        for key in _COUNTS:
            total[key] += int(((scores.get("coverage") or {}).get("overall") or {}).get(key, 0))
        if scores.get("overall") is not None:
            overall.append(scores["overall"])
    result: dict[str, Any] = {
        "functions": {k: round(mean(v), 1) for k, v in sums["functions"].items()},
        "domains": {k: round(mean(v), 1) for k, v in sums["domains"].items()},
        "overall": round(mean(overall), 1) if overall else None}
    if methods == {METHOD}:
        result["method"] = METHOD
        result["coverage"] = {**coverage, "overall": total}
    return result


@dataclass(frozen=True)
class DimensionView:
    """One score as a reader sees it: the value and what it rests on."""

    key: str
    score: float | None
    assessment: Assessment
    assessed: int | None = None
    applicable: int | None = None
    passed: int | None = None

    @property
    def coverage(self) -> float | None:
        """Assessed of applicable checks (0..1); None when unknown or nothing applies."""
        if self.assessed is None or not self.applicable:
            return None
        return round(self.assessed / self.applicable, 3)


def _view(key: str, score: float | None, counts: Mapping[str, Any] | None,
          recorded: bool) -> DimensionView:
    if not recorded:
        assessment = Assessment.UNKNOWN if score is not None else Assessment.NOT_ASSESSED
        return DimensionView(key, score, assessment)
    counts = counts or {}
    assessed, applicable = int(counts.get("assessed", 0)), int(counts.get("applicable", 0))
    if score is None or not assessed:
        assessment = Assessment.NOT_ASSESSED
    elif assessed < applicable:
        assessment = Assessment.PARTIAL
    else:
        assessment = Assessment.ASSESSED
    return DimensionView(key, score if assessed else None, assessment, assessed, applicable,
                         int(counts.get("passed", 0)))


def dimensions(scores: Mapping[str, Any] | None, part: str) -> list[DimensionView]:
    """Every function (``part="functions"``) or domain (``"domains"``) of a stored score, in
    framework order, then any other a plugin scored; unscored ones as not assessed."""
    scores = scores or {}
    known = [f.value for f in Function] if part == "functions" else [
        d.value for d in GovernanceDomain]
    values = scores.get(part) or {}
    recorded = "coverage" in scores
    counts = (scores.get("coverage") or {}).get(part) or {}
    keys = known + sorted((set(values) | set(counts)) - set(known))
    return [_view(k, values.get(k), counts.get(k), recorded) for k in keys]


def overall_view(scores: Mapping[str, Any] | None) -> DimensionView:
    """The overall score and the coverage of every applicable check of the run."""
    scores = scores or {}
    return _view("overall", scores.get("overall"),
                 (scores.get("coverage") or {}).get("overall"), "coverage" in scores)
