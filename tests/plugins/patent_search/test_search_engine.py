"""The embedded (tantivy) patent search engine on real records.

The corpus: PatentsView grants (title, abstract, date) for "neural network" and "baseball",
Lens records with CPC/IPC and applicants, and CNIPA records whose text is copied from the CN XML
samples in ``/work/shared/data/patents/cn-jp-wipo/examples``. Collection A belongs to one tenant,
collection B to another; B holds documents whose words also occur in A, so a leak shows.
"""

from __future__ import annotations

import csv
import json
import re
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from patent_search.ingest.model import PatentRecord, canonical_number
from patent_search.search import (
    CpcScheme,
    IndexDoc,
    InvalidCursorError,
    QuerySyntaxError,
    SearchRequest,
    SearchWindowError,
    open_backend,
)
from patent_search.search.cpc import ATTRIBUTION, BUNDLED_TITLES
from patent_search.search.fields import key_order
from patent_search.search.tantivy_backend import TantivyBackend
from patent_search.settings import from_environ

DATA = Path("/work/shared/data/patents")
CPC_DIR = DATA / "cpc" / "CPCTitleList202505"
A, B = frozenset({"col-a"}), frozenset({"col-b"})

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared patent data not mounted")


# ---- corpus -------------------------------------------------------------------------------

def patentsview(name: str, limit: int) -> list[PatentRecord]:
    """Grants from a PatentsView query export (number, title, abstract, date)."""
    path = DATA / "csv" / "patentsview_query" / f"{name}_patent_query.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:limit]
    return [PatentRecord(
        publication_number=canonical_number("US", row["patent_number"]), country="US",
        doc_number=row["patent_number"], title=row["patent_title"].strip().strip('"'),
        abstract=row["patent_abstract"].strip().strip('"'),
        publication_date=date.fromisoformat(row["patent_date"]), source_format="patentsview",
        source_file=str(path), source_locator=f"line {i + 2}") for i, row in enumerate(rows)]


def lens(limit: int) -> list[PatentRecord]:
    """Lens records: multi-jurisdiction, with CPC/IPC, applicants and inventors."""
    path = DATA / "lens" / "Coronavirus-SARS-treatment.jsonl"
    records = []
    for line in path.read_text(encoding="utf-8").splitlines()[:limit]:
        row = json.loads(line)
        country, *number, kind = row["publicationKey"].split("_")
        records.append(PatentRecord(
            publication_number=canonical_number(country, "".join(number), kind),
            country=country, doc_number="".join(number), kind=kind, title=row["title"],
            publication_date=date.fromisoformat(row["publicationDate"]),
            cpc=row["cpcClassifications"], ipc=row["ipcrClassifications"],
            applicants=row["applicants"], inventors=row["inventors"], source_format="lens"))
    return records


def cn(number: str, title: str, abstract: str, applicant: str, ipc: list[str],
       published: str) -> PatentRecord:
    return PatentRecord(publication_number=canonical_number("CN", number, "A"), country="CN",
                        doc_number=number, kind="A", title=title, abstract=abstract,
                        applicants=[applicant], ipc=ipc, cpc=ipc, language="zh",
                        publication_date=date.fromisoformat(published), source_format="cnipa")


