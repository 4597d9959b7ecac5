"""The GraphQL kit (``ipgov.graphql.kit``, issue 21 item 3) on a small schema of its own:
pages bounded by the configured maximum, audited mutations whose every failure is data."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from ipgov.audit.models import AuditEvent
from ipgov.errors import Conflict, InvalidInput, NotFound
from ipgov.graphql import kit
from ipgov.graphql.context import IpgovContext
from ipgov.graphql.errors import ErrorShaper, UserError
from ipgov.graphql.pagination import Connection
from ipgov.identity.service import Principal
from ipgov.reviews.models import ReviewSchedule
from ipgov.validation import clean_text, in_range
from tests.conftest import make_group

ACTION, OBJECT = "ipgov_kit.schedule.created", "ipgov_kit:schedule"


@strawberry.type
class Schedule:
    id: strawberry.ID
    name: str
    cadence_days: int
    enabled: bool


to_schedule = kit.row_mapper(Schedule)


@strawberry.type
class SchedulePayload:
    schedule: Schedule | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _add(session: Any, name: str, days: int, fail: str) -> ReviewSchedule:
    row = ReviewSchedule(name=name, cadence_days=days)
    session.add(row)
    await session.flush()  # the row is written before the service fails: rollback must hold
    if fail == "conflict":
        raise Conflict("a schedule of that name exists", code="DUPLICATE", field="name")
    if fail == "missing":
        raise NotFound("no such thing", code="NOT_FOUND", field="id")
    return row


@strawberry.type
class Query:
    @strawberry.field
    async def schedules(self, info: Info, tenant_id: strawberry.ID, first: int = 10,
                        after: str | None = None) -> Connection[Schedule]:
        return await kit.tenant_page(info, str(tenant_id), select(ReviewSchedule),
                                     [ReviewSchedule.id], first=first, after=after,
                                     to_node=to_schedule)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def add_schedule(self, info: Info, tenant_id: strawberry.ID, name: str, days: int,
                           fail: str = "") -> SchedulePayload:
        async def work(session: Any) -> ReviewSchedule:
            clean, checked = kit.validate(
                lambda: clean_text(name, "name", max_len=20, required=True),
                lambda: in_range(days, "days", 1, 365))
            return await _add(session, clean, checked, fail)

        return await kit.mutate(
            info, str(tenant_id), SchedulePayload, "schedule", work,
            action=ACTION, object_type=OBJECT,
            to_node=to_schedule, details=lambda row: {"name": row.name},
            permission=("ipgov:review", "request"))


    @strawberry.mutation
    async def try_schedule(self, info: Info, tenant_id: strawberry.ID, name: str,
                           keep: bool) -> SchedulePayload:
        async def checked() -> SchedulePayload:
            if name == "taken":  # a read before the write refuses: data too
                raise Conflict("taken", code="DUPLICATE", field="name")
            return await kit.mutate(
                info, str(tenant_id), SchedulePayload, "schedule",
                lambda s: _add(s, name, 7, ""), action=ACTION, object_type=OBJECT,
                to_node=to_schedule, commit_if=lambda _: keep)

        return await kit.errors_as_data(SchedulePayload, checked)


schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[ErrorShaper])
ADD = """mutation($t: ID!, $n: String!, $d: Int!, $f: String! = "") {
  addSchedule(tenantId: $t, name: $n, days: $d, fail: $f) {
    schedule { id name cadenceDays } errors { code field message messageEn } } }"""
PAGE = """query($t: ID!, $n: Int!, $a: String) { schedules(tenantId: $t, first: $n, after: $a) {
  nodes { name } pageInfo { hasNextPage endCursor } } }"""


@pytest.fixture
async def acme(platform):
    return await make_group(platform, "acme")


async def _run(platform, group, user: str, query: str, variables: dict[str, Any],
               locale: str = "en") -> Any:
    principal = Principal(kind="user", id=group.users[user], display=user, locale=locale)
    context = IpgovContext(platform=platform, principal=principal, locale=locale)
    return await schema.execute(query, variable_values=variables, context_value=context)


async def _stored(platform, tenant_id: str) -> tuple[int, int]:
    async with platform.db.tenant_session(tenant_id) as session:
        rows = await session.scalar(select(func.count()).select_from(ReviewSchedule).where(
            ReviewSchedule.name == "weekly"))
        events = await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == ACTION))
    return rows, events


def _codes(result: Any) -> list[str]:
    return [(e.extensions or {}).get("code") for e in result.errors or []]


async def test_pages_are_bounded_by_the_configured_maximum(platform, acme, monkeypatch):
    tenant = acme.ids["acme-a"]
    monkeypatch.setattr(platform, "settings", dataclasses.replace(platform.settings,
                                                                  max_page_size=3))
    async with platform.db.tenant_session(tenant) as session:
        session.add_all(ReviewSchedule(name=f"s{i}", cadence_days=30) for i in range(5))
        total = await session.scalar(select(func.count()).select_from(ReviewSchedule))
    names: list[str] = []
    after = None
    while True:
        result = await _run(platform, acme, "admin", PAGE, {"t": tenant, "n": 3, "a": after})
        assert result.errors is None
        page = result.data["schedules"]
        assert 1 <= len(page["nodes"]) <= 3
        names += [n["name"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(names) == len(set(names)) == total and {f"s{i}" for i in range(5)} <= set(names)
    refused = await _run(platform, acme, "admin", PAGE, {"t": tenant, "n": 4})
    assert _codes(refused) == ["PAGE_SIZE"]
    assert refused.errors[0].extensions["field"] == "first"
    assert "3" in refused.errors[0].message


async def test_a_mutation_stores_and_audits_in_one_transaction(platform, acme, monkeypatch):
    tenant = acme.ids["acme-a"]
    sessions: list[Any] = []
    original = platform.audit

    async def watched(session, **kwargs):
        sessions.append(session)
        return await original(session, **kwargs)

    monkeypatch.setattr(platform, "audit", watched)
    result = await _run(platform, acme, "a-admin", ADD, {"t": tenant, "n": "weekly", "d": 7})
    payload = result.data["addSchedule"]
    assert payload["errors"] == [] and payload["schedule"]["cadenceDays"] == 7
    assert await _stored(platform, tenant) == (1, 1)
    assert len(sessions) == 1  # the event went through the mutation's own session
    async with platform.db.tenant_session(tenant) as session:
        event = (await session.execute(select(AuditEvent).where(
            AuditEvent.action == ACTION))).scalar_one()
    assert (event.object_type, event.object_id) == (OBJECT, payload["schedule"]["id"])
    assert event.details["name"] == "weekly" and event.actor == acme.users["a-admin"]


async def test_a_failing_audit_rolls_the_write_back(platform, acme, monkeypatch):
    tenant = acme.ids["acme-a"]

    async def broken(session, **kwargs):
        raise Conflict("the audit chain moved", code="AUDIT_BUSY")

    monkeypatch.setattr(platform, "audit", broken)
    result = await _run(platform, acme, "a-admin", ADD, {"t": tenant, "n": "weekly", "d": 7})
    assert result.data["addSchedule"]["errors"][0]["code"] == "AUDIT_BUSY"
    assert await _stored(platform, tenant) == (0, 0)


@pytest.mark.parametrize(("fail", "code", "field"), [("conflict", "DUPLICATE", "name"),
                                                     ("missing", "NOT_FOUND", "id")])
async def test_a_domain_error_is_data_and_nothing_is_stored(platform, acme, fail, code,
                                                            field):
    tenant = acme.ids["acme-a"]
    result = await _run(platform, acme, "a-admin", ADD,
                        {"t": tenant, "n": "weekly", "d": 7, "f": fail})
    assert result.errors is None  # never INTERNAL, never a top-level error
    payload = result.data["addSchedule"]
    assert payload["schedule"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert await _stored(platform, tenant) == (0, 0)


async def test_every_field_error_comes_back_as_data_in_the_readers_language(platform, acme):
    tenant = acme.ids["acme-a"]
    variables = {"t": tenant, "n": " ", "d": 900}
    english = (await _run(platform, acme, "a-admin", ADD, variables)).data["addSchedule"]
    assert [(e["code"], e["field"]) for e in english["errors"]] == [
        ("REQUIRED", "name"), ("NOT_IN_RANGE", "days")]
    chinese = (await _run(platform, acme, "a-admin", ADD, variables, "zh-CN")
               ).data["addSchedule"]["errors"]
    assert [e["code"] for e in chinese] == ["REQUIRED", "NOT_IN_RANGE"]
    assert all(re.search(r"[\u4e00-\u9fff]", e["message"]) for e in chinese), chinese
    assert chinese[1]["messageEn"] == english["errors"][1]["message"]
    assert await _stored(platform, tenant) == (0, 0)


async def test_a_caller_without_the_permission_is_refused_before_any_write(platform, acme):
    tenant = acme.ids["acme-a"]
    result = await _run(platform, acme, "a-viewer", ADD, {"t": tenant, "n": "weekly", "d": 7})
    assert _codes(result) == ["FORBIDDEN"]
    assert await _stored(platform, tenant) == (0, 0)
    other = await _run(platform, acme, "b-admin", ADD, {"t": tenant, "n": "weekly", "d": 7})
    assert _codes(other) in (["FORBIDDEN"], ["NOT_FOUND"])
    assert await _stored(platform, tenant) == (0, 0)


TRY = """mutation($t: ID!, $n: String!, $k: Boolean!) { trySchedule(tenantId: $t, name: $n,
  keep: $k) { schedule { name } errors { code field } } }"""


async def test_a_result_that_must_not_be_kept_rolls_back_and_still_answers(platform, acme):
    tenant = acme.ids["acme-a"]
    dry = await _run(platform, acme, "a-admin", TRY, {"t": tenant, "n": "weekly", "k": False})
    assert dry.data["trySchedule"] == {"schedule": {"name": "weekly"}, "errors": []}
    assert await _stored(platform, tenant) == (0, 0)
    refused = await _run(platform, acme, "a-admin", TRY, {"t": tenant, "n": "taken", "k": True})
    assert refused.errors is None
    assert refused.data["trySchedule"]["errors"] == [{"code": "DUPLICATE", "field": "name"}]
    kept = await _run(platform, acme, "a-admin", TRY, {"t": tenant, "n": "weekly", "k": True})
    assert kept.data["trySchedule"]["errors"] == []
    assert await _stored(platform, tenant) == (1, 1)


def test_rows_map_to_types_by_field_name_with_explicit_overrides():
    row = ReviewSchedule(id="s1", name="weekly", cadence_days=7, enabled=True)
    assert kit.to_type(Schedule, row) == Schedule(id="s1", name="weekly", cadence_days=7,
                                                  enabled=True)
    assert kit.row_mapper(Schedule, name=lambda r: r.name.upper())(row).name == "WEEKLY"

    @strawberry.type
    class Wider:
        id: strawberry.ID
        colour: str

    with pytest.raises(AttributeError, match="colour"):
        kit.to_type(Wider, row)
    assert kit.to_type(Wider, row, colour="blue").colour == "blue"


def test_validate_reports_every_bad_field_at_once():
    assert kit.validate(lambda: 1, lambda: "x") == [1, "x"]
    with pytest.raises(InvalidInput) as caught:
        kit.validate(lambda: clean_text("", "a", max_len=3, required=True),
                     lambda: clean_text("toolong", "b", max_len=3))
    assert [(e.code, e.field) for e in caught.value.field_errors] == [("REQUIRED", "a"),
                                                                      ("TOO_LONG", "b")]
