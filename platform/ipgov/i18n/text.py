"""Templates with structured parameters, rendered in the reader's language.

A finding stores the values it is about (``params``: an outcome, an asset, a count), not a
sentence; its check keeps one template per language. ``{name}`` is replaced by the value,
``{name:severity}`` (any vocabulary of ``ipgov.i18n.labels``) by its label, ``{name:.0%}`` by
the formatted number. A value made with ``localized(en, zh)`` (a dict with ``en`` and ``zh-CN``)
reads in the reader's language; a list is joined with the language's separator.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any

from .labels import labels
from .negotiation import normalize

__all__ = ["localized", "placeholders", "render", "value_text"]

_SEPARATOR = {"en": ", ", "zh-CN": "、"}


def localized(en: str, zh: str) -> dict[str, str]:
    """A parameter value that reads differently per language (stored as it is), e.g. a
    department type: ``params={"department": localized("internal supervision", "内部监督部门")}``.
    """
    return {"en": en, "zh-CN": zh or en}


def value_text(value: Any, locale: str) -> str:
    """How one parameter value reads for ``locale``."""
    if isinstance(value, Mapping) and "en" in value:
        return str(value.get(locale) or value["en"])
    if isinstance(value, list | tuple):
        return _SEPARATOR[locale].join(value_text(v, locale) for v in value)
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Renderer(Formatter):
    def __init__(self, locale: str) -> None:
        super().__init__()
        self.locale = locale

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in labels():
            texts = labels()[format_spec].get(str(value))
            return texts[self.locale] if texts else str(value)
        if format_spec:
            return format(value, format_spec)
        return value_text(value, self.locale)


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses (``{outcome}``, ``{kind:severity}`` -> kind)."""
    return {name.split(".")[0].split("[")[0]
            for _text, name, _spec, _conv in Formatter().parse(template) if name}


def render(template: str, params: Mapping[str, Any], locale: str | None) -> str | None:
    """``template`` filled from ``params`` for ``locale``; ``None`` when a parameter is
    missing or does not fit its format (the caller then shows what it has)."""
    try:
        return _Renderer(normalize(locale) or "en").vformat(template, (), dict(params))
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return None
