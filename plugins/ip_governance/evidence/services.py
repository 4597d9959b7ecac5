"""Receiving, attaching and verifying evidence files.

An upload is streamed to a private temporary file while it is hashed (constant memory,
refused past the size limit), its type sniffed and scanned, then stored under its hash and
recorded with an audit event carrying the hash, in one transaction. Anything that fails or
is cut off on the way deletes the temporary file and the stored blob it may have written:
no row, no blob. A file already held by the tenant (same SHA-256) is not stored twice; the
same bytes in another tenant are another file (deduplication never crosses tenants).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ipgov.api import Conflict, InvalidInput, NotFound, PlatformContext, record_audit, utcnow

from .kinds import kind_of, valid_until
from .models import EvidenceAttachment, EvidenceFile
from .scan import scan_file
from .settings import allowed_types, settings_of
from .sniff import EXTENSIONS, sniff
from .storage import object_key, store_for
from .targets import check_target

__all__ = ["OBJ", "Received", "TooLarge", "Verification", "attach", "detach", "receive",
           "verify"]

OBJ = "ip_governance:evidence"
_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


class TooLarge(InvalidInput):
    """The upload exceeds the size limit (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the file exceeds {limit} bytes", code="EVIDENCE_TOO_LARGE",
                         details={"limit": limit})


@dataclass(frozen=True)
class Received:
    """The stored file and whether the tenant held the same bytes already."""

    file: EvidenceFile
    deduplicated: bool


def _filename(filename: str) -> tuple[str, str]:
    name = (filename or "").strip()
    if not _NAME.match(name) or name.strip(".") == "" or ".." in name:
        raise InvalidInput("the filename must be a plain file name without folders",
                           code="EVIDENCE_FILENAME_INVALID", field="filename")
    expected = EXTENSIONS.get(Path(name).suffix.lower())
    if expected is None:
        raise InvalidInput(f"files named *{Path(name).suffix or '(no extension)'} are not "
                           "accepted", code="EVIDENCE_TYPE_NOT_ALLOWED", field="filename")
    return name, expected


def limit_of(platform: PlatformContext) -> int:
    """The largest accepted upload: the evidence limit within the platform's upload limit."""
    return min(int(settings_of(platform).evidence_max_bytes),
               int(platform.settings.max_upload_bytes))


async def _spool(chunks: AsyncIterator[bytes], target: Path, limit: int) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise TooLarge(limit)
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise InvalidInput("the file is empty", code="EVIDENCE_EMPTY")
    return digest.hexdigest(), size


def _check_type(platform: PlatformContext, path: Path, name: str, expected: str) -> str:
    found = sniff(path, name)
    if found not in allowed_types(platform):
        raise InvalidInput(f"files of type {found} are not accepted",
                           code="EVIDENCE_TYPE_NOT_ALLOWED", field="filename")
    if found != expected:
        raise InvalidInput(f"the content is {found} but the name says {expected}",
                           code="EVIDENCE_TYPE_MISMATCH", field="filename")
    return found


async def receive(platform: PlatformContext, tenant_id: str, chunks: AsyncIterator[bytes], *,
                  filename: str, kind: str, actor: str, title: str = "",
                  valid_from: date | None = None, valid_until_on: date | None = None
                  ) -> Received:
    """Store an uploaded file for ``tenant_id`` (see the module doc); ``DomainError`` with
    the reason when it is refused, and nothing is left behind."""
    name, expected = _filename(filename)
    evidence_kind = kind_of(kind)
    starts = valid_from or utcnow().date()
    ends = valid_until(evidence_kind, starts, valid_until_on)
    incoming = Path(platform.settings.data_dir) / "evidence-incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    spool = incoming / f"{uuid.uuid4().hex}.part"
    try:
        sha, size = await _spool(chunks, spool, limit_of(platform))
        media_type = _check_type(platform, spool, name, expected)
        scanned = await scan_file(str(settings_of(platform).evidence_scan_command), spool)
        return await _store(platform, tenant_id, spool, sha=sha, size=size,
                            media_type=media_type, name=name, kind=evidence_kind.id,
                            title=title.strip()[:300], starts=starts, ends=ends,
                            scan=scanned, actor=actor)
    finally:
        spool.unlink(missing_ok=True)


async def _existing(platform: PlatformContext, tenant_id: str, sha: str) -> str | None:
    async with platform.read_session(tenant_id) as session:
        return (await session.execute(select(EvidenceFile.id).where(
            EvidenceFile.sha256 == sha))).scalar()


