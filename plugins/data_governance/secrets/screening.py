"""Screening a text against stored documents: which passages of the text resemble which
passages of a trade secret, with scores.

Method. Both texts are cut into sentences (the unit a person reviews). Each pair of sentences
is scored two ways and the higher counts:

* TF-IDF cosine over words (and CJK character bigrams), with IDF taken over every sentence of
  the register plus the submitted text: it finds paraphrases that keep the rare, telling terms
  (a material, a temperature, a process step) while common words weigh little;
* containment of word 5-gram shingles (the share of the shorter sentence's shingles found in
  the other): it finds verbatim copying even where the copied words are common ones.

A document's score is ``0.7 × best passage + 0.3 × coverage`` where coverage is the share of
the document's sentences matched by some sentence of the text: one copied sentence is a risk,
a text that walks through the whole secret is a bigger one. Pure Python, no index: a tenant's
trade-secret register is small (hundreds of documents), so exact scoring is affordable and
explainable.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["PASSAGE_THRESHOLD", "Passage", "ScreenResult", "screen", "sentences"]

PASSAGE_THRESHOLD = 0.35
SHINGLE = 5
MIN_WORDS = 4
_SENTENCE = re.compile(r"[^.!?;。！？；\n]+[.!?;。！？；]?")
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*|[\u4e00-\u9fff]+")
_STOP = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into",
    "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "which",
    "with", "we", "our", "their", "they", "these", "those", "be", "been", "can", "will", "shall",
    "may",
])


@dataclass(frozen=True)
class Passage:
    """A sentence of the screened text matched with a sentence of a document."""

    text: str
    matched: str
    score: float
    start: int
    end: int


@dataclass(frozen=True)
class ScreenResult:
    """How closely the text resembles one document."""

    doc_id: str
    score: float
    coverage: float
    passages: tuple[Passage, ...]


def sentences(text: str) -> list[tuple[str, int, int]]:
    """(sentence, start, end) of every sentence with enough words to compare."""
    out = []
    for m in _SENTENCE.finditer(text):
        raw = m.group(0)
        stripped = raw.strip()
        if len(_tokens(stripped)) >= MIN_WORDS:
            start = m.start() + (len(raw) - len(raw.lstrip()))
            out.append((stripped, start, start + len(stripped)))
    return out


def _tokens(sentence: str) -> list[str]:
    out: list[str] = []
    for token in _WORD.findall(sentence.lower()):
        if "\u4e00" <= token[0] <= "\u9fff":
            out.extend(token[i:i + 2] for i in range(max(1, len(token) - 1)))
        elif token not in _STOP:
            out.append(token)
    return out


def _shingles(sentence: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(sentence.lower())
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _vector(tokens: list[str], idf: dict[str, float]) -> dict[str, float]:
    weights = {t: (1 + math.log(n)) * idf[t] for t, n in Counter(tokens).items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _containment(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def screen(text: str, documents: dict[str, str], *, threshold: float = PASSAGE_THRESHOLD
           ) -> list[ScreenResult]:
    """Documents (id -> text) the text resembles, best first, each with its passages."""
    query = sentences(text)
    docs = {doc_id: sentences(body) for doc_id, body in documents.items()}
    corpus = [_tokens(s) for s, _, _ in query] + [
        _tokens(s) for sents in docs.values() for s, _, _ in sents]
    df = Counter(t for tokens in corpus for t in set(tokens))
    idf = {t: math.log((len(corpus) + 1) / (n + 1)) + 1 for t, n in df.items()}
    q_vectors = [(_vector(_tokens(s), idf), _shingles(s)) for s, _, _ in query]
    results = []
    for doc_id, sents in docs.items():
        result = _score_document(doc_id, query, q_vectors, sents, idf, threshold)
        if result is not None:
            results.append(result)
    return sorted(results, key=lambda r: (-r.score, r.doc_id))


def _score_document(doc_id: str, query: list[tuple[str, int, int]], q_vectors: list,
                    sents: list[tuple[str, int, int]], idf: dict[str, float],
                    threshold: float) -> ScreenResult | None:
    if not sents or not query:
        return None
    d_vectors = [(_vector(_tokens(s), idf), _shingles(s)) for s, _, _ in sents]
    passages, matched_doc = [], set()
    for (q_text, start, end), (qv, qs) in zip(query, q_vectors, strict=True):
        best, best_j = 0.0, -1
        for j, (dv, ds) in enumerate(d_vectors):
            score = max(_cosine(qv, dv), _containment(qs, ds))
            if score > best:
                best, best_j = score, j
        if best >= threshold:
            matched_doc.add(best_j)
            passages.append(Passage(q_text, sents[best_j][0], round(min(best, 1.0), 4),
                                    start, end))
    if not passages:
        return None
    coverage = len(matched_doc) / len(sents)
    top = max(p.score for p in passages)
    passages.sort(key=lambda p: (-p.score, p.start))
    return ScreenResult(doc_id, round(0.7 * top + 0.3 * coverage, 4), round(coverage, 4),
                        tuple(passages[:10]))
