"""Appending to and verifying the per-tenant, hash-chained audit trail.

Each event's hash is an HMAC-SHA256 over the event's canonical form and the previous event's
hash; the key lives outside the database (``IPGOV_AUDIT_KEY`` or a key file in the data
directory), so someone who can write the table cannot forge a consistent chain. The chain head
(last sequence number and hash, MACed) is kept in its own table and detects truncation; after
the commit, the head is also witnessed outside the database (``ipgov.audit.witness``), which
detects a tail rolled back together with an earlier genuine head. Each append records the
before/after values of the object it is about (``ipgov.audit.changes``). Verification lives in
``ipgov.audit.verify``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow

from .changes import primary_key, take_changes
from .models import AuditEvent, AuditHead
from .witness import WitnessWriter, remember_append

__all__ = ["AuditKey", "GENESIS", "append_event", "event_digest", "head_mac"]

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
    witness: WitnessWriter | None = None,
    changed: Any = None,
) -> AuditEvent:
    """Append one event to ``tenant_id``'s chain in the caller's transaction.

    The before/after values of the object the event names (``object_id``, or the ORM object
    ``changed`` when the change is of another object) join ``details`` as ``changes`` unless
    the caller gave its own; once the transaction commits, the new head is witnessed.
    """
    await session.flush()  # the object's pending changes reach the change record
    changes = take_changes(session, primary_key(changed) if changed is not None
                           else str(object_id or ""))
    if changes and "changes" not in (details or {}):
        details = {**(details or {}), "changes": changes}
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
    if witness is not None:
        first = await _first_hash(session, witness, tenant_id, event)
        remember_append(session, witness, tenant_id, event.seq, event.hash, first)
    return event


async def _first_hash(session: AsyncSession, witness: WitnessWriter, tenant_id: str,
                      event: AuditEvent) -> str:
    """The hash of the chain's first event (which chain a checkpoint is of), cached."""
    if event.seq == 1:
        witness.first_hashes[tenant_id] = event.hash
    if tenant_id not in witness.first_hashes:
        first = (await session.execute(select(AuditEvent.hash).where(
            AuditEvent.tenant_id == tenant_id, AuditEvent.seq == 1))).scalar_one_or_none()
        if len(witness.first_hashes) > 100_000:
            witness.first_hashes.clear()
        witness.first_hashes[tenant_id] = first or ""
    return witness.first_hashes[tenant_id]
