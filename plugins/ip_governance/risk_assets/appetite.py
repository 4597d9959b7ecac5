"""Risk appetite and tolerance, inherited down the group according to governance mode.

Seed 3 c and 5.1.2 c: governance clarifies risk appetite and tolerance, and they decide which
treatment a risk gets. In a group the rule follows the mode of the *parent* (a tenant's
``governance_mode`` is how it governs its children):

- **centralized** parent: the group decides. The subsidiary's effective statement and
  thresholds are the parent's; it may not set its own (``GOVERNANCE_MODE_FORBIDS``).
- **hybrid** parent: the group sets the baseline and the subsidiary may only *tighten* it: its
  own threshold for a category must be lower than the parent's effective one
  (``TOLERANCE_LOOSER_THAN_GROUP`` on ``threshold`` otherwise). It may add its own statement;
  until it does, the group's applies.
- **decentralized** parent: the subsidiary owns its risk appetite. Its own statement is the
  only one that counts (a missing one is a finding); a category it has not set falls back to
  the parent's threshold as a default, so its register stays assessable.
- the group root owns its settings; a category nobody set uses ``DEFAULT_THRESHOLD``.

Loosening the group's tolerance is therefore never a subsidiary's decision: it is the group's,
taken in the group's tenant (seed 3 a, "final decisions on key issues that escalate").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import GovernanceMode, InvalidInput, PlatformContext, bounds, lineage, utcnow

from .models import RiskAppetite, RiskTolerance
from .vocabulary import DEFAULT_THRESHOLD, MATRIX_MAX, MATRIX_MIN, RISK_CATEGORIES

__all__ = [
    "ChainLink", "EffectiveAppetite", "chain_from_platform", "chain_from_lineage", "effective",
    "load_effective", "set_statement", "set_tolerance",
]

@dataclass(frozen=True)
class ChainLink:
    """One tenant of a lineage and the mode its parent governs it with (``None``: the root)."""

    tenant_id: str
    governed_by: str | None

    @property
    def mode(self) -> GovernanceMode:
        """What the governing mode lets this tenant do (a root: everything)."""
        return GovernanceMode.governing(self.governed_by)


@dataclass
class EffectiveTolerance:
    """The threshold that applies to a category, and which tenant set it."""

    category: str
    threshold: int
    source_tenant_id: str | None
    own_threshold: int | None = None


@dataclass
class EffectiveAppetite:
    """What applies to a tenant: statement, thresholds per category, and the governing mode."""

    tenant_id: str
    governed_by: str | None
    statement: str | None
    statement_source: str | None
    own_statement: str | None
    tolerances: dict[str, EffectiveTolerance] = field(default_factory=dict)

    @property
    def mode(self) -> GovernanceMode:
        """What the governing mode lets this tenant do (a root: everything)."""
        return GovernanceMode.governing(self.governed_by)

    def threshold(self, category: str) -> int:
        """The maximum acceptable score for ``category``."""
        found = self.tolerances.get(category)
        return found.threshold if found else DEFAULT_THRESHOLD


def chain_from_platform(platform: PlatformContext, tenant_id: str) -> list[ChainLink]:
    """The tenant's lineage (nearest first) with each link's governing mode, from memory."""
    infos = lineage(platform, tenant_id)
    return [ChainLink(info.id, infos[i + 1].governance_mode if i + 1 < len(infos) else None)
            for i, info in enumerate(infos)]


def chain_from_lineage(ids: Sequence[str], modes: Sequence[str]) -> list[ChainLink]:
    """The same chain inside a review, from the check context (``ctx.lineage`` ids and
    ``ctx.tenant.lineage_modes``, nearest first): each link is governed by the next one's mode.
    """
    return [ChainLink(tid, modes[i + 1] if i + 1 < len(modes) else None)
            for i, tid in enumerate(ids)]


def effective(chain: Sequence[ChainLink], statements: dict[str, str],
              thresholds: dict[str, dict[str, int]]) -> EffectiveAppetite:
    """Apply the inheritance rule of the module docstring, from the root down to the tenant.

    ``statements`` and ``thresholds`` hold each lineage tenant's own settings by tenant id.
    """
    statement: str | None = None
    source: str | None = None
    current: dict[str, EffectiveTolerance] = {}
    for link in reversed(chain):
        own_stmt = statements.get(link.tenant_id)
        own = thresholds.get(link.tenant_id, {})
        if not link.mode.local_rules_count:
            continue
        if own_stmt or link.mode.owns_settings:
            statement, source = own_stmt, link.tenant_id if own_stmt else None
        for category, value in own.items():
            inherited = current.get(category)
            tighter = inherited is None or value < inherited.threshold
            if not link.mode.only_tightens or tighter:
                current[category] = EffectiveTolerance(category, value, link.tenant_id)
    me = chain[0].tenant_id
    for category, item in current.items():
        item.own_threshold = thresholds.get(me, {}).get(category)
    return EffectiveAppetite(me, chain[0].governed_by, statement, source, statements.get(me),
                             current)


async def load_effective(session: AsyncSession, chain: Sequence[ChainLink]) -> EffectiveAppetite:
    """Read the lineage's own settings (``session`` must reach every tenant of ``chain``)."""
    ids = [link.tenant_id for link in chain]
    statements = {a.tenant_id: a.statement for a in (await session.execute(
        select(RiskAppetite).where(RiskAppetite.tenant_id.in_(ids)))).scalars()}
    thresholds: dict[str, dict[str, int]] = {}
    for t in (await session.execute(
            select(RiskTolerance).where(RiskTolerance.tenant_id.in_(ids)))).scalars():
        thresholds.setdefault(t.tenant_id, {})[t.category] = t.threshold
    return effective(chain, statements, thresholds)


