"""XML plumbing: split concatenated documents, parse one safely, read text from elements.

USPTO weekly files concatenate whole documents (each with its own ``<?xml`` line); they are
split line by line so only one document is ever held in memory. Parsing never loads a DTD,
never resolves external entities and never touches the network; the named character entities
USPTO and EPO text uses (``&lsquo;``, ``&lgr;``...) are replaced by their characters first so no
text is lost.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from lxml import etree

from .decoding import bom_encoding
from .limits import current as current_limits
from .text import clean

__all__ = [
    "Document",
    "XmlProblem",
    "block_text",
    "claim_texts",
    "doctype",
    "find_text",
    "parse_document",
    "split_documents",
    "text_of",
]

_XML_DECL = re.compile(rb"^\s*(?:\xef\xbb\xbf)?<\?xml\s")
_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]*);")
_PREDEFINED = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_BARE_AMPERSAND = re.compile(rb"&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+([^\s\[>]+)(?:\s+(?:SYSTEM|PUBLIC)\s+\"([^\"]*)\""
                      rb"(?:\s+\"([^\"]*)\")?)?")
# ISO 8879 Greek entities (ISOgrk1) used by USPTO SGML-era text; HTML5 lacks them.
_GREEK_NAMES = ("agr", "bgr", "ggr", "dgr", "egr", "zgr", "eegr", "thgr", "igr", "kgr", "lgr",
                "mgr", "ngr", "xgr", "ogr", "pgr", "rgr", "sgr", "tgr", "ugr", "phgr", "khgr",
                "psgr", "ohgr")
_GREEK = dict(zip(_GREEK_NAMES, "αβγδεζηθικλμνξοπρστυφχψω", strict=True))
_GREEK |= {name[:-2].upper() + "gr": char.upper() for name, char in _GREEK.items()}
_RECOVERABLE = ("Entity '", "Namespace prefix", "xmlns")
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)")
_DECLARED_TEXT = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']")
_ENCODING_ERRORS = ("Invalid bytes in character encoding", "Input is not proper UTF-8",
                    "Unsupported encoding", "encoding error")


@dataclass
class Document:
    """One XML document cut from a file: its bytes, position and first line. A document over
    the per-document byte cap keeps no bytes: ``oversize`` holds its size."""

    number: int
    line: int
    data: bytes
    oversize: int = 0


class XmlProblem(ValueError):
    """A document that is not well-formed XML (truncated, garbled)."""


def split_documents(stream: IO[bytes], cap: int | None = None) -> Iterator[Document]:
    """Cut a byte stream into documents at each line that starts with ``<?xml``.

    A file holding a single document yields it whole; memory stays bounded by the largest
    document, never the file, and by ``cap`` bytes (``limits.Limits.max_document_bytes``):
    a longer document is passed over up to the next ``<?xml`` line and yielded without bytes,
    with its size in ``oversize``.
    """
    cap = current_limits().max_document_bytes if cap is None else cap
    lines: list[bytes] = []
    number, start, size, content = 0, 1, 0, False
    for line_no, line in enumerate(stream, start=1):
        if _XML_DECL.match(line) and content:
            number += 1
            yield Document(number, start, b"".join(lines), size if size > cap else 0)
            lines, start, size, content = [], line_no, 0, False
        elif not lines and not size:
            start = line_no
        size += len(line)
        content = content or bool(line.strip())
        if size <= cap:
            lines.append(line)
        elif lines:
            lines = []  # over the cap: counted, never held
    if content:
        yield Document(number + 1, start, b"".join(lines), size if size > cap else 0)


def _entity_char(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name in _PREDEFINED:
        return match.group(0)
    text = name.decode("ascii")
    char = (html.entities.html5.get(text + ";") or _GREEK.get(text)
            or html.entities.html5.get(text.lower() + ";")
            or html.entities.html5.get(text.capitalize() + ";"))
    if char is None:  # unknown entity: keep its name visible rather than drop it
        return b"&amp;" + name + b";"
    # a character reference, not encoded bytes: right whatever encoding the document declares
    return "".join(f"&#{ord(c)};" for c in char).encode("ascii")


def replace_entities(data: bytes) -> bytes:
    """Named character entities as character references (the five XML ones stay); an ampersand
    that starts no reference at all (``UDAPI & ASOCIADOS`` in EPO files) is escaped."""
    if b"&" not in data:
        return data
    return _ENTITY.sub(_entity_char, _BARE_AMPERSAND.sub(b"&amp;", data))


def doctype(data: bytes) -> tuple[str, str]:
    """``(root name, DTD system id)`` declared by a document's DOCTYPE, or ``("", "")``."""
    head = _COMMENT.sub(b"", data[:8192])
    match = _DOCTYPE.search(head)
    if not match:
        return "", ""
    name = match.group(1).decode("ascii", "replace")
    system = match.group(3) or match.group(2) or b""
    return name, system.decode("ascii", "replace")


def _parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        recover=recover, resolve_entities=False, no_network=True, load_dtd=False,
        huge_tree=True, remove_comments=True, remove_pis=True,
    )  # no encoding given: the document's declaration (or BOM) says it, UTF-8 by default


