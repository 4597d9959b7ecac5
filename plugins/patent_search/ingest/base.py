"""What every parser returns to the pipeline: a record, or a problem naming the field at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .model import PatentRecord, canonical_number
from .text import unique

__all__ = ["FieldProblem", "attempt", "build_record"]

_LISTS = ("claims", "cpc", "ipc", "applicants", "assignees", "inventors", "citations")


class FieldProblem(ValueError):
    """A document whose ``field`` cannot be read; the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def build_record(country: str, number: str, kind: str, source_format: str,
                 **fields: Any) -> PatentRecord:
    """A record with its canonical number; a missing number is a ``publication_number`` problem.

    List fields are de-duplicated in order (classification and party lists repeat in sources).
    """
    country = (country or "").strip().upper()
    if not (number or "").strip():
        raise FieldProblem("publication_number", "no publication number in the document")
    if not country:
        raise FieldProblem("publication_number", f"no country for publication number {number}")
    canonical = canonical_number(country, number, kind)
    for name in _LISTS:
        if name in fields and name != "claims":
            fields[name] = unique(fields[name])
    return PatentRecord(
        publication_number=canonical,
        country=country,
        doc_number=canonical.split("-")[1],
        kind=(kind or "").strip().upper(),
        source_format=source_format,
        **fields,
    )


def attempt(parse: Callable[..., PatentRecord], *args: Any) -> PatentRecord | FieldProblem:
    """Run a parser on one document; any failure becomes a problem so the file goes on.

    Unexpected exceptions (a structure no parser foresaw) are reported on field ``document``
    with their type, never swallowed silently.
    """
    try:
        return parse(*args)
    except FieldProblem as problem:
        return problem
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        return FieldProblem("document", f"unreadable ({type(exc).__name__}: {exc})")
