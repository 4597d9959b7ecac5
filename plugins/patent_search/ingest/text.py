"""Small normalisers every parser shares: whitespace, dates, classification symbols, names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

__all__ = [
    "clean",
    "compact_ipc",
    "normalise_class",
    "parse_date",
    "person_name",
    "unique",
]

_CJK = "\u3000-\u30ff\u3400-\u9fff\uff00-\uffef"
_CJK_WRAP = re.compile(f"(?<=[{_CJK}])[ \t]*\r?\n\\s*(?=[{_CJK}])")
_CLASS = re.compile(r"([A-HY])\s*(\d{2})\s*([A-Z])\s*0*(\d{1,4})\s*/\s*(\d{1,6})")
_CORPORATE = re.compile(
    r"\b(inc|ltd|llc|llp|corp|co|gmbh|ag|kg|sa|s\.a|bv|nv|plc|limited|company|kk|srl|spa|"
    r"ab|oy|as|pty|lp|university|institute)\b\.?",
    re.IGNORECASE,
)


def clean(text: str | None) -> str:
    """Collapse runs of whitespace to one space and trim; line breaks between Chinese or
    Japanese characters (source line wrapping) leave no space."""
    if not text:
        return ""
    if not text.isascii():
        text = _CJK_WRAP.sub("", text)
    return " ".join(text.split())


def unique(items: Iterable[str]) -> list[str]:
    """Non-empty items in first-seen order, without repeats."""
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def parse_date(value: str | None) -> date | None:
    """``20150106``, ``2015-01-06``, ``1/6/2015`` or ``2015-01-06T..`` as a date; None if unreal.

    Sources write unknown days or months as ``00`` (``19510200``); those are not dates.
    """
    text = clean(value)
    if not text:
        return None
    try:
        if "/" in text:
            month, day, year = (int(part) for part in text.split("/")[:3])
            return date(year, month, day)
        digits = text[:10].replace("-", "").replace(".", "")
        if len(digits) == 8 and digits.isdigit():
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return None


@lru_cache(maxsize=1 << 16)
def normalise_class(symbol: str | None) -> str:
    """An IPC/CPC symbol as ``H04L9/32``: no spaces, no edition, version, position or value.

    Accepts ``H04L   9/32        20060101AFI...``, ``H04L 9/32 (2006.01)``, ``7A 61K 9/16``,
    ``A41D001/06`` and ``H04L9/32``; returns "" when no symbol can be read.
    """
    text = (symbol or "").upper()
    match = _CLASS.search(text)
    if not match:
        return ""
    section, klass, subclass, group, subgroup = match.groups()
    return f"{section}{klass}{subclass}{int(group)}/{subgroup}"


def compact_ipc(value: str | None) -> str:
    """The fixed-width IPC of APS text and ST.32 XML (``B60R  900``, ``G06F 1516``) as ``B60R9/00``.

    Four characters of subclass, three of main group (right-aligned), the rest is the subgroup;
    when leading blanks of the group were lost (``E03C 104``) the last two digits are the subgroup.
    """
    text = (value or "").rstrip()
    if "/" in text:
        return normalise_class(text)
    subclass, rest = text[:4], text[4:]
    if len(rest) >= 5:
        group, subgroup = rest[:3].strip(), rest[3:].strip()
    else:
        digits = rest.strip()
        group, subgroup = digits[:-2], digits[-2:]
    if len(subclass) != 4 or not group.isdigit() or not subgroup.isdigit():
        return ""
    return normalise_class(f"{subclass}{int(group)}/{subgroup}")


def person_name(raw: str | None, *, family_first: bool = True) -> str:
    """``Last; First`` (APS) or ``Last, First`` as ``First Last``; organisations stay as they are.

    A comma only swaps when ``family_first`` and the part after it is not a company form
    (``Overture Services, Inc.`` stays); parts after a second comma are titles and dropped
    (``Bibelhausen, Volker, Dipl.-Ing.`` -> ``Volker Bibelhausen``).
    """
    text = clean(raw).strip(",; ")
    if ";" in text:
        last, _, first = text.partition(";")
        return clean(f"{first} {last}")
    if family_first and "," in text:
        last, first = (part.strip() for part in text.split(",")[:2])
        if first and not _CORPORATE.search(first):  # further parts are titles (Dr., Dipl.-Ing.)
            return clean(f"{first} {last}")
    return text
