"""The office connectors there are, what each needs and which register numbers it takes."""

from __future__ import annotations

from dataclasses import dataclass

from ipgov.api import InvalidInput

__all__ = ["CONNECTORS", "OfficeConnectorInfo", "connector_info"]


@dataclass(frozen=True)
class OfficeConnectorInfo:
    """One office's connector: its key, name, the credential fields it needs (``()`` when it
    cannot be configured), whether a machine interface exists, and what it covers."""

    key: str
    name: str
    credentials: tuple[str, ...]
    available: bool
    covers: str


CONNECTORS: dict[str, OfficeConnectorInfo] = {
    "epo_ops": OfficeConnectorInfo(
        "epo_ops", "EPO Open Patent Services (OPS 3.2)", ("consumer_key", "consumer_secret"),
        True, "every register number with a publication number (DOCDB worldwide, CN "
              "included): bibliographic data, INPADOC family and legal events"),
    "uspto_odp": OfficeConnectorInfo(
        "uspto_odp", "USPTO Open Data Portal", ("api_key",), True,
        "US register entries with an application number: file wrapper data and the file's "
        "transaction events"),
    "cnipa": OfficeConnectorInfo(
        "cnipa", "CNIPA", (), False,
        "nothing: CNIPA has no public machine interface (see docs/patent_search.md)"),
}


def connector_info(office: str) -> OfficeConnectorInfo:
    """The connector named ``office``; ``InvalidInput`` ``OFFICE_UNKNOWN`` otherwise."""
    found = CONNECTORS.get(office)
    if found is None:
        raise InvalidInput(f"no office connector {office!r}; one of "
                           f"{', '.join(sorted(CONNECTORS))}", code="OFFICE_UNKNOWN",
                           field="office")
    return found
