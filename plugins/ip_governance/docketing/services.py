"""The docket kept in step with the register: computed deadlines written as
``IpAssetDeadline`` rows (``origin="computed"``), so the existing reminders, events and
calendar feed carry them; and a tenant's rule overrides, materialised down its group tree.

Recomputing touches only what changed: an open computed deadline is updated in place, one the
rules no longer produce is removed, a deadline already done or waived is kept as recorded, and
deadlines whose grace ended before today are history and left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import InvalidInput, NotFound

from ..risk_assets.appetite import ChainLink
from ..risk_assets.models import IpAsset, IpAssetDeadline
from .compute import AssetFacts, DocketEntry, compute_docket
from .models import DocketRuleOverride
from .rules import Rule, RuleSet, parse_rule, shipped_rules, with_overrides

__all__ = ["HORIZON_DAYS", "Scope", "declare_override", "effective_rules", "facts", "materialise",
           "recompute", "recompute_tenant", "remove_override"]

HORIZON_DAYS = 3 * 366
"""How far ahead deadlines are written (the forecast computes further without storing)."""
BATCH = 1000
MAX_OVERRIDES = 200
MAX_YAML = 20_000


def facts(asset: IpAsset) -> AssetFacts:
    """The asset's docket inputs."""
    return AssetFacts(asset.id, asset.kind, asset.jurisdiction, asset.status, asset.filing_date,
                      asset.priority_date, asset.grant_date, asset.fee_reduction or "",
                      bool(asset.open_licence))


def _override(row: DocketRuleOverride) -> Rule:
    return parse_rule(row.body, shipped_rules().sources, origin=row.source_tenant_id,
                      file=f"override {row.rule_id}")


async def effective_rules(session: AsyncSession, tenant_id: str | None = None) -> RuleSet:
    """The shipped rules with the tenant's effective overrides (its own rows only)."""
    stmt = select(DocketRuleOverride).where(DocketRuleOverride.effective.is_(True))
    if tenant_id is not None:
        stmt = stmt.where(DocketRuleOverride.tenant_id == tenant_id)
    rows = (await session.execute(stmt.order_by(DocketRuleOverride.rule_id))).scalars().all()
    if not rows:
        return shipped_rules()
    return with_overrides(shipped_rules(), [_override(r) for r in rows])


def _apply(row: IpAssetDeadline, entry: DocketEntry) -> None:
    row.kind, row.due_on, row.grace_until = entry.kind, entry.due_on, entry.grace_until
    row.rule_id, row.docket_key, row.origin = entry.rule_id, entry.key, "computed"
    row.fee_amount, row.fee_currency = entry.fee, entry.currency
    row.explanation, row.description = dict(entry.explanation), entry.explanation["en"][:2000]


async def recompute(session: AsyncSession, assets: Sequence[IpAsset], rules: RuleSet,
                    today: date) -> dict[str, int]:
    """Bring the computed deadlines of ``assets`` in line with ``rules``; counts of rows
    created, updated and removed."""
    counts = {"created": 0, "updated": 0, "removed": 0}
    end = today + timedelta(days=HORIZON_DAYS)
    for start in range(0, len(assets), BATCH):
        chunk = assets[start:start + BATCH]
        rows = (await session.execute(select(IpAssetDeadline).where(
            IpAssetDeadline.origin == "computed",
            IpAssetDeadline.asset_id.in_([a.id for a in chunk])))).scalars().all()
        existing: dict[tuple[str, str], IpAssetDeadline] = {
            (r.asset_id, r.docket_key or ""): r for r in rows}
        stale: list[str] = []
        for asset in chunk:
            wanted = {e.key: e for e in compute_docket(facts(asset), rules, start=today, end=end)}
            for key, entry in wanted.items():
                row = existing.pop((asset.id, key), None)
                if row is None:
                    row = IpAssetDeadline(asset_id=asset.id, tenant_id=asset.tenant_id,
                                          status="open")
                    _apply(row, entry)
                    session.add(row)
                    counts["created"] += 1
                elif row.status == "open" and _changed(row, entry):
                    _apply(row, entry)
                    counts["updated"] += 1
        for row in existing.values():
            if row.status == "open" and (row.grace_until or row.due_on) >= today:
                stale.append(row.id)
        if stale:
            await session.execute(delete(IpAssetDeadline).where(IpAssetDeadline.id.in_(stale)),
                                  execution_options={"synchronize_session": False})
            counts["removed"] += len(stale)
        await session.flush()
    return counts


def _changed(row: IpAssetDeadline, entry: DocketEntry) -> bool:
    return (row.due_on, row.grace_until, row.rule_id, row.fee_amount, row.fee_currency,
            row.explanation, row.kind) != (entry.due_on, entry.grace_until, entry.rule_id,
                                           entry.fee, entry.currency, entry.explanation,
                                           entry.kind)


async def recompute_tenant(session: AsyncSession, tenant_id: str, today: date,
                           scope: Scope | None = None) -> dict[str, int]:
    """Recompute the assets of ``tenant_id`` after a rule change: all of them, or only those
    of ``scope`` (the jurisdictions and kinds the changed rules apply to)."""
    rules = await effective_rules(session, tenant_id)
    stmt = select(IpAsset).where(IpAsset.tenant_id == tenant_id)
    if scope is not None:
        stmt = stmt.where(IpAsset.jurisdiction.in_(sorted(scope.jurisdictions)),
                          IpAsset.kind.in_(sorted(scope.kinds)))
    assets = (await session.execute(stmt.order_by(IpAsset.id))).scalars().all()
    return await recompute(session, list(assets), rules, today)


