"""Row formats: PatentsView CSV, Google Patents CSV export and Lens.org JSONL.

Each reader streams its file row by row and yields ``(locator, record or FieldProblem)``; a
bad row never stops the rows after it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from .base import FieldProblem, attempt, build_record
from .decoding import TextLines
from .limits import LimitExceeded
from .limits import current as current_limits
from .model import PatentRecord
from .text import clean, normalise_class, parse_date

__all__ = ["GOOGLE_CSV", "LENS", "PATENTSVIEW", "Item", "json_keys", "read_google",
           "read_json_lines", "read_lens", "read_patentsview"]

PATENTSVIEW = "patentsview_csv"
GOOGLE_CSV = "google_patents_csv"
LENS = "lens_jsonl"
Item = tuple[str, "PatentRecord | FieldProblem"]


_MAX_COLUMNS = 1000


def _rows(stream: IO[bytes], skip_search_url: bool = False
          ) -> Iterator[tuple[int, dict[str, str] | FieldProblem]]:
    """CSV rows as dicts with the line each row starts on; a row with bytes of another
    encoding is its problem instead. Lines are read bounded, a field is at most
    ``limits.Limits.max_document_bytes`` and a header at most 1,000 columns; past those (or on
    a CSV syntax error) reading stops with ``LimitExceeded`` naming the line."""
    decoded = TextLines(stream)
    text = iter(decoded)
    lines: Iterable[str] = text
    offset = 0
    if skip_search_url:
        first = next(text, "")
        if first.startswith("search URL:"):
            offset = 1
        else:
            lines = _prepend(first, text)
    csv.field_size_limit(current_limits().max_document_bytes)
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        if header is None:
            return
        if len(header) > _MAX_COLUMNS:
            raise LimitExceeded("csv", f"line {1 + offset}: a header of {len(header):,} columns, "
                                f"over the limit of {_MAX_COLUMNS:,}; the file is not read")
        header = [h.strip() for h in header]
        yield from decoded.take_problems()  # a header line with bytes of another encoding
        previous = reader.line_num
        for row in reader:
            problems = decoded.take_problems()
            yield previous + 1 + offset, (problems[0][1] if problems
                                          else dict(zip(header, row, strict=False)))
            previous = reader.line_num
    except csv.Error as exc:
        raise LimitExceeded("csv", f"line {reader.line_num + offset}: {exc}; reading stopped "
                            "(the rows after it are not read)") from None


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _each(rows: Iterator[tuple[int, Any]], build: Callable[[Any], PatentRecord]
          ) -> Iterator[Item]:
    for line, row in rows:
        yield f"line {line}", row if isinstance(row, FieldProblem) else attempt(build, row)


def _unquote(value: str | None) -> str:
    """Undo a second round of CSV quoting some exports carry: a value that is itself quoted,
    with its inner quotes doubled."""
    text = clean(value)
    if len(text) > 1 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def _patentsview(row: dict[str, str]) -> PatentRecord:
    return build_record(
        "US", row.get("patent_number", ""), "", PATENTSVIEW,
        title=_unquote(row.get("patent_title")),
        abstract=_unquote(row.get("patent_abstract")),
        publication_date=parse_date(row.get("patent_date")),
        language="en",
    )


def read_patentsview(stream: IO[bytes]) -> Iterator[Item]:
    """PatentsView query export: ``patent_abstract,patent_date,patent_number,patent_title``."""
    return _each(_rows(stream), _patentsview)


def _google(row: dict[str, str]) -> PatentRecord:
    country, _, rest = (row.get("id") or "").strip().partition("-")
    number, _, kind = rest.partition("-")
    link = row.get("result link", "")
    return build_record(
        country, number, kind, GOOGLE_CSV,
        title=clean(row.get("title")),
        publication_date=parse_date(row.get("publication date")),
        filing_date=parse_date(row.get("filing/creation date")),
        priority_date=parse_date(row.get("priority date")),
        assignees=[clean(row.get("assignee"))],
        inventors=[clean(n) for n in (row.get("inventor/author") or "").split(",")],
        language=link.rstrip("/").rpartition("/")[2] if "/patent/" in link else "",
    )


def read_google(stream: IO[bytes]) -> Iterator[Item]:
    """Google Patents result export, with or without its ``search URL:`` first line."""
    return _each(_rows(stream, skip_search_url=True), _google)


def _family(keys: list[str]) -> str:
    """Lens rows carry no family id; the set of active priority filings defines the simple
    family (documents sharing exactly these priorities), so it serves as the family key."""
    return "+".join(sorted("".join(key.split()[:2]) for key in keys if key.strip()))


def _text(row: dict[str, Any], name: str) -> str:
    """A text field of a JSON row: text or absent; anything else is a problem on ``name``."""
    value = row.get(name)
    if value is None or isinstance(value, str):
        return value or ""
    raise FieldProblem(name, f"expected text, got {_json_type(value)}")


def _texts(row: dict[str, Any], name: str) -> list[str]:
    """A list-of-text field of a JSON row; a string where a list is expected is refused (it
    would otherwise become one entry per character)."""
    value = row.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldProblem(name, f"expected a list, got {_json_type(value)}")
    for item in value:
        if not isinstance(item, str):
            raise FieldProblem(name, f"expected a list of text, found {_json_type(item)}")
    return value


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    names: dict[type, str] = {str: "text", list: "a list", dict: "an object"}
    return names.get(type(value), "null")


def _owners(row: dict[str, Any]) -> list[str]:
    value = row.get("owners")
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldProblem("owners", f"expected a list, got {_json_type(value)}")
    names = []
    for owner in value:
        name = owner.get("name") if isinstance(owner, dict) else owner
        if name is not None and not isinstance(name, str):
            raise FieldProblem("owners", f"expected names as text, found {_json_type(name)}")
        names.append(clean(name))
    return names


def _lens(row: dict[str, Any]) -> PatentRecord:
    # displayKey ("WO 2009/085025 A3") is unambiguous; publicationKey may carry a date suffix
    # ("WO_2009_085025_A3_20091029").
    tokens = (_text(row, "displayKey") or _text(row, "publicationKey").replace("_", " ")).split()
    country, number = (tokens[0], "".join(tokens[1:-1])) if len(tokens) > 2 else ("", "")
    kind = tokens[-1] if len(tokens) > 2 else ""
    return build_record(
        _text(row, "jurisdiction") or country, number, _text(row, "kindCode") or kind, LENS,
        title=clean(_text(row, "title")),
        publication_date=parse_date(_text(row, "publicationDate")),
        filing_date=parse_date(_text(row, "filingDate")),
        priority_date=parse_date(_text(row, "earliestPriorityDate")),
        application_number=clean(_text(row, "filingNumber")),
        family_id=_family(_texts(row, "priorityFilingKeysActive")),
        cpc=[normalise_class(c) for c in _texts(row, "cpcClassifications")],
        ipc=[normalise_class(c) for c in _texts(row, "ipcrClassifications")],
        applicants=[clean(a) for a in _texts(row, "applicants")],
        assignees=_owners(row),
        inventors=[clean(a) for a in _texts(row, "inventors")],
    )


def json_keys(value: object) -> str:
    """What a JSON value holds, for messages: its first keys, or its type."""
    if isinstance(value, dict):
        keys = list(value)[:8]
        return (
            "an object with keys "
            + (", ".join(map(str, keys)) or "none")
            + (", ..." if len(value) > 8 else "")
        )
    return f"a JSON {type(value).__name__}"


def read_json_lines(stream: IO[bytes], build: Callable[[dict[str, Any]], PatentRecord]
                    ) -> Iterator[Item]:
    """Each non-blank JSONL line through ``build``; a line that is no JSON object is a problem
    on field ``json`` and the lines after it are still read."""
    lines = TextLines(stream)
    for line_no, line in enumerate(lines, start=1):
        problems = lines.take_problems()
        if problems:
            yield f"line {line_no}", problems[0][1]
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            yield f"line {line_no}", FieldProblem("json", f"not JSON: {exc}")
            continue
        except RecursionError:
            yield f"line {line_no}", FieldProblem("json", "nested too deeply (not a patent "
                                                  "record)")
            continue
        if not isinstance(row, dict):
            yield f"line {line_no}", FieldProblem("json", "not a JSON object")
            continue
        yield f"line {line_no}", attempt(build, row)


def read_lens(stream: IO[bytes]) -> Iterator[Item]:
    """Lens.org JSONL export, one publication per line."""
    return read_json_lines(stream, _lens)
