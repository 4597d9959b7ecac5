"""Screening a technical solution against patent claims, freedom-to-operate style: which
documents' claims read on it (``screenFto``). Pre-publication checks ask another question
(copied wording, ``copying.py``): publishing a text infringes no patent.

Candidates come from the search engine (BM25 over the text's most distinctive terms, within
the collections the tenant may read); each candidate's claims are then compared with the
text sentence by sentence (cosine of term-frequency vectors over content words), and a
document is ranked by its best claim. A document stored without claims (bibliographic
exports, PatentsView rows) is compared through its abstract (or the opening of its
description) instead: the match says which part it is, never "claim", and such documents rank
below every document whose claims were compared, since only claims define what a patent
protects. A screening is an aid for a patent attorney, not an opinion: the result says so.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ipgov.api import PlatformContext

from .documents import documents_by_keys

__all__ = ["ClaimMatch", "DocumentMatch", "compared_parts", "query_terms", "screen"]

_STOP_WORDS = """a an and are as at be by comprising comprises consisting for from has have
in into is it its least means of on one or said such that the their then there thereby these
this to wherein which with within without being each first second plurality method system
device apparatus configured"""
_STOP = frozenset(_STOP_WORDS.split())  # noqa: SIM905 - a word list reads better as text
_RESERVED = frozenset({"and", "or", "not", "to"})
_TOKEN = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.;!?。；！？])\s*")
MAX_TEXT = 20_000
MAX_TERM_CHARS = 40
DESCRIPTION_CHARS = 4_000


def _tokens(text: str) -> list[str]:
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if len(tok) == 1 and tok.isascii():
            continue
        if tok not in _STOP:
            out.append(tok)
    # Chinese: bigrams of consecutive characters carry the meaning, not single characters
    chars = [t for t in out if not t.isascii()]
    out = [t for t in out if t.isascii()]
    out += [a + b for a, b in zip(chars, chars[1:], strict=False)]
    return out


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    common = set(a) & set(b)
    if not common:
        return 0.0
    dot = sum(a[t] * b[t] for t in common)
    return dot / (math.sqrt(sum(v * v for v in a.values())) *
                  math.sqrt(sum(v * v for v in b.values())))


@dataclass
class ClaimMatch:
    """A part of a document (a claim, or the abstract or description where the document has
    no claims text) and the passage of the text it is closest to."""

    number: int | None  # the claim number; None when ``part`` is not "claim"
    claim: str  # the compared text of the document
    passage: str
    start: int
    end: int
    score: float
    shared_terms: list[str] = field(default_factory=list)
    part: str = "claim"  # claim | abstract | description (unknown: older screenings)

    @property
    def label(self) -> str:
        """How people name the compared part: ``claim 3``, ``abstract``."""
        if self.part == "claim":
            return f"claim {self.number}"
        return "passage (claim or abstract, not recorded)" if self.part == "unknown" else self.part


@dataclass
class DocumentMatch:
    """A document whose claims (or, without claims, abstract) resemble the text."""

    collection_id: str
    publication_number: str
    title: str
    score: float
    claims: list[ClaimMatch]
    compared_with: str = "claims"  # claims | abstract | description | unknown

    @property
    def note(self) -> str:
        """What was compared when no claims were, said plainly ('' for claims)."""
        if self.compared_with == "claims":
            return ""
        if self.compared_with == "unknown":
            return ("This screening was kept before the compared part was recorded and its "
                    "document is no longer stored: the passages may be claims or the abstract. "
                    "Screen again for a labelled result.")
        return (f"No claims text is stored for this document: its {self.compared_with} was "
                "compared instead, which says nothing about what it protects; it ranks below "
                "every claim match.")


def query_terms(text: str, limit: int = 24) -> str:
    """A BM25 query of the text's most frequent content words (and Chinese bigrams), ORed:
    always a valid query within the engine's bounds (2,000 characters, 50 clauses), however
    long or odd the text (a 10,000-letter "word" is no word and is left out)."""
    tokens = [t for t in _tokens(text) if len(t) <= MAX_TERM_CHARS]
    counts = Counter(t for t in tokens if t.isascii() and t not in _RESERVED
                     and not t.isdigit())
    terms = [t for t, _ in counts.most_common(limit)]
    cjk = list(dict.fromkeys(t for t in tokens if not t.isascii()))[:limit]
    return " OR ".join(terms + [f'"{t}"' for t in cjk])


def _passages(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for part in _SENTENCE.split(text):
        start = text.find(part, pos)
        if part.strip():
            out.append((start, start + len(part), part))
        pos = start + len(part)
    return out or [(0, len(text), text)]


async def screen(platform: PlatformContext, tenant_id: str, collection_ids: frozenset[str],
                 text: str, *, limit: int = 10, candidates: int = 50) -> list[DocumentMatch]:
    """The documents of ``collection_ids`` (visible to ``tenant_id``) whose claims come
    closest to ``text``; read in the tenant's own collection scope."""
    from .search import SearchRequest
    from .store import backend

    text = text[:MAX_TEXT]
    query = query_terms(text)
    if not query or not collection_ids:
        return []
    engine = backend(platform)
    page = engine.search(SearchRequest(query=query, collection_ids=collection_ids,
                                       limit=min(candidates, 100), highlight=False))
    docs = await documents_by_keys(platform, tenant_id,
                                   [(h.collection_id, h.publication_number) for h in page.hits])
    if not docs:
        return []
    passages = [(s, e, p, Counter(_tokens(p))) for s, e, p in _passages(text)]
    whole = Counter(_tokens(text))
    results = [match for doc in docs
               if (match := _compare(doc, passages, whole)) is not None]
    results.sort(key=lambda d: (d.compared_with != "claims", -d.score, d.publication_number))
    return results[:limit]


def compared_parts(doc: Any) -> tuple[str, list[tuple[int | None, str]]]:
    """What of ``doc`` a screening compares: its claims (numbered) when it has any, else its
    abstract, else the opening of its description; ``("none", [])`` when it holds no text."""
    if doc.claims:
        return "claims", list(enumerate(doc.claims, start=1))
    if doc.abstract:
        return "abstract", [(None, doc.abstract)]
    if doc.description:
        return "description", [(None, doc.description[:DESCRIPTION_CHARS])]
    return "none", []


def _compare(doc: Any, passages: list, whole: Counter[str]) -> DocumentMatch | None:
    """The document's best matching parts, or None when nothing of it resembles the text."""
    compared, parts = compared_parts(doc)
    part = "claim" if compared == "claims" else compared
    matches = []
    for number, body in parts:
        vector = Counter(_tokens(body))
        if not vector:
            continue
        best = max(passages, key=lambda p: _cosine(vector, p[3]))
        score = 0.5 * _cosine(vector, best[3]) + 0.5 * _cosine(vector, whole)
        if score <= 0:
            continue
        shared = sorted(set(vector) & set(best[3]), key=lambda t: -vector[t])[:12]
        matches.append(ClaimMatch(number, body[:4000], best[2][:2000], best[0], best[1],
                                  round(score, 4), shared, part))
    if not matches:
        return None
    matches.sort(key=lambda m: -m.score)
    return DocumentMatch(doc.collection_id, doc.publication_number, doc.title,
                         matches[0].score, matches[:3], compared)
