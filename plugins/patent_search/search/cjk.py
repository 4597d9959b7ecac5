"""Chinese (and Japanese kanji/kana, Korean hangul) text as overlapping character bigrams.

Why bigrams and not jieba: a bigram phrase query finds any string of two or more CJK characters
wherever it occurs, like the substring search CNIPA's own tools offer. A word index only finds
whole dictionary words: jieba cuts 浙商银行股份有限公司 into 浙商/银行/股份/有限公司, so the query
商银行 or 洛德酵 (from 长孢洛德酵母) finds nothing, and new technical terms, compound names and
transliterations depend on a dictionary that must be loaded in every API process. Bigrams need
no dictionary and the query side cannot disagree with the index side. The cost is a larger
index (about one term per CJK character), fine for the CJK share of a patent corpus.
OpenSearch's ``cjk_bigram`` filter builds the same bigrams, so both backends agree.
"""

from __future__ import annotations

import re

__all__ = ["NON_CJK_WORD", "bigram_tokens", "has_cjk", "query_bigrams", "runs", "split_mixed"]

_CJK = (
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
)
_RUN = re.compile(f"[{_CJK}]+")
# A word for the English analyzer: letters and digits that are not CJK (Rust regex syntax).
NON_CJK_WORD = f"[^\\W_{_CJK}]+"


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds at least one CJK character."""
    return _RUN.search(text) is not None


def runs(text: str) -> list[tuple[int, str]]:
    """The maximal CJK runs of ``text`` with their character offsets."""
    return [(m.start(), m.group()) for m in _RUN.finditer(text)]


def bigram_tokens(text: str) -> list[tuple[str, int, int, int]]:
    """``(token, position, char_start, char_end)`` for every bigram (or lone character).

    Positions advance by one per bigram inside a run and jump by two between runs, so a phrase
    query never matches across punctuation or Latin text.
    """
    tokens: list[tuple[str, int, int, int]] = []
    position = 0
    for start, run in runs(text):
        if len(run) == 1:
            tokens.append((run, position, start, start + 1))
            position += 2
            continue
        for i in range(len(run) - 1):
            tokens.append((run[i:i + 2], position, start + i, start + i + 2))
            position += 1
        position += 2
    return tokens


def query_bigrams(run: str) -> list[str]:
    """The bigrams a query's CJK run must match in sequence (a lone character is returned as is)."""
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def split_mixed(text: str) -> list[tuple[bool, str]]:
    """Split ``text`` into ``(is_cjk, part)`` pieces in order, dropping blank non-CJK pieces."""
    parts: list[tuple[bool, str]] = []
    last = 0
    for start, run in runs(text):
        if text[last:start].strip():
            parts.append((False, text[last:start]))
        parts.append((True, run))
        last = start + len(run)
    if text[last:].strip():
        parts.append((False, text[last:]))
    return parts
