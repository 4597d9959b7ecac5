"""Which JSON patent format a file is, from its first bytes, and what to say when it is none.

Several formats are JSON: line-per-document exports (EPO text analytics, Lens.org) and whole
answers of office APIs (USPTO public search, Open Data Portal). Keys decide, never a lone
common one: a ``publication_number`` alone (Google's public data has it too) is no EPO line.
"""

from __future__ import annotations

import json
import re

from .ep_text import EP_TEXT_JSONL
from .tabular import json_keys
from .uspto_json import ODP, PPUBS

__all__ = ["classify_json", "unknown_format"]

_OUTER_KEY = re.compile(rb'^(?:\{\s*)?[ \t]{0,2}"([^"\n]{1,80})"\s*:', re.MULTILINE)
_EP_TEXT_NUMBER = re.compile(rb'"publication_number":\s*"EP-')
_JSON_FORMATS = (
    'EPO text-analytics JSONL ("publication_number": "EP-..." and title/'
    'abstract/claims with language and text), Lens.org JSONL ("lensId"), USPTO '
    'public search ("patents" with "guid"), USPTO Open Data Portal '
    '("patentFileWrapperDataBag")'
)


def classify_json(head: bytes, first: bytes) -> str | None:
    """The JSON format of a file from its first bytes (``first``: its first line), or None."""
    if b'"patentFileWrapperDataBag"' in head:
        return ODP
    if b'"publicationReferenceDocumentNumber"' in head:
        return PPUBS
    if first.startswith(b"{") and (
        _EP_TEXT_NUMBER.search(first) or b'"claims": {"language"' in first
    ):
        return EP_TEXT_JSONL
    return None


def unknown_format(head: bytes) -> str:
    """Why a file is no known format; for JSON, what it holds and what was expected."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text.startswith((b"{", b"[")):
        return "not a patent document of a known format"
    first = text.split(b"\n", 1)[0]
    try:
        seen = json_keys(json.loads(first if first.rstrip().endswith((b"}", b"]")) else text))
    except ValueError:  # cut by the 64 KiB window: the keys of its outermost lines
        keys = dict.fromkeys(k.decode("utf-8", "replace") for k in _OUTER_KEY.findall(text))
        seen = "an object with keys " + ", ".join(list(keys)[:8]) if keys else "JSON"
    return f"JSON of no known patent format: saw {seen}; expected {_JSON_FORMATS}"
