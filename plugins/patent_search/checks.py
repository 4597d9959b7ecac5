"""Review checks of patent_search: duplicate purchases across the group, watchlist matches
waiting for an assessment, and collections nobody watches."""

from __future__ import annotations

from sqlalchemy import func, select

from ipgov.api import (
    Check,
    CheckContext,
    FindingDraft,
    FindingText,
    Function,
    GovernanceDomain,
    NotAssessed,
    Severity,
    current_platform,
    descendants,
)

from .models import Collection, ProcurementItem, Watchlist, WatchlistMatch
from .procurement import find_duplicates, product_key

__all__ = ["CHECKS"]

P = "patent_search."
_RES = GovernanceDomain.RESOURCES


async def duplicate_procurement(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """At a group root: products bought by several entities of the group. Below it: a local
    purchase of what an ancestor already buys for the whole group."""
    findings = []
    if ctx.tenant.parent_id is None:
        platform = current_platform()
        subtree = {ctx.tenant_id, *(t.id for t in descendants(platform, ctx.tenant_id)
                                    if t.status == "active")}
        if ctx.open_session is None:
            raise RuntimeError("no multi-tenant session available here")
        async with ctx.open_session(frozenset(subtree)) as session:
            purchases = (await session.execute(select(func.count()).select_from(
                ProcurementItem))).scalar_one()
            duplicates = await find_duplicates(session, subtree) if purchases else []
        if not purchases:
            return ctx.not_assessed("no patent database purchase is registered in the group",
                                    "集团内未登记任何专利数据库采购")
        for dup in duplicates:
            findings.append(ctx.finding(
                key=f"duplicate:{product_key(dup.vendor, dup.product)}", text="group",
                severity=Severity.MEDIUM,
                params={"product": f"{dup.vendor} {dup.product}",
                        "entities": len(dup.tenant_ids),
                        "avoidable": str(dup.avoidable_cost)},
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
    if not any(r.tenant_id == ctx.tenant_id for r in rows):
        return ctx.not_applicable("this subsidiary buys no patent database itself",
                                  "本子公司未自行采购专利数据库")
    shared = {product_key(r.vendor, r.product): r for r in rows
              if r.tenant_id != ctx.tenant_id and r.shared_with_group}
    for row in rows:
        if row.tenant_id == ctx.tenant_id and product_key(row.vendor, row.product) in shared:
            findings.append(ctx.finding(
                key=f"local-duplicate:{row.id}", text="local",
                params={"product": f"{row.vendor} {row.product}",
                        "cost": f"{row.annual_cost} {row.currency}"},
                evidence={"local_cost": str(row.annual_cost), "currency": row.currency},
                object_type="patent_search:procurement", object_id=row.id))
    return findings


async def watchlist_matches(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Documents matching a watchlist that nobody has assessed yet."""
    watched = (await ctx.session.execute(select(func.count()).select_from(Watchlist).where(
        Watchlist.active.is_(True)))).scalar_one()
    if not watched:
        return ctx.not_assessed("no active watchlist is defined (see monitoring_coverage)",
                                "未设立有效的监控清单（见“技术方向与竞争对手受到持续监控”检查）")
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
            key=f"watch:{watch.id}", severity=Severity(watch.severity),
            params={"count": count, "watchlist": watch.name,
                    "top": ", ".join(sample[:3]) or "—"},
            evidence={"watchlist": watch.name, "direction": watch.direction,
                      "unassessed": count, "top": list(sample)},
            object_type="patent_search:watchlist", object_id=watch.id))
    return findings


async def unwatched_collections(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """A tenant that holds patent documents but watches no technology direction."""
    documents = (await ctx.session.execute(
        select(func.coalesce(func.sum(Collection.document_count), 0)))).scalar_one()
    if not documents:
        return ctx.not_assessed("the tenant holds no patent collection of its own",
                                "本租户没有自有的专利文献集")
    active = (await ctx.session.execute(select(func.count()).select_from(Watchlist).where(
        Watchlist.active.is_(True)))).scalar_one()
    if not active:
        return [ctx.finding(key="no-watchlist", params={"documents": int(documents)},
                            evidence={"documents": int(documents)})]
    return []


G = "GB/T 29490-2023 "

CHECKS: list[Check] = [
    Check(id=P + "duplicate_procurement", title="Patent databases are bought once per group",
          title_zh="专利数据库在集团内统一采购、不重复采购", domain=_RES, function=Function.GOVERN,
          severity=Severity.MEDIUM, run=duplicate_procurement,
          references=("IP-CSF PR.PS-01", G + "7.1"),
          recommendation="Buy the database once at group level and share it with the "
                         "subsidiaries; end the local contracts at renewal.",
          recommendation_zh="由集团统一采购数据库并共享给各子公司；本地合同到期后不再续签。",
          texts={"group": FindingText(
              "{product} is bought by {entities} entities of the group ({avoidable} a year "
              "avoidable)",
              "集团内有 {entities} 个主体重复采购 {product}（每年可节省 {avoidable}）",
              "Buy {product} once at group level and share it with the subsidiaries; end the "
              "local contracts at renewal.",
              "由集团统一采购 {product} 并共享给各子公司；本地合同到期后不再续签。"),
              "local": FindingText(
              "{product} is bought locally ({cost} a year) although the group shares it",
              "集团已共享 {product}，本公司仍在本地采购（每年 {cost}）",
              "Use the group's {product} and end the local contract at renewal.",
              "改用集团共享的 {product}，本地合同到期后不再续签。")}),
    Check(id=P + "watchlist_matches", title="New documents in watched directions are assessed",
          title_zh="监控技术方向的新文献均已评估", domain=_RES, function=Function.MONITOR,
          severity=Severity.MEDIUM, run=watchlist_matches,
          references=("IP-CSF MO.CI-01", G + "9.1"),
          recommendation="Assess each new matching document (relevance, risk, opportunity) "
                         "and acknowledge it.",
          recommendation_zh="逐一评估新匹配的文献（相关性、风险与机会）并予以确认。",
          texts={"": FindingText(
              "{count} new document(s) match the watchlist '{watchlist}' (top: {top})",
              "有 {count} 篇新文献命中监控清单“{watchlist}”（排名靠前：{top}）",
              "Assess the {count} new documents of '{watchlist}' (relevance, risk, "
              "opportunity) and acknowledge them.",
              "逐一评估“{watchlist}”的 {count} 篇新文献（相关性、风险与机会）并予以确认。")}),
    Check(id=P + "monitoring_coverage", title="Technology directions are monitored",
          title_zh="技术方向与竞争对手受到持续监控", domain=_RES, function=Function.MONITOR,
          severity=Severity.LOW, run=unwatched_collections,
          references=("IP-CSF MO.CI-01", "IP-CSF ID.LS-01", G + "9.1"),
          recommendation="Define watchlists for the technology directions and competitors "
                         "that matter to the business.",
          recommendation_zh="为对业务重要的技术方向和竞争对手设立监控清单。",
          texts={"": FindingText(
              "{documents} patent documents are held but no technology direction or "
              "competitor is watched",
              "持有 {documents} 篇专利文献，但未监控任何技术方向或竞争对手")}),
]
