"""Controlled documents: creation under the group's governance mode, versions submitted for
approval, decisions in sequence or by quorum with separation of duties, and read
acknowledgements.

Governance mode (of the group root) decides what a subsidiary may do beside the group's
imposed documents: *centralized*, the group's document applies and the subsidiary neither
replaces it (same code) nor supplements it; *hybrid*, it may add a local supplement
(``supplements_id``) but not replace it; *decentralized*, group documents do not apply and
the subsidiary keeps its own. A superseded version is kept and read-only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from ipgov.api import (
    Conflict,
    Forbidden,
    GovernanceMode,
    InvalidInput,
    NotFound,
    PlatformContext,
    descendants,
    lineage,
    tenants_session,
    utcnow,
)

from ..evidence.models import EvidenceAttachment, EvidenceFile
from .models import ControlledDocument, DocumentAcknowledgement, DocumentApproval, DocumentVersion

__all__ = ["KINDS", "GroupContext", "acknowledge", "add_version", "applying_ancestors",
           "create_document", "decide", "group_context", "visible_version"]

KINDS = ("manual", "procedure", "form", "policy")
MODES = ("sequence", "quorum")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
_ROLE = re.compile(r"^[a-z_]{1,40}$")


@dataclass(frozen=True)
class GroupContext:
    """The tenant's place in its group: the mode it is governed with (its parent's; a root
    governs itself, as under a decentralized parent), the ancestors whose imposed documents
    apply here, and whether it governs subsidiaries in a mode that lets it impose."""

    mode: str
    applying: tuple[str, ...]
    may_impose: bool


def applying_ancestors(chain: Sequence[str], modes: Sequence[str]) -> tuple[str, ...]:
    """The ancestors (``chain`` is the tenant first, up to the root; ``modes`` how each
    governs its children) whose imposed documents reach the tenant: up to the first one that
    governs decentralized."""
    found = []
    for tenant_id, mode in zip(chain[1:], modes[1:], strict=True):
        if mode == GovernanceMode.DECENTRALIZED:
            break
        found.append(tenant_id)
    return tuple(found)


def group_context(platform: PlatformContext, tenant_id: str) -> GroupContext:
    """Where ``tenant_id`` stands for document inheritance."""
    chain = lineage(platform, tenant_id)
    if not chain:
        raise NotFound(f"tenant {tenant_id} not found", code="TENANT_NOT_FOUND")
    modes = [t.governance_mode for t in chain]
    governed = GovernanceMode.governing(modes[1] if len(modes) > 1 else None)
    may_impose = (bool(descendants(platform, tenant_id))
                  and modes[0] != GovernanceMode.DECENTRALIZED)
    return GroupContext(str(governed), applying_ancestors([t.id for t in chain], modes),
                        may_impose)


async def imposed_documents(platform: PlatformContext, ctx: GroupContext
                            ) -> list[ControlledDocument]:
    """The imposed documents of the ancestors that apply (read across the lineage)."""
    if not ctx.applying:
        return []
    async with tenants_session(platform, ctx.applying, "group documents imposed on a "
                               "subsidiary", readonly=True) as session:
        rows = await session.execute(select(ControlledDocument).where(
            ControlledDocument.imposed.is_(True)).limit(1000))
        return list(rows.scalars())


def _text(value: str, field: str, max_len: int) -> str:
    value = (value or "").strip()
    if not value or len(value) > max_len:
        raise InvalidInput(f"{field} is required (at most {max_len} characters)", field=field)
    return value


async def create_document(platform: PlatformContext, session: Any, tenant_id: str, *,
                          code: str, title: str, kind: str, actor: str, imposed: bool = False,
                          supplements_id: str | None = None) -> ControlledDocument:
    """A new controlled document, within what the group's mode allows."""
    if not _CODE.match(code or ""):
        raise InvalidInput("code: letters, digits, '.', '_', '/', '-' (at most 40)",
                           field="code")
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    ctx = group_context(platform, tenant_id)
    if imposed and not ctx.may_impose:
        raise InvalidInput("only a group with subsidiaries in centralized or hybrid mode "
                           "imposes documents", code="DOCUMENT_IMPOSE_NOT_ALLOWED",
                           field="imposed")
    group_docs = await imposed_documents(platform, ctx)
    if any(d.code == code for d in group_docs):
        raise Conflict(f"the group imposes document {code}; it applies here as it is",
                       code="DOCUMENT_IMPOSED_BY_GROUP", field="code")
    if supplements_id is not None and (ctx.mode != GovernanceMode.HYBRID
                                       or supplements_id not in {d.id for d in group_docs}):
        raise InvalidInput("a local supplement adds to a document the group imposes, and "
                           "only in hybrid mode", code="DOCUMENT_SUPPLEMENT_NOT_ALLOWED",
                           field="supplementsId")
    if (await session.execute(select(ControlledDocument.id).where(
            ControlledDocument.code == code))).first():
        raise Conflict(f"a document with code {code} exists", code="DOCUMENT_CODE_TAKEN",
                       field="code")
    row = ControlledDocument(tenant_id=tenant_id, code=code, title=_text(title, "title", 300),
                             kind=kind, imposed=imposed, supplements_id=supplements_id,
                             created_by=actor)
    session.add(row)
    await session.flush()
    return row


