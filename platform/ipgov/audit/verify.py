"""Verifying hash chains: against one consistent snapshot, and against the witness.

A verification must never see a chain half-way through an append (issue 22 item 12): the
events and the head are read in one read-only transaction, which is one snapshot on both
backends (PostgreSQL ``REPEATABLE READ``; SQLite's deferred transaction in WAL mode), so a
concurrent append is either wholly in it or wholly outside it.

The witness's checkpoints are read *before* that snapshot begins: a checkpoint is written only
after its commit, so every checkpoint read then is of an event the snapshot contains. Read the
other way round, a checkpoint of an event committed after the snapshot would look like a
rolled-back tail, a false alarm.

``verify_tenant`` checks one chain in the caller's session (used where the caller controls the
transaction, e.g. tampering tests); ``verify_snapshot`` is the safe entry point that every
verification of the platform uses (CLI, GraphQL, supervision, the review check).
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.scope import TenantScope

from .chain import GENESIS, AuditKey, event_digest, head_mac
from .models import AuditEvent, AuditHead
from .witness import Checkpoint

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["ChainVerifier", "VerifyResult", "verify_chains", "verify_snapshot",
           "verify_tenant"]

MISSING = object()


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of verifying one tenant's chain; names the first bad event when not ``ok``.

    ``witnessed_seq``/``witnessed_at``: the witness checkpoint the chain was held to (None:
    the witness has none yet, so a rollback of the tail could not be excluded).
    """

    tenant_id: str
    ok: bool
    events: int
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    problem: str = ""
    witnessed_seq: int | None = None
    witnessed_at: str | None = None

    @property
    def status(self) -> str:
        """``verified``, ``verified-unwitnessed`` or ``tampered`` (for exports and reports)."""
        if not self.ok:
            return "tampered"
        return "verified" if self.witnessed_seq is not None or not self.events \
            else "verified-unwitnessed"


@dataclass(frozen=True)
class ChainVerifier:
    """The audit key and the witness checkpoints read before the snapshot began."""

    key: AuditKey
    anchors: dict[str, Checkpoint | None] = field(default_factory=dict)

    def anchor(self, tenant_id: str) -> Any:
        """The tenant's checkpoint, None when malformed, ``MISSING`` when there is none."""
        return self.anchors.get(tenant_id, MISSING)


def as_verifier(value: AuditKey | ChainVerifier) -> ChainVerifier:
    """Callers that hold only the key verify without witness checkpoints."""
    return value if isinstance(value, ChainVerifier) else ChainVerifier(value)


def event_problem(key: AuditKey, event: AuditEvent, expected_seq: int, prev: str) -> str:
    """What is wrong with ``event`` as the next link of a chain ('' when nothing)."""
    if event.seq != expected_seq:
        return f"sequence gap or reorder: expected seq {expected_seq}, found {event.seq}"
    if event.prev_hash != prev:
        return "link broken: prev_hash does not match the previous event's hash"
    if not hmac.compare_digest(event.hash, event_digest(key, event)):
        return "content altered: hash does not match the event"
    return ""


@dataclass
class ChainWalk:
    """One chain walked in sequence order, event by event."""

    tenant_id: str
    verifier: ChainVerifier
    expected: int = 1
    prev: str = GENESIS
    count: int = 0
    failure: VerifyResult | None = None
    hash_at_anchor: str | None = None
    first_hash: str | None = None

    def feed(self, event: AuditEvent) -> None:
        """Check the next event (nothing more is checked after the first bad one)."""
        if self.failure is not None:
            return
        problem = event_problem(self.verifier.key, event, self.expected, self.prev)
        if problem:
            self.failure = VerifyResult(self.tenant_id, False, self.count, event.seq, event.id,
                                        problem)
            return
        anchor = self.verifier.anchor(self.tenant_id)
        if isinstance(anchor, Checkpoint) and event.seq == anchor.seq:
            self.hash_at_anchor = event.hash
        if event.seq == 1:
            self.first_hash = event.hash
        self.expected, self.prev, self.count = event.seq + 1, event.hash, self.count + 1

    def finish(self, head: AuditHead | None, tenant_exists: bool) -> VerifyResult:
        """The verdict once every event was fed: links, then the head, then the witness."""
        if self.failure is not None:
            return self.failure
        result = self._head(head, tenant_exists)
        return result if not result.ok else self._witness(result)

    def _bad(self, seq: int | None, problem: str) -> VerifyResult:
        return VerifyResult(self.tenant_id, False, self.count, seq, None, problem)

    def _head(self, head: AuditHead | None, tenant_exists: bool) -> VerifyResult:
        key, count = self.verifier.key, self.count
        if head is None:
            if count:
                return self._bad(count, "chain head missing")
            if tenant_exists and self.verifier.anchor(self.tenant_id) is MISSING:
                # every tenant's trail starts at its creation: an existing tenant with no trail
                # at all had it wiped (events and head deleted together)
                return self._bad(1, "chain wiped: the tenant exists but has no audit events "
                                    "or head")
            return VerifyResult(self.tenant_id, True, 0)
        if not hmac.compare_digest(head.mac, head_mac(key, self.tenant_id, head.seq,
                                                      head.hash)):
            return self._bad(head.seq, "chain head altered")
        if head.seq != count or head.hash != self.prev:
            missing = count + 1 if head.seq > count else head.seq + 1
            return self._bad(missing, f"truncated or extended: head says {head.seq} events, "
                                      f"chain has {count}")
        return VerifyResult(self.tenant_id, True, count)

    def _witness(self, result: VerifyResult) -> VerifyResult:
        anchor = self.verifier.anchor(self.tenant_id)
        if anchor is MISSING:
            return result
        if anchor is None or not anchor.valid(self.verifier.key) or \
                anchor.tenant_id != self.tenant_id:
            return self._bad(None, "witness checkpoint altered: its MAC does not match "
                                   "(the witness store was written without the audit key)")
        if self.count and anchor.first != self.first_hash:
            # another chain under the same key (the database was replaced, not rolled back:
            # without the key nobody can make a first event that verifies): not witnessed
            return result
        if self.count < anchor.seq:
            return self._bad(self.count + 1,
                             f"tail rolled back: the witness recorded event {anchor.seq} at "
                             f"{anchor.at}, the chain ends at {self.count}")
        if self.hash_at_anchor != anchor.hash:
            return self._bad(anchor.seq, f"chain rewritten: event {anchor.seq} differs from "
                                         f"the one the witness recorded at {anchor.at}")
        return replace(result, witnessed_seq=anchor.seq, witnessed_at=anchor.at)


