"""Data for bench/patents.py: the real records, the recombined corpus, the quality judgments.

Everything here is read from ``/work/shared/data/patents`` (see its SOURCES.md) through the
plugin's own parsers (``patent_search.ingest.iter_path``). The speed corpus recombines real
titles, abstract sentences, assignees, inventors and CPC symbols with a seeded RNG, streamed in
batches so a million documents are never held in memory.
"""

from __future__ import annotations

import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from patent_search.ingest import iter_path  # noqa: E402
from patent_search.ingest.model import IngestError, PatentRecord  # noqa: E402
from patent_search.search.model import IndexDoc  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "patents"
SHARED_COLLECTION = "group-shared"
TENANT_COLLECTIONS = tuple(f"tenant-{i:02d}" for i in range(49))
_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z(])")
_WORD = re.compile(r"[A-Za-z]{4,}")
STOPWORDS = frozenset(
    """also apparatus being between comprising device each first from further having into least
    method more other said second such than that their there these this which wherein with within
    system""".split()  # noqa: SIM905 - a word list reads better as text
)


def read_records(*paths: Path) -> tuple[list[PatentRecord], list[IngestError]]:
    """Every record (and every error) the ingest parsers yield for ``paths``."""
    records: list[PatentRecord] = []
    errors: list[IngestError] = []
    for path in paths:
        for item in iter_path(path):
            (errors if isinstance(item, IngestError) else records).append(item)
    return records, errors


@dataclass
class Pools:
    """Real pieces the corpus is recombined from."""

    titles: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    inventors: list[str] = field(default_factory=list)
    cpc: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        """One line: how many real pieces of each kind, from which sources."""
        parts = ", ".join(f"{n:,} {name}" for name, n in self.sources.items())
        return (
            f"{len(self.titles):,} titles, {len(self.sentences):,} abstract/claim sentences, "
            f"{len(self.assignees):,} assignees, {len(self.inventors):,} inventors, "
            f"{len(self.cpc):,} CPC symbols from {parts}"
        )


def load_pools() -> Pools:
    """Collect the unique pieces of PatentsView, Google Patents, Lens and US full-text records."""
    pools, seen = Pools(), defaultdict(set)
    sources = {
        "PatentsView": DATA / "csv" / "patentsview_query",
        "Google Patents": DATA / "csv" / "google_patents_export",
        "Lens": DATA / "lens",
        "USPTO full text": DATA / "us-xml" / "weekly-bulk-excerpts",
    }
    for name, path in sources.items():
        records, _errors = read_records(path)
        pools.sources[f"{name} records"] = len(records)
        for rec in records:
            _add(pools.titles, seen["t"], [rec.title.strip()])
            _add(pools.sentences, seen["s"], _SENTENCE.split(rec.abstract))
            _add(pools.sentences, seen["s"], [c for c in rec.claims[:1] if len(c) < 600])
            _add(pools.assignees, seen["a"], rec.assignees or rec.applicants)
            _add(pools.inventors, seen["i"], rec.inventors)
            _add(pools.cpc, seen["c"], rec.cpc)
            pools.countries.append(rec.country)
    return pools


def _add(pool: list[str], seen: set[str], items: list[str]) -> None:
    for item in items:
        item = item.strip()
        if len(item) > 3 and item not in seen:
            seen.add(item)
            pool.append(item)


def collection_of(rng: random.Random) -> str:
    """Half the corpus is the group's shared collection, the rest 49 tenants' (~1% each)."""
    return SHARED_COLLECTION if rng.random() < 0.5 else rng.choice(TENANT_COLLECTIONS)


def corpus(
    pools: Pools, count: int, seed: int = 2026, batch: int = 5_000
) -> Iterator[list[IndexDoc]]:
    """``count`` recombined documents in batches; the same seed yields the same corpus."""
    rng = random.Random(seed)
    start = date(1976, 1, 6)
    for first in range(0, count, batch):
        docs = []
        for n in range(first, min(count, first + batch)):
            sentences = rng.sample(pools.sentences, rng.randint(3, 6))
            record = PatentRecord(
                publication_number=f"US-{20_000_000 + n}-B2",
                country=rng.choice(pools.countries),
                doc_number=str(20_000_000 + n),
                kind="B2",
                title=rng.choice(pools.titles),
                abstract=" ".join(sentences[:-1]),
                claims=[f"1. {sentences[-1]}"],
                publication_date=start + timedelta(days=rng.randrange(17_500)),
                assignees=[rng.choice(pools.assignees)],
                inventors=rng.sample(pools.inventors, rng.randint(1, 3)),
                cpc=rng.sample(pools.cpc, rng.randint(1, 4)),
            )
            docs.append(IndexDoc.of("tenant", collection_of(rng), record))
        yield docs


