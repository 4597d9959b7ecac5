"""Benchmark of patent search: ipgov's tantivy backend against SQLite FTS5, and search quality.

Speed (``--docs``, default 1,000,000; ``--quick`` 20,000): a corpus recombined with a seeded RNG
from real PatentsView, Google Patents, Lens and USPTO records (titles, abstract and claim
sentences, assignees, inventors, CPC symbols), half in a group's shared collection and half over
49 tenant collections, streamed in batches into each engine in turn. Build rate counts only the
time inside the engine (including its final commit/merge). Query terms are chosen by the document
frequency measured in the built index: rare (0.005-0.05% of documents), mid (0.5-2%), common
(10-50%); AND queries take 2-3 words of one real sentence, phrases two adjacent words; the
tenant-filter rows restrict to one ~1% collection. Latency is ``perf_counter`` around one top-10
search after a warm-up pass, per query set and engine, time-boxed. Ratios are against FTS5.
Semantic speed: LSA fitted on up to 50,000 sampled documents, ``--semantic-docs`` (200,000;
quick 5,000) embedded, exact top-10 over all collections and over one tenant collection.

Quality (proxies of ``shared/data/patents/SOURCES.md``): Lens (a document's title is the query;
documents sharing a priority filing with it are relevant) and class overlap on US full-text
grants (same main group = 2, same subclass = 1, CPC or IPC where a grant has no CPC; query =
first claim, or title + abstract); nDCG@10 and recall@100 for BM25 (tantivy, and FTS5 for
reference; the query's words OR-ed, at most 50), semantic (LSA fitted on that corpus) and
hybrid (RRF, k=60, weight 0.5). The query document itself is left out of its ranking.

Run: ``.venv/bin/python bench/patents.py [--docs N] [--quick] [--skip-speed] [--skip-quality]``;
summary rows go through ``bench/_common.emit`` (``bench/run`` collects them).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Result, emit, percentile, progress  # noqa: E402
from patents_data import (  # noqa: E402
    TENANT_COLLECTIONS,
    Judged,
    Pools,
    co_occurring_terms,
    content_words,
    corpus,
    cpc_overlap,
    lens_families,
    load_pools,
    phrases,
)
from patents_engines import (  # noqa: E402
    ALL_COLLECTIONS,
    BenchQuery,
    Fts5Engine,
    TantivyEngine,
    build,
    directory_bytes,
)

from patent_search.semantic import SemanticIndex, document_text, hybrid  # noqa: E402

BANDS = {"rare": (0.00005, 0.0005), "mid": (0.005, 0.02), "common": (0.10, 0.50)}


@dataclass
class LatencyRow:
    """One query set on one engine."""

    query_set: str
    engine: str
    samples: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    avg_hits: float


def stems_of(words: list[str]) -> dict[str, str]:
    """Each word's porter stem as FTS5 indexes it (read back from an in-memory FTS5 table)."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE w USING fts5(word, tokenize='porter unicode61')")
    db.executemany("INSERT INTO w(rowid, word) VALUES (?, ?)", enumerate(words, start=1))
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(w, 'instance')")
    return {words[doc - 1]: term for term, doc in db.execute("SELECT term, doc FROM v")}


def words_by_band(pools: Pools, fts: Fts5Engine, docs: int) -> dict[str, list[str]]:
    """Real words of the corpus grouped by measured document frequency band."""
    candidates = sorted(
        {
            w.lower()
            for s in pools.sentences + pools.titles
            for w in s.split()
            if w.isalpha() and len(w) >= 4
        }
    )
    df = dict(fts.document_frequencies())
    stems = stems_of(candidates)
    bands: dict[str, list[str]] = {name: [] for name in BANDS}
    for word in candidates:
        share = df.get(stems.get(word, ""), 0) / docs
        for name, (low, high) in BANDS.items():
            if low <= share <= high:
                bands[name].append(word)
    return bands


