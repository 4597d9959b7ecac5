"""Files in, records out: format detection, zip/gz members, directory walks and counts.

Everything streams: a file is read by its format's reader document by document (or row by
row) and each record or error is yielded as soon as it is read.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import zipfile
import zlib
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
from .limits import LimitExceeded, bounded
from .model import IngestError, PatentRecord
from .tabular import GOOGLE_CSV, LENS, PATENTSVIEW, Item, read_google, read_lens, read_patentsview
from .us_text import APS, BRS, read_aps, read_brs
from .uspto_json import ODP, PPUBS, read_odp, read_ppubs
from .xml_formats import MULTI_ROOTS, ROOTS, XML_FORMATS, read_xml, sniff_roots

__all__ = ["FORMATS", "IngestStats", "Skipped", "detect_format", "ingest_stats", "iter_file",
           "iter_path", "summarise", "walk"]

FORMATS: tuple[str, ...] = (
    *XML_FORMATS, APS, BRS, EP_TEXT_TSV, EP_TEXT_JSONL, PATENTSVIEW, GOOGLE_CSV, LENS, PPUBS,
    ODP)
_HEAD = 1 << 16
_PROLOG = 8 << 20  # the longest XML prolog (DOCTYPE internal subset) looked past when sniffing
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
    """``(label, opener)`` per readable unit: the file, its gunzipped stream, or zip members.

    Every unit is read through ``limits.bounded``: its expanded bytes are counted (a zip
    member's declared size is never trusted) against the size and expansion-ratio caps."""
    on_disk = path.stat().st_size
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if not info.is_dir():
                    label = f"member {info.filename}"
                    yield label, partial(_open_member, archive, info,
                                         min(info.compress_size, on_disk), label)
    elif path.suffix.lower() == ".gz":
        # a GzipFile reads like any binary file; typeshed does not declare it an IO[bytes]
        yield "", lambda: bounded(cast("IO[bytes]", gzip.open(path, "rb")),  # noqa: SIM115
                                  compressed=on_disk, what="the gzip stream")
    else:
        yield "", lambda: bounded(path.open("rb"))


def _open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, compressed: int,
                 label: str) -> IO[bytes]:
    return bounded(archive.open(info), compressed=compressed, what=label)


_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", re.DOTALL)


def _sniff(opener: Opener) -> tuple[str | None, bytes]:
    """The format and the first bytes of a unit. A prolog longer than the first 64 KiB (a
    DOCTYPE with a large internal subset) is read up to ``_PROLOG`` bytes and passed over."""
    with opener() as stream:
        head = stream.read(_HEAD)
        found = _classify(head)
        if found is None and b"<!DOCTYPE" in head[:4096] and len(head) == _HEAD:
            head += stream.read(_PROLOG - _HEAD)
            match = _DOCTYPE_SUBSET.search(head)
            if match is not None:
                found = _classify(head[:match.start()] + head[match.end():])
    return found, head


def detect_format(path: Path) -> str | None:
    """The format of a file (of the first document member of a zip), or None when the file is
    not a patent document (README, LICENSE, lst/rpt lists, CPC scheme XML, DTD, index files)
    or cannot be read at all (``iter_file`` then names the problem)."""
    found = _detect(Path(path))
    return found if isinstance(found, str) else None


def _detect(path: Path) -> str | None | Exception:
    """The format, None for no patent document, or the exception that stopped the look."""
    try:
        for _, opener in _units(path):
            found = _sniff(opener)[0]
            if found:
                return found
    except Exception as exc:  # noqa: BLE001 - reported by iter_file, never a traceback
        return exc
    return None


def _unreadable(exc: BaseException) -> tuple[str, str]:
    """The field and message of an exception that stopped a reader."""
    if isinstance(exc, LimitExceeded):
        return exc.field, exc.message
    if isinstance(exc, csv.Error):
        return "csv", f"not readable as CSV ({exc}); reading stopped"
    if isinstance(exc, RecursionError):
        return "document", "nested too deeply to read; reading stopped"
    if isinstance(exc, MemoryError):
        return "document", "too large to read in the memory available; reading stopped"
    if isinstance(exc, UnicodeError):
        return "encoding", f"not readable in its encoding ({exc}); reading stopped"
    if isinstance(exc, zipfile.BadZipFile | EOFError | gzip.BadGzipFile | zlib.error):
        return "archive", f"a damaged or truncated archive ({exc}); reading stopped"
    if isinstance(exc, OSError):  # strerror only: the exception's text holds the server path
        return "file", (f"unreadable ({exc.strerror or type(exc).__name__}): a damaged file or "
                        "archive; reading stopped")
    return "file", f"unreadable ({type(exc).__name__}: {exc}); reading stopped"


