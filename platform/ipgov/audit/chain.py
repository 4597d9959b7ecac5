"""Appending to and verifying the per-tenant, hash-chained audit trail.

Each event's hash is an HMAC-SHA256 over the event's canonical form and the previous event's
hash; the key lives outside the database (``IPGOV_AUDIT_KEY`` or a key file in the data
directory), so someone who can write the table cannot forge a consistent chain. The chain head
(last sequence number and hash, MACed) is kept in its own table and detects truncation.
Verification names the first bad event and says what is wrong with it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow

from .models import AuditEvent, AuditHead

__all__ = ["AuditKey", "VerifyResult", "append_event", "verify_tenant", "GENESIS"]

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditKey:
    """The secret that keys the chain's HMACs."""

    secret: bytes

    @classmethod
    def load_or_create(cls, data_dir: Path, configured: str = "") -> AuditKey:
        """Use the configured key (hex), else a key file in ``data_dir/keys`` made on first use."""
        if configured:
            return cls(bytes.fromhex(configured))
        path = data_dir / "keys" / "audit-hmac.key"
        if path.exists():
            return cls(bytes.fromhex(path.read_text().strip()))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        value = secrets.token_hex(32)
        path.write_text(value)
        path.chmod(0o600)
        return cls(bytes.fromhex(value))

    def mac(self, message: bytes) -> str:
        """HMAC-SHA256 of ``message`` as hex."""
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def event_digest(key: AuditKey, event: AuditEvent) -> str:
    """The hash an event must carry, from its fields and its ``prev_hash``."""
    canonical = json.dumps(
        [
            event.tenant_id,
            event.seq,
            _iso(event.occurred_at),
            event.actor,
            event.action,
            event.object_type,
            event.object_id,
            event.request_id,
            event.details,
            event.prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return key.mac(canonical.encode())


def head_mac(key: AuditKey, tenant_id: str, seq: int, last_hash: str) -> str:
    """The MAC that binds a chain head to its tenant, length and last hash."""
    return key.mac(f"head|{tenant_id}|{seq}|{last_hash}".encode())


async def append_event(
    session: AsyncSession,
    key: AuditKey,
    *,
    tenant_id: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str = "",
    request_id: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to ``tenant_id``'s chain in the caller's transaction."""
    head = (
        await session.execute(
            select(AuditHead).where(AuditHead.tenant_id == tenant_id).with_for_update()
        )
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(tenant_id=tenant_id, seq=0, hash=GENESIS, mac="")
        session.add(head)
    event = AuditEvent(
        tenant_id=tenant_id,
        seq=head.seq + 1,
        occurred_at=utcnow(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        request_id=request_id or "",
        details=json.loads(json.dumps(details or {}, default=str)),
        prev_hash=head.hash,
    )
    event.hash = event_digest(key, event)
    session.add(event)
    head.seq, head.hash = event.seq, event.hash
    head.mac = head_mac(key, tenant_id, head.seq, head.hash)
    head.version = (head.version or 0) + 1
    await session.flush()
    return event


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of verifying one tenant's chain; names the first bad event when not ``ok``."""

    tenant_id: str
    ok: bool
    events: int
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    problem: str = ""


async def _events(session: AsyncSession, tenant_id: str) -> AsyncIterator[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.seq, AuditEvent.id)
        .execution_options(yield_per=1000)
    )
    async for event in (await session.stream(stmt)).scalars():
        yield event


async def verify_tenant(session: AsyncSession, key: AuditKey, tenant_id: str) -> VerifyResult:
    """Walk the chain in sequence order and check links, hashes and the head."""
    expected_seq, prev, count = 1, GENESIS, 0
    async for event in _events(session, tenant_id):
        problem = _event_problem(key, event, expected_seq, prev)
        if problem:
            return VerifyResult(tenant_id, False, count, event.seq, event.id, problem)
        expected_seq, prev, count = event.seq + 1, event.hash, count + 1
    head = (
        await session.execute(select(AuditHead).where(AuditHead.tenant_id == tenant_id))
    ).scalar_one_or_none()
    if head is None and count == 0 and await _tenant_exists(session, tenant_id):
        # every tenant's trail starts at its creation: an existing tenant with no trail at all
        # had it wiped (events and head deleted together)
        return VerifyResult(tenant_id, False, 0, 1, None,
                            "chain wiped: the tenant exists but has no audit events or head")
    return _check_head(key, tenant_id, head, count, prev)


async def _tenant_exists(session: AsyncSession, tenant_id: str) -> bool:
    from ipgov.tenancy.models import Tenant

    return (await session.execute(select(Tenant.id).where(Tenant.id == tenant_id))).first() \
        is not None


def _event_problem(key: AuditKey, event: AuditEvent, expected_seq: int, prev: str) -> str:
    if event.seq != expected_seq:
        return f"sequence gap or reorder: expected seq {expected_seq}, found {event.seq}"
    if event.prev_hash != prev:
        return "link broken: prev_hash does not match the previous event's hash"
    if not hmac.compare_digest(event.hash, event_digest(key, event)):
        return "content altered: hash does not match the event"
    return ""


def _check_head(
    key: AuditKey, tenant_id: str, head: AuditHead | None, count: int, last: str
) -> VerifyResult:
    if head is None:
        if count == 0:
            return VerifyResult(tenant_id, True, 0)
        return VerifyResult(tenant_id, False, count, count, None, "chain head missing")
    if not hmac.compare_digest(head.mac, head_mac(key, tenant_id, head.seq, head.hash)):
        return VerifyResult(tenant_id, False, count, head.seq, None, "chain head altered")
    if head.seq != count or head.hash != last:
        missing = count + 1 if head.seq > count else head.seq + 1
        return VerifyResult(
            tenant_id,
            False,
            count,
            missing,
            None,
            f"truncated or extended: head says {head.seq} events, chain has {count}",
        )
    return VerifyResult(tenant_id, True, count)