def query_sets(
    pools: Pools, bands: dict[str, list[str]], per_set: int
) -> dict[str, list[BenchQuery]]:
    """The query sets timed on both engines."""
    rng = random.Random(7)
    frequent = set(bands["mid"]) | set(bands["common"])
    sets = {
        f"1 term, {name}": [
            BenchQuery((w,), "and") for w in rng.sample(words, min(per_set, len(words)))
        ]
        for name, words in bands.items()
    }
    sets["2 terms AND"] = [
        BenchQuery(tuple(co_occurring_terms(pools, rng, 2, frequent)), "and")
        for _ in range(per_set)
    ]
    sets["3 terms AND"] = [
        BenchQuery(tuple(co_occurring_terms(pools, rng, 3, frequent)), "and")
        for _ in range(per_set)
    ]
    sets["phrase"] = [
        BenchQuery(tuple(p.split()), "phrase") for p in phrases(pools, rng, per_set, frequent)
    ]
    sets["common + tenant filter"] = [
        BenchQuery(q.words, "and", frozenset({rng.choice(TENANT_COLLECTIONS)}))
        for q in sets["1 term, common"]
    ]
    sets["2 terms + tenant filter"] = [
        BenchQuery(q.words, "and", frozenset({rng.choice(TENANT_COLLECTIONS)}))
        for q in sets["2 terms AND"]
    ]
    return sets


def time_queries(engine, name: str, queries: list[BenchQuery], budget_s: float) -> LatencyRow:
    """Warm up once per query, then time passes over the set until 3 passes or the budget."""
    for query in queries:
        engine.search(query)
    lat, hits, deadline = [], 0, time.perf_counter() + budget_s
    for _ in range(3):
        for query in queries:
            t0 = time.perf_counter()
            found = engine.search(query)
            lat.append((time.perf_counter() - t0) * 1000)
            hits += len(found)
        if time.perf_counter() > deadline:
            break
    return LatencyRow(
        name,
        engine.name,
        len(lat),
        percentile(lat, 0.5),
        percentile(lat, 0.95),
        percentile(lat, 0.99),
        hits / len(lat),
    )


def run_speed(
    pools: Pools, docs: int, work: Path, per_set: int, budget_s: float, summary: list[Result]
) -> list[str]:
    """Build both engines on the same corpus, time the query sets, return printable lines."""
    lines, engines, builds = [], [], []
    for engine_class in (Fts5Engine, TantivyEngine):
        engine = engine_class(work / engine_class.__name__)
        rss0 = current_rss_mb()
        seconds, count = build(engine, corpus(pools, docs), docs)
        builds.append((engine.name, seconds, count, engine.size_bytes(), current_rss_mb() - rss0))
        engines.append(engine)
    fts, tantivy = engines
    lines.append(
        f"{'engine':<14}{'docs':>11}{'build s':>9}{'docs/s':>10}{'size MiB':>10}"
        f"{'RSS +MiB':>10}{'rate/FTS5':>11}{'size/FTS5':>11}"
    )
    base = builds[0]
    for name, seconds, count, size, rss in builds:
        lines.append(
            f"{name:<14}{count:>11,}{seconds:>9.1f}{count / seconds:>10,.0f}"
            f"{size / 2**20:>10,.0f}{rss:>10,.0f}{(count / seconds) / (base[2] / base[1]):>11.2f}"
            f"{size / base[3]:>11.2f}"
        )
    size = f"{docs:,} docs"
    (_n, fts_s, _c, fts_bytes, _r), (_n, tan_s, _c, tan_bytes, _r) = builds
    summary.append(
        Result(
            "patents",
            size,
            "tantivy build rate",
            docs / tan_s,
            "docs/s",
            docs / fts_s,
            "SQLite FTS5",
            "1M docs <= 300 s",
            tan_s <= 300 if docs >= 1_000_000 else None,
        )
    )
    summary.append(
        Result(
            "patents",
            size,
            "tantivy index size",
            tan_bytes / 2**20,
            "MiB",
            fts_bytes / 2**20,
            "SQLite FTS5",
        )
    )
    bands = words_by_band(pools, fts, docs)
    lines.append(
        "words per frequency band: " + ", ".join(f"{k} {len(v):,}" for k, v in bands.items())
    )
    sets = query_sets(pools, bands, per_set)
    rows = []
    for name, queries in sets.items():
        rows.append(time_queries(fts, name, queries, budget_s))
        rows.append(time_queries(tantivy, name, queries, budget_s))
        overlap = top10_overlap(fts, tantivy, queries[:20])
        progress(
            f"timed {name}: p95 FTS5 {rows[-2].p95_ms:.1f} ms, tantivy {rows[-1].p95_ms:.1f} ms"
        )
        rows[-1].query_set += f" (top-10 overlap {overlap:.0%})"
    lines.append("")
    lines.append(
        f"{'query set':<48}{'engine':<14}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'hits':>6}{'p50/FTS5':>10}{'p95/FTS5':>10}"
    )
    for fts_row, tan_row in zip(rows[::2], rows[1::2], strict=True):
        for row in (fts_row, tan_row):
            lines.append(
                f"{row.query_set:<48}{row.engine:<14}{row.samples:>5}{row.p50_ms:>9.2f}"
                f"{row.p95_ms:>9.2f}{row.p99_ms:>9.2f}{row.avg_hits:>6.1f}"
                f"{row.p50_ms / fts_row.p50_ms:>10.3f}{row.p95_ms / fts_row.p95_ms:>10.3f}"
            )
    for fts_row, tan_row in zip(rows[::2], rows[1::2], strict=True):
        summary.append(
            Result(
                "patents",
                size,
                f"tantivy top-10 p95, {fts_row.query_set}",
                tan_row.p95_ms,
                "ms",
                fts_row.p95_ms,
                "SQLite FTS5",
                "p95 <= 20 ms",
                tan_row.p95_ms <= 20,
            )
        )
    worst = max((r.p95_ms for r in rows[1::2]), default=0.0)
    lines.append(
        f"goal p95 <= 20 ms for 1-3-term queries: tantivy worst p95 over all sets "
        f"{worst:.1f} ms -> {'met' if worst <= 20 else 'NOT met'}"
    )
    return lines


