"""Screening a text against stored documents: which passages of the text resemble which
passages of a document (a trade secret, a technical solution), with scores.

Method. Both texts are cut into sentences (the unit a person reviews). Each pair of sentences
is scored two ways and the higher counts:

* TF-IDF cosine over :func:`~.tokens.concepts` (English words, Chinese words glossed into
  English, measured quantities), with IDF taken over every sentence of the documents plus the
  submitted text: it finds paraphrases and translations that keep the telling terms (a
  material, a temperature, a process step) while common words weigh little;
* containment of word 5-gram shingles (the share of the shorter sentence's shingles found in
  the other): it finds verbatim copying even where the copied words are common ones.

A document's score is the higher of its best passage (one sentence of a secret disclosed is
a disclosure) and ``coverage``, the share of the document's features the text contains (a
paraphrase that walks through a whole solution discloses it, sentence by sentence or not).
Pairs are scored only where they share a feature (an inverted index), and the work is bounded
(``MAX_TEXT_SENTENCES`` sentences of the text, ``MAX_DOCUMENT_CHARS`` of each document), so a
long text or a large register stays an interactive call.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from .tokens import concepts

__all__ = ["MAX_DOCUMENT_CHARS", "MAX_TEXT_SENTENCES", "PASSAGE_THRESHOLD", "Passage",
           "ScreenResult", "screen", "sentences"]

PASSAGE_THRESHOLD = 0.35
SHINGLE = 5
MIN_FEATURES = 3
MAX_TEXT_SENTENCES = 2_000
MAX_DOCUMENT_CHARS = 100_000
MAX_SENTENCE_CHARS = 2_000
_SENTENCE = re.compile(r"[^.!?;。！？；\n]+[.!?;。！？；]?")
_SHINGLE_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*|[\u4e00-\u9fff]")


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
    """How closely the text resembles one document: the higher of its best passage and of
    ``coverage`` (how much of the document the text contains)."""

    doc_id: str
    score: float
    coverage: float
    passages: tuple[Passage, ...]


@dataclass
class _Sentence:
    text: str
    start: int
    end: int
    features: Counter[str]
    shingles: set[tuple[str, ...]]
    vector: dict[str, float] | None = None


def sentences(text: str, limit: int = MAX_TEXT_SENTENCES) -> list[tuple[str, int, int]]:
    """(sentence, start, end) of the first ``limit`` sentences with enough to compare."""
    return [(s.text, s.start, s.end) for s in _sentences(text, limit)]


def _with_pairs(sents: list[_Sentence]) -> list[_Sentence]:
    """The sentences of a document and each pair of adjacent ones: a text that merges two of
    its sentences into one (or splits one) still meets a unit of the same content."""
    pairs = [_Sentence(f"{a.text} {b.text}", a.start, b.end, a.features + b.features,
                       a.shingles | b.shingles) for a, b in zip(sents, sents[1:], strict=False)]
    return sents + pairs


def _sentences(text: str, limit: int) -> list[_Sentence]:
    out: list[_Sentence] = []
    for match in _SENTENCE.finditer(text):
        raw = match.group(0)
        stripped = raw.strip()[:MAX_SENTENCE_CHARS]
        features = concepts(stripped)
        if len(features) >= MIN_FEATURES:
            start = match.start() + (len(raw) - len(raw.lstrip()))
            out.append(_Sentence(stripped, start, start + len(stripped), features,
                                 _shingles(stripped)))
            if len(out) >= limit:
                break
    return out


def _shingles(sentence: str) -> set[tuple[str, ...]]:
    words = _SHINGLE_WORD.findall(sentence.lower())
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _vector(features: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    weights = {t: (1 + math.log1p(n) if n >= 1 else n) * idf[t] for t, n in features.items()}
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
    query = _sentences(text, MAX_TEXT_SENTENCES)
    docs = {doc_id: _with_pairs(_sentences(body[:MAX_DOCUMENT_CHARS], MAX_TEXT_SENTENCES))
            for doc_id, body in documents.items()}
    every = query + [s for sents in docs.values() for s in sents]
    df = Counter(t for s in every for t in s.features)
    idf = {t: math.log((len(every) + 1) / (n + 1)) + 1 for t, n in df.items()}
    for s in every:
        s.vector = _vector(s.features, idf)
    postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for doc_id, sents in docs.items():
        for j, s in enumerate(sents):
            for token in s.features:
                postings[token].append((doc_id, j))
    best: dict[str, dict[int, tuple[float, int]]] = defaultdict(dict)
    for i, q in enumerate(query):
        for doc_id, j, score in _candidates(q, postings, docs, threshold):
            if score > best[doc_id].get(i, (0.0, -1))[0]:
                best[doc_id][i] = (score, j)
    text_features = {t for q in query for t in q.features}
    results = [_result(doc_id, query, docs[doc_id], pairs,
                       _disclosed(docs[doc_id], text_features))
               for doc_id, pairs in best.items()]
    return sorted(results, key=lambda r: (-r.score, r.doc_id))


def _disclosed(sents: list[_Sentence], text_features: set[str]) -> float:
    """The share of the document's features the text contains: how much of it the text
    gives away, in one sentence or spread over many (unweighted: a register of a few records
    gives no IDF to trust for this)."""
    features = {t for s in sents for t in s.features}
    return len(features & text_features) / len(features) if features else 0.0


def _candidates(q: _Sentence, postings: dict[str, list[tuple[str, int]]],
                docs: dict[str, list[_Sentence]], threshold: float
                ) -> list[tuple[str, int, float]]:
    """Document sentences sharing a feature with ``q`` that score at least ``threshold``."""
    seen = {pair for token in q.features for pair in postings.get(token, ())}
    out = []
    for doc_id, j in seen:
        d = docs[doc_id][j]
        score = max(_cosine(q.vector or {}, d.vector or {}), _containment(q.shingles, d.shingles))
        if score >= threshold:
            out.append((doc_id, j, min(score, 1.0)))
    return out


def _result(doc_id: str, query: list[_Sentence], sents: list[_Sentence],
            pairs: dict[int, tuple[float, int]], disclosed: float) -> ScreenResult:
    passages = sorted((Passage(query[i].text, sents[j].text, round(score, 4), query[i].start,
                               query[i].end) for i, (score, j) in pairs.items()),
                      key=lambda p: (-p.score, p.start))
    score = max(passages[0].score, disclosed)
    return ScreenResult(doc_id, round(score, 4), round(disclosed, 4), tuple(passages[:10]))
