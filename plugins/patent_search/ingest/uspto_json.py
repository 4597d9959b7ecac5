"""USPTO JSON answers saved to files: Patent Public Search (PPUBS) and the Open Data Portal.

A PPUBS search answer lists publications under ``patents`` (a document answer is a bare list
of the same objects, with ``abstractHtml``/``descriptionHtml`` added); an Open Data Portal
answer lists applications under ``patentFileWrapperDataBag``, each with its
``applicationMetaData``. Both are one JSON document per file, read whole up to a bound.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import IO, Any

from .base import FieldProblem, attempt, build_record
from .model import PatentRecord, canonical_number
from .tabular import Item, json_keys
from .text import clean, normalise_class, parse_date, person_name

__all__ = ["MAX_JSON_BYTES", "ODP", "PPUBS", "read_odp", "read_ppubs"]

PPUBS = "uspto_ppubs_json"
ODP = "uspto_odp_json"
MAX_JSON_BYTES = 256 << 20  # an answer of 500 PPUBS documents with full text is ~25 MB
_PUBLICATION = re.compile(r"^([A-Z]{2})(\d+|[A-Z]+\d+)([A-Z]\d?)$")
_FIRST_UTILITY_KINDS = date(2001, 1, 2)  # B1/B2 since the first pre-grant publications
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def _load(stream: IO[bytes], what: str) -> Any:
    data = stream.read(MAX_JSON_BYTES + 1)
    if len(data) > MAX_JSON_BYTES:
        raise FieldProblem(
            "json", f"{what} larger than {MAX_JSON_BYTES >> 20} MiB; split the answer into pages"
        )
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise FieldProblem("json", f"not JSON: {exc}") from exc


def _read(
    stream: IO[bytes],
    what: str,
    members: Callable[[Any], list[Any] | None],
    label: str,
    build: Callable[[dict[str, Any]], PatentRecord],
) -> Iterator[Item]:
    try:
        answer = _load(stream, what)
    except FieldProblem as problem:
        yield "file", problem
        return
    found = members(answer)
    if found is None:
        yield "file", FieldProblem("format", f"expected {what}; saw {json_keys(answer)}")
        return
    for number, member in enumerate(found, start=1):
        if isinstance(member, dict):
            yield f"{label} {number}", attempt(build, member)
        else:
            yield (
                f"{label} {number}",
                FieldProblem(label, f"expected an object; saw {json_keys(member)}"),
            )


def _strings(value: Any) -> list[str]:
    """A JSON string or list of strings as a list (None and other types: empty)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _split(value: Any) -> list[str]:
    return [part for text in _strings(value) for part in text.split(";") if part.strip()]


def _html_text(value: Any) -> str:
    """PPUBS' ``...Html`` text fields: line breaks kept, tags dropped, entities decoded."""
    text = "".join(_strings(value))
    lines = (clean(html.unescape(_TAG.sub("", line))) for line in _BREAK.split(text))
    return "\n".join(line for line in lines if line)


def _ppubs_number(row: dict[str, Any]) -> tuple[str, str, str]:
    guid = str(row.get("guid") or "")
    parts = guid.split("-")
    if len(parts) == 3 and all(parts[:2]):
        return parts[0], parts[1], parts[2]
    kinds = _strings(row.get("kindCode"))
    return "US", str(row.get("publicationReferenceDocumentNumber") or ""), (kinds or [""])[0]


