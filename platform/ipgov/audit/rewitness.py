"""Accepting a rolled-back tail after a restore: the one way to move the witness backwards.

Restoring a database backup loses the events written since the backup; the witness then
reports the tail as rolled back, which is true. An operator who restored on purpose accepts
the loss with ``ipgov audit rewitness``: the loss is appended to the chain as an event (who
accepted it, why, which sequence numbers the witness had seen), and the witness is moved to
the chain's new head. Nothing else ever moves a checkpoint backwards.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipgov.db.scope import TenantScope

from .verify import read_anchors, verify_chains
from .witness import Checkpoint

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["Rewitness", "rewitness"]


@dataclass(frozen=True)
class Rewitness:
    """What ``rewitness`` found and did."""

    needed: bool
    done: bool
    message: str


async def rewitness(platform: Platform, tenant_id: str, *, reason: str, apply: bool,
                    actor: str = "cli") -> Rewitness:
    """Accept that ``tenant_id``'s chain ends before its witness checkpoint (see module)."""
    verifier = await read_anchors(platform, [tenant_id])
    async with platform.db.session(TenantScope.tenant(tenant_id), readonly=True) as session:
        result = (await verify_chains(session, verifier, [tenant_id]))[tenant_id]
    anchor = verifier.anchors.get(tenant_id)
    if result.ok or anchor is None or not result.problem.startswith(("tail rolled back",
                                                                      "chain rewritten")):
        return Rewitness(False, False, f"nothing to accept: {result.status}"
                         + (f" ({result.problem})" if result.problem else ""))
    lost = f"events {result.events + 1} to {anchor.seq}" if result.events < anchor.seq \
        else f"event {anchor.seq} as witnessed"
    if not apply:
        return Rewitness(True, False, f"the chain ends at {result.events}; the witness saw "
                                      f"{anchor.seq} at {anchor.at}: accepting loses {lost}")
    async with platform.db.tenant_session(tenant_id) as session:
        event = await platform.audit(
            session, tenant_id=tenant_id, actor=actor, action="audit.witness_reset",
            object_type="ipgov:audit", object_id=tenant_id,
            details={"reason": reason, "chain_ended_at": result.events,
                     "witnessed_seq": anchor.seq, "witnessed_at": anchor.at})
        seq, digest = event.seq, event.hash
    writer = platform.witness
    if writer is not None:
        await asyncio.to_thread(writer.flush)
        first = writer.first_hashes.get(tenant_id, "")
        await asyncio.to_thread(writer.store.reset, Checkpoint.make(
            platform.audit_key, tenant_id, seq, digest, first))
    return Rewitness(True, True, f"accepted: {lost} recorded as lost (event {seq}); the "
                                 "witness now follows the chain again")
