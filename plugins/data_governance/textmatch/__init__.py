"""Matching a text against stored documents across Chinese and English, offline.

``concepts`` turns a sentence into language-neutral features: English content words (folded
plurals), numbers with their units (``180 °C`` = ``180摄氏度`` = ``180 degrees Celsius``), and
Chinese words glossed into English through CC-CEDICT plus the plugin's technical term base
(``terms.tsv``). ``screen`` compares sentences of a text with sentences of documents on those
features (TF-IDF cosine) and on verbatim word shingles, and says which passages match.
"""

from .screening import PASSAGE_THRESHOLD, Passage, ScreenResult, screen, sentences
from .tokens import concepts

__all__ = ["PASSAGE_THRESHOLD", "Passage", "ScreenResult", "concepts", "screen", "sentences"]
