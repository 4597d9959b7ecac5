"""Verifying audit chains while events are being appended never raises a false alarm.

A false alarm in an integrity control is as serious as a missed tampering (issue 22 item 12):
every path that verifies a chain (GraphQL ``verifyAuditTrail``, the supervision trail and
overview, the review check ``core.audit_trail_intact`` and the real ``ipgov audit verify``
process) runs again and again while other connections append to the same chains, and every
single verification must say ``ok``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

import pytest

from ipgov.reviews.checks import CheckContext
from ipgov.reviews.core_checks import CORE_CHECKS
from ipgov.reviews.runner import tenant_view
from ipgov.runtime import platform_var
from tests.conftest import make_group

VERIFY = "query($t: ID!) { verifyAuditTrail(tenantId: $t) { ok events problem } }"
TRAIL = """query($t: ID!) { supervisionAuditTrail(tenantId: $t, first: 1) {
  verification { ok events problem } } }"""
OVERVIEW = "{ supervisionOverview(first: 10) { edges { node { tenant { slug } auditTrail { ok " \
           "problem } } } } }"
ROUNDS = 30  # the suite's run; the soak run (-m soak) does SOAK_ROUNDS
SOAK_ROUNDS = 300


def settings_env(settings) -> dict[str, str]:
    """The environment that makes a CLI process use the test's databases and data dir."""
    env = {**os.environ, "IPGOV_DATA_DIR": str(settings.data_dir),
           "IPGOV_DATABASE_URL": settings.database_url}
    for name in ("app_database_url", "system_database_url", "audit_witness_url"):
        value = getattr(settings, name, "")
        if value:
            env[f"IPGOV_{name.upper()}"] = value
    return env


async def _append_until(platform, tids: list[str], stop: asyncio.Event, counter: list[int]):
    i = 0
    while not stop.is_set():
        tid = tids[i % len(tids)]
        async with platform.db.tenant_session(tid) as s:
            await platform.audit(s, tenant_id=tid, actor="writer", action="test.append",
                                 object_type="ipgov:tenant", object_id=tid, details={"i": i})
        i += 1
        counter[0] += 1
        await asyncio.sleep(0)


async def _check_once(platform, tid: str) -> str:
    check = next(c for c in CORE_CHECKS if c.id == "core.audit_trail_intact")
    view = await tenant_view(platform, tid)
    token = platform_var.set(platform)
    try:
        async with platform.db.tenant_session(tid) as s:
            ctx = CheckContext(session=s, tenant=view, now=datetime.now(UTC), run_id="t")
            findings = await check.run(ctx)
    finally:
        platform_var.reset(token)
    return "; ".join(f.evidence.get("problem", "") for f in findings)


async def _cli_verify(settings, tid: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ipgov.cli.main", "audit", "verify", "--tenant", tid,
        env=settings_env(settings), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=180)
    return proc.returncode, (out + err).decode()


async def test_verifications_beside_appends_never_report_tampering(platform, gql, settings):
    await _verify_beside_appends(platform, gql, settings, ROUNDS)


@pytest.mark.soak
async def test_verifications_beside_appends_soak(platform, gql, settings):
    await _verify_beside_appends(platform, gql, settings, SOAK_ROUNDS)


async def _verify_beside_appends(platform, gql, settings, rounds: int) -> None:
    group = await make_group(platform, "acme")
    tids = [group.ids["acme-a"], group.ids["acme-b"], group.ids["acme"]]
    auditor = group.token("auditor")
    stop, appended = asyncio.Event(), [0]
    writers = [asyncio.create_task(_append_until(platform, tids, stop, appended))
               for _ in range(3)]
    alarms: list[str] = []
    try:
        cli = [asyncio.create_task(_cli_verify(settings, tids[0])) for _ in range(2)]
        for i in range(rounds):
            tid = tids[i % len(tids)]
            body = await gql(VERIFY, {"t": tid}, token=auditor)
            if not body["data"]["verifyAuditTrail"]["ok"]:
                alarms.append(f"verifyAuditTrail: {body['data']['verifyAuditTrail']}")
            body = await gql(TRAIL, {"t": tid}, token=auditor)
            verification = body["data"]["supervisionAuditTrail"]["verification"]
            if not verification["ok"]:
                alarms.append(f"supervisionAuditTrail: {verification}")
            body = await gql(OVERVIEW, token=auditor)
            assert body.get("data"), body  # what the server answered instead
            for edge in body["data"]["supervisionOverview"]["edges"]:
                if not edge["node"]["auditTrail"]["ok"]:
                    alarms.append(f"supervisionOverview: {edge['node']}")
            problem = await _check_once(platform, tid)
            if problem:
                alarms.append(f"core.audit_trail_intact: {problem}")
        for code, output in await asyncio.gather(*cli):
            if code != 0 or "TAMPERED" in output:
                alarms.append(f"ipgov audit verify: {output}")
    finally:
        stop.set()
        await asyncio.gather(*writers)
    assert appended[0] > rounds, "the writers must really have run beside the verifications"
    assert not alarms, f"{len(alarms)} false alarms, e.g. {alarms[:3]}"
    for tid in tids:  # and, now that the writers stopped, every chain verifies
        assert (await gql(VERIFY, {"t": tid}, token=auditor))["data"]["verifyAuditTrail"]["ok"]
