"""Translate a parsed query tree into the OpenSearch/Elasticsearch query DSL, and the mapping.

The mapping mirrors the tantivy schema: stemmed English text fields (CJK stripped) with a
``.zh`` sub-field of CJK bigrams, exact keyword fields for facets, integer ``pd`` (YYYYMMDD) and
``year``. Filters (CPC, office, number, dates) score 0, as on tantivy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from patent_search.numbers import number_key
from patent_search.search.cjk import has_cjk, split_mixed
from patent_search.search.fields import (
    SEARCH_FIELDS,
    TEXT_BOOSTS,
    classification_prefix,
    date_number,
)
from patent_search.search.query import And, DateRange, Keyword, Node, Not, Or, Prefix, Text

__all__ = ["index_body", "translate"]

TIE_BREAKER = 0.2
_CJK_CLASSES = r"\p{IsHan}\p{IsHiragana}\p{IsKatakana}\p{IsHangul}"
Json = dict[str, Any]


def index_body(shards: int = 1) -> Json:
    """Settings and mapping; one shard by default so terms aggregations count exactly."""
    text = {"type": "text", "analyzer": "en_patent",
            "fields": {"zh": {"type": "text", "analyzer": "cjk_bigrams"}}}
    keyword = {"type": "keyword"}
    properties: Json = {name: dict(text) for name in SEARCH_FIELDS}
    for name in ("key", "tenant_id", "collection_id", "publication_number", "pn", "cpc", "ipc",
                 "cpc_subclass", "cpc_group", "jurisdiction", "assignee_kw", "applicant_kw"):
        properties[name] = keyword
    properties["pd"] = {"type": "integer"}
    properties["year"] = {"type": "integer"}
    properties["key_order"] = {"type": "long"}
    return {
        "settings": {
            "number_of_shards": shards,
            "analysis": {
                "char_filter": {
                    "cjk_to_space": {"type": "pattern_replace", "pattern": f"[{_CJK_CLASSES}]",
                                     "replacement": " "},
                    "keep_cjk": {"type": "pattern_replace", "pattern": f"[^{_CJK_CLASSES}]+",
                                 "replacement": " "},
                },
                "analyzer": {
                    "en_patent": {"type": "custom", "tokenizer": "standard",
                                  "char_filter": ["cjk_to_space"],
                                  "filter": ["lowercase", "english_stem"]},
                    "cjk_bigrams": {"type": "custom", "tokenizer": "standard",
                                    "char_filter": ["keep_cjk"],
                                    "filter": ["cjk_width", "cjk_bigram"]},
                },
                "filter": {"english_stem": {"type": "stemmer", "language": "english"}},
            },
        },
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def translate(node: Node) -> Json:
    """The DSL query for ``node``."""
    if isinstance(node, And):
        must = [translate(i) for i in node.items if not isinstance(i, Not)]
        must_not = [translate(i.item) for i in node.items if isinstance(i, Not)]
        body: Json = {"must": must} if must else {"filter": [{"match_all": {}}]}
        if must_not:
            body["must_not"] = must_not
        return {"bool": body}
    if isinstance(node, Or):
        return {"bool": {"should": [translate(i) for i in node.items],
                         "minimum_should_match": 1}}
    if isinstance(node, Not):
        return {"bool": {"filter": [{"match_all": {}}], "must_not": [translate(node.item)]}}
    if isinstance(node, Keyword | DateRange):
        return {"bool": {"filter": [_filter(node)]}}
    if isinstance(node, Prefix) and not has_cjk(node.text):
        words = re.findall(r"\w+", node.text.lower())
        return _fields(node.field, lambda f, b: _prefix(f, words, b))
    return _text(node)


def _fields(field: str | None, build: Callable[[str, float], Json]) -> Json:
    boosts = TEXT_BOOSTS if field is None else {field: 1.0}
    queries = [build(name, boost) for name, boost in boosts.items()]
    if len(queries) == 1:
        return queries[0]
    return {"dis_max": {"queries": queries, "tie_breaker": TIE_BREAKER}}


def _text(node: Text | Prefix) -> Json:
    parts = []
    for is_cjk, part in split_mixed(node.text):
        if is_cjk:
            parts.append(_fields(node.field, _phrase_of(part, ".zh")))
        else:
            parts.append(_fields(node.field, _phrase_of(part, "")))
    if len(parts) == 1:
        return parts[0]
    return {"bool": {"must": parts}}


def _phrase_of(text: str, suffix: str) -> Callable[[str, float], Json]:
    """What builds the phrase query of ``text`` in a field (``suffix`` ".zh": its CJK twin)."""
    return lambda field, boost: _phrase(f"{field}{suffix}", text, boost)


def _phrase(field: str, text: str, boost: float) -> Json:
    return {"match_phrase": {field: {"query": text.strip(), "boost": boost}}}


def _prefix(field: str, words: list[str], boost: float) -> Json:
    if len(words) == 1:
        return {"prefix": {field: {"value": words[0], "boost": boost}}}
    return {"match_phrase_prefix": {field: {"query": " ".join(words), "boost": boost}}}


def _filter(node: Keyword | DateRange) -> Json:
    if isinstance(node, DateRange):
        bounds = {"gte": date_number(node.start) if node.start else 1}
        if node.end:
            bounds["lte"] = date_number(node.end)
        return {"range": {"pd": bounds}}
    if node.field in ("cpc", "ipc"):
        return {"prefix": {node.field: classification_prefix(node.value)}}
    if node.field == "pn":
        return {"term": {"pn": number_key(node.value)}}
    return {"term": {node.field: node.value.upper()}}
