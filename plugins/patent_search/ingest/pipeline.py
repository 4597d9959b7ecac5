"""Files in, records out: format detection, zip/gz members, directory walks and counts.

Everything streams: a file is read by its format's reader document by document (or row by
row) and each record or error is yielded as soon as it is read.
"""

from __future__ import annotations

import gzip
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, cast

from .base import FieldProblem
from .decoding import bom_encoding
from .ep_text import EP_TEXT_JSONL, EP_TEXT_TSV, read_ep_jsonl, read_ep_tsv
from .json_formats import classify_json, unknown_format
from .model import IngestError, PatentRecord
from .tabular import GOOGLE_CSV, LENS, PATENTSVIEW, Item, read_google, read_lens, read_patentsview
from .us_text import APS, BRS, read_aps, read_brs
from .uspto_json import ODP, PPUBS, read_odp, read_ppubs
from .xml_formats import MULTI_ROOTS, ROOTS, XML_FORMATS, read_xml, sniff_roots

__all__ = ["FORMATS", "IngestStats", "detect_format", "ingest_stats", "iter_file", "iter_path",
           "summarise"]

FORMATS: tuple[str, ...] = (
    *XML_FORMATS, APS, BRS, EP_TEXT_TSV, EP_TEXT_JSONL, PATENTSVIEW, GOOGLE_CSV, LENS, PPUBS,
    ODP)
_HEAD = 1 << 16
_EP_PARTS = (b"TITLE", b"ABSTR", b"DESCR", b"CLAIM", b"AMEND", b"PDFEP")
Reader = Callable[[IO[bytes], bytes], Iterator[Item]]
_READERS: dict[str, Reader] = {
    APS: lambda stream, head: read_aps(stream),
    BRS: lambda stream, head: read_brs(stream),
    EP_TEXT_TSV: lambda stream, head: read_ep_tsv(stream),
    EP_TEXT_JSONL: lambda stream, head: read_ep_jsonl(stream),
    PATENTSVIEW: lambda stream, head: read_patentsview(stream),
    GOOGLE_CSV: lambda stream, head: read_google(stream),
    LENS: lambda stream, head: read_lens(stream),
    PPUBS: lambda stream, head: read_ppubs(stream),
    ODP: lambda stream, head: read_odp(stream),
} | dict.fromkeys(XML_FORMATS, read_xml)
Opener = Callable[[], AbstractContextManager[IO[bytes]]]


def _classify_xml(head: bytes) -> str | None:
    for root in sniff_roots(head):
        if root in ROOTS or root in MULTI_ROOTS:
            return (ROOTS.get(root) or MULTI_ROOTS[root])[0]
    return None


def _classify_text(head: bytes) -> str | None:
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    cells = first.split(b"\t")
    if first.strip() == b"PATN" or b"\nPATN\n" in head[:4096]:
        return APS
    if b"*** BRS DOCUMENT BOUNDARY ***" in head:
        return BRS
    if first.startswith((b"search URL:", b"id,title,assignee")):
        return GOOGLE_CSV
    if b"patent_number" in first and b"patent_title" in first:
        return PATENTSVIEW
    if first.startswith(b"{") and b'"lensId"' in first:
        return LENS
    if head.startswith((b"{", b"[")) and (found := classify_json(head, first)):
        return found
    if len(cells) >= 7 and cells[5] in _EP_PARTS:
        return EP_TEXT_TSV
    return None


def _classify(head: bytes) -> str | None:
    """The format of a stream from its first bytes, or None when it is no patent document."""
    encoding, bom = bom_encoding(head[:4])
    if encoding != "utf-8":  # UTF-16/32 with a BOM (spreadsheet "Unicode text" exports)
        head = head[bom:].decode(encoding, "ignore").encode("utf-8")
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return _classify_xml(text) if text.startswith(b"<") else _classify_text(text)


