"""The internal-audit checklist: per clause, is the evidence present, stale or missing, why,
and which records show it. Read in one read-only session scoped to the tenant alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ipgov.api import PlatformContext, utcnow

from .outline import Outline, lang, load_outline
from .sources import Evidence, collect_evidence

__all__ = ["ClauseResult", "EvidenceResult", "build_checklist", "PRESENT", "STALE", "MISSING"]

PRESENT, STALE, MISSING = "present", "stale", "missing"
SAMPLE_ROWS = 5


@dataclass
class EvidenceResult:
    """One evidence kind of one clause, judged."""

    kind: str
    status: str
    reason: str
    evidence: Evidence


@dataclass
class ClauseResult:
    """One clause, judged by the worst of its evidence (missing > stale > present)."""

    id: str
    title: str
    status: str
    reason: str
    evidence: list[EvidenceResult] = field(default_factory=list)


def _judge(outline: Outline, kind: str, found: Evidence, now: datetime,
           locale: str) -> EvidenceResult:
    days = outline.evidence[kind].get("max_age_days")
    newest = found.newest.date().isoformat() if found.newest else ""
    if found.count == 0:
        return EvidenceResult(kind, MISSING, outline.text("reasons", "missing", locale), found)
    if found.problem:
        return EvidenceResult(kind, MISSING, outline.text("reasons", found.problem, locale),
                              found)
    if days and (found.newest is None or found.newest < now - timedelta(days=days)):
        return EvidenceResult(kind, STALE, outline.text("reasons", "stale", locale,
                                                        newest=newest or "?", days=days), found)
    key = "present" if newest else "present_undated"
    return EvidenceResult(kind, PRESENT, outline.text("reasons", key, locale,
                                                      count=found.count, newest=newest), found)


def _clause_status(outline: Outline, parts: list[EvidenceResult], locale: str) -> tuple[str,
                                                                                      str]:
    for status in (MISSING, STALE):
        kinds = [outline.evidence_label(p.kind, locale) for p in parts if p.status == status]
        if kinds:
            return status, outline.text("reasons", f"clause_{status}", locale,
                                        kinds=", ".join(kinds))
    return PRESENT, outline.text("reasons", "clause_present", locale)


async def gather(platform: PlatformContext, tenant_id: str, *, limit: int) -> dict[str, Evidence]:
    """Every evidence kind of the outline for the tenant, with up to ``limit`` rows each."""
    outline = load_outline()
    found: dict[str, Evidence] = {}
    async with platform.read_session(tenant_id) as session:
        for kind in outline.evidence:
            found[kind] = await collect_evidence(session, kind, limit)
    return found


async def build_checklist(platform: PlatformContext, tenant_id: str, locale: str, *,
                          rows: int = SAMPLE_ROWS,
                          found: dict[str, Evidence] | None = None) -> list[ClauseResult]:
    """The checklist of every clause of the outline, texts in ``locale``."""
    outline = load_outline()
    found = found if found is not None else await gather(platform, tenant_id, limit=rows)
    now = utcnow()
    judged = {kind: _judge(outline, kind, ev, now, locale) for kind, ev in found.items()}
    results = []
    for clause in outline.clauses:
        parts = [judged[k] for k in clause.evidence]
        status, reason = _clause_status(outline, parts, locale)
        results.append(ClauseResult(clause.id, clause.title[lang(locale)], status, reason,
                                    parts))
    return results
