"""Copied third-party wording: which sentences of a text to be published reproduce the words
of a document in the patent collections (risk ``third_party_text`` of the pre-publication
check, through the ``screen_text`` hook).

Publishing a text does not infringe a patent, so resemblance to someone's claims is no risk of
publishing; copying their wording may infringe copyright, and it is what this finds: the share
of a sentence's word 5-grams found in one sentence of the document (abstract, claims, the
opening of the description). The tenant's own ``portfolio`` collections are not third-party
text and are skipped. Candidates come from BM25 per chunk of the text, so a long article is
screened end to end within a bounded number of queries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ipgov.api import PlatformContext

from .access import visible_collections
from .documents import documents_by_keys
from .fto import query_terms
from .models import PatentDocument

__all__ = ["COPIED_AT", "CopiedDocument", "copied_documents"]

COPIED_AT = 0.5
SHINGLE = 5
CHUNK_CHARS, MAX_CHUNKS, PER_CHUNK = 2_000, 25, 20
DESCRIPTION_CHARS = 20_000
_SENTENCE = re.compile(r"[^.!?;。！？；\n]+[.!?;。！？；]?")
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*|[\u4e00-\u9fff]")


@dataclass(frozen=True)
class CopiedPassage:
    """A sentence of the text and the sentence of the document it copies."""

    text: str
    matched: str
    where: str  # abstract, claim 3, description
    score: float
    start: int
    end: int


@dataclass(frozen=True)
class CopiedDocument:
    """A third-party document whose wording the text copies, with the copied passages."""

    collection_id: str
    publication_number: str
    title: str
    score: float
    passages: tuple[CopiedPassage, ...]


def _sentences(text: str) -> list[tuple[str, int, int, set[tuple[str, ...]]]]:
    out = []
    for m in _SENTENCE.finditer(text):
        words = _WORD.findall(m.group(0).lower())
        shingles = {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
        if shingles:
            out.append((m.group(0).strip(), m.start(), m.end(), shingles))
    return out


def _chunks(text: str) -> list[str]:
    chunks, current = [], ""
    for sentence, _s, _e, _sh in _sentences(text):
        if current and len(current) + len(sentence) > CHUNK_CHARS:
            chunks.append(current)
            current = ""
        current += " " + sentence
    return ([*chunks, current] if current else chunks)[:MAX_CHUNKS]


async def _candidates(platform: PlatformContext, tenant_id: str, text: str) -> list[PatentDocument]:
    from .search import SearchRequest
    from .store import backend

    third_party = frozenset(c.id for c in await visible_collections(platform, tenant_id)
                            if c.kind != "portfolio")
    if not third_party:
        return []
    keys: set[tuple[str, str]] = set()
    for chunk in _chunks(text):
        query = query_terms(chunk)
        if query:
            page = backend(platform).search(SearchRequest(
                query=query, collection_ids=third_party, limit=PER_CHUNK, highlight=False))
            keys.update((h.collection_id, h.publication_number) for h in page.hits)
    return await documents_by_keys(platform, tenant_id, sorted(keys))


def _document_sentences(doc: PatentDocument) -> list[tuple[str, str, set[tuple[str, ...]]]]:
    """(where, sentence, shingles) of the abstract, every claim and the description opening."""
    parts: list[tuple[str, str]] = [("abstract", doc.abstract or "")]
    parts += [(f"claim {n}", body) for n, body in enumerate(doc.claims or [], start=1)]
    parts.append(("description", (doc.description or "")[:DESCRIPTION_CHARS]))
    return [(where, s, sh) for where, body in parts for s, _a, _b, sh in _sentences(body)]


def _copied(doc: PatentDocument, text_sentences: list) -> CopiedDocument | None:
    sentences = _document_sentences(doc)
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, (_where, _s, shingles) in enumerate(sentences):
        for shingle in shingles:
            index[shingle].append(j)
    passages = []
    for sentence, start, end, shingles in text_sentences:
        hits: dict[int, int] = defaultdict(int)
        for shingle in shingles:
            for j in set(index.get(shingle, ())):
                hits[j] += 1
        if not hits:
            continue
        j, shared = max(hits.items(), key=lambda kv: (kv[1], -kv[0]))
        score = shared / min(len(shingles), len(sentences[j][2]))
        if score >= COPIED_AT:
            passages.append(CopiedPassage(sentence, sentences[j][1], sentences[j][0],
                                          round(min(score, 1.0), 4), start, end))
    if not passages:
        return None
    passages.sort(key=lambda p: (-p.score, p.start))
    return CopiedDocument(doc.collection_id, doc.publication_number, doc.title,
                          passages[0].score, tuple(passages[:10]))


async def copied_documents(platform: PlatformContext, tenant_id: str, text: str,
                           limit: int) -> list[CopiedDocument]:
    """Third-party documents of the tenant's visible collections whose wording ``text``
    copies, most copied first."""
    text_sentences = _sentences(text)
    found = [c for doc in await _candidates(platform, tenant_id, text)
             if (c := _copied(doc, text_sentences)) is not None]
    found.sort(key=lambda c: (-c.score, c.publication_number))
    return found[:limit]
