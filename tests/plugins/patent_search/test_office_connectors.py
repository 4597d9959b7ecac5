"""Office connectors against a local server replaying recorded real answers (``office_replay``):
the OPS token is fetched once and reused, the pace follows the throttling lights, a 403 quota
stops the run and it resumes where it stopped, a 429 is waited out, a killed worker's run
resumes without fetching again what was finished, the legal events are stored and read
through GraphQL, and a second tenant reaches none of it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from ipgov.api import run_job_inline, utcnow
from patent_search.models import PatentDocument
from patent_search.offices.models import OfficeConnector, OfficeLegalEvent
from tests.conftest import make_group
from tests.plugins.patent_search.office_replay import REPLAY, OfficeReplay, Scripted

KIND = "patent_search.office_refresh"
BIBLIO_EP = "published-data/publication/docdb/EP.2400812.A1/biblio"
BIBLIO_US = "published-data/publication/docdb/US.10047600.B2/biblio"
LEGAL_EP = "family/publication/docdb/EP.2400812.A1/legal"
ACME_OPS = {"consumerKey": "acme-key-0001", "consumerSecret": "acme-secret-s3cr3t"}
GLOBEX_OPS = {"consumerKey": "globex-key-0002", "consumerSecret": "globex-secret-x"}
ACME_ODP = "acme-odp-key-9999"
BUSY = ("busy (images=green:100, inpadoc=yellow:45, other=green:1000, retrieval=green:200, "
        "search=green:30)")
REGISTER = [  # jurisdiction, publication number, application number
    ("EP", "EP2400812A1", ""),
    ("US", "US10047600B2", ""),
    ("US", "US20190223715A1", "16/330,077"),
    ("US", "", "14/412,875"),
]
SET = """mutation($t: ID!, $o: String!, $i: OfficeCredentialsInput!) {
  setOfficeCredentials(tenantId: $t, office: $o, input: $i) {
    connector { office configured credentialHint status } errors { code field message } } }"""
STATUS = """query($t: ID!) { officeConnectors(tenantId: $t) { office available status done total
  configured credentialHint resumeAfter requestsTotal documentsTotal eventsTotal
  lastError { code message messageEn }
  quota { systemState hourlyUsed weeklyUsed pauses services { service colour limit } } } }"""
EVENTS = """query($t: ID!, $p: String, $o: String) { officeLegalEvents(tenantId: $t,
  publicationNumber: $p, office: $o, first: 100) { nodes { office registerNumber
  publicationNumber applicationNumber familyId code date description influence } } }"""
REFRESH = """mutation($t: ID!, $o: String) { refreshFromOffices(tenantId: $t, office: $o) {
  jobId errors { code message } } }"""


@pytest.fixture
def replay(platform):
    server = OfficeReplay().start()
    server.accounts[(ACME_OPS["consumerKey"], ACME_OPS["consumerSecret"])] = "acme"
    server.accounts[(GLOBEX_OPS["consumerKey"], GLOBEX_OPS["consumerSecret"])] = "globex"
    server.api_keys.add(ACME_ODP)
    platform.plugin_config.replace("patent_search", epo_ops_url=server.ops_url,
                                   uspto_odp_url=server.odp_url, office_max_wait_seconds=5)
    yield server
    server.stop()


async def _register(platform, tenant_id: str) -> None:
    from ip_governance.risk_assets.models import IpAsset

    async with platform.tenant_session(tenant_id) as session:
        for jurisdiction, publication, application in REGISTER:
            session.add(IpAsset(tenant_id=tenant_id, kind="patent", status="granted",
                                title=f"register {publication or application}",
                                jurisdiction=jurisdiction, publication_number=publication,
                                application_number=application))


async def _acme(platform, gql, *, odp: bool = False):
    acme = await make_group(platform, "acme")
    tid, token = acme.ids["acme-a"], acme.token("a-admin")
    await _register(platform, tid)
    done = await gql(SET, {"t": tid, "o": "epo_ops", "i": ACME_OPS}, token)
    assert done["data"]["setOfficeCredentials"]["errors"] == [], done
    if odp:
        done = await gql(SET, {"t": tid, "o": "uspto_odp", "i": {"apiKey": ACME_ODP}}, token)
        assert done["data"]["setOfficeCredentials"]["errors"] == [], done
    return acme, tid, token


async def _run(platform, tid: str, office: str | None = "epo_ops") -> dict:
    job = await run_job_inline(platform, tenant_id=tid, kind=KIND,
                               params={"office": office} if office else {}, actor="test")
    assert job.status == "succeeded", job.failure
    return job.result["offices"]


async def _connector(gql, tid: str, token: str, office: str = "epo_ops",
                     headers: dict | None = None) -> dict:
    if headers:
        answer = (await gql.post(STATUS, {"t": tid}, token, headers=headers)).json()
    else:
        answer = await gql(STATUS, {"t": tid}, token)
    return next(c for c in answer["data"]["officeConnectors"] if c["office"] == office)


async def test_a_refresh_stores_documents_and_legal_events_with_one_token(platform, gql,
                                                                          replay):
    acme, tid, token = await _acme(platform, gql, odp=True)
    outcome = await _run(platform, tid, office=None)
    assert outcome["epo_ops"]["status"] == "completed", outcome
    assert outcome["uspto_odp"]["status"] == "completed", outcome
    assert outcome["epo_ops"]["total"] == 3 and outcome["uspto_odp"]["total"] == 2
    # one token for every OPS request of the run, and again for a second run in the process
    assert len(replay.requests("/auth/accesstoken")) == 1
    assert len(replay.requests("/rest-services/")) == 6
    await _run(platform, tid)
    assert len(replay.requests("/auth/accesstoken")) == 1
    assert len(replay.requests("/rest-services/")) == 12  # a new run refreshes every number
    events = (await gql(EVENTS, {"t": tid, "p": "EP-2400812-A1"}, token))["data"]
    codes = sorted(e["code"] for e in events["officeLegalEvents"]["nodes"])
    assert codes == ["17P", "17Q", "AK", "AX", "INTG"]  # stored once although fetched twice
    ak = next(e for e in events["officeLegalEvents"]["nodes"] if e["code"] == "AK")
    assert ak == {"office": "epo_ops", "registerNumber": "EP-2400812-A1",
                  "publicationNumber": "EP-2400812-A1", "applicationNumber": "10167109",
                  "familyId": "43088294", "code": "AK", "date": "2011-12-28",
                  "description": "DESIGNATED CONTRACTING STATES", "influence": "+"}
    odp = (await gql(EVENTS, {"t": tid, "o": "uspto_odp"}, token))["data"]
    odp_events = odp["officeLegalEvents"]["nodes"]
    assert len(odp_events) == 12  # every recorded transaction, each once
    first = next(e for e in odp_events if e["code"] == "M1551")
    assert (first["applicationNumber"], first["date"], first["description"]) == (
        "14412875", "2023-12-04", "Payment of Maintenance Fee, 4th Year, Large Entity")
    async with platform.read_session(tid) as session:
        docs = {d.publication_number: d for d in (await session.execute(
            select(PatentDocument))).scalars()}
    assert docs["EP-2400812-A1"].title == "BLUETOOTH NETWORKING"
    assert docs["US-11759105-B2"].application_number == "16330077"  # ODP's grant of 16/330,077
    assert "US-10047600-B2" in docs
    status = await _connector(gql, tid, token)
    assert (status["status"], status["done"], status["total"], status["lastError"]) == (
        "completed", 3, 3, None)
    assert status["configured"] and status["credentialHint"] == "…0001"
    cnipa = await _connector(gql, tid, token, "cnipa")
    assert (cnipa["available"], cnipa["status"], cnipa["lastError"]["code"]) == (
        False, "not_available", "OFFICE_NOT_AVAILABLE")


async def test_credentials_are_sealed_and_never_returned(platform, gql, replay):
    acme, tid, token = await _acme(platform, gql)
    answer = (await gql.post(STATUS, {"t": tid}, token)).text
    assert ACME_OPS["consumerSecret"] not in answer and ACME_OPS["consumerKey"] not in answer
    async with platform.read_session(tid) as session:
        row = (await session.execute(select(OfficeConnector))).scalar_one()
    assert ACME_OPS["consumerSecret"] not in row.sealed_credentials
    refused = await gql(SET, {"t": tid, "o": "cnipa", "i": {}}, token)
    assert refused["data"]["setOfficeCredentials"]["errors"][0]["code"] == "OFFICE_NOT_AVAILABLE"
    empty = await gql(SET, {"t": tid, "o": "epo_ops", "i": {"consumerKey": "k"}}, token)
    assert empty["data"]["setOfficeCredentials"]["errors"][0]["field"] == "input.consumer_secret"


async def test_throttling_lights_slow_the_requests_down(platform, gql, replay):
    acme, tid, token = await _acme(platform, gql)
    replay.throttling = BUSY  # inpadoc yellow at 45 a minute: 60/45 s between its requests
    replay.extra_headers = {"X-IndividualQuotaPerHour-Used": "3006",
                            "X-RegisteredQuotaPerWeek-Used": "900006"}
    await _run(platform, tid)
    legal = [s.at for s in replay.requests("family/publication")]
    biblio = [s.at for s in replay.requests("published-data/publication")]
    assert len(legal) == 3
    assert min(b - a for a, b in zip(legal, legal[1:], strict=False)) >= 60 / 45 - 0.05
    assert max(b - a for a, b in zip(biblio, biblio[1:], strict=False)) < 60 / 45 + 0.5
    status = await _connector(gql, tid, token)
    assert status["quota"]["systemState"] == "busy"
    assert {"service": "inpadoc", "colour": "yellow", "limit": 45} in status["quota"]["services"]
    assert (status["quota"]["hourlyUsed"], status["quota"]["weeklyUsed"]) == (3006, 900006)
    assert status["quota"]["pauses"] >= 2
    # the same run with green lights does not pause
    replay.throttling = BUSY.replace("yellow", "green")
    started = len(replay.log)
    await _run(platform, tid)
    green = [s.at for s in replay.log[started:] if "family/publication" in s.path]
    assert max(b - a for a, b in zip(green, green[1:], strict=False)) < 60 / 45 - 0.3


async def test_a_black_light_stops_the_run_until_the_suspension_is_over(platform, gql, replay):
    acme, tid, token = await _acme(platform, gql)
    snapshot = (REPLAY / "ops-throttling-headers.txt").read_text().splitlines()[1]
    assert "retrieval=black:0" in snapshot
    replay.script[BIBLIO_EP].append(Scripted(200, (REPLAY.parent / "office_api" /
                                                   "ops-biblio-EP2400812A1.xml").read_bytes(),
                                             {"X-Throttling-Control": snapshot,
                                              "Retry-After": "120000"}))
    outcome = (await _run(platform, tid))["epo_ops"]
    assert (outcome["status"], outcome["code"], outcome["done"]) == ("stopped",
                                                                     "OFFICE_THROTTLED", 1)
    status = await _connector(gql, tid, token)
    assert status["status"] == "throttled" and status["lastError"]["code"] == "OFFICE_THROTTLED"
    assert len(replay.requests(BIBLIO_US)) == 0  # never asked while the service was black


@pytest.mark.parametrize(("headers", "fault", "code", "status"), [
    ({"X-Rejection-Reason": "RegisteredQuotaPerWeek"}, "ops-fault-403-quota-week.xml",
     "OFFICE_QUOTA_WEEKLY", "quota_exceeded"),
    ({"X-Rejection-Reason": "IndividualQuotaPerHour"}, "ops-fault-403-quota-week.xml",
     "OFFICE_QUOTA_HOURLY", "quota_exceeded"),
    ({}, "ops-fault-403-robot.xml", "OFFICE_ROBOT_DETECTED", "throttled"),
])
async def test_a_403_quota_stops_the_run_and_the_next_one_resumes_it(platform, gql, replay,
                                                                      headers, fault, code,
                                                                      status):
    acme, tid, token = await _acme(platform, gql)
    replay.script[BIBLIO_US].append(Scripted(403, (REPLAY / fault).read_bytes(), headers))
    outcome = (await _run(platform, tid))["epo_ops"]
    assert (outcome["status"], outcome["code"], outcome["done"]) == ("stopped", code, 1)
    shown = await _connector(gql, tid, token, headers={"Accept-Language": "zh-CN"})
    assert (shown["status"], shown["done"], shown["lastError"]["code"]) == (status, 1, code)
    assert shown["resumeAfter"] is not None
    assert "EPO OPS" in shown["lastError"]["messageEn"]
    assert shown["lastError"]["message"] != shown["lastError"]["messageEn"]  # in Chinese
    assert any("\u4e00" <= ch <= "\u9fff" for ch in shown["lastError"]["message"])
    # asked again before the quota frees: no request at all
    before = len(replay.log)
    assert (await _run(platform, tid))["epo_ops"]["status"] == "waiting"
    assert len(replay.log) == before
    # the quota freed (time moved on): the run resumes at the number it stopped at
    async with platform.tenant_session(tid) as session:
        await session.execute(update(OfficeConnector).values(
            resume_after=utcnow() - timedelta(seconds=1)))
    outcome = (await _run(platform, tid))["epo_ops"]
    assert (outcome["status"], outcome["resumed_at"]) == ("completed", 1)
    assert len(replay.requests(BIBLIO_EP)) == 1 and len(replay.requests(LEGAL_EP)) == 1
    assert [s.status for s in replay.requests(BIBLIO_US)] == [403, 200]
    assert (await _connector(gql, tid, token))["lastError"] is None


async def test_a_429_is_waited_out_and_a_long_one_stops_the_run(platform, gql, replay):
    acme, tid, token = await _acme(platform, gql)
    body = (REPLAY / "ops-fault-429.xml").read_bytes()
    replay.script[BIBLIO_EP].append(Scripted(429, body, {"Retry-After": "1"}))
    outcome = (await _run(platform, tid))["epo_ops"]
    assert outcome["status"] == "completed"
    tried = replay.requests(BIBLIO_EP)
    assert [s.status for s in tried] == [429, 200] and tried[1].at - tried[0].at >= 0.95
    replay.script[BIBLIO_EP].append(Scripted(429, body, {"Retry-After": "3600"}))
    outcome = (await _run(platform, tid))["epo_ops"]
    assert (outcome["status"], outcome["code"], outcome["done"]) == ("stopped",
                                                                     "OFFICE_THROTTLED", 0)
    shown = await _connector(gql, tid, token)
    assert shown["status"] == "throttled"
    assert shown["lastError"]["messageEn"].startswith("EPO OPS answered 429")


_WORKER = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from ipgov.settings import Settings
    from ipgov.startup import build_platform
    from ipgov.api import run_job_inline

    async def main():
        platform = build_platform(Settings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2]))
        await platform.authz.load()
        await run_job_inline(platform, tenant_id=sys.argv[3], kind=sys.argv[4],
                             params={"office": "epo_ops"}, actor="worker")

    asyncio.run(main())
""")


