"""Rolling back a chain's tail is detected by the witness outside the database (issue 22 13).

The attack: an insider with write access to the database deletes the last events of a chain
and puts back an earlier, genuine head row (seq, hash and MAC as they were). Links, hashes and
the head all check out, so verification used to say "ok". The witness recorded the real head
outside the database after each commit: the real ``ipgov audit verify`` process and GraphQL
now report the rolled-back tail and name its first missing event, with the file witness of the
embedded default and with the Redis witness shared by several replicas.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import delete, select, update

from ipgov.audit.chain import head_mac
from ipgov.audit.models import AuditEvent, AuditHead
from ipgov.audit.verify import ChainVerifier, read_anchors, verify_tenant
from ipgov.startup import build_platform
from tests.conftest import make_group
from tests.security.test_audit_concurrency import settings_env

VERIFY = "query($t: ID!) { verifyAuditTrail(tenantId: $t) { ok status firstBadSeq problem " \
         "witnessedSeq } }"
REDIS_URL = os.environ.get("IPGOV_TEST_REDIS_URL", "")


async def _append(platform, tid: str, n: int) -> None:
    async with platform.db.tenant_session(tid) as s:
        for i in range(n):
            await platform.audit(s, tenant_id=tid, actor="writer", action=f"test.{i}",
                                 object_type="ipgov:tenant", object_id=tid)


async def _roll_back(platform, insider, tid: str, keep: int) -> None:
    """As the insider: delete the events after ``keep`` and restore the head of then."""
    async with insider.system_session("t: read") as s:
        last = (await s.execute(select(AuditEvent.hash).where(
            AuditEvent.tenant_id == tid, AuditEvent.seq == keep))).scalar_one()
    async with insider.system_session("t: roll back") as s:
        await s.execute(delete(AuditEvent).where(AuditEvent.tenant_id == tid,
                                                 AuditEvent.seq > keep))
        await s.execute(update(AuditHead).where(AuditHead.tenant_id == tid).values(
            seq=keep, hash=last, mac=head_mac(platform.audit_key, tid, keep, last)))


async def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    """The real CLI, in a thread: this process's event loop (and its sessions) keep going."""
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "ipgov.cli.main", "audit", *args],
        capture_output=True, text=True, env=settings_env(settings), timeout=180, check=False)


async def test_a_rolled_back_tail_with_a_genuine_head_is_detected(platform, gql, insider,
                                                                 settings):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    await _append(platform, tid, 6)
    async with platform.db.tenant_session(tid) as s:
        total = (await s.execute(select(AuditHead.seq))).scalar_one()
    keep = total - 4
    await _roll_back(platform, insider, tid, keep)
    async with platform.db.tenant_session(tid) as s:  # without the witness: "ok" (the gap)
        assert (await verify_tenant(s, ChainVerifier(platform.audit_key), tid)).ok
    body = await gql(VERIFY, {"t": tid}, token=acme.token("auditor"))
    result = body["data"]["verifyAuditTrail"]
    assert result["ok"] is False and result["status"] == "tampered", result
    assert result["firstBadSeq"] == keep + 1
    assert "tail rolled back" in result["problem"] and f"event {total}" in result["problem"]
    done = await _cli(settings, "verify", "--tenant", tid)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"TAMPERED {tid}  first bad event seq={keep + 1} " in done.stdout, done.stdout
    assert "tail rolled back" in done.stdout


async def test_untouched_chains_are_witnessed_to_their_end(platform, gql, settings):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-b"]
    await _append(platform, tid, 3)
    result = (await gql(VERIFY, {"t": tid}, token=acme.token("auditor")))["data"][
        "verifyAuditTrail"]
    assert result["ok"] and result["status"] == "verified" and result["witnessedSeq"] >= 4
    done = await _cli(settings, "verify", "--tenant", tid)
    assert done.returncode == 0 and f"witnessed up to seq {result['witnessedSeq']}" in \
        done.stdout, done.stdout + done.stderr


