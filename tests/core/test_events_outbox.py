"""The event outbox: an event commits with the change that caused it or not at all, is sent
after the commit, dispatched once to every consumer however often its message arrives, and
recovered when the process died between the commit and the send. A tenant never sees, claims
or dispatches another tenant's events."""

from __future__ import annotations

import types
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from ipgov.db.base import utcnow
from ipgov.db.scope import TenantScopeError
from ipgov.db.session import after_commit, orm_filter_enabled
from ipgov.events.models import Event
from ipgov.work import claim
from ipgov.work.queue import InlineQueue
from ipgov.work.recovery import recover
from tests.conftest import make_group

MODE = {"type": "tenant.governance_mode_changed"}


def _payload(tenant_id: str) -> dict:
    return {"tenant_id": tenant_id, "previous": "hybrid", "mode": "centralized"}


async def _record(platform, tenant_id, **options):
    async with platform.db.tenant_session(tenant_id) as session:
        return await platform.record_event(session, tenant_id=tenant_id, **MODE,
                                           payload=_payload(tenant_id), actor="test",
                                           **options)


async def _events(platform, tenant_id):
    async with platform.db.tenant_session(tenant_id) as session:
        return list((await session.execute(select(Event).where(
            Event.type == MODE["type"]))).scalars())


def _counting(platform):
    seen: list[tuple[str, str]] = []

    async def consumer(_platform, event):
        seen.append((event.id, event.tenant_id))

    platform.event_consumers.append(consumer)
    return seen


async def test_an_event_of_a_rolled_back_transaction_is_never_sent(platform):
    group = await make_group(platform, "acme")
    tenant = group.ids["acme-a"]
    queue = InlineQueue()
    platform.work.attach(queue)
    with pytest.raises(RuntimeError, match="the change failed"):
        async with platform.db.tenant_session(tenant) as session:
            await platform.record_event(session, tenant_id=tenant, **MODE,
                                        payload=_payload(tenant), actor="test")
            raise RuntimeError("the change failed")
    assert queue.pending == []
    assert await _events(platform, tenant) == []
    assert await recover(platform, kinds={"event"}) == 0  # nothing for recovery either


async def test_an_event_rolled_back_inside_a_committed_session_is_never_sent(platform):
    """A savepoint rolled back, or the whole transaction rolled back by the code itself before
    the block ends (what the previews of mode changes and mergers do): the events recorded
    meanwhile are gone, and so is their message; one recorded afterwards is sent."""
    group = await make_group(platform, "acme")
    tenant = group.ids["acme-a"]
    queue = InlineQueue()
    platform.work.attach(queue)

    async def record(session):
        return (await platform.record_event(session, tenant_id=tenant, **MODE,
                                            payload=_payload(tenant), actor="test")).id

    async with platform.db.tenant_session(tenant) as session:
        with pytest.raises(RuntimeError):
            async with session.begin_nested():
                await record(session)
                raise RuntimeError("the step failed")
        kept = await record(session)
    async with platform.db.tenant_session(tenant) as session:
        await record(session)
        await session.rollback()
    assert [row_id for _kind, row_id, _t in queue.pending] == [kept]
    assert [e.id for e in await _events(platform, tenant)] == [kept]


async def test_a_committed_event_is_dispatched_once_even_when_sent_twice(platform):
    group = await make_group(platform, "acme")
    tenant = group.ids["acme-a"]
    seen = _counting(platform)
    queue = InlineQueue()
    platform.work.attach(queue)
    event = await _record(platform, tenant)
    assert queue.pending == [("event", event.id, tenant)]  # sent after the commit
    queue.pending.append(queue.pending[0])  # the broker delivers it twice
    assert await queue.drain(platform) == 2
    assert seen == [(event.id, tenant)]
    [row] = await _events(platform, tenant)
    assert (row.status, row.attempts, row.enqueued_at is not None) == ("dispatched", 1, True)
    assert row.actor == "test" and row.version == 1


async def test_a_process_dying_after_commit_before_send_is_recovered(platform):
    group = await make_group(platform, "acme")
    tenant = group.ids["acme-a"]
    seen = _counting(platform)
    platform.work.attach(None)  # the commit happens, the send never does
    event = await _record(platform, tenant)
    [row] = await _events(platform, tenant)
    assert (row.status, row.enqueued_at) == ("queued", None)
    queue = InlineQueue()
    platform.work.attach(queue)
    assert await recover(platform, kinds={"event"}) == 0  # not stale yet
    async with platform.db.system_session("test: time passes") as session:
        await session.execute(update(Event).where(Event.id == event.id).values(
            requested_at=utcnow() - timedelta(minutes=5)))
    assert await recover(platform, kinds={"event"}) == 1
    await queue.drain(platform)
    assert seen == [(event.id, tenant)]
    assert await recover(platform, kinds={"event"}) == 0  # dispatched events stay put


async def test_a_failing_consumer_puts_the_event_back_for_recovery(platform):
    group = await make_group(platform, "acme")
    tenant = group.ids["acme-a"]
    calls = []

    async def flaky(_platform, event):
        calls.append(event.id)
        if len(calls) == 1:
            raise ConnectionError("the router's database blinked")

    platform.event_consumers.append(flaky)
    queue = InlineQueue()
    platform.work.attach(queue)
    event = await _record(platform, tenant)
    await queue.drain(platform)
    [row] = await _events(platform, tenant)
    assert (row.status, row.enqueued_at) == ("queued", None)
    assert "ConnectionError" in row.failure
    async with platform.db.system_session("test: time passes") as session:
        await session.execute(update(Event).where(Event.id == event.id).values(
            requested_at=utcnow() - timedelta(minutes=5)))
    assert await recover(platform, kinds={"event"}) == 1
    await queue.drain(platform)
    assert calls == [event.id, event.id]
    assert (await _events(platform, tenant))[0].status == "dispatched"


