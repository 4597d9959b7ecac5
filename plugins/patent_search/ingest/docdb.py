"""EPO DOCDB ``exchange-document``: as the bulk exchange files carry it and as OPS serves it.

The two spell identifiers differently: bulk files repeat each reference once per format
(``<publication-reference data-format="docdb">``), OPS puts every format inside one reference
(``<document-id document-id-type="docdb">``, then ``epodoc``, ``original``) and gives the filing
date only on the epodoc one. Parties come in several spellings of the same person (``original``,
``docdba``, ``docdb``, ``epodoc``); one spelling per person is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from lxml import etree

from .base import FieldProblem, build_record
from .epo import prefer_language
from .model import PatentRecord, canonical_number
from .text import normalise_class, parse_date, person_name
from .xmldoc import block_text, find_text, text_of

__all__ = ["DOCDB", "docdb_id", "parse_docdb", "reference_date"]

DOCDB = "epo_docdb_xml"
# Readable spellings first: DOCDB-assigned (docdba), as filed (original), then the codes.
_NAME_FORMATS = ("docdba", "original", "docdb", "epodoc")
_RESIDENCE = re.compile(r"\s*\[[A-Z]{2}\]\s*$")
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_OLD_WO = re.compile(r"^(\d{2})(\d{6})$")


def docdb_id(reference: etree._Element | None) -> etree._Element | None:
    """The docdb ``document-id`` of a reference, in either spelling (None if it has none)."""
    if reference is None:
        return None
    ids = list(reference.iterfind("document-id"))
    if reference.get("data-format") == "docdb" and ids:
        return ids[0]
    return next((i for i in ids if i.get("document-id-type") == "docdb"), None)


def _references(bib: etree._Element, name: str) -> list[etree._Element]:
    """The references called ``name``, the docdb one first (bulk files have one per format)."""
    found = list(bib.iterfind(name))
    return sorted(found, key=lambda ref: ref.get("data-format", "docdb") != "docdb")


def reference_date(references: Iterable[etree._Element]) -> str:
    """The first date any of the references' ids gives (OPS dates only the epodoc id)."""
    for reference in references:
        ident = docdb_id(reference)
        found = find_text(ident, "date") or find_text(reference, "document-id/date")
        if found:
            return found
    return ""


def _classification(item: etree._Element) -> str:
    """A ``patent-classification``'s symbol: ``classification-symbol`` or its parts."""
    symbol = find_text(item, "classification-symbol")
    if not symbol:
        parts = [find_text(item, part) for part in ("section", "class", "subclass")]
        symbol = "".join(parts) + f"{find_text(item, 'main-group')}/{find_text(item, 'subgroup')}"
    return normalise_class(symbol)


def _scheme(classification: etree._Element) -> str:
    scheme = classification.find("classification-scheme")
    return scheme.get("scheme", "") if scheme is not None else ""


def _tidy_name(raw: str) -> str:
    """A party name without DOCDB's trailing commas and epodoc's residence (``[FI]``)."""
    return _RESIDENCE.sub("", raw).strip(" ,;")


def _person_key(name: str) -> str:
    """What two spellings of one party share: ``Kylmänen, Jari`` = ``KYLMAENEN JARI``."""
    folded = name.casefold().translate(_TRANSLITERATION)
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return " ".join(sorted(re.findall(r"[a-z0-9]+", folded)))


def _docdb_names(bib: etree._Element, role: str) -> list[str]:
    """One name per party of a role, from the most readable spelling the document has.

    Within that spelling the same party listed twice (``HERRALA, SAMI`` and ``Herrala, Sami``)
    is kept once, in mixed case and ``Family, Given`` form when one of its spellings has them.
    """
    by_format: dict[str, list[str]] = {}
    for party in bib.iterfind(f"parties/{role}s/{role}"):
        name = _tidy_name(find_text(party, f"{role}-name/name"))
        if name:
            by_format.setdefault(party.get("data-format", ""), []).append(name)
    names = next(
        (by_format[f] for f in _NAME_FORMATS if f in by_format), next(iter(by_format.values()), [])
    )
    chosen: dict[str, str] = {}
    for name in names:
        key = _person_key(name)
        held = chosen.get(key)
        if held is None or _readability(name) > _readability(held):
            chosen[key] = name
    return [person_name(n) if role == "inventor" else n for n in chosen.values()]


