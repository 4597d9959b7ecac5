"""Review check of evidence files: a file that still backs a record after its validity ended
(an expired certificate, a training record older than its kind allows) proves nothing any
more; the finding closes when a valid file replaces it or the attachment is removed."""

from __future__ import annotations

from sqlalchemy import func, select

from ipgov.api import (
    Check,
    CheckContext,
    FindingDraft,
    FindingText,
    Function,
    GovernanceDomain,
    NotAssessed,
    Severity,
)

from .models import EvidenceAttachment, EvidenceFile
from .services import OBJ

__all__ = ["CHECKS"]


async def expired_evidence(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """Attached files past their validity."""
    if (await ctx.session.execute(select(EvidenceFile.id).limit(1))).first() is None:
        return ctx.not_assessed("no evidence file is stored yet", "尚未存储证据文件")
    rows = (await ctx.session.execute(
        select(EvidenceFile, func.count(EvidenceAttachment.id))
        .join(EvidenceAttachment, EvidenceAttachment.evidence_id == EvidenceFile.id)
        .where(EvidenceFile.valid_until < ctx.now.date())
        .group_by(EvidenceFile.id).order_by(EvidenceFile.valid_until).limit(500))).all()
    return [ctx.finding(f.id, params={"file": f.filename, "kind": f.kind,
                                      "until": f.valid_until.isoformat() if f.valid_until else "",
                                      "records": n},
                        evidence={"sha256": f.sha256, "valid_until": str(f.valid_until)},
                        object_type=OBJ, object_id=f.id)
            for f, n in rows]


CHECKS: list[Check] = [
    Check(id="ip_governance.evidence.expired",
          title="Evidence attached to records is within its validity",
          title_zh="记录所附证据均在有效期内", domain=GovernanceDomain.MANAGEMENT_SYSTEMS,
          function=Function.GOVERN, severity=Severity.MEDIUM, run=expired_evidence,
          references=("GB/T 29490-2023 7.5.3",),
          recommendation="Attach a current file (a renewed certificate, a new training record) "
          "and detach the expired one.", recommendation_zh="附上现行有效的文件（续期证书、新的培训"
          "记录），并解除过期文件的关联。",
          texts={"": FindingText("Expired evidence: {file} ({kind}, valid until {until}) backs "
                                 "{records} record(s)",
                                 "证据已过期：{file}（{kind}，有效期至 {until}）"
                                 "仍支撑 {records} 条记录",
                                 "Replace {file} with a current file.",
                                 "请用现行有效的文件替换 {file}。")}),
]
