"""GraphQL of docketing: the rules in effect for a tenant, its overrides (set and withdrawn,
reaching its subsidiaries by governance mode), recomputing the docket, exchange rates, and the
cost forecast (rolled up the group tree within the caller's read rights, with a CSV export).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from ipgov.api import (
    DomainError,
    FieldErrors,
    InvalidInput,
    UserError,
    check_permission,
    descendants,
    mutate,
    requires,
    tenant_info,
    utcnow,
)

from ..risk_assets.appetite import chain_from_platform
from ..risk_assets.models import IpAsset
from . import services
from .forecast import MAX_YEARS, fee_lines, roll_up, to_csv
from .models import DocketRuleOverride, ExchangeRate
from .rules import Rule, RuleSet

ID = strawberry.ID
DOCKET = "ip_governance:docket"
MAX_PAGE, MAX_ROWS = 500, 5000
CURRENCY = re.compile(r"^[A-Z]{3}$")


@strawberry.type(description="One docketing rule in effect, with its source.")
class DocketRuleType:
    id: str
    jurisdiction: str
    kinds: list[str]
    event: str
    source_title: str
    source_url: str
    cite: str
    origin: str = strawberry.field(description="shipped, or the id of the tenant whose "
                                               "override this is")
    fee_currency: str | None


@strawberry.type(description="A page of rules (at most 500).")
class DocketRulePage:
    total: int
    items: list[DocketRuleType]


@strawberry.type(description="The override stored and how many deadlines changed, or why "
                             "nothing changed.")
class DocketOverridePayload:
    rule: DocketRuleType | None = None
    recomputed: int | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="What recomputing changed, or why nothing did.")
class DocketRecomputePayload:
    created: int | None = None
    updated: int | None = None
    removed: int | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="An exchange rate the tenant recorded.")
class ExchangeRateType:
    currency: str
    reporting_currency: str
    rate: Decimal
    as_of: date


@strawberry.type(description="The rate stored, or why not.")
class ExchangeRatePayload:
    rate: ExchangeRateType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Official fees of one entity (tenant, family or asset) in one "
                             "year and currency; reportingAmount is null without a rate.")
class ForecastRow:
    key: str
    name: str
    year: int
    currency: str
    amount: Decimal
    reporting_amount: Decimal | None
    unchecked_amount: Decimal = strawberry.field(description=(
        "The part of amount whose fee schedule was not yet checked against the office's own "
        "current list (from the cited source only): 0 when every amount was checked."))


@strawberry.type(description="The cost forecast: rows, the currencies without a recorded "
                             "rate, and the same rows as CSV.")
class DocketForecast:
    reporting_currency: str
    by: str
    tenant_ids: list[ID]
    rows: list[ForecastRow]
    truncated: bool
    missing_rates: list[str]
    csv: str


def rule_node(rule: Rule, rules: RuleSet) -> DocketRuleType:
    """The GraphQL view of a rule."""
    source = rules.sources.get(rule.source, {})
    return DocketRuleType(
        id=rule.id, jurisdiction=rule.jurisdiction, kinds=list(rule.kinds), event=rule.event,
        source_title=str(source.get("title", "")), source_url=str(source.get("url", "")),
        cite=rule.cite, origin=rule.origin, fee_currency=rule.fees[0].currency if rule.fees
        else None)


def _check_forecast(years: int, reporting: str, by: str) -> None:
    errors = FieldErrors()
    if not 1 <= years <= MAX_YEARS:
        errors.add(InvalidInput(f"a forecast covers 1 to {MAX_YEARS} years", code="OUT_OF_RANGE",
                                field="years"))
    if not CURRENCY.match(reporting):
        errors.add(InvalidInput("an ISO 4217 code such as CNY", code="INVALID_CURRENCY",
                                field="reportingCurrency"))
    if by not in ("tenant", "family", "asset"):
        errors.add(InvalidInput("tenant, family or asset", code="INVALID_CHOICE", field="by"))
    errors.raise_if_any()


def _readable(info: Info, tenant_id: str, subsidiaries: bool) -> list[str]:
    """The tenant and, when asked, each subsidiary whose docket the caller may read."""
    ids = [tenant_id]
    if subsidiaries:
        for sub in descendants(info.context.platform, tenant_id):
            try:
                check_permission(info, sub.id, DOCKET, "read")
            except DomainError:
                continue
            ids.append(sub.id)
    return ids


async def _forecast(info: Info, tenant_id: str, years: int, reporting: str, by: str,
                    subsidiaries: bool) -> DocketForecast:
    _check_forecast(years, reporting, by)
    ids = _readable(info, tenant_id, subsidiaries)
    platform = info.context.platform
    async with info.context.multi_session(set(ids), "ip_governance: docket forecast") as s:
        rules = {t: await services.effective_rules(s, t) for t in ids}
        assets = (await s.execute(select(IpAsset).where(IpAsset.tenant_id.in_(ids))
                                  .order_by(IpAsset.id))).scalars().all()
        rates = {r.currency: r.rate for r in (await s.execute(select(ExchangeRate).where(
            ExchangeRate.reporting_currency == reporting,
            ExchangeRate.tenant_id == tenant_id))).scalars()}
    lines = fee_lines(((a.tenant_id, a.family_id or a.id, services.facts(a)) for a in assets),
                      rules, utcnow().date(), years, reporting, rates)
    names = {t: getattr(tenant_info(platform, t), "name", t) for t in ids}
    names.update({a.id: a.title[:120] for a in assets} if by == "asset" else {})
    rows = roll_up(lines, by)
    missing = sorted({line.currency for line in lines if line.reporting_amount is None})
    return DocketForecast(
        reporting_currency=reporting, by=by, tenant_ids=[ID(t) for t in ids],
        rows=[ForecastRow(key=r.key, name=names.get(r.key, r.key), year=r.year,
                          currency=r.currency, amount=r.amount,
                          reporting_amount=r.reporting_amount,
                          unchecked_amount=r.unchecked) for r in rows[:MAX_ROWS]],
        truncated=len(rows) > MAX_ROWS, missing_rates=missing,
        csv=to_csv(rows[:MAX_ROWS], names, reporting))


@strawberry.type
class DocketQuery:
    @strawberry.field(description="The docketing rules in effect for the tenant (shipped, "
                                  "with its overrides), optionally of one jurisdiction.",
                      extensions=requires(DOCKET, "read"))
    async def docket_rules(self, info: Info, tenant_id: ID, jurisdiction: str | None = None,
                           first: int = 100, offset: int = 0) -> DocketRulePage:
        async with info.context.session(str(tenant_id)) as s:
            rules = await services.effective_rules(s, str(tenant_id))
        chosen = [r for r in sorted(rules.rules.values(), key=lambda r: r.id)
                  if jurisdiction is None or r.jurisdiction == jurisdiction.upper()]
        first, offset = max(0, min(first, MAX_PAGE)), max(0, offset)
        return DocketRulePage(total=len(chosen), items=[
            rule_node(r, rules) for r in chosen[offset:offset + first]])

    @strawberry.field(description="Official fees falling due in the next 1-10 calendar years "
                                  "per tenant, family or asset, in each fee's currency and "
                                  "the reporting currency at the rates each tenant recorded; "
                                  "with subsidiaries, only those whose docket you may read.",
                      extensions=requires(DOCKET, "read"))
    async def docket_forecast(self, info: Info, tenant_id: ID, years: int = 5,
                              reporting_currency: str = "CNY", by: str = "tenant",
                              include_subsidiaries: bool = True) -> DocketForecast:
        return await _forecast(info, str(tenant_id), years, reporting_currency.upper(), by,
                               include_subsidiaries)


def _scope(info: Info, tenant_id: str) -> tuple[set[str], list[Any]]:
    """The tenants an override of ``tenant_id`` reaches and each one's lineage chain."""
    platform = info.context.platform
    reached = [tenant_id, *(t.id for t in descendants(platform, tenant_id))]
    chains = [chain_from_platform(platform, t) for t in reached]
    return {link.tenant_id for chain in chains for link in chain}, chains


