"""Evidence files in GraphQL: list and read a tenant's files (with their attachments and a
signed download link), verify a stored file against its recorded hash, attach and detach.
Uploads go through the HTTP route (``routes.py``): a GraphQL request is no file stream."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    UserError,
    authenticated,
    download_link,
    mutate,
    requires,
    tenant_page,
    to_type,
    utcnow,
)

from . import services
from .kinds import load_kinds
from .models import EvidenceAttachment, EvidenceFile
from .services import OBJ

__all__ = ["MUTATIONS", "QUERIES"]


@strawberry.type(description="An evidence file attached to a record.")
class EvidenceAttachmentType:
    id: strawberry.ID
    evidence_id: strawberry.ID
    object_type: str = strawberry.field(description="e.g. ip_governance:pdca_phase")
    object_id: str
    verified: bool = strawberry.field(description="False for another plugin's record, whose "
                                      "existence could not be checked here.")
    attached_by: str
    created_at: datetime


@strawberry.type(description="A stored evidence file: content-addressed by SHA-256, the hash "
                 "recorded in the tenant's audit chain.")
class EvidenceFileType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    sha256: str
    size: int
    media_type: str = strawberry.field(description="Sniffed from the content.")
    filename: str
    title: str
    kind: str
    valid_from: date
    valid_until: date | None
    expired: bool
    scan_status: str = strawberry.field(description="clean or not_scanned (no scanner set).")
    scan_detail: str
    uploaded_by: str
    created_at: datetime
    attachments: list[EvidenceAttachmentType] = strawberry.field(
        description="Up to 100 attachments, oldest first.")

    @strawberry.field(description="A signed link to download the file (a few minutes; checked "
                      "again when opened). Null for API keys, which send their header.",
                      extensions=authenticated())
    def download_url(self, info: Info) -> str | None:
        principal = info.context.require_principal()
        if principal.kind != "user":
            return None
        path = f"/plugins/ip_governance/tenants/{self.tenant_id}/evidence/{self.id}/content"
        return download_link(info.context.platform, principal, path)[0]


@strawberry.type(description="An evidence kind and its validity period.")
class EvidenceKindType:
    id: str
    label: str
    validity_days: int | None


@strawberry.type(description="A stored file hashed again and compared with its row and with "
                 "the hash the audit chain recorded.")
class EvidenceVerification:
    evidence_id: strawberry.ID
    ok: bool
    status: str = strawberry.field(description="intact, tampered, missing or unrecorded")
    expected_sha256: str
    actual_sha256: str | None
    recorded_sha256: str | None


@strawberry.type(description="The attachment made, or why not.")
class EvidenceAttachmentPayload:
    attachment: EvidenceAttachmentType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _attachment(row: EvidenceAttachment) -> EvidenceAttachmentType:
    return to_type(EvidenceAttachmentType, row)


def file_node(row: EvidenceFile, attachments: list[EvidenceAttachment] | None = None
              ) -> EvidenceFileType:
    """The GraphQL view of a stored file."""
    today = utcnow().date()
    return to_type(EvidenceFileType, row,
                   expired=row.valid_until is not None and row.valid_until < today,
                   attachments=[_attachment(a) for a in attachments or []])


async def _with_attachments(session, nodes: list[EvidenceFileType]) -> None:
    ids = [str(n.id) for n in nodes]
    if not ids:
        return
    rows = (await session.execute(select(EvidenceAttachment).where(
        EvidenceAttachment.evidence_id.in_(ids)).order_by(EvidenceAttachment.created_at)
        .limit(100 * len(ids)))).scalars()
    by_file: dict[str, list[EvidenceAttachmentType]] = {}
    for a in rows:
        bucket = by_file.setdefault(a.evidence_id, [])
        if len(bucket) < 100:
            bucket.append(_attachment(a))
    for n in nodes:
        n.attachments = by_file.get(str(n.id), [])


@strawberry.type
class EvidenceQuery:
    @strawberry.field(description="A tenant's evidence files, oldest first; optionally only "
                      "those attached to one record (objectType and objectId) or of one kind.",
                      extensions=requires(OBJ, "read"))
    async def evidence_files(self, info: Info, tenant_id: strawberry.ID, first: int = 20,
                             after: str | None = None, object_type: str | None = None,
                             object_id: str | None = None, kind: str | None = None
                             ) -> Connection[EvidenceFileType]:
        stmt = select(EvidenceFile)
        if object_type and object_id:
            stmt = stmt.where(EvidenceFile.id.in_(select(EvidenceAttachment.evidence_id).where(
                EvidenceAttachment.object_type == object_type,
                EvidenceAttachment.object_id == object_id)))
        if kind:
            stmt = stmt.where(EvidenceFile.kind == kind)
        page = await tenant_page(info, str(tenant_id), stmt,
                                 [EvidenceFile.created_at, EvidenceFile.id],
                                 first=first, after=after, to_node=file_node)
        async with info.context.session(str(tenant_id)) as session:
            await _with_attachments(session, [e.node for e in page.edges])
        return page

    @strawberry.field(description="One evidence file of the tenant (null when the tenant has "
                      "none with this id).", extensions=requires(OBJ, "read"))
    async def evidence_file(self, info: Info, tenant_id: strawberry.ID,
                            id: strawberry.ID) -> EvidenceFileType | None:  # noqa: A002
        async with info.context.session(str(tenant_id)) as session:
            row = await session.get(EvidenceFile, str(id))
            if row is None:
                return None
            node = file_node(row)
            await _with_attachments(session, [node])
            return node

    @strawberry.field(description="Hash the stored bytes of a file again and compare them with "
                      "the hash recorded in the audit chain (tampering is status tampered).",
                      extensions=requires(OBJ, "read"))
    async def verify_evidence(self, info: Info, tenant_id: strawberry.ID,
                              id: strawberry.ID) -> EvidenceVerification | None:  # noqa: A002
        async with info.context.session(str(tenant_id)) as session:
            row = await session.get(EvidenceFile, str(id))
            if row is None:
                return None
            v = await services.verify(info.context.platform, session, str(tenant_id), row)
        return EvidenceVerification(evidence_id=strawberry.ID(v.evidence_id), ok=v.ok,
                                    status=v.status, expected_sha256=v.expected_sha256,
                                    actual_sha256=v.actual_sha256,
                                    recorded_sha256=v.recorded_sha256)

    @strawberry.field(description="The evidence kinds and their validity periods.",
                      extensions=requires(OBJ, "read"))
    def evidence_kinds(self, info: Info, tenant_id: strawberry.ID) -> list[EvidenceKindType]:
        zh = info.context.locale == "zh-CN"
        return [EvidenceKindType(id=k.id, label=k.label["zh-CN" if zh else "en"],
                                 validity_days=k.validity_days)
                for k in load_kinds().values()]


@strawberry.type
class EvidenceMutation:
    @strawberry.mutation(description="Attach an evidence file to a record of the tenant "
                         "(a PDCA phase, directive, management review, clause, review run, "
                         "reasonable step, document version); audited.",
                         extensions=requires(OBJ, "attach"))
    async def attach_evidence(self, info: Info, tenant_id: strawberry.ID,
                              evidence_id: strawberry.ID, object_type: str,
                              object_id: str) -> EvidenceAttachmentPayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), EvidenceAttachmentPayload, "attachment",
            lambda s: services.attach(ctx.platform, s, str(tenant_id),
                                      evidence_id=str(evidence_id), object_type=object_type,
                                      object_id=object_id, actor=ctx.actor),
            action="ip_governance.evidence.attached", object_type=OBJ,
            to_node=_attachment,
            details=lambda a: {"evidence_id": a.evidence_id, "object_type": a.object_type,
                               "object_id": a.object_id})

    @strawberry.mutation(description="Remove an attachment (the file stays); audited.",
                         extensions=requires(OBJ, "attach"))
    async def detach_evidence(self, info: Info, tenant_id: strawberry.ID,
                              attachment_id: strawberry.ID) -> EvidenceAttachmentPayload:
        return await mutate(
            info, str(tenant_id), EvidenceAttachmentPayload, "attachment",
            lambda s: services.detach(s, str(attachment_id)),
            action="ip_governance.evidence.detached", object_type=OBJ, to_node=_attachment,
            details=lambda a: {"evidence_id": a.evidence_id, "object_type": a.object_type,
                               "object_id": a.object_id})


QUERIES = [EvidenceQuery]
MUTATIONS = [EvidenceMutation]
