"""Contracts every GraphQL field (core and plugins) must keep: declared permissions, no
cross-tenant reach, and tenant isolation in the database itself (RLS on PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
)

from ipgov.graphql.permissions import Authorize
from ipgov.graphql.schema import build_schema

TENANT_ARGS = {"tenantId", "id", "parentId", "absorbingId"}


def _schema(platform):
    return build_schema(platform.settings, platform.registry)


# --------------------------------------------------------------------- (a) declared permissions


def test_every_resolver_declares_a_permission(platform):
    schema = _schema(platform)
    checked, missing = 0, []
    for name, gtype in schema._schema.type_map.items():
        if name.startswith("__") or not isinstance(gtype, GraphQLObjectType):
            continue
        definition = (gtype.extensions or {}).get("strawberry-definition")
        assert definition is not None, name
        for field in definition.fields:
            if field.base_resolver is None:
                continue
            checked += 1
            if not any(isinstance(e, Authorize) for e in field.extensions):
                missing.append(f"{name}.{field.graphql_name or field.python_name}")
    assert not missing, f"resolvers without an Authorize extension: {missing}"
    # the walk saw the core's root fields and every plugin's contribution
    assert checked >= 20
    roots = {f for t in ("Query", "Mutation", "Subscription")
             for f in schema._schema.type_map[t].fields}
    assert {"tenants", "me", "login", "onboardSubsidiary", "auditEvents",
            "reviewProgress", "myNotificationFeed"} <= roots


# --------------------------------------------------------------------- (b) cross-tenant calls


def _unwrap(t: Any) -> Any:
    return t.of_type if isinstance(t, GraphQLNonNull) else t


def _value(t: Any, foreign: str) -> Any:
    inner = _unwrap(t)
    if isinstance(inner, GraphQLList):
        return [_value(inner.of_type, foreign)]
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    if isinstance(inner, GraphQLInputObjectType):
        return {n: _value(f.type, foreign) for n, f in inner.fields.items()
                if isinstance(f.type, GraphQLNonNull) or n in TENANT_ARGS}
    if isinstance(inner, GraphQLScalarType):
        return {"ID": foreign, "String": "x", "Int": 10, "Float": 1.0, "Boolean": False,
                "Date": "2026-01-01", "DateTime": "2026-01-01T00:00:00+00:00"
                }.get(inner.name, "x")
    raise AssertionError(f"no sample for {inner}")


def _selection(t: Any, depth: int = 0) -> str:
    named = get_named_type(t)
    if not isinstance(named, GraphQLObjectType):
        return ""
    parts = ["__typename"]
    for fname, f in named.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) and a.default_value is None
               for a in f.args.values()):
            continue
        if isinstance(get_named_type(f.type), GraphQLObjectType):
            if depth < 3:
                parts.append(fname + _selection(f.type, depth + 1))
        else:
            parts.append(fname)
    return "{ " + " ".join(parts) + " }"


def _targets_tenant(field: GraphQLField) -> bool:
    for name, arg in field.args.items():
        if name in TENANT_ARGS:
            return True
        inner = get_named_type(arg.type)
        if isinstance(inner, GraphQLInputObjectType) and "parentId" in inner.fields:
            return True
    return False


def _operation(kind: str, name: str, field: GraphQLField, foreign: str) -> tuple[str, dict]:
    args = {n: a for n, a in field.args.items()
            if isinstance(a.type, GraphQLNonNull) or n in TENANT_ARGS}
    decl = ", ".join(f"${n}: {a.type}" for n, a in args.items())
    call = ", ".join(f"{n}: ${n}" for n in args)
    query = (f"{kind} Probe{'(' + decl + ')' if decl else ''} "
             f"{{ {name}{'(' + call + ')' if call else ''} {_selection(field.type)} }}")
    return query, {n: _value(a.type, foreign) for n, a in args.items()}


async def test_no_root_field_reaches_another_group(platform, gql, two_groups):
    acme, globex = two_groups
    token = acme.token("admin")
    schema = _schema(platform)._schema
    foreign_ids = {v for k, v in globex.ids.items()}
    probed = []
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        for name, field in root.fields.items():
            if not _targets_tenant(field):
                continue
            for foreign in (globex.ids["globex"], globex.ids["globex-a"]):
                query, variables = _operation(kind, name, field, foreign)
                response = await gql.post(query, variables, token=token)
                body = response.json()
                codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
                assert codes & {"FORBIDDEN", "TENANT_NOT_FOUND"}, (name, query, body)
                assert not (body.get("data") or {}).get(name), (name, body)
                assert "globex" not in response.text.lower(), (name, body)
                for user in globex.users.values():
                    assert user not in response.text, (name, body)
            probed.append(name)
    assert {"tenant", "members", "policies", "auditEvents", "onboardSubsidiary",
            "addMember", "addPolicy", "setTenantStatus", "absorbTenant"} <= set(probed)
    # nothing was changed in globex by the attempts
    listed = await gql("{ tenants(first: 100) { edges { node { id slug } } } }",
                       token=globex.token("admin"))
    assert sorted(e["node"]["slug"] for e in listed["data"]["tenants"]["edges"]) == [
        "globex", "globex-a", "globex-b", "globex-c"]
    assert foreign_ids >= {e["node"]["id"] for e in listed["data"]["tenants"]["edges"]}


async def test_tenant_list_shows_no_other_group(gql, two_groups):
    acme, globex = two_groups
    query = """query($root: ID) { tenants(first: 100, rootId: $root) {
        edges { node { id slug } } } }"""
    own = await gql(query, token=acme.token("admin"))
    slugs = [e["node"]["slug"] for e in own["data"]["tenants"]["edges"]]
    assert slugs == ["acme", "acme-a", "acme-b", "acme-c"]
    other = await gql.post(query, {"root": globex.ids["globex"]}, token=acme.token("admin"))
    assert other.json()["data"]["tenants"]["edges"] == []
    assert "globex" not in other.text


# --------------------------------------------------------------------- (c) row-level security


async def _rows(platform, tenant_id: str) -> dict[str, set[str]]:
    from sqlalchemy import select

    from ipgov.audit.models import AuditEvent
    from ipgov.authz.models import AuthzRule
    from ipgov.identity.models import Membership

    found = {}
    async with platform.db.tenant_session(tenant_id) as s:
        for model in (Membership, AuthzRule, AuditEvent):
            found[model.__name__] = set((await s.execute(select(model.tenant_id))).scalars())
    return found


async def test_postgres_rls_isolates_tenants(platform, backend, two_groups):
    if backend != "postgres":
        pytest.skip("row-level security exists only on PostgreSQL")
    from sqlalchemy import func, insert, select
    from sqlalchemy.exc import DBAPIError

    from ipgov.db.session import orm_filter_enabled
    from ipgov.identity.models import Membership

    acme, globex = two_groups
    own = acme.ids["acme-a"]
    async with platform.db.system_session("t: totals") as s:
        others = (await s.execute(select(func.count(Membership.id))
                                  .where(Membership.tenant_id != own))).scalar_one()
    assert others > 0  # there is something to hide
    try:
        orm_filter_enabled(False)
        rls_only = await _rows(platform, own)
    finally:
        orm_filter_enabled(True)
    with_filter = await _rows(platform, own)
    assert rls_only["Membership"] == {own}
    for name in ("AuthzRule", "AuditEvent"):
        assert rls_only[name] <= {own}, name
    assert rls_only == with_filter

    try:
        orm_filter_enabled(False)
        with pytest.raises(DBAPIError, match="row-level security"):
            async with platform.db.tenant_session(own) as s:
                await s.execute(insert(Membership).values(
                    id="7e57c0de-0000-4000-8000-00000000beef", tenant_id=globex.ids["globex-a"],
                    user_id=acme.users["a-viewer"], role="viewer"))
    finally:
        orm_filter_enabled(True)
    async with platform.db.system_session("t: check") as s:
        leaked = (await s.execute(select(func.count(Membership.id)).where(
            Membership.tenant_id == globex.ids["globex-a"],
            Membership.user_id == acme.users["a-viewer"]))).scalar_one()
    assert leaked == 0


# --------------------------------------------------------------------- (d) function-level authz


def _mutation_checks(platform) -> list[tuple[str, Authorize]]:
    """(name, declared check) of every mutation of the live schema."""
    mutation = _schema(platform)._schema.type_map["Mutation"]
    definition = mutation.extensions["strawberry-definition"]
    found = []
    for field in definition.fields:
        check = next(e for e in field.extensions if isinstance(e, Authorize))
        found.append((_graphql_name(field), check))
    return found


def _graphql_name(field) -> str:
    from strawberry.schema.name_converter import NameConverter

    return NameConverter(auto_camel_case=True).get_graphql_name(field)


async def test_every_mutation_is_at_least_as_strict_as_reading_its_object(platform,
                                                                          two_groups):
    """No mutation is declared with a read permission, and every role that may perform it
    by default may also read what it changes (OWASP API5: writes never weaker than reads)."""
    from ipgov.authz.access import READ_ACTIONS
    from ipgov.authz.roles import TENANT_ROLES

    acme, _ = two_groups
    authz = platform.authz
    weaker, reads = [], []
    for name, check in _mutation_checks(platform):
        if check.kind in ("public", "authenticated"):
            field = _schema(platform)._schema.mutation_type.fields[name]
            assert not _targets_tenant(field), f"{name}: names a tenant but checks no right"
            continue
        if check.action in READ_ACTIONS:
            reads.append(name)
        if not authz.is_declared(check.obj, "read"):
            continue
        for tenant in (acme.ids["acme"], acme.ids["acme-a"]):
            for role in TENANT_ROLES:
                if (authz.enforce(role, tenant, check.obj, check.action)
                        and not authz.enforce(role, tenant, check.obj, "read")):
                    weaker.append((name, role))
    assert not reads, f"mutations declared with a read permission: {reads}"
    assert not weaker, f"roles that may change what they may not read: {weaker}"


async def test_viewers_and_contributors_cannot_manage_by_default(platform, gql, two_groups):
    """Every mutation of the live schema, called in the caller's own tenant: a viewer is
    refused all of them; a contributor passes only those documented as participation
    (docs/authorization.md), and is refused every management or governance act."""
    from pathlib import Path

    from ipgov.authz.matrix import parse
    from ipgov.authz.roles import TENANT_ROLES

    doc = (Path(__file__).parents[2] / "docs" / "authorization.md").read_text(encoding="utf-8")
    duties = {p: r.duty for p, r in parse(doc, TENANT_ROLES).items()}
    acme, _ = two_groups
    schema = _schema(platform)._schema
    passed: dict[str, list[str]] = {"a-viewer": [], "c-contrib": []}
    for name, check in _mutation_checks(platform):
        if check.kind in ("public", "authenticated"):
            continue
        field = schema.mutation_type.fields[name]
        for user, tenant in (("a-viewer", acme.ids["acme-a"]), ("c-contrib", acme.ids["acme-c"])):
            query, variables = _operation("mutation", name, field, tenant)
            body = (await gql.post(query, variables, token=acme.token(user))).json()
            codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
            if not codes & {"FORBIDDEN", "PLUGIN_DISABLED"}:
                passed[user].append(f"{name} ({check.obj}:{check.action})")
                if user == "c-contrib":
                    duty = duties.get(f"{check.obj}:{check.action}", "partner")
                    assert duty in ("participate", "partner"), (name, duty, body)
    assert passed["a-viewer"] == [], passed["a-viewer"]
    assert passed["c-contrib"], "a contributor takes part somewhere (disclosures, checks)"
