"""English content words as the matcher compares them: lower case, plurals folded, no
function words."""

from __future__ import annotations

import re

__all__ = ["english_words", "fold"]

_WORD = re.compile(r"\d+\.\d+|[a-z0-9][a-z0-9\-]*")
_STOP = frozenset("""a about after all also an and any are as at be been before both but by
can could did do does done each for from had has have how however if in into is it its may
more most much no not of on only or other our over shall should so some such than that the
their them then there these they this those thus to too under upon use used using very via
was we were what when where which while who will with within without would
thereof""".split())  # noqa: SIM905
_KEEP_S = ("ss", "us", "is", "ous")


def fold(word: str) -> str:
    """``nanometres`` → ``nanometre``, ``bodies`` → ``body``, ``bonded``/``bonding`` →
    ``bond``: plural and verb forms meet (a light, predictable folding, not a stemmer)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(_KEEP_S):
        return word[:-1]
    return word


def english_words(text: str) -> list[str]:
    """The content words of ``text`` (letters and digits; Chinese characters are skipped)."""
    return [fold(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1]
