"""The clause outline and evidence mapping of the certification pack, loaded from its data file.

Every text a person reads is in the data file in both languages; loading fails, naming the
file and the entry, when a text lacks one of them or a clause names unknown evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Clause", "Outline", "OutlineError", "lang", "load_outline"]

DATA_FILE = Path(__file__).parent / "data" / "gbt-29490-2023.yaml"
LANGS = ("en", "zh")


class OutlineError(ValueError):
    """The outline file is malformed (the message names the file and the entry)."""


def lang(locale: str | None) -> str:
    """The data files' language key for a locale: ``zh`` for ``zh-CN``, else ``en``."""
    return "zh" if (locale or "").lower().startswith("zh") else "en"


@dataclass(frozen=True)
class Clause:
    """One clause of the outline and the evidence kinds that support it."""

    id: str
    title: dict[str, str]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Outline:
    """The whole pack description: texts, evidence kinds (with max age) and clauses."""

    id: str
    texts: dict[str, dict[str, dict[str, str]]]
    evidence: dict[str, dict[str, Any]]
    clauses: tuple[Clause, ...]

    def text(self, section: str, key: str, locale: str | None, **params: Any) -> str:
        """A text of ``section`` (statuses, reasons, labels) in the reader's language."""
        return self.texts[section][key][lang(locale)].format(**params)

    def evidence_label(self, kind: str, locale: str | None) -> str:
        """What an evidence kind is called, in the reader's language."""
        return str(self.evidence[kind][lang(locale)])


def _bilingual(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(not str(value.get(k) or "").strip() for k in LANGS):
        raise OutlineError(f"{DATA_FILE.name}: {where}: needs both en and zh texts")
    return {k: str(value[k]) for k in LANGS}


def _parse(raw: dict[str, Any]) -> Outline:
    texts = {section: {key: _bilingual(v, f"{section}.{key}")
                       for key, v in (raw.get(section) or {}).items()}
             for section in ("statuses", "reasons", "labels")}
    texts["pack"] = {"title": _bilingual(raw.get("title"), "title"),
                     "note": _bilingual(raw.get("note"), "note")}
    evidence = {}
    for kind, spec in (raw.get("evidence") or {}).items():
        evidence[kind] = {**_bilingual(spec, f"evidence.{kind}"),
                          "max_age_days": spec.get("max_age_days")}
    clauses = []
    for item in raw.get("clauses") or []:
        cid = str(item.get("id", ""))
        kinds = tuple(item.get("evidence") or ())
        unknown = [k for k in kinds if k not in evidence]
        if not cid or not kinds or unknown:
            raise OutlineError(f"{DATA_FILE.name}: clause {cid or '?'}: evidence must name "
                               f"known kinds (unknown: {unknown})")
        clauses.append(Clause(cid, _bilingual(item, f"clause {cid}"), kinds))
    return Outline(str(raw.get("id")), texts, evidence, tuple(clauses))


@cache
def load_outline() -> Outline:
    """The built-in GB/T 29490-2023 outline (parsed and validated once)."""
    return _parse(yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")))
