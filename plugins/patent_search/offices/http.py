"""Bounded HTTP for the office clients: a time limit per request, a cap on an answer's size
(read as a stream, refused once past it), no redirects followed (an answer never leads the
worker elsewhere), and 429/503 answers retried after their ``Retry-After`` when that is
short, or turned into a stop that names when to come back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ipgov.api import utcnow

from .errors import OfficeProblem

__all__ = ["Answer", "Bounds", "fetch", "retry_after_seconds", "with_retries"]


@dataclass(frozen=True)
class Bounds:
    """Per-request limits: seconds, bytes of one answer, the longest wait done in place
    (longer ones stop the run until then), and how many times a 429/503 is retried."""

    timeout: float = 30.0
    max_bytes: int = 8 * 1024 * 1024
    max_wait: float = 60.0
    retries: int = 3


@dataclass
class Answer:
    """An answer read whole (within ``Bounds.max_bytes``)."""

    status: int
    headers: httpx.Headers
    body: bytes


async def fetch(client: httpx.AsyncClient, method: str, url: str, *, bounds: Bounds,
                office: str, **options: Any) -> Answer:
    """One request, its answer read up to the size cap; ``OfficeProblem`` when the office
    cannot be reached in time or answers more than the cap."""
    too_large = OfficeProblem(
        "OFFICE_ANSWER_TOO_LARGE",
        f"{office} answered more than {bounds.max_bytes} bytes for one request; the answer "
        "was not read", stop=False, params={"office": office, "bytes": bounds.max_bytes})
    try:
        async with client.stream(method, url, timeout=bounds.timeout, **options) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > bounds.max_bytes:
                raise too_large
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > bounds.max_bytes:
                    raise too_large
                chunks.append(chunk)
            return Answer(response.status_code, response.headers, b"".join(chunks))
    except httpx.TimeoutException:
        raise OfficeProblem("OFFICE_UNREACHABLE",
                            f"{office} did not answer within {bounds.timeout:g} s",
                            params={"office": office}) from None
    except httpx.HTTPError as exc:
        raise OfficeProblem("OFFICE_UNREACHABLE",
                            f"{office} could not be reached ({type(exc).__name__})",
                            params={"office": office}) from None


def retry_after_seconds(headers: httpx.Headers, *, millis: bool = False) -> float | None:
    """``Retry-After`` in seconds: a number (of seconds; of milliseconds when ``millis``, as
    OPS gives it on a black light) or an HTTP date; None when absent or unreadable."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.replace(".", "", 1).isdigit():
        return float(value) / (1000.0 if millis else 1.0)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds())


def _later(seconds: float) -> datetime:
    return utcnow() + timedelta(seconds=seconds)


async def with_retries(send: Callable[[], Awaitable[Answer]], *, bounds: Bounds,
                       office: str) -> Answer:
    """``send()`` again after each 429/503 while its ``Retry-After`` is within
    ``bounds.max_wait`` (at most ``bounds.retries`` times); beyond that an ``OfficeProblem``
    ``OFFICE_THROTTLED`` stops the run until the time the office gave."""
    for attempt in range(bounds.retries + 1):
        answer = await send()
        if answer.status not in (429, 503):
            return answer
        wait = retry_after_seconds(answer.headers)
        waited = wait if wait is not None else min(2.0 ** attempt, bounds.max_wait)
        if waited > bounds.max_wait or attempt == bounds.retries:
            raise OfficeProblem(
                "OFFICE_THROTTLED",
                f"{office} answered {answer.status} (too many requests or busy) and asks to "
                f"wait {waited:g} s; the run stops here and resumes after that",
                resume_after=_later(waited), status=answer.status,
                params={"office": office, "seconds": round(waited)})
        await asyncio.sleep(waited)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
