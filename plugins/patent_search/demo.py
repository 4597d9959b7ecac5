"""Demo data of patent_search: a licensed database bought once by the group and shared (the
technologies of its subsidiaries: semiconductor packaging, medical devices, software and
cloud, industrial automation, neural-network hardware; English, Chinese and Japanese, with CPC
codes and applicants), Semiconductor's research collection and portfolio, procurement with a
duplicate purchase, watchlists with matches — all real published patents
(``demo_data/SOURCES.md``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from ipgov.api import DemoContext, PlatformContext

from .ingest import IngestError, iter_path
from .models import Collection, ProcurementItem, Watchlist, WatchlistMatch
from .store import backend, refresh_count, upsert_records
from .watch import compile_query, record_score

DATA = Path(__file__).parent / "demo_data"
GROUP = "hanwei-group"


async def _collection(demo: DemoContext, tenant: str, name: str, kind: str, shared: bool,
                      files: list[str], source: str) -> Collection:
    tid = demo.tenants[tenant]
    row = Collection(tenant_id=tid, name=name, kind=kind, shared_with_group=shared,
                     source=source, created_by=demo.actor,
                     description=f"Demo: {source}")
    demo.session.add(row)
    await demo.session.flush()
    records = []
    for name_ in files:
        for item in iter_path(DATA / name_):
            if not isinstance(item, IngestError):
                records.append(item)
    await upsert_records(_platform(demo), demo.session, tid, row.id, records)
    await refresh_count(demo.session, row.id)
    row._demo_records = records  # type: ignore[attr-defined]
    return row


def _platform(demo: DemoContext) -> PlatformContext:
    if demo.platform is None:
        raise RuntimeError("the patent demo needs the running platform (DemoContext.platform)")
    return demo.platform


async def load(demo: DemoContext) -> None:
    """Add the demo collections, procurement and watchlists (skipped without the group)."""
    t = demo.tenants
    if GROUP not in t:
        return
    shared = await _collection(
        demo, GROUP, "Group patent database (licensed)", "licensed", True, ["group_database"],
        "USPTO, EPO, CNIPA, JPO, PatentsView and Google Patents records bought once for the "
        "group")
    await _collection(demo, "hanwei-semiconductor", "Semiconductor prior art", "research",
                      False, ["semiconductor_prior_art"],
                      "USPTO weekly grants and a JPO publication on packaging and processing")
    await _collection(demo, "hanwei-semiconductor", "Semiconductor portfolio", "portfolio",
                      False, ["semiconductor_portfolio"], "WIPO ST.96 publication")
    items = [
        (GROUP, "EPO", "Global Patent Index", Decimal("180000"), True, ["EP", "WO", "US", "CN"]),
        (GROUP, "The Lens", "Lens institutional", Decimal("60000"), True, ["WO", "US", "EP"]),
        ("hanwei-medical", "EPO", "Global Patent Index", Decimal("95000"), False, ["EP"]),
        ("hanwei-semiconductor", "CNIPA", "Patent search and analysis", Decimal("40000"),
         False, ["CN"]),
        ("hanwei-industrial", "CNIPA", "Patent Search and Analysis", Decimal("38000"), False,
         ["CN"]),
    ]
    for slug, vendor, product, cost, is_shared, coverage in items:
        demo.session.add(ProcurementItem(
            tenant_id=t[slug], vendor=vendor, product=product, annual_cost=cost,
            currency="CNY", shared_with_group=is_shared, coverage=coverage,
            contract_start=date(2026, 1, 1), contract_end=date(2026, 12, 31)))
    watches = [
        ("hanwei-semiconductor", "Neural network accelerators", "AI hardware", [],
         ["neural network", "neuron"], [], "high"),
        ("hanwei-semiconductor", "Bonding and packaging", "3D stacking", ["H01L21", "H01L23",
         "H01L24", "H05K"], [], [], "medium"),
        ("hanwei-medical", "Diagnostic and surgical devices", "Monitoring and implants",
         ["A61B", "A61N"], [], [], "medium"),
        ("hanwei-software", "Competitor: IBM", "Competitors", [], [],
         ["International Business Machines"], "medium"),
        ("hanwei-industrial", "Robot and process control", "Industrial automation",
         ["B25J", "G05B"], [], [], "medium"),
    ]
    for slug, name, direction, cpc, keywords, assignees, severity in watches:
        watch = Watchlist(tenant_id=t[slug], name=name, direction=direction, cpc=cpc,
                          keywords=keywords, assignees=assignees, severity=severity,
                          query=compile_query(cpc, keywords, assignees),
                          created_by=demo.actor)
        demo.session.add(watch)
        await demo.session.flush()
        for record in shared._demo_records:  # type: ignore[attr-defined]
            score = record_score(watch, record)
            if score is not None:
                demo.session.add(WatchlistMatch(
                    tenant_id=t[slug], watchlist_id=watch.id, collection_id=shared.id,
                    publication_number=record.publication_number, title=record.title[:1000],
                    score=score))
    backend(_platform(demo)).refresh()
