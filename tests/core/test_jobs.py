"""Plugin jobs: recorded, run with progress and per-record errors, idempotent, recovered,
delivered through the broker to a worker, readable through GraphQL only inside the tenant;
and the cross-plugin lookups (list_ip_objects, screen_text) through the core."""

from __future__ import annotations

import asyncio
import types
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ipgov.api import (
    IpObject,
    JobContext,
    JobKind,
    PluginInfo,
    TextMatch,
    TextPassage,
    hookimpl,
    list_ip_objects,
    screen_text,
)
from ipgov.audit.models import AuditEvent
from ipgov.db.base import utcnow
from ipgov.errors import InvalidInput
from ipgov.jobs import Job, enqueue_job, run_job_inline
from ipgov.jobs.service import execute_job, schedule_periodic_jobs
from ipgov.work.recovery import recover
from tests.conftest import make_group

CALLS: list[str] = []


async def _count(ctx: JobContext) -> dict[str, int]:
    items = ctx.params.get("items", [])
    for i, item in enumerate(items):
        if item == "bad":
            await ctx.error(file="upload.csv", document=f"row {i + 1}", field="title",
                            message="title is empty")
        await ctx.progress(i + 1, len(items), f"row {i + 1}", force=True)
    CALLS.append(ctx.tenant_id)
    return {"processed": len(items), "errors": ctx.error_count}


async def _boom(ctx: JobContext) -> None:
    raise RuntimeError("the source file vanished")


ONLY: dict[str, object] = {}  # what the narrowed kind's filter keeps (or raises)


async def _only(_platform: object, tenant_ids: list[str]) -> list[str]:
    keep = ONLY.get("keep")
    if isinstance(keep, Exception):
        raise keep
    return [t for t in tenant_ids if t in (keep or ())]


def register_jobs() -> dict[str, object]:
    return {"partner.count": _count, "partner.boom": _boom,
            "partner.daily": JobKind(handler=_count, every=timedelta(days=1),
                                     params={"items": ["x"]}),
            "partner.narrowed": JobKind(handler=_count, every=timedelta(days=1),
                                        only_for=_only)}


def list_ip_objects_impl(tenant_id: str, kinds: list[str] | None, limit: int) -> list[IpObject]:
    objs = [IpObject(plugin="partner", id="tm-1", tenant_id=tenant_id, kind="trademark",
                     ref="EUTM-1", title="Mark"),
            IpObject(plugin="partner", id="ts-1", tenant_id=tenant_id, kind="trade_secret",
                     ref="TS-1", title="Recipe")]
    return [o for o in objs if not kinds or o.kind in kinds][:limit]


async def screen_text_impl(tenant_id: str, text: str, limit: int) -> list[TextMatch]:
    if "argon" not in text:
        return []
    start = text.index("argon")
    passage = TextPassage(text="argon", matched="under argon", where="content", score=0.9,
                          start=start, end=start + 5)
    return [TextMatch(plugin="partner", object_kind="trade_secret", object_id="ts-1",
                      ref="TS-1", title="Recipe", score=0.9, passages=(passage,), risk="leak"),
            TextMatch(plugin="partner", object_kind="trade_secret", object_id="ts-2",
                      ref="TS-2", title="Other", score=0.95, risk="leak")][:limit]


def _partner() -> types.ModuleType:
    module = types.ModuleType("partner_jobs_hooks")
    module.PLUGIN_INFO = PluginInfo(name="partner", version="1", api_version=1)
    module.register_jobs = hookimpl(register_jobs)
    module.list_ip_objects = hookimpl(specname="list_ip_objects")(list_ip_objects_impl)
    module.screen_text = hookimpl(specname="screen_text")(screen_text_impl)
    return module


@pytest.fixture
async def acme(platform):
    platform.registry.register(_partner())
    return await make_group(platform, "acme")


