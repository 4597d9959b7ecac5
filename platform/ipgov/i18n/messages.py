"""The message catalog: a readable message per stable error code, in English and Chinese.

Error codes stay language-neutral (clients branch on them); the catalog gives people the
message in their language. Entries live side by side in ``messages.yaml``.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from .negotiation import DEFAULT_LOCALE, LOCALES, Locale, normalize

__all__ = ["CatalogError", "catalog", "current_locale", "translate"]

CATALOG_FILE = Path(__file__).with_name("messages.yaml")

current_locale: ContextVar[Locale] = ContextVar("ipgov_locale", default=DEFAULT_LOCALE)
"""The language of the current request (set by the GraphQL error shaper for an operation)."""


class CatalogError(ValueError):
    """The catalog file is malformed: names the file, the code and the language at fault."""


def _validate(entries: Any, source: Path) -> dict[str, dict[str, str]]:
    if not isinstance(entries, dict):
        raise CatalogError(f"{source}: expected a mapping of error codes")
    for code, texts in entries.items():
        if not isinstance(texts, dict):
            raise CatalogError(f"{source}: {code}: expected en and zh-CN texts")
        for locale in LOCALES:
            if not isinstance(texts.get(locale), str) or not texts[locale].strip():
                raise CatalogError(f"{source}: {code}: the {locale} text is missing")
        fields = [{n for _t, n, _s, _c in Formatter().parse(texts[loc]) if n}
                  for loc in LOCALES]
        if fields[0] != fields[1]:
            raise CatalogError(f"{source}: {code}: en and zh-CN use different placeholders")
    return entries


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every entry, ``code -> {"en": ..., "zh-CN": ...}`` (validated, loaded once)."""
    return _validate(yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8")), CATALOG_FILE)


def translate(code: str, locale: str | None = None, params: dict[str, Any] | None = None
              ) -> str | None:
    """The message for ``code`` in ``locale`` (default: the current request's), with its
    placeholders filled from ``params``; ``None`` when the code has no entry or a placeholder
    has no value (callers then keep their original message).

    ``params["message_key"]`` (set by ``ipgov.i18n.bounds``) names the entry that says the
    error's bounds in every language, whatever its stable code (``TIER_OUT_OF_RANGE`` reads
    with ``BOUNDS_OUT_OF_RANGE``'s text)."""
    key = (params or {}).get("message_key")
    entry = catalog().get(key) if isinstance(key, str) else None
    entry = entry or catalog().get(code)
    if entry is None:
        return None
    text = entry[normalize(locale) or current_locale.get()]
    try:
        return text.format_map(params or {})
    except (KeyError, IndexError, ValueError):
        return None
