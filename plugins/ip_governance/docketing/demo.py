"""Demo docket of the Hanwei group (``ipgov demo``): the register's assets get their computed
deadlines, the group records exchange rates for the five-year forecast per subsidiary, and
Hanwei Semiconductor has a CN invention whose annuity was missed two months ago and is now in
its grace period (the review's ``fee_unpaid_in_grace`` finding)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ipgov.api import DemoContext, new_id, utcnow

from ..risk_assets.models import IpAsset
from .models import ExchangeRate
from .services import recompute_tenant
from .timelimits import add_years

__all__ = ["demo"]

RATES = {"USD": "7.10", "EUR": "7.70", "JPY": "0.047", "KRW": "0.0051"}  # to CNY, demo values


async def demo(demo: DemoContext) -> None:
    """Add the in-grace annuity, the group's rates, and compute every demo tenant's docket."""
    today = utcnow().date()
    semi = demo.tenants.get("hanwei-semiconductor")
    group = demo.tenants.get("hanwei-group")
    if semi:
        filed = add_years(today - timedelta(days=60), -6)
        number = f"{filed.year}1{filed.strftime('%m%d')}0042.7"
        exists = (await demo.session.execute(select(IpAsset.id).where(
            IpAsset.tenant_id == semi, IpAsset.application_number == number))).first()
        if not exists:
            demo.session.add(IpAsset(
                id=new_id(), tenant_id=semi, kind="patent", jurisdiction="CN",
                title="Low-temperature hybrid bonding of stacked dies", status="granted",
                application_number=number, family_id="HW-SEMI-BOND", owner="Chen Jing",
                value_tier="A", filing_date=filed, grant_date=add_years(filed, 2),
                source="manual"))
    if group:
        for currency, rate in RATES.items():
            demo.session.add(ExchangeRate(tenant_id=group, currency=currency,
                                          reporting_currency="CNY", rate=Decimal(rate),
                                          as_of=today))
    await demo.session.flush()
    for tenant_id in demo.tenants.values():
        await recompute_tenant(demo.session, tenant_id, today)
