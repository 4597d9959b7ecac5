"""Labels of the enum values a person reads: functions, domains, severities, modes, statuses.

APIs keep returning the stable values (``govern``, ``hybrid``); every place that shows one to a
person asks ``label(vocabulary, value)`` for it in the reader's language. An unknown value is
shown as it is (a plugin's own value, a future status), never dropped.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from .messages import CatalogError, current_locale
from .negotiation import LOCALES, normalize

__all__ = ["LABELS_FILE", "label", "labels", "vocabulary"]

LABELS_FILE = Path(__file__).with_name("labels.yaml")


@cache
def labels() -> dict[str, dict[str, dict[str, str]]]:
    """``vocabulary -> value -> {"en": ..., "zh-CN": ...}`` (validated, loaded once)."""
    data = yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))
    for vocab, values in data.items():
        for value, texts in values.items():
            for locale in LOCALES:
                if not isinstance(texts, dict) or not str(texts.get(locale, "")).strip():
                    raise CatalogError(f"{LABELS_FILE}: {vocab}.{value}: the {locale} label "
                                       "is missing")
    return data


def vocabulary(name: str) -> dict[str, dict[str, str]]:
    """Every value of one vocabulary with its labels (empty for an unknown vocabulary)."""
    return labels().get(name, {})


def label(name: str, value: str | None, locale: str | None = None) -> str:
    """The label of ``value`` in vocabulary ``name`` for a reader of ``locale`` (default: the
    current request's); the value itself when it has none."""
    if value is None:
        return ""
    texts = labels().get(name, {}).get(str(value))
    if texts is None:
        return str(value)
    return texts[normalize(locale) or current_locale.get()]
