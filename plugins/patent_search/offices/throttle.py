"""EPO OPS fair use: the throttling traffic light and the quota counters of every answer.

Every OPS answer carries ``X-Throttling-Control: <system state> (<service>=<colour>:<requests
per minute>, ...)``, e.g. ``busy (images=green:100, inpadoc=yellow:45, other=green:1000,
retrieval=green:200, search=green:30)``, and the bytes used of the hourly and weekly quotas
(``X-IndividualQuotaPerHour-Used``, ``X-RegisteredQuotaPerWeek-Used``). The OPS reference
guide (v1.3.20, section 2.3.3): green is under half of the service's per-minute allowance used,
yellow half to three quarters, red above, black the allowance exceeded and the service
suspended (a ``Retry-After`` in milliseconds says for how long); clients moderate their pace
over a rolling minute by the most negative answer seen. So: green goes at full pace, yellow
spaces the service's requests to its allowance (60 s / limit), red to half of it, black waits
the suspension out when it is short and otherwise stops the run until it is over.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["COLOURS", "QuotaState", "Throttle", "parse_throttling"]

COLOURS = ("green", "yellow", "red", "black")
_HEADER = re.compile(r"^\s*(?P<state>[a-z]+)\s*\((?P<services>[^)]*)\)\s*$", re.IGNORECASE)
_SERVICE = re.compile(r"^\s*(?P<name>[a-z]+)\s*=\s*(?P<colour>[a-z]+)\s*:\s*(?P<limit>\d+)\s*$",
                      re.IGNORECASE)


def parse_throttling(value: str | None) -> tuple[str, dict[str, tuple[str, int]]]:
    """``(system state, {service: (colour, requests per minute)})`` of an
    ``X-Throttling-Control`` value; ``("", {})`` for none or one of another shape."""
    match = _HEADER.match(value or "")
    if match is None:
        return "", {}
    services: dict[str, tuple[str, int]] = {}
    for part in match.group("services").split(","):
        one = _SERVICE.match(part)
        if one and one.group("colour").lower() in COLOURS:
            services[one.group("name").lower()] = (one.group("colour").lower(),
                                                   int(one.group("limit")))
    return match.group("state").lower(), services


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


@dataclass
class QuotaState:
    """What the office last said of the tenant's use: traffic light and quota counters."""

    system_state: str = ""
    services: dict[str, tuple[str, int]] = field(default_factory=dict)
    hourly_used: int | None = None
    weekly_used: int | None = None
    pauses: int = 0
    paused_seconds: float = 0.0

    def read(self, headers: Any) -> None:
        """Update from an answer's headers (a header absent leaves the value before)."""
        state, services = parse_throttling(headers.get("x-throttling-control"))
        if services:
            self.system_state, self.services = state, {**self.services, **services}
        hourly = _int(headers.get("x-individualquotaperhour-used"))
        weekly = _int(headers.get("x-registeredquotaperweek-used"))
        self.hourly_used = hourly if hourly is not None else self.hourly_used
        self.weekly_used = weekly if weekly is not None else self.weekly_used

    def as_dict(self) -> dict[str, Any]:
        """The JSON kept on the connector row and shown as its quota state."""
        return {"system_state": self.system_state,
                "services": {k: {"colour": c, "limit": n} for k, (c, n) in
                             sorted(self.services.items())},
                "hourly_used": self.hourly_used, "weekly_used": self.weekly_used,
                "pauses": self.pauses, "paused_seconds": round(self.paused_seconds, 3)}


class Throttle:
    """Paces requests per OPS service by the last traffic light seen for it."""

    def __init__(self, quota: QuotaState, max_pause: float) -> None:
        self.quota = quota
        self.max_pause = max_pause
        self._last: dict[str, float] = {}

    def interval(self, service: str) -> float:
        """Seconds to leave between two requests of ``service`` (0 at full pace)."""
        colour, limit = self.quota.services.get(service, ("green", 0))
        if colour in ("green", "black") or limit <= 0:
            return 0.0
        spacing = 60.0 / limit * (2.0 if colour == "red" else 1.0)
        return min(spacing, self.max_pause)

    def colour(self, service: str) -> str:
        """The service's last colour (green when never told)."""
        return self.quota.services.get(service, ("green", 0))[0]

    async def before(self, service: str) -> None:
        """Wait what the service's light asks for since its previous request."""
        wait = self._last.get(service, 0.0) + self.interval(service) - time.monotonic()
        if wait > 0:
            self.quota.pauses += 1
            self.quota.paused_seconds += wait
            await asyncio.sleep(wait)
        self._last[service] = time.monotonic()
