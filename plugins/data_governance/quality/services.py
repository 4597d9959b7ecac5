"""Quality rules kept per kind; evaluations stored so the score can be followed over time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..catalog.services import get_kind
from .models import QualityEvaluation, QualityRule
from .rules import SAMPLE, evaluate_rule, validate_rule

__all__ = ["create_rule", "evaluate_all"]


async def create_rule(session: AsyncSession, data: dict[str, Any]) -> QualityRule:
    """Add a rule to a kind (the kind must be registered)."""
    fields = validate_rule(data)
    kind = await get_kind(session, data.get("kind_key") or "", "kindKey")
    rule = QualityRule(kind_key=kind.key, **fields)
    session.add(rule)
    await session.flush()
    return rule


async def evaluate_all(session: AsyncSession, *, now: datetime, source: str,
                       rule_ids: list[str] | None = None) -> list[QualityEvaluation]:
    """Evaluate the tenant's active rules (or the given ones) and store each score."""
    stmt = select(QualityRule).where(QualityRule.active.is_(True)).order_by(QualityRule.id)
    if rule_ids:
        stmt = stmt.where(QualityRule.id.in_(rule_ids))
    stored = []
    for rule in (await session.execute(stmt)).scalars():
        result = await evaluate_rule(session, rule, now)
        row = QualityEvaluation(rule_id=rule.id, evaluated_at=now, score=result.score,
                                total=result.total, failing=len(result.failing),
                                failing_asset_ids=result.failing[:SAMPLE], source=source)
        session.add(row)
        stored.append(row)
    await session.flush()
    return stored