# Text copied from the CNIPA samples cn_new1/2/3.xml and cn_old1.xml; the second 浙商银行
# record is hand-written from sentences of cn_new2's abstract.
CHINESE = [
    cn("113781974", "显示设备",
       "公开了一种显示设备。显示设备包括排列成多行和多列的多个像素、处于第一方向且连接至像素的多条栅线"
       "以及连接至像素的多条数据线。", "三星显示有限公司", ["G09G3/36"], "2021-12-10"),
    cn("113783949", "一种基于合约管理的跨链去中心化方法",
       "本发明公开了一种基于合约管理的跨链去中心化方法，该方法中跨链通信部分包括三个链路：来源链节点与"
       "代理节点通信、代理节点之间通信、代理节点与目的链节点通信；跨链代理节点负责跨链注册、跨链身份管理、"
       "跨链验证、跨链路由、跨链去中心化策略管理等。", "浙商银行股份有限公司",
       ["H04L29/08", "H04L9/32", "G06Q40/04"], "2021-12-10"),
    cn("113783950", "跨链身份管理与跨链验证方法",
       "代理节点之间，以及代理节点与区块链节点之间通信均需要满足去中心化策略。本发明方法能够实现跨链交易"
       "去中心化，防止单点作恶风险。", "浙商银行股份有限公司", ["H04L9/32"], "2021-12-10"),
    cn("113784721", "抗COVID-19的高活性化合物",
       "本发明是以有效量施用的嘌呤核苷酸氨基磷酸酯或其药学上可接受的盐用于在需要的宿主(例如人类)中治疗"
       "或预防COVID-19，由SARS CoV-2病毒引起的感染的用途。", "阿堤亚制药公司",
       ["A61K31/7076", "A61P31/14"], "2021-12-10"),
    cn("104223352", "一种甘草发酵所得烟用香料及其应用",
       "本发明公开了一种甘草发酵所得烟用香料及其应用。从烤烟新鲜烟叶中分离了一株优势微生物，分类命名为"
       "长孢洛德酵母(Lodderomyces elongisporus)。", "云南中烟工业有限责任公司",
       ["A24B15/18", "C12P1/02"], "2014-12-24"),
]
# Collection B (another tenant): more 浙商银行 and baseball text that must never leak into A.
CHINESE_B = [
    cn("113790001", "跨链交易去中心化系统",
       "跨链管理合约部署在区块链节点上，负责共识验证代理节点与区块链节点之间通信的去中心化策略。",
       "浙商银行股份有限公司", ["H04L9/32"], "2021-12-17"),
]


class Corpus:
    """The records of each collection, for brute-force expectations."""

    def __init__(self) -> None:
        neural = patentsview("neural_network", 150)
        baseball = patentsview("baseball", 120)
        self.a = neural + baseball[:60] + lens(150) + CHINESE
        self.b = baseball[60:] + CHINESE_B

    def docs(self) -> list[IndexDoc]:
        return ([IndexDoc.of("tenant-1", "col-a", r) for r in self.a]
                + [IndexDoc.of("tenant-2", "col-b", r) for r in self.b])


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus()


@pytest.fixture(scope="module")
def full_cpc() -> CpcScheme:
    return CpcScheme.load(CPC_DIR)


@pytest.fixture(scope="module")
def engine(corpus: Corpus) -> TantivyBackend:
    backend = TantivyBackend(None)
    assert backend.upsert(corpus.docs()) == len(corpus.a) + len(corpus.b)
    return backend


def search(engine: TantivyBackend, query: str, collections: frozenset[str] = A, **kw):
    return engine.search(SearchRequest(query, collections, **kw))


def all_pages(engine: TantivyBackend, query: str, limit: int, **kw):
    """Every hit of a query, page by page."""
    hits, cursor, pages = [], None, 0
    while True:
        page = engine.search(SearchRequest(query, A, limit=limit, cursor=cursor, **kw))
        hits += page.hits
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            return hits, page.total, pages


def words(text: str) -> set[str]:
    return set(re.findall(r"[0-9a-z]+", text.lower()))


def text_of(record: PatentRecord) -> str:
    return " ".join([record.title, record.abstract, *record.claims, record.description])


# ---- query language -----------------------------------------------------------------------

def test_bare_terms_default_to_and_over_title_abstract(engine, corpus):
    page = search(engine, "baseball glove", limit=100)
    expected = {r.publication_number for r in corpus.a
                if {"baseball", "glove"} <= words(text_of(r)) | {w[:-1] for w in words(text_of(r))}}
    assert page.total == len(expected) > 0
    assert {h.publication_number for h in page.hits} == expected


def test_field_phrase_matches_only_the_phrase_in_that_field(engine, corpus):
    phrase = re.compile(r"\bneural[^0-9a-z]+network")
    expected = {r.publication_number for r in corpus.a if phrase.search(r.title.lower())}
    hits, total, _ = all_pages(engine, 'title:"neural network"', 100)
    assert total == len(expected) > 10
    assert {h.publication_number for h in hits} == expected


