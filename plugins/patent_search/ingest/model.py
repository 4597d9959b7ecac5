"""The one normalised patent record every parser produces, and the error a broken one yields."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date

__all__ = ["IngestError", "LegalEvent", "PatentRecord", "canonical_number", "merge_records"]


@dataclass
class LegalEvent:
    """One INPADOC legal-status event of a publication (EPO OPS ``legal`` answers).

    ``code`` is the office's event code (``17P``, ``AK``), ``influence`` its effect on the right
    as INPADOC marks it (``+`` adds to it, ``-`` takes from it, ``""`` neutral) and ``text`` the
    event's own lines as the office published them.
    """

    code: str
    description: str = ""
    date: date | None = None
    influence: str = ""
    country: str = ""
    text: str = ""


@dataclass
class PatentRecord:
    """A patent publication, whatever format it came from.

    ``publication_number`` is canonical: ``CC-NUMBER-KIND`` (``US-10123456-B2``,
    ``CN-112345678-A``, ``EP-1234567-A1``); ``KIND`` may be empty when the source does not give
    it (``US-7654321-``). CPC/IPC symbols are normalised to ``H04L9/32`` (no spaces, subgroup
    after the slash); ``citations`` hold canonical numbers too.
    """

    publication_number: str
    country: str
    doc_number: str
    kind: str = ""
    title: str = ""
    abstract: str = ""
    claims: list[str] = field(default_factory=list)
    description: str = ""
    publication_date: date | None = None
    filing_date: date | None = None
    priority_date: date | None = None
    application_number: str = ""
    family_id: str = ""
    cpc: list[str] = field(default_factory=list)
    ipc: list[str] = field(default_factory=list)
    applicants: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    inventors: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    language: str = ""
    legal_events: list[LegalEvent] = field(default_factory=list)
    # Set when the record is one part of a publication (an OPS claims, description or family
    # answer): the fields it brings, which update a stored document without blanking the rest.
    partial: tuple[str, ...] = ()
    source_format: str = ""
    source_file: str = ""
    source_locator: str = ""  # where in the file: "document 3", "line 118", a zip member
    #: ``(field, message)`` for each field cut to its length limit (``limits.Limits``)
    warnings: list[tuple[str, str]] = field(default_factory=list, compare=False, repr=False)

    @property
    def jurisdiction(self) -> str:
        """The issuing office (``WO`` and ``EP`` are offices too)."""
        return self.country


def merge_records(held: PatentRecord, new: PatentRecord) -> PatentRecord:
    """``new`` over ``held`` (the same publication): a whole record replaces, a ``partial`` one
    updates only the fields it brings (its other empty fields leave ``held``'s alone)."""
    if not new.partial:
        return new
    merged = dataclasses.replace(
        held, **{name: getattr(new, name) for name in new.partial},
        source_format=new.source_format, source_file=new.source_file,
        source_locator=new.source_locator)
    merged.partial = tuple(dict.fromkeys(held.partial + new.partial)) if held.partial else ()
    return merged


@dataclass
class IngestError:
    """A document that could not be read: which file, which document, which field, and why."""

    file: str
    document: str
    field: str
    message: str
    source_format: str = ""
    #: the document was loaded all the same (a field cut to its length limit)
    warning: bool = False
    #: reading of the file (or zip member) stopped here: what follows it was not read
    stopped: bool = False

    def __str__(self) -> str:
        return f"{self.file}: {self.document}: {self.field}: {self.message}"


_LETTER_PREFIX = re.compile(r"^([A-Z]{1,2})0*(\d+)$")


def canonical_number(country: str, number: str, kind: str = "") -> str:
    """``CC-NUMBER-KIND`` from parts as sources spell them (spaces, slashes, leading zeros).

    Leading zeros go (``US-7654321-B2``), also after a US series letter (``USD0656296`` ->
    ``US-D656296-S``); a US application number written without its zero padding
    (``US2015112182``, Google Patents) regains it (``US-20150112182-A1``).
    """
    cc = (country or "").strip().upper()
    num = "".join(ch for ch in (number or "") if ch.isalnum()).upper()
    if num.startswith(cc) and cc:
        num = num[len(cc):]
    if num.isdigit():
        num = num.lstrip("0") or "0"
        if cc == "US" and len(num) == 10 and num[:2] in ("19", "20"):
            num = f"{num[:4]}0{num[4:]}"
    elif cc == "US" and (match := _LETTER_PREFIX.match(num)):
        num = match.group(1) + match.group(2)
    return f"{cc}-{num}-{(kind or '').strip().upper()}"
