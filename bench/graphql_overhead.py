"""Benchmark of GraphQL resolution cost against plain graphql-core on the same data, and end to end.

In process, for P parents (default 10, 100, 1,000) with 5 children each: the parents are real
subsidiaries (``Tenant`` type of the core) and the children ``IpRiskType`` rows of the
ip_governance plugin, built once in memory. The same query selecting 8 parent and 9 child fields
runs through four schemas, each over ``--reps`` executions after a warm-up:

* graphql-core: a hand-written ``GraphQLSchema`` with default resolvers over dicts (the baseline);
* strawberry: a Strawberry schema on the platform's types, children as a plain list field;
* strawberry+authz: the same with the children behind ``requires("ip_governance:risk", "read",
  tenant=None)`` - the real ``Authorize`` field extension deciding per parent object with the real
  ``AuthzService`` (tenant directory, engine, plugin enablement, status) - and the root behind
  ``requires_any``, so P + 1 decisions per query;
* strawberry+authz+ext: the same plus the platform's schema extensions (operation tracing, error
  shaping, depth/alias/token limiters), i.e. what ``build_schema`` installs.

All run with the async ``schema.execute``/``graphql`` (as the server does; the platform's schema
extensions include async hooks) and the caller is the group administrator, so every check
passes; the results are compared for equality.
End to end: ``tenants(first: 1000) { nodes { ... parent { ... } } }`` posted over HTTP (httpx on
the real Litestar ASGI app, SQLite) with a bearer token; per-object authorization on ``parent``,
one DataLoader query; the same page without ``parent`` is timed in turns with it. Its baseline
is the plain SQL ``SELECT`` of the same 1,000 rows.
``--profile`` prints where the strawberry+authz time goes (cProfile, top functions).
Run: ``python bench/graphql_overhead.py [--parents 10,100,1000] [--reps 20] [--profile]``.
"""

# No "from __future__ import annotations": the schemas are built from local classes, whose
# annotations Strawberry must be able to evaluate.
import argparse
import asyncio
import cProfile
import dataclasses
import pstats
import time
from datetime import UTC, datetime
from typing import Any

from _common import Result, bench_platform, emit, percentile, progress
from _tenants import clone_subsidiaries

CHILDREN = 5
UPDATED_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
RISK = "ip_governance:risk"
QUERY = """query Bench($first: Int!) { tenants(first: $first) {
  id slug name kind status depth governanceMode createdAt
  risks { id title category likelihood impact score owner status updatedAt } } }"""
E2E_QUERY = """query Page($first: Int!) { tenants(first: $first) {
  nodes { id slug name kind status depth governanceMode createdAt parent { id slug } } } }"""
E2E_FLAT = E2E_QUERY.replace(" parent { id slug }", "")


# ------------------------------------------------------------------------------ schemas
def strawberry_schemas(platform: Any) -> dict[str, Any]:
    """The three Strawberry schemas over the platform's own types (see the module docstring)."""
    import strawberry
    from strawberry.types import Info

    from ip_governance.risk_assets.gql_types import IpRiskType
    from ipgov.graphql.permissions import requires, requires_any
    from ipgov.graphql.schema import build_schema
    from ipgov.graphql.types import TenantType

    def make(authz: bool, extensions: list[Any]) -> Any:
        child_ext = requires(RISK, "read", tenant=None) if authz else []
        root_ext = requires_any("ipgov:tenant", "read") if authz else []

        @strawberry.type(name="BenchTenant")
        class BenchTenant(TenantType):
            risk_rows: strawberry.Private[list[IpRiskType]]

            @strawberry.field(extensions=child_ext)
            def risks(self) -> list[IpRiskType]:
                return self.risk_rows

        @strawberry.type(name="Query")
        class Query:
            @strawberry.field(extensions=root_ext)
            def tenants(self, info: Info, first: int) -> list[BenchTenant]:
                return info.context.loaders["bench"][:first]

        return strawberry.Schema(query=Query, extensions=extensions), BenchTenant

    real = build_schema(platform.settings, platform.registry)
    fast = make(True, list(real.extensions))
    direct_plain_fields(fast[0])
    return {"strawberry": make(False, []), "strawberry+authz": make(True, []),
            "strawberry+authz+ext": make(True, list(real.extensions)),
            "platform: +direct fields": fast}