def _ppubs(row: dict[str, Any]) -> PatentRecord:
    country, number, kind = _ppubs_number(row)
    inventors = _strings(row.get("inventors")) or [
        re.sub(r"\s+et al\.?$", "", name) for name in _strings(row.get("inventorsShort"))
    ]
    family = row.get("familyIdentifierCur")
    return build_record(
        country,
        number,
        kind,
        PPUBS,
        title=clean(
            row.get("inventionTitle") if isinstance(row.get("inventionTitle"), str) else ""
        ),
        abstract=_html_text(row.get("abstractHtml")),
        description=_html_text(row.get("descriptionHtml")),
        publication_date=parse_date(next(iter(_strings(row.get("datePublished"))), "")),
        filing_date=parse_date(next(iter(_strings(row.get("applicationFilingDate"))), "")),
        # "14/231597" as the XML formats write it: series code and serial, no slash
        application_number=clean(next(iter(_strings(row.get("applicationNumber"))), "")).replace(
            "/", ""
        ),
        family_id=str(family) if isinstance(family, int | str) else "",
        cpc=[
            normalise_class(c)
            for c in _split(row.get("cpcInventiveFlattened"))
            + _split(row.get("cpcAdditionalFlattened"))
        ],
        ipc=[normalise_class(c) for c in _split(row.get("ipcCodeFlattened"))],
        applicants=[clean(a) for a in _strings(row.get("applicantName"))],
        assignees=[clean(a) for a in _strings(row.get("assigneeName"))],
        inventors=[person_name(n) for n in inventors],
        citations=[canonical_number("US", n) for n in _strings(row.get("urpn"))],
        language=next(iter(_strings(row.get("languageIndicator"))), "").lower(),
    )


def _ppubs_members(answer: Any) -> list[Any] | None:
    if isinstance(answer, list):
        return answer
    if isinstance(answer, dict):
        for key in ("patents", "docs"):
            if isinstance(answer.get(key), list):
                return answer[key]
    return None


def read_ppubs(stream: IO[bytes]) -> Iterator[Item]:
    """Every publication of a PPUBS search or document answer (``patent N``)."""
    return _read(
        stream, "a USPTO public-search answer (a 'patents' list)", _ppubs_members, "patent", _ppubs
    )


def _grant_kind(meta: dict[str, Any]) -> str:
    """The kind of an ODP grant, which ODP does not state: by the USPTO's rule since 2001 a
    utility patent is B2 when its application was published before, else B1; designs are S."""
    granted = parse_date(meta.get("grantDate"))
    category = meta.get("applicationTypeCode")
    if category == "DES":
        return "S"
    if category == "UTL" and granted and granted >= _FIRST_UTILITY_KINDS:
        return "B2" if meta.get("earliestPublicationNumber") else "B1"
    return ""


def _odp(bag: dict[str, Any]) -> PatentRecord:
    meta = bag.get("applicationMetaData")
    application = clean(str(bag.get("applicationNumberText") or ""))
    if not isinstance(meta, dict):
        raise FieldProblem(
            "applicationMetaData",
            f"application {application or '?'} has no applicationMetaData object",
        )
    published = _PUBLICATION.match(str(meta.get("earliestPublicationNumber") or ""))
    if meta.get("patentNumber"):
        parts: tuple[str, str, str] = ("US", str(meta["patentNumber"]), _grant_kind(meta))
        when = meta.get("grantDate")
    elif published:
        country, number, kind = published.groups()
        parts, when = (country, number, kind), meta.get("earliestPublicationDate")
    else:
        raise FieldProblem(
            "publication_number",
            f"application {application or '?'} is not "
            "published (no patentNumber, no "
            "earliestPublicationNumber)",
        )
    inventors = [i for i in meta.get("inventorBag") or [] if isinstance(i, dict)]
    applicants = [a for a in meta.get("applicantBag") or [] if isinstance(a, dict)]
    return build_record(
        *parts,
        ODP,
        title=clean(str(meta.get("inventionTitle") or "")),
        publication_date=parse_date(str(when or "")),
        filing_date=parse_date(str(meta.get("filingDate") or "")),
        application_number=application,
        cpc=[normalise_class(c) for c in _strings(meta.get("cpcClassificationBag"))],
        applicants=[clean(str(a.get("applicantNameText") or "")) for a in applicants],
        inventors=[
            clean(
                str(
                    i.get("inventorNameText") or f"{i.get('firstName', '')} {i.get('lastName', '')}"
                )
            )
            for i in inventors
        ],
        language="en",
    )


def _odp_members(answer: Any) -> list[Any] | None:
    if isinstance(answer, dict) and isinstance(answer.get("patentFileWrapperDataBag"), list):
        return answer["patentFileWrapperDataBag"]
    return None


def read_odp(stream: IO[bytes]) -> Iterator[Item]:
    """Every published application of an Open Data Portal answer (``application N``)."""
    return _read(
        stream,
        "a USPTO Open Data Portal answer (a 'patentFileWrapperDataBag' list)",
        _odp_members,
        "application",
        _odp,
    )