async def test_a_job_runs_with_progress_errors_and_result_and_is_audited(platform, acme):
    tenant = acme.ids["acme-a"]
    job = await run_job_inline(platform, tenant_id=tenant, kind="partner.count",
                               params={"items": ["a", "bad", "c"]}, actor="user-1")
    assert job.status == "succeeded"
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.result == {"processed": 3, "errors": 1}
    assert job.error_count == 1
    assert job.errors == [{"file": "upload.csv", "document": "row 2", "field": "title",
                           "message": "title is empty"}]
    async with platform.db.tenant_session(tenant) as s:
        actions = (await s.execute(select(AuditEvent.action).where(
            AuditEvent.object_id == job.id).order_by(AuditEvent.seq))).scalars().all()
    assert actions == ["job.requested", "job.succeeded"]


async def test_a_failing_handler_fails_its_job_with_the_reason(platform, acme):
    job = await run_job_inline(platform, tenant_id=acme.ids["acme-a"], kind="partner.boom",
                               actor="u")
    assert job.status == "failed"
    assert "the source file vanished" in job.failure


async def test_bad_requests_are_refused_and_idempotency_keys_dedupe(platform, acme):
    tenant = acme.ids["acme-b"]
    with pytest.raises(InvalidInput) as unknown:
        await enqueue_job(platform, tenant_id=tenant, kind="partner.nope", actor="u")
    assert unknown.value.code == "UNKNOWN_JOB_KIND"
    with pytest.raises(InvalidInput) as not_json:
        await enqueue_job(platform, tenant_id=tenant, kind="partner.count",
                          params={"x": object()}, actor="u")
    assert not_json.value.field == "params"
    first = await enqueue_job(platform, tenant_id=tenant, kind="partner.count", actor="u",
                              idempotency_key="upload-42")
    again = await enqueue_job(platform, tenant_id=tenant, kind="partner.count", actor="u",
                              idempotency_key="upload-42")
    assert first.id == again.id
    async with platform.db.tenant_session(tenant) as s:
        assert (await s.execute(select(func.count()).select_from(Job))).scalar() == 1


async def test_a_job_whose_worker_died_is_resent_and_finished_once(platform, acme):
    tenant = acme.ids["acme-c"]

    class Capture:
        sent: list[tuple[str, str]] = []

        def send(self, kind, job_id, tenant_id, traceparent=None):
            self.sent.append((job_id, tenant_id))

    queue = Capture()
    platform.work.attach(queue)
    job = await enqueue_job(platform, tenant_id=tenant, kind="partner.count",
                            params={"items": ["a"]}, actor="u")
    assert queue.sent == [(job.id, tenant)]
    # a worker claimed it and died: running, lease expired
    async with platform.db.tenant_session(tenant) as s:
        await s.execute(update(Job).where(Job.id == job.id).values(
            status="running", claim_token="dead", lease_until=utcnow() - timedelta(seconds=1),
            enqueued_at=utcnow() - timedelta(minutes=10)))
    queue.sent.clear()
    assert await recover(platform, kinds={"job"}) == 1
    assert queue.sent == [(job.id, tenant)]
    CALLS.clear()
    assert await execute_job(platform, job.id, tenant) == "succeeded"
    assert (await execute_job(platform, job.id, tenant)).startswith("not claimable")
    assert [tenant] == CALLS


async def test_jobs_are_delivered_to_worker_threads_through_the_broker(settings):
    from ipgov.startup import build_platform
    from ipgov.tenancy.services import ensure_platform_tenant
    from ipgov.work.worker import WorkerRuntime

    def factory(s):
        p = build_platform(s)
        p.registry.register(_partner())
        return p

    api = factory(settings)
    runtime = WorkerRuntime(settings, platform_factory=factory)
    worker = runtime.queue.start_worker(1)
    try:
        async with api.db.system_session("t") as s:
            await ensure_platform_tenant(api, s)
        await api.authz.load()
        group = await make_group(api, "acme")
        api.work.attach(runtime.queue)
        job = await enqueue_job(api, tenant_id=group.ids["acme-a"], kind="partner.count",
                                params={"items": ["a", "b"]}, actor="u")
        for _ in range(200):
            async with api.db.tenant_session(group.ids["acme-a"]) as s:
                row = await s.get(Job, job.id)
                if row.status in ("succeeded", "failed"):
                    break
            await asyncio.sleep(0.05)
        assert row.status == "succeeded" and row.result == {"processed": 2, "errors": 0}
    finally:
        await runtime.close_from_other_loop()
        await asyncio.to_thread(worker.stop)
        await api.close()