def direct_plain_fields(schema: Any) -> int:
    """The platform's plain-field fast path (``ipgov.graphql.schema``), applied to ``schema``:
    a field without resolver, extension or permission reads the attribute directly. Returns
    how many fields were changed."""
    from ipgov.graphql.schema import _read_plain_fields_directly

    return _read_plain_fields_directly(schema)


def graphql_core_schema() -> Any:
    """The hand-written graphql-core equivalent, default (dict) resolvers."""
    from graphql import (
        GraphQLArgument,
        GraphQLEnumType,
        GraphQLField,
        GraphQLID,
        GraphQLInt,
        GraphQLList,
        GraphQLNonNull,
        GraphQLObjectType,
        GraphQLScalarType,
        GraphQLSchema,
        GraphQLString,
    )

    def nn(t: Any) -> Any:
        return GraphQLNonNull(t)

    dt = GraphQLScalarType("DateTime", serialize=lambda v: v.isoformat())
    mode = GraphQLEnumType("GovernanceModeEnum", {"CENTRALIZED": "centralized",
                                                  "DECENTRALIZED": "decentralized",
                                                  "HYBRID": "hybrid"})
    s, i = nn(GraphQLString), nn(GraphQLInt)
    risk = GraphQLObjectType("IpRiskType", {
        "id": GraphQLField(nn(GraphQLID)), "title": GraphQLField(s),
        "category": GraphQLField(s), "likelihood": GraphQLField(i), "impact": GraphQLField(i),
        "score": GraphQLField(i), "owner": GraphQLField(s), "status": GraphQLField(s),
        "updatedAt": GraphQLField(nn(dt))})
    tenant = GraphQLObjectType("BenchTenant", {
        "id": GraphQLField(nn(GraphQLID)), "slug": GraphQLField(s), "name": GraphQLField(s),
        "kind": GraphQLField(s), "status": GraphQLField(s), "depth": GraphQLField(i),
        "governanceMode": GraphQLField(nn(mode)), "createdAt": GraphQLField(nn(dt)),
        "risks": GraphQLField(nn(GraphQLList(nn(risk))))})
    query = GraphQLObjectType("Query", {"tenants": GraphQLField(
        nn(GraphQLList(nn(tenant))), args={"first": GraphQLArgument(i)},
        resolve=lambda root, _info, first: root["tenants"][:first])})
    return GraphQLSchema(query)


# ------------------------------------------------------------------------------ data
def build_data(tenants: list[Any], bench_type: type) -> tuple[list[Any], list[dict[str, Any]]]:
    """The parents with their children, as Strawberry objects and as plain dicts."""
    from ip_governance.risk_assets.gql_types import IpRiskType
    from ipgov.graphql.types import tenant_node

    now = UPDATED_AT
    objects, dicts = [], []
    for n, row in enumerate(tenants):
        node = tenant_node(row)
        risks = [IpRiskType(
            id=f"{row.id}-r{k}", tenant_id=row.id, title=f"Risk {n}.{k}", description="",
            category="infringement", likelihood=1 + k % 5, impact=1 + n % 5,
            score=(1 + k % 5) * (1 + n % 5), owner="ip office", treatment=None,
            treatment_plan="", status="open", accepted_by=None, accepted_at=None,
            acceptance_expires_on=None, asset_id=None, updated_at=now) for k in range(CHILDREN)]
        fields = {f.name: getattr(node, f.name) for f in dataclasses.fields(node) if f.init}
        objects.append(bench_type(**fields, risk_rows=risks))
        dicts.append({"id": node.id, "slug": node.slug, "name": node.name, "kind": node.kind,
                      "status": node.status, "depth": node.depth,
                      "governanceMode": node.governance_mode.value,
                      "createdAt": node.created_at,
                      "risks": [{"id": r.id, "title": r.title, "category": r.category,
                                 "likelihood": r.likelihood, "impact": r.impact,
                                 "score": r.score, "owner": r.owner, "status": r.status,
                                 "updatedAt": r.updated_at} for r in risks]})
    return objects, dicts


