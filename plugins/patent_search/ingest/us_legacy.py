"""USPTO XML before v4: ST.32 v2.5 grants (``PATDOC``, 2001-2004) and applications v1.5/v1.6
(``patent-application-publication``, 2001-2004)."""

from __future__ import annotations

from lxml import etree

from .base import FieldProblem, build_record
from .model import PatentRecord, canonical_number
from .text import compact_ipc, normalise_class, parse_date
from .xmldoc import block_text, claim_texts, find_text

__all__ = ["PAP", "ST32", "parse_pap", "parse_st32"]

ST32 = "uspto_st32_xml"
PAP = "uspto_pap_xml"


def _st32_name(party: etree._Element) -> str:
    org = find_text(party, ".//ONM")
    if org:
        return org
    return f"{find_text(party, './/FNM')} {find_text(party, './/SNM')}".strip()


def _st32_citations(bib: etree._Element) -> list[str]:
    cited = []
    for doc in bib.iterfind("B500/B560/B561/PCIT/DOC"):
        number = find_text(doc, "DNUM")
        if number:
            cited.append(canonical_number(find_text(doc, "CTRY") or "US", number,
                                          find_text(doc, "KIND")))
    return cited


def parse_st32(root: etree._Element) -> PatentRecord:
    """An ST.32 v2.5 (SGML-era XML) grant."""
    bib = root.find("SDOBI")
    if bib is None or bib.find("B100") is None:
        raise FieldProblem("publication-reference", "missing node SDOBI/B100")
    b100 = bib.find("B100")
    priorities = [parse_date(find_text(p, "DATE")) for p in bib.iterfind("B300/B320")]
    return build_record(
        find_text(b100, "B190") or "US", find_text(b100, "B110/DNUM"), find_text(b100, "B130"),
        ST32,
        title=find_text(bib, "B500/B540/STEXT"),
        abstract=block_text(root.find("SDOAB")),
        claims=claim_texts(root.iterfind("SDOCL/CL/CLM")),
        description=block_text(root.find("SDODE")),
        publication_date=parse_date(find_text(b100, "B140/DATE")),
        filing_date=parse_date(find_text(bib, "B200/B220/DATE")),
        priority_date=min((d for d in priorities if d), default=None),
        application_number=find_text(bib, "B200/B210/DNUM"),
        ipc=[compact_ipc(find_text(item)) for item in bib.iterfind("B500/B510/*")
             if item.tag in ("B511", "B512")],
        inventors=[_st32_name(p) for p in bib.iterfind("B700/B720/B721")],
        assignees=[_st32_name(p) for p in bib.iterfind("B700/B730/B731")],
        citations=_st32_citations(bib),
        language="en",
    )


def _pap_name(party: etree._Element) -> str:
    org = find_text(party, "organization-name", ".//organization-name")
    if org:
        return org
    return f"{find_text(party, './/given-name')} {find_text(party, './/family-name')}".strip()


def parse_pap(root: etree._Element) -> PatentRecord:
    """A pre-grant publication in the v1.5/v1.6 application DTD."""
    bib = root.find("subdoc-bibliographic-information")
    if bib is None or bib.find("document-id") is None:
        raise FieldProblem("publication-reference",
                           "missing node subdoc-bibliographic-information/document-id")
    doc = bib.find("document-id")
    tech = bib.find("technical-information")
    filing = bib.find("domestic-filing-data")
    priorities = [parse_date(find_text(p, "filing-date"))
                  for p in bib.iterfind("foreign-priority-data")]
    inventors = bib.find("inventors")
    return build_record(
        find_text(doc, "country-code") or "US", find_text(doc, "doc-number"),
        find_text(doc, "kind-code"), PAP,
        title=find_text(tech, "title-of-invention"),
        abstract=block_text(root.find("subdoc-abstract")),
        claims=claim_texts(root.iterfind("subdoc-claims/claim")),
        description=block_text(root.find("subdoc-description")),
        publication_date=parse_date(find_text(doc, "document-date")),
        filing_date=parse_date(find_text(filing, "filing-date")),
        priority_date=min((d for d in priorities if d), default=None),
        application_number=find_text(filing, "application-number/doc-number"),
        ipc=[normalise_class(find_text(item)) for item in
             (tech.iterfind("classification-ipc//ipc") if tech is not None else ())],
        inventors=[_pap_name(p) for p in inventors] if inventors is not None else [],
        assignees=[_pap_name(p) for p in bib.iterfind("assignee")],
        language="en",
    )