def iter_file(path: Path, name: str | None = None) -> Iterator[PatentRecord | IngestError]:
    """Records and errors of one file, in file order, streaming (zip members and gz included).

    A file that holds no patent document yields one ``IngestError`` on field ``format``. Any
    exception a reader raises (a bound passed, a CSV field over the limit, JSON nested too
    deeply, a damaged archive, memory exhausted) becomes one ``IngestError`` naming the file,
    the last place read and what went wrong; the records read before it stand, the rest of
    that file (or zip member) is not read and the message says so. ``name`` is how the file is
    shown in errors and records (default: the path as given).
    """
    path = Path(path)
    shown = str(path) if name is None else name
    found, reading = False, ""
    first_head: bytes | None = None
    label, where = "", "file"
    try:
        for label, opener in _units(path):
            source_format, head = _sniff(opener)
            first_head = head if first_head is None else first_head
            if source_format is None:
                continue
            found, reading = True, source_format
            where = f"{label} start".strip()
            with opener() as stream:
                for locator, item in _READERS[source_format](stream, head):
                    where = f"{label} {locator}".strip()
                    if isinstance(item, FieldProblem):
                        yield IngestError(shown, where, item.field, item.message, source_format)
                    else:
                        item.source_file, item.source_locator = shown, where
                        for fault, message in item.warnings:
                            yield IngestError(shown, where, fault, message, source_format,
                                              warning=True)
                        yield item
    except Exception as exc:  # noqa: BLE001 - every failure is reported, never a traceback
        fault, message = _unreadable(exc)
        after = f"after {where}" if where not in ("file", f"{label} start".strip()) else (
            label or "file")
        yield IngestError(shown, after, fault, message, reading, stopped=True)
        return
    if not found:
        yield IngestError(shown, "file", "format", unknown_format(first_head or b""))


@dataclass
class Skipped:
    """A file of a folder that was passed over, and why."""

    file: str
    reason: str


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def walk(path: Path, roots: list[Path] | None = None
         ) -> Iterator[tuple[Path, str] | IngestError]:
    """``(resolved file, shown name)`` for every file under ``path`` in sorted order, or an
    ``IngestError`` for an entry that resolves outside ``roots`` (a symbolic link out, a
    ``..``); ``roots`` default to ``path`` itself. Links to folders are not followed. The shown
    name is relative to ``path`` (its own name when ``path`` is a file)."""
    given = Path(path)
    top = given.resolve()
    allowed = [r.resolve() for r in roots] if roots is not None else [top]
    if not _inside(top, allowed):
        yield IngestError(given.name, "file", "path",
                          "outside the import folders: not read")
        return
    if not top.is_dir():
        yield top, given.name
        return
    entries: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(top, followlinks=False):
        base = Path(folder)
        for sub in dirs:
            if (base / sub).is_symlink():
                entries.append(((base / sub).relative_to(top).as_posix(), base / sub))
        entries.extend(((base / f).relative_to(top).as_posix(), base / f) for f in files)
    for shown, entry in sorted(entries):
        target = entry.resolve()
        if not _inside(target, allowed):
            yield IngestError(shown, "file", "path", "a symbolic link to a place outside the "
                              "import folders: not read")
        elif target.is_dir():
            yield IngestError(shown, "file", "path", "a symbolic link to a folder: not followed")
        elif target.is_file():
            yield target, shown


def iter_path(path: Path, progress: Callable[[str, int], None] | None = None, *,
              roots: list[Path] | None = None,
              skipped: Callable[[Skipped], None] | None = None,
              ) -> Iterator[PatentRecord | IngestError]:
    """Every record and error under a file or directory tree, files in sorted order.

    In a directory, files that are not patent documents are passed over (``skipped`` hears of
    each, with the reason); a single file given explicitly is read even so (and then yields
    its ``format`` error). Entries resolving outside ``roots`` (default: ``path``) are errors
    on field ``path`` and never opened. Files are named relative to ``path``.
    ``progress(file, count)`` is called every 1,000 items and when each file is done.
    """
    is_walk = Path(path).is_dir()
    for entry in walk(Path(path), roots):
        if isinstance(entry, IngestError):
            yield entry
            continue
        file, shown = entry
        if is_walk and _detect(file) is None:  # an unreadable file is read: its error shows
            if skipped:
                skipped(Skipped(shown, _skip_reason(file)))
            continue
        count = 0
        for item in iter_file(file, shown):
            count += 1
            if progress and count % 1000 == 0:
                progress(shown, count)
            yield item
        if progress:
            progress(shown, count)


def _skip_reason(file: Path) -> str:
    try:
        if file.stat().st_size == 0:
            return "empty file"
        with file.open("rb") as stream:
            start = stream.read(4)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if zipfile.is_zipfile(file):
        return "a zip without a patent document of a known format"
    if start[:2] == b"\x1f\x8b" and file.suffix.lower() != ".gz":
        return "gzip data without a .gz name"
    return "not a patent document of a known format"


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
    skipped: list[Skipped] = []
    for item in iter_path(Path(path), skipped=skipped.append):
        if isinstance(item, IngestError):
            errors[item.source_format] += 1
        else:
            records[item.source_format] += 1
    return IngestStats(dict(sorted(records.items())), dict(sorted(errors.items())),
                       [s.file for s in skipped])


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
