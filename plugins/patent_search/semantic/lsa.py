"""Latent semantic analysis trained on the indexed corpus: the offline embedding model.

Hashed unigram+bigram counts, sublinear TF-IDF, a randomized truncated SVD (Halko et al.) in numpy,
and L2-normalised document vectors. Saved as ``.npy`` arrays beside a JSON file of parameters with
a format version, so a model saved by one process is loaded bit-for-bit by another.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypedDict

import numpy as np

from patent_search.semantic.sparse import Csr
from patent_search.semantic.text import TOKENIZER_VERSION, bucket, hashed_counts, tokenize

__all__ = ["FORMAT_VERSION", "LsaModel"]

FORMAT_VERSION = 1
_PARAMS = "model.json"
_DOCS_PER_AXIS = 4
_EXACT_MAX_ROWS = 600  # up to this, an eigendecomposition of the rows x rows Gram matrix is cheaper


class LsaParams(TypedDict):
    """The constructor arguments of an ``LsaModel``, saved with it."""

    dim: int
    hash_bits: int
    max_features: int
    min_df: int
    max_df_ratio: float
    max_fit_docs: int
    seed: int


class LsaModel:
    """TF-IDF + truncated SVD embedding; ``fit`` on a corpus, then ``encode`` texts."""

    kind = "lsa"

    def __init__(
        self,
        dim: int = 256,
        hash_bits: int = 20,
        max_features: int = 65_536,
        min_df: int = 2,
        max_df_ratio: float = 0.5,
        max_fit_docs: int = 50_000,
        seed: int = 1,
    ) -> None:
        self.params: LsaParams = {
            "dim": dim,
            "hash_bits": hash_bits,
            "max_features": max_features,
            "min_df": min_df,
            "max_df_ratio": max_df_ratio,
            "max_fit_docs": max_fit_docs,
            "seed": seed,
        }
        self.buckets = np.zeros(0, dtype=np.int64)  # sorted hashed-feature ids kept as columns
        self.idf = np.zeros(0, dtype=np.float32)
        self.components = np.zeros((0, 0), dtype=np.float32)  # features x dim
        self.fitted_docs = 0
        self._column: dict[int, int] = {}

    @property
    def dim(self) -> int:
        """Length of the vectors ``encode`` returns (0 before ``fit``)."""
        return int(self.components.shape[1])

    @property
    def fingerprint(self) -> str:
        """Identifies the fitted model, so vectors from another model are never mixed in."""
        digest = hashlib.blake2b(digest_size=8)
        for array in (self.buckets, self.idf, self.components):
            digest.update(np.ascontiguousarray(array).tobytes())
        return f"lsa-v{FORMAT_VERSION}-{self.dim}-{digest.hexdigest()}"

    def fit(self, texts: Iterable[str]) -> None:
        """Learn vocabulary, IDF and the SVD projection from ``texts`` (sampled when large)."""
        sample = self._sample(texts)
        if not sample:
            raise ValueError("cannot fit a semantic model on an empty corpus")
        counts = [hashed_counts(t, self.params["hash_bits"]) for t in sample]
        self._choose_features(counts)
        matrix = self._tfidf(counts)
        rank = self._rank(matrix)
        if matrix.rows <= _EXACT_MAX_ROWS:
            self.components = _exact_svd(matrix, rank)
        else:
            self.components = _randomized_svd(matrix, rank, self.params["seed"])
        self.fitted_docs = len(sample)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 rows, one per text (zero for a text with no known term)."""
        if not self._column:
            raise ValueError("the semantic model is not fitted: call fit() first")
        counts = [hashed_counts(t, self.params["hash_bits"]) for t in texts]
        vectors = self._tfidf(counts).dot(self.components)
        return _normalise(vectors)

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Queries are encoded like documents."""
        return self.encode(texts)

    def unknown_terms(self, text: str) -> list[str]:
        """The words of ``text`` the model has no feature for (dropped as too frequent or too
        rare when it was fitted, or never seen): what a query loses semantically."""
        mask = (1 << self.params["hash_bits"]) - 1
        return list(dict.fromkeys(t for t in tokenize(text)
                                  if bucket(t, mask) not in self._column))

    def save(self, directory: Path) -> None:
        """Write parameters (JSON) and arrays (``.npy``) into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "buckets.npy", self.buckets)
        np.save(directory / "idf.npy", self.idf)
        np.save(directory / "components.npy", self.components)
        meta = {
            "kind": self.kind,
            "format_version": FORMAT_VERSION,
            "tokenizer_version": TOKENIZER_VERSION,
            "params": self.params,
            "fitted_docs": self.fitted_docs,
            "features": int(self.buckets.size),
            "dim": self.dim,
        }
        (directory / _PARAMS).write_text(json.dumps(meta, indent=2, sort_keys=True))

    @classmethod
    def load(cls, directory: Path) -> LsaModel:
        """Read a model written by ``save``; refuses other formats with a clear message."""
        meta = json.loads((directory / _PARAMS).read_text())
        for field, want in (
            ("format_version", FORMAT_VERSION),
            ("kind", cls.kind),
            ("tokenizer_version", TOKENIZER_VERSION),
        ):
            if meta.get(field) != want:
                found = meta.get(field)
                raise ValueError(f"{directory / _PARAMS}: {field} is {found!r}, expected {want!r}")
        model = cls(**meta["params"])
        model.buckets = np.load(directory / "buckets.npy")
        model.idf = np.load(directory / "idf.npy")
        model.components = np.load(directory / "components.npy")
        model.fitted_docs = meta["fitted_docs"]
        model._column = {int(b): i for i, b in enumerate(model.buckets)}
        return model

    def _sample(self, texts: Iterable[str]) -> list[str]:
        """Reservoir sample of at most ``max_fit_docs`` texts, seeded so fits repeat."""
        limit, rng = self.params["max_fit_docs"], random.Random(self.params["seed"])
        sample: list[str] = []
        for seen, text in enumerate(texts):
            if len(sample) < limit:
                sample.append(text)
            elif (slot := rng.randrange(seen + 1)) < limit:
                sample[slot] = text
        return sample

    def _choose_features(self, counts: list) -> None:
        """Keep the ``max_features`` most frequent buckets within the document-frequency band."""
        df: dict[int, int] = {}
        for doc in counts:
            for feature in doc:
                df[feature] = df.get(feature, 0) + 1
        n, max_df = len(counts), max(1.0, self.params["max_df_ratio"] * len(counts))
        keep = [(-f, b) for b, f in df.items() if self.params["min_df"] <= f <= max_df]
        if len(keep) < 2:  # tiny corpora: fall back to every feature
            keep = [(-f, b) for b, f in df.items()]
        keep.sort()
        chosen = sorted(b for _f, b in keep[: self.params["max_features"]])
        self.buckets = np.array(chosen, dtype=np.int64)
        self._column = {b: i for i, b in enumerate(chosen)}
        self.idf = np.array(
            [math.log((1 + n) / (1 + df[b])) + 1.0 for b in chosen], dtype=np.float32
        )

    def _tfidf(self, counts: list) -> Csr:
        """Sublinear TF x IDF rows over the kept features, each row L2-normalised."""
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[float] = []
        column = self._column
        for doc in counts:
            cols = [(column[b], c) for b, c in doc.items() if b in column]
            cols.sort()
            indices.extend(c for c, _n in cols)
            data.extend(1.0 + math.log(n) for _c, n in cols)
            indptr.append(len(indices))
        csr = Csr(
            np.array(indptr, dtype=np.int64),
            np.array(indices, dtype=np.int64),
            np.array(data, dtype=np.float32),
            len(column),
        )
        csr.data *= self.idf[csr.indices]
        lengths = np.diff(csr.indptr)
        rows = np.repeat(np.arange(csr.rows), lengths)
        norms = np.sqrt(np.bincount(rows, weights=csr.data**2, minlength=csr.rows))
        norms[norms == 0] = 1.0
        csr.data /= np.repeat(norms, lengths).astype(np.float32)
        return csr

    def _rank(self, matrix: Csr) -> int:
        """``dim``, but well below the corpus size: a near-full rank would only memorise it."""
        small_corpus_rank = max(8, matrix.rows // _DOCS_PER_AXIS)
        return max(1, min(self.params["dim"], small_corpus_rank, matrix.rows - 1, matrix.cols - 1))


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def _fixed_signs(axes: np.ndarray) -> np.ndarray:
    """``features x rank`` axes, each flipped so its largest entry is positive (repeatable)."""
    rank = axes.shape[1]
    signs = np.sign(axes[np.abs(axes).argmax(axis=0), np.arange(rank)])
    signs[signs == 0] = 1.0
    return np.ascontiguousarray(axes * signs[None, :], dtype=np.float32)


def _exact_svd(matrix: Csr, rank: int) -> np.ndarray:
    """Right singular vectors from the eigendecomposition of the ``rows x rows`` Gram matrix."""
    dense = np.zeros((matrix.rows, matrix.cols), dtype=np.float64)
    rows = np.repeat(np.arange(matrix.rows), np.diff(matrix.indptr))
    dense[rows, matrix.indices] = matrix.data
    eigvals, eigvecs = np.linalg.eigh(dense @ dense.T)
    top = np.argsort(eigvals)[::-1][:rank]
    sigma = np.sqrt(np.clip(eigvals[top], 1e-12, None))
    return _fixed_signs(dense.T @ (eigvecs[:, top] / sigma))


def _orthonormal(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns of a tall matrix, via the small Gram matrix.

    Much cheaper than a Householder QR of the whole tall matrix, and accurate enough here.
    """
    eigvals, eigvecs = np.linalg.eigh((matrix.T @ matrix).astype(np.float64))
    keep = eigvals > eigvals.max() * 1e-6
    return matrix @ (eigvecs[:, keep] / np.sqrt(eigvals[keep])).astype(np.float32)


def _randomized_svd(matrix: Csr, rank: int, seed: int, power_iters: int = 2) -> np.ndarray:
    """The top ``rank`` right singular vectors of ``matrix`` as a ``cols x rank`` array."""
    width = min(rank + 10, matrix.rows, matrix.cols)
    rng = np.random.default_rng(seed)
    basis = _orthonormal(matrix.dot(rng.standard_normal((matrix.cols, width)).astype(np.float32)))
    for _ in range(power_iters):
        basis = _orthonormal(matrix.dot(_orthonormal(matrix.tdot(basis))))
    small = matrix.tdot(basis)  # cols x width; its left singular vectors are the answer
    eigvals, eigvecs = np.linalg.eigh((small.T @ small).astype(np.float64))
    top = np.argsort(eigvals)[::-1][:rank]
    sigma = np.sqrt(np.clip(eigvals[top], 1e-12, None))
    return _fixed_signs(small @ (eigvecs[:, top] / sigma).astype(np.float32))