def co_occurring_terms(pools: Pools, rng: random.Random, size: int, allowed: set[str]) -> list[str]:
    """``size`` distinct words of one real sentence, all in ``allowed`` (mid/common terms)."""
    for _ in range(10_000):
        words = [w.lower() for w in _WORD.findall(rng.choice(pools.sentences))]
        words = list(dict.fromkeys(w for w in words if w in allowed))
        if len(words) >= size:
            return rng.sample(words, size)
    raise RuntimeError(f"no sentence has {size} words in the allowed band")


def phrases(pools: Pools, rng: random.Random, count: int, allowed: set[str]) -> list[str]:
    """Adjacent word pairs of real sentences (``neural network``), both words in ``allowed``."""
    found: list[str] = []
    while len(found) < count:
        words = rng.choice(pools.sentences).lower().split()
        for a, b in zip(words, words[1:], strict=False):
            if a in allowed and b in allowed and a != b:
                found.append(f"{a} {b}")
                break
    return found


def content_words(text: str, limit: int = 50) -> list[str]:
    """Distinct informative words of a text, for OR-queries (the query language's clause cap)."""
    words = (w.lower() for w in _WORD.findall(text))
    return list(dict.fromkeys(w for w in words if w not in STOPWORDS))[:limit]


@dataclass
class Judged:
    """A quality set: the documents, and per query (text, graded relevance per key)."""

    name: str
    label: str  # short, for summary rows
    docs: list[IndexDoc]
    queries: list[tuple[str, str, dict[str, int]]]  # (query key, query text, {key: grade})


def lens_families() -> Judged:
    """Lens documents; a document's title is the query, documents sharing a priority are relevant.

    The Lens parser's ``family_id`` joins a document's active priority filings with ``+``.
    """
    records, _errors = read_records(DATA / "lens")
    unique = {r.publication_number: r for r in records}
    docs = [IndexDoc.of("tenant", "lens", r) for r in unique.values()]
    priorities = {d.key: set(filter(None, d.record.family_id.split("+"))) for d in docs}
    by_priority: dict[str, set[str]] = defaultdict(set)
    for key, keys in priorities.items():
        for priority in keys:
            by_priority[priority].add(key)
    queries = []
    for doc in docs:
        related = set().union(*(by_priority[p] for p in priorities[doc.key])) - {doc.key}
        if related and doc.record.title.strip():
            queries.append((doc.key, doc.record.title, dict.fromkeys(sorted(related), 1)))
    return Judged("Lens, shared priority (query: title)", "Lens priority", docs, queries)


def classes_of(record: PatentRecord) -> list[str]:
    """CPC symbols, or IPC where the grant has none (grants before 2013 carry IPC only)."""
    return record.cpc or record.ipc


def cpc_overlap(query_field: str) -> Judged:
    """US full-text grants; same main group = 2, same subclass = 1 (CPC, else IPC)."""
    records, _errors = read_records(DATA / "us-xml")
    unique = {r.publication_number: r for r in records if classes_of(r) and r.claims and r.abstract}
    docs = [IndexDoc.of("tenant", "grants", r) for r in unique.values()]
    groups = {d.key: {c.split("/")[0] for c in classes_of(d.record)} for d in docs}
    subclasses = {d.key: {c[:4] for c in classes_of(d.record)} for d in docs}
    queries = []
    for doc in docs:
        grades = {}
        for other in docs:
            if other.key != doc.key:
                if groups[doc.key] & groups[other.key]:
                    grades[other.key] = 2
                elif subclasses[doc.key] & subclasses[other.key]:
                    grades[other.key] = 1
        record = doc.record
        text = (
            record.claims[0]
            if query_field == "first claim"
            else f"{record.title}. {record.abstract}"
        )
        if grades:
            queries.append((doc.key, text, grades))
    with_cpc = sum(bool(d.record.cpc) for d in docs)
    name = (
        f"US full-text, class overlap ({with_cpc} of {len(docs)} by CPC, rest by IPC; "
        f"query: {query_field})"
    )
    return Judged(name, f"US class overlap, {query_field} query", docs, queries)
