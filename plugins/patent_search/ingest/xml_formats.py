"""Every XML patent format: which root element means which format, and the streaming reader.

Concatenated documents are split line by line (USPTO weekly files); a DOCDB file that wraps
many ``exchange-document`` elements in one root is read with ``iterparse`` and each element
is freed once parsed. Either way memory is bounded by one document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO

from lxml import etree

from .asia import CNIPA, CNIPA_OLD, JPO, parse_cnipa, parse_cnipa_old, parse_jpo
from .base import FieldProblem, attempt
from .docdb import DOCDB, parse_docdb
from .epo import PUBLICATION, parse_ep_publication
from .limits import LimitExceeded
from .limits import current as current_limits
from .model import PatentRecord
from .ops import OPS, read_ops_answer
from .tabular import Item
from .us_legacy import PAP, ST32, parse_pap, parse_st32
from .us_xml import APPLICATION, GRANT, check_dtd, parse_us_v4
from .wipo import ST96, parse_st96
from .xmldoc import XmlProblem, doctype, parse_document, replace_entities, split_documents

__all__ = ["MULTI_ROOTS", "ROOTS", "SKIPPED_ROOTS", "XML_FORMATS", "read_xml", "sniff_roots"]

Parser = Callable[[etree._Element], PatentRecord]
# Roots of documents that hold several publications, each read as ``member N``.
MULTI_ROOTS: dict[str, tuple[str, Callable[[etree._Element], Iterator[Item]]]] = {
    "world-patent-data": (OPS, read_ops_answer),
}
ROOTS: dict[str, tuple[str, Parser]] = {
    "us-patent-grant": (GRANT, parse_us_v4),
    "us-patent-application": (APPLICATION, parse_us_v4),
    "PATDOC": (ST32, parse_st32),
    "patent-application-publication": (PAP, parse_pap),
    "ep-patent-document": (PUBLICATION, parse_ep_publication),
    "exchange-document": (DOCDB, parse_docdb),
    "exchange-documents": (DOCDB, parse_docdb),
    "PatentDocumentAndRelated": (CNIPA, parse_cnipa),
    "cn-patent-document": (CNIPA_OLD, parse_cnipa_old),
    "jp-official-gazette": (JPO, parse_jpo),
    "PatentPublication": (ST96, parse_st96),
}
XML_FORMATS = tuple(dict.fromkeys(
    [fmt for fmt, _ in ROOTS.values()] + [fmt for fmt, _ in MULTI_ROOTS.values()]))
# Documents that travel inside patent files but are not publications themselves.
SKIPPED_ROOTS = frozenset({"sequence-cwu"})
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)[\s>/]")
_NUMBER = re.compile(rb"<(?:\w+:)?(?:doc-number|B110|DocNumber|PublicationNumber)>\s*([^<\s]+)")


def sniff_roots(head: bytes) -> list[str]:
    """Local names of the root elements that start in ``head`` (one per ``<?xml`` document).

    The root is the first ``<name`` after a declaration: DOCTYPE, comments and processing
    instructions start with ``<!`` or ``<?`` and are passed over.
    """
    starts = [m.end() for m in re.finditer(rb"<\?xml\s", head)] or [0]
    roots = []
    for start in starts:
        match = _ROOT.search(head, start)
        if match is not None:
            roots.append(match.group(1).decode("ascii").rpartition(":")[2])
    return roots


def _label(number: int, data: bytes) -> str:
    found = _NUMBER.search(data[:20000])
    label = f"document {number}"
    return f"{label} ({found.group(1).decode('utf-8', 'replace')})" if found else label


def _parse(data: bytes) -> Iterator[tuple[str, PatentRecord | FieldProblem]]:
    """One document's ``(locator suffix, record or problem)``: one item, none for a document
    that is no publication, one per member of a document that holds several."""
    try:
        root = parse_document(data)
    except XmlProblem as exc:
        yield "", FieldProblem("xml", str(exc))
        return
    if root.tag in SKIPPED_ROOTS:
        return
    if root.tag in MULTI_ROOTS:
        yield from ((f" {where}", item) for where, item in MULTI_ROOTS[root.tag][1](root))
        return
    if root.tag not in ROOTS or root.tag == "exchange-documents":
        yield "", FieldProblem("root", f"<{root.tag!s}> is not a patent document this reader knows")
        return
    source_format, parse = ROOTS[root.tag]
    try:
        if source_format in (GRANT, APPLICATION, ST32, PAP):
            check_dtd(root, doctype(data))
    except FieldProblem as problem:
        yield "", problem
        return
    yield "", attempt(parse, root)


def _read_split(stream: IO[bytes]) -> Iterator[Item]:
    for doc in split_documents(stream):
        if doc.oversize:
            yield f"document {doc.number} (line {doc.line})", FieldProblem(
                "document", f"{doc.oversize:,} bytes, over the limit of "
                f"{current_limits().max_document_bytes:,} bytes per document: not read")
            continue
        for where, result in _parse(doc.data):
            label = (_label(doc.number, doc.data) if isinstance(result, FieldProblem)
                     else f"document {doc.number}")
            yield label + where, result


class _EntityStream:
    """A file-like view of a byte stream with named entities replaced, read in bounded chunks
    (DOCDB bulk files may be one single line); a reference cut by a chunk end waits for the
    next chunk."""

    _CHUNK = 1 << 16

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._carry = b""
        self._out = b""
        self._eof = False
        self.consumed = 0
        self.mark = 0

    def _check(self) -> None:
        if self.consumed - self.mark > current_limits().max_document_bytes:
            raise LimitExceeded("document", f"an exchange-document over the limit of "
                                f"{current_limits().max_document_bytes:,} bytes; reading stopped")

    def read(self, size: int = -1) -> bytes:
        want = self._CHUNK if size < 0 else size
        while len(self._out) < want and not self._eof:
            raw = self._stream.read(self._CHUNK)
            self.consumed += len(raw)
            self._check()
            if not raw:
                self._eof = True
                data, self._carry = self._carry, b""
            else:
                data = self._carry + raw
                cut = data.rfind(b"&", max(0, len(data) - 40))
                if cut >= 0 and b";" not in data[cut:]:
                    data, self._carry = data[:cut], data[cut:]
                else:
                    self._carry = b""
            self._out += replace_entities(data)
        chunk, self._out = self._out[:want], self._out[want:]
        return chunk


def _read_docdb_stream(stream: IO[bytes]) -> Iterator[Item]:
    """Each ``exchange-document`` of a DOCDB bulk file, parsed and then freed."""
    source = _EntityStream(stream)
    events = etree.iterparse(  # noqa: S320 - no DTD, no network, no entity resolution
        source, events=("end",), resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=True, remove_comments=True, remove_pis=True)
    number = 0
    try:
        for _, element in events:
            if not isinstance(element.tag, str) or not element.tag.endswith("exchange-document"):
                continue
            number += 1
            for node in element.iter():
                if isinstance(node.tag, str):
                    node.tag = node.tag.rpartition("}")[2].rpartition(":")[2]
            result = attempt(parse_docdb, element)
            label = f"document {number}"
            if isinstance(result, FieldProblem):
                label += f" ({element.get('doc-number', '?')})"
            yield label, result
            source.mark = source.consumed
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        yield f"after document {number}", FieldProblem("xml", f"not well-formed XML: {exc}")


def read_xml(stream: IO[bytes], head: bytes) -> Iterator[Item]:
    """All documents of an XML file, whatever the patent format."""
    if "exchange-documents" in sniff_roots(head):
        return _read_docdb_stream(stream)
    return _read_split(stream)