def test_boolean_not_and_or_with_parentheses(engine, corpus):
    hits, total, _ = all_pages(engine, "baseball NOT bat", 100)
    assert total > 0
    by_number = {r.publication_number: r for r in corpus.a}
    for hit in hits:
        text = words(text_of(by_number[hit.publication_number]))
        assert "baseball" in text and not text & {"bat", "bats"}
    either = search(engine, "(glove OR mitt) AND baseball", limit=100)
    assert either.total >= search(engine, "glove baseball", limit=100).total
    assert either.total > search(engine, "glove mitt baseball", limit=100).total


def test_date_range_year_and_comparison(engine, corpus):
    def count(low, high):
        return sum(1 for r in corpus.a if r.publication_date and low <= r.publication_date <= high)

    ranged = search(engine, "date:[2015-01-01 TO 2016-12-31]", limit=100)
    assert ranged.total == count(date(2015, 1, 1), date(2016, 12, 31)) > 0
    assert all(date(2015, 1, 1) <= h.publication_date <= date(2016, 12, 31) for h in ranged.hits)
    assert search(engine, "year:2008").total == count(date(2008, 1, 1), date(2008, 12, 31)) > 0
    assert search(engine, "pd>=2018").total == count(date(2018, 1, 1), date(9999, 1, 1)) > 0
    assert search(engine, "pd<2000-01-01").total == count(date(1, 1, 1), date(1999, 12, 31)) > 0


def test_cpc_prefix_at_subclass_and_main_group(engine, corpus):
    for query, prefix in (("cpc:A61K", "A61K"), ("cpc:A61K31/", "A61K31/"),
                          ("cpc:c07k14", "C07K14/")):
        expected = {r.publication_number for r in corpus.a
                    if any(c.startswith(prefix) for c in r.cpc)}
        hits, total, _ = all_pages(engine, query, 100)
        assert total == len(expected) > 0, query
        assert {h.publication_number for h in hits} == expected
        assert all(any(c.startswith(prefix) for c in h.cpc) for h in hits)


def test_wildcard_and_publication_number(engine, corpus):
    prefixed = search(engine, "neur*", limit=100)
    assert prefixed.total >= search(engine, "neural").total > 0
    assert search(engine, "pn:US-5535303").hits[0].title.startswith('"Barometer"') or \
        search(engine, "pn:US-5535303").hits[0].publication_number == "US-5535303-"
    assert search(engine, "pn:5535303").total == 1
    assert search(engine, "jurisdiction:WO").total == sum(1 for r in corpus.a if r.country == "WO")
    assert search(engine, "cc:cn").total == len(CHINESE)


def test_party_and_ipc_fields(engine, corpus):
    name = "KILPATRICK LAURIE ELLEN"
    expected = {r.publication_number for r in corpus.a if name in r.inventors}
    assert {h.publication_number for h in search(engine, f'inventor:"{name}"').hits} == expected
    applicant = {h.publication_number
                 for h in search(engine, 'applicant:"PHILADELPHIA CHILDREN HOSPITAL"').hits}
    assert applicant == {r.publication_number for r in corpus.a
                         if "PHILADELPHIA CHILDREN HOSPITAL" in r.applicants} != set()
    ipc = search(engine, "ipc:C12N15", limit=100)
    assert ipc.total == sum(1 for r in corpus.a if any(c.startswith("C12N15/") for c in r.ipc))
    assert ipc.total > 0


@pytest.mark.parametrize(("query", "position", "says"), [
    ("(neural OR network", 0, "never closed"),
    ("neural) network", 6, "no matching"),
    ('title:"neural network', 6, "closing"),
    ("inventer:smith", 0, "unknown field 'inventer'"),
    ("baseball date:2019-02-30", 14, "bad date"),
    ("date:[2015 TO]", 5, "bad range"),
    ("neural AND", 10, "after AND"),
    ("ne*ral", 2, "end of a word"),
    ("title:", 6, "expected a value"),
    ("", 0, "empty query"),
    ("neural &&", 7, "no searchable word"),
    ("cpc:H04L date:[2019 TO 2018]", 14, "after the end"),
])
def test_syntax_errors_name_the_position(engine, query, position, says):
    with pytest.raises(QuerySyntaxError) as raised:
        search(engine, query)
    assert raised.value.position == position
    assert says in raised.value.message