@dataclass
class Scope:
    """The assets a rule change can affect: its jurisdictions and kinds."""

    jurisdictions: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)

    def add(self, body: Any) -> None:
        """Widen by one rule body (a shipped or override rule as a mapping)."""
        if isinstance(body, dict):
            self.jurisdictions.add(str(body.get("jurisdiction", "")))
            self.kinds.update(str(k) for k in body.get("kinds") or [])
            shipped = shipped_rules().rules.get(str(body.get("id", "")))
            if shipped is not None:  # an override replaces the shipped rule of its id
                self.jurisdictions.add(shipped.jurisdiction)
                self.kinds.update(shipped.kinds)


# ----------------------------------------------------------------------------- overrides


def parse_override(text: str) -> tuple[Rule, dict[str, Any]]:
    """One rule in YAML, checked against the format and the shipped sources."""
    if len(text) > MAX_YAML:
        raise InvalidInput(f"an override is at most {MAX_YAML} characters", code="TOO_LONG",
                           field="yaml")
    try:
        body = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"not YAML: {str(exc)[:200]}", code="INVALID_DOCKET_RULES",
                           field="yaml") from None
    rule = parse_rule(body, shipped_rules().sources, file="override")
    return rule, body


async def declare_override(session: AsyncSession, tenant_id: str, text: str, actor: str,
                           scope: Scope | None = None) -> Rule:
    """Store ``tenant_id``'s own override (replacing its earlier one for the same rule);
    ``scope`` is widened by the old and the new rule."""
    rule, body = parse_override(text)
    if scope is not None:
        scope.add(body)
    own = (await session.execute(select(DocketRuleOverride).where(
        DocketRuleOverride.tenant_id == tenant_id, DocketRuleOverride.declared.is_(True))
    )).scalars().all()
    row = next((r for r in own if r.rule_id == rule.id), None)
    if scope is not None:
        scope.add(row.body if row else None)
    if row is None:
        if len(own) >= MAX_OVERRIDES:
            raise InvalidInput(f"at most {MAX_OVERRIDES} overrides per tenant",
                               code="TOO_MANY", field="yaml")
        row = DocketRuleOverride(tenant_id=tenant_id, rule_id=rule.id,
                                 source_tenant_id=tenant_id, declared=True)
        session.add(row)
    row.body, row.yaml, row.updated_by = _plain(body), text, actor
    await session.flush()
    return rule


async def remove_override(session: AsyncSession, tenant_id: str, rule_id: str,
                          scope: Scope | None = None) -> None:
    """Withdraw ``tenant_id``'s own override of ``rule_id`` (``scope`` widened by it)."""
    row = (await session.execute(select(DocketRuleOverride).where(
        DocketRuleOverride.tenant_id == tenant_id, DocketRuleOverride.declared.is_(True),
        DocketRuleOverride.rule_id == rule_id))).scalar_one_or_none()
    if row is None:
        raise NotFound("no override of this rule here", code="NOT_FOUND", field="ruleId")
    if scope is not None:
        scope.add(row.body)
    await session.delete(row)
    await session.flush()


def _plain(value: Any) -> Any:
    """YAML values as JSON can store them (dates as ISO text, parsed back by the loader)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


async def materialise(session: AsyncSession, chains: Iterable[Sequence[ChainLink]]) -> None:
    """Rewrite the inherited override rows of each chain's tenant (``chain[0]``) from the
    declarations along its lineage: root first, a link's declarations count unless its
    parent governs it centrally, and the nearest declaration wins."""
    chains = list(chains)
    ids = {link.tenant_id for chain in chains for link in chain}
    declared = (await session.execute(select(DocketRuleOverride).where(
        DocketRuleOverride.declared.is_(True), DocketRuleOverride.tenant_id.in_(ids))
    )).scalars().all()
    by_tenant: dict[str, list[DocketRuleOverride]] = {}
    for row in declared:
        by_tenant.setdefault(row.tenant_id, []).append(row)
    for chain in chains:
        me = chain[0].tenant_id
        winners: dict[str, DocketRuleOverride] = {}
        for link in reversed(chain):
            if link.mode.local_rules_count:
                winners.update({r.rule_id: r for r in by_tenant.get(link.tenant_id, [])})
        await session.execute(delete(DocketRuleOverride).where(
            DocketRuleOverride.tenant_id == me, DocketRuleOverride.declared.is_(False)),
            execution_options={"synchronize_session": False})
        for row in by_tenant.get(me, []):
            row.effective = winners.get(row.rule_id) is row
        for rule_id, row in winners.items():
            if row.tenant_id != me:
                session.add(DocketRuleOverride(
                    tenant_id=me, rule_id=rule_id, body=row.body, yaml=row.yaml,
                    source_tenant_id=row.tenant_id, declared=False, effective=True,
                    updated_by=row.updated_by))
    await session.flush()