async def test_an_idempotency_key_records_one_event(platform):
    group = await make_group(platform, "acme")
    a, b = group.ids["acme-a"], group.ids["acme-b"]
    first = await _record(platform, a, idempotency_key="mode:1")
    assert first is not None
    assert await _record(platform, a, idempotency_key="mode:1") is None
    assert await _record(platform, b, idempotency_key="mode:1") is not None  # per tenant
    assert len(await _events(platform, a)) == 1


async def test_a_bad_event_is_a_programming_error_naming_type_and_field(platform):
    group = await make_group(platform, "acme")
    tenant = group.ids["acme-a"]
    async with platform.db.tenant_session(tenant) as session:
        with pytest.raises(ValueError, match="'no.such' is not declared"):
            await platform.record_event(session, tenant_id=tenant, type="no.such",
                                        payload={}, actor="test")
        with pytest.raises(ValueError, match=r"tenant\.governance_mode_changed.*field mode"):
            await platform.record_event(session, tenant_id=tenant, **MODE, actor="test",
                                        payload={**_payload(tenant), "mode": "anarchy"})
        with pytest.raises(ValueError, match="secret"):
            await platform.record_event(session, tenant_id=tenant, **MODE, actor="test",
                                        payload={**_payload(tenant), "secret": "x"})
        with pytest.raises(ValueError, match="severity 'dire'"):
            await platform.record_event(session, tenant_id=tenant, **MODE, actor="test",
                                        payload=_payload(tenant), severity="dire")
    assert await _events(platform, tenant) == []


async def test_an_after_commit_callback_that_fails_does_not_fail_the_caller(platform, caplog):
    ran = []

    async def broken() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        ran.append(True)

    async with platform.db.system_session("test: callbacks") as session:
        after_commit(session, broken)
        after_commit(session, fine)
        await session.execute(text("SELECT 1"))
    assert ran == [True]
    assert "after-commit callback failed" in caplog.text


async def test_a_tenant_never_sees_claims_or_dispatches_another_tenants_event(platform):
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    a, g = acme.ids["acme-a"], globex.ids["globex-a"]
    seen = _counting(platform)
    queue = InlineQueue()
    platform.work.attach(queue)
    event = await _record(platform, a)
    assert await _events(platform, g) == []
    async with platform.db.tenant_session(g) as session:
        assert await session.get(Event, event.id) is None
    assert await claim(platform, "event", event.id, g) is None  # another tenant's row
    queue.pending = [("event", event.id, g)]  # a forged message naming the wrong tenant
    await queue.drain(platform)
    assert seen == []
    with pytest.raises(TenantScopeError, match="outside the scope"):  # writing into acme
        async with platform.db.tenant_session(g) as session:
            await platform.record_event(session, tenant_id=a, **MODE, payload=_payload(a),
                                        actor="intruder")
    assert queue.pending == [] and len(await _events(platform, a)) == 1


@pytest.mark.postgres
async def test_row_level_security_alone_hides_another_tenants_events(platform, backend):
    if backend != "postgres":
        pytest.skip("row-level security is PostgreSQL's")
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    a, g = acme.ids["acme-a"], globex.ids["globex-a"]
    event = await _record(platform, a)
    orm_filter_enabled(False)
    try:
        async with platform.db.tenant_session(g) as session:
            theirs = (await session.execute(text("SELECT id, tenant_id FROM events"))).all()
        async with platform.db.tenant_session(a) as session:
            mine = (await session.execute(text("SELECT id, tenant_id FROM events"))).all()
    finally:
        orm_filter_enabled(True)
    assert theirs and {t for _, t in theirs} == {g}  # its own onboarding event, nothing else
    assert event.id in {i for i, _ in mine} and {t for _, t in mine} == {a}


async def test_a_partner_declares_an_event_type_records_it_and_consumers_see_it(platform):
    from ipgov.api import EventType, PluginInfo, event_field, event_payload, hookimpl, record_event

    partner = types.ModuleType("partner_hooks")
    partner.PLUGIN_INFO = PluginInfo(name="partner", version="1", api_version=1)
    thing = EventType(name="partner.thing.happened", version=2, summary="Probe",
                      payload=event_payload({"thing_id": event_field("id")}),
                      titles={"en": "Thing {thing_id}", "zh-CN": "事物 {thing_id}"},
                      object_type="partner:thing", example={"tenant_id": "t", "thing_id": "x"})
    partner.register_event_types = hookimpl(specname="register_event_types")(lambda: [thing])
    platform.registry.register(partner)
    assert platform.catalog.event_types["partner.thing.happened"] == ("partner", thing)
    group = await make_group(platform, "acme")
    tenant = group.ids["acme-a"]
    seen = _counting(platform)
    queue = InlineQueue()
    platform.work.attach(queue)
    async with platform.db.tenant_session(tenant) as session:
        event = await record_event(platform, session, tenant_id=tenant,
                                   type="partner.thing.happened", actor="test",
                                   payload={"tenant_id": tenant, "thing_id": "x"})
    await queue.drain(platform)
    assert seen == [(event.id, tenant)]
    assert thing.title({"thing_id": "x"}, "zh-CN") == "事物 x"
    [row] = [r for r in await _all_events(platform, tenant) if r.type == thing.name]
    assert row.version == 2


async def _all_events(platform, tenant_id):
    async with platform.db.tenant_session(tenant_id) as session:
        return list((await session.execute(select(Event))).scalars())
