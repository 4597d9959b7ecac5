"""EPO XML: publication-server ``ep-patent-document`` (DTD v1.0-v1.5.1); DOCDB is in ``docdb``.

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

__all__ = ["PUBLICATION", "ep_citation", "parse_ep_publication", "prefer_language"]

PUBLICATION = "epo_publication_xml"
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


def prefer_language(elements: Iterable[etree._Element], language: str = ""
                    ) -> etree._Element | None:
    """The element in the document's own ``language``, else the English one, else the first
    (the rule every multilingual format follows)."""
    chosen: dict[str, etree._Element] = {}
    for element in elements:
        chosen.setdefault((element.get("lang") or "").lower(), element)
    for wanted in ((language or "").lower(), "en"):
        if wanted and wanted in chosen:
            return chosen[wanted]
    return next(iter(chosen.values()), None)


def _prefer_english(elements: Iterable[etree._Element]) -> etree._Element | None:
    return prefer_language(elements)


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
