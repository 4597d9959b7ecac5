"""EPO Open Patent Services (OPS) answers: ``ops:world-patent-data`` saved to files.

One answer holds bibliographic documents (``exchange-documents``, DOCDB as OPS spells it),
full text (``ftxt:fulltext-documents`` with claims or description), a family
(``ops:patent-family`` members, with INPADOC ``ops:legal`` events when asked for legal status),
or several of these. Each answer is only part of a publication, so every record it yields is
``partial``: it updates the fields it brings (those with a value) and leaves a stored
document's others alone.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from lxml import etree

from .base import FieldProblem, attempt, build_record
from .docdb import docdb_id, parse_docdb
from .model import LegalEvent, PatentRecord
from .tabular import Item
from .text import clean, parse_date
from .xmldoc import block_text, find_text, text_of

__all__ = ["OPS", "read_ops_answer"]

OPS = "epo_ops_xml"
_NOT_IN_BIBLIO = {
    "claims",
    "description",
    "legal_events",
    "partial",
    "source_format",
    "source_file",
    "source_locator",
}
_BIBLIO_FIELDS = tuple(
    f.name for f in dataclasses.fields(PatentRecord) if f.name not in _NOT_IN_BIBLIO
)
_SEARCH_HINT = " (a search answer lists numbers only unless asked with the biblio constituent)"
_CLAIM_NUMBER = re.compile(r"^(\d+)\s*\.\s*")


def _ops_claims(claims: etree._Element) -> list[str]:
    """Claims as OPS gives them: often one ``claim`` whose ``claim-text``\\ s each start a
    numbered claim (``1. A device...``) or continue the one before; numbers left out."""
    texts: list[list[str]] = []
    for claim in claims.iterfind("claim"):
        parts = [text_of(t) for t in claim.iterfind("claim-text")] or [text_of(claim)]
        for number, part in enumerate(p for p in parts if p):
            starts = _CLAIM_NUMBER.match(part)
            if starts or number == 0 or not texts:
                texts.append([part[starts.end() :] if starts else part])
            else:
                texts[-1].append(part)
    return [" ".join(parts) for parts in texts]


def _fulltext(doc: etree._Element) -> PatentRecord:
    ident = docdb_id(doc.find("bibliographic-data/publication-reference"))
    fields: dict[str, object] = {}
    claims = doc.find("claims")
    if claims is not None:
        fields["claims"] = _ops_claims(claims)
    description = doc.find("description")
    if description is not None:
        fields["description"] = block_text(description)
    if not fields:
        raise FieldProblem("fulltext-document", "the answer holds neither claims nor a description")
    return build_record(
        doc.get("country") or find_text(ident, "country"),
        doc.get("doc-number") or find_text(ident, "doc-number"),
        doc.get("kind") or find_text(ident, "kind"),
        OPS,
        partial=("publication_number", *(name for name, value in fields.items() if value)),
        **fields,
    )


def _legal_event(event: etree._Element) -> LegalEvent:
    return LegalEvent(
        code=(event.get("code") or "").strip(),
        description=clean(event.get("desc")),
        date=parse_date(find_text(event, "L007EP")),
        influence=(event.get("infl") or "").strip(),
        country=find_text(event, "L001EP"),
        text="\n".join(text_of(line) for line in event.iterfind("pre")),
    )


def _family_member(member: etree._Element) -> PatentRecord:
    pub = docdb_id(member.find("publication-reference"))
    app = docdb_id(member.find("application-reference"))
    priorities = [
        parse_date(find_text(docdb_id(claim), "date"))
        for claim in member.iterfind("priority-claim")
    ]
    fields: dict[str, object] = {
        "publication_date": parse_date(find_text(pub, "date")),
        "filing_date": parse_date(find_text(app, "date")),
        "application_number": find_text(app, "doc-number"),
        "priority_date": min((d for d in priorities if d), default=None),
        "family_id": member.get("family-id", ""),
        "legal_events": [_legal_event(event) for event in member.iterfind("legal")],
    }
    given = tuple(name for name, value in fields.items() if value)
    return build_record(
        find_text(pub, "country"),
        find_text(pub, "doc-number"),
        find_text(pub, "kind"),
        OPS,
        partial=("publication_number", *given),
        **fields,
    )


def _biblio(doc: etree._Element) -> PatentRecord:
    record = parse_docdb(doc, OPS)
    given = tuple(name for name in _BIBLIO_FIELDS if getattr(record, name))
    return dataclasses.replace(record, partial=given)


def read_ops_answer(root: etree._Element) -> Iterator[Item]:
    """Every publication of one OPS answer, as ``member N`` items; an answer with none (a
    search without constituents, a register answer, an OPS fault) is one problem that says
    what it holds instead."""
    count = 0
    parts = (
        ("exchange-document", _biblio),
        ("fulltext-document", _fulltext),
        ("family-member", _family_member),
    )
    for tag, parse in parts:
        for element in root.iter(tag):
            count += 1
            yield f"member {count}", attempt(parse, element)
    if not count:
        held = ", ".join(dict.fromkeys(str(child.tag) for child in root)) or "nothing"
        yield (
            "answer",
            FieldProblem(
                "root",
                f"an EPO OPS answer without publication data (it holds <{held}>); expected "
                "exchange-documents, fulltext-documents or patent-family"
                + (_SEARCH_HINT if "biblio-search" in held else ""),
            ),
        )
