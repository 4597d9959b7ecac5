"""List queries run a fixed number of SQL statements whatever the page size (no N+1); a
review and an onboarding run a bounded number whatever the size of the group (issue 28).

Each list case posts the same list query over HTTP (the real Litestar app, ASGI) at a small and a
larger page size and counts the statements the platform's engine executes
(``before_cursor_execute``); the counts must be equal, and the larger page must really hold more
items. The policy watcher is not started, so no background statement is counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from ip_governance.risk_assets.models import IpAsset, IpRisk
from ipgov.identity.service import add_membership, create_user
from ipgov.reviews.inline import run_inline
from ipgov.tenancy import services
from tests.conftest import Group, make_group

SMALL, LARGE = 2, 10

CASES: dict[str, tuple[str, str, str]] = {
    # name: (query, tenant slug for $t, user)
    "tenants": ("""query($t: ID, $first: Int!) { tenants(rootId: $t, first: $first) {
        nodes { id slug status parent { id slug } } pageInfo { hasNextPage } } }""",
                "acme", "admin"),
    "ipRisks": ("""query($t: ID!, $first: Int!) { ipRisks(tenantId: $t, first: $first) {
        nodes { id title score status } pageInfo { hasNextPage endCursor } } }""",
                "acme-a", "a-admin"),
    "ipAssets": ("""query($t: ID!, $first: Int!) { ipAssets(tenantId: $t, first: $first) {
        nodes { id title kind inventors } pageInfo { hasNextPage endCursor } } }""",
                 "acme-a", "a-admin"),
    "findings": ("""query($t: ID!, $first: Int!) { findings(tenantId: $t, first: $first) {
        nodes { id severity title } pageInfo { hasNextPage endCursor } } }""",
                 "acme-a", "a-admin"),
    "supervisionOverview": ("""query($t: ID, $first: Int!) {
        supervisionOverview(rootId: $t, first: $first) { edges { node {
          tenant { id slug } latestRunId openFindings { severity count } overdueDirectives
          escalationsAwaiting auditTrail { ok events } } } pageInfo { hasNextPage } } }""",
                            "acme", "group-auditor"),
}


async def _seed(platform: Any) -> Group:
    """``acme`` with 11 subsidiaries, a supervising auditor, one review of ``acme-a`` and
    12 risks and 12 assets in ``acme-a``."""
    acme = await make_group(platform, "acme", "hybrid")
    async with platform.db.system_session("test: more subsidiaries and an auditor") as s:
        for i in range(8):
            t = await services.onboard_subsidiary(platform, s, parent_id=acme.ids["acme"],
                                                  slug=f"acme-x{i}", name=f"x{i}", actor="t")
            acme.ids[t.slug] = t.id
        user = await create_user(s, email="sup@acme.example", display_name="sup")
        await add_membership(platform, s, tenant_id=acme.ids["acme"], user_id=user.id,
                             role="auditor", actor="t")
        acme.users["group-auditor"] = user.id
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        for i in range(LARGE + 2):
            s.add(IpRisk(title=f"risk {i}", category="infringement", likelihood=2, impact=3,
                         score=6))
            s.add(IpAsset(kind="patent", title=f"asset {i}", inventors=["Ada"]))
    await platform.authz.refresh()
    await run_inline(platform, acme.ids["acme-a"])
    for slug in ("acme-b", "acme-x1"):
        await run_inline(platform, acme.ids[slug])
    return acme


@pytest.fixture
async def client(platform: Any) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP client on the real app; the policy watcher is left stopped (no stray queries)."""
    from ipgov.web.app import create_app

    transport = httpx.ASGITransport(app=create_app(platform))
    async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as c:
        yield c


