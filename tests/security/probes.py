"""Cross-tenant probes built from the live GraphQL schema, and a world to aim them at.

Every root field with an ``ID`` argument (core and every installed plugin, found by walking
the schema the app serves) becomes a probe: tenant arguments get a tenant the caller may not
touch, object arguments an id of a row of that tenant (the table guessed from the argument's
name), or the caller's own tenant with another tenant's object (BOLA). ``World`` holds the
groups, users and every row id per tenant, read from the database.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)
from sqlalchemy import select, text

TENANT_ARGS = frozenset({"tenantId", "rootId", "parentId", "absorbingId", "absorbedId",
                         "acquiredId", "fromTenantId", "tenantIds"})
REFUSALS = frozenset({"FORBIDDEN", "NOT_FOUND", "TENANT_NOT_FOUND", "UNAUTHENTICATED"})
VERBS = re.compile(r"^(get|create|update|delete|remove|set|close|accept|cancel|decide|record|"
                   r"submit|acknowledge|transition|request|link|unlink|add|start|judge|report)")


@dataclass
class World:
    """The groups and users probes run as, and every row id per tenant (table -> ids)."""

    tenants: dict[str, str]  # slug -> id
    group_of: dict[str, str]  # tenant id -> group slug
    users: dict[tuple[str, str], str]  # (group slug, user name) -> user id
    tokens: dict[tuple[str, str], str]
    rows: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)  # tenant id -> words to hide

    def home(self, group: str, user: str) -> list[str]:
        """The tenant a user acts in: the group root for group-level users, else its own."""
        if user in ("admin", "auditor"):
            return [self.tenants[group]]
        return [self.tenants[f"{group}-{user[0]}"]]

    def foreign(self, group: str, user: str) -> list[str]:
        """Tenants the user must not reach: other groups and, for tenant users, siblings
        (group-level users may legitimately see their subsidiaries, per governance mode)."""
        own_group = {t for t, g in self.group_of.items() if g == group}
        if user in ("admin", "auditor"):
            return sorted(t for t in self.group_of if t not in own_group)
        home = self.home(group, user)
        return sorted(t for t in self.group_of if t not in home and t != self.tenants[group])

    def secrets_of(self, tenant_ids: set[str]) -> set[str]:
        """Strings that must not appear in a response: ids and names of those tenants' rows."""
        found: set[str] = set()
        for tid in tenant_ids:
            found.add(tid)
            found.update(self.names.get(tid, ()))
            for ids in self.rows.get(tid, {}).values():
                found.update(ids)
        return found


async def load_rows(platform: Any, world: World) -> None:
    """Every tenant-scoped row id per tenant and table, and the tenants' slugs and names."""
    from ipgov.db.base import Base

    world.rows = {t: {} for t in world.group_of}
    async with platform.db.system_session("test: probe targets") as s:
        for table in Base.metadata.sorted_tables:
            if "tenant_id" not in table.c or "id" not in table.c:
                continue
            result = await s.execute(select(table.c.tenant_id, table.c.id))
            for tenant_id, row_id in result:
                if tenant_id in world.rows:
                    world.rows[tenant_id].setdefault(table.name, []).append(str(row_id))
        result = await s.execute(text("SELECT id, slug, name FROM tenants"))
        for tid, slug, name in result:
            if tid in world.group_of:
                world.names[tid] = {slug, name}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _stem(field_name: str, arg_name: str) -> str:
    base = field_name if arg_name in ("id", "ids") else re.sub(r"Ids?$", "", arg_name)
    words = _snake(VERBS.sub("", base) or base).split("_")
    return words[-1] if words[-1] not in ("", "status", "active") else words[0]


def object_id(world: World, tenant_id: str, field_name: str, arg_name: str,
              rng: random.Random) -> str:
    """An id of a row of ``tenant_id`` that the argument probably refers to."""
    rows = world.rows.get(tenant_id, {})
    stem = _stem(field_name, arg_name)
    if arg_name.endswith(("userId", "UserId")):
        return rng.choice(sorted(world.users.values()))
    tables = [t for t in rows if stem and stem.rstrip("s") in t] or sorted(rows)
    ids = rows.get(rng.choice(sorted(tables)), []) if tables else []
    return rng.choice(ids) if ids else tenant_id