def test_query_is_bounded_to_fifty_clauses(engine):
    terms = [f"w{i}" for i in range(51)]
    with pytest.raises(QuerySyntaxError) as raised:
        search(engine, " OR ".join(terms))
    assert raised.value.position == " OR ".join(terms).index("w50")
    assert "at most 50" in raised.value.message
    assert search(engine, " OR ".join(terms[:50])).total == 0


# ---- ranking, highlighting, facets --------------------------------------------------------

def test_title_match_outranks_abstract_only_match(engine, corpus):
    page = search(engine, "barometer", limit=10)
    assert page.hits[0].publication_number == "US-5535303-"
    assert page.hits[0].score > 0
    scores = [h.score for h in page.hits]
    assert scores == sorted(scores, reverse=True)


def test_highlights_are_escaped_and_marked(engine):
    hit = search(engine, "barometer").hits[0]
    title = hit.snippets["title"]
    assert "<mark>Barometer</mark>" in title
    assert "&quot;" in title and '"' not in title.replace("<mark>", "").replace("</mark>", "")
    assert "<mark>" in hit.snippets["abstract"]
    wildcard = search(engine, "title:baseb*").hits[0]
    assert re.search(r"<mark>baseball</mark>", wildcard.snippets["title"], re.I)
    assert search(engine, "barometer", highlight=False).hits[0].snippets == {}


def test_facets_count_documents_with_real_cpc_titles(engine, corpus, full_cpc):
    page = search(engine, "cpc:A61K", facets=True)
    matching = [r for r in corpus.a if any(c.startswith("A61K") for c in r.cpc)]
    subclasses = {f.symbol: f for f in page.facets["cpc_subclass"]}
    assert subclasses["A61K"].count == len(matching)
    assert subclasses["A61K"].title.startswith("PREPARATIONS FOR MEDICAL, DENTAL OR TOILET")
    full = full_cpc
    for facet in page.facets["cpc_group"]:
        expected = sum(1 for r in matching if any(c.split("/")[0] + "/00" == facet.symbol
                                                  for c in r.cpc))
        assert facet.count == expected
        # indexing-code heads such as A61K2039/00 have no title in the scheme: symbol shown
        assert facet.title == (full.title(facet.symbol) or facet.symbol)
    titled = [f for f in page.facets["cpc_group"] if f.title != f.symbol]
    assert len(titled) >= len(page.facets["cpc_group"]) - 2
    years = {f.symbol: f.count for f in page.facets["year"]}
    assert sum(years.values()) == len(matching)
    assert set(page.facets) == {"cpc_subclass", "cpc_group", "jurisdiction", "year", "assignee"}


def test_facets_say_how_many_matches_carry_no_value(engine, corpus):
    page = search(engine, "*", facets=True)
    without_cpc = sum(1 for r in corpus.a if not r.cpc)
    without_owner = sum(1 for r in corpus.a if not (r.assignees or r.applicants))
    assert 0 < without_cpc < len(corpus.a)  # PatentsView rows carry no CPC codes
    assert page.facet_missing["cpc_subclass"] == page.facet_missing["cpc_group"] == without_cpc
    assert page.facet_missing["assignee"] == without_owner
    assert page.facet_missing["year"] == sum(1 for r in corpus.a if not r.publication_date)
    assert sum(f.count for f in page.facets["jurisdiction"]) + page.facet_missing[
        "jurisdiction"] == page.total


