"""Audit tampering (Crosby & Wallach): random edits, deletions, reorderings, truncations,
forgeries, moves and tail rollbacks of the hash-chained trail are all detected, and the first
bad event named.

One chain is built once per test; each tampering runs as the insider (the owner connection:
the app and system roles may not update or delete events) inside a transaction that is rolled
back, and is verified by ``verify_tenant`` in that transaction against the witness checkpoints
(read once, like ``ipgov audit verify`` reads them before its snapshot); the real CLI and
GraphQL run for committed tamperings, the tail rollback of issue 22 item 13 among them.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update

from ipgov.audit.chain import AuditKey, event_digest, head_mac
from ipgov.audit.models import AuditEvent, AuditHead
from ipgov.audit.verify import read_anchors, verify_tenant
from tests.conftest import make_group

EVENTS = 24
RUNS = {"sqlite": 1_000, "postgres": 300}  # default suite; the soak run does 10,000 each
FIELDS = ("actor", "action", "object_type", "object_id", "request_id", "details",
          "occurred_at", "prev_hash", "hash")
KINDS = ("edit", "delete", "reorder", "truncate", "truncate_and_rewrite_head", "forge_append",
         "forge_append_and_head", "forge_replace", "move_to_other_tenant", "renumber",
         "rollback_tail_restore_head")
WRONG_KEY = AuditKey(b"mallory does not know the real key")


class Rollback(Exception):
    """Raised to roll a tampering back once it has been verified."""


@dataclass(frozen=True)
class Chain:
    """A tenant's chain: its id, another tenant's id and the events by seq (as columns)."""

    tenant_id: str
    other_id: str
    events: dict[int, dict]
    key: AuditKey


async def _chains(platform, slugs: tuple[str, ...] = ("acme-a",)) -> dict[str, Chain]:
    """One group; ``EVENTS`` more events in each named tenant's chain, read back as columns."""
    group = await make_group(platform, "acme")
    chains = {}
    for slug in slugs:
        tid = group.ids[slug]
        other = group.ids["acme-b" if slug != "acme-b" else "acme-c"]
        async with platform.db.tenant_session(tid) as s:
            for i in range(EVENTS):
                await platform.audit(s, tenant_id=tid, actor=f"user-{i % 3}",
                                     action=f"test.{i}", object_type="ipgov:tenant",
                                     object_id=tid, details={"i": i, "note": "导出 export"})
        async with platform.db.system_session("t: read chain") as s:
            rows = (await s.execute(select(AuditEvent).where(AuditEvent.tenant_id == tid))
                    ).scalars()
            events = {e.seq: {c.key: getattr(e, c.key) for c in AuditEvent.__table__.columns}
                      for e in rows}
        chains[slug] = Chain(tid, other, events, platform.audit_key)
    return chains


async def _build(platform) -> Chain:
    return (await _chains(platform))["acme-a"]


def _changed(field: str, value, rng: random.Random):
    if field == "details":
        return {**value, "i": -1} if rng.random() < 0.5 else {**value, "extra": True}
    if field == "occurred_at":
        from datetime import timedelta

        return value + timedelta(microseconds=rng.choice([1, -1, 1000, 86_400_000_000]))
    if field in ("prev_hash", "hash"):
        flipped = "0" if value[-1] != "0" else "1"
        return value[:-1] + flipped if rng.random() < 0.5 else "f" * 64
    return value + rng.choice(["x", " ", "\u200b"]) if value else "x"


def _forged(chain: Chain, seq: int, prev: str) -> dict:
    """An event forged without the key: plausible fields, hash under the wrong key."""
    row = dict(chain.events[1], id=f"f0000000-0000-4000-8000-{seq:012d}", seq=seq,
               action="forged.grant", actor="mallory", prev_hash=prev)
    row["hash"] = event_digest(WRONG_KEY, AuditEvent(**row))
    return row


async def _tamper(s, chain: Chain, kind: str, rng: random.Random) -> int:
    """Apply one tampering in session ``s``; return the seq verification must name."""
    n, tid = len(chain.events), chain.tenant_id
    k = rng.randint(1, n)
    where = (AuditEvent.tenant_id == tid)
    if kind == "edit":
        field = rng.choice(FIELDS)
        await s.execute(update(AuditEvent).where(where, AuditEvent.seq == k).values(
            {field: _changed(field, chain.events[k][field], rng)}))
        return k
    if kind in ("delete", "move_to_other_tenant"):
        stmt = update(AuditEvent).values(tenant_id=chain.other_id, seq=10_000 + k) \
            if kind == "move_to_other_tenant" else delete(AuditEvent)
        await s.execute(stmt.where(where, AuditEvent.seq == k))
        return k + 1 if k < n else n
    if kind == "reorder":
        i, j = sorted(rng.sample(range(1, n + 1), 2))
        await s.execute(update(AuditEvent).where(where, AuditEvent.seq == i).values(seq=-1))
        await s.execute(update(AuditEvent).where(where, AuditEvent.seq == j).values(seq=i))
        await s.execute(update(AuditEvent).where(where, AuditEvent.seq == -1).values(seq=j))
        return i
    if kind == "renumber":  # close the gap a deletion left, to hide it
        await s.execute(delete(AuditEvent).where(where, AuditEvent.seq == k))
        for seq in range(k + 1, n + 1):
            await s.execute(update(AuditEvent).where(where, AuditEvent.seq == seq)
                            .values(seq=seq - 1))
        await s.execute(update(AuditHead).where(AuditHead.tenant_id == tid).values(seq=n - 1))
        return k if k < n else n - 1
    if kind == "rollback_tail_restore_head":  # issue 22 item 13: an earlier, genuine head
        k = max(k, 2)
        await _rollback(s, chain, k)
        return k
    if kind.startswith("truncate"):
        await s.execute(delete(AuditEvent).where(where, AuditEvent.seq >= k))
        if kind == "truncate_and_rewrite_head":
            last = chain.events[k - 1]["hash"] if k > 1 else "0" * 64
            await s.execute(update(AuditHead).where(AuditHead.tenant_id == tid)
                            .values(seq=k - 1, hash=last))
            return k - 1
        return k
    if kind == "forge_replace":
        row = _forged(chain, k, chain.events[k]["prev_hash"])
        await s.execute(update(AuditEvent).where(where, AuditEvent.seq == k).values(
            action=row["action"], actor=row["actor"], hash=row["hash"]))
        return k
    row = _forged(chain, n + 1, chain.events[n]["hash"])
    await s.execute(insert(AuditEvent).values(**row))
    if kind == "forge_append_and_head":
        await s.execute(update(AuditHead).where(AuditHead.tenant_id == tid)
                        .values(seq=n + 1, hash=row["hash"]))
    return n + 1