async def _propagate(session: AsyncSession, chains: list[Any], scope: services.Scope) -> int:
    """Materialise the overrides down the tree and recompute the assets the change touches
    (the old and new rule's jurisdictions and kinds, and the shipped rule's of that id)."""
    await services.materialise(session, chains)
    today, changed = utcnow().date(), 0
    for chain in chains:
        counts = await services.recompute_tenant(session, chain[0].tenant_id, today, scope)
        changed += sum(counts.values())
    return changed


@strawberry.type
class DocketMutation:
    @strawberry.mutation(description="Add or replace a docketing rule for the tenant's own "
                                     "practice (one rule in ipgov-docket/1 YAML); it reaches "
                                     "subsidiaries by governance mode and their dockets are "
                                     "recomputed.",
                         extensions=requires(DOCKET, "override"))
    async def set_docket_rule_override(self, info: Info, tenant_id: ID, yaml: str
                                       ) -> DocketOverridePayload:
        ids, chains = _scope(info, str(tenant_id))

        async def work(s: AsyncSession) -> dict[str, Any]:
            scope = services.Scope()
            rule = await services.declare_override(s, str(tenant_id), yaml,
                                                   info.context.require_principal().subject,
                                                   scope)
            changed = await _propagate(s, chains, scope)
            return {"rule": rule_node(rule, await services.effective_rules(s, str(tenant_id))),
                    "recomputed": changed}

        return await mutate(
            info, str(tenant_id), DocketOverridePayload, None, work,
            action="ip_governance.docket.override_set", object_type=DOCKET,
            object_id=lambda r: r["rule"].id, details=lambda r: {"recomputed": r["recomputed"]},
            session=lambda: info.context.multi_session(ids, "ip_governance: docket override"))

    @strawberry.mutation(description="Withdraw the tenant's own override of a rule.",
                         extensions=requires(DOCKET, "override"))
    async def remove_docket_rule_override(self, info: Info, tenant_id: ID, rule_id: str
                                          ) -> DocketOverridePayload:
        ids, chains = _scope(info, str(tenant_id))

        async def work(s: AsyncSession) -> dict[str, Any]:
            scope = services.Scope()
            await services.remove_override(s, str(tenant_id), rule_id, scope)
            return {"rule": None, "recomputed": await _propagate(s, chains, scope)}

        return await mutate(
            info, str(tenant_id), DocketOverridePayload, None, work,
            action="ip_governance.docket.override_removed", object_type=DOCKET,
            object_id=lambda _: rule_id, details=lambda r: {"recomputed": r["recomputed"]},
            session=lambda: info.context.multi_session(ids, "ip_governance: docket override"))

    @strawberry.mutation(description="Take up the overrides the tenant inherits now (e.g. "
                                     "after joining a group) and recompute its docket.",
                         extensions=requires(DOCKET, "recompute"))
    async def recompute_docket(self, info: Info, tenant_id: ID) -> DocketRecomputePayload:
        chain = chain_from_platform(info.context.platform, str(tenant_id))
        ids = {link.tenant_id for link in chain}

        async def work(s: AsyncSession) -> dict[str, int]:
            await services.materialise(s, [chain])
            return await services.recompute_tenant(s, str(tenant_id), utcnow().date())

        return await mutate(
            info, str(tenant_id), DocketRecomputePayload, None, work,
            action="ip_governance.docket.recomputed", object_type=DOCKET,
            object_id=lambda _: "", details=lambda counts: counts,
            session=lambda: info.context.multi_session(ids, "ip_governance: docket recompute"))

    @strawberry.mutation(description="Record the value of one unit of a currency in the "
                                     "reporting currency (for the cost forecast); asOf "
                                     "defaults to today.",
                         extensions=requires(DOCKET, "set_rates"))
    async def set_exchange_rate(self, info: Info, tenant_id: ID, currency: str,
                                reporting_currency: str, rate: Decimal | None = None,
                                as_of: date | None = None) -> ExchangeRatePayload:
        async def work(s: AsyncSession) -> ExchangeRateType:
            if rate is None:
                raise InvalidInput("give the rate", code="REQUIRED", field="rate")
            day = as_of or utcnow().date()
            errors = FieldErrors()
            for name, value in (("currency", currency), ("reportingCurrency",
                                                         reporting_currency)):
                if not CURRENCY.match(value):
                    errors.add(InvalidInput("an ISO 4217 code such as EUR",
                                            code="INVALID_CURRENCY", field=name))
            if not Decimal("0.00000001") <= rate <= Decimal(1_000_000):
                errors.add(InvalidInput("a rate from 0.00000001 to 1,000,000",
                                        code="OUT_OF_RANGE", field="rate"))
            errors.raise_if_any()
            row = (await s.execute(select(ExchangeRate).where(
                ExchangeRate.currency == currency,
                ExchangeRate.reporting_currency == reporting_currency))).scalar_one_or_none()
            if row is None:
                row = ExchangeRate(currency=currency, reporting_currency=reporting_currency)
                s.add(row)
            row.rate, row.as_of = rate, day
            await s.flush()
            return ExchangeRateType(currency=currency, reporting_currency=reporting_currency,
                                    rate=rate, as_of=day)

        return await mutate(info, str(tenant_id), ExchangeRatePayload, "rate", work,
                            action="ip_governance.docket.rate_set", object_type=DOCKET,
                            object_id=lambda r: f"{r.currency}/{r.reporting_currency}")


__all__ = ["DocketMutation", "DocketQuery", "DocketRuleOverride"]
