"""Translate a parsed query tree into tantivy queries (never through tantivy's own parser)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import partial

import tantivy

from patent_search.numbers import number_key
from patent_search.search.cjk import NON_CJK_WORD, has_cjk, query_bigrams, split_mixed
from patent_search.search.fields import TEXT_BOOSTS, classification_prefix
from patent_search.search.fields import date_number as _date_number
from patent_search.search.model import QuerySyntaxError
from patent_search.search.query import And, DateRange, Keyword, Node, Not, Or, Prefix, Text

__all__ = ["QueryTranslator", "english_analyzer"]

Occur = tantivy.Occur
TIE_BREAKER = 0.2
# A wildcard ranks by BM25 over its first expansions; beyond them it still matches (constant).
MAX_PREFIX_TERMS = 64
# ``(field, prefix, limit)`` -> up to ``limit`` index terms starting with ``prefix``.
PrefixExpander = Callable[[str, str, int], list[str]]


def english_analyzer() -> tantivy.TextAnalyzer:
    """Words of letters and digits, CJK excluded (it goes to the bigram twins), stemmed.

    tantivy's own ``en_stem`` would keep ``抗COVID`` as one word, so a mixed Chinese/English
    title could not be found by its English part.
    """
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(NON_CJK_WORD))
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("english"))
            .build())


_local = threading.local()


def _thread_analyzer() -> tantivy.TextAnalyzer:
    """One analyzer per thread: building one costs about a millisecond."""
    analyzer = getattr(_local, "analyzer", None)
    if analyzer is None:
        analyzer = _local.analyzer = english_analyzer()
    return analyzer


def _plain_tokens(text: str) -> list[str]:
    return [t.lower() for t in re.findall(r"\w+", text) if not has_cjk(t)]


class QueryTranslator:
    """Builds the tantivy query for a tree (``for_highlight``: the terms to mark in snippets).

    ``expand_prefix`` lists the index terms a wildcard matches, so a wildcard is scored like the
    words it stands for; without it a wildcard is a constant-score regex.
    """

    def __init__(self, schema: tantivy.Schema, query: str = "",
                 expand_prefix: PrefixExpander | None = None, for_highlight: bool = False) -> None:
        self.schema = schema
        self.query = query
        self.expand_prefix = expand_prefix
        self.for_highlight = for_highlight
        self.analyzer = _thread_analyzer()

    def translate(self, node: Node) -> tantivy.Query:
        """The tantivy query for ``node``; filters (CPC, dates, office) score 0."""
        if isinstance(node, And):
            return self._conjunction(node)
        if isinstance(node, Or):
            return tantivy.Query.boolean_query([(Occur.Should, self.translate(i))
                                                for i in node.items])
        if isinstance(node, Not):
            return tantivy.Query.boolean_query([(Occur.Must, _match_all()),
                                                (Occur.MustNot, self.translate(node.item))])
        if isinstance(node, Keyword | DateRange):
            return tantivy.Query.const_score_query(self._filter(node), 0.0)
        if isinstance(node, Prefix) and not has_cjk(node.text):
            return self._fields(node.field, lambda f: self._prefix(f, node))
        return self._text(node)

    def _conjunction(self, node: And) -> tantivy.Query:
        clauses = [(Occur.MustNot, self.translate(i.item)) if isinstance(i, Not)
                   else (Occur.Must, self.translate(i)) for i in node.items]
        if all(occur == Occur.MustNot for occur, _ in clauses):
            clauses.append((Occur.Must, _match_all()))
        return tantivy.Query.boolean_query(clauses)

    def _fields(self, field: str | None,
                build: Callable[[str], tantivy.Query | None]) -> tantivy.Query:
        """One query per searched field, boosted, combined as a disjunction max."""
        boosts = TEXT_BOOSTS if field is None else {field: 1.0}
        queries = []
        for name, boost in boosts.items():
            query = build(name)
            if query is not None:
                queries.append(query if boost == 1.0 else tantivy.Query.boost_query(query, boost))
        if not queries:
            return tantivy.Query.empty_query()
        if len(queries) == 1:
            return queries[0]
        return tantivy.Query.disjunction_max_query(queries, TIE_BREAKER)

    def _text(self, node: Text | Prefix) -> tantivy.Query:
        """Words or a phrase; CJK runs go to the bigram twin fields, the rest to English."""
        parts = []
        for is_cjk, part in split_mixed(node.text):
            if is_cjk:
                parts.append(self._fields(node.field, partial(self._cjk, run=part)))
                continue
            tokens = self.analyzer.analyze(part)
            if tokens:
                parts.append(self._fields(node.field, partial(self._words, tokens=tokens)))
        if not parts:
            raise QuerySyntaxError(f"{node.text!r} holds no searchable word", node.position,
                                   self.query)
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(Occur.Must, q) for q in parts])

    def _words(self, field: str, tokens: list[str]) -> tantivy.Query:
        if len(tokens) == 1:
            return tantivy.Query.term_query(self.schema, field, tokens[0])
        return tantivy.Query.phrase_query(self.schema, field, [*tokens])

    def _cjk(self, field: str, run: str) -> tantivy.Query:
        grams = query_bigrams(run)
        twin = f"{field}_zh"
        if len(run) == 1:
            return tantivy.Query.regex_query(self.schema, twin, f".?{re.escape(run)}.?")
        if len(grams) == 1:
            return tantivy.Query.term_query(self.schema, twin, grams[0])
        return tantivy.Query.phrase_query(self.schema, twin, [*grams])

    def _prefix(self, field: str, node: Prefix) -> tantivy.Query | None:
        words = _plain_tokens(node.text)
        if not words:
            return None
        last = words[-1]
        if len(words) == 1:
            return self._expanded(field, last)
        stems = [self.analyzer.analyze(w)[0] for w in words[:-1] if self.analyzer.analyze(w)]
        return tantivy.Query.phrase_prefix_query(self.schema, field, [*stems, last])

    def _expanded(self, field: str, prefix: str) -> tantivy.Query | None:
        """BM25 over the first expansions, plus a constant regex when there are more."""
        regex = tantivy.Query.regex_query(self.schema, field, f"{re.escape(prefix)}.*")
        if self.expand_prefix is None:
            return regex
        terms = self.expand_prefix(field, prefix, MAX_PREFIX_TERMS + 1)
        if self.for_highlight:
            return tantivy.Query.term_set_query(self.schema, field, terms) if terms else None
        clauses = [(Occur.Should, tantivy.Query.term_query(self.schema, field, term))
                   for term in terms[:MAX_PREFIX_TERMS]]
        if len(terms) > MAX_PREFIX_TERMS:
            clauses.append((Occur.Should, regex))
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def _filter(self, node: Keyword | DateRange) -> tantivy.Query:
        if isinstance(node, DateRange):
            low = _date_number(node.start) if node.start else 1
            high = _date_number(node.end) if node.end else 99_991_231
            return tantivy.Query.range_query(self.schema, "pd", tantivy.FieldType.Integer,
                                             low, high)
        if node.field in ("cpc", "ipc"):
            prefix = classification_prefix(node.value)
            return tantivy.Query.regex_query(self.schema, node.field, f"{re.escape(prefix)}.*")
        if node.field == "pn":
            return tantivy.Query.term_query(self.schema, "pn", number_key(node.value))
        return tantivy.Query.term_query(self.schema, node.field, node.value.upper())


def _match_all() -> tantivy.Query:
    return tantivy.Query.const_score_query(tantivy.Query.all_query(), 0.0)
