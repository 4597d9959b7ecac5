"""What a file is, from its bytes: the type is sniffed from the content and must agree with
the file name's extension, so ``invoice.pdf`` holding an executable is refused.

Office Open XML files are zip archives: they are told apart by the part every such file
holds (``word/document.xml``, ``xl/workbook.xml``, ``ppt/presentation.xml``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

__all__ = ["EXTENSIONS", "HEAD_BYTES", "sniff"]

HEAD_BYTES = 8192
_OOXML = {
    "word/document.xml":
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml":
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_MAGIC = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
          (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))
EXTENSIONS = {
    ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".txt": "text/plain", ".csv": "text/csv",
    ".docx": _OOXML["word/document.xml"], ".xlsx": _OOXML["xl/workbook.xml"],
    ".pptx": _OOXML["ppt/presentation.xml"], ".zip": "application/zip",
}
"""The type a file name's extension announces."""


def _text(head: bytes, suffix: str) -> str | None:
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not merely a character cut at the end of the head
            return None
    return "text/csv" if suffix == ".csv" else "text/plain"


def _zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist()[:10_000])
    except (zipfile.BadZipFile, OSError):
        return "application/octet-stream"
    return next((t for part, t in _OOXML.items() if part in names), "application/zip")


def sniff(path: Path, filename: str) -> str:
    """The media type of the stored bytes at ``path`` (``application/octet-stream`` when
    unknown); ``filename`` only separates text from CSV."""
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head.startswith(b"PK\x03\x04"):
        return _zip(path)
    if not head:
        return "application/octet-stream"
    return _text(head, Path(filename).suffix.lower()) or "application/octet-stream"
