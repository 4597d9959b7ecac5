"""Importing the asset register from CSV, row by row, with an error per bad row.

Two layouts are understood by their header: the register's own columns (``kind``, ``title``,
``jurisdiction``, ``application_number``, ... as in ``NATIVE_COLUMNS``) and a Google Patents
result export (``id``, ``title``, ``assignee``, ``inventor/author``, ``priority date``,
``filing/creation date``, ``publication date``, ``grant date``; an optional ``search URL:``
line before the header). Rows are parsed as the text is read; a bad row is reported with its
row number, column and message while valid rows are imported, unless ``atomic`` asks for all
or nothing. An asset already registered under the same jurisdiction and office number is
updated, never duplicated (also within one file).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import DomainError, InvalidInput, new_id

from .models import IpAsset
from .services import normalize_number, redocket, validate_asset

__all__ = ["ImportResult", "RowError", "import_assets", "MAX_ROWS"]

MAX_ROWS = 20_000
MAX_BYTES = 10_000_000
NATIVE_COLUMNS = (
    "kind", "title", "jurisdiction", "family_id", "application_number", "publication_number",
    "registration_number", "kind_code", "status", "assignee", "owner", "inventors", "cpc_codes",
    "value_tier", "priority_date", "filing_date", "publication_date", "grant_date", "expiry_date",
)
GOOGLE_COLUMNS = {
    "id": "id", "title": "title", "assignee": "assignee", "inventor/author": "inventors",
    "priority date": "priority_date", "filing/creation date": "filing_date",
    "publication date": "publication_date", "grant date": "grant_date",
}
_GOOGLE_ID = re.compile(r"^([A-Z]{2})-?([0-9A-Z]+?)-?([A-Z]\d?)?$")
_NUMBERS = ("application_number", "publication_number", "registration_number")


@dataclass
class RowError:
    """Why one row was not imported: its number in the file (header = 1), column, message."""

    row: int
    column: str | None
    code: str
    message: str


@dataclass
class ImportResult:
    """What an import did."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    asset_ids: list[str] = field(default_factory=list)


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-empty record, reading the text incrementally.

    Line ends may be ``\n``, ``\r\n`` or a bare ``\r`` (``newline=""`` lets the csv module
    see them all); a malformed record is a ``BAD_CSV`` error naming its line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(f"line {reader.line_num}: the CSV is malformed ({exc})",
                               code="BAD_CSV", field="csv") from None
        if any(c.strip() for c in cells):
            yield reader.line_num, cells


def _parse_date(value: str, column: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d", "%Y%m%d"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD or M/D/YYYY)", field=column)


def _list(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,|]", value) if p.strip()]


def _from_google(record: dict[str, str]) -> dict[str, Any]:
    match = _GOOGLE_ID.match(record.get("id", "").strip().upper())
    if not match:
        raise InvalidInput(f"{record.get('id')!r} is not a publication id like US-8271025-B2",
                           field="id")
    country, number, kind_code = match.groups()
    granted = bool(record.get("grant date", "").strip())
    return {
        "kind": "patent", "title": record.get("title", "").strip(), "jurisdiction": country,
        "publication_number": number, "kind_code": kind_code or "",
        "registration_number": number if granted else "",
        "status": "granted" if granted else "published",
        "assignee": record.get("assignee", "").strip(),
        "inventors": _list(record.get("inventor/author", "")),
        **{target: _parse_date(record.get(source, ""), source)
           for source, target in GOOGLE_COLUMNS.items() if target.endswith("_date")},
    }


