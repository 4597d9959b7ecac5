"""Cost forecast: the official fees the docket rules say an asset, a family, a subsidiary and
a group will pay in each of the next years, in the fee's currency and a reporting currency
at the rates the tenant recorded. Pure functions; the caller reads assets and rates."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .compute import AssetFacts, compute_docket
from .rules import RuleSet
from .timelimits import add_years

__all__ = ["FeeLine", "MAX_YEARS", "Total", "fee_lines", "roll_up", "to_csv"]

MAX_YEARS = 10


@dataclass(frozen=True)
class FeeLine:
    """One official fee falling due: whose, when, how much."""

    tenant_id: str
    asset_id: str
    family_id: str
    year: int
    rule_id: str
    due_on: date
    currency: str
    amount: Decimal
    reporting_amount: Decimal | None
    checked: bool = False  # the amount was checked against the office's own list


def fee_lines(assets: Iterable[tuple[str, str, AssetFacts]], rules_by_tenant: dict[str, RuleSet],
              today: date, years: int, reporting: str,
              rates: dict[str, Decimal]) -> list[FeeLine]:
    """Every fee of ``assets`` (tenant id, family id, facts) due from ``today`` to the end of
    the ``years``-th calendar year; ``rates`` maps a currency to its value in ``reporting``
    (the rates of the tenant asking, applied to its whole tree)."""
    end = date(add_years(today, years).year - 1, 12, 31) if years else today
    out = []
    for tenant_id, family, asset in assets:
        for entry in compute_docket(asset, rules_by_tenant[tenant_id], start=today, end=end):
            if entry.fee is None or entry.due_on < today:
                continue
            rate = Decimal(1) if entry.currency == reporting else rates.get(entry.currency)
            out.append(FeeLine(tenant_id, asset.id, family, entry.due_on.year, entry.rule_id,
                               entry.due_on, entry.currency, entry.fee,
                               None if rate is None else (entry.fee * rate).quantize(
                                   Decimal("0.01")), entry.fee_checked))
    return out


@dataclass(frozen=True)
class Total:
    """Fees of one entity in one year and currency."""

    key: str
    year: int
    currency: str
    amount: Decimal
    reporting_amount: Decimal | None
    unchecked: Decimal = Decimal(0)  # the part of ``amount`` not checked with the office


def roll_up(lines: Iterable[FeeLine], by: str) -> list[Total]:
    """Totals per (``by`` = tenant | family | asset, year, currency), sorted."""
    totals: dict[tuple[str, int, str], list[Decimal | None]] = defaultdict(
        lambda: [Decimal(0), Decimal(0), Decimal(0)])
    attr = {"tenant": "tenant_id", "family": "family_id", "asset": "asset_id"}[by]
    for line in lines:
        cell = totals[(getattr(line, attr), line.year, line.currency)]
        cell[0] = (cell[0] or Decimal(0)) + line.amount
        if not line.checked:
            cell[2] = (cell[2] or Decimal(0)) + line.amount
        if line.reporting_amount is None or cell[1] is None:
            cell[1] = None
        else:
            cell[1] += line.reporting_amount
    return [Total(key, year, currency, amount or Decimal(0), reported, unchecked or Decimal(0))
            for (key, year, currency), (amount, reported, unchecked) in sorted(totals.items())]


def _cell(text: str) -> str:
    """A name that a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: list[Total], names: dict[str, str], reporting: str) -> str:
    """The roll-up as CSV (``names`` turns keys into readable names)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["entity", "year", "currency", "amount", f"amount_{reporting}",
                     "amount_not_checked_with_office"])
    for row in rows:
        writer.writerow([_cell(names.get(row.key, row.key)), row.year, row.currency, row.amount,
                         "" if row.reporting_amount is None else row.reporting_amount,
                         row.unchecked])
    return buffer.getvalue()
