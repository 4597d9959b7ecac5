"""Free text as a query: a pasted claim, abstract or description read as its content words.

An attorney's most common query is a pasted first claim ("A method comprising: ...") or an
abstract. Read as the fielded language it fails (``comprising:`` looks like a field, it has
more than 50 clauses, more than 2,000 characters) or, when it parses, demands every word (AND)
and finds nearly nothing. :func:`read_query` decides how to read a query:

- ``syntax="fielded"``: the query language of :mod:`.query`; a syntax error is raised.
- ``syntax="free"``: the content words (English and Chinese stop words and claim boilerplate
  dropped, Chinese cut into words by jieba), any of which may match (OR), ranked by BM25.
- ``syntax="auto"`` (the default of the API): fielded when the query parses and either uses
  the language (a field, an operator, a phrase, a wildcard, a range) or is a few plain words;
  free text when it is long, does not parse, or is more than :data:`FIELDED_MAX_WORDS` plain
  words. The page then carries a notice saying so and why (``FREE_TEXT_QUERY``), so a query
  is never silently read another way.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import cache

from patent_search.search.cjk import runs, split_mixed
from patent_search.search.model import SYNTAXES, QuerySyntaxError, SearchNotice
from patent_search.search.query import MAX_QUERY_CHARS, And, Node, Or, Text, parse

__all__ = [
    "FIELDED_MAX_WORDS",
    "MAX_FREE_TEXT_CHARS",
    "MAX_FREE_TERMS",
    "SYNTAXES",
    "content_words",
    "free_text",
    "read_query",
]

FIELDED_MAX_WORDS = 6  # more plain words than this (no operator, no field): read as free text
MAX_FREE_TEXT_CHARS = 50_000  # a long description section; longer input is refused
MAX_FREE_TERMS = 64  # the most frequent content words of a long text (bounded OR)
_MAX_WORD_CHARS = 40  # the analyzer drops longer tokens
_WORD = re.compile(r"[^\W_]+")

# English function words and the boilerplate of claims and abstracts: frequent in every
# patent, so they would only dilute an OR query.
_EN_STOP_WORDS = """
a about above according across after again against all also although am among an and any are as
at be because been before being below between both but by can could did do does done down during
each either else etc for from further had has have having he her here hers him his how however i
if in into is it its itself just may me might more most much must my no nor not now of off on
once one only onto or other others our out over own per same she should since so some such than
that the their them then there thereby therefore therein thereof thereon these they this those
through thus to too under until up upon us very via was we were what when where whereby wherein
whether which while who whom whose why will with within without would yet you your claim claims
claimed comprising comprises comprise comprised consisting consists including includes include
included having said least plurality wherein configured operable adapted respectively further
first second third fourth embodiment embodiments invention present disclosure disclosed
described herein thereto therewith
"""
_ZH_STOP_WORDS = """
的 了 和 与 及 或 在 是 将 由 被 为 从 至 对 并 且 其 该 此 所 之 于 以
而 中 上 下 等 个 种 一 一种 所述 其中 包括 包含 以及 用于 通过 一个 多个 根据
权利要求 如权利要求 所示 进行 具有 设置 至少 第一 第二 第三 其特征在于 特征 在于
方法 装置 系统
"""
EN_STOP = frozenset(_EN_STOP_WORDS.split())
ZH_STOP = frozenset(_ZH_STOP_WORDS.split())


@cache
def _jieba():  # noqa: ANN202 - jieba has no type hints
    """jieba, loaded once (its dictionary costs about a second on first use)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def content_words(text: str) -> list[str]:
    """The content words of ``text`` in order of first appearance, repeats kept."""
    words: list[str] = []
    for is_cjk, part in split_mixed(text):
        if is_cjk:
            for _start, run in runs(part):
                words.extend(
                    w for w in _jieba().lcut(run) if len(w) > 1 and w not in ZH_STOP and runs(w)
                )
            continue
        for match in _WORD.finditer(part):
            word = match.group().lower()
            if (
                (len(word) > 1 or word.isdigit())
                and word not in EN_STOP
                and len(word) <= _MAX_WORD_CHARS
            ):
                words.append(word)
    return words


def free_text(text: str) -> Node:
    """Any of the (at most :data:`MAX_FREE_TERMS` most frequent) content words of ``text``."""
    if len(text) > MAX_FREE_TEXT_CHARS:
        raise QuerySyntaxError(
            f"free text longer than {MAX_FREE_TEXT_CHARS} characters: "
            "paste the claim or the abstract, not the whole document",
            MAX_FREE_TEXT_CHARS,
        )
    counts = Counter(content_words(text))
    if not counts:
        raise QuerySyntaxError(
            "no searchable word: the text holds only stop words or punctuation", 0, text[:200]
        )
    first = {w: i for i, w in enumerate(counts)}  # order of first appearance
    chosen = sorted(counts, key=lambda w: (-counts[w], first[w]))[:MAX_FREE_TERMS]
    leaves = tuple(Text(None, w, 0) for w in sorted(chosen, key=first.__getitem__))
    return leaves[0] if len(leaves) == 1 else Or(leaves)


def _plain_words(node: Node) -> int | None:
    """How many words a query of plain words has; None when it uses the language."""
    items = node.items if isinstance(node, And) else (node,)
    if all(isinstance(i, Text) and i.field is None and not i.phrase for i in items):
        return sum(len(i.text.split()) for i in items if isinstance(i, Text))
    return None


def _notice(reason: str, detail: str) -> SearchNotice:
    return SearchNotice(
        "FREE_TEXT_QUERY",
        f"read as free text ({detail}): any of its content "
        "words may match, ranked by BM25; use syntax=fielded for the query "
        "language",
        params={"reason": reason, "detail": detail},
    )


def read_query(text: str, syntax: str = "fielded") -> tuple[Node, SearchNotice | None]:
    """The tree to search for ``text`` and, when it was read as free text in ``auto``, why."""
    if syntax not in SYNTAXES:
        raise QuerySyntaxError(f"syntax must be one of {', '.join(SYNTAXES)}, not {syntax!r}", -1)
    if syntax == "fielded":
        return parse(text), None
    if syntax == "free":
        return free_text(text), None
    if len(text) > MAX_QUERY_CHARS:
        return free_text(text), _notice("long", f"longer than {MAX_QUERY_CHARS} characters")
    try:
        node = parse(text)
    except QuerySyntaxError as exc:
        try:
            return free_text(text), _notice("not_fielded", f"not a fielded query: {exc}")
        except QuerySyntaxError:
            raise exc from None
    words = _plain_words(node)
    if words is not None and words > FIELDED_MAX_WORDS:
        return free_text(text), _notice("many_words", f"{words} words and no operator or field")
    return node, None
