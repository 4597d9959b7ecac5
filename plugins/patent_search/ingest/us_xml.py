"""USPTO full-text XML v4.0-v4.7: grants (``us-patent-grant``) and applications.

One parser serves both document types and every v4 DTD: the element names they share are
read, the ones that moved between versions (``references-cited`` -> ``us-references-cited``,
``parties`` -> ``us-parties``, inventors inside applicants before v4.2) are all looked for.
"""

from __future__ import annotations

import re

from lxml import etree

from .base import FieldProblem, build_record
from .model import PatentRecord, canonical_number
from .text import compact_ipc, normalise_class, parse_date
from .xmldoc import block_text, claim_texts, find_text, text_of

__all__ = ["GRANT", "APPLICATION", "check_dtd", "parse_us_v4"]

GRANT = "uspto_grant_xml"
APPLICATION = "uspto_application_xml"
_KNOWN_DTD = re.compile(
    r"^(us-patent-grant|us-patent-application)-v4[0-7]-\d{4}-\d{2}-\d{2}\.dtd$"
    r"|^pap-v1[56]-\d{4}-\d{2}-\d{2}\.dtd$|^ST32-US-Grant-025xml\.dtd$"
)
_VERSION = re.compile(r"v?4\.?([0-7])\b")
# A utility/plant/reissue grant must carry an abstract (37 CFR 1.72); designs have none.
_NEEDS_ABSTRACT = re.compile(r"^(B1|B2|E|P\d?)$")


def check_dtd(root: etree._Element, declared: tuple[str, str]) -> None:
    """Refuse a DOCTYPE that names a DTD we do not know, or a v4 document of no known version.

    A document without a DOCTYPE is read when its ``dtd-version`` attribute names a v4 DTD
    (some redistributed samples drop the DOCTYPE line); without either it is refused.
    """
    name, system = declared
    if name and name == root.tag and system and not _KNOWN_DTD.match(system.rsplit("/")[-1]):
        raise FieldProblem("dtd", f"unsupported DTD {system!r} for <{root.tag}>")
    if root.tag in ("us-patent-grant", "us-patent-application") and not system:
        version = root.get("dtd-version", "")
        if not _VERSION.match(version):
            raise FieldProblem(
                "dtd", "no DOCTYPE and no dtd-version attribute: the DTD version is unknown"
                if not version else f"unsupported dtd-version {version!r}")


def _name(party: etree._Element) -> str:
    org = find_text(party, ".//orgname")
    if org:
        return org
    first, last = find_text(party, ".//first-name"), find_text(party, ".//last-name")
    return f"{first} {last}".strip()


def _classes(bib: etree._Element, path: str) -> list[str]:
    symbols = []
    for item in bib.iterfind(path):
        parts = [find_text(item, tag) for tag in ("section", "class", "subclass", "main-group")]
        symbols.append(normalise_class(f"{''.join(parts)}/{find_text(item, 'subgroup')}"))
    return symbols


def _ipc(bib: etree._Element) -> list[str]:
    ipc = _classes(bib, "classifications-ipcr/classification-ipcr")
    for path in ("classification-ipc/main-classification",
                 "classification-ipc/further-classification"):
        ipc += [compact_ipc(text_of(item)) for item in bib.iterfind(path)]  # A45F  504 (v4.0)
    return ipc


def _citations(bib: etree._Element) -> list[str]:
    cited = []
    for doc in bib.iterfind(".//patcit/document-id"):
        number = find_text(doc, "doc-number")
        if number:
            cited.append(canonical_number(find_text(doc, "country") or "US", number,
                                          find_text(doc, "kind")))
    return cited


def _parties(bib: etree._Element) -> tuple[list[str], list[str], list[str]]:
    applicants = list(bib.iterfind(".//applicants/applicant")) + list(
        bib.iterfind(".//us-applicants/us-applicant"))
    inventors = [_name(p) for p in bib.iterfind(".//inventors/inventor")]
    if not inventors:  # before v4.2 inventors are the applicants typed applicant-inventor
        inventors = [_name(p) for p in applicants
                     if "inventor" in p.get("app-type", "applicant-inventor")]
    assignees = [_name(p) for p in bib.iterfind(".//assignees/assignee")]
    return [_name(p) for p in applicants], inventors, assignees


def parse_us_v4(root: etree._Element) -> PatentRecord:
    """A v4 grant or application document (namespaces already stripped)."""
    source_format = GRANT if root.tag == "us-patent-grant" else APPLICATION
    bib = root.find("us-bibliographic-data-grant")
    if bib is None:
        bib = root.find("us-bibliographic-data-application")
    if bib is None:
        raise FieldProblem("bibliographic-data",
                           f"missing node <{root.tag!s}>/us-bibliographic-data")
    pub = bib.find("publication-reference/document-id")
    if pub is None:
        raise FieldProblem("publication-reference", "missing node publication-reference")
    kind = find_text(pub, "kind")
    abstract = root.find("abstract")
    if abstract is None and source_format == GRANT and _NEEDS_ABSTRACT.match(kind):
        raise FieldProblem("abstract", f"missing node abstract (required for a kind {kind} grant)")
    applicants, inventors, assignees = _parties(bib)
    priorities = [parse_date(find_text(p, "date")) for p in bib.iterfind(".//priority-claim")]
    return build_record(
        find_text(pub, "country") or "US", find_text(pub, "doc-number"), kind, source_format,
        title=find_text(bib, "invention-title"),
        abstract=block_text(abstract),
        claims=claim_texts(root.iterfind("claims/claim")),
        description=block_text(root.find("description")),
        publication_date=parse_date(find_text(pub, "date")),
        filing_date=parse_date(find_text(bib, "application-reference/document-id/date")),
        priority_date=min((d for d in priorities if d), default=None),
        application_number=find_text(bib, "application-reference/document-id/doc-number"),
        cpc=_classes(bib, "classifications-cpc//classification-cpc"),
        ipc=_ipc(bib),
        applicants=applicants, assignees=assignees, inventors=inventors,
        citations=_citations(bib),
        language=(root.get("lang") or "en").lower(),
    )
