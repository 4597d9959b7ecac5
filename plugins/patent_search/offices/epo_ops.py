"""EPO Open Patent Services (OPS 3.2): bibliographic data and the INPADOC family with legal
events of a publication, for a tenant's own OPS account.

Authentication is OAuth 2 client credentials: the consumer key and secret (HTTP Basic) buy an
access token at ``/auth/accesstoken`` (valid about 20 minutes, ``expires_in``); the token is
kept per tenant and credential in the process and reused until a minute before it expires, or
until OPS calls it invalid. Two requests per number: ``published-data/.../biblio`` (throttle
``retrieval``) and ``family/.../legal`` (throttle ``inpadoc``). Fair use (``throttle``): the
pace follows the traffic light; a 403 with ``X-Rejection-Reason`` (hourly or weekly quota) or
the ``CLIENT.RobotDetected`` fault stops the run until the quota frees.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from lxml import etree

from ipgov.api import utcnow

from ..ingest.base import FieldProblem
from ..ingest.model import PatentRecord
from ..ingest.ops import read_ops_answer
from ..ingest.xmldoc import XmlProblem, parse_document
from .errors import OfficeProblem
from .http import Answer, Bounds, fetch, retry_after_seconds, with_retries
from .throttle import QuotaState, Throttle

__all__ = ["EpoOpsClient", "NumberResult", "TokenCache", "fault_of", "next_week"]

OFFICE = "EPO OPS"
TOKEN_MARGIN = 60.0  # seconds before expiry a token is no longer used


@dataclass
class NumberResult:
    """What the office gave for one register number: records (each a part of a publication)
    and the per-part problems (a part not found is no failure of the others)."""

    records: list[PatentRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: int = 0


class TokenCache:
    """Access tokens by (tenant, credential fingerprint), for the life of the process."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}
        self.issued = 0

    def get(self, key: tuple[str, str]) -> str | None:
        held = self._tokens.get(key)
        if held is None or held[1] - TOKEN_MARGIN <= time.monotonic():
            return None
        return held[0]

    def put(self, key: tuple[str, str], token: str, expires_in: float) -> None:
        self._tokens[key] = (token, time.monotonic() + expires_in)
        self.issued += 1

    def drop(self, key: tuple[str, str]) -> None:
        self._tokens.pop(key, None)


def next_week(now: datetime) -> datetime:
    """Monday 00:00 UTC after ``now``: when OPS releases the weekly quota."""
    start = (now.astimezone(UTC) + timedelta(days=7 - now.astimezone(UTC).weekday()))
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


def fault_of(body: bytes) -> tuple[str, str]:
    """``(code, message)`` of an OPS fault or error body (``<fault xmlns="http://ops.epo.org">``
    or ``<error>``); empty strings when the body is neither."""
    if not body.lstrip().startswith(b"<"):
        return "", ""
    try:
        root = parse_document(body)
    except (XmlProblem, etree.XMLSyntaxError, ValueError):
        return "", ""
    found: dict[str, str] = {}
    for element in root.iter():
        name = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if name in ("code", "message") and name not in found:
            found[name] = (element.text or "").strip()[:300]
    return found.get("code", ""), found.get("message", "")


def _forbidden(answer: Answer) -> OfficeProblem:
    """What a 403 means: a quota (hour, week), robot detection, or no access at all."""
    reason = (answer.headers.get("x-rejection-reason") or "").strip()
    code, message = fault_of(answer.body)
    now = utcnow()
    if reason == "IndividualQuotaPerHour" or (not reason and "fair use" in message.lower()):
        return OfficeProblem("OFFICE_QUOTA_HOURLY",
                             "EPO OPS refused the request: the hourly fair-use quota is used "
                             "up; the run resumes within the hour", status=403,
                             resume_after=now + timedelta(hours=1), params={"office": OFFICE})
    if reason.startswith("Registered"):
        resume = next_week(now)
        return OfficeProblem("OFFICE_QUOTA_WEEKLY",
                             "EPO OPS refused the request: the weekly quota of this account is "
                             f"used up; the run resumes on {resume:%Y-%m-%d} 00:00 UTC",
                             status=403, resume_after=resume,
                             params={"office": OFFICE, "date": f"{resume:%Y-%m-%d}"})
    if code == "CLIENT.RobotDetected":
        return OfficeProblem("OFFICE_ROBOT_DETECTED",
                             "EPO OPS took the requests for a robot's (CLIENT.RobotDetected) and "
                             "refuses them for a while; the run resumes in 10 minutes at a "
                             "slower pace", status=403,
                             resume_after=now + timedelta(minutes=10), params={"office": OFFICE})
    return OfficeProblem("OFFICE_FORBIDDEN",
                         f"EPO OPS refused access ({code or 'HTTP 403'}: {message or 'no reason'})"
                         "; check that the account may use this service", status=403,
                         params={"office": OFFICE, "reason": code or "403"})


def ops_path(number: str) -> str:
    """The OPS input of a canonical number: ``docdb/EP.2400812.A1``, or ``epodoc/EP2400812``
    when the kind is not known."""
    country, doc, kind = (number.split("-") + ["", ""])[:3]
    if kind:
        return "docdb/" + quote(f"{country}.{doc}.{kind}", safe=".")
    return "epodoc/" + quote(f"{country}{doc}", safe="")