def _readability(name: str) -> tuple[bool, bool]:
    return not name.isupper(), "," in name


def _docdb_citations(bib: etree._Element) -> list[str]:
    cited = []
    for doc in bib.iterfind("references-cited/citation/patcit"):
        if doc.get("dnum-type") not in (None, "publication number"):
            continue
        ids = list(doc.iterfind("document-id"))
        ident = next(
            (i for i in ids if i.get("document-id-type") == "docdb"),
            next((i for i in ids if find_text(i, "country")), None),
        )
        country, number = find_text(ident, "country"), find_text(ident, "doc-number")
        if country and number:
            old_wo = _OLD_WO.match(number) if country == "WO" else None
            if old_wo:  # DOCDB writes WO numbers before 2004 as yy + six digits
                year = int(old_wo.group(1))
                number = f"{1900 + year if year >= 78 else 2000 + year}{old_wo.group(2)}"
            cited.append(canonical_number(country, number, find_text(ident, "kind")))
    return cited


def _docdb_language(doc: etree._Element, bib: etree._Element, pub: etree._Element | None) -> str:
    """Publication language, else filing language, else what the ids, the abstract or a
    single title are written in ("" when nothing says)."""
    abstracts = [a.get("lang", "") for a in doc.iterfind("abstract")]
    titles = [t.get("lang", "") for t in bib.iterfind("invention-title")]
    return (
        find_text(bib, "language-of-publication")
        or find_text(bib, "language-of-filing")
        or (pub.get("lang", "") if pub is not None else "")
        or (abstracts[0] if len(abstracts) == 1 else "")
        or (titles[0] if len(titles) == 1 else "")
    ).lower()


def parse_docdb(doc: etree._Element, source_format: str = DOCDB) -> PatentRecord:
    """One DOCDB ``exchange-document`` (bibliographic data, abstract, family id)."""
    bib = doc.find("bibliographic-data")
    if bib is None:
        raise FieldProblem("bibliographic-data", "missing node bibliographic-data")
    publications = _references(bib, "publication-reference")
    applications = _references(bib, "application-reference")
    pub = docdb_id(publications[0]) if publications else None
    app = docdb_id(applications[0]) if applications else None
    priorities = [
        parse_date(find_text(p, "document-id/date"))
        for p in bib.iterfind("priority-claims/priority-claim")
    ]
    language = _docdb_language(doc, bib, pub)
    return build_record(
        doc.get("country") or find_text(pub, "country"),
        doc.get("doc-number") or find_text(pub, "doc-number"),
        doc.get("kind") or find_text(pub, "kind"),
        source_format,
        title=text_of(prefer_language(bib.iterfind("invention-title"), language)),
        abstract=block_text(prefer_language(doc.iterfind("abstract"), language)),
        publication_date=parse_date(doc.get("date-publ") or reference_date(publications)),
        filing_date=parse_date(reference_date(applications)),
        priority_date=min((d for d in priorities if d), default=None),
        application_number=find_text(app, "doc-number"),
        family_id=doc.get("family-id", ""),
        cpc=[
            _classification(c)
            for c in bib.iterfind("patent-classifications/patent-classification")
            if "CPC" in _scheme(c)
        ],
        ipc=[
            normalise_class(text_of(t))
            for t in bib.iterfind("classifications-ipcr/classification-ipcr/text")
        ]
        + [
            normalise_class(text_of(t))
            for t in bib.iterfind("classification-ipc/*")
            if t.tag in ("main-classification", "further-classification")
        ],
        applicants=_docdb_names(bib, "applicant"),
        inventors=_docdb_names(bib, "inventor"),
        citations=_docdb_citations(bib),
        language=language,
    )