async def _rollback(s, chain: Chain, k: int) -> None:
    """Delete events ``k``.. and put back the head row as it was after event ``k - 1``."""
    tid, last = chain.tenant_id, chain.events[k - 1]["hash"]
    await s.execute(delete(AuditEvent).where(AuditEvent.tenant_id == tid, AuditEvent.seq >= k))
    await s.execute(update(AuditHead).where(AuditHead.tenant_id == tid).values(
        seq=k - 1, hash=last, mac=head_mac(chain.key, tid, k - 1, last)))


async def _verify(platform, tenant_id: str):
    verifier = await read_anchors(platform, [tenant_id])
    async with platform.db.system_session("cli: audit verify") as s:
        return await verify_tenant(s, verifier, tenant_id)


async def test_random_tamperings_are_all_detected(platform, backend, insider):
    await _tamper_and_verify(platform, insider, backend, RUNS[backend], seed=20260409)


@pytest.mark.soak
async def test_ten_thousand_random_tamperings_are_all_detected(platform, backend, insider):
    await _tamper_and_verify(platform, insider, backend, 10_000, seed=56005)


async def _tamper_and_verify(platform, insider, backend: str, runs: int, seed: int) -> None:
    chain = await _build(platform)
    assert (await _verify(platform, chain.tenant_id)).ok
    verifier = await read_anchors(platform, [chain.tenant_id])
    assert verifier.anchors[chain.tenant_id].seq == len(chain.events)  # witnessed to the end
    rng = random.Random(seed)
    missed, misnamed, seen = [], [], dict.fromkeys(KINDS, 0)
    for i in range(runs):
        kind = KINDS[i % len(KINDS)]
        seen[kind] += 1
        try:
            async with insider.system_session("t: tamper") as s:
                expected = await _tamper(s, chain, kind, rng)
                result = await verify_tenant(s, verifier, chain.tenant_id)
                raise Rollback
        except Rollback:
            pass
        if result.ok:
            missed.append((i, kind))
        elif result.first_bad_seq != expected:
            misnamed.append((i, kind, expected, result.first_bad_seq, result.problem))
    assert not missed, f"undetected: {missed[:10]} of {runs}"
    assert not misnamed, f"wrong first bad event: {misnamed[:10]}"
    assert min(seen.values()) >= runs // len(KINDS)
    assert (await _verify(platform, chain.tenant_id)).ok  # every tampering was rolled back
    print(f"\n{runs} tamperings on {backend}: 100% detected, first bad event named; {seen}")


async def test_wiping_a_whole_chain_is_detected(platform, insider):
    chain = await _build(platform)
    async with insider.system_session("t: wipe") as s:
        await s.execute(delete(AuditEvent).where(AuditEvent.tenant_id == chain.tenant_id))
        await s.execute(delete(AuditHead).where(AuditHead.tenant_id == chain.tenant_id))
    assert not (await _verify(platform, chain.tenant_id)).ok


def _cli_verify(data_dir: Path, db_file: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "IPGOV_DATA_DIR": str(data_dir),
           "IPGOV_DATABASE_URL": f"sqlite+aiosqlite:///{db_file}"}
    return subprocess.run([sys.executable, "-m", "ipgov.cli.main", "audit", "verify"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


async def test_cli_names_the_first_bad_event(platform, backend, tmp_path):
    """Three chains tampered three ways in a copy of the database; one real CLI run."""
    if backend != "sqlite":
        pytest.skip("the CLI runs against a copy of the SQLite file")
    from ipgov.db import TenantScope
    from ipgov.db.session import Database

    kinds = {"acme-a": "edit", "acme-b": "reorder", "acme-c": "truncate_and_rewrite_head"}
    chains = await _chains(platform, tuple(kinds))
    source = Path(platform.settings.sqlalchemy_url.removeprefix("sqlite+aiosqlite:///"))
    await platform.db.dispose()
    db_file = tmp_path / "tampered.db"
    shutil.copy(source, db_file)
    db = Database(f"sqlite+aiosqlite:///{db_file}")
    rng, expected = random.Random(7), {}
    for slug, kind in kinds.items():
        async with db.session(TenantScope.system("t: tamper copy")) as s:
            expected[slug] = await _tamper(s, chains[slug], kind, rng)
    await db.dispose()
    done = _cli_verify(platform.settings.data_dir, db_file)
    assert done.returncode == 1, (done.stdout, done.stderr)
    for slug, chain in chains.items():
        line = f"TAMPERED {chain.tenant_id}  first bad event seq={expected[slug]} "
        assert line in done.stdout, (slug, kinds[slug], done.stdout)
    assert "3 of 5 audit chains failed verification" in done.stderr, done.stderr
    assert done.stdout.count("ok       ") == 2  # the group and the platform tenant
