"""Which language a person reads: their stored preference, else their browser's, else English.

The platform speaks two languages, ``en`` and ``zh-CN``. A user's preference (``users.locale``,
set with ``setMyLocale``) wins; without one the request's ``Accept-Language`` decides, by its
q-values (RFC 9110 §12.5.4); anything else falls back to English.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["DEFAULT_LOCALE", "LOCALES", "Locale", "negotiate", "normalize"]

Locale = Literal["en", "zh-CN"]
LOCALES: tuple[Locale, ...] = ("en", "zh-CN")
DEFAULT_LOCALE: Locale = "en"
_MAX_HEADER = 1000  # longer Accept-Language headers are someone's experiment; read the start


def normalize(tag: str | None) -> Locale | None:
    """The supported locale a language tag means (``zh``, ``zh-Hans-CN``, ``zh_cn`` ->
    ``zh-CN``; ``en-GB`` -> ``en``), or ``None`` for anything else (including ``*``)."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    if primary == "zh":
        return "zh-CN"
    if primary == "en":
        return "en"
    return None


def _ranges(header: str) -> list[tuple[float, int, str]]:
    """``(q, position, tag)`` of each language range, q=0 ranges dropped."""
    found = []
    for position, part in enumerate(header[:_MAX_HEADER].split(",")):
        tag, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and 0.0 < q <= 1.0:
            found.append((q, position, tag))
    return found


def negotiate(accept_language: str | None, user_locale: str | None) -> Locale:
    """The language to answer in: ``user_locale`` when it names a supported language, then
    the best-ranked supported language of ``accept_language`` (ties keep header order), then
    English."""
    preferred = normalize(user_locale)
    if preferred:
        return preferred
    for _q, _pos, tag in sorted(_ranges(accept_language or ""), key=lambda r: (-r[0], r[1])):
        locale = normalize(tag)
        if locale:
            return locale
    return DEFAULT_LOCALE
