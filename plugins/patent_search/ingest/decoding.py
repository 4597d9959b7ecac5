"""Bytes of a text format (CSV, TSV, JSONL, APS, BRS) to text, by the file's own encoding.

Text formats declare their encoding only by a byte-order mark: UTF-8 (with or without one) or
UTF-16/UTF-32 with one (spreadsheet "Unicode text" exports). Bytes that are not valid in that
encoding are never replaced silently: the line they are on becomes a problem that names the
byte offset in the file and the bytes, and the lines after it are still read.
"""

from __future__ import annotations

import codecs
import io
import itertools
from collections.abc import Iterator
from typing import IO

from .base import FieldProblem

__all__ = ["TextLines", "bom_encoding"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM it starts with
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def bom_encoding(head: bytes) -> tuple[str, int]:
    """``(encoding, BOM length)`` a file's first bytes declare; UTF-8 when they declare none."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return "utf-8", 0


class TextLines:
    """The decoded lines of a byte stream (line ends kept), numbered from 1.

    ``problems`` collects ``(line number, FieldProblem)`` for lines with invalid bytes (their
    text is yielded with the bad bytes replaced, so a reader keeps its place, and the reader
    reports the problem instead of the line); ``take_problems`` hands them over once.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.problems: list[tuple[int, FieldProblem]] = []

    def take_problems(self) -> list[tuple[int, FieldProblem]]:
        """The problems found since the last call."""
        found, self.problems = self.problems, []
        return found

    def __iter__(self) -> Iterator[str]:
        first = self._stream.readline()
        encoding, skip = bom_encoding(first[:4])
        if encoding != "utf-8":  # a wide encoding: its line ends are not single b"\n" bytes
            yield from self._wide(first, encoding, skip)
            return
        offset = skip
        raw = first[skip:]
        for line_no in itertools.count(1):
            if not raw:
                return
            yield self._decode(raw, line_no, offset)
            offset += len(raw)
            raw = self._stream.readline()

    def _decode(self, raw: bytes, line_no: int, offset: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 4]
            self.problems.append(
                (
                    line_no,
                    FieldProblem(
                        "encoding",
                        f"invalid UTF-8 at byte offset {offset + exc.start} (line {line_no}: "
                        f"{bad!r}): the file is in another encoding; save it as UTF-8",
                    ),
                )
            )
            return raw.decode("utf-8", "replace")

    def _wide(self, first: bytes, encoding: str, skip: int) -> Iterator[str]:
        rest = io.BufferedReader(_Prefixed(first[skip:], self._stream))
        text = io.TextIOWrapper(rest, encoding=encoding, errors="strict", newline="")
        line_no = 0
        try:
            for line_no, line in enumerate(text, start=1):  # noqa: B007 - used after the loop
                yield line
        except UnicodeDecodeError as exc:
            self.problems.append(
                (
                    line_no + 1,
                    FieldProblem(
                        "encoding",
                        f"invalid {encoding.upper()} after line {line_no} "
                        f"({exc.reason}); the rest of the file is not read",
                    ),
                )
            )


class _Prefixed(io.RawIOBase):
    """``prefix`` then the rest of ``stream``, as one raw binary stream."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._prefix or self._stream.read(len(buffer))
        self._prefix = self._prefix[len(buffer) :] if self._prefix else b""
        data = data[: len(buffer)]
        buffer[: len(data)] = data
        return len(data)
