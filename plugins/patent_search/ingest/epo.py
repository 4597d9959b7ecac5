"""EPO XML: publication-server ``ep-patent-document`` (DTD v1.0-v1.5.1) and DOCDB exchange.

EP documents carry title, abstract and claims in up to three languages (DE/EN/FR); the English
text is preferred when present and ``language`` records the language of the document itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from .base import FieldProblem, build_record
from .model import PatentRecord, canonical_number
from .text import normalise_class, parse_date, person_name
from .xmldoc import block_text, claim_texts, find_text, text_of

__all__ = ["DOCDB", "PUBLICATION", "ep_citation", "parse_docdb", "parse_ep_publication"]

PUBLICATION = "epo_publication_xml"
DOCDB = "epo_docdb_xml"
_CITATION = re.compile(r"^([A-Z]{2})\s*-\s*([A-Z]\d?)?\s*-\s*(.+)$")
_OLD_WO = re.compile(r"^(\d{2})/(\d+)$")


def ep_citation(text: str) -> str:
    """An EP search-report citation (``WO-A-03/008444``, ``US-A1- 2004 003 741``) as a
    canonical number."""
    match = _CITATION.match(text.strip())
    if not match:
        return ""
    country, kind, number = match.group(1), match.group(2) or "", match.group(3).strip()
    old_wo = _OLD_WO.match(number.replace(" ", ""))
    if country == "WO" and old_wo:
        year = int(old_wo.group(1))
        number = f"{1900 + year if year >= 78 else 2000 + year}{int(old_wo.group(2)):06d}"
    return canonical_number(country, number, kind)


def _prefer_english(elements: Iterable[etree._Element]) -> etree._Element | None:
    chosen = None
    for element in elements:
        if (element.get("lang") or "").lower() == "en":
            return element
        chosen = chosen if chosen is not None else element
    return chosen


def _claims(claims: etree._Element | None) -> list[str]:
    return claim_texts(claims.iterfind("claim")) if claims is not None else []


def _ep_title(bib: etree._Element) -> str:
    titles: dict[str, str] = {}
    lang = ""
    for item in bib.iterfind("B500/B540/*"):
        if item.tag == "B541":
            lang = text_of(item).lower()
        elif item.tag == "B542":
            titles.setdefault(lang, text_of(item))
    return titles.get("en") or next(iter(titles.values()), "")


def parse_ep_publication(root: etree._Element) -> PatentRecord:
    """An EP A or B publication from the EPO publication server."""
    bib = root.find("SDOBI")
    b100 = bib.find("B100") if bib is not None else None
    if bib is None or b100 is None:  # no SDOBI: no B100 either
        raise FieldProblem("publication-reference", "missing node SDOBI/B100")
    priorities = [parse_date(find_text(p, "date")) for p in bib.iterfind("B300/B320")]
    ipc = [text_of(t) for t in bib.iterfind("B500/B510EP/classification-ipcr/text")]
    ipc += [text_of(t) for t in bib.iterfind("B500/B510/*") if t.tag in ("B511", "B512")]
    applicants = [person_name(find_text(p, "snm")) for p in bib.iterfind("B700/B710/B711")]
    proprietors = [person_name(find_text(p, "snm")) for p in bib.iterfind("B700/B730/B731")]
    return build_record(
        find_text(b100, "B190") or root.get("country", ""),
        find_text(b100, "B110") or root.get("doc-number", ""),
        find_text(b100, "B130") or root.get("kind", ""), PUBLICATION,
        title=_ep_title(bib),
        abstract=block_text(_prefer_english(root.iterfind("abstract"))),
        claims=_claims(_prefer_english(root.iterfind("claims"))),
        description=block_text(root.find("description")),
        publication_date=parse_date(find_text(b100, "B140/date") or root.get("date-publ")),
        filing_date=parse_date(find_text(bib, "B200/B220/date")),
        priority_date=min((d for d in priorities if d), default=None),
        application_number=find_text(bib, "B200/B210"),
        cpc=[normalise_class(text_of(t)) for t in
             bib.iterfind("B500/B520EP/classifications-cpc/classification-cpc/text")],
        ipc=[normalise_class(symbol) for symbol in ipc],
        applicants=applicants or proprietors,
        assignees=proprietors,
        inventors=[person_name(find_text(p, "snm")) for p in bib.iterfind("B700/B720/B721")],
        citations=[ep_citation(text_of(t)) for t in bib.iterfind("B500/B560/B561/text")],
        language=(root.get("lang") or find_text(bib, "B200/B260")).lower(),
    )


def _scheme(classification: etree._Element) -> str:
    """The ``scheme`` of a DOCDB classification's ``classification-scheme`` ("" if none)."""
    scheme = classification.find("classification-scheme")
    return scheme.get("scheme", "") if scheme is not None else ""