# ---- pagination ---------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "sort"), [
    ("neural", "relevance"),  # BM25 scores with ties
    ("cpc:A61K", "relevance"),  # filter only: every hit ties
    ("coronavirus OR cpc:A61K", "relevance"),  # scored hits, then a large tie at score 0
    ("baseball OR neural", "date"),  # many grants share a publication day
])
def test_cursor_pages_return_every_hit_once_in_a_stable_order(engine, query, sort):
    everything = search(engine, query, limit=100, sort=sort)
    hits, total, pages = all_pages(engine, query, 7, sort=sort)
    keys = [h.key for h in hits]
    assert len(keys) == len(set(keys)) == total == everything.total
    assert pages == -(-total // 7)
    if total <= 100:
        assert keys == [h.key for h in everything.hits]
    values = [(-(h.score if sort == "relevance" else int(h.publication_date.strftime("%Y%m%d"))),
               key_order(h.key)) for h in hits]
    assert values == sorted(values)  # ties ordered by the key's digest
    assert hits == all_pages(engine, query, 7, sort=sort)[0]


def test_tampered_or_foreign_cursor_is_refused(engine):
    cursor = search(engine, "neural", limit=5).next_cursor
    assert cursor
    payload, mac = cursor.split(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac
    for bad in (forged, cursor[:-3], "not-a-cursor", cursor + "x"):
        with pytest.raises(InvalidCursorError):
            search(engine, "neural", limit=5, cursor=bad)
    with pytest.raises(InvalidCursorError):
        search(engine, "network", limit=5, cursor=cursor)
    with pytest.raises(InvalidCursorError):
        engine.search(SearchRequest("neural", A | B, limit=5, cursor=cursor))


def test_result_window_is_bounded():
    backend = TantivyBackend(None)
    records = [PatentRecord(canonical_number("US", str(7_000_000 + i)), "US", str(7_000_000 + i),
                            title=f"widget variant {i}") for i in range(1_010)]
    backend.upsert(IndexDoc.of("t", "col-a", r) for r in records)
    cursor, seen = None, 0
    for _ in range(10):
        page = backend.search(SearchRequest("widget", A, limit=100, cursor=cursor))
        seen += len(page.hits)
        cursor = page.next_cursor
    assert seen == 1_000 and cursor
    with pytest.raises(SearchWindowError, match="first 1000"):
        backend.search(SearchRequest("widget", A, limit=100, cursor=cursor))
    with pytest.raises(SearchWindowError, match="limit"):
        backend.search(SearchRequest("widget", A, limit=101))


# ---- tenant isolation ---------------------------------------------------------------------

def test_collection_filter_never_leaks_other_collections(engine, corpus):
    b_keys = {f"col-b:{r.publication_number}" for r in corpus.b}
    for query in ("baseball", "跨链", "*", "applicant:浙商银行", "baseball OR neural"):
        page = engine.search(SearchRequest(query, A, limit=100, facets=True))
        assert not {h.key for h in page.hits} & b_keys, query
        assert all(h.collection_id == "col-a" for h in page.hits)
    in_b = search(engine, "跨链交易去中心化系统", B)
    assert in_b.hits[0].key == "col-b:CN-113790001-A"
    assert search(engine, '"跨链交易去中心化系统"', A).total == 0
    assert engine.count(A) == len(corpus.a) and engine.count(B) == len(corpus.b)
    both = engine.search(SearchRequest("baseball", A | B, limit=1))
    assert both.total == search(engine, "baseball").total + search(engine, "baseball", B).total
    a_years = {f.symbol: f.count for f in engine.aggregate("baseball", A, "year", 100)}
    assert sum(a_years.values()) == search(engine, "baseball").total


def test_empty_collection_set_means_nothing_not_everything(engine):
    nothing = frozenset()
    page = engine.search(SearchRequest("baseball", nothing, facets=True))
    assert (page.hits, page.total, page.next_cursor, page.facets) == ([], 0, None, {})
    assert engine.count(nothing) == 0
    assert engine.aggregate("*", nothing, "applicant", 10) == []


# ---- Chinese ------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "number"), [
    ("显示设备", "CN-113781974-A"),
    ("跨链去中心化方法", "CN-113783949-A"),
    ("甘草 发酵", "CN-104223352-A"),
    ("COVID-19 高活性化合物", "CN-113784721-A"),  # mixed Chinese and English
    ("高活性 covid", "CN-113784721-A"),
    ("title:跨链身份管理", "CN-113783950-A"),
    ('"洛德酵母" elongisporus', "CN-104223352-A"),
])
def test_chinese_and_mixed_queries_rank_the_source_document_first(engine, query, number):
    page = search(engine, query)
    assert page.hits and page.hits[0].publication_number == number
    marked = " ".join(page.hits[0].snippets.values())
    assert "<mark>" in marked