# ------------------------------------------------------------------------------ measuring
async def interleaved(runners: dict[str, Any], reps: int) -> dict[str, list[float]]:
    """Milliseconds per call of each runner, taking turns so that load drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(reps):
        for name, run in runners.items():
            t0 = time.perf_counter()
            await run()
            times[name].append((time.perf_counter() - t0) * 1000)
    return times


async def in_process(platform: Any, principal: Any, tenants: list[Any], sizes: list[int], reps: int,
               profile: bool) -> list[Result]:
    """Time the four schemas at each size; check they return the same data."""
    from graphql import graphql

    from ipgov.graphql.context import IpgovContext

    schemas = strawberry_schemas(platform)
    core = graphql_core_schema()
    _objs, dicts = build_data(tenants, schemas["strawberry"][1])
    rows: list[Result] = []
    for size in sizes:
        variables = {"first": size}
        runners = {"graphql-core": lambda v=variables: graphql(
            core, QUERY, root_value={"tenants": dicts}, variable_values=v)}
        for name, (schema, bench_type) in schemas.items():
            objs, _ = build_data(tenants, bench_type)
            ctx = IpgovContext(platform=platform, principal=principal, loaders={"bench": objs})
            runners[name] = (lambda s=schema, c=ctx, v=variables:
                             s.execute(QUERY, variable_values=v, context_value=c))
        results = {name: await run() for name, run in runners.items()}
        expected = results["graphql-core"]
        for name, result in results.items():
            assert not result.errors, (name, result.errors)
            if result.data != expected.data:
                a, b = result.data["tenants"][0], expected.data["tenants"][0]
                raise AssertionError(f"{name} returned different data: {a} != {b}")
        times = await interleaved(runners, reps)
        base50 = percentile(times["graphql-core"], 0.5)
        label = f"{size:,} parents x {CHILDREN}"
        for name, t in times.items():
            p50 = percentile(t, 0.5)
            print(f"{label:22s} {name:22s} p50 {p50:8.2f} ms  p95 {percentile(t, .95):8.2f} ms"
                  f"  ratio {p50 / base50:5.2f}x")
            if name == "graphql-core":
                continue
            goal = name != "strawberry" and size >= 1000
            rows.append(Result("graphql in-process", label, f"{name} p50", p50, "ms", base50,
                               "graphql-core", "<= 1.0x graphql-core" if goal else "",
                               p50 <= base50 if goal else None))
        if profile and size == max(sizes):
            await _profile(runners["strawberry+authz"])
    return rows


async def _profile(run: Any, what: str = "strawberry+authz", order: str = "tottime") -> None:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(5):
        await run()
    prof.disable()
    print(f"cProfile of {what}, 5 executions, top 40 by {order} time:")
    pstats.Stats(prof).sort_stats(order).print_stats(40)


async def end_to_end(platform: Any, token: str, group_id: str, reps: int,
                     profile: bool = False) -> list[Result]:
    """p50 of a 1,000-row ``tenants`` page over HTTP, beside the plain SQL of the same rows."""
    import logging

    import httpx
    from sqlalchemy import select

    from ipgov.tenancy.models import Tenant
    from ipgov.web.app import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = create_app(platform)
    headers = {"authorization": f"Bearer {token}"}
    payload = {"query": E2E_QUERY, "variables": {"first": 1000}}
    flat = {"query": E2E_FLAT, "variables": {"first": 1000}}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.bench") as client:
        async def page(body: dict = payload) -> None:
            response = await client.post("/graphql", json=body, headers=headers)
            body = response.json()
            assert response.status_code == 200 and "errors" not in body, body
            assert len(body["data"]["tenants"]["nodes"]) == 1000

        async def plain_sql() -> None:
            stmt = select(Tenant.__table__).where(Tenant.root_id == group_id).order_by(
                Tenant.slug).limit(1000)
            async with platform.db.engine.connect() as conn:
                assert len((await conn.execute(stmt)).all()) == 1000

        times = await interleaved({"page": page, "flat": lambda: page(flat),
                                   "sql": plain_sql}, reps)
        http, no_parent, base = times["page"], times["flat"], times["sql"]
        if profile:
            await _profile(page, "the HTTP page", "tottime")
    p50, b50 = percentile(http, 0.5), percentile(base, 0.5)
    flat50 = percentile(no_parent, 0.5)
    print(f"HTTP tenants(first: 1000) with parent: p50 {p50:.1f} ms p95 "
          f"{percentile(http, .95):.1f} ms; without parent p50 {flat50:.1f} ms; plain SELECT "
          f"p50 {b50:.2f} ms")
    return [Result("graphql HTTP (sqlite)", "1,000-row page", "p50", p50, "ms", b50,
                   "plain SELECT", "p50 <= 150 ms", p50 <= 150),
            Result("graphql HTTP (sqlite)", "1,000-row page", "p50 without parent { }", flat50,
                   "ms", b50, "plain SELECT")]


async def service_load(platform: Any) -> list[Result]:
    """``AuthzService.load`` (rules read as column rows since this bench proposed it) beside a
    bare select of the same rows."""
    from sqlalchemy import select

    from ipgov.authz.models import AuthzRule

    t0 = time.perf_counter()
    await platform.authz.load()
    orm_s = time.perf_counter() - t0
    cols = (AuthzRule.ptype, AuthzRule.v0, AuthzRule.v1, AuthzRule.v2, AuthzRule.v3,
            AuthzRule.tenant_id)
    t0 = time.perf_counter()
    async with platform.db.system_session("bench: rules as tuples") as s:
        rows = (await s.execute(select(*cols).where(AuthzRule.active.is_(True)))).all()
    core_s = time.perf_counter() - t0
    count = platform.authz.engine.rule_count
    print(f"AuthzService.load of {count:,} rules: {orm_s:.2f} s; the same {len(rows):,} rows "
          f"as Core tuples: {core_s:.2f} s")
    return [Result("authz service load", f"{count:,} rules (1,001 tenants)",
                   "AuthzService.load", orm_s, "s", core_s, "Core select, same rows")]


async def run(args: argparse.Namespace) -> None:
    """Build 1,000 subsidiaries and a group admin, then measure in process and over HTTP
    (each part's summary is emitted as soon as it is measured)."""
    from sqlalchemy import select

    from ipgov.identity.service import add_membership, authenticate, create_user
    from ipgov.tenancy import services
    from ipgov.tenancy.models import Tenant

    sizes = [int(s) for s in args.parents.split(",") if s]
    async with bench_platform(max_page_size=1000) as platform:
        async with platform.db.system_session("bench: group") as s:
            group = await services.create_group(platform, s, slug="bench", name="Bench",
                                                governance_mode="hybrid", actor="bench")
            user = await create_user(s, email="admin@bench.example", display_name="admin")
            await add_membership(platform, s, tenant_id=group.id, user_id=user.id,
                                 role="group_admin", actor="bench")
        t0 = time.perf_counter()
        await clone_subsidiaries(platform, group.id, max(max(sizes), 1000))
        progress(f"graphql: 1,000 subsidiaries cloned in {time.perf_counter() - t0:.1f} s")
        emit(await service_load(platform))
        async with platform.db.system_session("bench: read tenants") as s:
            tenants = list((await s.execute(select(Tenant).where(
                Tenant.parent_id == group.id).order_by(Tenant.slug))).scalars())
        token = platform.tokens.issuer.issue(user.id).token
        principal = await authenticate(platform, f"Bearer {token}")
        emit(await in_process(platform, principal, tenants, sizes, args.reps, args.profile))
        emit(await end_to_end(platform, token, group.id, args.reps, args.profile))


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run, print the summary."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parents", default="10,100,1000", help="parent counts, comma list")
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="cProfile strawberry+authz")
    args = parser.parse_args(argv)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
