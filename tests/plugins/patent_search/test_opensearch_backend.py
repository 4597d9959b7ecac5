"""The OpenSearch backend: query translation without a server; behaviour against a real cluster.

The live tests run only when ``IPGOV_TEST_OPENSEARCH_URL`` points at OpenSearch (or
Elasticsearch); each uses its own throw-away index.
"""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest

from patent_search.ingest.model import PatentRecord, canonical_number
from patent_search.search import (
    IndexDoc,
    InvalidCursorError,
    QuerySyntaxError,
    SearchRequest,
    SearchWindowError,
    open_backend,
)
from patent_search.search.cursor import CursorCodec, CursorPosition
from patent_search.search.fields import flatten
from patent_search.search.opensearch_backend import OpenSearchBackend, search_body
from patent_search.search.opensearch_dsl import index_body, translate
from patent_search.search.query import parse
from patent_search.settings import from_environ

URL = os.environ.get("IPGOV_TEST_OPENSEARCH_URL", "")
A, B = frozenset({"col-a"}), frozenset({"col-b"})
DEFAULT_FIELDS = ("title", "abstract", "claims", "description")


# ---- translation (no server) --------------------------------------------------------------

def test_bare_word_searches_the_boosted_default_fields():
    query = translate(parse("neural"))
    branches = query["dis_max"]["queries"]
    assert [next(iter(b["match_phrase"])) for b in branches] == list(DEFAULT_FIELDS)
    assert [next(iter(b["match_phrase"].values()))["boost"] for b in branches] == [3, 2, 1.5, 0.5]


def test_default_and_not_or_and_fields():
    query = translate(parse('title:"neural network" OR abstract:robot NOT baseball'))
    first, second = query["bool"]["should"]
    assert first == {"match_phrase": {"title": {"query": "neural network", "boost": 1.0}}}
    assert second["bool"]["must"] == [
        {"match_phrase": {"abstract": {"query": "robot", "boost": 1.0}}}]
    assert second["bool"]["must_not"][0]["dis_max"]["queries"][0] == {
        "match_phrase": {"title": {"query": "baseball", "boost": 3.0}}}
    assert query["bool"]["minimum_should_match"] == 1


def test_filters_score_zero_and_cpc_is_a_prefix():
    assert translate(parse("cpc:G06N3")) == {"bool": {"filter": [{"prefix": {"cpc": "G06N3/"}}]}}
    assert translate(parse("cpc:h04l")) == {"bool": {"filter": [{"prefix": {"cpc": "H04L"}}]}}
    assert translate(parse("date:[2015-01-01 TO 2020-12-31]")) == {
        "bool": {"filter": [{"range": {"pd": {"gte": 20150101, "lte": 20201231}}}]}}
    assert translate(parse("pd>2018")) == {
        "bool": {"filter": [{"range": {"pd": {"gte": 20190101}}}]}}
    assert translate(parse("cc:wo")) == {"bool": {"filter": [{"term": {"jurisdiction": "WO"}}]}}
    assert translate(parse("pn:US-10,123,456-B2")) == {
        "bool": {"filter": [{"term": {"pn": "US10123456B2"}}]}}


def test_pure_negation_matches_everything_else():
    assert translate(parse("NOT cpc:A61K")) == {"bool": {
        "filter": [{"match_all": {}}],
        "must_not": [{"bool": {"filter": [{"prefix": {"cpc": "A61K"}}]}}]}}


def test_chinese_goes_to_the_bigram_subfield_and_mixed_text_to_both():
    zh = translate(parse("title:跨链去中心化"))
    assert zh == {"match_phrase": {"title.zh": {"query": "跨链去中心化", "boost": 1.0}}}
    mixed = translate(parse('"抗COVID-19的高活性化合物"'))
    parts = mixed["bool"]["must"]
    assert [next(iter(p["dis_max"]["queries"][0]["match_phrase"])) for p in parts] == [
        "title.zh", "title", "title.zh"]
    assert next(iter(parts[1]["dis_max"]["queries"][0]["match_phrase"].values()))["query"] == \
        "COVID-19"


def test_wildcard_is_a_prefix_query():
    assert translate(parse("title:neur*")) == {"prefix": {"title": {"value": "neur",
                                                                    "boost": 1.0}}}


def test_mapping_declares_every_analyzer_it_uses():
    body = index_body()
    analyzers = body["settings"]["analysis"]["analyzer"]
    properties = body["mappings"]["properties"]
    for name, spec in properties.items():
        for used in [spec.get("analyzer")] + [f.get("analyzer") for f in
                                              spec.get("fields", {}).values()]:
            assert used is None or used in analyzers, name
    assert properties["applicant_kw"] == {"type": "keyword"}  # exact names for landscapes
    assert body["mappings"]["dynamic"] == "strict"
    # every indexed value has a mapped field (a strict mapping refuses anything else)
    document = flatten(IndexDoc.of("t", "c", record("1", "x", "APPLICANT", ("H04L9/32",))))
    assert set(document) == set(properties)


