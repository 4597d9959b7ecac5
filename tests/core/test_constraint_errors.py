"""Database constraints answer with domain errors (issue 22 item 15), through real concurrency.

Concurrent onboarding with one slug and concurrent ``requestReview`` with one idempotency key
used to answer ``INTERNAL`` (unique violations) on PostgreSQL; now the slug race gives one
tenant and ``DUPLICATE_SLUG`` for the others, and the key race gives one run returned to every
caller. Every constraint of the schema is named by the convention the translation relies on,
and real refusals of each kind (unique, foreign key on insert and on delete, not null, data
errors) become clear errors on both backends.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import CheckConstraint, ForeignKeyConstraint, UniqueConstraint, func, select, text

from ipgov.db.base import Base
from ipgov.db.integrity import _unique_name, constraint_error, declared
from ipgov.errors import DomainError
from ipgov.reviews.models import ReviewRun
from ipgov.tenancy.models import Tenant
from tests.conftest import make_group

ONBOARD = """mutation($i: OnboardSubsidiaryInput!) {
  onboardSubsidiary(input: $i) { tenant { id } errors { code field message } } }"""
REVIEW = """mutation($t: ID!, $k: String) {
  requestReview(tenantId: $t, idempotencyKey: $k) { run { id } errors { code field } } }"""
RACERS = 10


def _codes(body: dict) -> list[str]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]


async def _count(platform, model, *where) -> int:
    async with platform.db.system_session("test: count") as s:
        return (await s.execute(select(func.count()).select_from(model).where(*where))
                ).scalar_one()


async def test_concurrent_onboarding_with_one_slug_makes_one_tenant(platform, gql):
    acme = await make_group(platform, "acme")
    token = acme.token("admin")
    variables = {"i": {"parentId": acme.ids["acme"], "slug": "acme-race", "name": "Race"}}
    bodies = await asyncio.gather(*[gql(ONBOARD, variables, token=token)
                                    for _ in range(RACERS)])
    assert all(_codes(b) == [] for b in bodies), [b for b in bodies if _codes(b)]
    payloads = [b["data"]["onboardSubsidiary"] for b in bodies]
    made = [p for p in payloads if p["tenant"]]
    refused = [e for p in payloads for e in p["errors"]]
    assert len(made) == 1, payloads
    assert {(e["code"], e["field"]) for e in refused} == {("DUPLICATE_SLUG", "slug")}
    assert len(refused) == RACERS - 1
    assert await _count(platform, Tenant, Tenant.slug == "acme-race") == 1


async def test_concurrent_review_requests_with_one_key_make_one_run(platform, gql):
    acme = await make_group(platform, "acme")
    token = acme.token("admin")
    variables = {"t": acme.ids["acme-a"], "k": "retried-click"}
    bodies = await asyncio.gather(*[gql(REVIEW, variables, token=token)
                                    for _ in range(RACERS)])
    assert all(_codes(b) == [] for b in bodies), [b for b in bodies if _codes(b)]
    payloads = [b["data"]["requestReview"] for b in bodies]
    assert all(p["errors"] == [] for p in payloads), payloads
    assert len({p["run"]["id"] for p in payloads}) == 1  # every caller sees the same run
    assert await _count(platform, ReviewRun, ReviewRun.idempotency_key == "retried-click") == 1


def _all_constraints():
    for table in Base.metadata.sorted_tables:
        for item in [*table.constraints, *table.indexes]:
            if isinstance(item, UniqueConstraint | CheckConstraint | ForeignKeyConstraint) or (
                    getattr(item, "unique", False)):
                yield table, item


def test_every_constraint_is_named_by_the_convention(platform):
    """SQLite reports a unique refusal by table and columns: the name is rebuilt from them,
    so every constraint must carry the convention's name (and core ones a declared meaning)."""
    seen = 0
    for table, item in _all_constraints():
        columns = [c.name for c in item.columns]
        assert item.name, (table.name, columns)
        if isinstance(item, UniqueConstraint) or getattr(item, "unique", False):
            assert _unique_name(table.name, columns) == item.name, (table.name, item.name)
            assert item.name == f"uq_{table.name}_{'_'.join(columns)}", item.name
        if isinstance(item, ForeignKeyConstraint):
            assert item.name.startswith(f"fk_{table.name}_"), item.name
        seen += 1
    assert seen > 50
    for core in ("uq_tenants_slug", "uq_users_email", "uq_review_runs_tenant_id_idempotency_key",
                 "uq_ipg_raci_assignments_tenant_id_process_member_id_role"):
        assert declared(core) is not None, core


async def _refused(platform, sql: str, params: dict | None = None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        async with platform.db.system_session("test: refused write") as s:
            await s.execute(text(sql), params or {})
    return caught.value


async def test_real_refusals_become_clear_errors(platform, backend):
    acme = await make_group(platform, "acme")
    group = acme.ids["acme"]
    insert = ("INSERT INTO tenants (id, slug, name, kind, parent_id, root_id, depth, "
              "governance_mode, status, enabled_plugins, local_plugins, plugin_baseline, "
              "provisioned_plugins, reserved_decisions, locale, created_at, updated_at) "
              "VALUES (:id, :slug, :name, 'subsidiary', :parent, :root, 1, 'hybrid', "
              "'active', '[]', '[]', '[]', '[]', '[]', 'en', CURRENT_TIMESTAMP, "
              "CURRENT_TIMESTAMP)")
    row = {"id": "00000000-0000-4000-8000-000000000001", "slug": "acme-a", "name": "X",
           "parent": group, "root": group}
    duplicate = await _refused(platform, insert, row)
    assert (duplicate.code, duplicate.field) == ("DUPLICATE_SLUG", "slug")
    orphan = await _refused(platform, insert, {**row, "slug": "acme-orphan",
                                               "parent": "no-such-parent"})
    # PostgreSQL names the foreign key (so the field); SQLite says only that one failed
    assert orphan.code == "REFERENCE_NOT_FOUND"
    assert orphan.field == ("parentId" if backend == "postgres" else None)
    in_use = await _refused(platform, "DELETE FROM tenants WHERE id = :id", {"id": group})
    assert in_use.code == "IN_USE"
    missing = await _refused(platform, insert.replace(":name", "NULL"),
                             {**row, "slug": "acme-null"})
    assert (missing.code, missing.field) == ("REQUIRED", "name")
    surrogate = await _refused(platform, insert, {**row, "slug": "acme-s", "name": "a\ud800"})
    assert surrogate.code == "BAD_TEXT"
    if backend == "postgres":  # SQLite stores both; the GraphQL edge refuses them earlier
        nul = await _refused(platform, insert, {**row, "slug": "acme-n", "name": "a\x00b"})
        assert nul.code == "BAD_TEXT"
        long = await _refused(platform, insert, {**row, "slug": "x" * 300})
        assert long.code == "VALUE_TOO_LONG" and "characters" in long.message
    assert await _count(platform, Tenant, Tenant.slug.like("acme-%")) == 3


def test_errors_that_are_not_refusals_are_left_alone():
    assert constraint_error(RuntimeError("boom")) is None
    assert constraint_error(OverflowError("date value out of range")) is None