def tenant_slots(field: GraphQLField, field_name: str) -> set[str]:
    """Arguments of ``field`` that name a tenant."""
    names = {n for n in field.args if n in TENANT_ARGS}
    if field_name == "tenant":
        names.add("id")
    return names


def id_arguments(field: GraphQLField) -> list[str]:
    """Paths of the ``ID`` arguments (``input.assetId`` inside input objects)."""
    found = []
    for name, arg in field.args.items():
        inner = get_named_type(arg.type)
        if inner.name == "ID":
            found.append(name)
        elif isinstance(inner, GraphQLInputObjectType):
            found.extend(f"{name}.{n}" for n, f in inner.fields.items()
                         if get_named_type(f.type).name == "ID")
    return found


def probe_fields(schema: GraphQLSchema) -> list[tuple[str, str, GraphQLField]]:
    """(operation kind, name, field) of every root field that takes an id."""
    found = []
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        for name, f in root.fields.items():
            if id_arguments(f):
                found.append((kind, name, f))
    return found


def subscription_fields(schema: GraphQLSchema) -> list[tuple[str, str, GraphQLField]]:
    """("subscription", name, field) of every subscription root field that takes an id."""
    root = schema.subscription_type
    return [("subscription", name, f) for name, f in (root.fields.items() if root else ())
            if id_arguments(f)]


def _sample(t: Any, slot: Any, path: str) -> Any:
    inner = t.of_type if isinstance(t, GraphQLNonNull) else t
    if isinstance(inner, GraphQLList):
        return [_sample(inner.of_type, slot, path)]
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    if isinstance(inner, GraphQLInputObjectType):
        return {n: _sample(f.type, slot, f"{path}.{n}") for n, f in inner.fields.items()
                if isinstance(f.type, GraphQLNonNull) or get_named_type(f.type).name == "ID"}
    if isinstance(inner, GraphQLScalarType):
        if inner.name == "ID":
            return slot(path)
        return {"String": "probe", "Int": 5, "Float": 1.0, "Boolean": False,
                "Date": "2026-01-01", "DateTime": "2026-01-01T00:00:00+00:00",
                "JSON": {}}.get(inner.name, "probe")
    raise AssertionError(f"no sample for {inner}")


def selection(t: Any, depth: int = 0) -> str:
    """Every scalar field reachable without required arguments, three levels deep."""
    named = get_named_type(t)
    if not isinstance(named, GraphQLObjectType):
        return ""
    parts = ["__typename"]
    for fname, f in named.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) and a.default_value is None
               for a in f.args.values()):
            continue
        if isinstance(get_named_type(f.type), GraphQLObjectType):
            if depth < 2:
                parts.append(fname + " " + selection(f.type, depth + 1))
        else:
            parts.append(fname)
    return "{ " + " ".join(parts) + " }"


def operation(kind: str, name: str, field: GraphQLField, slot: Any) -> tuple[str, dict]:
    """The probe's document and variables; ``slot(path)`` fills each ID argument."""
    args = {n: a for n, a in field.args.items()
            if isinstance(a.type, GraphQLNonNull) or get_named_type(a.type).name == "ID"
            or isinstance(get_named_type(a.type), GraphQLInputObjectType)}
    decl = ", ".join(f"${n}: {a.type}" for n, a in args.items())
    call = ", ".join(f"{n}: ${n}" for n in args)
    query = (f"{kind} Probe{'(' + decl + ')' if decl else ''} "
             f"{{ {name}{'(' + call + ')' if call else ''} {selection(field.type)} }}")
    return query, {n: _sample(a.type, slot, n) for n, a in args.items()}


def refused(body: dict, name: str) -> bool:
    """The call did not succeed: a refusal error, a payload carrying errors, or (lists
    filtered by authorization) an empty page, ``false`` or ``null``."""
    top = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    if top & REFUSALS:
        return True
    value = (body.get("data") or {}).get(name)
    if isinstance(value, dict) and value.get("errors"):
        return True
    return empty(value)


def empty(value: Any) -> bool:
    """Nothing returned: null, false, an empty list or a connection without edges."""
    if value in (None, False, []):
        return True
    return isinstance(value, dict) and value.get("edges") == [] and not value.get("errors")
