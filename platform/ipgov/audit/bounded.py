"""The review's audit-trail check, bounded by a verified checkpoint (issue 28 item 2).

Walking a whole chain costs in proportion to its length, and a review verifies its tenant's
chain every time. After a full walk that verifies, the witness store keeps a
``VerifiedCheckpoint`` (the last event's sequence number and hash, MACed with the audit key,
and when the full walk happened). The next review walks only from that checkpoint (or from the
head checkpoint, when that is older) to the head: every later event's link and hash, the event
at the checkpoint unchanged, the head, the witness. The prefix is walked again in full once the
full walk is older than ``FULL_WALK_EVERY``, and whenever the bounded walk finds anything wrong
(so a failure always names the first bad event of the whole chain).

What the bound gives up: an event *before* the checkpoint altered after the last full walk
is found by the next full walk (at most ``FULL_WALK_EVERY`` later), not by every review.
Someone without the audit key cannot make a verified checkpoint, and deleting or replacing it
with an older one only makes the walk longer. Every other verification (CLI, GraphQL,
supervision) still walks the whole chain.

Like every verification, the witness and the verified checkpoint are read before the snapshot
begins (``before_snapshot``: the runner calls it before the checks' shared session opens).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.scope import TenantScope

from .models import AuditEvent, AuditHead
from .verify import (
    ChainVerifier,
    ChainWalk,
    VerifyResult,
    read_anchors,
    verify_chains,
    verify_snapshot,
)
from .witness import Checkpoint, VerifiedCheckpoint

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["FULL_WALK_EVERY", "before_snapshot", "verify_in_review"]

log = logging.getLogger("ipgov.audit")
FULL_WALK_EVERY = timedelta(hours=24)
_PREPARED = "ipgov.audit.review_verifier"


async def before_snapshot(platform: Platform, tenant_id: str) -> dict[str, Any]:
    """What the review's session must carry (``session.info``) to verify in its snapshot:
    the witness checkpoint and the verified checkpoint, read now, before it begins."""
    verifier = await read_anchors(platform, [tenant_id])
    return {_PREPARED: (verifier, await _read_verified(platform, tenant_id))}


async def verify_in_review(platform: Platform, session: AsyncSession,
                           tenant_id: str) -> VerifyResult:
    """The tenant's chain verified in the review's shared snapshot, from the verified
    checkpoint when there is a recent one; in a snapshot of its own when the session was not
    prepared by ``before_snapshot``."""
    prepared = session.sync_session.info.get(_PREPARED)
    if prepared is None:
        scope = TenantScope.tenant(tenant_id)
        return (await verify_snapshot(platform, [tenant_id], scope))[tenant_id]
    verifier, verified = prepared
    if verified is not None:
        bounded = await _bounded(session, verifier, tenant_id, verified)
        if bounded is not None:
            result, head_hash = bounded
            if result.events != verified.seq:
                await _keep(platform, VerifiedCheckpoint.since(
                    platform.audit_key, tenant_id, result.events, head_hash, verified.first,
                    verified.at))
            return result
    result = (await verify_chains(session, verifier, [tenant_id]))[tenant_id]
    if result.ok and result.events:
        first = select(AuditEvent.hash).where(AuditEvent.tenant_id == tenant_id,
                                              AuditEvent.seq == 1).scalar_subquery()
        head_hash, first = (await session.execute(
            select(AuditHead.hash, first).where(AuditHead.tenant_id == tenant_id))).one()
        now = datetime.now(UTC).isoformat(timespec="seconds")
        await _keep(platform, VerifiedCheckpoint.since(
            platform.audit_key, tenant_id, result.events, head_hash, first, now))
    return result


async def _read_verified(platform: Platform, tenant_id: str) -> VerifiedCheckpoint | None:
    """The tenant's verified checkpoint when it is usable: made with the key, of this
    tenant, its full walk recent enough."""
    store = getattr(platform.witness, "store", None)
    if store is None or not hasattr(store, "read_verified"):
        return None
    try:
        found = await asyncio.to_thread(store.read_verified, tenant_id)
    except Exception:  # noqa: BLE001 - without it the walk is only longer
        log.warning("verified checkpoint unreadable; walking the whole chain", exc_info=True)
        return None
    if found is None or found.tenant_id != tenant_id or not found.valid(platform.audit_key):
        return None
    try:
        walked = datetime.fromisoformat(found.at)
    except ValueError:
        return None
    return found if datetime.now(UTC) - walked < FULL_WALK_EVERY else None


async def _keep(platform: Platform, checkpoint: VerifiedCheckpoint) -> None:
    """Move the verified checkpoint to the head just verified (a bounded walk keeps the time
    of the full walk it extends, so the next full walk is not put off)."""
    store = getattr(platform.witness, "store", None)
    if store is None or not hasattr(store, "keep_verified"):
        return
    try:
        await asyncio.to_thread(store.keep_verified, checkpoint)
    except Exception:  # noqa: BLE001 - the next review walks further, nothing else
        log.warning("verified checkpoint not kept", exc_info=True)


async def _bounded(session: AsyncSession, verifier: ChainVerifier, tenant_id: str,
                   verified: VerifiedCheckpoint) -> tuple[VerifyResult, str] | None:
    """Walk from the verified (or older head) checkpoint to the head; None when the walk
    cannot be bounded or finds anything wrong (the caller then walks the whole chain)."""
    anchor = verifier.anchor(tenant_id)
    start = verified.seq
    if isinstance(anchor, Checkpoint):
        if anchor.first != verified.first:
            return None
        start = min(start, anchor.seq)
    head = (await session.execute(select(AuditHead).where(
        AuditHead.tenant_id == tenant_id))).scalar_one_or_none()
    if head is None or head.seq < verified.seq:
        return None
    walk = ChainWalk(tenant_id, verifier, expected=start, count=start - 1,
                     first_hash=verified.first)
    stmt = (select(AuditEvent).where(AuditEvent.tenant_id == tenant_id,
                                     AuditEvent.seq >= start)
            .order_by(AuditEvent.seq, AuditEvent.id).execution_options(yield_per=1000))
    started = False
    events = await session.stream(stmt)
    try:  # closed even when the walk stops early: the session goes on with other checks
        async for event in events.scalars():
            if not started:
                walk.prev, started = event.prev_hash, True  # the verified prefix ends here
            walk.feed(event)
            if walk.failure is not None or (event.seq == verified.seq
                                            and event.hash != verified.hash):
                return None
    finally:
        await events.close()
    if not started:
        return None
    result = walk.finish(head, True)
    return (result, head.hash) if result.ok else None