async def test_periodic_jobs_are_enqueued_once_per_tenant_and_period(platform, acme):
    await schedule_periodic_jobs(platform)
    await schedule_periodic_jobs(platform)  # a second scheduler in the same period
    async with platform.db.system_session("t") as s:
        per_tenant = (await s.execute(select(Job.tenant_id, func.count()).where(
            Job.kind == "partner.daily").group_by(Job.tenant_id))).all()
    assert {t for t, _ in per_tenant} == set(acme.ids.values())
    assert all(n == 1 for _, n in per_tenant)


async def test_a_periodic_kind_can_narrow_its_tenants_and_a_failing_filter_loses_nothing(
        platform, acme):
    async def scheduled() -> set[str]:
        async with platform.db.system_session("t") as s:
            return set((await s.execute(select(Job.tenant_id).where(
                Job.kind == "partner.narrowed"))).scalars())

    ONLY["keep"] = {acme.ids["acme-a"]}
    await schedule_periodic_jobs(platform)
    assert await scheduled() == {acme.ids["acme-a"]}
    ONLY["keep"] = RuntimeError("the plugin's table is gone")
    await schedule_periodic_jobs(platform)  # logged; every candidate gets its job
    assert await scheduled() == set(acme.ids.values())
    ONLY.clear()


JOB = "query($t: ID!, $id: ID!) { job(tenantId: $t, id: $id) { id status result errorCount } }"
JOBS = "query($t: ID!) { jobs(tenantId: $t, first: 5) { edges { node { id kind } } } }"


async def test_jobs_are_read_only_inside_their_tenant(platform, acme, gql):
    globex = await make_group(platform, "globex")
    job = await run_job_inline(platform, tenant_id=acme.ids["acme-a"], kind="partner.count",
                               params={"items": []}, actor="u")
    own = await gql(JOB, {"t": acme.ids["acme-a"], "id": job.id}, token=acme.token("a-admin"))
    assert own["data"]["job"]["status"] == "succeeded"
    listed = await gql(JOBS, {"t": acme.ids["acme-a"]}, token=acme.token("a-viewer"))
    assert [e["node"]["id"] for e in listed["data"]["jobs"]["edges"]] == [job.id]
    # another group's admin, with the right tenant id or with their own
    other = await gql(JOB, {"t": acme.ids["acme-a"], "id": job.id}, token=globex.token("admin"))
    assert other["data"] is None and other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    via_own = await gql(JOB, {"t": globex.ids["globex"], "id": job.id},
                        token=globex.token("admin"))
    assert via_own["errors"][0]["extensions"]["code"] == "JOB_NOT_FOUND"
    # a sibling's admin
    sibling = await gql(JOBS, {"t": acme.ids["acme-a"]}, token=acme.token("b-admin"))
    assert sibling["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_list_ip_objects_and_screen_text_ask_the_enabled_plugins(platform, acme):
    tenant = acme.ids["acme-a"]
    objs = await list_ip_objects(platform, tenant, kinds=["trade_secret"])
    assert [(o.plugin, o.id) for o in objs] == [("partner", "ts-1")]
    matches = await screen_text(platform, tenant, "sintered under argon at 1450 C")
    assert [m.object_id for m in matches] == ["ts-2", "ts-1"]  # best first
    assert matches[1].passages[0].start == "sintered under ".__len__()
    assert await screen_text(platform, tenant, "nothing to see") == []
