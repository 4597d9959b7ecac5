"""``SemanticIndex``: an embedding model plus a vector store in one directory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from patent_search.semantic.lsa import LsaModel
from patent_search.semantic.models import EmbeddingModel, load_model
from patent_search.semantic.text import document_text
from patent_search.semantic.vectors import ExactVectorStore, VectorStore

__all__ = ["IndexableDoc", "SemanticIndex", "SemanticIndexError"]

MAX_LIMIT = 1000
_BATCH = 1024
_STATE = "semantic.json"
_HASHES = "hashes.json"


class SemanticIndexError(Exception):
    """The semantic index cannot do what was asked (not fitted, saved by another model, ...)."""


class IndexableDoc(Protocol):
    """What ``add`` reads from a document (the search engine's ``IndexDoc`` has these)."""

    @property
    def key(self) -> str: ...

    @property
    def collection_id(self) -> str: ...

    @property
    def record(self) -> Any: ...


class SemanticIndex:
    """Embeds documents with a locally trained model and searches them within collections.

    ``fit`` trains the model on corpus texts (and drops vectors made by an earlier model),
    ``add`` embeds documents, ``search`` ranks them by cosine similarity to a text,
    ``save``/``load`` persist both model and vectors under ``directory``.
    """

    def __init__(
        self,
        directory: Path,
        model: EmbeddingModel | None = None,
        store_class: type[VectorStore] = ExactVectorStore,
        **store_options: Any,
    ) -> None:
        """``model`` defaults to an unfitted ``LsaModel``; ``store_class(dim, **store_options)``
        makes the vector store (``ExactVectorStore`` takes ``dtype`` and ``block_rows``)."""
        self.directory = Path(directory)
        self.model: EmbeddingModel = model or LsaModel()
        self.store_class, self.store_options = store_class, store_options
        self.store: VectorStore | None = None
        # key -> content hash of the text each stored vector was made from (saved beside them)
        self.hashes: dict[str, str] = {}
        self.generation = 0  # bumped by every save: readers reload when the disk is newer
        self.model_saved = False
        if self.model.dim > 0:  # a fitted or pre-trained model
            self.store = store_class(self.model.dim, **store_options)

    def __len__(self) -> int:
        return len(self.store) if self.store is not None else 0

    def fit(self, texts: Iterable[str]) -> None:
        """Train the model on ``texts``; vectors from a previous model are discarded."""
        self.model.fit(texts)
        self.store = self.store_class(self.model.dim, **self.store_options)
        self.hashes, self.model_saved = {}, False

    def fit_documents(self, docs: Iterable[IndexableDoc]) -> None:
        """``fit`` on the text of each document's record."""
        self.fit(document_text(doc.record) for doc in docs)

    def add(self, docs: Iterable[IndexableDoc]) -> int:
        """Embed and store documents (replacing earlier vectors of the same keys); return count."""
        store = self._require_store()
        added = 0
        iterator = iter(docs)
        while batch := list(islice(iterator, _BATCH)):
            vectors = self.model.encode([document_text(doc.record) for doc in batch])
            store.upsert([d.key for d in batch], [d.collection_id for d in batch], vectors)
            added += len(batch)
        return added

    def remove(self, keys: Iterable[str]) -> int:
        """Forget documents by key; return how many were stored."""
        return self._require_store().remove(keys)

    def search(
        self, text: str, collection_ids: frozenset[str], limit: int
    ) -> list[tuple[str, float]]:
        """Keys of the documents most similar to ``text``, only in ``collection_ids``."""
        if not 0 < limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if not collection_ids or not text.strip() or self.store is None:
            return []
        query = self.model.encode_query([text])[0]
        if not query.any():
            return []
        return self.store.search(query, frozenset(collection_ids), limit)

    def unknown_terms(self, text: str) -> list[str]:
        """Words of ``text`` outside the model's vocabulary (none for models without one)."""
        known = getattr(self.model, "unknown_terms", None)
        return known(text) if known is not None and self.model.dim > 0 else []

    def save(self) -> None:
        """Persist model (once per fit), vectors and their content hashes under ``directory``;
        the state file is written last, so a crash leaves the previous state readable."""
        store = self._require_store()
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.model_saved:
            self.model.save(self.directory / "model")
            self.model_saved = True
        store.save(self.directory / "vectors")
        hashes_tmp = self.directory / f"{_HASHES}.tmp"
        hashes_tmp.write_text(json.dumps(self.hashes, sort_keys=True))
        hashes_tmp.replace(self.directory / _HASHES)
        self.generation += 1
        state = {"model_fingerprint": self.model.fingerprint, "documents": len(store),
                 "generation": self.generation}
        tmp = self.directory / f"{_STATE}.tmp"
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.directory / _STATE)

    def saved_generation(self) -> int:
        """The generation of the state on disk (0: nothing saved)."""
        path = self.directory / _STATE
        return int(json.loads(path.read_text()).get("generation", 0)) if path.is_file() else 0

    def load(self) -> None:
        """Read model and vectors saved by ``save``; refuses vectors of a different model."""
        state_path = self.directory / _STATE
        if not state_path.is_file():
            raise SemanticIndexError(f"{state_path}: no saved semantic index in this directory")
        state = json.loads(state_path.read_text())
        model = load_model(self.directory / "model")
        if model.fingerprint != state["model_fingerprint"]:
            raise SemanticIndexError(
                f"{state_path}: vectors were made by model {state['model_fingerprint']}, "
                f"the saved model is {model.fingerprint}"
            )
        self.model, self.model_saved = model, True
        self.store = self.store_class.load(self.directory / "vectors")
        hashes = self.directory / _HASHES
        self.hashes = json.loads(hashes.read_text()) if hashes.is_file() else {}
        self.generation = int(state.get("generation", 0))

    def _require_store(self) -> VectorStore:
        if self.store is None:
            raise SemanticIndexError(
                f"{self.directory}: the semantic model is not fitted: call fit() or load() first"
            )
        return self.store
