"""Technology directions and watchlists: newly ingested documents that match raise matches,
and a ``patent_search.watchlist_match`` event asks for a Monitor review.

A watchlist has structured criteria — CPC prefixes, keywords, competitor assignees — each a
list matched with OR, the lists combined with AND (a direction is "these classes AND these
words"; a competitor watch is "these assignees"). Structured criteria are evaluated on the
records as they are ingested (exact, no index round trip); a watchlist with only a free query
asks the search engine, restricted to the batch's documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ipgov.api import InvalidInput, PlatformContext, descendants, tenant_info

from .events import WATCHLIST_MATCHED
from .ingest.model import PatentRecord
from .models import Collection, Watchlist, WatchlistMatch

__all__ = ["compile_query", "match_batch", "record_matches", "record_score", "validate_criteria"]

_WORD = re.compile(r"\w+", re.UNICODE)


def _norm_cpc(symbol: str) -> str:
    return re.sub(r"\s+", "", symbol).upper()


def validate_criteria(cpc: list[str], keywords: list[str], assignees: list[str],
                      query: str) -> None:
    """Refuse an empty watchlist or a malformed criterion, naming the field."""
    if not (cpc or keywords or assignees or query.strip()):
        raise InvalidInput("a watchlist needs CPC codes, keywords, assignees or a query",
                           field="cpc")
    for i, symbol in enumerate(cpc):
        if not re.fullmatch(r"[A-HY](\d{2}([A-Z](\d{1,4}(/\d{0,6})?)?)?)?", _norm_cpc(symbol)):
            raise InvalidInput(f"{symbol!r} is not a CPC symbol or prefix (e.g. G06N, G06N3/08)",
                               field=f"cpc[{i}]")
    for name, values in (("keywords", keywords), ("assignees", assignees)):
        for i, value in enumerate(values):
            if not value.strip() or len(value) > 200:
                raise InvalidInput("must be 1 to 200 characters", field=f"{name}[{i}]")
    if len(cpc) + len(keywords) + len(assignees) > 40:
        raise InvalidInput("at most 40 criteria per watchlist", field="keywords")


def compile_query(cpc: list[str], keywords: list[str], assignees: list[str]) -> str:
    """The search query equivalent to the structured criteria (shown to users, used for
    landscapes of a direction)."""
    parts = []
    if cpc:
        parts.append("(" + " OR ".join(f"cpc:{_norm_cpc(c)}" for c in cpc) + ")")
    if keywords:
        parts.append("(" + " OR ".join(f'"{k}"' for k in keywords) + ")")
    if assignees:
        parts.append("(" + " OR ".join(f'assignee:"{a}"' for a in assignees) + ")")
    return " AND ".join(parts)


def _contains_words(text: str, phrase: str) -> bool:
    words = [w.lower() for w in _WORD.findall(phrase)]
    if not words:
        return False
    if any(not w.isascii() for w in words):  # Chinese and other scripts: substring match
        return phrase.lower() in text.lower()
    return re.search(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", text,
                     re.IGNORECASE) is not None


def record_score(watch: Watchlist, record: PatentRecord) -> float | None:
    """How well a record meets a watchlist's structured criteria; None when it does not."""
    score = 0.0
    if watch.cpc:
        codes = [_norm_cpc(c) for c in record.cpc + record.ipc]
        hits = [p for p in watch.cpc if any(c.startswith(_norm_cpc(p)) for c in codes)]
        if not hits:
            return None
        score += len(hits)
    if watch.keywords:
        text = " ".join([record.title, record.abstract, *record.claims[:5]])
        hits = [k for k in watch.keywords if _contains_words(text, k)]
        if not hits:
            return None
        score += len(hits)
    if watch.assignees:
        names = " | ".join(record.assignees + record.applicants)
        hits = [a for a in watch.assignees if _contains_words(names, a)]
        if not hits:
            return None
        score += 2 * len(hits)
    return score if (watch.cpc or watch.keywords or watch.assignees) else None


