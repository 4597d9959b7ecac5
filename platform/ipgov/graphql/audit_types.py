"""GraphQL types of the audit trail: events with their changes and resolved actors, the
filter input, and the verification result (shared by ``auditEvents`` and the supervision
view)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from ipgov.audit.actors import Actor, resolve_actors
from ipgov.audit.models import AuditEvent
from ipgov.audit.trail import TrailFilter
from ipgov.audit.verify import VerifyResult
from ipgov.i18n.labels import label

from .permissions import public

__all__ = ["AuditActorType", "AuditChangeType", "AuditEventType", "AuditFilterInput",
           "AuditVerificationType", "actor_field", "event_node", "load_actor", "trail_filter",
           "verification_node"]


@strawberry.type(name="AuditActor", description="Who acted: a person or service account by "
                 "name with their current roles in the event's tenant, or the platform itself.")
class AuditActorType:
    subject: str = strawberry.field(description="As recorded: user id, sa:<id>, system, cli.")
    kind: str = strawberry.field(description="user, service_account, platform or unknown.")
    name: str | None = strawberry.field(description="Null when the subject no longer exists.")
    roles: list[str]


async def load_actor(info: Info, subject: str, tenant_id: str) -> AuditActorType:
    """``subject`` (a user id, ``sa:<id>``, ``system``...) as a reader sees it: a name and the
    current roles in ``tenant_id``. Batched per request: a page of rows costs two statements."""
    ctx = info.context
    platform = ctx.platform

    async def batch(keys: list[tuple[str, str]]) -> list[Actor]:
        found = await resolve_actors(platform, keys)
        return [found[k] for k in keys]

    actor = await ctx.loader("audit_actors", batch).load((subject, tenant_id))
    name = (label("platform_actor", actor.subject, ctx.locale) if actor.kind == "platform"
            else actor.name)
    return AuditActorType(subject=actor.subject, kind=actor.kind, name=name,
                          roles=list(actor.roles))


def actor_field(attribute: str, description: str) -> Any:
    """A field naming who is behind the subject stored in ``attribute`` (``requestedBy``,
    ``createdBy``...): the rows keep subjects, which stay true when people are renamed; readers
    see names. Null when the attribute is empty. Public: the field returning the row checked
    access, and a name is no more than the row's reader may know of a colleague."""

    async def resolve(root: Any, info: Info) -> AuditActorType | None:
        subject = getattr(root, attribute, None)
        if not subject:
            return None
        return await load_actor(info, str(subject), str(getattr(root, "tenant_id", "") or ""))

    return strawberry.field(resolver=resolve, description=description, extensions=public())


@strawberry.type(name="AuditChange", description="One field an audited change touched.")
class AuditChangeType:
    field: str
    before: JSON | None = strawberry.field(description="Null for a creation (or a null value).")
    after: JSON | None = strawberry.field(description="Null for a deletion (or a null value).")
    redacted: bool = strawberry.field(
        description="True for long text and secrets: the field changed, the values are not "
                    "recorded.")


@strawberry.type(name="AuditEvent", description="One event of a tenant's hash-chained trail.")
class AuditEventType:
    id: strawberry.ID
    tenant_id: strawberry.ID
    seq: int
    occurred_at: datetime
    actor: str = strawberry.field(description="The actor's subject; see actorInfo for a name.")
    action: str
    object_type: str
    object_id: str
    request_id: str
    hash: str
    details: JSON = strawberry.field(description="Everything the event recorded.")
    change: str | None = strawberry.field(
        description="created, updated or deleted when the event recorded the object's change.")
    changes: list[AuditChangeType] = strawberry.field(
        description="Before and after values of each field the change touched.")

    @strawberry.field(description="The actor resolved to a name and roles (batched).",
                      extensions=public())  # the field returning the events checked access
    async def actor_info(self, info: Info) -> AuditActorType:
        return await load_actor(info, self.actor, str(self.tenant_id))


def _changes(details: dict[str, Any]) -> tuple[str | None, list[AuditChangeType]]:
    recorded = details.get("changes") if isinstance(details, dict) else None
    if not isinstance(recorded, dict):
        return None, []
    fields = [AuditChangeType(field=str(f.get("field")), before=f.get("before"),
                              after=f.get("after"), redacted=bool(f.get("redacted")))
              for f in recorded.get("fields") or [] if isinstance(f, dict)]
    return recorded.get("change"), fields


def event_node(e: AuditEvent) -> AuditEventType:
    """The GraphQL node of a stored event."""
    change, changes = _changes(e.details or {})
    return AuditEventType(id=strawberry.ID(e.id), tenant_id=strawberry.ID(e.tenant_id),
                          seq=e.seq, occurred_at=e.occurred_at, actor=e.actor, action=e.action,
                          object_type=e.object_type, object_id=e.object_id,
                          request_id=e.request_id, hash=e.hash, details=JSON(e.details or {}),
                          change=change, changes=changes)


@strawberry.input(name="AuditFilter", description="Narrow a trail (all parts optional, ANDed).")
class AuditFilterInput:
    actors: list[str] | None = strawberry.field(
        default=None, description="Subjects as recorded (user ids, sa:<id>, system); at most 20.")
    actions: list[str] | None = strawberry.field(
        default=None, description="Exact actions, e.g. directive.updated; at most 20.")
    object_type: str | None = None
    object_id: str | None = strawberry.field(default=None, description="Needs objectType.")
    since: datetime | None = None
    until: datetime | None = None


def trail_filter(value: AuditFilterInput | None) -> TrailFilter:
    """The validated core filter of a GraphQL filter input."""
    if value is None:
        return TrailFilter()
    return TrailFilter.of(value.actors, value.actions, value.object_type, value.object_id,
                          value.since, value.until)


@strawberry.type(name="AuditVerification", description="Result of verifying a tenant's trail.")
class AuditVerificationType:
    tenant_id: strawberry.ID
    ok: bool
    status: str = strawberry.field(
        description="verified (held to the witness), verified-unwitnessed (links, hashes and "
                    "head check out, but no witness checkpoint yet: a rolled-back tail could "
                    "not be excluded) or tampered.")
    events: int
    first_bad_seq: int | None
    first_bad_id: str | None
    problem: str
    witnessed_seq: int | None = strawberry.field(
        description="The last event the witness recorded outside the database.")
    witnessed_at: str | None


def verification_node(r: VerifyResult) -> AuditVerificationType:
    """The GraphQL form of a verification result."""
    return AuditVerificationType(
        tenant_id=strawberry.ID(r.tenant_id), ok=r.ok, status=r.status, events=r.events,
        first_bad_seq=r.first_bad_seq, first_bad_id=r.first_bad_id, problem=r.problem,
        witnessed_seq=r.witnessed_seq, witnessed_at=r.witnessed_at)