def _units(path: Path) -> Iterator[tuple[str, Opener]]:
    """``(label, opener)`` per readable unit: the file, its gunzipped stream, or zip members."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if not info.is_dir():
                    yield f"member {info.filename}", partial(archive.open, info)
    elif path.suffix.lower() == ".gz":
        # a GzipFile reads like any binary file; typeshed does not declare it an IO[bytes]
        yield "", lambda: cast("IO[bytes]", gzip.open(path, "rb"))  # noqa: SIM115 - caller's with
    else:
        yield "", lambda: path.open("rb")


def _head(opener: Opener) -> bytes:
    with opener() as stream:
        return stream.read(_HEAD)


def detect_format(path: Path) -> str | None:
    """The format of a file (of the first document member of a zip), or None when the file is
    not a patent document (README, LICENSE, lst/rpt lists, CPC scheme XML, DTD, index files)."""
    path = Path(path)
    for _, opener in _units(path):
        found = _classify(_head(opener))
        if found:
            return found
    return None


def iter_file(path: Path) -> Iterator[PatentRecord | IngestError]:
    """Records and errors of one file, in file order, streaming (zip members and gz included).

    A file that holds no patent document yields one ``IngestError`` on field ``format``.
    """
    path = Path(path)
    found = False
    first_head: bytes | None = None
    for label, opener in _units(path):
        head = _head(opener)
        first_head = head if first_head is None else first_head
        source_format = _classify(head)
        if source_format is None:
            continue
        found = True
        with opener() as stream:
            for locator, item in _READERS[source_format](stream, head):
                where = f"{label} {locator}".strip()
                if isinstance(item, FieldProblem):
                    yield IngestError(str(path), where, item.field, item.message, source_format)
                else:
                    item.source_file, item.source_locator = str(path), where
                    yield item
    if not found:
        yield IngestError(str(path), "file", "format", unknown_format(first_head or b""))


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def iter_path(path: Path, progress: Callable[[str, int], None] | None = None
              ) -> Iterator[PatentRecord | IngestError]:
    """Every record and error under a file or directory tree, files in sorted order.

    In a directory, files that are not patent documents are passed over; a single file given
    explicitly is read even so (and then yields its ``format`` error). ``progress(file, count)``
    is called every 1,000 items and when each file is done.
    """
    walk = Path(path).is_dir()
    for file in _files(Path(path)):
        if walk and detect_format(file) is None:
            continue
        count = 0
        for item in iter_file(file):
            count += 1
            if progress and count % 1000 == 0:
                progress(str(file), count)
            yield item
        if progress:
            progress(str(file), count)


@dataclass
class IngestStats:
    """Counts of a dry run: records per format, errors per format, files that are no documents."""

    per_format: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    skipped_files: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        """All records read."""
        return sum(self.per_format.values())


def ingest_stats(path: Path) -> IngestStats:
    """Read everything under ``path`` and count it (``ipgov patents ingest --dry-run``)."""
    records: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    skipped = []
    for file in _files(Path(path)):
        if detect_format(file) is None:
            skipped.append(str(file))
            continue
        for item in iter_file(file):
            if isinstance(item, IngestError):
                errors[item.source_format] += 1
            else:
                records[item.source_format] += 1
    return IngestStats(dict(sorted(records.items())), dict(sorted(errors.items())), skipped)


def summarise(path: Path) -> str:
    """A short human report of what ``path`` holds, one line per format."""
    stats = ingest_stats(Path(path))
    lines = [f"{fmt:<28} {count:>8} records  {stats.errors.get(fmt, 0):>5} errors"
             for fmt, count in stats.per_format.items()]
    lines += [f"{fmt:<28} {0:>8} records  {count:>5} errors"
              for fmt, count in stats.errors.items() if fmt not in stats.per_format]
    lines.append(f"{'total':<28} {stats.records:>8} records  {sum(stats.errors.values()):>5} "
                 f"errors  ({len(stats.skipped_files)} files skipped: not patent documents)")
    return "\n".join(lines)
