"""USPTO tagged text: APS "greenbook" (1976-2001) and the CSS BRS export.

Both write one field per line as ``TAG value`` with indented continuation lines. APS groups
fields under section lines (``PATN``, ``INVT``, ``ABST``, ``CLMS``...) and starts each patent
with ``PATN``; BRS starts each patent with a tab-separated summary line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from .base import FieldProblem, attempt, build_record
from .decoding import TextLines
from .limits import current as current_limits
from .model import PatentRecord, canonical_number
from .tabular import Item
from .text import clean, compact_ipc, normalise_class, parse_date, person_name

__all__ = ["APS", "BRS", "read_aps", "read_brs"]

APS = "uspto_aps_text"
BRS = "uspto_brs_text"
_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,4})(?:[ \t]+(.*))?$")
_CLAIM_START = re.compile(r"^\d+\s*\.")
_APS_KIND = {"1": "A", "2": "E", "4": "S", "5": "H", "6": "P"}  # utility, reissue, design...
_APS_DESCRIPTION = ("BSUM", "DRWD", "DETD", "GOVT", "PARN")
_APS_PARAGRAPH = ("PAR", "PA0", "PA1", "PA2", "PA3", "PA4", "PA5", "PAC", "TBL", "EQU", "PAL")


@dataclass
class _Field:
    section: str
    tag: str
    value: str
    more: list[str] = field(default_factory=list)  # continuation lines, joined once at the end


@dataclass
class _Doc:
    line: int
    fields: list[_Field] = field(default_factory=list)
    size: int = 0
    problem: FieldProblem | None = None  # a line of it had bytes of another encoding

    def values(self, tag: str, section: str | None = None) -> list[str]:
        return [f.value for f in self.fields
                if f.tag == tag and (section is None or f.section == section)]

    def first(self, tag: str, section: str | None = None) -> str:
        return next(iter(self.values(tag, section)), "")

    def done(self) -> _Doc:
        """Continuation lines joined to their field, each value cleaned once (linear time)."""
        for f in self.fields:
            if f.more:
                f.value, f.more = clean(" ".join([f.value, *f.more])), []
        return self


def _tagged(stream: IO[bytes], starts_doc) -> Iterator[_Doc]:
    """Tagged fields grouped into documents; ``starts_doc(line)`` says where one begins.

    A document over ``limits.Limits.max_document_bytes`` keeps no more fields past the cap
    (its ``size`` tells); the reader reports it and goes on with the next document."""
    doc: _Doc | None = None
    section = ""
    cap = current_limits().max_document_bytes
    lines = TextLines(stream)  # bounded lines: ``stream`` is a ``limits.Bounded``
    for line_no, text in enumerate(lines, start=1):
        line = text.rstrip("\r\n")
        if starts_doc(line):
            if doc is not None:
                yield doc.done()
            doc, section = _Doc(line_no), ""
        for _, problem in lines.take_problems():
            if doc is not None and doc.problem is None:
                doc.problem = problem
        if doc is None or not line.strip():
            continue
        doc.size += len(text)
        if doc.size > cap:
            doc.fields.clear()
            continue
        if line[0] in " \t":
            if doc.fields:
                doc.fields[-1].more.append(line)
            continue
        match = _TAG.match(line)
        if not match:
            continue
        tag, value = match.group(1), clean(match.group(2))
        if not value and len(tag) == 4 and doc.fields is not None and tag.isalpha():
            section = tag
        doc.fields.append(_Field(section, tag, value))
    if doc is not None:
        yield doc.done()


def _item(doc: _Doc, build) -> Item:
    cap = current_limits().max_document_bytes
    if doc.size > cap:
        return f"line {doc.line}", FieldProblem(
            "document", f"{doc.size:,} bytes, over the limit of {cap:,} bytes per document: "
            "not read")
    return f"line {doc.line}", attempt(build, doc)


def _claims(doc: _Doc, claim_tags: tuple[str, ...], section: str | None) -> list[str]:
    claims: list[list[str]] = []
    for f in doc.fields:
        if (section and f.section != section) or f.tag not in claim_tags or not f.value:
            continue
        if _CLAIM_START.match(f.value) or not claims:
            claims.append([f.value])
        else:
            claims[-1].append(f.value)
    return [" ".join(parts) for parts in claims]


def _aps(doc: _Doc) -> PatentRecord:
    wku = doc.first("WKU", "PATN")
    kind = _APS_KIND.get(doc.first("APT", "PATN"), "")
    return build_record(
        "US", wku[:8], kind, APS,
        title=doc.first("TTL", "PATN"),
        abstract="\n".join(f.value for f in doc.fields
                           if f.section == "ABST" and f.tag in _APS_PARAGRAPH),
        claims=_claims(doc, _APS_PARAGRAPH, "CLMS"),
        description="\n".join(f.value for f in doc.fields if f.section in _APS_DESCRIPTION
                              and f.tag in _APS_PARAGRAPH),
        publication_date=parse_date(doc.first("ISD", "PATN")),
        filing_date=parse_date(doc.first("APD", "PATN")),
        priority_date=min((d for d in map(parse_date, doc.values("APD", "PRIR")) if d),
                          default=None),
        application_number=doc.first("APN", "PATN"),
        ipc=[compact_ipc(v) for v in doc.values("ICL", "CLAS")],
        inventors=[person_name(v) for v in doc.values("NAM", "INVT")],
        assignees=[person_name(v) for v in doc.values("NAM", "ASSG")],
        citations=[canonical_number("US", v) for v in doc.values("PNO", "UREF")]
        + _aps_foreign(doc),
        language="en",
    )


def read_aps(stream: IO[bytes]) -> Iterator[Item]:
    """APS greenbook text: each ``PATN`` line starts a patent."""
    for doc in _tagged(stream, lambda line: line.rstrip() == "PATN"):
        yield (f"line {doc.line}", doc.problem) if doc.problem else _item(doc, _aps)


def _aps_foreign(doc: _Doc) -> list[str]:
    """Foreign references: each FREF block's ``PNO`` with the country of its ``CNT`` line
    (APS writes countries with a trailing X: ``JPX``)."""
    cited, number = [], ""
    for f in doc.fields:
        if f.section == "FREF" and f.tag == "PNO":
            number = f.value
        elif f.section == "FREF" and f.tag == "CNT" and number:
            cited.append(canonical_number(f.value[:2], number))
            number = ""
    return cited


def _brs_citation(value: str) -> str:
    parts = value.split()
    if len(parts) < 2:
        return ""
    kind = parts[2] if len(parts) > 2 and not parts[2].isdigit() else ""
    return canonical_number(parts[0], parts[1], kind)


def _brs(doc: _Doc) -> PatentRecord:
    return build_record(
        "US", doc.first("WKU") or doc.first("DWKU"), doc.first("APT"), BRS,
        title=doc.first("TTL"),
        abstract="\n".join(doc.values("ABPR")),
        claims=_claims(doc, ("CLPR",), None),
        description="\n".join(f.value for f in doc.fields if f.tag in ("BSTX", "DETX", "BRTX")),
        publication_date=parse_date(doc.first("GISD")),
        filing_date=parse_date(doc.first("AFD")),
        priority_date=min((d for d in map(parse_date, doc.values("PRAD")) if d), default=None),
        application_number=doc.first("APNR"),
        cpc=[normalise_class(v) for tag in ("CPOI", "CPOA") for v in doc.values(tag)],
        ipc=[normalise_class(v) for tag in ("IPCP", "IPCS") for v in doc.values(tag)],
        applicants=doc.values("AANM"),
        assignees=doc.values("ASNM"),
        inventors=[person_name(v) for v in doc.values("INNM")],
        citations=[_brs_citation(v) for tag in ("URGP", "FRGP") for v in doc.values(tag)],
        language="en",
    )


def read_brs(stream: IO[bytes]) -> Iterator[Item]:
    """CSS BRS export: a tab-separated summary line starts each patent."""
    for doc in _tagged(stream, lambda line: line.count("\t") >= 3):
        yield (f"line {doc.line}", doc.problem) if doc.problem else _item(doc, _brs)