def _docdb_names(bib: etree._Element, role: str) -> list[str]:
    """Names of one party role, readable ``docdba`` spelling preferred over ``docdb``."""
    by_format: dict[str, list[str]] = {}
    for party in bib.iterfind(f"parties/{role}s/{role}"):
        name = find_text(party, f"{role}-name/name")
        by_format.setdefault(party.get("data-format", ""), []).append(name)
    names = by_format.get("docdba") or by_format.get("original") or by_format.get("docdb") or []
    return [person_name(n) if role == "inventor" else n for n in names]


def _docdb_citations(bib: etree._Element) -> list[str]:
    cited = []
    for doc in bib.iterfind("references-cited/citation/patcit"):
        if doc.get("dnum-type") not in (None, "publication number"):
            continue
        ident = doc.find("document-id")
        if ident is not None and find_text(ident, "country") and find_text(ident, "doc-number"):
            cited.append(canonical_number(find_text(ident, "country"),
                                          find_text(ident, "doc-number"), find_text(ident, "kind")))
    return cited


def _docdb_language(bib: etree._Element, pub: etree._Element | None) -> str:
    """Publication language, else filing language, else the language the ids/title are in."""
    title = bib.find("invention-title")
    return (find_text(bib, "language-of-publication") or find_text(bib, "language-of-filing")
            or (pub.get("lang", "") if pub is not None else "")
            or (title.get("lang", "") if title is not None else "")).lower()


def parse_docdb(doc: etree._Element) -> PatentRecord:
    """One DOCDB ``exchange-document`` (bibliographic data, abstract, family id)."""
    bib = doc.find("bibliographic-data")
    if bib is None:
        raise FieldProblem("bibliographic-data", "missing node bibliographic-data")
    pub = bib.find("publication-reference[@data-format='docdb']/document-id")
    country = doc.get("country") or find_text(pub, "country")
    number = doc.get("doc-number") or find_text(pub, "doc-number")
    kind = doc.get("kind") or find_text(pub, "kind")
    app = bib.find("application-reference[@data-format='docdb']/document-id")
    priorities = [parse_date(find_text(p, "document-id/date"))
                  for p in bib.iterfind("priority-claims/priority-claim")]
    return build_record(
        country, number, kind, DOCDB,
        title=text_of(_prefer_english(bib.iterfind("invention-title"))),
        abstract=block_text(_prefer_english(doc.iterfind("abstract"))),
        publication_date=parse_date(doc.get("date-publ") or find_text(pub, "date")),
        filing_date=parse_date(find_text(app, "date")),
        priority_date=min((d for d in priorities if d), default=None),
        application_number=find_text(app, "doc-number"),
        family_id=doc.get("family-id", ""),
        cpc=[normalise_class(find_text(c, "classification-symbol")) for c in
             bib.iterfind("patent-classifications/patent-classification")
             if "CPC" in _scheme(c)],
        ipc=[normalise_class(text_of(t))
             for t in bib.iterfind("classifications-ipcr/classification-ipcr/text")]
        + [normalise_class(text_of(t)) for t in bib.iterfind("classification-ipc/*")
           if t.tag in ("main-classification", "further-classification")],
        applicants=_docdb_names(bib, "applicant"),
        inventors=_docdb_names(bib, "inventor"),
        citations=_docdb_citations(bib),
        language=_docdb_language(bib, pub),
    )
