"""Turning patent records and queries into the tokens and hashed features the LSA model reads."""

from __future__ import annotations

import re
import zlib
from collections import Counter
from typing import Any

__all__ = ["TOKENIZER_VERSION", "bucket", "document_text", "hashed_counts", "tokenize"]

TOKENIZER_VERSION = 1
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_STOPWORDS = frozenset(
    """a about above after all also an and any are as at be been being between both but by can
    comprising comprises could each either for from further had has have having herein however if
    in into is it its least may more most no not of on one or other said such than that the their
    then there thereby therein these this those thus to two under upon via was wherein which while
    with within would""".split()  # noqa: SIM905 - a word list reads better as text
)
_KEEP_S = ("ss", "us", "is", "ous")


def _stem(token: str) -> str:
    """Fold plurals (``networks`` → ``network``) so singular and plural share a feature."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(_KEEP_S):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Lower-cased content words; CJK runs become overlapping character bigrams."""
    tokens: list[str] = []
    for word in _WORD.findall(text.lower()):
        if _CJK.search(word):
            tokens.extend(word[i : i + 2] for i in range(max(1, len(word) - 1)))
        elif len(word) > 1 and word not in _STOPWORDS and not word.isdigit() and "_" not in word:
            tokens.append(_stem(word))
    return tokens


def bucket(feature: str, mask: int) -> int:
    """A stable hash (unlike ``hash()``, the same in every process) folded into the buckets."""
    return zlib.crc32(feature.encode("utf-8")) & mask


def hashed_counts(text: str, hash_bits: int) -> Counter[int]:
    """Counts of hashed unigram and adjacent-bigram features of ``text``."""
    mask = (1 << hash_bits) - 1
    tokens = tokenize(text)
    counts: Counter[int] = Counter(bucket(t, mask) for t in tokens)
    counts.update(bucket(f"{a} {b}", mask) for a, b in zip(tokens, tokens[1:], strict=False))
    return counts


def document_text(record: Any, description_chars: int = 2000) -> str:
    """The text a document is embedded from: title, abstract and first claim.

    The description's opening stands in when a record has neither abstract nor claims.
    """
    title = getattr(record, "title", "") or ""
    parts = [title, title, getattr(record, "abstract", "") or ""]
    claims = getattr(record, "claims", None) or []
    if claims:
        parts.append(claims[0])
    if not parts[2] and not claims:
        parts.append((getattr(record, "description", "") or "")[:description_chars])
    return "\n".join(p for p in parts if p)
