"""The tantivy index layout and the conversion of an :class:`IndexDoc` into a tantivy document."""

from __future__ import annotations

import tantivy

from patent_search.search.cjk import bigram_tokens, has_cjk
from patent_search.search.fields import SEARCH_FIELDS, flatten
from patent_search.search.model import IndexDoc

__all__ = ["EN_ANALYZER", "build_schema", "to_document"]

EN_ANALYZER = "en_patent"
_KEYWORDS = ("key", "tenant_id", "collection_id", "publication_number", "pn", "cpc", "ipc",
             "cpc_subclass", "cpc_group", "jurisdiction", "assignee_kw", "applicant_kw")
_STORED_KEYWORDS = frozenset({"key", "collection_id", "publication_number", "cpc",
                              "jurisdiction", "assignee_kw"})
_FAST_KEYWORDS = frozenset({"cpc_subclass", "cpc_group", "jurisdiction", "assignee_kw",
                            "applicant_kw"})


def build_schema() -> tantivy.Schema:
    """Keyword fields are raw (exact, facetable); text is stemmed English plus a CJK twin."""
    builder = tantivy.SchemaBuilder()
    for name in _KEYWORDS:
        builder.add_text_field(name, stored=name in _STORED_KEYWORDS,
                               fast=name in _FAST_KEYWORDS, tokenizer_name="raw")
    for name in SEARCH_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name=EN_ANALYZER)
        builder.add_text_field(f"{name}_zh", stored=False, tokenizer_name="raw")
    builder.add_integer_field("pd", stored=True, indexed=True, fast=True)
    builder.add_integer_field("year", stored=False, indexed=True, fast=True)
    builder.add_integer_field("key_order", stored=False, indexed=False, fast=True)
    return builder.build()


def to_document(doc: IndexDoc, schema: tantivy.Schema) -> tantivy.Document:
    """The tantivy document: flat fields, plus pre-tokenised bigrams for CJK text."""
    values = flatten(doc)
    plain = {name: value for name, value in values.items() if value not in ("", [], None)}
    document = tantivy.Document.from_dict(plain, schema)
    for name in SEARCH_FIELDS:
        text = values[name]
        if text and has_cjk(text):
            tokens = [tantivy.Token(tok, pos, start, end)
                      for tok, pos, start, end in bigram_tokens(text)]
            document.add_pre_tokenized_text(f"{name}_zh",
                                            tantivy.PreTokenizedString(text, tokens))
    return document
