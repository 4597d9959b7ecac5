"""The example partner's GraphQL fields: a greeting, a paginated list, a mutation.

Every field declares its permission; resolvers open a tenant-scoped session with
``info.context.session(tenant_id)`` (the core adds the tenant filter) and name the caller with
``info.context.actor``.
"""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import Connection, UserError, requires, row_mapper, tenant_page, utcnow

from .models import ExampleNote
from .services import NOTE, NoteDraft, create_note, note_errors

__all__ = ["ExamplePartnerMutation", "ExamplePartnerQuery", "NoteType"]


@strawberry.type(name="ExampleNote", description="A note kept by the example partner plugin.")
class NoteType:
    id: strawberry.ID
    title: str
    body: str
    due_on: date | None
    done: bool


note_node = row_mapper(NoteType)  # the row's fields of the same names; overrides if needed


@strawberry.input(name="ExampleNoteInput", description="A new note.")
class NoteInput:
    title: str
    body: str = ""
    due_on: date | None = None


@strawberry.type(name="ExampleNotePayload", description="The note stored, or every reason "
                 "why not.")
class NotePayload:
    note: NoteType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ExamplePartnerQuery:
    """Root query fields of the example partner plugin."""

    @strawberry.field(description="A greeting for the tenant, from the example partner plugin.",
                      extensions=requires(NOTE, "read"))
    def example_partner_greeting(self, tenant_id: strawberry.ID) -> str:
        """Greet the tenant by id."""
        return f"Hello, tenant {tenant_id}, from the example partner plugin."

    @strawberry.field(description="The tenant's notes by title, a page at a time.",
                      extensions=requires(NOTE, "read"))
    async def example_partner_notes(
        self, info: Info, tenant_id: strawberry.ID, first: int = 20, after: str | None = None,
    ) -> Connection[NoteType]:
        """Keyset pagination over (title, id) in the tenant's session: ``first`` above the
        platform's maximum page size is refused (``PAGE_SIZE``)."""
        return await tenant_page(info, str(tenant_id), select(ExampleNote),
                                 [ExampleNote.title, ExampleNote.id], first=first, after=after,
                                 to_node=note_node)


@strawberry.type
class ExamplePartnerMutation:
    """Root mutation fields of the example partner plugin."""

    @strawberry.mutation(description="Add a note; every field error is reported at once.",
                         extensions=requires(NOTE, "create", tenant="tenantId"))
    async def create_example_partner_note(self, info: Info, tenant_id: strawberry.ID,
                                          input: NoteInput) -> NotePayload:  # noqa: A002
        """Validate all fields, then store and audit in one transaction."""
        ctx = info.context
        draft = NoteDraft(title=input.title, body=input.body, due_on=input.due_on)
        errors = note_errors(draft, utcnow().date())
        if errors:
            return NotePayload(errors=errors)
        async with ctx.session(str(tenant_id)) as session:
            result = await create_note(ctx.platform, session, tenant_id=str(tenant_id),
                                       actor=ctx.actor, draft=draft)
            if isinstance(result, list):
                return NotePayload(errors=result)
            return NotePayload(note=note_node(result))
