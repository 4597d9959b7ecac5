"""A third kind of work, registered here (notification deliveries, as a later issue will add),
rides the same machine as reviews and jobs with no change to the queue: it is recorded and sent,
claimed under a lease by a real worker thread through the broker, recovered after the worker
that held it died, and finished once; and two tenants' work never crosses."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select, text, update
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ipgov.db.base import Base, TenantScoped, new_id, utcnow
from ipgov.db.work import LeasedWork
from ipgov.startup import build_platform
from ipgov.work import Claim, LostClaim, Timing, WorkKind, claim, finish, renew, send
from ipgov.work.kinds import core_kinds
from ipgov.work.queue import InlineQueue
from ipgov.work.recovery import recover
from ipgov.work.requests import record
from ipgov.work.worker import WorkerRuntime


class _TestBase(DeclarativeBase):
    """Outside the platform's metadata: migrations and their drift test never see it."""

    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    type_annotation_map = Base.type_annotation_map


Table("tenants", _TestBase.metadata, Column("id", String(36), primary_key=True))  # FK target


class Delivery(LeasedWork, TenantScoped, _TestBase):
    """A notification to deliver: one leased row of one tenant."""

    __tablename__ = "test_work_deliveries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    recipient: Mapped[str] = mapped_column(String(200))
    delivered: Mapped[int] = mapped_column(Integer, default=0)


SEEN: dict[str, set[str]] = {}  # delivery id -> tenants whose deliveries its work could read


async def deliver(platform, held: Claim) -> str:
    """The kind's work: read (inside the tenant), renew the lease, deliver, finish."""
    async with platform.db.tenant_session(held.tenant_id) as session:
        visible = (await session.execute(select(Delivery))).scalars().all()
        SEEN[held.id] = {d.tenant_id for d in visible}
        await renew(platform, session, held)
    async with platform.db.tenant_session(held.tenant_id) as session:
        done = await finish(session, held, "succeeded", delivered=Delivery.delivered + 1)
    return "delivered" if done else "lost-claim"


NOTIFICATIONS = WorkKind(
    "notification", Delivery, "ipgov-test-notifications", "ipgov_test_deliver",
    id_arg="delivery_id", timing=lambda _settings: Timing.of(30, 0, 3600), perform=deliver)


async def _create_table(settings) -> None:
    """The test's table, with the same walls as the platform's (RLS on PostgreSQL)."""
    from ipgov.db.rls import _policy_sql
    from tests.conftest import APP_ROLE, SYSTEM_ROLE

    engine = create_async_engine(settings.database_url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: Delivery.__table__.create(c, checkfirst=True))
        await conn.execute(text(f"DELETE FROM {Delivery.__tablename__}"))
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON "
                                    f"{Delivery.__tablename__} TO {APP_ROLE}, {SYSTEM_ROLE}"))
            for statement in _policy_sql(Delivery.__tablename__, "tenant_id", [SYSTEM_ROLE]):
                await conn.execute(text(statement))
    await engine.dispose()


async def _request(platform, tenant_id: str, recipient: str) -> str:
    async with platform.db.tenant_session(tenant_id) as session:
        row, created = await record(
            platform, session, Delivery(tenant_id=tenant_id, recipient=recipient,
                                        requested_by="test"),
            idempotency_key=f"welcome:{recipient}", action="notification.requested",
            object_type="test:notification", details={})
    assert created
    await send(platform, "notification", row.id, tenant_id)
    return row.id


async def _row(platform, tenant_id: str, row_id: str) -> Delivery:
    async with platform.db.tenant_session(tenant_id) as session:
        return await session.get(Delivery, row_id)


async def _until_finished(platform, rows: dict[str, str]) -> dict[str, Delivery]:
    for _ in range(300):
        found = {i: await _row(platform, t, i) for i, t in rows.items()}
        if all(r.status == "succeeded" for r in found.values()):
            return found
        await asyncio.sleep(0.05)
    pytest.fail(f"not finished: {[(r.id, r.status) for r in found.values()]}")


