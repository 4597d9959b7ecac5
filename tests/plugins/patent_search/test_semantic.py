"""Semantic search: the offline LSA model, the collection-filtered vector store, hybrid fusion.

Real PatentsView abstracts (``csv/patentsview_query``: a "neural network" and a "baseball" query)
are the corpus; no database is involved.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from patent_search.ingest.model import PatentRecord
from patent_search.search.model import IndexDoc
from patent_search.semantic import (
    ExactVectorStore,
    LsaModel,
    SemanticIndex,
    SemanticIndexError,
    SentenceTransformerModel,
    document_text,
    hybrid,
    load_model,
    tokenize,
)

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "patents"
PATENTSVIEW = DATA / "csv" / "patentsview_query"
TOPICS = {"nn": "neural_network_patent_query.csv", "bb": "baseball_patent_query.csv"}
PER_TOPIC = 150
HELD_OUT = 20

pytestmark = pytest.mark.skipif(not PATENTSVIEW.is_dir(), reason="shared patent data missing")


def read_topic(topic: str, count: int) -> list[PatentRecord]:
    """The first ``count`` grants of one PatentsView query export that have an abstract."""
    records = []
    with open(PATENTSVIEW / TOPICS[topic], newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["patent_abstract"].strip():
                number = row["patent_number"]
                records.append(
                    PatentRecord(
                        f"US-{number}-",
                        "US",
                        number,
                        title=row["patent_title"],
                        abstract=row["patent_abstract"],
                    )
                )
            if len(records) == count:
                break
    return records


def topic_of(key: str) -> str:
    """The topic tag the fixtures put in front of each collection id."""
    return key.split(":", 1)[0].split("-", 1)[0]


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[IndexDoc]]:
    """Per topic: ``PER_TOPIC`` documents to fit on, then ``HELD_OUT`` unseen ones."""
    return {
        topic: [
            IndexDoc.of("tenant-a", f"{topic}-coll", r)
            for r in read_topic(topic, PER_TOPIC + HELD_OUT)
        ]
        for topic in TOPICS
    }


@pytest.fixture(scope="module")
def fitted(corpus, tmp_path_factory) -> SemanticIndex:
    """An index fitted on the first ``PER_TOPIC`` documents of each topic, holding all of them."""
    index = SemanticIndex(tmp_path_factory.mktemp("semantic"))
    index.fit_documents([d for docs in corpus.values() for d in docs[:PER_TOPIC]])
    index.add(d for docs in corpus.values() for d in docs)
    return index


ALL = frozenset({"nn-coll", "bb-coll"})


@pytest.mark.parametrize(
    ("query", "topic"),
    [
        ("training the weights of artificial neurons with backpropagation", "nn"),
        ("pattern recognition by a learning machine", "nn"),
        ("bat for hitting a ball", "bb"),
        ("pitching practice for a batter at home plate", "bb"),
    ],
)
def test_a_query_about_one_topic_ranks_that_topics_documents_first(fitted, query, topic):
    hits = fitted.search(query, ALL, 10)
    assert len(hits) == 10
    assert [topic_of(key) for key, _score in hits] == [topic] * 10
    assert [s for _k, s in hits] == sorted((s for _k, s in hits), reverse=True)


def test_documents_the_model_never_saw_find_their_own_topic(fitted, corpus):
    """Held-out abstracts (added, not fitted on) as queries: their neighbours share their topic."""
    same = total = 0
    for topic, docs in corpus.items():
        for doc in docs[PER_TOPIC:]:
            hits = [k for k, _s in fitted.search(doc.record.abstract, ALL, 11) if k != doc.key]
            same += sum(topic_of(key) == topic for key in hits[:10])
            total += 10
    assert same / total >= 0.9


def test_save_and_load_give_identical_results(fitted, tmp_path):
    fitted.directory = tmp_path / "saved"
    fitted.save()
    reopened = SemanticIndex(tmp_path / "saved")
    reopened.load()
    assert len(reopened) == len(fitted)
    for query in ("neural network classifier", "baseball glove", "回归 neural"):
        assert reopened.search(query, ALL, 25) == fitted.search(query, ALL, 25)
    texts = ["a neural network chip", "a baseball bat"]
    assert np.array_equal(reopened.model.encode(texts), fitted.model.encode(texts))


def test_reloaded_index_keeps_growing_and_saves_again(corpus, tmp_path):
    docs = corpus["nn"][:60]
    index = SemanticIndex(tmp_path, dtype="float16", block_rows=16)
    index.fit_documents(docs)
    index.add(docs[:40])
    index.save()
    again = SemanticIndex(tmp_path)
    again.load()
    assert again.store._blocks[0].vectors.dtype == np.float16
    again.add(docs[40:])
    again.save()
    last = SemanticIndex(tmp_path)
    last.load()
    assert len(last) == 60
    best = last.search(document_text(docs[55].record), frozenset({"nn-coll"}), 1)
    assert best[0][0] == docs[55].key


def test_search_only_sees_the_callers_collections(corpus, tmp_path):
    """Tenant isolation: same documents in two tenants' collections, each sees only its own."""
    records = [d.record for d in corpus["nn"][:40]]
    index = SemanticIndex(tmp_path)
    docs_a = [IndexDoc.of("tenant-a", "coll-a", r) for r in records[:20]]
    docs_b = [IndexDoc.of("tenant-b", "coll-b", r) for r in records[20:]]
    index.fit_documents(docs_a + docs_b)
    index.add(docs_a + docs_b)
    target = records[25]  # lives in tenant b's collection only
    hits_a = index.search(document_text(target), frozenset({"coll-a"}), 100)
    assert {k.split(":")[0] for k, _s in hits_a} == {"coll-a"}
    assert len(hits_a) == 20
    assert index.search(document_text(target), frozenset({"coll-b"}), 1)[0][0] == (
        f"coll-b:{target.publication_number}"
    )
    assert index.search(document_text(target), frozenset(), 10) == []
    assert index.search(document_text(target), frozenset({"coll-c", "coll-a "}), 10) == []
    both = index.search(document_text(target), frozenset({"coll-a", "coll-b"}), 100)
    assert len(both) == 40


