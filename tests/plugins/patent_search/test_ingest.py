"""Patent ingestion against the real data in ``shared/data/patents``: every file is read,
per-format values are checked against the documents, bad input gives precise errors and large
concatenated files stream in bounded memory."""

from __future__ import annotations

import os
import re
import tracemalloc
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from patent_search.ingest import (
    FORMATS,
    IngestError,
    PatentRecord,
    canonical_number,
    detect_format,
    ingest_stats,
    iter_file,
    iter_path,
    summarise,
)
from patent_search.ingest.text import compact_ipc, normalise_class, parse_date, person_name
from patent_search.ingest.xmldoc import split_documents

DATA = Path(os.environ.get("IPGOV_PATENT_DATA")
            or Path(__file__).parents[3].parent / "shared/data/patents")
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"no patent data at {DATA}")

# Files that hold no patent publication, and why.
NON_DOCUMENTS = {
    "SOURCES.md": "readme",
    "lens/README.md": "readme",
    "us-xml/uspto-samples/LICENSE": "licence",
    "us-xml/uspto-samples/cpcMaster/cpcMaster.xml": "CPC master classification file",
    "us-xml/uspto-samples/cpcScheme/cpc-scheme-A01L.xml": "CPC scheme XML",
    "us-xml/uspto-samples/xml4ip/sample_XML4IP.ZIP": "IFW file-wrapper papers, no publication",
    "epo/docdb/bdds_index/statistics_202324_Amend_001.csv": "DOCDB statistics index",
    "cn-jp-wipo/st36_wipo_examples/st36aexample/toc.xml": "ST.36 package table of contents",
    "cn-jp-wipo/st36_wipo_examples/st36bexample/toc.xml": "ST.36 package table of contents",
    **{f"cpc/CPCTitleList202505/cpc-section-{s}_20250501.txt": "CPC title list"
       for s in "ABCDEFGHY"},
    **{f"us-xml/weekly-bulk-excerpts/xml/patent_{n}_unparsed_{suffix}.xml": "sequence listing"
       for n, suffix in [("one", "dna"), ("five", "dna"), ("seven", "dna"), ("eight", "dna"),
                         ("nine", "dna"), ("ten", "dna"), ("six", "")]},
}
# The deliberately broken copies: (field at fault, words the message must contain).
BROKEN = {
    "us-xml/with-broken-variants/US08613112-notSupportedDTD.XML":
        ("dtd", "unsupported DTD 'us-patent-grant-v44-2013-05-16test.dtd'"),
    "us-xml/with-broken-variants/US08613112-lackofnode.XML":
        ("abstract", "missing node abstract"),
}


def _all_files() -> list[str]:
    if not DATA.is_dir():
        return []
    return sorted(str(p.relative_to(DATA)) for p in DATA.rglob("*") if p.is_file())


@cache
def _items(relative: str) -> tuple[PatentRecord | IngestError, ...]:
    """A file's records and errors, read once per test session."""
    return tuple(iter_file(DATA / relative))


def _one(relative: str, index: int = 0) -> PatentRecord:
    record = _items(relative)[index]
    assert isinstance(record, PatentRecord), record
    return record


def _records(relative: str) -> list[PatentRecord]:
    items = list(_items(relative))
    assert all(isinstance(i, PatentRecord) for i in items), [str(i) for i in items][:3]
    return items


# ---------------------------------------------------------------- every file, one way or another

@pytest.mark.parametrize("relative", _all_files())
def test_every_file_parses_is_a_known_non_document_or_a_known_broken_one(relative):
    path = DATA / relative
    source_format = detect_format(path)
    if relative in NON_DOCUMENTS:
        assert source_format is None
        return
    assert source_format in FORMATS, f"{relative}: not detected"
    items = _items(relative)
    errors = [i for i in items if isinstance(i, IngestError)]
    if relative in BROKEN:
        field, words = BROKEN[relative]
        assert [(e.field, words in e.message) for e in errors] == [(field, True)]
        assert errors[0].file == str(path) and errors[0].document.startswith("document 1")
        return
    assert not errors, [str(e) for e in errors]
    assert items, f"{relative}: no records"
    for record in items:
        assert re.fullmatch(r"[A-Z]{2}-[A-Z0-9]+-[A-Z0-9]*", record.publication_number)
        assert record.source_file == str(path) and record.source_locator
        assert record.source_format in FORMATS


