"""The procurement register: patent databases and services each entity pays for, and the
duplicate purchases across a group (seed 7.2b: buy once at group level, share downwards)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from .models import ProcurementItem

__all__ = ["Duplicate", "find_duplicates", "product_key"]


def product_key(vendor: str, product: str) -> str:
    """The same database however it is spelt ("EPO  GPI" and "epo gpi" are one product)."""
    def norm(s: str) -> str:
        return " ".join(re.findall(r"\w+", s.lower()))
    return f"{norm(vendor)}|{norm(product)}"


@dataclass
class Duplicate:
    """One product bought more than once in a group."""

    vendor: str
    product: str
    items: list[ProcurementItem] = field(default_factory=list)

    @property
    def total_cost(self) -> Decimal:
        return sum((i.annual_cost for i in self.items), Decimal("0"))

    @property
    def avoidable_cost(self) -> Decimal:
        """What buying once would save: every purchase but the group-shared one (or, with
        none shared, but the most expensive)."""
        shared = [i for i in self.items if i.shared_with_group]
        keep = max(shared or self.items, key=lambda i: i.annual_cost)
        return self.total_cost - keep.annual_cost

    @property
    def tenant_ids(self) -> list[str]:
        return sorted({i.tenant_id for i in self.items})


async def find_duplicates(session: Any, tenant_ids: set[str] | frozenset[str]
                          ) -> list[Duplicate]:
    """Products bought by two or more tenants of ``tenant_ids`` (a session over them),
    costliest first. Items of different currencies are still one product (the cost figures
    are then per currency and the evidence says so)."""
    rows = (await session.execute(select(ProcurementItem).where(
        ProcurementItem.tenant_id.in_(sorted(tenant_ids))).order_by(
        ProcurementItem.tenant_id, ProcurementItem.id))).scalars().all()
    groups: dict[str, list[ProcurementItem]] = defaultdict(list)
    for row in rows:
        groups[product_key(row.vendor, row.product)].append(row)
    out = []
    for items in groups.values():
        if len({i.tenant_id for i in items}) >= 2:
            out.append(Duplicate(items[0].vendor, items[0].product, items))
    return sorted(out, key=lambda d: (-d.avoidable_cost, d.vendor, d.product))
