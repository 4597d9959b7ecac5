"""A sentence as language-neutral features: what ``screen`` compares.

English words count once each; a Chinese word counts through the English words it glosses to,
each weighing 1/sqrt(n) for n glosses (a word with many senses weighs a little more than one
English word, not n times more: measured best of 1, 1/sqrt(n) and 1/n in
``bench/crosslingual_screening.py``); ``180 °C``, ``180摄氏度`` and ``180 degrees Celsius`` all
become ``q:180:celsius``.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .lexicon import gloss, segment
from .words import english_words

__all__ = ["concepts", "quantities"]

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_NUMBER = r"(\d+(?:\.\d+)?)"
UNITS: dict[str, tuple[str, ...]] = {
    "celsius": ("degrees celsius", "degree celsius", "deg c", "°c", "℃", "摄氏度", "度"),
    "minute": ("minutes", "minute", "mins", "min", "分钟"),
    "second": ("seconds", "second", "secs", "sec", "秒钟", "秒", "s"),
    "hour": ("hours", "hour", "hrs", "h", "小时"),
    "watt": ("kilowatts", "watts", "watt", "w", "瓦特", "瓦"),
    "volt": ("volts", "volt", "v", "伏特", "伏"),
    "nanometre": ("nanometres", "nanometers", "nanometre", "nanometer", "nm", "纳米"),
    "micrometre": ("micrometres", "micrometers", "micrometre", "micrometer", "microns",
                   "micron", "µm", "μm", "um", "微米"),
    "millimetre": ("millimetres", "millimeters", "millimetre", "millimeter", "mm", "毫米"),
    "percent": ("per cent", "percent", "%", "％"),
    "pascal": ("megapascals", "mpa", "kpa", "pa", "兆帕", "帕"),
}
_UNIT_OF = {form: unit for unit, forms in UNITS.items() for form in forms}
_QUANTITY = re.compile(_NUMBER + r"\s*(" + "|".join(
    re.escape(f) for f in sorted(_UNIT_OF, key=len, reverse=True)) + r")(?![a-z])")
_PERCENT_ZH = re.compile(r"百分之\s*" + _NUMBER)
_PH = re.compile(r"ph\s*(?:值)?\s*(?:of|=|为|是)?\s*" + _NUMBER)


def quantities(text: str) -> list[str]:
    """``q:<number>:<unit>`` for every measured value in ``text`` (either language)."""
    low = text.lower()
    found = [f"q:{float(n):g}:{_UNIT_OF[u]}" for n, u in _QUANTITY.findall(low)]
    found += [f"q:{float(n):g}:percent" for n in _PERCENT_ZH.findall(low)]
    return found + [f"q:{float(n):g}:ph" for n in _PH.findall(low)]


def concepts(sentence: str) -> Counter[str]:
    """Feature weights of ``sentence``: English words, glossed Chinese words, quantities
    (a unit word counts as part of its quantity only, in either language)."""
    weights: Counter[str] = Counter(quantities(sentence))
    rest = _QUANTITY.sub(r" \1 ", sentence.lower())
    weights.update(english_words(rest))
    for run in _CJK.findall(rest):
        for word in segment(run):
            meaning = gloss(word)
            if meaning:
                for token in meaning:
                    # float weights in a Counter (typeshed types its counts as int)
                    weights[token] += 1.0 / math.sqrt(len(meaning))  # type: ignore[assignment]
            elif meaning is not None and len(word) > 1:
                weights[f"zh:{word}"] += 1.0  # type: ignore[assignment]  # as above
    return weights
