"""Scores per function and per governance domain from a run's findings.

A dimension starts at 100 and loses points per finding by severity; a dimension with no
successful check is "not assessed" (absent), not 100. The overall score is the mean of the
assessed functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import mean

__all__ = ["PENALTY", "score_run", "aggregate_scores"]

PENALTY = {"info": 0, "low": 3, "medium": 8, "high": 15, "critical": 25}


def score_run(
    assessed: Iterable[tuple[str, str]], findings: Iterable[tuple[str, str, str]]
) -> dict[str, dict[str, float] | float | None]:
    """``assessed``: (function, domain) of each successful check; ``findings``:
    (function, domain, severity). Returns ``{"functions", "domains", "overall"}``."""
    functions = {f: 100.0 for f, _d in assessed}
    domains = {d: 100.0 for _f, d in assessed}
    for function, domain, severity in findings:
        penalty = PENALTY.get(severity, 0)
        if function in functions:
            functions[function] = max(0.0, functions[function] - penalty)
        if domain in domains:
            domains[domain] = max(0.0, domains[domain] - penalty)
    overall = round(mean(functions.values()), 1) if functions else None
    return {"functions": functions, "domains": domains, "overall": overall}


def aggregate_scores(children: Iterable[dict]) -> dict[str, dict[str, float] | float | None]:
    """Mean of each dimension over the children that assessed it (group reviews)."""
    sums: dict[str, dict[str, list[float]]] = {"functions": {}, "domains": {}}
    overall: list[float] = []
    for scores in children:
        for part in ("functions", "domains"):
            for name, value in (scores.get(part) or {}).items():
                sums[part].setdefault(name, []).append(value)
        if scores.get("overall") is not None:
            overall.append(scores["overall"])
    return {
        "functions": {k: round(mean(v), 1) for k, v in sums["functions"].items()},
        "domains": {k: round(mean(v), 1) for k, v in sums["domains"].items()},
        "overall": round(mean(overall), 1) if overall else None,
    }