def test_detected_formats_cover_every_format_name():
    office_answers = Path(__file__).parent / "fixtures/office_api"  # recorded API answers
    found = {detect_format(f) for f in [*(DATA / f for f in _all_files()),
                                        *office_answers.iterdir()]} - {None}
    assert found == set(FORMATS)


# ---------------------------------------------------------------- USPTO

def test_v47_grant_title_claims_cpc_inventors_dates_citations():
    record = _one("us-xml/v4.7-fulltext/US12207575-20250128.XML")
    assert record.publication_number == "US-12207575-B2"
    assert record.title == "Apparatus for combining planting implements"
    assert len(record.claims) == 20
    assert record.claims[0].startswith("1. An apparatus for combining planting implements "
                                       "comprising: a support frame")
    assert record.cpc == ["A01B49/06", "A01B59/043", "A01B59/066", "A01C7/08", "A01C7/208",
                          "A01C15/005", "A01C17/001", "B60D1/07"]
    assert "A01C15/00" in record.ipc
    assert record.inventors == ["Jeffrey Howard Cromwell"]
    assert (record.publication_date, record.filing_date) == (date(2025, 1, 28), date(2023, 9, 28))
    assert record.citations[:2] == ["US-2531768-A", "US-2888997-A"]
    assert record.description.startswith("CROSS-REFERENCE TO RELATED APPLICATIONS\n")


def test_weekly_multi_document_file_yields_its_25_grants_in_order():
    records = _records("us-xml/weekly-bulk-excerpts/ipgxml/ipg050104.small.xml")
    assert len(records) == 25
    assert records[0].publication_number == "US-6836899-B1"
    assert records[0].ipc == ["A45F5/04"]  # v4.0 writes IPC fixed-width: "A45F  504"
    assert [r.source_locator for r in records[:2]] == ["document 1", "document 2"]
    assert len({r.publication_number for r in records}) == 25


def test_sequence_listings_inside_a_weekly_file_are_not_records():
    # 27 concatenated documents: 25 grants and 2 sequence listings.
    path = DATA / "us-xml/weekly-bulk-excerpts/ipgxml/ipg060103.small.xml"
    assert path.read_bytes().count(b"<?xml ") == 27
    assert len(_records(str(path.relative_to(DATA)))) == 25


def test_weekly_zip_reads_the_xml_member_only():
    records = _records("us-xml/biblio-weekly-zips/ipgb20221025_wk43.zip")
    assert len(records) == 11
    assert all(r.source_locator.startswith("member ipgb20221025.xml document ") for r in records)
    assert detect_format(DATA / "us-xml/biblio-weekly-zips/ipgb20221025_wk43.zip") == (
        "uspto_grant_xml")


def test_v40_grant_inventors_are_its_applicants_and_assignee_is_kept():
    record = _one("us-xml/uspto-samples/xml2004/US06859910.xml")
    assert record.inventors == ["John Charles Croy"]
    assert record.assignees == ["Bluestreak.com"]
    assert record.citations[0] == "US-5793966-A"


def test_st32_v25_grant():
    record = _one("us-xml/uspto-samples/sgml/US06336130.xml")
    assert record.source_format == "uspto_st32_xml"
    assert record.publication_number == "US-6336130-B1"
    assert record.title.startswith("Arrangement for improving availability of services")
    assert record.ipc == ["G06F15/16", "G06F13/00"]
    assert record.inventors == ["Thanh Van Do"]
    assert record.assignees == ["Telefonaktiebolaget LM Ericsson (publ)"]
    assert record.priority_date == date(1997, 4, 8)
    assert len(record.claims) == 22 and record.claims[0].startswith("1. An arrangement in a")


def test_st32_design_number_and_entities_become_text():
    assert _one("us-xml/by-dtd-version/grant/v2-5-S1.xml").publication_number == "US-D452599-S1"
    text = _one("us-xml/uspto-samples/sgml/US06337117.xml").description
    assert "\u201c" in text and "\u00b0" in text  # &ldquo; and &deg; kept as characters
    assert "&" not in text.replace("&amp;", "")


