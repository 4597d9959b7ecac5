"""Controlled documents in GraphQL: the documents that apply to a tenant (its own and those
its group imposes), their versions with decisions and acknowledgements, and the mutations
that create, version, approve and acknowledge (each audited)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy import func, or_, select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    UserError,
    check_page_size,
    input_values,
    mutate,
    page_in,
    requires,
    tenants_session,
    to_type,
)

from . import services
from .models import (
    ControlledDocument,
    DocumentAcknowledgement,
    DocumentApproval,
    DocumentVersion,
)

__all__ = ["MUTATIONS", "QUERIES"]

OBJ = "ip_governance:document"


@strawberry.type(name="ControlledDocument", description="A manual, procedure, form or policy.")
class DocumentType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    code: str
    title: str
    kind: str
    imposed: bool = strawberry.field(description="A group document that applies to "
                                     "subsidiaries (centralized and hybrid modes).")
    supplements_id: strawberry.ID | None
    inherited: bool = strawberry.field(description="Imposed by the group, not this tenant's.")
    created_by: str
    created_at: datetime


@strawberry.type(description="An approver's decision on a document version.")
class DocumentDecision:
    approver: str
    decision: str
    comment: str
    decided_at: datetime


@strawberry.type(description="A version of a controlled document; its file is an evidence "
                 "file (evidenceId).")
class DocumentVersionType:
    id: strawberry.ID
    document_id: strawberry.ID
    number: int
    label: str
    evidence_id: strawberry.ID
    change_note: str
    author: str
    status: str = strawberry.field(description="in_approval, approved, rejected or superseded")
    approval_mode: str = strawberry.field(description="sequence or quorum")
    approvers: list[str]
    quorum: int
    effective_on: date
    review_due_on: date
    distribution: list[str] = strawberry.field(description="Roles that must acknowledge it.")
    approved_at: datetime | None
    superseded_at: datetime | None
    decisions: list[DocumentDecision]
    acknowledgements: int = strawberry.field(description="Acknowledgements in the tenant asked.")


@strawberry.input(description="A new controlled document.")
class ControlledDocumentInput:
    code: str
    title: str
    kind: str
    imposed: bool = False
    supplements_id: strawberry.ID | None = None


@strawberry.input(description="A new version, submitted for approval at once.")
class DocumentVersionInput:
    document_id: strawberry.ID
    evidence_id: strawberry.ID
    approvers: list[str]
    approval_mode: str
    effective_on: date
    review_due_on: date
    distribution: list[str] = strawberry.field(default_factory=list)
    quorum: int | None = None
    change_note: str = ""


@strawberry.type(description="The document created, or why not.")
class ControlledDocumentPayload:
    document: DocumentType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The version, or why not.")
class DocumentVersionPayload:
    version: DocumentVersionType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The acknowledgement recorded, or why not.")
class DocumentAcknowledgementPayload:
    version_id: strawberry.ID | None = None
    acknowledged_at: datetime | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _doc(tenant_id: str):
    def node(row: ControlledDocument) -> DocumentType:
        return to_type(DocumentType, row, inherited=row.tenant_id != tenant_id)
    return node


def version_node(row: DocumentVersion, decisions=(), acks: int = 0) -> DocumentVersionType:
    """The GraphQL view of a version."""
    return to_type(DocumentVersionType, row, approvers=list(row.approvers),
                   distribution=list(row.distribution),
                   decisions=[to_type(DocumentDecision, d) for d in decisions],
                   acknowledgements=acks)


async def _full_version(session, row: DocumentVersion, tenant_id: str) -> DocumentVersionType:
    decisions = (await session.execute(select(DocumentApproval).where(
        DocumentApproval.version_id == row.id).order_by(DocumentApproval.decided_at))).scalars()
    acks = (await session.execute(select(func.count()).select_from(DocumentAcknowledgement)
                                  .where(DocumentAcknowledgement.version_id == row.id,
                                         DocumentAcknowledgement.tenant_id == tenant_id))
            ).scalar_one()
    return version_node(row, list(decisions), acks)


async def _fresh(info: Info, tenant_id: str, version: DocumentVersion) -> DocumentVersionType:
    async with info.context.session(tenant_id) as session:
        row = await session.get(DocumentVersion, version.id)
        return await _full_version(session, row, tenant_id)


@strawberry.type
class DocumentQuery:
    @strawberry.field(description="The controlled documents that apply to a tenant: its own "
                      "and, in centralized and hybrid groups, those its group imposes.",
                      extensions=requires(OBJ, "read"))
    async def controlled_documents(self, info: Info, tenant_id: strawberry.ID, first: int = 20,
                                   after: str | None = None) -> Connection[DocumentType]:
        tid = str(tenant_id)
        ctx = services.group_context(info.context.platform, tid)
        stmt = select(ControlledDocument).where(or_(
            ControlledDocument.tenant_id == tid, ControlledDocument.imposed.is_(True)))
        async with tenants_session(info.context.platform, (tid, *ctx.applying),
                                   "documents that apply to a tenant", readonly=True) as s:
            return await page_in(info, s, stmt, [ControlledDocument.code, ControlledDocument.id],
                                 first=first, after=after, to_node=_doc(tid))

    @strawberry.field(description="The versions of a document that applies to the tenant, "
                      "newest first, with decisions and the tenant's acknowledgements.",
                      extensions=requires(OBJ, "read"))
    async def document_versions(self, info: Info, tenant_id: strawberry.ID,
                                document_id: strawberry.ID, first: int = 20
                                ) -> list[DocumentVersionType]:
        check_page_size(first, 100)
        tid = str(tenant_id)
        ctx = services.group_context(info.context.platform, tid)
        async with tenants_session(info.context.platform, (tid, *ctx.applying),
                                   "documents that apply to a tenant", readonly=True) as s:
            doc = await s.get(ControlledDocument, str(document_id))
            if doc is None or (doc.tenant_id != tid and not doc.imposed):
                return []
            rows = (await s.execute(select(DocumentVersion).where(
                DocumentVersion.document_id == doc.id).order_by(
                DocumentVersion.number.desc()).limit(first))).scalars()
            return [await _full_version(s, r, tid) for r in rows]


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(description="Create a controlled document (within what the group's "
                         "governance mode allows); audited.", extensions=requires(OBJ, "create"))
    async def create_controlled_document(self, info: Info, tenant_id: strawberry.ID,
                                         input: ControlledDocumentInput,  # noqa: A002
                                         ) -> ControlledDocumentPayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), ControlledDocumentPayload, "document",
            lambda s: services.create_document(ctx.platform, s, str(tenant_id),
                                               actor=ctx.actor, **input_values(input)),
            action="ip_governance.document.created", object_type=OBJ,
            to_node=_doc(str(tenant_id)))

    @strawberry.mutation(description="Add a version to a document and submit it for approval "
                         "(the author may not be an approver); audited.",
                         extensions=requires(OBJ, "create"))
    async def add_document_version(self, info: Info, tenant_id: strawberry.ID,
                                   input: DocumentVersionInput,  # noqa: A002
                                   ) -> DocumentVersionPayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), DocumentVersionPayload, "version",
            lambda s: services.add_version(s, actor=ctx.actor, **input_values(input)),
            action="ip_governance.document.version_added", object_type=OBJ,
            to_node=version_node,
            details=lambda v: {"document_id": v.document_id, "number": v.number,
                               "evidence_id": v.evidence_id, "approvers": v.approvers})

    @strawberry.mutation(description="Approve or reject a version as one of its approvers (in "
                         "sequence or toward the quorum); audited.",
                         extensions=requires(OBJ, "approve"))
    async def decide_document_version(self, info: Info, tenant_id: strawberry.ID,
                                      version_id: strawberry.ID, approve: bool,
                                      comment: str = "") -> DocumentVersionPayload:
        ctx = info.context
        return await mutate(
            info, str(tenant_id), DocumentVersionPayload, "version",
            lambda s: services.decide(s, version_id=str(version_id), actor=ctx.actor,
                                      approve=approve, comment=comment),
            action="ip_governance.document.decided", object_type=OBJ,
            then=lambda v: _fresh(info, str(tenant_id), v),
            details=lambda v: {"decision": "approve" if approve else "reject",
                               "status": v.status})

    @strawberry.mutation(description="Acknowledge having read a version in force (the "
                         "tenant's own or one its group imposes); audited.",
                         extensions=requires(OBJ, "acknowledge"))
    async def acknowledge_document(self, info: Info, tenant_id: strawberry.ID,
                                   version_id: strawberry.ID) -> DocumentAcknowledgementPayload:
        ctx = info.context
        user = ctx.require_principal().id
        return await mutate(
            info, str(tenant_id), DocumentAcknowledgementPayload, None,
            lambda s: services.acknowledge(ctx.platform, s, str(tenant_id),
                                           version_id=str(version_id), user_id=user),
            action="ip_governance.document.acknowledged", object_type=OBJ,
            to_node=lambda a: {"version_id": strawberry.ID(a.version_id),
                               "acknowledged_at": a.acknowledged_at},
            details=lambda a: {"version_id": a.version_id, "document_id": a.document_id})


QUERIES = [DocumentQuery]
MUTATIONS = [DocumentMutation]