def _approvers(values: Iterable[str], author: str, mode: str, quorum: int | None
               ) -> tuple[list[str], int]:
    approvers = [v.strip() for v in values if v and v.strip()]
    if not 1 <= len(approvers) <= 20 or len(set(approvers)) != len(approvers):
        raise InvalidInput("name 1 to 20 different approvers", field="approvers")
    if author in approvers:
        raise InvalidInput("the author of a version may not approve it",
                           code="DOCUMENT_AUTHOR_CANNOT_APPROVE", field="approvers")
    if mode not in MODES:
        raise InvalidInput("approvalMode is sequence or quorum", field="approvalMode")
    needed = len(approvers) if mode == "sequence" else (quorum or 0)
    if not 1 <= needed <= len(approvers):
        raise InvalidInput("quorum must be between 1 and the number of approvers",
                           field="quorum")
    return approvers, needed


async def add_version(session: Any, *, document_id: str, evidence_id: str, actor: str,
                      approvers: Iterable[str], approval_mode: str, effective_on: date,
                      review_due_on: date, distribution: Iterable[str] = (),
                      quorum: int | None = None, change_note: str = "") -> DocumentVersion:
    """A new version of the tenant's document, submitted for approval at once; its file is an
    evidence file of the tenant (attached to the version)."""
    doc = await session.get(ControlledDocument, document_id)
    if doc is None:
        raise NotFound(f"no document {document_id} in this tenant", code="DOCUMENT_NOT_FOUND",
                       field="documentId")
    if await session.get(EvidenceFile, evidence_id) is None:
        raise NotFound(f"no evidence file {evidence_id} in this tenant",
                       code="EVIDENCE_NOT_FOUND", field="evidenceId")
    names, needed = _approvers(approvers, actor, approval_mode, quorum)
    roles = sorted({r.strip() for r in distribution if r and r.strip()})
    if len(roles) > 20 or not all(_ROLE.match(r) for r in roles):
        raise InvalidInput("distribution: up to 20 role names", field="distribution")
    if review_due_on <= effective_on:
        raise InvalidInput("reviewDueOn must come after effectiveOn", field="reviewDueOn")
    last = (await session.execute(select(DocumentVersion.number).where(
        DocumentVersion.document_id == document_id).order_by(
        DocumentVersion.number.desc()).limit(1))).scalar() or 0
    row = DocumentVersion(tenant_id=doc.tenant_id, document_id=document_id, number=last + 1,
                          label=f"v{last + 1}", evidence_id=evidence_id, author=actor,
                          approval_mode=approval_mode, approvers=names, quorum=needed,
                          effective_on=effective_on, review_due_on=review_due_on,
                          distribution=roles, change_note=(change_note or "")[:5000])
    session.add(row)
    await session.flush()
    session.add(EvidenceAttachment(tenant_id=doc.tenant_id, evidence_id=evidence_id,
                                   object_type="ip_governance:document_version",
                                   object_id=row.id, attached_by=actor))
    await session.flush()
    return row


async def _version(session: Any, version_id: str) -> DocumentVersion:
    row = await session.get(DocumentVersion, version_id)
    if row is None:
        raise NotFound(f"no document version {version_id} in this tenant",
                       code="DOCUMENT_NOT_FOUND", field="versionId")
    return row


async def _decisions(session: Any, version_id: str) -> dict[str, str]:
    rows = await session.execute(select(DocumentApproval.approver, DocumentApproval.decision)
                                 .where(DocumentApproval.version_id == version_id))
    return dict(rows.all())