def top10_overlap(a, b, queries: list[BenchQuery]) -> float:
    """Mean share of top-10 keys two engines agree on (different stemmers and BM25 details)."""
    shares = []
    for query in queries:
        ka, kb = {k for k, _s in a.search(query)}, {k for k, _s in b.search(query)}
        if ka or kb:
            shares.append(len(ka & kb) / max(len(ka), len(kb)))
    return sum(shares) / len(shares) if shares else 1.0


def ndcg_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    """Normalised DCG of the first ten keys with gains 2^grade - 1."""
    dcg = sum((2 ** grades.get(k, 0) - 1) / math.log2(i + 2) for i, k in enumerate(ranked[:10]))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_100(ranked: list[str], grades: dict[str, int]) -> float:
    """Share of the relevant keys found in the first hundred."""
    relevant = {k for k, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:100])) / len(relevant)


def run_quality(
    judged: Judged, work: Path, max_queries: int | None, summary: list[Result]
) -> list[str]:
    """Index one judged set in tantivy, FTS5 and the semantic index; score every ranking."""
    if max_queries is not None and len(judged.queries) > max_queries:
        judged.queries = random.Random(5).sample(judged.queries, max_queries)
    tantivy, fts = TantivyEngine(work / "tantivy"), Fts5Engine(work / "fts5")
    for engine in (tantivy, fts):
        engine.add(judged.docs)
        engine.finish()
    semantic = SemanticIndex(work / "semantic")
    semantic.fit_documents(judged.docs)
    semantic.add(judged.docs)
    collections = frozenset({judged.docs[0].collection_id})
    scores: dict[str, list[tuple[float, float]]] = {}
    for query_key, text, grades in judged.queries:
        query = BenchQuery(tuple(content_words(text)), "or", collections)
        lists = {
            "BM25 (tantivy)": tantivy.search(query, 101) if query.words else [],
            "BM25 (FTS5)": fts.search(query, 101) if query.words else [],
            "semantic (LSA)": semantic.search(text, collections, 101),
        }
        lists["hybrid (tantivy+LSA)"] = hybrid(
            lists["BM25 (tantivy)"], lists["semantic (LSA)"], 101
        )
        for name, ranked in lists.items():
            keys = [k for k, _s in ranked if k != query_key][:100]
            scores.setdefault(name, []).append(
                (ndcg_at_10(keys, grades), recall_at_100(keys, grades))
            )
    lines = [f"{judged.name}: {len(judged.docs):,} documents, {len(judged.queries):,} queries"]
    b_ndcg = sum(v[0] for v in scores["BM25 (tantivy)"]) / len(judged.queries)
    for name, values in scores.items():
        ndcg = sum(v[0] for v in values) / len(values)
        recall = sum(v[1] for v in values) / len(values)
        summary.append(
            Result(
                "patents quality",
                f"{len(judged.queries):,} queries",
                f"{judged.label}: nDCG@10 {name}",
                ndcg,
                "",
                b_ndcg,
                "BM25 (tantivy)",
            )
        )
        lines.append(
            f"  {name:<24}nDCG@10 {ndcg:.3f}  recall@100 {recall:.3f}  "
            f"nDCG/BM25 {ndcg / b_ndcg if b_ndcg else float('nan'):.2f}"
        )
    return lines


