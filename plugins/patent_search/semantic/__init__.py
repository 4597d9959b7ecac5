"""Offline semantic search over patent documents, and hybrid ranking with BM25.

The embedding model is trained locally on the indexed corpus (LSA: hashed TF-IDF + truncated SVD),
so it needs no download; a sentence-transformers model can be used instead when that package and
a local model are installed. Vectors are searched exactly (numpy cosine) behind the
``VectorStore`` interface, so an ANN index can replace it. Every search is filtered by the
caller's collection ids: an empty set finds nothing.

Typical use, beside the full-text backend::

    index = SemanticIndex(data_dir / "semantic")
    index.fit_documents(docs)          # or index.load() when saved before
    index.add(docs)
    index.save()
    page = backend.search(SearchRequest(text, collection_ids, limit=100))
    bm25 = [(hit.key, hit.score) for hit in page.hits]
    ranked = hybrid(bm25, index.search(text, collection_ids, 100), limit=10)
"""

from patent_search.semantic.fusion import hybrid
from patent_search.semantic.index import IndexableDoc, SemanticIndex, SemanticIndexError
from patent_search.semantic.lsa import LsaModel
from patent_search.semantic.models import EmbeddingModel, SentenceTransformerModel, load_model
from patent_search.semantic.text import document_text, tokenize
from patent_search.semantic.vectors import ExactVectorStore, VectorStore

__all__ = [
    "EmbeddingModel",
    "ExactVectorStore",
    "IndexableDoc",
    "LsaModel",
    "SemanticIndex",
    "SemanticIndexError",
    "SentenceTransformerModel",
    "VectorStore",
    "document_text",
    "hybrid",
    "load_model",
    "tokenize",
]