async def test_a_witness_written_without_the_key_is_reported(platform, gql):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-c"]
    await _append(platform, tid, 2)
    await read_anchors(platform, [tid])  # stores this process's pending checkpoints
    path = platform.settings.data_dir / "audit-witness" / f"{tid}.json"
    forged = json.loads(path.read_text())
    forged["seq"] += 50  # a checkpoint ahead of the chain, as someone without the key made it
    path.write_text(json.dumps(forged))
    result = (await gql(VERIFY, {"t": tid}, token=acme.token("auditor")))["data"][
        "verifyAuditTrail"]
    assert result["ok"] is False and "witness checkpoint altered" in result["problem"]


async def test_rewitness_accepts_a_restore_and_records_the_loss(platform, insider, settings):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    await _append(platform, tid, 5)
    await read_anchors(platform, [tid])
    await _roll_back(platform, insider, tid, 2)  # as a restore of an old backup would
    asked = await _cli(settings, "rewitness", tid, "--reason", "restored an old backup")
    assert asked.returncode == 1 and "accepting loses events 3 to" in asked.stdout, asked
    done = await _cli(settings, "rewitness", tid, "--reason", "restored an old backup", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (await _cli(settings, "verify", "--tenant", tid)).returncode == 0
    async with platform.db.tenant_session(tid) as s:
        event = (await s.execute(select(AuditEvent).where(
            AuditEvent.action == "audit.witness_reset"))).scalar_one()
    assert event.seq == 3 and event.details["chain_ended_at"] == 2
    assert event.details["reason"] == "restored an old backup"


@pytest.mark.skipif(not REDIS_URL, reason="set IPGOV_TEST_REDIS_URL for the shared witness")
async def test_a_redis_witness_shared_by_two_replicas_catches_the_rollback(settings, insider,
                                                                          tmp_path):
    """Replica A appends; replica B (own data directory, same Redis) sees the rollback."""
    from ipgov.tenancy.services import ensure_platform_tenant

    witness = f"{REDIS_URL}?prefix=ipgov-test-{uuid.uuid4().hex[:8]}"
    audit_key = "ab" * 32
    a = build_platform(dataclasses.replace(settings, audit_witness_url=witness,
                                           audit_key=audit_key))
    b = build_platform(dataclasses.replace(settings, audit_witness_url=witness,
                                           audit_key=audit_key, data_dir=tmp_path / "b"))
    try:
        async with a.db.system_session("test: platform tenant") as s:
            await ensure_platform_tenant(a, s)
        await a.authz.load()
        acme = await make_group(a, "acme")
        tid = acme.ids["acme-a"]
        await _append(a, tid, 4)
        a.witness.flush()
        from ipgov.audit.verify import verify_snapshot
        from ipgov.db import TenantScope

        assert (await verify_snapshot(b, [tid], TenantScope.tenant(tid)))[tid].status == \
            "verified"
        await _roll_back(a, insider, tid, 3)
        result = (await verify_snapshot(b, [tid], TenantScope.tenant(tid)))[tid]
        assert not result.ok and result.first_bad_seq == 4 and "rolled back" in result.problem
    finally:
        await a.close()
        await b.close()


async def test_a_replaced_database_is_not_a_rollback(platform, gql):
    """A fresh database under the same key and data directory (the platform tenant keeps its
    id): its chains are other chains, not rolled-back ones; they say they are unwitnessed."""
    from ipgov.audit.witness import Checkpoint

    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    await read_anchors(platform, [tid])
    platform.witness.store.reset(Checkpoint.make(platform.audit_key, tid, 99, "e" * 64,
                                                 first="f" * 64))  # another chain's head
    result = (await gql(VERIFY, {"t": tid}, token=acme.token("auditor")))["data"][
        "verifyAuditTrail"]
    assert result["ok"] and result["status"] == "verified-unwitnessed", result
    platform.witness.store.reset(Checkpoint.make(platform.audit_key, tid, 99, "e" * 64,
                                                 first=platform.witness.first_hashes[tid]))
    result = (await gql(VERIFY, {"t": tid}, token=acme.token("auditor")))["data"][
        "verifyAuditTrail"]
    assert not result["ok"] and "tail rolled back" in result["problem"]  # the same chain
