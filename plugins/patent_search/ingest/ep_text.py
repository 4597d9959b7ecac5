"""EPO "full text for text analytics": the tab-separated files and their JSONL rendering.

A TSV document is a run of consecutive lines ``CC, number, kind, date, lang, part, text`` where
part is TITLE/ABSTR/DESCR/CLAIM/AMEND/PDFEP and text is an XML fragment; the JSONL form holds
the same parts per line. Both become one record, English title/abstract/claims preferred.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from .base import FieldProblem, attempt, build_record
from .decoding import TextLines
from .model import PatentRecord
from .tabular import Item, json_keys, read_json_lines
from .text import clean, parse_date
from .xmldoc import XmlProblem, block_text, claim_texts, parse_document

__all__ = ["EP_TEXT_JSONL", "EP_TEXT_TSV", "read_ep_jsonl", "read_ep_tsv"]

EP_TEXT_TSV = "epo_text_analytics_tsv"
EP_TEXT_JSONL = "epo_text_analytics_jsonl"


@dataclass
class _Parts:
    country: str
    number: str
    kind: str
    date: str
    titles: dict[str, str] = field(default_factory=dict)
    abstracts: dict[str, str] = field(default_factory=dict)
    claims: dict[str, str] = field(default_factory=dict)
    description: tuple[str, str] = ("", "")


def _fragment(markup: str, part: str):
    try:
        return parse_document(f"<fragment>{markup}</fragment>".encode())
    except XmlProblem as exc:
        raise FieldProblem(part, str(exc)) from exc


def _english(texts: dict[str, str]) -> str:
    return texts.get("en") or next(iter(texts.values()), "")


def _record(parts: _Parts, source_format: str) -> PatentRecord:
    claims = _english(parts.claims)
    language, description = parts.description
    return build_record(
        parts.country, parts.number, parts.kind, source_format,
        title=clean(_english(parts.titles)),
        abstract=block_text(_fragment(_english(parts.abstracts), "abstract")),
        claims=claim_texts(_fragment(claims, "claims").iter("claim")) if claims else [],
        description=block_text(_fragment(description, "description")) if description else "",
        publication_date=parse_date(parts.date),
        language=(language or next(iter(parts.abstracts), "")).lower(),
    )


def _add(parts: _Parts, lang: str, part: str, text: str) -> None:
    if part == "TITLE":
        parts.titles[lang] = text
    elif part == "ABSTR":
        parts.abstracts[lang] = text
    elif part == "CLAIM":
        parts.claims[lang] = text
    elif part == "DESCR":
        parts.description = (lang, text)


def _build(line: int, parts: _Parts, source_format: str) -> Item:
    return f"line {line}", attempt(_record, parts, source_format)


def read_ep_tsv(stream: IO[bytes]) -> Iterator[Item]:
    """Group consecutive lines of one publication into a record."""
    current: _Parts | None = None
    start = 0
    lines = TextLines(stream)
    for line_no, text in enumerate(lines, start=1):
        cells = text.rstrip("\r\n").split("\t")
        problems = lines.take_problems()
        if problems:
            yield f"line {line_no}", problems[0][1]
            continue
        if len(cells) < 7:
            if text.strip():
                yield f"line {line_no}", FieldProblem("line", f"{len(cells)} columns, expected 7")
            continue
        key = tuple(cells[:3])
        if current is None or key != (current.country, current.number, current.kind):
            if current is not None:
                yield _build(start, current, EP_TEXT_TSV)
            current, start = _Parts(cells[0], cells[1], cells[2], cells[3]), line_no
        _add(current, cells[4].lower(), cells[5], "\t".join(cells[6:]))
    if current is not None:
        yield _build(start, current, EP_TEXT_TSV)


def _pairs(value: dict[str, Any] | None) -> dict[str, str]:
    """``{"language": [..], "text": [..]}`` or ``{"language": "en", "text": ".."}`` as a dict."""
    if not value:
        return {}
    langs, texts = value.get("language"), value.get("text")
    if isinstance(texts, list):
        return dict(zip([str(lang).lower() for lang in langs or []], texts, strict=False))
    return {str(langs or "").lower(): texts or ""}


def _jsonl_record(row: dict[str, Any]) -> PatentRecord:
    number_parts = str(row.get("publication_number", "")).split("-")
    shaped = all(isinstance(row.get(k) or {}, dict) for k in ("title", "abstract", "claims"))
    if len(number_parts) != 3 or not shaped:
        raise FieldProblem("document", "expected EPO text-analytics JSONL (publication_number "
                                       "like EP-0600083-A1; title, abstract, claims as "
                                       f"{{language, text}}); saw {json_keys(row)}")
    country, number, kind = number_parts
    description = _pairs(row.get("description"))
    parts = _Parts(country, number, kind, str(row.get("publication_date", "")),
                   titles=_pairs(row.get("title")), abstracts=_pairs(row.get("abstract")),
                   claims={k: "".join(v) if isinstance(v, list) else v
                           for k, v in _pairs(row.get("claims")).items()},
                   description=next(iter(description.items()), ("", "")))
    return _record(parts, EP_TEXT_JSONL)


def read_ep_jsonl(stream: IO[bytes]) -> Iterator[Item]:
    """The JSONL rendering of the same data (``publication_number`` = ``EP-0600083-A1``)."""
    return read_json_lines(stream, _jsonl_record)