def _from_native(record: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {k: (record.get(k) or "").strip() for k in NATIVE_COLUMNS}
    data["kind"] = data["kind"] or "patent"
    data["value_tier"] = data["value_tier"].upper() or None
    data["inventors"] = _list(record.get("inventors") or "")
    data["cpc_codes"] = [c.strip() for c in re.split(r"[;|]", record.get("cpc_codes") or "")
                         if c.strip()]
    for name in ("priority_date", "filing_date", "publication_date", "grant_date", "expiry_date"):
        data[name] = _parse_date(record.get(name) or "", name)
    return data


def _header(cells: list[str]) -> tuple[list[str], str]:
    names = [c.strip().lower() for c in cells]
    if "id" in names and "title" in names and "kind" not in names:
        return names, "google"
    if "title" in names:
        return names, "native"
    raise InvalidInput("the header must name the columns: title and either kind, jurisdiction, "
                       "... (register layout) or id (Google Patents export)",
                       code="BAD_HEADER", field="csv")


class _Index:
    """The tenant's assets by (jurisdiction, office number), for matching re-imports."""

    def __init__(self) -> None:
        self.by_number: dict[tuple[str, str], IpAsset] = {}

    async def load(self, session: AsyncSession) -> None:
        for asset in (await session.execute(select(IpAsset))).scalars():
            self.add(asset)

    def add(self, asset: IpAsset) -> None:
        for name in _NUMBERS:
            number = normalize_number(getattr(asset, name))
            if number:
                self.by_number[(asset.jurisdiction, number)] = asset

    def find(self, fields: dict[str, Any]) -> IpAsset | None:
        for name in _NUMBERS:
            found = self.by_number.get((fields["jurisdiction"], normalize_number(fields[name])))
            if found is not None and normalize_number(fields[name]):
                return found
        return None


async def import_assets(session: AsyncSession, text: str, *, atomic: bool = False,
                        source: str = "csv") -> ImportResult:
    """Import ``text`` into the session's tenant; with ``atomic`` nothing is stored when any
    row is bad (the caller must then roll back: ``result.errors`` is non-empty)."""
    if len(text) > MAX_BYTES:
        raise InvalidInput(f"the CSV is larger than {MAX_BYTES} bytes; split it",
                           code="TOO_LARGE", field="csv")
    result, index = ImportResult(), _Index()
    await index.load(session)
    rows = _rows(text)
    layout: str | None = None
    names: list[str] = []
    seen = 0
    for line, cells in rows:
        if layout is None:
            if cells and cells[0].strip().lower() == "search url:":
                continue
            names, layout = _header(cells)
            continue
        if seen >= MAX_ROWS:
            raise InvalidInput(f"more than {MAX_ROWS} rows; split the file", code="TOO_LARGE",
                               field="csv")
        seen += 1
        record = {n: (cells[i] if i < len(cells) else "") for i, n in enumerate(names)}
        try:
            fields = validate_asset(_from_google(record) if layout == "google"
                                    else _from_native(record))
        except DomainError as exc:  # every bad field of the row, each with its reason
            result.errors.extend(RowError(line, e.field, e.code, e.message)
                                 for e in getattr(exc, "field_errors", None) or [exc])
            continue
        for docket_only in ("fee_reduction", "open_licence"):  # not CSV columns: keep stored
            fields.pop(docket_only, None)
        _store(session, index, fields, source, result)
    if layout is None:
        raise InvalidInput("the CSV is empty", code="EMPTY", field="csv")
    if not (atomic and result.errors):
        await session.flush()
        stored = (await session.execute(select(IpAsset).where(
            IpAsset.id.in_(result.asset_ids)))).scalars().all() if result.asset_ids else []
        await redocket(session, list(stored))
    return result


def _store(session: AsyncSession, index: _Index, fields: dict[str, Any], source: str,
           result: ImportResult) -> None:
    asset = index.find(fields)
    if asset is None:
        asset = IpAsset(id=new_id(), source=source, **fields)
        session.add(asset)
        result.created += 1
    else:
        for name, value in fields.items():
            if value not in (None, "", []) or name in ("status",):
                setattr(asset, name, value)
        result.updated += 1
    index.add(asset)
    result.asset_ids.append(asset.id)
