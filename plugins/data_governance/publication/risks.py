"""The three risks of publishing a text (seed 7.4), each with its own verdict.

* ``secret_disclosure`` — the text gives away one of our trade secrets: ``block`` when a
  passage of a secret is substantially reproduced (one disclosed recipe line is a disclosure,
  however short the text), ``review`` when it resembles one.
* ``novelty_loss`` — the text discloses one of our technical solutions that no patent or
  application protects yet: publication would destroy the novelty a later application needs,
  so ``block`` (file first) when reproduced, ``review`` when it resembles one.
* ``third_party_text`` — the text copies the wording of others' documents (the patent
  collections): ``review`` (quote and cite, or obtain permission). Publishing a text never
  infringes a patent, so resembling someone's claims is no risk of publishing at all (that is
  what freedom-to-operate screening of a product is for).

The check's verdict is the worst of the three.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["BLOCK_AT", "NOVELTY_LOSS", "RISKS", "REVIEW_AT", "SECRET_DISCLOSURE",
           "THIRD_PARTY_TEXT", "Assessment", "assess", "overall", "risk_of"]

SECRET_DISCLOSURE, NOVELTY_LOSS = "secret_disclosure", "novelty_loss"
THIRD_PARTY_TEXT = "third_party_text"
RISKS = (SECRET_DISCLOSURE, NOVELTY_LOSS, THIRD_PARTY_TEXT)
REVIEW_AT, BLOCK_AT = 0.35, 0.6
COPIED_AT = 0.5  # share of a passage's word 5-grams found in a third party's text
_ORDER = {"clear": 0, "review": 1, "block": 2}
_LEGACY = {"leak": SECRET_DISCLOSURE}  # risk names of checks stored before dg_0002


@dataclass(frozen=True)
class Assessment:
    """One risk of one check: its verdict, the closest passage score, what matched."""

    risk: str
    verdict: str  # clear | review | block
    score: float
    refs: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {**asdict(self), "refs": list(self.refs)}


def risk_of(name: str) -> str:
    """The risk a stored match belongs to ('' for a legacy patent-claim similarity, which is
    no risk of publishing)."""
    name = _LEGACY.get(name, name)
    return name if name in RISKS else ""


def _verdict(risk: str, score: float) -> str:
    if risk == THIRD_PARTY_TEXT:
        return "review" if score >= COPIED_AT else "clear"
    return "block" if score >= BLOCK_AT else "review" if score >= REVIEW_AT else "clear"


def _field(match: Any, key: str) -> Any:
    """``key`` of a match: a stored dict's item (``None`` when absent) or an object's attribute."""
    return match.get(key) if isinstance(match, dict) else getattr(match, key)


def assess(matches: Iterable[Any]) -> list[Assessment]:
    """One assessment per risk from the matches (objects or stored dicts with ``risk``,
    ``score`` and ``ref``; a match's score is its closest passage or the share of the record
    the text gives away, whichever is higher), in :data:`RISKS` order."""
    best: dict[str, float] = dict.fromkeys(RISKS, 0.0)
    refs: dict[str, list[str]] = {r: [] for r in RISKS}
    for match in matches:
        risk = risk_of(_field(match, "risk"))
        if not risk:
            continue
        score = float(_field(match, "score"))
        if _verdict(risk, score) != "clear":
            refs[risk].append(_field(match, "ref"))
        best[risk] = max(best[risk], score)
    return [Assessment(r, _verdict(r, best[r]), round(best[r], 4), tuple(refs[r][:10]))
            for r in RISKS]


def overall(assessments: Iterable[Assessment]) -> str:
    """The worst verdict of the risks."""
    return max((a.verdict for a in assessments), key=_ORDER.__getitem__, default="clear")