def run_semantic_speed(pools: Pools, docs: int, work: Path, summary: list[Result]) -> list[str]:
    """Fit LSA on (a sample of) the corpus, embed every document, time semantic top-10."""
    index = SemanticIndex(work / "semantic")
    t0 = time.perf_counter()
    index.fit(document_text(d.record) for batch in corpus(pools, docs) for d in batch)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for batch in corpus(pools, docs):
        index.add(batch)
    add_s = time.perf_counter() - t0
    index.save()
    rng = random.Random(11)
    texts = rng.sample(pools.titles, 50)
    lines = [
        f"semantic (LSA {index.model.dim} dims, exact numpy cosine, float32): fit on "
        f"{min(docs, 50_000):,} sampled documents {fit_s:.1f} s; embedding {docs:,} documents "
        f"{docs / add_s:,.0f} docs/s; vectors {directory_bytes(work / 'semantic') / 2**20:,.0f} MiB"
    ]
    for label, scope in (
        ("all collections", ALL_COLLECTIONS),
        ("one tenant collection", frozenset({TENANT_COLLECTIONS[3]})),
    ):
        lat = []
        for text in texts + texts:
            t0 = time.perf_counter()
            index.search(text, scope, 10)
            lat.append((time.perf_counter() - t0) * 1000)
        summary.append(
            Result(
                "patents",
                f"{docs:,} vectors",
                f"semantic top-10 p95, {label}",
                percentile(lat, 0.95),
                "ms",
            )
        )
        lines.append(
            f"  semantic top-10, {label}: p50 {percentile(lat, 0.5):.1f} ms, "
            f"p95 {percentile(lat, 0.95):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms (n={len(lat)})"
        )
    return lines


def current_rss_mb() -> float:
    """Current resident set size in MiB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def machine() -> str:
    """CPU, cores, memory, Python and library versions."""
    from importlib.metadata import version

    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB; load {os.getloadavg()[0]:.1f}; "
        f"python {platform.python_version()}, tantivy {version('tantivy')}, "
        f"SQLite {sqlite3.sqlite_version}, numpy {version('numpy')}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, run the speed and quality parts, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000, help="speed corpus size")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 documents, fewer queries (200 per quality set)"
    )
    parser.add_argument(
        "--semantic-docs", type=int, default=200_000, help="documents embedded for semantic speed"
    )
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--work-dir", type=Path, help="where indexes go (default: a temp dir)")
    args = parser.parse_args(argv)
    docs = 20_000 if args.quick else args.docs
    work = Path(tempfile.mkdtemp(prefix="ipgov-bench-", dir=args.work_dir))
    started, lines = time.perf_counter(), [f"load average at start {os.getloadavg()[0]:.1f}"]
    summary: list[Result] = []
    try:
        if not args.skip_speed:
            pools = load_pools()
            lines.append(
                f"corpus: {docs:,} documents recombined (seeded RNG) from real records: "
                f"{pools.describe()}"
            )
            per_set, budget = (20, 10.0) if args.quick else (50, 30.0)
            lines += run_speed(pools, docs, work / "speed", per_set, budget, summary)
            shutil.rmtree(work / "speed", ignore_errors=True)
            semantic_docs = min(docs, 5_000 if args.quick else args.semantic_docs)
            lines += run_semantic_speed(pools, semantic_docs, work / "sem", summary)
            lines.append("")
        if not args.skip_quality:
            for number, judged in enumerate(
                (lens_families(), cpc_overlap("first claim"), cpc_overlap("title + abstract"))
            ):
                max_queries = 200 if args.quick else None
                lines += run_quality(judged, work / f"quality-{number}", max_queries, summary)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))
    emit(summary)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{machine()}; total {time.perf_counter() - started:.0f} s, peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