_STRAY_LT = ("Specification mandates value for attribute", "attributes construct error",
             "Couldn't find end of Start Tag", "StartTag: invalid element name")


def _escape_stray_lt(data: bytes, line: int, column: int) -> bytes | None:
    """Escape the ``<`` that opened a tag-like run of text (``<First Embodiment</heading>``)."""
    start = 0
    for _ in range(line - 1):
        start = data.find(b"\n", start) + 1
        if start == 0:
            return None
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    cut = data.rfind(b"<", start, min(end, start + max(column - 1, 1)))
    while cut >= 0 and data[cut + 1:cut + 2] in (b"/", b"!", b"?"):
        cut = data.rfind(b"<", start, cut)
    if cut < 0:
        return None
    return data[:cut] + b"&lt;" + data[cut + 1:]


def _as_utf8(data: bytes) -> bytes:
    """A UTF-16/32 document (it starts with a BOM) as UTF-8 without the declaration's
    ``encoding``: the byte-level steps before parsing (entities, stray ``<``) need ASCII-
    compatible bytes."""
    encoding, bom = bom_encoding(data[:4])
    if encoding == "utf-8":
        return data
    try:
        text = data[bom:].decode(encoding)
    except UnicodeDecodeError as exc:
        raise XmlProblem(f"invalid {encoding.upper()} at byte offset {bom + exc.start}") from exc
    return _DECLARED_TEXT.sub(r"\1", text, count=1).encode("utf-8")


def _declared(data: bytes) -> str:
    found = _DECLARED.match(data)
    if found is None:
        return "no encoding declared, so UTF-8"
    return f"declared encoding {found.group(1).decode('ascii')}"


def parse_document(data: bytes) -> etree._Element:
    """Parse one document, namespaces dropped from tag names of namespaced formats; raise
    XmlProblem if broken.

    Undeclared namespace prefixes (DOCDB single documents) are tolerated and a ``<`` standing
    for itself in text is escaped (both lose nothing); anything else that makes the XML not
    well-formed (truncation, tag mismatch) is an error, never a silent repair.
    """
    data = replace_entities(_as_utf8(data).lstrip(b"\xef\xbb\xbf \t\r\n"))
    for _ in range(50):
        parser = _parser(False)
        try:
            root = etree.fromstring(data, parser)  # noqa: S320 - DTD/network/entities off
            break
        except etree.XMLSyntaxError as exc:
            log = parser.error_log
            problems = [e for e in log if not e.message.startswith(_RECOVERABLE)]
            if not problems and log:
                root = etree.fromstring(data, _parser(True))  # noqa: S320
                break
            first = problems[0] if problems else None
            repaired = (_escape_stray_lt(data, first.line, first.column)
                        if first is not None and first.message.startswith(_STRAY_LT) else None)
            if repaired is None:
                where = f" at line {first.line}" if first is not None else ""
                message = clean(first.message if first is not None else str(exc))
                if any(text in message for text in _ENCODING_ERRORS):
                    message += f" ({_declared(data)})"
                raise XmlProblem(f"not well-formed XML{where}: {message}") from exc
            data = repaired
    else:
        raise XmlProblem("not well-formed XML: too many stray '<' characters")
    if root is None:
        raise XmlProblem("no XML element found")
    tag = root.tag  # an element's tag is a str (comments and PIs are not roots)
    # namespaced formats (CNIPA, DOCDB, ST.96)
    if isinstance(tag, str) and ("}" in tag or ":" in tag):
        for element in root.iter():
            if isinstance(element.tag, str):
                element.tag = element.tag.rpartition("}")[2].rpartition(":")[2]
    return root


def text_of(element: etree._Element | None) -> str:
    """All text under an element, whitespace collapsed."""
    if element is None:
        return ""
    return clean("".join(element.itertext()))


def find_text(element: etree._Element | None, *paths: str) -> str:
    """Text of the first path (``a/b`` relative, ``.//b`` anywhere) that has any; with no
    path, the element's own text."""
    if element is None:
        return ""
    for path in paths or (".",):
        for found in element.iterfind(path):
            text = text_of(found)
            if text:
                return text
    return ""


_BLOCKS = frozenset({"p", "heading", "PARA", "H", "paragraph", "Paragraphs", "P", "li"})


def _blocks(element: etree._Element) -> Iterator[str]:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _BLOCKS:
            text = text_of(child)
            if text:
                yield text
        else:
            yield from _blocks(child)


def block_text(element: etree._Element | None) -> str:
    """Paragraph-structured text: one line per paragraph or heading."""
    if element is None:
        return ""
    lines = list(_blocks(element))
    return "\n".join(lines) if lines else text_of(element)


_CLAIM_SKIP = frozenset({"ClaimNumber", "ClaimTypeCategory"})


def claim_texts(claims: Iterable[etree._Element]) -> list[str]:
    """Each claim's text in document order, claim numbers left out."""
    texts = []
    for claim in claims:
        parts = [
            "".join(child.itertext()) + (child.tail or "")
            for child in claim if isinstance(child.tag, str) and child.tag not in _CLAIM_SKIP
        ]
        text = clean((claim.text or "") + "".join(parts))
        if text:
            texts.append(text)
    return texts