def test_aps_greenbook_text():
    record = _one("us-xml/uspto-samples/greenbook/US04347903.greenbook")
    assert record.source_format == "uspto_aps_text"
    assert record.publication_number == "US-4347903-A"
    assert record.title == "Electronic reading balance"
    assert record.inventors[:2] == ["Shozo Yano", "Toshiyuki Miyake"]
    assert record.assignees == ["Shimadzu Corporation"]
    assert record.ipc == ["G01G19/04", "G01G23/10", "G06F7/28"]
    assert (record.publication_date, record.priority_date) == (date(1982, 9, 7), date(1978, 7, 10))
    assert len(record.claims) == 3 and record.claims[0].startswith("1. A weighing balance")


def test_brs_text_export():
    records = _records("us-xml/uspto-samples/css_brs/css_brs_sample.txt")
    assert len(records) == 6
    first = records[0]
    assert first.publication_number == "US-9204581-B2"
    assert first.inventors == ["Long-Kun Yu", "Kuo-Liang Deng"]
    assert first.cpc == ["H05K9/0066"] and len(first.claims) == 20
    assert "CN-1402605-A" in first.citations


def test_pre_grant_publication_v15():
    record = _one("us-xml/uspto-samples/pap/US20010000943A1.xml")
    assert record.publication_number == "US-20010000943-A1"
    assert record.ipc == ["H01J1/62"]
    assert record.assignees == ["IDEMITSU KOSAN CO., LTD."]
    assert record.inventors == ["Kenichi Fukuoka", "Mitsura Eida"]


def test_broken_variant_without_doctype_reads_from_its_dtd_version_attribute():
    folder = "us-xml/with-broken-variants/"
    original = _one(folder + "US08613112-20131224.XML")
    recovered = _one(folder + "US08613112-noDTDFile.XML")
    assert (recovered.publication_number, recovered.claims) == (
        original.publication_number, original.claims)


def _variant(tmp_path: Path, old: bytes, new: bytes, pattern: bool = False) -> Path:
    data = (DATA / "us-xml/with-broken-variants/US08613112-noDTDFile.XML").read_bytes()
    data = re.sub(old, new, data, flags=re.DOTALL) if pattern else data.replace(old, new)
    out = tmp_path / "variant.xml"
    out.write_bytes(data)
    return out


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    (rb' dtd-version="[^"]*"', b"", "dtd", "DTD version is unknown"),
    (rb"<publication-reference>.*?</publication-reference>", b"", "publication-reference",
     "missing node publication-reference"),
    (rb"(<publication-reference>.*?)<doc-number>[^<]*</doc-number>", rb"\1",
     "publication_number", "no publication number"),
])
def test_broken_documents_name_the_file_document_and_field(tmp_path, old, new, field, words):
    path = _variant(tmp_path, old, new, pattern=True)
    [error] = list(iter_file(path))
    assert isinstance(error, IngestError)
    assert (error.file, error.field) == (str(path), field)
    assert error.document.startswith("document 1") and words in error.message


