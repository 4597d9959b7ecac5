"""GraphQL of deadline reminders: the tenant's lead times (days before a deadline when
``ip_governance.deadline.approaching`` is recorded), read and set."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ipgov.api import UserError, mutate, requires

from . import reminders

ID = strawberry.ID
ASSET = "ip_governance:asset"


@strawberry.type(description="The lead times stored, or why nothing changed.")
class DeadlineReminderDaysPayload:
    days: list[int] | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeadlineReminderQuery:
    @strawberry.field(description="Days before an asset deadline when its reminder is "
                                  "sent, longest first (90, 30, 7 and 1 by default).",
                      extensions=requires(ASSET, "read"))
    async def deadline_reminder_days(self, info: Info, tenant_id: ID) -> list[int]:
        async with info.context.session(str(tenant_id)) as s:
            return await reminders.lead_days(s)


@strawberry.type
class DeadlineReminderMutation:
    @strawberry.mutation(description="Set the days before an asset deadline when its "
                                     "reminder is sent: 1 to 10 distinct values of 1 to 730.",
                         extensions=requires(ASSET, "update"))
    async def set_deadline_reminder_days(self, info: Info, tenant_id: ID,
                                         days: list[int]) -> DeadlineReminderDaysPayload:
        return await mutate(
            info, str(tenant_id), DeadlineReminderDaysPayload, "days",
            lambda s: reminders.set_lead_days(s, list(days)),
            action="ip_governance.deadline.reminders_set", object_type=ASSET,
            object_id=lambda _: "", details=lambda stored: {"days": stored})