async def test_a_killed_worker_resumes_without_fetching_again(platform, gql, replay, backend,
                                                              tmp_path):
    if backend != "sqlite":
        pytest.skip("the worker process shares the test's SQLite file")
    acme, tid, token = await _acme(platform, gql)
    replay.hang["/3.2/rest-services/" + BIBLIO_US] = hang = threading.Event()
    env = {**os.environ, "IPGOV_PATENT_EPO_OPS_URL": replay.ops_url,
           "PYTHONPATH": os.pathsep.join(sys.path)}
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _WORKER, str(platform.settings.data_dir),
         platform.settings.database_url, tid, KIND], env=env, cwd=Path(__file__).parents[3])
    try:
        for _ in range(600):
            if replay.hanging.is_set() or worker.poll() is not None:
                break
            await asyncio.sleep(0.05)
        assert replay.hanging.is_set(), "the worker never reached the second number"
        worker.send_signal(signal.SIGKILL)  # killed mid-request: number 2 is not finished
        worker.wait(10)
    finally:
        hang.set()
        if worker.poll() is None:
            worker.kill()
    async with platform.read_session(tid) as session:
        row = (await session.execute(select(OfficeConnector))).scalar_one()
        assert (row.cursor, row.status) == (1, "running")  # number 1 committed with its step
        kept = (await session.execute(select(OfficeLegalEvent))).scalars().all()
    assert len(kept) == 5  # what the killed worker fetched is not lost
    del replay.hang["/3.2/rest-services/" + BIBLIO_US]
    outcome = (await _run(platform, tid))["epo_ops"]
    assert (outcome["status"], outcome["resumed_at"]) == ("completed", 1)
    assert len(replay.requests(BIBLIO_EP)) == 1 and len(replay.requests(LEGAL_EP)) == 1
    async with platform.read_session(tid) as session:
        assert len((await session.execute(select(OfficeLegalEvent))).scalars().all()) == 5