def _may_decide(version: DocumentVersion, actor: str, decided: dict[str, str]) -> None:
    if version.status == "superseded":
        raise Conflict("a superseded version is kept read-only",
                       code="DOCUMENT_VERSION_READ_ONLY")
    if version.status != "in_approval":
        raise Conflict(f"the version is {version.status}, not in approval",
                       code="DOCUMENT_NOT_IN_APPROVAL")
    if actor == version.author:
        raise Forbidden("the author of a version may not approve it",
                        code="DOCUMENT_AUTHOR_CANNOT_APPROVE")
    if actor not in version.approvers:
        raise Forbidden("you are not an approver of this version",
                        code="DOCUMENT_NOT_AN_APPROVER")
    if actor in decided:
        raise Conflict("you decided on this version already", code="DOCUMENT_ALREADY_DECIDED")
    if version.approval_mode == "sequence":
        before = version.approvers[:version.approvers.index(actor)]
        if any(decided.get(a) != "approve" for a in before):
            raise Conflict("approvers decide in sequence: an earlier approver has not "
                           "approved yet", code="DOCUMENT_APPROVAL_OUT_OF_SEQUENCE")


async def decide(session: Any, *, version_id: str, actor: str, approve: bool,
                 comment: str = "") -> DocumentVersion:
    """Record an approver's decision; the version is approved once the sequence completes or
    the quorum is reached (superseding the version in force before), rejected once approval
    can no longer come."""
    version = await _version(session, version_id)
    decided = await _decisions(session, version_id)
    _may_decide(version, actor, decided)
    decision = "approve" if approve else "reject"
    session.add(DocumentApproval(tenant_id=version.tenant_id, version_id=version_id,
                                 approver=actor, decision=decision, comment=comment[:2000]))
    decided[actor] = decision
    approvals = sum(1 for d in decided.values() if d == "approve")
    open_votes = len(version.approvers) - len(decided)
    if approvals >= version.quorum:
        await _approve(session, version)
    elif approvals + open_votes < version.quorum:
        version.status = "rejected"
    await session.flush()
    return version


async def _approve(session: Any, version: DocumentVersion) -> None:
    now = utcnow()
    version.status, version.approved_at = "approved", now
    older = await session.execute(select(DocumentVersion).where(
        DocumentVersion.document_id == version.document_id,
        DocumentVersion.status == "approved", DocumentVersion.id != version.id))
    for row in older.scalars():
        row.status, row.superseded_at = "superseded", now


async def visible_version(platform: PlatformContext, tenant_id: str, version_id: str
                          ) -> DocumentVersion:
    """A version of the tenant's own documents or of a group document imposed on it."""
    ctx = group_context(platform, tenant_id)
    async with tenants_session(platform, (tenant_id, *ctx.applying),
                               "documents a tenant must read", readonly=True) as session:
        found = (await session.execute(select(DocumentVersion, ControlledDocument).join(
            ControlledDocument, ControlledDocument.id == DocumentVersion.document_id).where(
            DocumentVersion.id == version_id))).first()
    if found is None or (found[1].tenant_id != tenant_id and not found[1].imposed):
        raise NotFound(f"no document version {version_id} applies here",
                       code="DOCUMENT_NOT_FOUND", field="versionId")
    return found[0]


async def acknowledge(platform: PlatformContext, session: Any, tenant_id: str, *,
                      version_id: str, user_id: str) -> DocumentAcknowledgement:
    """The caller confirms reading a version in force (approved) that applies here."""
    version = await visible_version(platform, tenant_id, version_id)
    if version.status != "approved":
        raise Conflict(f"only the approved version in force is acknowledged (this one is "
                       f"{version.status})", code="DOCUMENT_NOT_IN_FORCE")
    dup = (await session.execute(select(DocumentAcknowledgement.id).where(
        DocumentAcknowledgement.version_id == version_id,
        DocumentAcknowledgement.user_id == user_id))).first()
    if dup is not None:
        raise Conflict("you acknowledged this version already",
                       code="DOCUMENT_ALREADY_ACKNOWLEDGED")
    row = DocumentAcknowledgement(tenant_id=tenant_id, document_id=version.document_id,
                                  version_id=version_id, user_id=user_id)
    session.add(row)
    await session.flush()
    return row