def test_search_body_filters_collections_sorts_by_key_and_resumes_after_the_cursor():
    request = SearchRequest("neural", frozenset({"b", "a"}), limit=5, facets=True)
    body = search_body(request, CursorPosition(5, 1.25, -7, "a:US-1-"))
    assert body["query"]["bool"]["filter"] == [{"terms": {"collection_id": ["a", "b"]}}]
    assert body["sort"] == [{"_score": "desc"}, {"key_order": "asc"}, {"key": "asc"}]
    assert body["search_after"] == [1.25, -7, "a:US-1-"]
    facets = {"cpc_subclass", "cpc_group", "jurisdiction", "year", "assignee"}
    assert set(body["aggs"]) == facets | {f"{f}__missing" for f in facets}
    assert body["aggs"]["cpc_subclass__missing"] == {"missing": {"field": "cpc_subclass"}}
    assert body["aggs"]["year__missing"] == {"filter": {"term": {"year": 0}}}
    assert body["highlight"]["encoder"] == "html"
    dated = search_body(SearchRequest("*", frozenset({"a"}), sort="date"), None)
    assert dated["sort"][0] == {"pd": "desc"} and dated["query"]["bool"]["must"] == []


def test_open_backend_selects_opensearch_from_the_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("IPGOV_SEARCH_URL", raising=False)
    settings = from_environ({}).replaced(search_url="http://127.0.0.1:9")
    backend = open_backend(tmp_path, settings)
    assert isinstance(backend, OpenSearchBackend)
    assert backend.count(frozenset()) == 0  # answered without a call: empty set is nothing
    monkeypatch.setenv("IPGOV_SEARCH_URL", "http://127.0.0.1:9")
    assert isinstance(open_backend(tmp_path, from_environ(os.environ)), OpenSearchBackend)


def test_bad_requests_fail_before_any_call():
    backend = OpenSearchBackend("http://127.0.0.1:9", cursors=CursorCodec(b"k" * 32))
    with pytest.raises(QuerySyntaxError):
        backend.search(SearchRequest("(neural", A))
    with pytest.raises(SearchWindowError):
        backend.search(SearchRequest("neural", A, limit=500))
    with pytest.raises(InvalidCursorError):
        backend.search(SearchRequest("neural", A, cursor="forged.cursor"))


# ---- a real cluster -----------------------------------------------------------------------

def record(number: str, title: str, applicant: str = "", cpc: tuple[str, ...] = (),
           country: str = "US", published: str = "2020-01-07") -> PatentRecord:
    return PatentRecord(canonical_number(country, number, "A"), country, number, "A",
                        title=title, applicants=[applicant] if applicant else [],
                        cpc=list(cpc), publication_date=date.fromisoformat(published))


@pytest.fixture
def cluster():
    if not URL:
        pytest.skip("IPGOV_TEST_OPENSEARCH_URL is not set")
    backend = OpenSearchBackend(URL, index=f"ipgov-test-{uuid.uuid4().hex[:12]}")
    docs = [IndexDoc.of("t1", "col-a", record(str(100 + i), f"neural network variant {i}",
                                              cpc=("G06N3/08",))) for i in range(25)]
    docs += [
        IndexDoc.of("t1", "col-a", record("113783949", "一种基于合约管理的跨链去中心化方法",
                                          "浙商银行股份有限公司", ("H04L9/32",), "CN")),
        IndexDoc.of("t1", "col-a", record("113783950", "跨链身份管理与跨链验证方法",
                                          "浙商银行股份有限公司", ("H04L9/32",), "CN")),
        IndexDoc.of("t2", "col-b", record("113790001", "跨链交易去中心化系统",
                                          "浙商银行股份有限公司", ("H04L9/32",), "CN")),
    ]
    backend.upsert(docs)
    backend.upsert(docs[:5])  # replaces, never duplicates
    backend.refresh()
    yield backend
    backend.drop_index()


def test_live_pages_isolation_chinese_and_counts(cluster):
    assert cluster.count(A) == 27 and cluster.count(B) == 1
    keys, cursor = [], None
    while True:
        page = cluster.search(SearchRequest("neural", A, limit=4, cursor=cursor))
        keys += [h.key for h in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(keys) == len(set(keys)) == 25
    first = cluster.search(SearchRequest("跨链去中心化", A))
    assert first.hits[0].publication_number == "CN-113783949-A"
    assert all(h.collection_id == "col-a" for h in first.hits)
    assert "<mark>" in " ".join(first.hits[0].snippets.values())
    counts = {f.symbol: f.count for f in cluster.aggregate("*", A, "applicant", 10)}
    assert counts == {"浙商银行股份有限公司": 2}
    facets = cluster.search(SearchRequest("cpc:G06N", A, facets=True)).facets
    assert facets["cpc_group"][0].symbol == "G06N3/00" and facets["cpc_group"][0].count == 25
    assert facets["cpc_group"][0].title == "Computing arrangements based on biological models"
    cluster.delete_collection("col-b")
    assert cluster.count(B) == 0 and cluster.count(A) == 27
