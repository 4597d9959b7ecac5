"""The IP management organization in GraphQL: members and their department types, RACI for
IP processes, training sessions (seed §3 b, 5.2)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from ipgov.api import (
    Connection,
    UserError,
    input_values,
    mutate,
    requires,
    row_mapper,
    tenant_page,
    to_type,
)

from .. import services
from ..models import OrgMember, RaciAssignment, TrainingSession

OBJ = "ip_governance:organization"


@strawberry.type(name="IpOrgMember", description="A member of the IP management organization.")
class IpOrgMemberType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    name: str
    department_type: str = strawberry.field(
        description="top_decision_maker, decision_level, internal_supervision, "
        "key_business_department, ip_department, legal, r_and_d, finance, human_resources "
        "or other")
    department_name: str
    role_title: str
    user_id: strawberry.ID | None
    active: bool


@strawberry.type(name="RaciAssignment", description="A member's R/A/C/I role in an IP process.")
class RaciAssignmentType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    process: str
    member_id: strawberry.ID
    role: str


@strawberry.type(name="TrainingSession", description="An IP training held.")
class TrainingSessionType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    topic: str
    held_at: datetime
    attendees_count: int
    attendee_member_ids: list[strawberry.ID]


member_node = row_mapper(IpOrgMemberType)


raci_node = row_mapper(RaciAssignmentType)


def training_node(r: TrainingSession) -> TrainingSessionType:
    return to_type(TrainingSessionType, r, attendee_member_ids=list(r.attendee_member_ids or []))


@strawberry.input(description="A new member of the IP management organization.")
class IpOrgMemberInput:
    name: str
    department_type: str
    department_name: str = ""
    role_title: str = ""
    user_id: strawberry.ID | None = None


@strawberry.input(description="A RACI assignment: role is R, A, C or I.")
class RaciAssignmentInput:
    process: str
    member_id: strawberry.ID
    role: str


@strawberry.input(description="A training held; heldAt defaults to now.")
class TrainingSessionInput:
    topic: str
    held_at: datetime | None = None
    attendees_count: int = 0
    attendee_member_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.type(description="The member added or changed, or why not.")
class IpOrgMemberPayload:
    member: IpOrgMemberType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The RACI assignment made or removed, or why not.")
class RaciAssignmentPayload:
    assignment: RaciAssignmentType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="The training recorded, or why not.")
class TrainingSessionPayload:
    training: TrainingSessionType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrganizationQuery:
    @strawberry.field(description="Members of a tenant's IP management organization.",
                      extensions=requires(OBJ, "read"))
    async def ip_org_members(self, info: Info, tenant_id: strawberry.ID, first: int = 50,
                             after: str | None = None) -> Connection[IpOrgMemberType]:
        return await tenant_page(
            info, str(tenant_id), select(OrgMember), [OrgMember.id],
            first=first, after=after, to_node=member_node)

    @strawberry.field(description="RACI assignments (optionally of one process).",
                      extensions=requires(OBJ, "read"))
    async def raci_assignments(
        self, info: Info, tenant_id: strawberry.ID, process: str | None = None,
        first: int = 50, after: str | None = None,
    ) -> Connection[RaciAssignmentType]:
        where = (RaciAssignment.process == process,) if process else ()
        return await tenant_page(
            info, str(tenant_id), select(RaciAssignment).where(*where), [RaciAssignment.id],
            first=first, after=after, to_node=raci_node)

    @strawberry.field(description="Trainings held in a tenant.",
                      extensions=requires(OBJ, "read"))
    async def training_sessions(self, info: Info, tenant_id: strawberry.ID, first: int = 50,
                                after: str | None = None) -> Connection[TrainingSessionType]:
        return await tenant_page(
            info, str(tenant_id), select(TrainingSession), [TrainingSession.id],
            first=first, after=after, to_node=training_node)


@strawberry.type
class OrganizationMutation:
    @strawberry.mutation(description="Add a member to the IP management organization.",
                         extensions=requires(OBJ, "create"))
    async def add_ip_org_member(self, info: Info, tenant_id: strawberry.ID,
                                input: IpOrgMemberInput) -> IpOrgMemberPayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), IpOrgMemberPayload, "member",
            lambda s: services.add_member(s, str(tenant_id), **input_values(input)),
            action="ip_governance.member.added", object_type=OBJ, to_node=member_node)

    @strawberry.mutation(description="Mark a member as having left (or rejoined).",
                         extensions=requires(OBJ, "update"))
    async def set_ip_org_member_active(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID, active: bool,  # noqa: A002
    ) -> IpOrgMemberPayload:
        return await mutate(
            info, str(tenant_id), IpOrgMemberPayload, "member",
            lambda s: services.set_member_active(s, str(tenant_id), str(id), active),
            action="ip_governance.member.active", object_type=OBJ, to_node=member_node)

    @strawberry.mutation(description="Give a member an R, A, C or I role in an IP process; "
                         "a process has exactly one Accountable.",
                         extensions=requires(OBJ, "create"))
    async def assign_raci(self, info: Info, tenant_id: strawberry.ID,
                          input: RaciAssignmentInput) -> RaciAssignmentPayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), RaciAssignmentPayload, "assignment",
            lambda s: services.assign_raci(s, str(tenant_id), **input_values(input)),
            action="ip_governance.raci.assigned", object_type=OBJ, to_node=raci_node)

    @strawberry.mutation(description="Withdraw a RACI assignment.",
                         extensions=requires(OBJ, "delete"))
    async def remove_raci_assignment(
        self, info: Info, tenant_id: strawberry.ID, id: strawberry.ID,  # noqa: A002
    ) -> RaciAssignmentPayload:
        async def run(s):
            row = await s.get(RaciAssignment, str(id))
            node_before = raci_node(row) if row is not None else None
            await services.remove_raci(s, str(tenant_id), str(id))
            return _Removed(str(id), node_before)

        return await mutate(
            info, str(tenant_id), RaciAssignmentPayload, "assignment",
            run, action="ip_governance.raci.removed", object_type=OBJ,
            to_node=lambda removed: removed.node)

    @strawberry.mutation(description="Record a training held, with attendance.",
                         extensions=requires(OBJ, "create"))
    async def record_training(self, info: Info, tenant_id: strawberry.ID,
                              input: TrainingSessionInput) -> TrainingSessionPayload:  # noqa: A002
        return await mutate(
            info, str(tenant_id), TrainingSessionPayload, "training",
            lambda s: services.record_training(s, str(tenant_id), **input_values(input)),
            action="ip_governance.training.recorded", object_type=OBJ, to_node=training_node)


class _Removed:
    """What ``mutate`` audits for a deleted row: its id and its last view."""

    def __init__(self, row_id: str, view: RaciAssignmentType | None) -> None:
        self.id, self.node = row_id, view
