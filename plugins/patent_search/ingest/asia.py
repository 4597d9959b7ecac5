"""CNIPA XML (new ``business:PatentDocumentAndRelated`` and old ``cn-patent-document``) and
JPO gazette XML (``jp-official-gazette``)."""

from __future__ import annotations

from lxml import etree

from .base import FieldProblem, build_record
from .model import PatentRecord
from .text import normalise_class, parse_date
from .xmldoc import block_text, claim_texts, find_text, text_of

__all__ = ["CNIPA", "CNIPA_OLD", "JPO", "parse_cnipa", "parse_cnipa_old", "parse_jpo"]

CNIPA = "cnipa_xml"
CNIPA_OLD = "cnipa_old_xml"
JPO = "jpo_xml"


def _earliest(bib: etree._Element, path: str) -> object:
    dates = [parse_date(text_of(d)) for d in bib.iterfind(path)]
    return min((d for d in dates if d), default=None)


def parse_cnipa(root: etree._Element) -> PatentRecord:
    """A CNIPA document in the new (2019+) ``PatentDocumentAndRelated`` schema."""
    bib = root.find("BibliographicData")
    if bib is None:
        raise FieldProblem("bibliographic-data", "missing node BibliographicData")
    pub = bib.find("PublicationReference[@dataFormat='standard']/DocumentID")
    if pub is None:
        pub = bib.find("PublicationReference/DocumentID")
    if pub is None:
        raise FieldProblem("publication-reference", "missing node PublicationReference")
    app = bib.find("ApplicationReference/DocumentID")
    parties = bib.find("Parties")
    if parties is None:
        parties = etree.Element("Parties")
    return build_record(
        find_text(pub, "WIPOST3Code"), find_text(pub, "DocNumber"), find_text(pub, "Kind"), CNIPA,
        title=find_text(bib, "InventionTitle"),
        abstract=block_text(root.find("Abstract")),
        claims=claim_texts(root.iterfind("Claims/Claim")),
        description=block_text(root.find("Description")),
        publication_date=parse_date(find_text(pub, "Date")),
        filing_date=parse_date(find_text(app, "Date")),
        priority_date=_earliest(bib, "PriorityDetails/Priority/Date"),
        application_number=find_text(app, "DocNumber"),
        ipc=[normalise_class(text_of(t)) for t in
             bib.iterfind("ClassificationIPCRDetails/ClassificationIPCR/Text")],
        applicants=[find_text(a, "AddressBook/Name", "AddressBook/OrganizationName")
                    for a in parties.iterfind("ApplicantDetails/Applicant")],
        inventors=[find_text(a, "AddressBook/Name")
                   for a in parties.iterfind("InventorDetails/Inventor")],
        language=_title_language(bib),
    )


def _title_language(bib: etree._Element) -> str:
    """The ``lang`` of the invention title, ``zh`` when it has none."""
    title = bib.find("InventionTitle")
    return (title.get("lang", "zh") if title is not None else "zh").lower()


def parse_cnipa_old(root: etree._Element) -> PatentRecord:
    """A CNIPA document in the older ``cn-patent-document`` schema."""
    bib = root.find("cn-bibliographic-data")
    pub = bib.find("cn-publication-reference/document-id") if bib is not None else None
    if bib is None or pub is None:  # no bibliographic data: no publication either
        raise FieldProblem("publication-reference", "missing node cn-publication-reference")
    app = bib.find("application-reference/document-id")
    body = root.find("application-body")
    return build_record(
        find_text(pub, "country") or root.get("country", ""), find_text(pub, "doc-number"),
        find_text(pub, "kind"), CNIPA_OLD,
        title=find_text(bib, "invention-title"),
        abstract=block_text(bib.find("abstract")),
        claims=claim_texts(body.iterfind("claims/claim")) if body is not None else [],
        description=block_text(body.find("description")) if body is not None else "",
        publication_date=parse_date(find_text(pub, "date")),
        filing_date=parse_date(find_text(app, "date")),
        priority_date=_earliest(bib, "priority-claims/priority-claim/date"),
        application_number=find_text(app, "doc-number"),
        ipc=[normalise_class(text_of(t)) for t in
             bib.iterfind("classifications-ipcr/classification-ipcr/text")],
        applicants=[find_text(a, "addressbook/name", "name") for a in
                    bib.iterfind("cn-parties/cn-applicants/cn-applicant")],
        inventors=[find_text(a, "name", "addressbook/name") for a in
                   bib.iterfind("cn-parties/cn-inventors/cn-inventor")],
        language=(root.get("lang") or "zh").lower(),
    )


def parse_jpo(root: etree._Element) -> PatentRecord:
    """A JPO gazette (``jp-official-gazette``); the kind is the WIPO ST.16 code it declares."""
    bib = root.find("bibliographic-data")
    pub = bib.find("publication-reference/document-id") if bib is not None else None
    if bib is None or pub is None:  # no bibliographic data: no publication either
        raise FieldProblem("publication-reference", "missing node publication-reference")
    app = bib.find("application-reference/document-id")
    ipc = bib.iterfind("classification-ipc/*")
    return build_record(
        find_text(pub, "country") or root.get("country", ""), find_text(pub, "doc-number"),
        root.get("kind-of-st16") or root.get("kind-of-jp") or "", JPO,
        title=find_text(bib, "invention-title"),
        abstract=block_text(root.find("abstract")),
        claims=claim_texts(root.iterfind("claims/claim")),
        description=block_text(root.find("description")),
        publication_date=parse_date(find_text(pub, "date")),
        filing_date=parse_date(find_text(app, "date")),
        priority_date=_earliest(bib, "priority-claims/priority-claim/date"),
        application_number=find_text(app, "doc-number"),
        ipc=[normalise_class(text_of(t)) for t in ipc if t.tag in ("main-clsf", "further-clsf")],
        applicants=[find_text(a, "addressbook/name") for a in
                    bib.iterfind("parties/applicants-agents-article/applicants-agents/applicant")],
        inventors=[find_text(a, "addressbook/name") for a in
                   bib.iterfind("parties/inventors/inventor")],
        language=(root.get("lang") or "ja").lower(),
    )