async def test_a_third_kind_is_carried_claimed_recovered_and_finished_once(
        platform, two_groups, settings):
    acme, globex = two_groups
    a, g = acme.ids["acme-a"], globex.ids["globex-a"]
    await _create_table(settings)
    platform.work.kinds.register(NOTIFICATIONS)
    assert platform.work.kinds.names() == ["review", "job", "event", "delivery", "notification"]

    # recorded and sent: the row first, the message naming it second
    captured = InlineQueue()
    platform.work.attach(captured)
    mine = await _request(platform, a, "ada@acme")
    assert captured.pending == [("notification", mine, a)]
    assert (await _row(platform, a, mine)).enqueued_at is not None

    # a worker claims acme's delivery under a lease ... and dies holding it
    dead = await claim(platform, "notification", mine, a)
    assert dead is not None and dead.row.recipient == "ada@acme"
    assert await claim(platform, "notification", mine, a) is None  # leased: nobody else
    assert await recover(platform, kinds={"notification"}) == 0  # its lease is alive
    async with platform.db.system_session("test: the worker died") as s:
        await s.execute(update(Delivery).where(Delivery.id == mine)
                        .values(lease_until=utcnow() - timedelta(seconds=1)))

    # real worker threads on the broker, the third kind declared beside the core's
    def factory(s):
        p = build_platform(s)
        p.work.kinds.register(NOTIFICATIONS)
        return p

    runtime = WorkerRuntime(settings, platform_factory=factory,
                            kinds=[*core_kinds(), NOTIFICATIONS])
    assert set(runtime.queue.actors) == {"review", "job", "event", "delivery", "notification"}
    worker = runtime.queue.start_worker(2)
    try:
        platform.work.attach(runtime.queue)
        theirs = await _request(platform, g, "gus@globex")  # globex's, through the broker
        assert await claim(platform, "notification", mine, g) is None  # another tenant's row
        assert await recover(platform, kinds={"notification"}) == 1  # the dead worker's
        done = await _until_finished(platform, {mine: a, theirs: g})
    finally:
        await runtime.close_from_other_loop()
        await asyncio.to_thread(worker.stop)

    assert done[mine].delivered == done[theirs].delivered == 1  # finished once each
    assert done[mine].attempts == 2 and done[theirs].attempts == 1
    assert done[mine].lease_until is None and done[mine].finished_at is not None
    assert done[mine].claim_token != dead.token
    assert SEEN[mine] == {a} and SEEN[theirs] == {g}  # each read only its own tenant's rows
    # the dead worker comes back: its claim is gone, it can neither renew nor finish
    async with platform.db.tenant_session(a) as session:
        with pytest.raises(LostClaim):
            await renew(platform, session, dead)
        assert await finish(session, dead, "failed") is False
    assert (await _row(platform, a, mine)).status == "succeeded"
    assert await recover(platform, kinds={"notification"}) == 0  # finished work stays put


async def test_a_kind_must_not_clash_with_another(platform):
    with pytest.raises(ValueError, match="clashes"):
        platform.work.kinds.register(WorkKind(
            "notification", Delivery, "ipgov-reviews", "ipgov_test_other", id_arg="x",
            timing=lambda _s: Timing.of(1, 1, 1), perform=deliver))
    with pytest.raises(LookupError):
        platform.work.kinds["nothing"]


def test_the_embedded_broker_is_asked_nothing_without_the_redis_client(monkeypatch, caplog):
    """A user's install has no redis client (it is not a dependency of the embedded default):
    recovery must not fail every pass asking the in-process broker what it holds."""
    import sys

    import dramatiq
    from dramatiq.brokers.stub import StubBroker

    from ipgov.work.broker import held_messages

    monkeypatch.setitem(sys.modules, "redis", None)  # import redis -> ImportError
    monkeypatch.delitem(sys.modules, "dramatiq.brokers.redis", raising=False)
    assert held_messages(StubBroker(), "ipgov-reviews") is None

    class OtherBroker(dramatiq.Broker):
        """Any other broker (RabbitMQ) cannot tell either."""

    assert held_messages(OtherBroker(middleware=[]), "ipgov-jobs") is None
