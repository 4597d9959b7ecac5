"""Hybrid ranking: weighted reciprocal rank fusion of a BM25 list and a semantic list."""

from __future__ import annotations

__all__ = ["hybrid"]


def hybrid(
    bm25: list[tuple[str, float]],
    semantic: list[tuple[str, float]],
    limit: int,
    k: int = 60,
    weight: float = 0.5,
) -> list[tuple[str, float]]:
    """Fuse two ranked lists of ``(key, score)`` by reciprocal rank (Cormack et al., 2009).

    A key at 1-based rank ``r`` earns ``(1 - weight) / (k + r)`` from the BM25 list and
    ``weight / (k + r)`` from the semantic list; only ranks count, not the scores, so the two
    scales need no calibration. ``weight`` 0 keeps BM25's order, 1 the semantic order. A key
    listed twice in one list counts once, at its best rank. Ties break by key, so the result
    is deterministic.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be between 0 and 1, not {weight}")
    if k <= 0:
        raise ValueError(f"k must be positive, not {k}")
    if limit <= 0:
        return []
    fused: dict[str, float] = {}
    for ranking, share in ((bm25, 1.0 - weight), (semantic, weight)):
        seen: set[str] = set()
        for rank, (key, _score) in enumerate(ranking, start=1):
            if key not in seen:
                seen.add(key)
                fused[key] = fused.get(key, 0.0) + share / (k + rank)
    ordered = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return ordered[:limit]