async def _events(session: AsyncSession, tenant_ids: list[str]) -> AsyncIterator[AuditEvent]:
    stmt = (select(AuditEvent).where(AuditEvent.tenant_id.in_(tenant_ids))
            .order_by(AuditEvent.tenant_id, AuditEvent.seq, AuditEvent.id)
            .execution_options(yield_per=1000))
    async for event in (await session.stream(stmt)).scalars():
        yield event


async def _existing(session: AsyncSession, tenant_ids: list[str]) -> set[str]:
    from ipgov.tenancy.models import Tenant

    rows = await session.execute(select(Tenant.id).where(Tenant.id.in_(tenant_ids)))
    return set(rows.scalars())


async def verify_chains(session: AsyncSession, verifier: AuditKey | ChainVerifier,
                        tenant_ids: Iterable[str],
                        existing: set[str] | None = None) -> dict[str, VerifyResult]:
    """Verify the chains of ``tenant_ids`` in ``session``: heads, then every event in chain
    order (two statements, plus one for which tenants exist unless ``existing`` is given)."""
    verifier = as_verifier(verifier)
    ids = sorted(set(tenant_ids))
    if not ids:
        return {}
    heads = {h.tenant_id: h for h in (await session.execute(
        select(AuditHead).where(AuditHead.tenant_id.in_(ids)))).scalars()}
    walks = {tid: ChainWalk(tid, verifier) for tid in ids}
    async for event in _events(session, ids):
        walks[event.tenant_id].feed(event)
    if existing is None:
        existing = await _existing(session, ids)
    return {tid: walks[tid].finish(heads.get(tid), tid in existing) for tid in ids}


async def verify_tenant(session: AsyncSession, key: AuditKey | ChainVerifier,
                        tenant_id: str) -> VerifyResult:
    """Walk one chain in the caller's session: links, hashes, head (and witness, if given)."""
    return (await verify_chains(session, key, [tenant_id]))[tenant_id]


async def read_anchors(platform: Platform, tenant_ids: Iterable[str]) -> ChainVerifier:
    """The witness checkpoints of ``tenant_ids``, read now (before any snapshot).

    This process's own pending checkpoints are stored first; an unreachable witness store
    yields no checkpoints (verification then says the chain is not witnessed).
    """
    writer = platform.witness
    if writer is None:
        return ChainVerifier(platform.audit_key)
    ids = sorted(set(tenant_ids))
    await asyncio.to_thread(writer.flush)
    try:
        anchors = await asyncio.to_thread(writer.store.read, ids)
    except Exception:  # noqa: BLE001 - an absent witness must not become a false alarm
        import logging

        logging.getLogger("ipgov.audit").warning("audit witness unreadable; verifying "
                                                 "without checkpoints", exc_info=True)
        anchors = {}
    return ChainVerifier(platform.audit_key, anchors)


async def verify_snapshot(platform: Platform, tenant_ids: Iterable[str],
                          scope: TenantScope) -> dict[str, VerifyResult]:
    """Verify ``tenant_ids`` in one read-only snapshot of ``scope``, against the witness
    checkpoints read just before the snapshot began."""
    ids = sorted(set(tenant_ids))
    verifier = await read_anchors(platform, ids)
    async with platform.db.session(scope, readonly=True) as session:
        return await verify_chains(session, verifier, ids)