def test_garbled_document_in_a_multi_document_file_is_one_error_the_rest_parse(tmp_path):
    source = DATA / "us-xml/weekly-bulk-excerpts/ipgxml/ipg050104.small.xml"
    with source.open("rb") as stream:
        docs = [d.data for _, d in zip(range(3), split_documents(stream), strict=False)]
    garbled = docs[1][: len(docs[1]) // 2] + b"\n<claims>\xff garbage</descr>\n"
    path = tmp_path / "weekly.xml"
    path.write_bytes(docs[0] + garbled + docs[2])
    items = list(iter_file(path))
    assert [type(i).__name__ for i in items] == ["PatentRecord", "IngestError", "PatentRecord"]
    error = items[1]
    assert error.document.startswith("document 2 (") and error.field == "xml"
    assert "not well-formed XML at line" in error.message
    assert items[2].source_locator == "document 3"


def test_concatenated_20_mb_weekly_file_streams_in_bounded_memory(tmp_path):
    template = (DATA / "us-xml/v4.7-fulltext/US12207575-20250128.XML").read_bytes()
    path = tmp_path / "ipg-big.xml"
    count = 0
    with path.open("wb") as out:
        while out.tell() < 20_000_000:
            count += 1
            out.write(template.replace(b"12207575", b"%08d" % (20_000_000 + count)))
    size = path.stat().st_size
    tracemalloc.start()
    seen = 0
    try:
        for item in iter_file(path):
            assert isinstance(item, PatentRecord)
            seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    assert peak < 4_000_000 < size // 5, f"peak {peak} bytes for a {size} byte file"


# ---------------------------------------------------------------- EPO

def test_epo_publication_v10_grant():
    record = _one("epo/publication-server/grant/v1-0-B1.xml")
    assert record.publication_number == "EP-1442058-B1"
    assert record.title.startswith("PEPTIDES EFFECTIVE IN THE TREATMENT OF TUMORS")
    assert record.inventors == ["Paul AVERBACK", "Jack GEMMELL"]
    assert record.assignees == ["NYMOX CORPORATION"]
    assert record.citations[:2] == ["WO-2003008444-A", "US-5948634-A"]
    assert record.ipc == ["C07K14/47", "A61K38/17"]
    assert record.priority_date == date(2001, 11, 16)


def test_epo_publication_v151_application_with_cpc():
    record = _one("epo/publication-server/application/v1-5-1-A2.xml")
    assert record.publication_number == "EP-3882354-A2"
    assert record.cpc[:2] == ["C12N9/88", "C12N9/1051"]
    assert record.applicants == ["Codexis, Inc."]
    assert record.abstract.startswith("The present invention provides engineered")


def test_epo_publication_prefers_english_and_records_language():
    grant = _one("epo/publication-server/grant/v1-5-B2.xml")
    assert (grant.language, grant.title) == ("de", "Printing machine with cladding")
    assert grant.claims[0].startswith("Printing machine (102) for the direct printing")
    assert grant.description.startswith("Die Erfindung betrifft eine Druckmaschine")
    german_only = _one("epo/publication-server/application/v1-0-A2.xml")
    assert german_only.abstract.startswith("Die Erfindung betrifft")
    assert german_only.inventors == ["Volker Bibelhausen"]


def test_epo_publication_stray_markup_in_text_is_kept():
    record = _one("epo/publication-server/application/v1-5-1-A1-2.xml")
    assert "<First Embodiment" in record.description.split("\n")


def test_docdb_single_documents_and_bulk_file():
    wo = _one("epo/docdb/WO-2022259205-A1_544370561.xml")
    assert (wo.publication_number, wo.family_id) == ("WO-2022259205-A1", "82558028")
    assert wo.applicants == ["UNIVERSIDADE DA BEIRA INTERIOR"]
    assert "A61K9/1075" in wo.cpc and wo.priority_date == date(2021, 6, 11)
    bulk = _records("epo/docdb/DE-backfile.xml")
    assert [r.publication_number for r in bulk[:2]] == ["DE-1258188-B", "DE-1258189-B"]
    assert len(bulk) == 10 and bulk[3].family_id == "5458240"


def test_epo_text_analytics_tsv_and_jsonl_agree():
    tsv = _records("epo/fulltext-text-analytics/sampleEP0600000.txt")
    jsonl = _records("epo/fulltext-text-analytics/sampleEP0600000.jsonl.gz")
    assert [r.publication_number for r in tsv] == ["EP-600083-A1", "EP-600102-A1", "EP-600103-A1"]
    for a, b in zip(tsv, jsonl, strict=True):
        assert (a.title, a.abstract, a.claims, a.language) == (b.title, b.abstract, b.claims,
                                                               b.language)
    assert tsv[0].title == "DEVICE FOR CONVEYING AND ARRANGING PAPER SHEET"
    assert (tsv[1].language, len(tsv[1].claims)) == ("de", 6)
    assert [r.source_locator for r in tsv] == ["line 1", "line 8", "line 15"]


# ---------------------------------------------------------------- CNIPA, JPO, WIPO

def test_cnipa_new_document():
    record = _one("cn-jp-wipo/examples/cn_new1.xml")
    assert (record.publication_number, record.title) == ("CN-113781974-A", "显示设备")
    assert record.applicants == ["三星显示有限公司"]
    assert record.priority_date == date(2016, 5, 23) and record.language == "zh"
    assert record.claims[0].startswith("1.显示设备，包括：")


def test_cnipa_old_document_joins_wrapped_chinese_lines():
    record = _one("cn-jp-wipo/examples/cn_old3.xml")
    assert record.publication_number == "CN-104245682-A"
    assert record.title == "马来酸伊索拉定的制造方法"
    assert "的制造方法，其特征在于" in record.claims[0]


def test_jpo_gazette_uses_st16_kind():
    record = _one("cn-jp-wipo/examples/jp_example4.xml")
    assert record.publication_number == "JP-2021509175-A"
    assert record.inventors[0] == "キム インホ" and record.language == "ja"
    assert record.ipc == ["G01F17/00", "G01F1/44", "A61B5/107"]


def test_wipo_st96_publication_example():
    record = _one("cn-jp-wipo/03-96-vii-example-instances/PatentPublication_Example.xml")
    assert record.publication_number == "US-8936998-B2"
    assert record.title == "Manufcaturing method for room-temperature substrate bonding"
    assert record.cpc[0] == "H01L21/2007" and record.inventors[0] == "Jun Utsumi"
    assert record.assignees[0] == "Mitsubishi Heavy Industries, Ltd."
    assert record.priority_date == date(2007, 11, 8) and len(record.claims) == 10


# ---------------------------------------------------------------- CSV and JSONL

def test_google_csv_with_search_url_line():
    records = _records("csv/google_patents_export/gp-search-deep-learning.csv")
    first = records[0]
    assert first.source_locator == "line 3"
    assert first.publication_number == "US-20150112182-A1"
    assert first.title == ("Method and System for Machine Learning Based Assessment of "
                           "Fractional Flow Reserve")
    assert first.inventors[:2] == ["Puneet Sharma", "Ali Kamen"]
    assert first.priority_date == date(2013, 10, 17) and first.language == "en"


def test_google_csv_without_search_url_and_us_dates():
    first = _one("csv/google_patents_export/gp-search-20181012-181513.csv")
    assert first.source_locator == "line 2"
    assert first.publication_number == "US-8271025-B2"
    assert first.publication_date == date(2012, 9, 18)


def test_patentsview_csv():
    records = list(iter_path(DATA / "csv/patentsview_query"))
    assert len(records) == 6186 and all(isinstance(r, PatentRecord) for r in records)
    first = _one("csv/patentsview_query/baseball_patent_query.csv")
    assert first.publication_number == "US-5269177-"
    assert first.title == ('Apparatus and method for determining the center of percussion '
                           '("sweet spot") for baseball bats and other objects')


def test_lens_family_id_groups_documents_sharing_priorities():
    records = list(iter_path(DATA / "lens"))
    assert len(records) == 8210
    family = {r.publication_number for r in records if r.family_id == "GB0711858"}
    assert {"WO-2009085025-A2", "WO-2009085025-A3", "EP-2162148-A2",
            "US-20100233250-A1"} <= family
    first = _one("lens/Coronavirus-SARS-patents.jsonl")
    assert (first.publication_number, first.family_id) == ("WO-2008080153-A2", "US87165806")
    assert first.cpc[:2] == ["A61K38/08", "A61K9/0043"]


# ---------------------------------------------------------------- walking, counting, skipping

def test_skip_list_and_stats_and_summary():
    stats = ingest_stats(DATA)
    assert set(stats.skipped_files) == set(NON_DOCUMENTS)  # named relative to the folder
    assert stats.errors == {"uspto_grant_xml": 2}
    assert stats.per_format["lens_jsonl"] == 8210 and stats.per_format["uspto_grant_xml"] > 500
    office_answers = {"epo_ops_xml", "uspto_ppubs_json", "uspto_odp_json"}  # in fixtures/
    assert set(stats.per_format) == set(FORMATS) - office_answers
    text = summarise(DATA / "epo/docdb")
    assert re.search(r"epo_docdb_xml\s+14 records\s+0 errors", text)
    assert "total" in text.splitlines()[-1]


def test_iter_path_is_sorted_deterministic_and_reports_progress():
    calls = []
    folder = DATA / "epo/docdb"
    first = [r.publication_number for r in iter_path(folder, lambda f, n: calls.append((f, n)))]
    again = [r.publication_number for r in iter_path(folder)]
    assert first == again and len(first) == 14
    assert [Path(f).name for f, _ in calls] == [
        "AP-1206-A_302101161.xml", "DE-backfile.xml", "WO-2022259205-A1_544370561.xml",
        "WO-2023012807-A1_507242069.xml", "YU-6701-A_381353354.xml"]
    assert [n for _, n in calls] == [1, 10, 1, 1, 1]


def test_an_explicit_non_document_is_an_error_not_silence():
    [error] = list(iter_file(DATA / "lens/README.md"))
    assert (error.field, error.document) == ("format", "file")
    assert [str(e) for e in iter_path(DATA / "lens/README.md")] == [
        str(error).replace(str(DATA / "lens") + "/", "")]


# ---------------------------------------------------------------- normalisers

@pytest.mark.parametrize(("parts", "expected"), [
    (("US", "07654321", "B2"), "US-7654321-B2"),
    (("US", "D0656296", "S"), "US-D656296-S"),
    (("US", "2015112182", "A1"), "US-20150112182-A1"),
    (("US", "2003/0169838", "A1"), "US-20030169838-A1"),
    (("CN", "CN112345678", "A"), "CN-112345678-A"),
    (("WO", "2022/259205", "A1"), "WO-2022259205-A1"),
    (("JP", "2021044377", ""), "JP-2021044377-"),
])
def test_canonical_number(parts, expected):
    assert canonical_number(*parts) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("A61K   9/16        20060101A I20051008RMEP", "A61K9/16"),
    ("H04L   29/08    (2006.01)", "H04L29/08"),
    ("2C 07D 307/12 A", "C07D307/12"),
    ("A41D001/06", "A41D1/06"),
    ("H05K9/0066 20130101", "H05K9/0066"),
    ("Locarno 14-02", ""),
])
def test_normalise_class(raw, expected):
    assert normalise_class(raw) == expected