def _forbid_if_centralized(chain: Sequence[ChainLink]) -> None:
    if not chain[0].mode.local_rules_count:
        raise InvalidInput("the group governs this tenant centrally: its risk appetite and "
                           "tolerances are the group's", code="GOVERNANCE_MODE_FORBIDS")


async def set_statement(session: AsyncSession, chain: Sequence[ChainLink], *, statement: str,
                        approved_by: str, actor: str) -> RiskAppetite:
    """Record the tenant's own risk appetite statement (not under a centralized parent)."""
    _forbid_if_centralized(chain)
    statement = statement.strip()
    if not statement:
        raise InvalidInput("the statement may not be empty", field="statement")
    tenant_id = chain[0].tenant_id
    row = (await session.execute(select(RiskAppetite).where(
        RiskAppetite.tenant_id == tenant_id))).scalar_one_or_none()
    if row is None:
        row = RiskAppetite(tenant_id=tenant_id, statement=statement)
        session.add(row)
    row.statement, row.approved_by, row.updated_by = statement, approved_by, actor
    row.updated_at = utcnow()
    await session.flush()
    return row


async def set_tolerance(session: AsyncSession, chain: Sequence[ChainLink], *, category: str,
                        threshold: int, rationale: str, actor: str) -> RiskTolerance:
    """Record the tenant's own threshold for a category, within what its parent's mode allows."""
    _forbid_if_centralized(chain)
    if category not in RISK_CATEGORIES:
        raise InvalidInput(f"unknown risk category {category!r}; one of "
                           f"{', '.join(RISK_CATEGORIES)}", code="UNKNOWN_CATEGORY",
                           field="category")
    if not MATRIX_MIN <= threshold <= MATRIX_MAX:
        raise InvalidInput(f"threshold must be a score between {MATRIX_MIN} and {MATRIX_MAX}",
                           field="threshold",
                           details=bounds.out_of_range(MATRIX_MIN, MATRIX_MAX, threshold))
    if chain[0].mode.only_tightens and len(chain) > 1:
        parent = await load_effective(session, chain[1:])
        limit = parent.threshold(category)
        if threshold >= limit:
            raise InvalidInput(
                f"under the group's hybrid governance a subsidiary may only tighten: the "
                f"group's tolerance for {category} is {limit}, so set less than {limit}",
                code="TOLERANCE_LOOSER_THAN_GROUP", field="threshold")
    tenant_id = chain[0].tenant_id
    row = (await session.execute(select(RiskTolerance).where(
        RiskTolerance.tenant_id == tenant_id, RiskTolerance.category == category))
           ).scalar_one_or_none()
    if row is None:
        row = RiskTolerance(tenant_id=tenant_id, category=category, threshold=threshold)
        session.add(row)
    row.threshold, row.rationale, row.updated_by = threshold, rationale, actor
    row.updated_at = utcnow()
    await session.flush()
    return row
