"""Which ANN library for the semantic index: usearch vs hnswlib, beside exact numpy cosine.

Vectors: ``--n`` points in ``--dim`` dimensions drawn around 500 cluster centres (normalised),
queries: 200 perturbed points. Per library: build time, query p50/p95 (one query at a time,
top-10, one thread) and recall@10 of the exact top 10; the baseline is exact numpy search
over the same matrix in the same run. Parameters: M=16, ef_construction=128,
ef=``--ef`` (200) for both.

Run: ``.venv/bin/python bench/ann_choice.py --n 100000``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench._common import Result, emit


def _data(n: int, dim: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((500, dim)).astype(np.float32)
    points = centres[rng.integers(0, 500, n)] + 0.6 * rng.standard_normal((n, dim)).astype(
        np.float32
    )
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    queries = points[rng.integers(0, n, 200)] + 0.3 * rng.standard_normal((200, dim)).astype(
        np.float32
    )
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return points, queries


def _timed(search, queries: np.ndarray) -> tuple[list[np.ndarray], list[float]]:
    found, times = [], []
    for q in queries:
        start = time.perf_counter()
        found.append(np.asarray(search(q)))
        times.append((time.perf_counter() - start) * 1000)
    return found, times


def _p(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100)[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--ef", type=int, default=200)
    args = parser.parse_args()
    points, queries = _data(args.n, args.dim)
    exact, exact_times = _timed(lambda q: np.argpartition(-(points @ q), 10)[:10], queries)
    truth = [set(e.tolist()) for e in exact]
    rows: list[Result] = []
    size = f"{args.n} x {args.dim}"
    baseline = _p(exact_times, 95)

    import hnswlib
    from usearch.index import Index

    start = time.perf_counter()
    hnsw = hnswlib.Index(space="ip", dim=args.dim)
    hnsw.init_index(max_elements=args.n, ef_construction=128, M=16)
    hnsw.set_num_threads(1)
    hnsw.add_items(points, np.arange(args.n))
    hnsw.set_ef(args.ef)
    hnsw_build = time.perf_counter() - start
    start = time.perf_counter()
    usearch = Index(
        ndim=args.dim,
        metric="cos",
        dtype="f32",
        connectivity=16,
        expansion_add=128,
        expansion_search=args.ef,
    )
    usearch.add(np.arange(args.n), points, threads=1)
    usearch_build = time.perf_counter() - start

    for name, build, search in (
        ("hnswlib", hnsw_build, lambda q: hnsw.knn_query(q, k=10)[0][0]),
        ("usearch", usearch_build, lambda q: usearch.search(q, 10, threads=1).keys),
    ):
        found, times = _timed(search, queries)
        recall = statistics.mean(len(truth[i] & set(f.tolist())) / 10 for i, f in enumerate(found))
        print(
            f"{name}: build {build:.1f} s, p50 {_p(times, 50):.2f} ms, p95 {_p(times, 95):.2f}"
            f" ms, recall@10 {recall:.3f} (exact p95 {baseline:.2f} ms)"
        )
        rows += [
            Result(
                "ann_choice",
                size,
                f"{name} top-10 p95",
                _p(times, 95),
                "ms",
                baseline,
                "exact numpy",
                "<= 15 ms",
                _p(times, 95) <= 15,
            ),
            Result(
                "ann_choice",
                size,
                f"{name} recall@10 of exact",
                recall,
                "",
                1.0,
                "exact",
                ">= 0.95",
                recall >= 0.95,
            ),
            Result("ann_choice", size, f"{name} build (1 thread)", build, "s"),
        ]
    emit(rows)


if __name__ == "__main__":
    main()
