"""Snippets: HTML-escaped fragments with ``<mark>`` around the words a query matched.

English fields come from tantivy's SnippetGenerator (byte ranges over a fragment); CJK runs are
located by substring search, which is exactly what the bigram index matched.
"""

from __future__ import annotations

import html

from patent_search.search.cjk import split_mixed
from patent_search.search.query import And, Node, Not, Or, Prefix, Text

__all__ = ["FRAGMENT_CHARS", "cjk_runs_for", "mark", "positive_text_leaves", "snippet"]

FRAGMENT_CHARS = 180


def mark(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` escaped, with ``<mark>`` around the (character) ranges, overlaps merged."""
    out: list[str] = []
    cursor = 0
    for start, end in _merged(ranges):
        if end <= cursor:
            continue
        start = max(start, cursor)
        out += [html.escape(text[cursor:start]), "<mark>", html.escape(text[start:end]),
                "</mark>"]
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def byte_to_char_ranges(fragment: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """tantivy reports byte offsets into the UTF-8 fragment; Python slices by character."""
    data = fragment.encode()
    return [(len(data[:s].decode(errors="ignore")), len(data[:e].decode(errors="ignore")))
            for s, e in ranges]


def cjk_runs_for(node: Node, field: str, default_fields: tuple[str, ...]) -> list[str]:
    """The CJK strings a query looks for in ``field`` (positive clauses only)."""
    wanted: list[str] = []
    for leaf in _positive_leaves(node):
        if isinstance(leaf, Text | Prefix) and (
                leaf.field == field or (leaf.field is None and field in default_fields)):
            wanted += [part for is_cjk, part in split_mixed(leaf.text) if is_cjk]
    return wanted


def _positive_leaves(node: Node) -> list[Node]:
    if isinstance(node, Not):
        return []
    if isinstance(node, And | Or):
        return [leaf for item in node.items for leaf in _positive_leaves(item)]
    return [node]


def positive_text_leaves(node: Node) -> list[Node]:
    """The clauses that can be highlighted (text and wildcards, not negated)."""
    return [leaf for leaf in _positive_leaves(node) if isinstance(leaf, Text | Prefix)]


def _occurrences(text: str, runs: list[str]) -> list[tuple[int, int]]:
    found = []
    for run in runs:
        start = text.find(run)
        while start >= 0:
            found.append((start, start + len(run)))
            start = text.find(run, start + len(run))
    return found


def snippet(text: str, english: tuple[str, list[tuple[int, int]]] | None,
            runs: list[str]) -> str:
    """The best fragment: tantivy's English fragment plus CJK hits in it, else a CJK window."""
    if english is not None and english[1]:
        fragment, ranges = english
        return mark(fragment, ranges + _occurrences(fragment, runs))
    found = _occurrences(text, runs)
    if not found:
        return ""
    first = min(found)[0]
    start = max(0, first - FRAGMENT_CHARS // 4)
    fragment = text[start:start + FRAGMENT_CHARS]
    end = start + len(fragment)
    shifted = [(s - start, e - start) for s, e in found if s >= start and e <= end]
    return mark(fragment, shifted)
