"""Demo controlled documents of the Hanwei group (``ipgov demo``): the group's IP manual
(imposed; version 1 superseded by version 2, approved in sequence), the group's IP asset
procedure (imposed, approved by quorum) and Hanwei Semiconductor's local supplement to it
(the group governs it in hybrid mode). Each version's file is a small PDF stored as an
evidence file; the semiconductor IP manager has acknowledged the manual, the engineer not
yet (the ``not_acknowledged`` check finds it). A new version of the procedure and of the manual
wait for the group IP director's approval."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import timedelta
from pathlib import Path

from ipgov.api import DemoContext, new_id, record_audit, utcnow

from ..evidence.models import EvidenceAttachment, EvidenceFile
from ..evidence.services import OBJ as EVIDENCE
from ..evidence.storage import object_key, store_for
from .models import ControlledDocument, DocumentAcknowledgement, DocumentApproval, DocumentVersion

__all__ = ["demo"]


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


async def _file(demo: DemoContext, tenant_id: str, name: str, text: str) -> str:
    assert demo.platform is not None
    content = _pdf(text)
    sha = hashlib.sha256(content).hexdigest()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        await store_for(demo.platform).put(object_key(tenant_id, sha), path, "application/pdf")
    row = EvidenceFile(id=new_id(), tenant_id=tenant_id, sha256=sha, size=len(content),
                       media_type="application/pdf", filename=name, title=text,
                       kind="controlled_document", valid_from=utcnow().date(),
                       valid_until=None, backend=store_for(demo.platform).name,
                       scan_status="not_scanned", scan_detail="demo data",
                       uploaded_by=demo.actor)
    demo.session.add(row)
    await demo.session.flush()
    row.audit_event_id = await record_audit(
        demo.platform, demo.session, tenant_id=tenant_id, actor=demo.actor,
        action="ip_governance.evidence.stored", object_type=EVIDENCE, object_id=row.id,
        details={"sha256": sha, "size": len(content), "media_type": "application/pdf",
                 "filename": name, "kind": "controlled_document", "scan": "not_scanned"})
    return row.id


async def _version(demo: DemoContext, doc: ControlledDocument, number: int, *, status: str,
                   approvers: list[str], mode: str, days_ago: int, review_in: int,
                   roles: list[str]) -> DocumentVersion:
    today = utcnow().date()
    evidence_id = await _file(demo, doc.tenant_id, f"{doc.code}-v{number}.pdf",
                              f"{doc.code} {doc.title} v{number}")
    v = DocumentVersion(id=new_id(), tenant_id=doc.tenant_id, document_id=doc.id,
                        number=number, label=f"v{number}", evidence_id=evidence_id,
                        author=demo.actor, status=status, approval_mode=mode,
                        approvers=approvers, quorum=len(approvers) if mode == "sequence" else 1,
                        effective_on=today - timedelta(days=days_ago),
                        review_due_on=today + timedelta(days=review_in), distribution=roles,
                        approved_at=utcnow() - timedelta(days=days_ago + 3))
    demo.session.add(v)
    await demo.session.flush()  # the version before the rows naming it
    demo.session.add(EvidenceAttachment(tenant_id=doc.tenant_id, evidence_id=evidence_id,
                                        object_type="ip_governance:document_version",
                                        object_id=v.id, attached_by=demo.actor))
    voters = [] if status == "in_approval" else approvers if mode == "sequence" else approvers[:1]
    for approver in voters:
        demo.session.add(DocumentApproval(tenant_id=doc.tenant_id, version_id=v.id,
                                          approver=approver, decision="approve",
                                          comment="demo"))
    return v


def _doc(tenant_id: str, code: str, title: str, kind: str, actor: str, *,
         imposed: bool = False, supplements: str | None = None) -> ControlledDocument:
    return ControlledDocument(id=new_id(), tenant_id=tenant_id, code=code, title=title,
                              kind=kind, imposed=imposed, supplements_id=supplements,
                              created_by=actor)


async def demo(demo: DemoContext) -> None:
    """The manual and two procedures, with versions, decisions and acknowledgements."""
    group, semi = demo.tenants.get("hanwei-group"), demo.tenants.get("hanwei-semiconductor")
    users = {email.split("@")[0]: uid for email, uid in demo.users.items()}
    li, chen = users.get("li.wei"), users.get("chen.jing")
    if not (group and semi and li and chen and demo.platform is not None):
        return
    manual = _doc(group, "HW-IPM-001", "IP management manual", "manual", demo.actor,
                  imposed=True)
    procedure = _doc(group, "HW-IPP-002", "IP asset acquisition procedure", "procedure",
                     demo.actor, imposed=True)
    local = _doc(semi, "HW-SEMI-IPP-002-S", "Semiconductor invention disclosure supplement",
                 "procedure", demo.actor, supplements=procedure.id)
    demo.session.add_all([manual, procedure, local])
    await demo.session.flush()
    old = await _version(demo, manual, 1, status="superseded", approvers=[li, chen],
                         mode="sequence", days_ago=400, review_in=-35, roles=["ip_manager"])
    old.superseded_at = utcnow() - timedelta(days=30)
    current = await _version(demo, manual, 2, status="approved", approvers=[li, chen],
                             mode="sequence", days_ago=30, review_in=335,
                             roles=["ip_manager", "contributor"])
    await _version(demo, procedure, 1, status="approved", approvers=[li, chen],
                   mode="quorum", days_ago=90, review_in=275, roles=["ip_manager"])
    # waiting for the group IP director's approval (the workspace journey approves them: in
    # English the procedure's version 2, in Chinese the manual's version 3)
    for doc, number in ((procedure, 2), (manual, 3)):
        pending = await _version(demo, doc, number, status="in_approval", approvers=[li],
                                 mode="sequence", days_ago=-14, review_in=379,
                                 roles=["ip_manager"])
        pending.approved_at = None

    await _version(demo, local, 1, status="approved", approvers=[users.get("wang.fang", li)],
                   mode="quorum", days_ago=400, review_in=-10, roles=["contributor"])
    if users.get("wang.fang"):
        demo.session.add(DocumentAcknowledgement(tenant_id=semi, document_id=manual.id,
                                                 version_id=current.id,
                                                 user_id=users["wang.fang"]))
    await demo.session.flush()
