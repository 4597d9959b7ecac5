"""Hostile validation cost (issue 22, item 2): a document's cost is computed once, linearly.

- The issue's 1.2 KB anonymous document (``fragment F{i} on Query { ...F{i+1} ...F{i+1} }``,
  n = 30), its n = 18 variant, and a document repeating one field 800 times (graphql-core
  compares same-named fields pairwise) are refused with ``QUERY_TOO_COMPLEX`` by a real
  ``ipgov serve`` while ``/healthz`` keeps answering.
- The depth and alias counts equal those of Strawberry's limiters (which they replace) on
  random fragment documents small enough for Strawberry's exponential walk.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from hypothesis import HealthCheck, given, settings
from strawberry.extensions.max_aliases import count_fields_with_alias
from strawberry.extensions.query_depth_limiter import determine_depth

from ipgov.graphql.cost import document_cost
from tests.security.conftest import codes
from tests.security.fragments import doubling, fragment_documents
from tests.security.servers import ApiProcess

REPEATED = "{ " + " ".join(["me { id }"] * 800) + " }"


async def _refused_while_healthy(http: httpx.AsyncClient, api: ApiProcess, query: str):
    """Send ``query`` anonymously while polling ``/healthz``; (response, seconds, probes)."""
    started = time.monotonic()
    request = asyncio.create_task(http.post(f"{api.url}/graphql", json={"query": query}))
    probes = []
    while not request.done():
        probe = time.monotonic()
        assert (await http.get(f"{api.url}/healthz", timeout=5)).status_code == 200
        probes.append(time.monotonic() - probe)
        await asyncio.sleep(0.05)
    return await request, time.monotonic() - started, probes


async def test_exponential_and_quadratic_documents_are_refused_at_once(platform, backend):
    if backend != "sqlite":
        import pytest

        pytest.skip("validation does not touch the database")
    await platform.db.dispose()
    with ApiProcess(platform) as api:
        async with httpx.AsyncClient(timeout=30) as http:
            for name, query in (("n=30", doubling(30)), ("n=18", doubling(18)),
                                ("800 x me", REPEATED)):
                response, took, probes = await _refused_while_healthy(http, api, query)
                assert response.status_code == 200, (name, response.text)
                body = response.json()
                assert body["data"] is None and set(codes(body)) == {"QUERY_TOO_COMPLEX"}, body
                assert took < 5, (name, took)  # refused at once, not after minutes
                assert all(p < 1 for p in probes), (name, probes)
                print(f"\n{name} ({len(query)} bytes): refused in {took * 1000:.0f} ms")
    assert len(doubling(30)) < 1300  # the 1.2 KB document


def _strawberry_counts(query: str) -> tuple[dict[str, int], int]:
    document = parse(query)
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    depths = {(op.name.value if op.name else "anonymous"): determine_depth(
        op, fragments, 0, 10**6, None, "anonymous", None) for op in operations}
    return depths, sum(count_fields_with_alias(op, fragments) for op in operations)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(query=fragment_documents(max_fragments=6))
def test_depth_and_aliases_count_as_strawberrys_limiters(query):
    costs, _overlaps = document_cost(parse(query))
    depths, aliases = _strawberry_counts(query)
    assert {name: cost.depth for name, cost in costs.items()} == depths, query
    assert sum(c.aliases for c in costs.values()) == aliases, query