def test_chinese_substring_inside_a_word_matches(engine):
    assert {h.publication_number for h in search(engine, "applicant:商银行").hits} == {
        "CN-113783949-A", "CN-113783950-A"}
    assert [h.publication_number for h in search(engine, "跨链 NOT 作恶").hits] == [
        "CN-113783949-A"]
    assert search(engine, "链去中").hits[0].publication_number == "CN-113783949-A"


def test_chinese_applicants_are_counted_as_exact_names(engine, corpus):
    counts = {f.symbol: f.count for f in engine.aggregate("*", A, "applicant", 1000)}
    assert counts["浙商银行股份有限公司"] == 2
    assert counts["云南中烟工业有限责任公司"] == 1
    assert "浙商银行" not in counts and "银行" not in counts
    expected = {}
    for record in corpus.a:
        for name in set(record.applicants):
            expected[name] = expected.get(name, 0) + 1
    assert counts == expected
    both = {f.symbol: f.count for f in engine.aggregate("跨链", A | B, "applicant", 10)}
    assert both == {"浙商银行股份有限公司": 3}
    assignees = {f.symbol: f.count for f in engine.aggregate("*", A, "assignee", 1000)}
    assert assignees["浙商银行股份有限公司"] == 2  # no assignee given: the applicant owns it
    with pytest.raises(ValueError, match="cannot aggregate by"):
        engine.aggregate("*", A, "colour", 10)


# ---- writes -------------------------------------------------------------------------------

def test_upsert_replaces_by_key_without_duplicates(tmp_path):
    backend = open_backend(tmp_path, from_environ({}))
    record = CHINESE[0]
    backend.upsert([IndexDoc.of("t", "col-a", record)] * 3)
    changed = PatentRecord(**{**record.__dict__, "title": "显示面板与驱动电路"})
    backend.upsert([IndexDoc.of("t", "col-a", changed)])
    assert backend.count(A) == 1
    assert search(backend, "title:驱动电路").total == 1
    assert search(backend, "title:显示设备").total == 0
    assert (tmp_path / "patent-index" / "meta.json").exists()


def test_delete_collection_and_keys(tmp_path):
    backend = TantivyBackend(tmp_path / "index")
    backend.upsert([IndexDoc.of("t1", "col-a", r) for r in CHINESE]
                   + [IndexDoc.of("t2", "col-b", r) for r in CHINESE_B + CHINESE[:2]])
    backend.delete_collection("col-b")
    assert backend.count(B) == 0 and backend.count(A) == len(CHINESE)
    backend.delete_keys([f"col-a:{CHINESE[0].publication_number}"])
    assert backend.count(A) == len(CHINESE) - 1
    reopened = TantivyBackend(tmp_path / "index")
    assert reopened.count(A) == len(CHINESE) - 1


def test_writer_waits_for_another_writer_and_readers_reload(tmp_path):
    indexer = TantivyBackend(tmp_path / "index")
    api = TantivyBackend(tmp_path / "index")  # as another process would open it
    held = indexer.index.writer(15_000_000, 1)  # someone else holds the index lock
    released = threading.Event()

    def release_soon() -> None:
        time.sleep(0.1)
        held.wait_merging_threads()
        released.set()

    threading.Thread(target=release_soon).start()
    assert api.upsert([IndexDoc.of("t", "col-a", CHINESE[1])]) == 1
    assert released.is_set()
    indexer.refresh()
    assert indexer.count(A) == 1


# ---- CPC scheme ---------------------------------------------------------------------------

def test_cpc_scheme_titles_and_ancestors(full_cpc):
    full = full_cpc
    assert len(full) > 260_000
    assert full.title("H01B 1/128").startswith("comprising six-membered aromatic rings")
    assert full.ancestors("H01B1/128") == ["H", "H01", "H01B", "H01B1/00", "H01B1/06",
                                           "H01B1/12", "H01B1/124"]
    bundled = CpcScheme.bundled()
    assert bundled.title("G06N3/00") == full.title("G06N3/00") == \
        "Computing arrangements based on biological models"
    assert bundled.title("G06N") == full.title("G06N") != ""
    assert bundled.title("G06N3/08") == ""  # subgroups only in the full scheme
    import gzip
    with gzip.open(BUNDLED_TITLES, "rt", encoding="utf-8") as handle:
        assert ATTRIBUTION in handle.readline()
