"""A pasted claim or abstract is a first-class query (issue 27 item 0): read as its content
words (OR, BM25) instead of the fielded language, in BM25 and in hybrid, with a notice that
says so; a query that cannot be read is never silently dropped from hybrid."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from patent_search.ingest.model import PatentRecord
from patent_search.numbers import canonical_number
from patent_search.search import IndexDoc, QuerySyntaxError, SearchRequest
from patent_search.search.freetext import MAX_FREE_TERMS, content_words, free_text, read_query
from patent_search.search.query import Or, Text
from patent_search.search.tantivy_backend import TantivyBackend
from tests.conftest import make_group
from tests.plugins.patent_search.test_plugin import _collection, _ingest
from tests.plugins.patent_search.test_ranking_fallback import NEURAL

CLAIM = (
    "1. A neural network processor comprising: a plurality of synapse cells, each "
    "comprising a floating-gate transistor coupled to an input line and to an output "
    "summing line, wherein the charge stored on the floating gate corresponds to the "
    "weight of the connection; and a controller configured to adjust said weights by "
    "back-propagation of an error signal from the output layer to the hidden layers."
)
SEARCH = """query($t: ID!, $q: String!, $m: String!, $s: String!) { patentSearch(tenantId: $t,
  query: $q, mode: $m, syntax: $s, first: 5) { total rankedBy notices { code message messageEn }
  hits { publicationNumber snippets } } }"""


def test_content_words_drop_stop_words_and_claim_boilerplate_in_english_and_chinese():
    words = content_words(CLAIM)
    assert "comprising" not in words and "wherein" not in words and "the" not in words
    assert {"neural", "synapse", "transistor", "back", "propagation"} <= set(words)
    zh = content_words("一种神经网络处理器，其特征在于，包括多个突触单元和一个控制器。")
    assert "神经网络" in zh and "控制器" in zh
    assert not {"一种", "包括", "其特征在于", "的", "和"} & set(zh)


def test_free_text_is_a_bounded_disjunction_of_the_most_frequent_words():
    node = free_text(CLAIM)
    assert isinstance(node, Or) and all(isinstance(i, Text) for i in node.items)
    many = " ".join(f"w{i}" for i in range(300)) + " layer layer"
    bounded = free_text(many)
    assert isinstance(bounded, Or) and len(bounded.items) == MAX_FREE_TERMS
    assert "layer" in {i.text for i in bounded.items if isinstance(i, Text)}
    with pytest.raises(QuerySyntaxError, match="only stop words"):
        free_text("the of and, wherein said")


@pytest.mark.parametrize(
    ("query", "free", "reason"),
    [
        ("neural network", False, None),
        ('title:"neural network" AND cpc:G06N', False, None),
        ("a neural network processor with synapse cells and floating gates", True, "many_words"),
        (CLAIM, True, "not_fielded"),
        ("xy " * 1000, True, "long"),
    ],
)
def test_auto_reads_the_language_when_used_and_free_text_otherwise(query, free, reason):
    node, notice = read_query(query, "auto")
    assert (notice is not None) == free
    if notice is not None:
        assert notice.code == "FREE_TEXT_QUERY" and notice.params["reason"] == reason
    with pytest.raises(QuerySyntaxError):
        read_query(CLAIM, "fielded")
    assert read_query("neural network", "free")[0] == Or(
        (Text(None, "neural", 0), Text(None, "network", 0))
    )


def neural_records(limit: int) -> list[PatentRecord]:
    """Grants of the demo PatentsView export (number, title, abstract, date)."""
    with NEURAL.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:limit]
    return [
        PatentRecord(
            publication_number=canonical_number("US", row["patent_number"]),
            country="US",
            doc_number=row["patent_number"],
            title=row["patent_title"].strip().strip('"'),
            abstract=row["patent_abstract"].strip().strip('"'),
            publication_date=date.fromisoformat(row["patent_date"]),
            source_format="patentsview",
            source_file=str(NEURAL),
            source_locator=f"line {i + 2}",
        )
        for i, row in enumerate(rows)
    ]


def test_the_engine_answers_a_pasted_claim_by_bm25_with_a_notice():
    engine = TantivyBackend(None)
    engine.upsert(IndexDoc.of("t", "c", r) for r in neural_records(60))
    engine.refresh()
    page = engine.search(SearchRequest(CLAIM, frozenset({"c"}), limit=5, syntax="auto"))
    assert page.total > 5 and len(page.hits) == 5
    assert [n.code for n in page.notices] == ["FREE_TEXT_QUERY"]
    with pytest.raises(QuerySyntaxError):
        engine.search(SearchRequest(CLAIM, frozenset({"c"}), limit=5))  # fielded by default


async def test_a_pasted_first_claim_gets_bm25_results_in_hybrid(platform, gql, imports):
    acme = await make_group(platform, "acme")
    coll = await _collection(gql, acme, "a-admin", "acme-a", "Neural")
    await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, NEURAL)

    async def search(query, mode, syntax="auto"):
        out = await gql(
            SEARCH,
            {"t": acme.ids["acme-a"], "q": query, "m": mode, "s": syntax},
            acme.token("a-admin"),
        )
        assert out.get("errors") is None, out
        return out["data"]["patentSearch"]

    bm25 = await search(CLAIM, "bm25")
    assert bm25["total"] > 100 and bm25["rankedBy"] == "bm25"
    assert [n["code"] for n in bm25["notices"]] == ["FREE_TEXT_QUERY"]
    hybrid = await search(CLAIM, "hybrid")
    assert hybrid["rankedBy"] == "hybrid" and len(hybrid["hits"]) == 5
    # highlighted for the returned page only, semantic-only hits included
    assert all("<mark>" in str(h["snippets"]) for h in hybrid["hits"])
    assert "FREE_TEXT_QUERY" in [n["code"] for n in hybrid["notices"]]
    fielded = await search(CLAIM, "hybrid", "fielded")  # the language asked for: said why
    assert fielded["rankedBy"] == "semantic"
    [notice] = [n for n in fielded["notices"] if n["code"] == "QUERY_NOT_BM25"]
    assert "comprising" in notice["messageEn"]
    for mode in ("semantic", "hybrid"):  # never an empty page when BM25 finds matches
        assert (await search("neural network", mode))["hits"]
    bad = await gql(
        SEARCH,
        {"t": acme.ids["acme-a"], "q": "x", "m": "bm25", "s": "regex"},
        acme.token("a-admin"),
    )
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CHOICE"