def test_compact_ipc_person_name_and_dates():
    assert [compact_ipc(v) for v in ("B60R  900", "G06F 1516", "E03C 104", "1402")] == [
        "B60R9/00", "G06F15/16", "E03C1/04", ""]
    assert person_name("Daniels; Everette E.") == "Everette E. Daniels"
    assert person_name("Overture Services, Inc.") == "Overture Services, Inc."
    assert person_name("Bibelhausen, Volker, Dipl.-Ing.") == "Volker Bibelhausen"
    assert [parse_date(v) for v in ("20150106", "2015-01-06", "9/18/2012", "19510200", "")] == [
        date(2015, 1, 6), date(2015, 1, 6), date(2012, 9, 18), None, None]


def test_damaged_files_are_errors_and_never_stop_the_folder(tmp_path):
    import json
    import zipfile

    def row(number):
        return json.dumps({"lensId": "1", "jurisdiction": "US", "displayKey": f"US {number} B2"})

    (tmp_path / "a.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage, not deflate")
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as archive:
        archive.writestr("x.jsonl", row(7654321) + "\n" * 1000)
    whole = (tmp_path / "b.zip").read_bytes()
    (tmp_path / "c.zip").write_bytes(whole[:40] + whole[60:])  # a member's data cut
    (tmp_path / "d.jsonl").write_text(row(7000001) + "\n" + "[" * 100_000 + "\n")
    items = list(iter_path(tmp_path))
    records = [i.publication_number for i in items if not isinstance(i, IngestError)]
    assert records == ["US-7654321-B2", "US-7000001-B2"]
    errors = {(e.file, e.field): e for e in items if isinstance(e, IngestError)}
    assert set(errors) == {("a.jsonl.gz", "archive"), ("c.zip", "file"), ("d.jsonl", "json")}
    assert errors["a.jsonl.gz", "archive"].stopped
    assert "damaged" in errors["c.zip", "file"].message
    assert errors["d.jsonl", "json"].document == "line 2" and not errors["d.jsonl", "json"].stopped