def test_adding_a_key_again_replaces_it_and_remove_forgets_it(corpus, tmp_path):
    docs = corpus["bb"][:30]
    index = SemanticIndex(tmp_path)
    index.fit_documents(docs)
    assert index.add(docs) == 30
    moved = IndexDoc(docs[0].key, "tenant-a", "other-coll", docs[0].record)
    index.add([moved])
    assert len(index) == 30
    query = document_text(docs[0].record)
    assert docs[0].key not in [k for k, _s in index.search(query, frozenset({"bb-coll"}), 50)]
    assert index.search(query, frozenset({"other-coll"}), 5) == [(docs[0].key, pytest.approx(1.0))]
    assert index.remove([docs[0].key, "no-such-key"]) == 1
    assert index.search(query, frozenset({"other-coll"}), 5) == []
    assert len(index) == 29


def test_encode_is_deterministic(corpus):
    texts = [document_text(d.record) for d in corpus["nn"][:50] + corpus["bb"][:50]]
    first, second = LsaModel(dim=16), LsaModel(dim=16)
    first.fit(texts)
    second.fit(texts)
    assert np.array_equal(first.encode(texts), first.encode(texts))
    np.testing.assert_allclose(first.encode(texts), second.encode(texts), atol=1e-5)
    vectors = first.encode(texts + ["zzzz qqqq"])
    assert vectors.shape == (101, 16)
    np.testing.assert_allclose(np.linalg.norm(vectors[:100], axis=1), 1.0, rtol=1e-5)
    assert not vectors[100].any()  # no known term: a zero vector, which search ignores


def test_randomized_svd_path_matches_topics(corpus):
    """Above the exact-SVD size the randomized SVD is used; it must separate the topics too."""
    from patent_search.semantic import lsa

    texts = [document_text(d.record) for docs in corpus.values() for d in docs[:PER_TOPIC]]
    model = LsaModel(dim=24)
    original, lsa._EXACT_MAX_ROWS = lsa._EXACT_MAX_ROWS, 10
    try:
        model.fit(texts)
    finally:
        lsa._EXACT_MAX_ROWS = original
    vectors = model.encode(texts)
    nn, bb = vectors[:PER_TOPIC].mean(axis=0), vectors[PER_TOPIC:].mean(axis=0)
    query = model.encode(["neural network learning"])[0]
    assert query @ nn > query @ bb