class EpoOpsClient:
    """One tenant's OPS account for one run (``base_url`` ends in ``/3.2``)."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, key: str, secret: str, *,
                 tenant_id: str, bounds: Bounds, quota: QuotaState, tokens: TokenCache) -> None:
        self.http = http
        self.base = base_url.rstrip("/")
        self._auth = (key, secret)
        self._key = (tenant_id, hashlib.sha256(f"{key}\n{secret}".encode()).hexdigest())
        self.bounds = bounds
        self.quota = quota
        self.throttle = Throttle(quota, bounds.max_wait)
        self.tokens = tokens
        self.black_retry: dict[str, float] = {}

    async def _token(self) -> str:
        held = self.tokens.get(self._key)
        if held is not None:
            return held
        answer = await with_retries(lambda: fetch(
            self.http, "POST", f"{self.base}/auth/accesstoken", bounds=self.bounds,
            office=OFFICE, auth=self._auth, data={"grant_type": "client_credentials"},
            headers={"Accept": "application/json"}), bounds=self.bounds, office=OFFICE)
        if answer.status in (400, 401, 403):
            raise OfficeProblem("OFFICE_AUTH_FAILED",
                                "EPO OPS refused the consumer key and secret "
                                f"(HTTP {answer.status}); set them again", status=answer.status,
                                params={"office": OFFICE})
        if answer.status != 200:
            raise self._server(answer)
        try:
            data: dict[str, Any] = json.loads(answer.body)
            token, expires = str(data["access_token"]), float(data.get("expires_in") or 1199)
        except (ValueError, KeyError, TypeError):
            raise OfficeProblem("OFFICE_BAD_ANSWER", "EPO OPS answered the token request "
                                "with no access token", params={"office": OFFICE}) from None
        self.tokens.put(self._key, token, expires)
        return token

    def _server(self, answer: Answer) -> OfficeProblem:
        return OfficeProblem("OFFICE_SERVER_ERROR",
                             f"EPO OPS failed (HTTP {answer.status}); the run resumes later",
                             status=answer.status, params={"office": OFFICE,
                                                           "status": answer.status})

    async def _black(self, service: str) -> None:
        """A black light: wait out a short suspension, stop the run for a long one."""
        if self.throttle.colour(service) != "black":
            return
        wait = self.black_retry.get(service, 60.0)
        if wait > self.bounds.max_wait:
            raise OfficeProblem(
                "OFFICE_THROTTLED",
                f"EPO OPS suspended its {service} service for this account (black light) "
                f"for {wait:g} s; the run stops here and resumes after that",
                resume_after=utcnow() + timedelta(seconds=wait),
                params={"office": OFFICE, "seconds": round(wait)})
        self.quota.pauses += 1
        self.quota.paused_seconds += wait
        await asyncio.sleep(wait)
        state = self.quota.services.get(service, ("green", 0))
        self.quota.services[service] = ("yellow", state[1] or 1)  # go on, at a careful pace

    async def get(self, path: str, service: str) -> Answer:
        """GET ``rest-services/<path>`` at the pace of ``service``; a non-200 answer raises."""
        await self._black(service)
        await self.throttle.before(service)
        answer = None
        for retry in (False, True):
            send = functools.partial(
                fetch, self.http, "GET", f"{self.base}/rest-services/{path}",
                bounds=self.bounds, office=OFFICE,
                headers={"Authorization": f"Bearer {await self._token()}",
                         "Accept": "application/xml"})
            answer = await with_retries(send, bounds=self.bounds, office=OFFICE)
            self.quota.read(answer.headers)
            black = retry_after_seconds(answer.headers, millis=True)
            if black is not None and self.throttle.colour(service) == "black":
                self.black_retry[service] = black
            if answer.status in (400, 401) and b"invalid_access_token" in answer.body \
                    and not retry:
                self.tokens.drop(self._key)  # expired early: one new token, once
                continue
            break
        assert answer is not None
        if answer.status == 200:
            return answer
        if answer.status == 403:
            raise _forbidden(answer)
        if answer.status == 404:
            raise OfficeProblem("OFFICE_NOT_FOUND", f"EPO OPS has no {path.split('/')[0]} data "
                                f"for {path}", stop=False, status=404,
                                params={"office": OFFICE})
        if answer.status in (400, 401):
            code, message = fault_of(answer.body)
            raise OfficeProblem("OFFICE_BAD_REQUEST", f"EPO OPS refused {path} ({code or 400}:"
                                f" {message or 'bad request'})", stop=False,
                                status=answer.status, params={"office": OFFICE})
        raise self._server(answer)

    async def fetch_number(self, number: str) -> NumberResult:
        """Bibliographic data and the family with legal events of one canonical number."""
        result = NumberResult()
        where = ops_path(number)
        for part, path, service in (
                ("biblio", f"published-data/publication/{where}/biblio", "retrieval"),
                ("legal", f"family/publication/{where}/legal", "inpadoc")):
            try:
                answer = await self.get(path, service)
            except OfficeProblem as problem:
                if problem.stop:
                    raise
                result.problems.append(f"{part}: {problem.message}")
                continue
            finally:
                result.requests += 1
            self._read(answer.body, part, result)
        return result

    @staticmethod
    def _read(body: bytes, part: str, result: NumberResult) -> None:
        try:
            root = parse_document(body)
        except (XmlProblem, etree.XMLSyntaxError, ValueError) as exc:
            result.problems.append(f"{part}: not XML ({str(exc)[:200]})")
            return
        for locator, item in read_ops_answer(root):
            if isinstance(item, FieldProblem):
                result.problems.append(f"{part}: {locator}: {item.field}: {item.message}")
            else:
                result.records.append(item)
