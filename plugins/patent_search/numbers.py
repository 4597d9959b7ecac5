"""Publication numbers as people write them, read into one canonical form.

A searcher types ``US7548894``, ``US 7,548,894 B2``, ``US-7548894-B2``, ``7548894`` (with the
office given apart), ``CN1234567A``, ``EP 1 234 567 A1``, ``WO2020/123456``, ``JP2021-044377A``
or ``US 2015/0112182 A1``; the platform stores ``CC-NUMBER-KIND`` (``ingest.canonical_number``).
:func:`parse_number` is the one reader of such input, used wherever a number is accepted (the
``patentDocument`` lookup, the ``pn:`` query field of both engines), so every spelling that names a
document finds it the same way everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .ingest.model import canonical_number

__all__ = ["InvalidPublicationNumber", "PublicationNumber", "number_key", "parse_number"]

MAX_NUMBER_CHARS = 40
_SEPARATORS = re.compile(r"[\s,./\-_]+")
# office (2 letters), optional US series letters, digits, optional kind code (letter + digit)
_SHAPE = re.compile(r"^(?P<cc>[A-Z]{2})?(?P<number>(?:RE|PP|AI|[DHTX])?\d+)(?P<kind>[A-Z]\d?)?$")


class InvalidPublicationNumber(ValueError):
    """Text that is no publication number; the message says what shape is expected."""


@dataclass(frozen=True)
class PublicationNumber:
    """An office (``""`` when not given), the number as stored, and the kind (``""``: any)."""

    country: str
    number: str
    kind: str

    @property
    def canonical(self) -> str:
        """``CC-NUMBER-KIND`` (``CC-NUMBER-`` without a kind), as documents are stored."""
        return f"{self.country}-{self.number}-{self.kind}"

    @property
    def prefix(self) -> str:
        """``CC-NUMBER-``: what every kind of this publication starts with."""
        return f"{self.country}-{self.number}-"


def parse_number(text: str, country: str | None = None) -> PublicationNumber:
    """The publication number ``text`` names; ``country`` is the office when ``text`` has
    none (a bare ``7548894``). Raises :class:`InvalidPublicationNumber` for anything else."""
    raw = (text or "").strip().upper()
    if not raw or len(raw) > MAX_NUMBER_CHARS:
        raise InvalidPublicationNumber(
            f"a publication number of 1 to {MAX_NUMBER_CHARS} characters is required")
    match = _SHAPE.match(_SEPARATORS.sub("", raw))
    if match is None:
        raise InvalidPublicationNumber(
            f"{text!r} is not a publication number (expected an office code, the number and "
            "an optional kind, e.g. US7548894B2, EP 1 234 567 A1, WO2020/123456)")
    office = match.group("cc") or (country or "").strip().upper()
    if country and match.group("cc") and office != country.strip().upper():
        raise InvalidPublicationNumber(
            f"{text!r} names office {office}, not {country.strip().upper()}")
    kind = match.group("kind") or ""
    if not office:
        return PublicationNumber("", match.group("number").lstrip("0") or "0", kind)
    _, number, _ = canonical_number(office, match.group("number"), kind).split("-")
    return PublicationNumber(office, number, kind)


def number_key(text: str) -> str:
    """The ``pn`` index term ``text`` stands for: ``US7548894B2`` (with a kind), ``US7548894``
    (office, any kind) or ``7548894`` (any office); engines index all three per document."""
    try:
        parsed = parse_number(text)
    except InvalidPublicationNumber:
        return "".join(ch for ch in text if ch.isalnum()).upper()
    return f"{parsed.country}{parsed.number}{parsed.kind}"
