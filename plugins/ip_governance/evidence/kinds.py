"""Evidence kinds as data (``data/kinds.yaml``): their labels and validity periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from ipgov.api import InvalidInput

__all__ = ["EvidenceKind", "kind_of", "load_kinds", "valid_until"]


@dataclass(frozen=True)
class EvidenceKind:
    """What a file proves, its label in both languages and how long it stays valid."""

    id: str
    label: dict[str, str]
    validity_days: int | None


@cache
def load_kinds() -> dict[str, EvidenceKind]:
    """The shipped kinds by id (read once)."""
    raw = yaml.safe_load((Path(__file__).parent / "data" / "kinds.yaml").read_text("utf-8"))
    kinds = {}
    for entry in raw["kinds"]:
        days = entry.get("validity_days")
        if days is not None and (not isinstance(days, int) or days < 1):
            raise ValueError(f"evidence kind {entry['id']}: validity_days must be >= 1")
        kinds[entry["id"]] = EvidenceKind(entry["id"], dict(entry["label"]), days)
    return kinds


def kind_of(kind_id: str) -> EvidenceKind:
    """The kind named ``kind_id``; ``InvalidInput`` (``EVIDENCE_KIND_UNKNOWN``) otherwise."""
    found = load_kinds().get(kind_id)
    if found is None:
        raise InvalidInput(f"unknown evidence kind {kind_id!r}; one of: "
                           f"{', '.join(sorted(load_kinds()))}", code="EVIDENCE_KIND_UNKNOWN",
                           field="kind")
    return found


def valid_until(kind: EvidenceKind, valid_from: date, explicit: date | None) -> date | None:
    """The end of validity: ``explicit`` when given (after ``valid_from``), else the kind's
    period from ``valid_from``, else none."""
    if explicit is not None:
        if explicit <= valid_from:
            raise InvalidInput("validUntil must come after validFrom",
                               code="EVIDENCE_VALIDITY_INVALID", field="validUntil")
        return explicit
    return valid_from + timedelta(days=kind.validity_days) if kind.validity_days else None