async def test_another_tenant_reaches_none_of_it(platform, gql, replay):
    acme, tid, token = await _acme(platform, gql, odp=True)
    await _run(platform, tid, office=None)
    globex = await make_group(platform, "globex")
    other, other_token = globex.ids["globex-a"], globex.token("a-admin")
    # acme's rows through acme's id: refused
    for query in (STATUS, EVENTS):
        refused = await gql(query, {"t": tid}, other_token)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused
    forged = await gql(SET, {"t": tid, "o": "epo_ops", "i": GLOBEX_OPS}, other_token)
    assert forged["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    started = await gql(REFRESH, {"t": tid, "o": "epo_ops"}, other_token)
    assert started["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # globex's own view is empty, and its own run uses its own account on its own register
    assert (await gql(EVENTS, {"t": other}, other_token))["data"]["officeLegalEvents"][
        "nodes"] == []
    status = await _connector(gql, other, other_token)
    assert (status["configured"], status["done"], status["total"]) == (False, 0, 0)
    assert (await _run(platform, other))["epo_ops"]["status"] == "not_configured"
    done = await gql(SET, {"t": other, "o": "epo_ops", "i": GLOBEX_OPS}, other_token)
    assert done["data"]["setOfficeCredentials"]["errors"] == []
    seen = len(replay.log)
    outcome = (await _run(platform, other))["epo_ops"]
    assert (outcome["status"], outcome["total"]) == ("completed", 0)  # acme's numbers unseen
    assert [s.credential for s in replay.log[seen:]] == []  # nothing asked for globex
    async with platform.read_session(other) as session:
        assert (await session.execute(select(OfficeLegalEvent))).scalars().all() == []
        assert (await session.execute(select(PatentDocument))).scalars().all() == []
    # a job of globex's cannot read acme's connector, even by its id
    async with platform.read_session(tid) as session:
        acme_row = (await session.execute(select(OfficeConnector).where(
            OfficeConnector.office == "epo_ops"))).scalar_one()
    async with platform.read_session(other) as session:
        assert await session.get(OfficeConnector, acme_row.id) is None
    assert (await _connector(gql, tid, token))["done"] == 3  # acme's cursor untouched


def test_the_throttling_header_reads_as_ops_writes_it():
    from patent_search.offices.throttle import parse_throttling

    snapshot, guide = (REPLAY / "ops-throttling-headers.txt").read_text().splitlines()[1:3]
    state, services = parse_throttling(snapshot)
    assert state == "idle" and services["retrieval"] == ("black", 0)
    assert services["inpadoc"] == ("yellow", 50) and services["other"] == ("red", 5)
    assert parse_throttling(guide)[1]["search"] == ("yellow", 20)
    assert parse_throttling(BUSY) == ("busy", {"images": ("green", 100),
                                               "inpadoc": ("yellow", 45),
                                               "other": ("green", 1000),
                                               "retrieval": ("green", 200),
                                               "search": ("green", 30)})
    assert parse_throttling("garbage") == ("", {})


async def test_a_token_the_office_no_longer_takes_is_bought_again_once(platform, gql, replay):
    acme, tid, token = await _acme(platform, gql)
    await _run(platform, tid)
    replay.issued.clear()  # OPS expired every token early
    assert (await _run(platform, tid))["epo_ops"]["status"] == "completed"
    assert len(replay.requests("/auth/accesstoken")) == 2
    refused = [s for s in replay.requests("/rest-services/") if s.status == 400]
    assert len(refused) == 1  # one answer "invalid_access_token", then the new token


async def test_an_answer_over_the_size_cap_is_skipped_and_the_run_goes_on(platform, gql,
                                                                         replay):
    acme, tid, token = await _acme(platform, gql)
    platform.plugin_config.replace("patent_search", office_max_answer_bytes=10_000)
    job = await run_job_inline(platform, tenant_id=tid, kind=KIND,
                               params={"office": "epo_ops"}, actor="test")
    assert job.result["offices"]["epo_ops"]["status"] == "completed"
    too_large = [e for e in job.errors if "more than 10000 bytes" in e["message"]]
    assert {e["document"] for e in too_large} == {"EP-2400812-A1", "US-10047600-B2"}
    assert (await _connector(gql, tid, token))["done"] == 3


async def test_refused_credentials_stop_until_they_are_set_again(platform, gql, replay):
    acme, tid, token = await _acme(platform, gql)
    replay.accounts.clear()  # the account was closed
    outcome = (await _run(platform, tid))["epo_ops"]
    assert (outcome["status"], outcome["code"]) == ("stopped", "OFFICE_AUTH_FAILED")
    assert (await _run(platform, tid))["epo_ops"]["status"] == "needs_credentials"
    assert len(replay.requests("/auth/accesstoken")) == 1  # not asked again
    replay.accounts[(ACME_OPS["consumerKey"], ACME_OPS["consumerSecret"])] = "acme"
    await gql(SET, {"t": tid, "o": "epo_ops", "i": ACME_OPS}, token)
    started = await gql(REFRESH, {"t": tid, "o": "epo_ops"}, token)
    assert started["data"]["refreshFromOffices"]["errors"] == []
    cnipa = await gql(REFRESH, {"t": tid, "o": "cnipa"}, token)
    assert cnipa["data"]["refreshFromOffices"]["errors"][0]["code"] == "OFFICE_NOT_AVAILABLE"


async def test_the_periodic_refresh_is_scheduled_only_where_a_connector_is_set_up(
        platform, gql, replay):
    """Before: the 6-hourly refresh made a job row for every tenant with the plugin, with or
    without an office account (40,000 empty rows a day at 10,000 tenants)."""
    from ipgov.jobs.models import Job
    from ipgov.jobs.service import schedule_periodic_jobs

    _acme_group, tid, _token = await _acme(platform, gql)
    globex = await make_group(platform, "globex")
    await schedule_periodic_jobs(platform)
    async with platform.db.system_session("test: jobs") as session:
        rows = (await session.execute(select(Job.kind, Job.tenant_id))).all()
    refreshed = {t for kind, t in rows if kind == KIND}
    assert refreshed == {tid}, refreshed
    # other periodic kinds of the same plugins still reach the tenant without a connector
    assert any(t == globex.ids["globex-a"] for kind, t in rows if kind != KIND), rows
