"""Review checks of patent_search: duplicate purchases across the group, watchlist matches
waiting for an assessment, and collections nobody watches."""

from __future__ import annotations

from sqlalchemy import func, select

from ipgov.api import (
    Check,
    CheckContext,
    FindingDraft,
    Function,
    GovernanceDomain,
    Severity,
    current_platform,
    descendants,
)

from .models import Collection, ProcurementItem, Watchlist, WatchlistMatch
from .procurement import find_duplicates, product_key

__all__ = ["CHECKS"]

P = "patent_search."
_RES = GovernanceDomain.RESOURCES


async def duplicate_procurement(ctx: CheckContext) -> list[FindingDraft]:
    """At a group root: products bought by several entities of the group. Below it: a local
    purchase of what an ancestor already buys for the whole group."""
    findings = []
    if ctx.tenant.parent_id is None:
        platform = current_platform()
        subtree = {ctx.tenant_id, *(t.id for t in descendants(platform, ctx.tenant_id)
                                    if t.status == "active")}
        async with ctx.open_session(frozenset(subtree)) as session:
            duplicates = await find_duplicates(session, subtree)
        for dup in duplicates:
            findings.append(ctx.finding(
                key=f"duplicate:{product_key(dup.vendor, dup.product)}",
                title=f"{dup.vendor} {dup.product} is bought by {len(dup.tenant_ids)} entities",
                severity=Severity.MEDIUM,
                evidence={"tenants": dup.tenant_ids,
                          "purchases": [{"tenant_id": i.tenant_id, "cost": str(i.annual_cost),
                                         "currency": i.currency,
                                         "shared_with_group": i.shared_with_group}
                                        for i in dup.items],
                          "avoidable_annual_cost": str(dup.avoidable_cost)},
                object_type="patent_search:procurement", object_id=dup.items[0].id))
        return findings
    async with ctx.lineage_session() as session:
        rows = (await session.execute(select(ProcurementItem))).scalars().all()
    shared = {product_key(r.vendor, r.product): r for r in rows
              if r.tenant_id != ctx.tenant_id and r.shared_with_group}
    for row in rows:
        if row.tenant_id == ctx.tenant_id and product_key(row.vendor, row.product) in shared:
            findings.append(ctx.finding(
                key=f"local-duplicate:{row.id}",
                title=f"{row.vendor} {row.product} is bought locally although the group "
                      "shares it",
                evidence={"local_cost": str(row.annual_cost), "currency": row.currency},
                object_type="patent_search:procurement", object_id=row.id))
    return findings


async def watchlist_matches(ctx: CheckContext) -> list[FindingDraft]:
    """Documents matching a watchlist that nobody has assessed yet."""
    rows = (await ctx.session.execute(
        select(Watchlist, func.count(WatchlistMatch.id))
        .join(WatchlistMatch, WatchlistMatch.watchlist_id == Watchlist.id)
        .where(WatchlistMatch.acknowledged.is_(False))
        .group_by(Watchlist.id).order_by(Watchlist.name))).all()
    findings = []
    for watch, count in rows:
        sample = (await ctx.session.execute(
            select(WatchlistMatch.publication_number).where(
                WatchlistMatch.watchlist_id == watch.id,
                WatchlistMatch.acknowledged.is_(False))
            .order_by(WatchlistMatch.score.desc()).limit(10))).scalars().all()
        findings.append(ctx.finding(
            key=f"watch:{watch.id}",
            title=f"{count} new document(s) match the watchlist {watch.name!r}",
            severity=Severity(watch.severity),
            evidence={"watchlist": watch.name, "direction": watch.direction,
                      "unassessed": count, "top": list(sample)},
            object_type="patent_search:watchlist", object_id=watch.id))
    return findings


async def unwatched_collections(ctx: CheckContext) -> list[FindingDraft]:
    """A tenant that holds patent documents but watches no technology direction."""
    documents = (await ctx.session.execute(
        select(func.coalesce(func.sum(Collection.document_count), 0)))).scalar_one()
    active = (await ctx.session.execute(select(func.count()).select_from(Watchlist).where(
        Watchlist.active.is_(True)))).scalar_one()
    if documents and not active:
        return [ctx.finding(key="no-watchlist",
                            title="Patent collections are held but no technology direction "
                                  "or competitor is watched",
                            evidence={"documents": int(documents)})]
    return []


CHECKS: list[Check] = [
    Check(id=P + "duplicate_procurement", title="Patent databases are bought once per group",
          title_zh="专利数据库在集团内统一采购、不重复采购", domain=_RES, function=Function.GOVERN,
          severity=Severity.MEDIUM, run=duplicate_procurement, seed_ref="7.2 b",
          recommendation="Buy the database once at group level and share it with the "
                         "subsidiaries; end the local contracts at renewal.",
          recommendation_zh="由集团统一采购数据库并共享给各子公司；本地合同到期后不再续签。"),
    Check(id=P + "watchlist_matches", title="New documents in watched directions are assessed",
          title_zh="监控技术方向的新文献均已评估", domain=_RES, function=Function.MONITOR,
          severity=Severity.MEDIUM, run=watchlist_matches, seed_ref="7.3",
          recommendation="Assess each new matching document (relevance, risk, opportunity) "
                         "and acknowledge it.",
          recommendation_zh="逐一评估新匹配的文献（相关性、风险与机会）并予以确认。"),
    Check(id=P + "monitoring_coverage", title="Technology directions are monitored",
          title_zh="技术方向与竞争对手受到持续监控", domain=_RES, function=Function.MONITOR,
          severity=Severity.LOW, run=unwatched_collections, seed_ref="7.3",
          recommendation="Define watchlists for the technology directions and competitors "
                         "that matter to the business.",
          recommendation_zh="为对业务重要的技术方向和竞争对手设立监控清单。"),
]
