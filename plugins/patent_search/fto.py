"""Screening a text against patent claims: freedom-to-operate style (which documents' claims
read on a technical solution) and pre-publication checks (through the ``screen_text`` hook).

Candidates come from the search engine (BM25 over the text's most distinctive terms, within
the collections the tenant may read); each candidate's claims are then compared with the
text sentence by sentence (cosine of term-frequency vectors over content words), and a
document is ranked by its best claim. A screening is an aid for a patent attorney, not an
opinion: the result says so.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from .access import collection_scope
from .models import PatentDocument

__all__ = ["ClaimMatch", "DocumentMatch", "screen"]

_STOP_WORDS = """a an and are as at be by comprising comprises consisting for from has have
in into is it its least means of on one or said such that the their then there thereby these
this to wherein which with within without being each first second plurality method system
device apparatus configured"""
_STOP = frozenset(_STOP_WORDS.split())  # noqa: SIM905 - a word list reads better as text
_RESERVED = frozenset({"and", "or", "not", "to"})
_TOKEN = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.;!?。；！？])\s*")
MAX_TEXT = 20_000


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
    """A claim of a document and the passage of the text it is closest to."""

    number: int
    claim: str
    passage: str
    start: int
    end: int
    score: float
    shared_terms: list[str] = field(default_factory=list)


@dataclass
class DocumentMatch:
    """A document whose claims resemble the text, with its best claims."""

    collection_id: str
    publication_number: str
    title: str
    score: float
    claims: list[ClaimMatch]


def _query_terms(text: str, limit: int = 24) -> str:
    counts = Counter(t for t in _tokens(text) if t.isascii() and t not in _RESERVED
                     and not t.isdigit())
    terms = [t for t, _ in counts.most_common(limit)]
    cjk = [t for t in _tokens(text) if not t.isascii()][:limit]
    return " OR ".join(terms + [f'"{t}"' for t in cjk])


def _passages(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for part in _SENTENCE.split(text):
        start = text.find(part, pos)
        if part.strip():
            out.append((start, start + len(part), part))
        pos = start + len(part)
    return out or [(0, len(text), text)]


async def screen(platform: Any, tenant_id: str, collection_ids: frozenset[str], text: str, *,
                 limit: int = 10, candidates: int = 50) -> list[DocumentMatch]:
    """The documents of ``collection_ids`` (visible to ``tenant_id``) whose claims come
    closest to ``text``; read in the tenant's own collection scope."""
    from .search import SearchRequest
    from .store import backend

    text = text[:MAX_TEXT]
    query = _query_terms(text)
    if not query or not collection_ids:
        return []
    engine = backend(platform)
    page = engine.search(SearchRequest(query=query, collection_ids=collection_ids,
                                       limit=min(candidates, 100), highlight=False))
    keys = [(h.collection_id, h.publication_number) for h in page.hits]
    if not keys:
        return []
    async with platform.db.session(collection_scope(platform, tenant_id),
                                   readonly=True) as session:
        docs = (await session.execute(select(PatentDocument).where(
            PatentDocument.collection_id.in_({c for c, _ in keys}),
            PatentDocument.publication_number.in_({p for _, p in keys})))).scalars().all()
    passages = [(s, e, p, Counter(_tokens(p))) for s, e, p in _passages(text)]
    whole = Counter(_tokens(text))
    results = []
    for doc in docs:
        claim_matches = []
        claims = doc.claims or ([doc.abstract] if doc.abstract else [])
        for number, claim in enumerate(claims, start=1):
            vector = Counter(_tokens(claim))
            if not vector:
                continue
            best = max(passages, key=lambda p: _cosine(vector, p[3]))
            score = 0.5 * _cosine(vector, best[3]) + 0.5 * _cosine(vector, whole)
            if score <= 0:
                continue
            shared = sorted(set(vector) & set(best[3]), key=lambda t: -vector[t])[:12]
            claim_matches.append(ClaimMatch(number, claim[:4000], best[2][:2000], best[0],
                                            best[1], round(score, 4), shared))
        if not claim_matches:
            continue
        claim_matches.sort(key=lambda m: -m.score)
        results.append(DocumentMatch(doc.collection_id, doc.publication_number, doc.title,
                                     claim_matches[0].score, claim_matches[:3]))
    results.sort(key=lambda d: (-d.score, d.publication_number))
    return results[:limit]
