"""WIPO ST.96 ``PatentPublication`` XML (the official example and converted publications)."""

from __future__ import annotations

from lxml import etree

from .base import FieldProblem, build_record
from .model import PatentRecord, canonical_number
from .text import normalise_class, parse_date
from .xmldoc import block_text, claim_texts, find_text

__all__ = ["ST96", "parse_st96"]

ST96 = "wipo_st96_xml"


def _attr(element: etree._Element, local: str) -> str:
    for key, value in element.attrib.items():
        if key.rpartition("}")[2] == local:
            return value
    return ""


def _symbols(bib: etree._Element, tag: str, section: str) -> list[str]:
    symbols = []
    for item in bib.iter(tag):
        head = "".join(find_text(item, t) for t in (section, "Class", "Subclass", "MainGroup"))
        symbols.append(normalise_class(f"{head}/{find_text(item, 'Subgroup')}"))
    return symbols


def _name(party: etree._Element) -> str:
    name = party.find("PublicationContact/Name")
    if name is None:
        name = party.find(".//Name")
    if name is None:
        return ""
    entity = find_text(name, ".//EntityName", ".//OrganizationStandardName")
    if entity:
        return entity
    first, last = find_text(name, ".//FirstName"), find_text(name, ".//LastName")
    return f"{first} {last}".strip() or find_text(name, ".//PersonFullName")


def _citations(bib: etree._Element) -> list[str]:
    cited = []
    for doc in bib.iterfind("ReferenceCitationBag/ReferenceCitation/PatentCitation/"
                            "CitedPatentDocumentIdentification"):
        number = find_text(doc, "DocumentNumber", "PublicationNumber")
        if number:
            cited.append(canonical_number(find_text(doc, "IPOfficeCode"), number,
                                          find_text(doc, "PatentDocumentKindCode")))
    return cited


def parse_st96(root: etree._Element) -> PatentRecord:
    """A ST.96 ``PatentPublication``."""
    bib = root.find("BibliographicData")
    pub = bib.find("PatentPublicationIdentification") if bib is not None else None
    if bib is None or pub is None:  # no bibliographic data: no publication either
        raise FieldProblem("publication-reference", "missing node PatentPublicationIdentification")
    app = bib.find("ApplicationIdentification")
    parties = bib.find("PartyBag")
    title = bib.find("InventionTitleBag/InventionTitle[@languageCode='en']")
    return build_record(
        find_text(pub, "IPOfficeCode") or find_text(root, "IPOfficeCode"),
        find_text(pub, "PublicationNumber"), find_text(pub, "PatentDocumentKindCode"), ST96,
        title=find_text(title) if title is not None else find_text(
            bib, "InventionTitleBag/InventionTitle"),
        abstract=block_text(root.find("Abstract")),
        claims=claim_texts(root.iterfind("Claims/Claim")),
        description=block_text(root.find("Description")),
        publication_date=parse_date(find_text(pub, "PublicationDate")),
        filing_date=parse_date(find_text(app, "FilingDate")),
        priority_date=min((d for d in (parse_date(find_text(p, "FilingDate")) for p in
                                       bib.iterfind("PriorityClaimBag/PriorityClaim")) if d),
                          default=None),
        application_number=find_text(app, "ApplicationNumber/ApplicationNumberText"),
        cpc=_symbols(bib, "CPCClassification", "CPCSection"),
        ipc=_symbols(bib, "IPCRClassification", "Section"),
        applicants=[_name(p) for p in (parties.iterfind("ApplicantBag/Applicant")
                                       if parties is not None else ())],
        inventors=[_name(p) for p in (parties.iterfind("InventorBag/Inventor")
                                      if parties is not None else ())],
        assignees=[_name(p) for p in (parties.iterfind("AssigneeBag/Assignee")
                                      if parties is not None else ())],
        citations=_citations(bib),
        language=(_attr(root, "languageCode") or "").lower(),
    )
