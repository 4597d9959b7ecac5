"""Writing notes: every field error of an input at once, then the write and its audit event.

A resolver hands in the tenant-scoped session it opened (``info.context.session(tenant_id)``)
and the acting subject (``info.context.actor``); the audit event goes into the same
transaction as the note, so both are stored or neither is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import PlatformContext, PluginSetting, UserError, record_audit

from .models import ExampleNote

__all__ = ["NOTE", "PLUGIN", "SETTINGS", "NoteDraft", "create_note", "note_errors"]

PLUGIN = "example_partner"
NOTE = "example_partner:note"
TITLE_MAX = 200
BODY_MAX = 5000

SETTINGS = [
    PluginSetting("max_notes", int, 10_000, "Most notes the example partner keeps per tenant.",
                  env="IPGOV_EXAMPLE_PARTNER_MAX_NOTES", minimum=1),
]
"""Declared by ``hooks.register_settings``; read with ``platform.plugin_settings(PLUGIN)``."""


@dataclass(frozen=True)
class NoteDraft:
    """What a caller asks to store."""

    title: str
    body: str = ""
    due_on: date | None = None


def note_errors(draft: NoteDraft, today: date) -> list[UserError]:
    """Every problem of the draft, one ``UserError`` per field, all at once."""
    errors = []
    if not draft.title.strip():
        errors.append(UserError(code="INVALID_INPUT", field="title",
                                message="title must not be empty"))
    elif len(draft.title) > TITLE_MAX:
        errors.append(UserError(code="INVALID_INPUT", field="title",
                                message=f"title is at most {TITLE_MAX} characters"))
    if len(draft.body) > BODY_MAX:
        errors.append(UserError(code="INVALID_INPUT", field="body",
                                message=f"body is at most {BODY_MAX} characters"))
    if draft.due_on is not None and draft.due_on < today:
        errors.append(UserError(code="INVALID_INPUT", field="dueOn",
                                message=f"dueOn {draft.due_on.isoformat()} is in the past"))
    return errors


async def create_note(platform: PlatformContext, session: AsyncSession, *, tenant_id: str,
                      actor: str, draft: NoteDraft) -> ExampleNote | list[UserError]:
    """Store the note and audit it, or return why not (nothing is stored then): a title in
    use, or the tenant's notes at the ``max_notes`` setting."""
    limit = int(platform.plugin_settings(PLUGIN).max_notes)
    if (await session.execute(select(func.count(ExampleNote.id)))).scalar_one() >= limit:
        return [UserError(code="NOTE_LIMIT", field="title",
                          message=f"this tenant keeps at most {limit} notes")]
    taken = await session.execute(select(ExampleNote.id).where(
        ExampleNote.title == draft.title.strip()))
    if taken.first() is not None:
        return [UserError(code="DUPLICATE_TITLE", field="title",
                          message=f"a note titled {draft.title.strip()!r} exists already")]
    note = ExampleNote(title=draft.title.strip(), body=draft.body, due_on=draft.due_on,
                       created_by=actor)
    session.add(note)
    await session.flush()
    await record_audit(platform, session, tenant_id=tenant_id, actor=actor,
                       action="example_partner.note.created", object_type=NOTE,
                       object_id=note.id, details={"title": note.title,
                                                   "due_on": str(draft.due_on or "")})
    return note