async def _store(platform: PlatformContext, tenant_id: str, spool: Path, *, sha: str,
                 size: int, media_type: str, name: str, kind: str, title: str, starts: date,
                 ends: date | None, scan: Any, actor: str) -> Received:
    known = await _existing(platform, tenant_id, sha)
    if known is not None:
        return await _deduplicated(platform, tenant_id, known, actor, name)
    store, key = store_for(platform), object_key(tenant_id, sha)
    wrote = not await store.exists(key)
    if wrote:
        await store.put(key, spool, media_type)
    try:
        async with platform.tenant_session(tenant_id) as session:
            row = EvidenceFile(tenant_id=tenant_id, sha256=sha, size=size,
                               media_type=media_type, filename=name, title=title, kind=kind,
                               valid_from=starts, valid_until=ends, backend=store.name,
                               scan_status=scan.status, scan_detail=scan.detail,
                               uploaded_by=actor)
            session.add(row)
            await session.flush()
            row.audit_event_id = await record_audit(
                platform, session, tenant_id=tenant_id, actor=actor,
                action="ip_governance.evidence.stored", object_type=OBJ, object_id=row.id,
                details={"sha256": sha, "size": size, "media_type": media_type,
                         "filename": name, "kind": kind, "scan": scan.status})
    except IntegrityError:
        # the same bytes arrived concurrently: theirs is stored, and so is the blob
        known = await _existing(platform, tenant_id, sha)
        if known is None:
            raise
        return await _deduplicated(platform, tenant_id, known, actor, name)
    except BaseException:
        if wrote:
            await store.delete(key)
        raise
    return Received(row, deduplicated=False)


async def _deduplicated(platform: PlatformContext, tenant_id: str, file_id: str, actor: str,
                        name: str) -> Received:
    async with platform.tenant_session(tenant_id) as session:
        row = await session.get(EvidenceFile, file_id)
        assert row is not None
        await record_audit(platform, session, tenant_id=tenant_id, actor=actor,
                           action="ip_governance.evidence.deduplicated", object_type=OBJ,
                           object_id=file_id, details={"sha256": row.sha256,
                                                       "filename": name})
    return Received(row, deduplicated=True)


async def file_in(session: Any, evidence_id: str) -> EvidenceFile:
    """The tenant's file ``evidence_id``; ``NotFound`` (the same for another tenant's)."""
    row = await session.get(EvidenceFile, evidence_id)
    if row is None:
        raise NotFound(f"no evidence file {evidence_id} in this tenant",
                       code="EVIDENCE_NOT_FOUND", field="evidenceId")
    return row


async def attach(platform: PlatformContext, session: Any, tenant_id: str, *, evidence_id: str,
                 object_type: str, object_id: str, actor: str) -> EvidenceAttachment:
    """Attach the tenant's file to a record of the tenant the caller may read."""
    await file_in(session, evidence_id)
    target = await check_target(session, object_type, object_id)
    if not platform.allowed(actor, tenant_id, *target.read_permission):
        raise NotFound(f"no {object_type} {object_id} in this tenant",
                       code="EVIDENCE_TARGET_NOT_FOUND", field="objectId")
    dup = (await session.execute(select(EvidenceAttachment.id).where(
        EvidenceAttachment.evidence_id == evidence_id,
        EvidenceAttachment.object_type == object_type,
        EvidenceAttachment.object_id == object_id))).first()
    if dup is not None:
        raise Conflict("the file is attached to this record already",
                       code="EVIDENCE_ALREADY_ATTACHED")
    row = EvidenceAttachment(tenant_id=tenant_id, evidence_id=evidence_id,
                             object_type=object_type, object_id=object_id,
                             verified=target.exists is not None, attached_by=actor)
    session.add(row)
    await session.flush()
    return row


async def detach(session: Any, attachment_id: str) -> EvidenceAttachment:
    """Remove an attachment (the file stays: it is evidence, and the trail recalls it)."""
    row = await session.get(EvidenceAttachment, attachment_id)
    if row is None:
        raise NotFound(f"no attachment {attachment_id} in this tenant",
                       code="EVIDENCE_NOT_FOUND", field="attachmentId")
    await session.delete(row)
    await session.flush()
    return row


@dataclass(frozen=True)
class Verification:
    """What ``verify`` found: ``status`` is ``intact``, ``tampered`` (the stored bytes hash
    otherwise), ``missing`` (nothing stored) or ``unrecorded`` (the row's hash differs from
    the one the audit chain recorded)."""

    evidence_id: str
    status: str
    expected_sha256: str
    actual_sha256: str | None
    recorded_sha256: str | None

    @property
    def ok(self) -> bool:
        """Whether the stored file is the one recorded."""
        return self.status == "intact"


async def stored_hash(platform: PlatformContext, tenant_id: str, sha: str) -> str | None:
    """The SHA-256 of the bytes stored under ``sha``'s key; ``None`` when missing."""
    digest = hashlib.sha256()
    try:
        async for chunk in store_for(platform).read(object_key(tenant_id, sha)):
            digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


async def verify(platform: PlatformContext, session: Any, tenant_id: str,
                 row: EvidenceFile) -> Verification:
    """Hash the stored bytes again and compare with the row and with the audit chain."""
    from ipgov.api import audit_event_details

    recorded = (await audit_event_details(session, row.audit_event_id) or {}).get("sha256")
    actual = await stored_hash(platform, tenant_id, row.sha256)
    status = ("missing" if actual is None else "tampered" if actual != row.sha256
              else "unrecorded" if recorded != row.sha256 else "intact")
    return Verification(row.id, status, row.sha256, actual, recorded)