def test_hybrid_fuses_by_reciprocal_rank():
    bm25 = [("a", 12.0), ("b", 9.5), ("c", 3.1)]
    semantic = [("c", 0.91), ("a", 0.80), ("d", 0.55)]
    fused = hybrid(bm25, semantic, limit=10)
    # a: .5/61 + .5/62, c: .5/63 + .5/61, b: .5/62, d: .5/63 (worked by hand)
    assert [k for k, _s in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(0.5 / 61 + 0.5 / 62)
    assert fused[1][1] == pytest.approx(0.5 / 63 + 0.5 / 61)
    assert fused[3][1] == pytest.approx(0.5 / 63)
    assert hybrid(bm25, semantic, limit=2) == fused[:2]
    assert [k for k, _s in hybrid(bm25, semantic, 10, weight=0.0)][:3] == ["a", "b", "c"]
    assert [k for k, _s in hybrid(bm25, semantic, 10, weight=1.0)][:3] == ["c", "a", "d"]
    assert [k for k, _s in hybrid(bm25, semantic, 10, k=1, weight=0.8)] == ["c", "a", "d", "b"]


def test_hybrid_counts_a_repeated_key_once_and_rejects_bad_parameters():
    assert hybrid([("a", 1), ("a", 1), ("b", 1)], [], 5) == [("a", 0.5 / 61), ("b", 0.5 / 63)]
    assert hybrid([], [], 5) == []
    assert hybrid([("a", 1)], [], 0) == []
    with pytest.raises(ValueError, match="weight"):
        hybrid([], [], 5, weight=1.5)
    with pytest.raises(ValueError, match="k must be positive"):
        hybrid([], [], 5, k=0)


def test_clear_errors_before_fit_and_for_bad_input(tmp_path, corpus):
    index = SemanticIndex(tmp_path)
    with pytest.raises(SemanticIndexError, match="not fitted"):
        index.add(corpus["nn"][:1])
    with pytest.raises(SemanticIndexError, match="no saved semantic index"):
        index.load()
    with pytest.raises(ValueError, match="empty corpus"):
        index.fit([])
    index.fit_documents(corpus["nn"][:20])
    with pytest.raises(ValueError, match="limit must be between 1 and 1000"):
        index.search("neural", frozenset({"nn-coll"}), 0)
    assert index.search("   ", frozenset({"nn-coll"}), 5) == []
    index.add(corpus["nn"][:20])
    index.save()
    meta = tmp_path / "model" / "model.json"
    meta.write_text(meta.read_text().replace('"format_version": 1', '"format_version": 9'))
    with pytest.raises(ValueError, match="format_version is 9, expected 1"):
        SemanticIndex(tmp_path).load()


def test_model_loading_names_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="no saved semantic model here"):
        load_model(tmp_path)
    (tmp_path / "model.json").write_text('{"kind": "word2vec"}')
    with pytest.raises(ValueError, match="unknown model kind 'word2vec'"):
        load_model(tmp_path)
    with pytest.raises(ValueError, match="no local sentence-transformers model"):
        SentenceTransformerModel(tmp_path / "absent")


def test_vector_store_matches_brute_force_across_blocks_and_reload(tmp_path):
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((50, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    keys = [f"k{i}" for i in range(50)]
    colls = ["even" if i % 2 == 0 else "odd" for i in range(50)]
    store = ExactVectorStore(8, block_rows=7)
    store.upsert(keys, colls, vectors)
    query = vectors[10] + 0.1 * vectors[11]
    scores = vectors @ query
    expected = sorted((i for i in range(0, 50, 2)), key=lambda i: -scores[i])[:5]
    found = store.search(query, frozenset({"even"}), 5)
    assert [k for k, _s in found] == [keys[i] for i in expected]
    store.save(tmp_path)
    loaded = ExactVectorStore.load(tmp_path)
    assert isinstance(loaded._blocks[0].vectors, np.memmap)
    assert loaded.search(query, frozenset({"even"}), 5) == found
    with pytest.raises(ValueError, match="same length"):
        store.upsert(["x"], [], vectors[:1])
    with pytest.raises(ValueError, match="8 dimensions"):
        ExactVectorStore(4).upsert(["x"], ["even"], vectors[:1])


def test_tokens_and_document_text():
    tokens = tokenize("Neural Networks, and the batteries of 2019")
    assert tokens == ["neural", "network", "battery"]
    assert tokenize("神经网络") == ["神经", "经网", "网络"]
    record = PatentRecord(
        "US-1-B1",
        "US",
        "1",
        title="Bat",
        abstract="A bat.",
        claims=["1. A bat comprising wood.", "2. The bat of claim 1."],
    )
    assert document_text(record) == "Bat\nBat\nA bat.\n1. A bat comprising wood."
    bare = PatentRecord("US-2-B1", "US", "2", title="Glove", description="x" * 3000)
    assert document_text(bare) == "Glove\nGlove\n" + "x" * 2000