async def _count(platform: Any, client: httpx.AsyncClient, query: str, variables: dict,
                 token: str) -> tuple[int, dict]:
    """Statements executed while answering one request, and the response body."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engines = [e.sync_engine for e in platform.db.engines]  # app and system roles
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        response = await client.post("/graphql", json={"query": query, "variables": variables},
                                     headers={"authorization": f"Bearer {token}"})
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return len(statements), body


def _items(body: dict) -> list[Any]:
    (page,) = body["data"].values()
    return page.get("nodes") or page.get("edges")


@pytest.mark.parametrize("case", sorted(CASES))
async def test_list_query_runs_a_fixed_number_of_statements(platform, client, case):
    query, slug, user = CASES[case]
    acme = await _seed(platform)
    token = acme.token(user)
    # warm-up: first-request work (caches, prepared plans) is not part of the page cost
    await _count(platform, client, query, {"t": acme.ids[slug], "first": SMALL}, token)
    small, small_body = await _count(platform, client, query,
                                     {"t": acme.ids[slug], "first": SMALL}, token)
    large, large_body = await _count(platform, client, query,
                                     {"t": acme.ids[slug], "first": LARGE}, token)
    assert len(_items(small_body)) == SMALL
    assert len(_items(large_body)) > SMALL, f"{case}: the larger page holds no more items"
    assert small == large, f"{case}: {small} statements for {SMALL} items, {large} for {LARGE}"
    assert 0 < large <= 20, f"{case}: {large} statements for one page"


# -- a review and an onboarding do not grow with the group (issue 28) ------------------------

REVIEW_TRANSACTIONS = 8
"""A review of a subsidiary, requested and run in process and read back (``run_inline``):
the request and its send (2), the claim, the tenant's view, the checks' shared reads of the
tenant and of its lineage, results with the closing (5), the read-back (1). Before issue 28
each check opened its own sessions: 57 transactions, 147 statements."""


class Counted:
    """Statements and transactions every engine of the platform runs inside ``with``."""

    def __init__(self, platform: Any) -> None:
        self.engines = [e.sync_engine for e in platform.db.engines]
        self.statements: list[str] = []
        self.transactions = 0

    def _statement(self, _conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        self.statements.append(statement)

    def _begin(self, _conn) -> None:  # type: ignore[no-untyped-def]
        self.transactions += 1

    def __enter__(self) -> Counted:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._statement)
            event.listen(engine, "begin", self._begin)
        return self

    def __exit__(self, *_exc: object) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._statement)
            event.remove(engine, "begin", self._begin)


async def _more_subsidiaries(platform: Any, acme: Group, count: int) -> None:
    async with platform.db.system_session("test: a larger group") as s:
        for i in range(count):
            t = await services.onboard_subsidiary(platform, s, parent_id=acme.ids["acme"],
                                                  slug=f"acme-more{len(acme.ids)}-{i}",
                                                  name=f"more {i}", actor="t")
            acme.ids[t.slug] = t.id
    await platform.authz.refresh()


async def _review_cost(platform: Any, tenant_id: str) -> tuple[int, int, Any]:
    await run_inline(platform, tenant_id)  # warm: this tenant's directives exist already
    with Counted(platform) as counted:
        run = await run_inline(platform, tenant_id)
    return counted.transactions, len(counted.statements), run


async def test_a_review_is_a_handful_of_transactions_whatever_the_group(platform):
    from ipgov.reviews.catalog import checks_for
    from ipgov.reviews.runner import tenant_view

    acme = await make_group(platform, "acme", "hybrid")
    tenant = acme.ids["acme-a"]
    view = await tenant_view(platform, tenant)
    checks = len(checks_for(platform, view.enabled_plugins))
    small = await _review_cost(platform, tenant)
    await _more_subsidiaries(platform, acme, 6)
    large = await _review_cost(platform, tenant)

    assert small[2].status == large[2].status == "succeeded"
    assert small[:2] == large[:2], f"3 subsidiaries: {small[:2]}, 9: {large[:2]}"
    transactions, statements, _run = large
    assert transactions <= REVIEW_TRANSACTIONS, f"{transactions} transactions per review"
    # each check's own queries, and a fixed part (request, claim, directives, closing); the
    # old per-check sessions cost ~3.5 statements a check more than this
    assert statements <= 2 * checks + 30, f"{statements} statements, {checks} checks"


async def test_an_onboarding_runs_a_fixed_number_of_statements(platform, client):
    """``onboardSubsidiary`` over GraphQL costs the same at 3 and 9 subsidiaries."""
    acme = await make_group(platform, "acme", "hybrid")
    token = acme.token("admin")
    mutation = """mutation($p: ID!, $s: String!) { onboardSubsidiary(input: {parentId: $p,
        slug: $s, name: $s}) { tenant { id slug } errors { code message } } }"""

    async def onboard(slug: str) -> tuple[int, int]:
        with Counted(platform) as counted:
            response = await client.post("/graphql", json={
                "query": mutation, "variables": {"p": acme.ids["acme"], "s": slug}},
                headers={"authorization": f"Bearer {token}"})
        body = response.json()
        assert not body.get("errors"), body
        payload = body["data"]["onboardSubsidiary"]
        assert payload["errors"] == [] and payload["tenant"]["slug"] == slug, payload
        return counted.transactions, len(counted.statements)

    await onboard("acme-warm")  # first-request work is not the onboarding's cost
    small = await onboard("acme-small")
    await _more_subsidiaries(platform, acme, 6)
    large = await onboard("acme-large")
    assert small == large, f"3 subsidiaries: {small}, 9: {large} (transactions, statements)"
    assert large[1] <= ONBOARDING_STATEMENTS, f"{large[1]} statements per onboarding"


async def _policy_rows(platform: Any) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from ipgov.authz.models import AuthzRule, AuthzRuleSetRule, PolicyChange

    async with platform.db.system_session("test: count policy rows") as s:
        return tuple([(await s.execute(select(func.count()).select_from(model))).scalar_one()
                      for model in (AuthzRule, PolicyChange, AuthzRuleSetRule)])  # type: ignore


async def test_an_onboarding_writes_a_handful_of_policy_rows(platform):
    """The default grants are referenced, not copied: an onboarding adds one rule row (the
    reference to their set), two change-log rows (its attach, the new tenant in the tree) and
    no set rule, however many
    rules the defaults hold and however many tenants hold them (~485 of each before)."""
    acme = await make_group(platform, "acme", "hybrid")
    before = await _policy_rows(platform)
    await _more_subsidiaries(platform, acme, 1)
    small = await _policy_rows(platform)
    await _more_subsidiaries(platform, acme, 6)
    again = await _policy_rows(platform)
    await _more_subsidiaries(platform, acme, 1)
    large = await _policy_rows(platform)
    per_onboarding = [b - a for a, b in zip(before, small, strict=True)]
    assert per_onboarding == [b - a for a, b in zip(again, large, strict=True)]
    assert per_onboarding == [1, 2, 0], "rules, change-log rows, set rules per onboarding"


ONBOARDING_STATEMENTS = 35
"""What one ``onboardSubsidiary`` costs, with its authentication and the policy refresh
(31 statements in 3 transactions when written, on SQLite and PostgreSQL)."""
