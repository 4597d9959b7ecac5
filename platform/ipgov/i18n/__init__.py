"""Two languages, en and zh-CN, for everything a person reads.

``negotiate`` picks the language of a request (the user's preference, then Accept-Language,
then English); ``translate`` gives the message of an error code in that language; ``pick``
chooses between the two texts a data file or a check keeps side by side.
"""

from __future__ import annotations

from .messages import CatalogError, catalog, current_locale, translate
from .negotiation import DEFAULT_LOCALE, LOCALES, Locale, negotiate, normalize

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "CatalogError",
    "Locale",
    "catalog",
    "current_locale",
    "negotiate",
    "normalize",
    "pick",
    "translate",
]


def pick(en: str, zh: str, locale: str | None = None) -> str:
    """``zh`` for a Chinese reader when there is one, otherwise ``en``."""
    chosen = normalize(locale) or current_locale.get()
    return zh if chosen == "zh-CN" and zh else en
