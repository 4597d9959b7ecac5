"""The hash-chained audit trail detects edits, deletions, reordering and truncation."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from ipgov.audit.models import AuditEvent, AuditHead


async def _chain(platform, n: int = 5) -> str:
    from tests.conftest import make_group

    group = await make_group(platform, "acme")
    tid = group.ids["acme-a"]
    async with platform.db.tenant_session(tid) as s:
        for i in range(n):
            await platform.audit(s, tenant_id=tid, actor="t", action=f"test.{i}",
                                 object_type="ipgov:tenant", object_id=tid, details={"i": i})
    return tid


async def _verify(platform, tid):
    from ipgov.audit.verify import verify_snapshot
    from ipgov.db import TenantScope

    return (await verify_snapshot(platform, [tid], TenantScope.tenant(tid)))[tid]


async def test_untouched_chain_verifies(platform):
    tid = await _chain(platform)
    result = await _verify(platform, tid)
    assert result.ok and result.events >= 6


async def _seq_id(platform, tid, seq):
    async with platform.db.tenant_session(tid) as s:
        return (await s.execute(select(AuditEvent.id).where(AuditEvent.seq == seq))).scalar_one()


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "truncate", "forge_head"])
async def test_tampering_is_detected_and_named(platform, tamper, insider):
    tid = await _chain(platform)
    async with insider.tenant_session(tid) as s:  # the app role may not touch events
        last = (await s.execute(select(AuditHead.seq))).scalar_one()
        if tamper == "edit":
            await s.execute(update(AuditEvent).where(AuditEvent.seq == 3)
                            .values(actor="mallory"))
            expected = 3
        elif tamper == "delete":
            await s.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
            expected = 3
        elif tamper == "reorder":
            await s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(seq=-2))
            await s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(seq=2))
            await s.execute(update(AuditEvent).where(AuditEvent.seq == -2).values(seq=3))
            expected = 2
        elif tamper == "truncate":
            await s.execute(delete(AuditEvent).where(AuditEvent.seq == last))
            expected = last
        else:
            await s.execute(update(AuditHead).values(seq=last + 1))
            expected = last + 1
    result = await _verify(platform, tid)
    assert not result.ok
    assert result.first_bad_seq == expected
    assert result.problem


async def test_verify_through_graphql_and_cli(platform, gql, settings, insider):
    from tests.conftest import make_group

    group = await make_group(platform, "acme")
    tid = group.ids["acme-a"]
    data = await gql("query($t: ID!) { verifyAuditTrail(tenantId: $t) { ok events } }",
                     {"t": tid}, token=group.token("auditor"))
    assert data["data"]["verifyAuditTrail"]["ok"] is True
    async with insider.tenant_session(tid) as s:
        await s.execute(update(AuditEvent).where(AuditEvent.seq == 1).values(action="x"))
    data = await gql("query($t: ID!) { verifyAuditTrail(tenantId: $t) { ok firstBadSeq } }",
                     {"t": tid}, token=group.token("auditor"))
    assert data["data"]["verifyAuditTrail"] == {"ok": False, "firstBadSeq": 1}
