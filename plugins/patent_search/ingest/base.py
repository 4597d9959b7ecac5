"""What every parser returns to the pipeline: a record, or a problem naming the field at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .limits import current as current_limits
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
    if len(number) > current_limits().max_item_chars:
        raise FieldProblem("publication_number", f"{len(number):,} characters, not a number")
    canonical = canonical_number(country, number, kind)
    for name in _LISTS:
        if name in fields and name != "claims":
            fields[name] = unique(fields[name])
    warnings = _cap_fields(fields)
    return PatentRecord(
        publication_number=canonical,
        country=country,
        doc_number=canonical.split("-")[1],
        kind=(kind or "").strip().upper(),
        source_format=source_format,
        warnings=warnings,
        **fields,
    )


def _cut(fields: dict[str, Any], name: str, limit: int, warnings: list[tuple[str, str]]) -> None:
    value = fields.get(name)
    if isinstance(value, str) and len(value) > limit:
        fields[name] = value[:limit]
        warnings.append((name, f"{len(value):,} characters, over the limit of {limit:,}: "
                               f"truncated (the document is loaded with the first {limit:,})"))


def _cap_fields(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """Cut every field to its limit (``limits.Limits``); one warning per field cut."""
    warnings: list[tuple[str, str]] = []
    limits = current_limits()
    _cut(fields, "title", limits.max_title_chars, warnings)
    _cut(fields, "abstract", limits.max_abstract_chars, warnings)
    _cut(fields, "description", limits.max_description_chars, warnings)
    for name in ("application_number", "family_id", "language"):
        _cut(fields, name, limits.max_item_chars, warnings)
    claims = fields.get("claims")
    if isinstance(claims, list):
        kept, total = [], 0
        for claim in claims[:limits.max_claims]:
            room = limits.max_claims_chars - total
            if room <= 0:
                break
            kept.append(claim[:room])
            total += len(kept[-1])
        if len(kept) < len(claims) or kept and kept[-1] != claims[len(kept) - 1]:
            warnings.append(("claims", f"{len(claims):,} claims of "
                             f"{sum(map(len, claims)):,} characters, over the limits of "
                             f"{limits.max_claims:,} claims and {limits.max_claims_chars:,} "
                             "characters: truncated"))
        fields["claims"] = kept
    for name in _LISTS[1:]:
        items = fields.get(name)
        if not isinstance(items, list):
            continue
        capped = [item[:limits.max_item_chars] for item in items[:limits.max_list_items]]
        if len(capped) < len(items) or any(len(i) > limits.max_item_chars for i in items):
            warnings.append((name, f"{len(items):,} entries, over the limits of "
                             f"{limits.max_list_items:,} entries of {limits.max_item_chars:,} "
                             "characters: truncated"))
        fields[name] = capped
    return warnings


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
    except RecursionError:
        return FieldProblem("document", "nested too deeply to read")
