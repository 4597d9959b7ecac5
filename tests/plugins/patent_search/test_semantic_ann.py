"""The persisted ANN index (issue 27 item 3): one HNSW graph per large collection, exact search
below the threshold, the tenant's scope applied inside the search (isolation), saved and
loaded with the same answers."""

from __future__ import annotations

import numpy as np
import pytest

from patent_search.semantic.vectors import ExactVectorStore

ann = pytest.importorskip("patent_search.semantic.ann")
if not ann.available():
    pytest.skip("hnswlib (pip install 'ipgov[neural]') is not installed", allow_module_level=True)


def _vectors(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((20, dim))
    points = centres[rng.integers(0, 20, n)] + 0.3 * rng.standard_normal((n, dim))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def test_a_siblings_vectors_are_never_candidates_and_recall_matches_exact(tmp_path):
    dim = 32
    mine, sibling = _vectors(3000, dim, 1), _vectors(3000, dim, 1)  # identical vectors
    store = ann.AnnVectorStore(dim, exact_below=1000)
    exact = ExactVectorStore(dim)
    for target in (store, exact):
        target.upsert([f"a:{i}" for i in range(3000)], ["a"] * 3000, mine)
        target.upsert([f"s:{i}" for i in range(3000)], ["s"] * 3000, sibling)
        target.upsert([f"tiny:{i}" for i in range(10)], ["tiny"] * 10, mine[:10])
    assert set(store._graphs) == {"a", "s"}  # "tiny" is searched exactly
    queries = _vectors(50, dim, 2)
    recall = []
    for q in queries:
        hits = store.search(q, frozenset({"a", "tiny"}), 10)
        assert hits and all(k.split(":")[0] in ("a", "tiny") for k, _ in hits)
        truth = {k for k, _ in exact.search(q, frozenset({"a", "tiny"}), 10)}
        recall.append(len(truth & {k for k, _ in hits}) / 10)
    assert np.mean(recall) >= 0.95
    store.upsert(["a:0"], ["a"], sibling[1:2])  # replaced and removed keys leave the graph
    store.remove(["a:1"])
    store.save(tmp_path)
    loaded = ann.AnnVectorStore.load(tmp_path)
    assert set(loaded._graphs) == {"a", "s"} and len(loaded) == len(store)
    for q in queries[:10]:
        assert loaded.search(q, frozenset({"a"}), 10) == store.search(q, frozenset({"a"}), 10)
        assert "a:1" not in {k for k, _ in loaded.search(q, frozenset({"a"}), 100)}
    assert loaded.search(queries[0], frozenset({"nobody"}), 10) == []
