"""Fuzzing validation cost against a real ``ipgov serve``: recursive fragment documents.

Hypothesis generates documents of up to 40 fragments on ``Query``, each selecting plain,
aliased and deeply nested fields and spreading later fragments one to three times (sometimes
earlier ones: cycles), so expanded sizes range from a few fields to far beyond 2^40. Each is
sent anonymously and as a group admin while ``/healthz`` is polled. Checks: every answer comes
back (a 10 s client timeout would catch a hang like the one this target found in Strawberry's
limiters), no 5xx, no ``INTERNAL``, refusals carry ``GRAPHQL_VALIDATION`` or
``QUERY_TOO_COMPLEX``, and ``/healthz`` answers within 2 s throughout. The default run
is bounded by ``DEFAULT_EXAMPLES``; ``-m soak`` runs ``SLOW_EXAMPLES``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.conftest import make_group
from tests.security.fragments import fragment_documents
from tests.security.servers import ApiProcess

DEFAULT_EXAMPLES = 60
SLOW_EXAMPLES = 2000
REFUSALS = {"GRAPHQL_VALIDATION", "QUERY_TOO_COMPLEX", "UNAUTHENTICATED", "FORBIDDEN"}


class HealthWatch:
    """Polls ``/healthz`` from a thread while the fuzzer runs; keeps the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url, self.slowest, self.failures = url, 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    ok = client.get(f"{self.url}/healthz").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.failures += 0 if ok else 1
                self.slowest = max(self.slowest, time.monotonic() - started)
                self._stop.wait(0.1)


def _fuzz(api: ApiProcess, token: str, examples: int) -> Counter:
    seen: Counter[str] = Counter()
    client = httpx.Client(base_url=api.url, timeout=10)

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(query=fragment_documents(max_fragments=40, cycles=True))
    def run(query: str) -> None:
        for headers in ({}, {"authorization": f"Bearer {token}"}):
            response = client.post("/graphql", json={"query": query}, headers=headers)
            assert response.status_code < 500, (response.status_code, query, response.text)
            for error in response.json().get("errors") or []:
                code = (error.get("extensions") or {}).get("code", "NONE")
                seen[code] += 1
                assert code in REFUSALS, (code, query, error)

    try:
        run()
    finally:
        client.close()
    return seen


async def _run(platform, examples: int) -> None:
    acme = await make_group(platform, "acme")
    token = acme.token("admin")
    await platform.db.dispose()
    started = time.monotonic()
    with ApiProcess(platform) as api, HealthWatch(api.url) as health:
        seen = await asyncio.to_thread(_fuzz, api, token, examples)
    assert health.failures == 0 and health.slowest < 2.0, (health.failures, health.slowest)
    assert seen["QUERY_TOO_COMPLEX"] > 0 and seen["GRAPHQL_VALIDATION"] > 0, seen
    print(f"\nfragment fuzzing: {examples} documents x 2 callers in "
          f"{time.monotonic() - started:.0f} s; codes {dict(seen)}; slowest /healthz "
          f"{health.slowest * 1000:.0f} ms")


async def test_fuzzed_fragment_documents_never_hang_or_fail(platform, backend):
    if backend != "sqlite":
        pytest.skip("validation does not touch the database: one backend is enough")
    await _run(platform, DEFAULT_EXAMPLES)


@pytest.mark.soak
async def test_fragment_fuzzing_long_run(platform, backend):
    if backend != "sqlite":
        pytest.skip("validation does not touch the database: one backend is enough")
    await _run(platform, SLOW_EXAMPLES)