def _watching_tenants(platform: PlatformContext, collection: Collection) -> list[str]:
    owner = collection.tenant_id
    tenants = [owner]
    if collection.shared_with_group:
        tenants += [t.id for t in descendants(platform, owner)]
    out = []
    for tenant_id in tenants:
        info = tenant_info(platform, tenant_id)
        if info and info.status == "active" and "patent_search" in info.enabled_plugins:
            out.append(tenant_id)
    return out


async def match_batch(platform: PlatformContext, collection: Collection,
                      records: Iterable[PatentRecord], changed_keys: set[str]) -> dict[str, int]:
    """Record the matches of newly ingested or changed records for every tenant that watches
    the collection; returns new matches per tenant."""
    from .store import backend

    records = [r for r in records
               if f"{collection.id}:{r.publication_number}" in changed_keys]
    if not records:
        return {}
    new: dict[str, int] = {}
    numbers = [r.publication_number for r in records]
    for tenant_id in _watching_tenants(platform, collection):
        async with platform.tenant_session(tenant_id) as session:
            watches = (await session.execute(select(Watchlist).where(
                Watchlist.active.is_(True)))).scalars().all()
            if not watches:
                continue
            seen = {(m.watchlist_id, m.publication_number) for m in (await session.execute(
                select(WatchlistMatch).where(
                    WatchlistMatch.collection_id == collection.id,
                    WatchlistMatch.publication_number.in_(numbers)))).scalars()}
            for watch in watches:
                found: list[tuple[PatentRecord, float]] = []
                if watch.cpc or watch.keywords or watch.assignees:
                    for record in records:
                        score = record_score(watch, record)
                        if score is not None:
                            found.append((record, score))
                elif watch.query:
                    found = _query_matches(backend(platform), watch.query, collection.id,
                                           records)
                for record, score in found:
                    if (watch.id, record.publication_number) in seen:
                        continue
                    session.add(WatchlistMatch(
                        tenant_id=tenant_id, watchlist_id=watch.id,
                        collection_id=collection.id,
                        publication_number=record.publication_number,
                        title=record.title[:1000], score=float(score)))
                    seen.add((watch.id, record.publication_number))
                    new[tenant_id] = new.get(tenant_id, 0) + 1
    return new


def _query_matches(engine: Any, query: str, collection_id: str,
                   records: list[PatentRecord]) -> list[tuple[PatentRecord, float]]:
    from .search import SearchRequest

    wanted = {r.publication_number: r for r in records}
    engine.refresh()
    page = engine.search(SearchRequest(query=query, collection_ids=frozenset({collection_id}),
                                       limit=100, highlight=False))
    out, seen = [], 0
    while True:
        for hit in page.hits:
            if hit.publication_number in wanted:
                out.append((wanted[hit.publication_number], hit.score))
        seen += len(page.hits)
        if not page.next_cursor or seen >= 1000:
            return out
        page = engine.search(SearchRequest(query=query, collection_ids=frozenset({collection_id}),
                                           limit=100, highlight=False, cursor=page.next_cursor))


async def record_matches(platform: PlatformContext, job_id: str, new_matches: dict[str, int],
                         actor: str) -> list[str]:
    """One ``patent_search.watchlist.matched`` event per tenant with new matches (once per
    job: a rerun of the job records nothing new); the tenants whose event was recorded. The
    event consumers notify, and ask ``should_review_on`` (this plugin asks for a Monitor
    review)."""
    recorded = []
    for tenant_id, count in sorted(new_matches.items()):
        async with platform.tenant_session(tenant_id) as session:
            event = await platform.record_event(
                session, tenant_id=tenant_id, type=WATCHLIST_MATCHED, actor=actor,
                object_id=job_id, idempotency_key=f"watchlist:{job_id}",
                payload={"tenant_id": tenant_id, "job_id": job_id, "matches": count})
        if event is not None:
            recorded.append(tenant_id)
    return recorded
