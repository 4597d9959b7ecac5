"""Publication numbers written the ways people write them find the same document everywhere a
number is accepted: ``patentDocument`` and the ``pn:`` field of the query language."""

from __future__ import annotations

import pytest

from patent_search.numbers import InvalidPublicationNumber, number_key, parse_number
from tests.conftest import make_group
from tests.plugins.patent_search.test_plugin import DATA, _collection, _ingest

GRANT = DATA / "fixtures" / "US12207575-20250128.XML"  # stored as US-12207575-B2
DOC = """query($t: ID!, $c: ID!, $p: String!, $j: String) { patentDocument(tenantId: $t,
  collectionId: $c, publicationNumber: $p, jurisdiction: $j) { publicationNumber } }"""
SPELLINGS = ["US12207575", "US 12,207,575 B2", "US-12207575-B2", "us12207575b2",
             "US-12207575-", "US 12207575"]


@pytest.mark.parametrize(("text", "canonical"), [
    ("US7548894", "US-7548894-"), ("US 7,548,894 B2", "US-7548894-B2"),
    ("US-7548894-B2", "US-7548894-B2"), ("CN1234567A", "CN-1234567-A"),
    ("EP 1 234 567 A1", "EP-1234567-A1"), ("WO2020/123456", "WO-2020123456-"),
    ("JP2021-044377A", "JP-2021044377-A"), ("US 2015/0112182 A1", "US-20150112182-A1"),
    ("USD0656296S", "US-D656296-S"), ("US RE49,257 E1", "US-RE49257-E1"),
])
def test_every_common_spelling_reads_as_the_stored_number(text, canonical):
    assert parse_number(text).canonical == canonical


def test_a_bare_number_takes_the_office_given_apart_and_nonsense_is_refused():
    assert parse_number("7548894", "us").canonical == "US-7548894-"
    assert number_key("7,548,894") == "7548894"
    for bad in ("", "hello", "US", "X" * 50):
        with pytest.raises(InvalidPublicationNumber):
            parse_number(bad)
    with pytest.raises(InvalidPublicationNumber, match="names office CN"):
        parse_number("CN1234567A", "US")


async def test_patent_document_and_pn_queries_accept_every_spelling(platform, gql, imports):
    acme = await make_group(platform, "acme")
    t, token = acme.ids["acme-a"], acme.token("a-admin")
    coll = await _collection(gql, acme, "a-admin", "acme-a", "Numbers")
    await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, GRANT)
    for text in SPELLINGS:
        out = await gql(DOC, {"t": t, "c": coll, "p": text}, token)
        assert out.get("errors") is None, (text, out)
        assert out["data"]["patentDocument"]["publicationNumber"] == "US-12207575-B2"
        found = await gql("""query($t: ID!, $q: String!) { patentSearch(tenantId: $t, query: $q)
            { total } }""", {"t": t, "q": f'pn:"{text}"'}, token)
        assert found["data"]["patentSearch"]["total"] == 1, (text, found)
    bare = await gql(DOC, {"t": t, "c": coll, "p": "12207575", "j": "US"}, token)
    assert bare["data"]["patentDocument"]["publicationNumber"] == "US-12207575-B2"
    for text, code in (("12207575", "JURISDICTION_REQUIRED"), ("hello", "INVALID_PUBLICATION_"
                       "NUMBER"), ("US12207575A1", "DOCUMENT_NOT_FOUND")):
        out = await gql(DOC, {"t": t, "c": coll, "p": text}, token)
        assert out["errors"][0]["extensions"]["code"] == code, (text, out)
