"""Bounds on what one file may cost: bytes per document and line, zip expansion, field lengths.

Every reader sees its file through ``bounded(stream)``: bytes are counted as they are read (a zip
member's header is never trusted), lines are read with a bounded ``readline`` (a file without
newlines never becomes one giant line in memory), and reading stops with ``LimitExceeded``
naming what was too large. Field lengths are enforced in ``base.build_record``: the excess is
truncated and the document carries a warning (the document stays searchable and the operator
sees which field was cut; see docs/patent_search.md "Limits").

The numbers are patent_search settings (``IPGOV_PATENT_MAX_*``, docs/operations.md), put in
force with ``configure`` by the job (from the platform's settings) and the dry run.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import IO, Any

__all__ = ["HELP", "LimitExceeded", "Limits", "bounded", "configure", "current", "text_lines"]

MiB = 1 << 20


HELP = {
    "max_document_bytes": "Largest patent document, text line, APS/BRS patent or CSV field, in "
    "bytes (a larger one is refused with an error naming it).",
    "max_member_bytes": "Largest expanded zip member or gzip stream, in bytes (reading stops "
    "there).",
    "max_expansion_ratio": "Largest expansion of a zip member or gzip stream over its "
    "compressed size (a zip bomb stops there).",
    "ratio_floor_bytes": "Expanded bytes a member may reach before its expansion ratio is checked.",
    "max_title_chars": "Longest title kept, in characters (longer: truncated, with a warning).",
    "max_abstract_chars": "Longest abstract kept, in characters (truncated, with a warning).",
    "max_description_chars": "Longest description kept, in characters (truncated, with a warning).",
    "max_claims_chars": "Most characters of claims kept per document (truncated, with a warning).",
    "max_claims": "Most claims kept per document (truncated, with a warning).",
    "max_list_items": "Most entries kept per list field (parties, classifications, citations).",
    "max_item_chars": "Longest entry of a list field, and longest number, in characters.",
}


@dataclass(frozen=True)
class Limits:
    """The bounds; each is the patent_search setting of its name (variable ``IPGOV_PATENT_`` +
    the upper-cased name)."""

    #: one XML document, one text line, one APS/BRS patent, one CSV field, in bytes
    max_document_bytes: int = 128 * MiB
    #: one zip member or gzip stream once expanded, in bytes
    max_member_bytes: int = 8 * 1024 * MiB
    #: expansion of a zip member or gzip stream over its compressed size (checked once the
    #: expanded bytes pass ``ratio_floor_bytes``, so small highly compressible members are fine)
    max_expansion_ratio: int = 100
    ratio_floor_bytes: int = 64 * MiB
    #: field lengths in characters (the excess is truncated with a warning)
    max_title_chars: int = 4_000
    max_abstract_chars: int = 200_000
    max_description_chars: int = 20_000_000
    max_claims_chars: int = 4_000_000
    max_claims: int = 5_000
    #: entries of each list field (parties, classifications, citations) and each entry's length
    max_list_items: int = 20_000
    max_item_chars: int = 1_000

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        """The bounds of patent_search's resolved settings (``settings.SETTINGS``)."""
        return cls(**{spec.name: int(getattr(settings, spec.name)) for spec in fields(cls)})


_current = Limits()


def current() -> Limits:
    """The bounds in force (the defaults until ``configure``)."""
    return _current


def configure(limits: Limits) -> None:
    """Put ``limits`` in force for this process: the ingestion job does so from the platform's
    settings, the dry run from the settings read as at start-up."""
    global _current  # noqa: PLW0603 - one process-wide setting, like the csv module's limit
    _current = limits


class LimitExceeded(Exception):  # noqa: N818 - reads as the event it is
    """A bound was passed: reading of the current file (or zip member) stops here.

    Not a ``ValueError`` on purpose: a parser's ``attempt`` turns those into per-document
    problems, while a bound concerns the stream itself.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _size(n: int) -> str:
    return f"{n / MiB:,.0f} MiB" if n >= MiB else f"{n:,} bytes"


class _Counting(io.RawIOBase):
    """A raw stream that counts the bytes it delivers and stops past the caps."""

    def __init__(self, raw: IO[bytes], limits: Limits, compressed: int | None, what: str) -> None:
        self._raw = raw
        self._limits = limits
        self._compressed = compressed
        self._what = what
        self.count = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        limits = self._limits
        if self.count > limits.max_member_bytes:
            raise LimitExceeded(
                "size",
                f"{self._what} expands past {_size(limits.max_member_bytes)}; reading stopped",
            )
        if (
            self._compressed is not None
            and self.count > limits.ratio_floor_bytes
            and self.count > limits.max_expansion_ratio * max(self._compressed, 1)
        ):
            raise LimitExceeded(
                "size",
                f"{self._what} expands more than "
                f"{limits.max_expansion_ratio}:1 ({_size(self._compressed)} "
                f"compressed, {_size(self.count)} read so far): a zip bomb "
                "or a corrupt archive; reading stopped",
            )
        return n


class Bounded(io.BufferedReader):
    """A buffered stream whose lines (iteration, ``readline()``) are at most one document's
    byte cap; a longer line raises ``LimitExceeded`` after reading only the cap."""

    def __init__(self, raw: _Counting, limits: Limits) -> None:
        super().__init__(raw, buffer_size=1 << 16)
        self.limits = limits
        self.line_no = 0

    def readline(self, size: int | None = -1) -> bytes:
        cap = self.limits.max_document_bytes
        want = cap + 1 if size is None or size < 0 or size > cap else size
        line = super().readline(want)
        if len(line) > cap and not line.endswith(b"\n"):
            raise LimitExceeded(
                "line",
                f"line {self.line_no + 1} is longer than "
                f"{_size(cap)} (no line break); reading stopped",
            )
        if line:
            self.line_no += 1
        return line

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def bounded(
    stream: IO[bytes],
    *,
    compressed: int | None = None,
    what: str = "the file",
    limits: Limits | None = None,
) -> Bounded:
    """``stream`` read through the byte counter and bounded lines; ``compressed`` is the
    compressed size the expansion ratio is measured against (a zip member, a gz file)."""
    limits = limits or current()
    return Bounded(_Counting(stream, limits, compressed, what), limits)


def text_lines(stream: IO[bytes]) -> Iterator[str]:
    """Bounded lines decoded as UTF-8 (BOM dropped, bad bytes replaced), line ends kept."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")("replace")
    lines = stream if isinstance(stream, Bounded) else bounded(stream)
    for raw in lines:
        yield decoder.decode(raw)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail
