"""Office API answers saved to files (EPO OPS, USPTO public search and Open Data Portal) and
declared encodings: every field checked against the recorded answers in
``fixtures/office_api`` (their origins in ``fixtures/office_api/SOURCES.md``)."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path

import pytest

from patent_search.ingest import IngestError, PatentRecord, detect_format, iter_file, iter_path
from patent_search.ingest.model import LegalEvent, merge_records

ANSWERS = Path(__file__).parent / "fixtures/office_api"


def _records(name: str) -> list[PatentRecord]:
    items = list(iter_file(ANSWERS / name))
    assert all(isinstance(i, PatentRecord) for i in items), [str(i) for i in items]
    return items


# ---------------------------------------------------------------- EPO OPS


def test_ops_biblio_keeps_dates_numbers_cpc_citations_and_the_english_title():
    [record] = _records("ops-biblio-EP2400812A1.xml")
    assert detect_format(ANSWERS / "ops-biblio-EP2400812A1.xml") == "epo_ops_xml"
    assert (record.publication_number, record.family_id) == ("EP-2400812-A1", "43088294")
    assert (record.publication_date, record.filing_date, record.priority_date) == (
        date(2011, 12, 28),
        date(2010, 6, 24),
        date(2010, 6, 24),
    )
    assert record.application_number == "10167109"
    assert (record.title, record.language) == ("BLUETOOTH NETWORKING", "en")
    assert record.abstract.startswith("An apparatus enabling establishment of a Bluetooth mesh")
    assert (record.cpc, record.ipc) == (["H04W84/20"], ["H04W84/20"])  # scheme CPCI, by parts
    assert record.citations == [
        "EP-1542377-A2",
        "US-20040136338-A1",
        "US-20040097263-A1",
        "WO-2003067954-A2",
        "WO-2002054790-A2",
        "US-20030060222-A1",
    ]
    # original and epodoc spellings of one party are one party, in its readable spelling
    assert record.applicants == ["9Solutions Oy"]
    assert record.inventors == ["Sami Herrala", "Jari Kylmänen", "Jaakko Niemi"]
    assert record.source_locator == "document 1 member 1" and record.claims == []


def test_ops_biblio_names_lose_trailing_commas_and_duplicate_spellings():
    [record] = _records("ops-biblio-US10047600B2.xml")
    assert record.publication_number == "US-10047600-B2"
    assert record.applicants == ["Scientific Drilling International, Inc"]
    assert record.inventors == ["Brett VanSteenwyk"]  # "VanSteenwyk Brett, " + "VanSteenwyk, Brett"
    assert (record.filing_date, record.priority_date) == (date(2016, 2, 16), date(2012, 10, 12))
    assert (record.application_number, record.title) == (
        "201615044813",
        "Attitude reference for tieback/overlap processing",
    )
    assert record.cpc == [
        "E21B47/02216",
        "E21B47/024",
        "E21B44/00",
        "E21B7/04",
        "G01C5/00",
        "G01V3/081",
        "G01V9/00",
    ]
    assert "G01V3/08" in record.ipc and record.citations == []
    # partial: the fields the answer gives, so a stored document keeps what it does not give
    assert "title" in record.partial and "citations" not in record.partial
    assert "claims" not in record.partial


def test_ops_claims_answer_splits_numbered_claim_texts_and_is_partial():
    [record] = _records("ops-claims-EP2400812A1.xml")
    assert record.publication_number == "EP-2400812-A1"
    assert len(record.claims) == 15
    assert record.claims[0].startswith("A communication device (100) comprising: a first Blue")
    assert record.claims[0].endswith(
        "Bluetooth transceiver circuitry that received the data packet."
    )
    assert record.claims[6].startswith("A Bluetooth network comprising: a plurality of")
    assert record.claims[14].startswith("A computer program product embodied")
    assert record.partial == ("publication_number", "claims") and record.title == ""


def test_ops_description_answer():
    [record] = _records("ops-description-EP2400812A1.xml")
    lines = record.description.split("\n")
    assert lines[:3] == [
        "Field",
        "[0001] The invention relates to the field of wireless "
        "networking and, particularly, to implementation of a Bluetooth "
        "network.",
        "Background",
    ]
    assert lines[-1].endswith(
        "Figure 8 illustrates a method for setting up a Bluetooth "
        "network according to an embodiment of the invention."
    )
    assert record.partial == ("publication_number", "description")


def test_ops_family_members_carry_numbers_dates_and_family():
    members = _records("ops-family-EP2906782A2.xml")
    assert [m.publication_number for m in members] == [
        "EP-2906782-A2",
        "EP-2906782-A4",
        "CA-2887530-A1",
        "CN-104968889-A",
        "RU-2015117646-A",
    ]
    assert {m.family_id for m in members} == {"50474376"}
    assert [m.application_number for m in members] == [
        "13844704",
        "13844704",
        "2887530",
        "201380062258",
        "2015117646",
    ]
    assert [m.publication_date for m in members][:2] == [date(2015, 8, 19), date(2016, 8, 17)]
    assert {(m.filing_date, m.priority_date) for m in members} == {
        (date(2013, 10, 11), date(2012, 10, 12))
    }
    assert [m.source_locator for m in members][-1] == "document 1 member 5"


def test_ops_legal_status_events_are_kept_on_the_document():
    [record] = _records("ops-legal-EP2400812.xml")
    assert (record.publication_number, record.application_number) == ("EP-2400812-A1", "10167109")
    assert [(e.code, e.date, e.influence) for e in record.legal_events] == [
        ("AK", date(2011, 12, 28), "+"),
        ("AX", date(2011, 12, 28), "+"),
        ("17P", date(2012, 7, 18), "+"),
        ("17Q", date(2017, 3, 8), "+"),
        ("INTG", date(2019, 7, 24), "+"),
    ]
    event = record.legal_events[2]
    assert (event.description, event.country) == ("REQUEST FOR EXAMINATION FILED", "EP")
    assert event.text == (
        "EP 10167109A 2012-07-1817P +REQUEST FOR EXAMINATION FILED Effective DATE 20120606"
    )
    assert "legal_events" in record.partial and "title" not in record.partial


def test_ops_parts_of_one_publication_merge_without_blanking_each_other():
    biblio, claims, legal = (
        _records(name)[0]
        for name in (
            "ops-biblio-EP2400812A1.xml",
            "ops-claims-EP2400812A1.xml",
            "ops-legal-EP2400812.xml",
        )
    )
    merged = merge_records(merge_records(biblio, claims), legal)
    assert merged.title == "BLUETOOTH NETWORKING" and len(merged.claims) == 15
    assert len(merged.legal_events) == 5 and merged.applicants == ["9Solutions Oy"]
    whole = PatentRecord("EP-2400812-A1", "EP", "2400812", "A1", title="from a bulk file")
    assert merge_records(whole, claims).title == "from a bulk file"
    assert merge_records(claims, whole) is whole  # a whole record replaces
    assert isinstance(merged.legal_events[0], LegalEvent)


def test_ops_answer_without_publications_says_what_it_holds(tmp_path):
    fault = tmp_path / "fault.xml"
    fault.write_bytes(
        b'<?xml version="1.0"?><ops:world-patent-data xmlns:ops="http://ops.epo.org">'
        b"<ops:register-search/></ops:world-patent-data>"
    )
    [error] = iter_file(fault)
    assert isinstance(error, IngestError) and error.field == "root"
    assert "without publication data (it holds <register-search>)" in error.message
    search = tmp_path / "search.xml"  # the shape of a search answer without constituents
    search.write_bytes(fault.read_bytes().replace(b"register-search", b"biblio-search"))
    [error] = iter_file(search)
    assert error.message.endswith("unless asked with the biblio constituent)")


def test_a_folder_of_office_answers_is_ingested_whole():
    items = list(iter_path(ANSWERS))
    assert not [i for i in items if isinstance(i, IngestError)]
    formats = {i.source_format for i in items if isinstance(i, PatentRecord)}
    assert formats == {"epo_ops_xml", "uspto_ppubs_json", "uspto_odp_json"}


@pytest.mark.parametrize(
    "name", sorted(p.name for p in ANSWERS.glob("*.*") if p.suffix in (".xml", ".json"))
)
def test_every_recorded_answer_is_listed_in_sources(name):
    assert f"`{name}`" in (ANSWERS / "SOURCES.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- USPTO public search and ODP


def test_ppubs_search_answer_field_by_field():
    first, second = _records("ppubs-search-20231031.json")
    assert detect_format(ANSWERS / "ppubs-search-20231031.json") == "uspto_ppubs_json"
    assert (first.publication_number, first.title) == ("US-11803561-B1", "Approximation query")
    assert (first.publication_date, first.filing_date) == (date(2023, 10, 31), date(2014, 3, 31))
    assert (first.application_number, first.family_id) == ("14231597", "1000000503593")
    assert (first.cpc, first.ipc) == (["G06F16/313", "G06F16/2462"], ["G06F16/2458", "G06F16/31"])
    assert first.applicants == first.assignees == ["Amazon Technologies, Inc."]
    assert first.inventors == ["William Nathan John Hurst"]  # the answer names the first only
    assert len(first.citations) == 35 and first.citations[0] == "US-5826261-"
    assert first.citations[-1] == "US-20150227624-" and first.language == "en"
    assert (second.publication_number, second.source_locator) == ("US-11805069-B1", "patent 2")
    assert second.cpc == ["G06Q30/04", "H04L43/08", "H04L47/78"]
    assert second.inventors == ["Christopher J. Gaudlip"]


def test_odp_application_answer_field_by_field():
    [record] = _records("odp-application-16330077.json")
    assert detect_format(ANSWERS / "odp-application-16330077.json") == "uspto_odp_json"
    # granted, previously published (US20190223715A1): a B2 by the USPTO's kind rule
    assert (record.publication_number, record.publication_date) == (
        "US-11759105-B2",
        date(2023, 9, 19),
    )
    assert (record.application_number, record.filing_date) == ("16330077", date(2019, 3, 2))
    assert record.title == (
        "ILLUMINATING SYSTEM FOR DETERMINING THE TOPOGRAPHY OF THE CORNEA OF AN EYE"
    )
    assert record.cpc == ["A61B3/107", "A61B3/0008", "G01B11/25"]
    assert record.applicants == ["Carl Zeiss Meditec AG"]
    assert record.inventors == [
        "Beate BÖHME",
        "Rico FUCHS",
        "Günter RUDOLPH",
        "Michael GÜNTZSCHEL",
        "Jörg MEISSNER",
        "Thomas MOHR",
        "Daniel BUBLITZ",
    ]


def test_odp_unpublished_and_pre_grant_applications(tmp_path):
    answer = json.loads((ANSWERS / "odp-application-16330077.json").read_text("utf-8"))
    meta = answer["patentFileWrapperDataBag"][0]["applicationMetaData"]
    del meta["patentNumber"]  # the same application before its grant
    pending = copy.deepcopy(answer)
    del pending["patentFileWrapperDataBag"][0]["applicationMetaData"]["earliestPublicationNumber"]
    (tmp_path / "published.json").write_text(json.dumps(answer), "utf-8")
    (tmp_path / "pending.json").write_text(json.dumps(pending), "utf-8")
    [record] = iter_file(tmp_path / "published.json")
    assert (record.publication_number, record.publication_date) == (
        "US-20190223715-A1",
        date(2019, 7, 25),
    )
    [error] = iter_file(tmp_path / "pending.json")
    assert (error.document, error.field) == ("application 1", "publication_number")
    assert "application 16330077 is not published" in error.message


def test_a_json_object_with_publication_number_is_not_taken_for_ep_text(tmp_path):
    other = tmp_path / "bigquery.jsonl"  # e.g. a Google patents-public-data export
    other.write_text('{"publication_number": "US-7654321-B2", "title_localized": []}\n', "utf-8")
    [error] = iter_file(other)
    assert (error.field, detect_format(other)) == ("format", None)
    assert "saw an object with keys publication_number, title_localized" in error.message
    assert "expected EPO text-analytics JSONL" in error.message
    assert "USPTO Open Data Portal" in error.message


def test_ep_text_jsonl_of_the_wrong_shape_says_what_was_expected(tmp_path):
    odd = tmp_path / "odd.jsonl"
    odd.write_text('{"publication_number": "EP-0600083-A1", "title": "not an object"}\n', "utf-8")
    [error] = iter_file(odd)
    assert (error.document, error.field) == ("line 1", "document")
    assert error.message.startswith("expected EPO text-analytics JSONL")
    assert "saw an object with keys publication_number, title" in error.message


def test_a_ppubs_answer_that_is_not_json_or_has_no_patents(tmp_path):
    broken = tmp_path / "cut.json"
    data = (ANSWERS / "ppubs-search-20231031.json").read_bytes()
    broken.write_bytes(data[:3000])
    [error] = iter_file(broken)
    assert (error.document, error.field) == ("file", "json") and "not JSON" in error.message
    empty = tmp_path / "empty.json"
    empty.write_text('{"publicationReferenceDocumentNumber": "1", "numFound": 0}', "utf-8")
    [error] = iter_file(empty)
    assert error.field == "format"
    assert error.message == (
        "expected a USPTO public-search answer (a 'patents' list); saw an "
        "object with keys publicationReferenceDocumentNumber, numFound"
    )


# ---------------------------------------------------------------- declared encodings

DATA = Path(__file__).parents[3].parent / "shared/data/patents"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"no patent data at {DATA}")
_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def _reencoded(tmp_path: Path, relative: str, encoding: str) -> Path:
    """A real document of shared/data in another encoding, declared so; characters the
    encoding lacks become character references (the document says the same thing)."""
    text = _DECLARATION.sub("", (DATA / relative).read_text("utf-8"))
    data = f'<?xml version="1.0" encoding="{encoding}"?>\n{text.lstrip()}'.encode(
        encoding, "xmlcharrefreplace"
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test means something: these bytes are not UTF-8
    target = tmp_path / f"{Path(relative).stem}-{encoding}.xml"
    target.write_bytes(data)
    return target


def _content(record: PatentRecord) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if k not in ("source_file", "source_locator")}


@needs_data
@pytest.mark.parametrize(
    ("relative", "encoding"),
    [
        ("cn-jp-wipo/examples/jp_example4.xml", "Shift_JIS"),
        ("cn-jp-wipo/examples/jp_example4.xml", "UTF-16"),  # with its BOM
        ("cn-jp-wipo/examples/cn_new1.xml", "GB18030"),
        ("cn-jp-wipo/examples/cn_new1.xml", "GBK"),
        ("epo/publication-server/grant/v1-0-B1.xml", "ISO-8859-1"),
    ],
)
def test_xml_in_its_declared_encoding_reads_as_in_utf8(tmp_path, relative, encoding):
    [original] = iter_file(DATA / relative)
    [record] = iter_file(_reencoded(tmp_path, relative, encoding))
    assert isinstance(record, PatentRecord), str(record)
    assert _content(record) == _content(original)


@needs_data
def test_xml_whose_bytes_contradict_its_declaration_is_a_precise_error(tmp_path):
    liar = tmp_path / "latin1-declared-utf8.xml"
    data = _reencoded(tmp_path, "epo/publication-server/grant/v1-0-B1.xml", "ISO-8859-1")
    liar.write_bytes(data.read_bytes().replace(b'encoding="ISO-8859-1"', b'encoding="UTF-8"'))
    [error] = iter_file(liar)
    assert isinstance(error, IngestError) and error.field == "xml"
    assert re.fullmatch(
        r"not well-formed XML at line \d+: Invalid bytes in character "
        r"encoding \(declared encoding UTF-8\)",
        error.message,
    ), error.message


def test_text_formats_report_bytes_of_another_encoding_with_their_offset(tmp_path):
    csv_file = tmp_path / "export.csv"
    good = "patent_abstract,patent_date,patent_number,patent_title\n"
    rows = [
        "An abstract,2017-01-03,9532345,First\n",
        "Résumé,2017-01-03,9532346,Second\n",
        "More,2017-01-03,9532347,Third\n",
    ]
    csv_file.write_bytes(
        good.encode() + rows[0].encode() + rows[1].encode("latin-1") + rows[2].encode()
    )
    first, bad, third = iter_file(csv_file)
    offset = len(good) + len(rows[0]) + 1  # the "é" after "R"
    assert isinstance(bad, IngestError) and (bad.document, bad.field) == ("line 3", "encoding")
    assert bad.message.startswith(f"invalid UTF-8 at byte offset {offset} (line 3: b'\\xe9")
    assert [first.title, third.title] == ["First", "Third"]  # the rows around it still load


def test_a_utf16_spreadsheet_export_reads_by_its_byte_order_mark(tmp_path):
    text = (
        "patent_abstract,patent_date,patent_number,patent_title\r\n"
        "Ein Löffel,2017-01-03,9532345,Löffel\r\n"
    )
    export = tmp_path / "unicode-text.csv"
    export.write_bytes(text.encode("utf-16"))  # BOM + UTF-16, as spreadsheets save it
    assert detect_format(export) == "patentsview_csv"
    [record] = iter_file(export)
    assert (record.publication_number, record.title, record.abstract) == (
        "US-9532345-",
        "Löffel",
        "Ein Löffel",
    )


def test_a_jsonl_line_with_invalid_bytes_is_its_own_error(tmp_path):
    lines = tmp_path / "lens.jsonl"
    lines.write_bytes(b'{"lensId": "1", "title": "caf\xe9"}\n')
    [error] = iter_file(lines)
    assert (error.document, error.field) == ("line 1", "encoding")
    assert "invalid UTF-8 at byte offset 29" in error.message


def test_ppubs_document_answer_text_fields(tmp_path):
    # Fields of US 6103599 A copied from a recorded PPUBS document answer (a bare list):
    # parkerhancock/patent_client patent_client/_sync/uspto/public_search/fixtures/doc.json
    # @ 27e8e8e7db734cdc797c1ab1e87afac0921d886c. Other fields left out; abstractHtml is its
    # first sentence and descriptionHtml its first two lines and one sentence of paragraph (2),
    # each verbatim.
    member = {
        "guid": "US-6103599-A",
        "publicationReferenceDocumentNumber": "6103599",
        "datePublished": "2000-08-15T00:00:00Z",
        "inventionTitle": "Planarizing technique for multilayered substrates",
        "assigneeName": ["Silicon Genesis Corporation"],
        "applicantName": None,
        "cpcInventiveFlattened": "H01L21/30604;H01L21/76254",
        "cpcAdditionalFlattened": "Y10S438/977",
        "applicationNumber": "09/089931",
        "inventorsShort": "Henley; Francois J. et al.",
        "familyIdentifierCur": 26732223,
        "abstractHtml": "The present invention provides a multilayered wafer 10 such as an SOI "
        "wafer having a novel implanted layer.",
        "descriptionHtml": "BRIEF DESCRIPTION OF THE DRAWINGS<br />FIG. 1 is a simplified "
        "cross-sectional view diagram of an SOI wafer having a non-uniform surface; and<br />"
        "The SOI wafer is made by way of a variety of techniques including a &quot;blister&quot; "
        "process such as Smart Cut.sup..TM.  or preferably a controlled cleaving process.<br />",
    }
    answer = tmp_path / "doc.json"
    answer.write_text(json.dumps([member]), "utf-8")
    [record] = iter_file(answer)
    assert (record.publication_number, record.assignees, record.applicants) == (
        "US-6103599-A",
        ["Silicon Genesis Corporation"],
        [],
    )
    assert record.cpc == ["H01L21/30604", "H01L21/76254", "Y10S438/977"]
    assert (record.application_number, record.family_id) == ("09089931", "26732223")
    assert record.inventors == ["Francois J. Henley"]
    assert record.abstract.startswith("The present invention provides a multilayered wafer 10")
    assert record.description.split("\n") == [
        "BRIEF DESCRIPTION OF THE DRAWINGS",
        "FIG. 1 is a simplified cross-sectional view diagram of an SOI wafer having a "
        "non-uniform surface; and",
        'The SOI wafer is made by way of a variety of techniques including a "blister" process '
        "such as Smart Cut.sup..TM. or preferably a controlled cleaving process.",
    ]


def test_a_large_unknown_json_answer_names_its_outer_keys(tmp_path):
    unknown = tmp_path / "assignments.json"  # pretty-printed, larger than the sniffing window
    body = {"response": {"numFound": 1}, "docs": [{"text": "x" * 100_000}]}
    unknown.write_text(json.dumps(body, indent=2), "utf-8")
    [error] = iter_file(unknown)
    assert error.field == "format"
    assert error.message.startswith(
        "JSON of no known patent format: saw an object with keys response, docs; expected"
    )
