"""The example partner's review check: it reads the tenant's notes, so it is asynchronous."""

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

from .models import ExampleNote, ExampleSettings

__all__ = ["CHECKS"]


async def overdue_notes(ctx: CheckContext) -> list[FindingDraft] | NotAssessed:
    """One finding while any open note is past its due date (the key stays the same, so a
    later review keeps the directive open until the notes are done). A tenant without notes
    is not assessed: an empty register must not score as a perfect one."""
    notes = (await ctx.session.execute(select(func.count()).select_from(ExampleNote))).scalar()
    if not notes:
        return ctx.not_assessed("no note is recorded", "尚未记录任何备注")
    overdue = (await ctx.session.execute(select(func.count()).select_from(ExampleNote).where(
        ExampleNote.done.is_(False), ExampleNote.due_on < ctx.now.date()))).scalar() or 0
    settings = (await ctx.session.execute(select(ExampleSettings))).scalar_one_or_none()
    if not overdue:
        return []
    return [ctx.finding(
        "overdue", params={"overdue": overdue, "tenant": ctx.tenant.slug},
        evidence={"overdue": overdue,
                  "reminder_days": settings.reminder_days if settings else None},
        object_type="example_partner:note")]


CHECKS = [
    Check(id="example_partner.overdue_notes", title="No note is past its due date",
          title_zh="没有逾期的备注", domain=GovernanceDomain.MANAGEMENT_SYSTEMS,
          function=Function.MONITOR, severity=Severity.LOW, run=overdue_notes,
          recommendation="Finish overdue notes.", recommendation_zh="完成逾期备注。",
          references=("GB/T 29490-2023 9.1",),
          texts={"": FindingText(
              "{overdue} note(s) of {tenant} are past their due date",
              "{tenant} 有 {overdue} 条备注已逾期",
              "Finish the overdue notes of {tenant} or move their due dates deliberately.",
              "完成 {tenant} 的逾期备注，或有意识地调整其截止日期。")}),
]
