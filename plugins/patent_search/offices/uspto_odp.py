"""USPTO Open Data Portal (ODP): the patent file wrapper of a US application, for a tenant's
own ODP API key (sent as ``X-API-KEY``).

One request per application number: ``/api/v1/patent/applications/{number}`` answers a
``patentFileWrapperDataBag`` whose member holds what the office keeps of the application:
``applicationMetaData`` (title, dates, parties, CPC, the patent number once granted; read by
``ingest.uspto_json``), ``eventDataBag`` (the file's transactions: code, description, date,
stored as the application's office events) and, when there are any, the continuity bags. An
unpublished application gives events but no document (ODP gives no publication to store).
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from ..ingest.base import FieldProblem
from ..ingest.model import LegalEvent
from ..ingest.text import clean, parse_date
from ..ingest.uspto_json import read_odp
from .epo_ops import NumberResult
from .errors import OfficeProblem
from .http import Answer, Bounds, fetch, with_retries

__all__ = ["OdpClient", "OdpResult", "application_key"]

OFFICE = "USPTO ODP"
_DIGITS = re.compile(r"\D+")


def application_key(number: str) -> str:
    """The ODP form of a US application number: digits only (``16/330,077`` -> ``16330077``)."""
    return _DIGITS.sub("", number or "")


class OdpResult(NumberResult):
    """An application's records and its file-wrapper events (``(application, event)``)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[LegalEvent] = []
        self.application = ""


def _events(bag: dict[str, Any]) -> list[LegalEvent]:
    out = []
    for event in bag.get("eventDataBag") or []:
        if not isinstance(event, dict) or not event.get("eventCode"):
            continue
        when: date | None = parse_date(str(event.get("eventDate") or ""))
        out.append(LegalEvent(code=clean(str(event["eventCode"]))[:40],
                              description=clean(str(event.get("eventDescriptionText") or "")),
                              date=when, country="US"))
    return out


class OdpClient:
    """One tenant's ODP key for one run (``base_url``: ``https://api.uspto.gov``)."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, api_key: str, *,
                 bounds: Bounds) -> None:
        self.http = http
        self.base = base_url.rstrip("/")
        self._key = api_key
        self.bounds = bounds

    async def _get(self, path: str) -> Answer:
        answer = await with_retries(lambda: fetch(
            self.http, "GET", f"{self.base}{path}", bounds=self.bounds, office=OFFICE,
            headers={"X-API-KEY": self._key, "Accept": "application/json"}),
            bounds=self.bounds, office=OFFICE)
        if answer.status == 200:
            return answer
        if answer.status in (401, 403):
            raise OfficeProblem("OFFICE_AUTH_FAILED", f"USPTO ODP refused the API key (HTTP "
                                f"{answer.status}); set it again", status=answer.status,
                                params={"office": OFFICE})
        if answer.status == 404:
            raise OfficeProblem("OFFICE_NOT_FOUND", f"USPTO ODP has no application at {path}",
                                stop=False, status=404, params={"office": OFFICE})
        if answer.status == 400:
            raise OfficeProblem("OFFICE_BAD_REQUEST", f"USPTO ODP refused {path} (HTTP 400)",
                                stop=False, status=400, params={"office": OFFICE})
        raise OfficeProblem("OFFICE_SERVER_ERROR", f"USPTO ODP failed (HTTP {answer.status});"
                            " the run resumes later", status=answer.status,
                            params={"office": OFFICE, "status": answer.status})

    async def fetch_number(self, number: str) -> OdpResult:
        """The file wrapper of one US application number."""
        result = OdpResult()
        result.application = application_key(number)
        if not result.application:
            raise OfficeProblem("OFFICE_BAD_REQUEST", f"{number!r} is no US application "
                                "number", stop=False, params={"office": OFFICE})
        answer = await self._get(f"/api/v1/patent/applications/{quote(result.application)}")
        result.requests = 1
        try:
            data = json.loads(answer.body)
        except ValueError as exc:
            result.problems.append(f"application: not JSON ({str(exc)[:200]})")
            return result
        bags = data.get("patentFileWrapperDataBag") if isinstance(data, dict) else None
        for bag in bags if isinstance(bags, list) else []:
            if isinstance(bag, dict):
                result.events.extend(_events(bag))
        if any(isinstance(b, dict) and isinstance(b.get("applicationMetaData"), dict)
               for b in bags or []):
            for locator, item in read_odp(io.BytesIO(answer.body)):
                if isinstance(item, FieldProblem):
                    result.problems.append(f"{locator}: {item.field}: {item.message}")
                else:
                    result.records.append(item)
        return result
