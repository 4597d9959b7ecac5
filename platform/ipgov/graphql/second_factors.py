"""Second factors in GraphQL: enrol and remove an authenticator app or passkeys, recovery codes,
the second step of a sign-in, a member's reset by their administrator (within the privilege
ceiling), and each group's policy of who must have one.

Enrolment fields take either the caller's session or an ``enrol`` ticket (a person who must
have a second factor and has none gets only that ticket from ``login``). Fields that check a
code or a passkey are credential checks (one per request, charged to the rate limit). A
signed-in person changing their factors (adding one, removing one, renewing recovery codes)
must have signed in recently, or confirm it is them first (``confirmIdentity``: step-up).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from ipgov.authz.ceiling import assert_outranks
from ipgov.errors import DomainError
from ipgov.identity.factors import (
    passkeys,
    policy,
    recovery_codes,
    service,
    step_up,
    tickets,
    totp,
)
from ipgov.identity.factors.service import Enrolled, FactorInfo
from ipgov.identity.factors.step_up import require_recent
from ipgov.identity.models import User

from .credentials import CREDENTIAL_CHECK, credential_check
from .errors import UserError, user_errors
from .permissions import authenticated, public, requires
from .sessions import _member_tenants
from .sign_in import DonePayload, SignInPayload, checked_session, signed_in_payload

__all__ = ["SecondFactorMutation", "SecondFactorQuery"]

T = TypeVar("T")


@strawberry.type(name="SecondFactor", description="An authenticator app or a passkey.")
class SecondFactorType:
    id: strawberry.ID
    kind: str = strawberry.field(description="totp or passkey.")
    name: str
    created_at: datetime
    last_used_at: datetime | None


@strawberry.type(description="Your second factors and what is left of your recovery codes.")
class MySecondFactors:
    factors: list[SecondFactorType]
    recovery_codes_left: int
    required: bool = strawberry.field(description="A group's policy requires one of you.")


@strawberry.type(description="A new authenticator app to confirm with its first code.")
class TotpEnrolmentPayload:
    secret: str | None = strawberry.field(default=None, description=(
        "The shared secret (base 32), shown once, for typing into the app by hand."))
    uri: str | None = strawberry.field(default=None, description=(
        "The otpauth:// URI the app scans (drawn as a QR code)."))
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Options for navigator.credentials.create or .get.")
class PasskeyOptionsPayload:
    challenge_id: strawberry.ID | None = None
    options: str | None = strawberry.field(default=None, description=(
        "PublicKeyCredentialCreationOptions or RequestOptions as WebAuthn JSON."))
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A factor now in force, or why not.")
class EnrolSecondFactorPayload:
    factor: SecondFactorType | None = None
    recovery_codes: list[str] = strawberry.field(default_factory=list, description=(
        "With the first factor: ten one-time recovery codes, shown this once."))
    session: SignInPayload | None = strawberry.field(default=None, description=(
        "With an enrolment ticket: the session the sign-in was waiting for."))
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="New recovery codes (the old ones stopped working), or why not.")
class RecoveryCodesPayload:
    codes: list[str] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="How many factors were removed, or why none.")
class ResetSecondFactorsPayload:
    removed: int = 0
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="A group's roles and permissions whose holders need a second "
                 "factor.")
class SecondFactorPolicyType:
    roles: list[str]
    permissions: list[str]


@strawberry.type(description="The policy as stored, or why not.")
class SecondFactorPolicyPayload:
    policy: SecondFactorPolicyType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="When you confirmed it is you, or why not.")
class IdentityConfirmedPayload:
    confirmed_at: datetime | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _factor(found: FactorInfo) -> SecondFactorType:
    return SecondFactorType(id=strawberry.ID(found.id), kind=found.kind, name=found.name,
                            created_at=found.created_at, last_used_at=found.last_used_at)


def _user_id(info: Info) -> str | None:
    principal = info.context.principal
    return str(principal.id) if principal is not None and principal.kind == "user" else None


async def _as_person(info: Info, ticket: str | None, reason: str,
                     work: Callable[[Any, User], Awaitable[T]], *, step_up: bool = False) -> T:
    """``work(session, user)`` for the caller, or for the person of an enrolment ticket;
    ``step_up``: a signed-in caller must have authenticated recently (``step_up``)."""
    if not ticket:
        info.context.require_principal()
    async with info.context.system_session(f"graphql: {reason}") as session:
        if step_up and not ticket:
            await require_recent(info.context.platform, session, info.context.principal)
        user = await service.acting_user(session, _user_id(info), ticket)
        return await work(session, user)


def _enrolled(info: Info, done: Enrolled) -> EnrolSecondFactorPayload:
    return EnrolSecondFactorPayload(
        factor=_factor(done.factor), recovery_codes=done.recovery_codes,
        session=signed_in_payload(done.signed_in, info.context) if done.signed_in else None)


@strawberry.type
class SecondFactorQuery:
    @strawberry.field(description="Your second factors.", extensions=authenticated())
    async def my_second_factors(self, info: Info) -> MySecondFactors:
        user_id = _user_id(info) or ""
        async with info.context.system_session("graphql: my second factors") as session:
            found = await service.list_factors(session, user_id)
            left = await recovery_codes.remaining(session, user_id)
            user = await session.get(User, user_id)
            required = bool(user) and await policy.must_have_second_factor(
                info.context.platform, session, user)
        return MySecondFactors(factors=[_factor(f) for f in found], recovery_codes_left=left,
                               required=required)

    @strawberry.field(description="A member's second factors (names and kinds, no secret).",
                      extensions=requires("ipgov:member", "read"))
    async def member_second_factors(self, info: Info, tenant_id: strawberry.ID,
                                    user_id: strawberry.ID) -> list[SecondFactorType]:
        await _member_tenants(info, str(tenant_id), str(user_id))
        async with info.context.system_session("graphql: a member's factors") as session:
            return [_factor(f) for f in await service.list_factors(session, str(user_id))]

    @strawberry.field(description="Who in the tenant's group must have a second factor.",
                      extensions=requires("ipgov:tenant", "read"))
    async def second_factor_policy(self, info: Info, tenant_id: strawberry.ID
                                   ) -> SecondFactorPolicyType:
        async with info.context.system_session("graphql: second factor policy") as session:
            found = await policy.group_policy(session, str(tenant_id))
        return SecondFactorPolicyType(roles=list(found.roles),
                                      permissions=list(found.permissions))


@strawberry.type
class SecondFactorMutation:
    @strawberry.mutation(description="Start enrolling an authenticator app (TOTP): a secret to "
                         "confirm with confirmTotpEnrolment. Signed in, or with an enrolment "
                         "ticket.", extensions=public())
    async def begin_totp_enrolment(self, info: Info, ticket: str | None = None
                                   ) -> TotpEnrolmentPayload:
        try:
            started = await _as_person(info, ticket, "begin totp", lambda s, u: totp.begin(
                info.context.platform, s, u), step_up=True)
        except DomainError as exc:
            return TotpEnrolmentPayload(errors=user_errors(exc))
        return TotpEnrolmentPayload(secret=started.secret, uri=started.uri)

    @strawberry.mutation(description="Confirm the authenticator app with its first code; the "
                         "first factor comes with recovery codes.", extensions=public(),
                         metadata=CREDENTIAL_CHECK)
    async def confirm_totp_enrolment(self, info: Info, code: str, ticket: str | None = None
                                     ) -> EnrolSecondFactorPayload:
        try:
            await credential_check(info.context)
            done = await _as_person(info, ticket, "confirm totp", lambda s, u: (
                service.confirm_totp(info.context.platform, s, u, code, ticket=ticket)))
        except DomainError as exc:
            return EnrolSecondFactorPayload(errors=user_errors(exc))
        return _enrolled(info, done)

    @strawberry.mutation(description="Start adding a passkey: options for "
                         "navigator.credentials.create.", extensions=public())
    async def begin_passkey_registration(self, info: Info, ticket: str | None = None
                                         ) -> PasskeyOptionsPayload:
        try:
            ceremony = await _as_person(info, ticket, "begin passkey", lambda s, u: (
                passkeys.begin_registration(info.context.platform, s, u)), step_up=True)
        except DomainError as exc:
            return PasskeyOptionsPayload(errors=user_errors(exc))
        return PasskeyOptionsPayload(challenge_id=strawberry.ID(ceremony.challenge_id),
                                     options=ceremony.options)

    @strawberry.mutation(description="Keep the passkey the browser made (its answer as "
                         "WebAuthn JSON) under a name.", extensions=public(),
                         metadata=CREDENTIAL_CHECK)
    async def finish_passkey_registration(self, info: Info, challenge_id: strawberry.ID,
                                          credential: str, name: str,
                                          ticket: str | None = None
                                          ) -> EnrolSecondFactorPayload:
        try:
            await credential_check(info.context)
            done = await _as_person(info, ticket, "finish passkey", lambda s, u: (
                service.confirm_passkey(info.context.platform, s, u,
                                        challenge_id=str(challenge_id), credential=credential,
                                        name=name, ticket=ticket)))
        except DomainError as exc:
            return EnrolSecondFactorPayload(errors=user_errors(exc))
        return _enrolled(info, done)

    @strawberry.mutation(description="Confirm it is you (your password, or a code of your "
                         "authenticator app) before changing your second factors: a sign-in "
                         "older than a few minutes is not enough (STEP_UP_REQUIRED).",
                         extensions=authenticated(), metadata=CREDENTIAL_CHECK)
    async def confirm_identity(self, info: Info, password: str | None = None,
                               code: str | None = None) -> IdentityConfirmedPayload:
        ctx = info.context
        try:
            await credential_check(ctx)
            at = await step_up.confirm(ctx.platform, ctx.require_principal(),
                                       password=password, code=code, client=ctx.client_address)
        except DomainError as exc:
            return IdentityConfirmedPayload(errors=user_errors(exc))
        return IdentityConfirmedPayload(confirmed_at=at)

    @strawberry.mutation(description="Remove one of your second factors.",
                         extensions=authenticated())
    async def remove_my_second_factor(self, info: Info, factor_id: strawberry.ID
                                      ) -> DonePayload:
        try:
            await _as_person(info, None, "remove factor", lambda s, u: service.remove_factor(
                info.context.platform, s, u, str(factor_id)), step_up=True)
        except DomainError as exc:
            return DonePayload(errors=user_errors(exc))
        return DonePayload(ok=True)

    @strawberry.mutation(description="New recovery codes (shown once); the old ones stop "
                         "working.", extensions=authenticated())
    async def regenerate_recovery_codes(self, info: Info) -> RecoveryCodesPayload:
        try:
            codes = await _as_person(info, None, "recovery codes", lambda s, u: (
                service.regenerate_codes(info.context.platform, s, u)), step_up=True)
        except DomainError as exc:
            return RecoveryCodesPayload(errors=user_errors(exc))
        return RecoveryCodesPayload(codes=codes)

    @strawberry.mutation(description="Finish a sign-in with a code of your authenticator app "
                         "or one of your recovery codes.", extensions=public(),
                         metadata=CREDENTIAL_CHECK)
    async def verify_second_factor(self, info: Info, ticket: str, code: str | None = None,
                                   recovery_code: str | None = None) -> SignInPayload:
        ctx = info.context
        if recovery_code:
            how, check = "recovery_code", (lambda s, u: recovery_codes.use(
                s, u.id, recovery_code))
        else:
            how, check = "totp", (lambda s, u: totp.verify(ctx.platform, s, u, code or ""))
        return await checked_session(ctx, lambda: tickets.complete(
            ctx.platform, ticket, how=how, check=check, client=ctx.client_address))

    @strawberry.mutation(description="Start finishing a sign-in with a passkey: options for "
                         "navigator.credentials.get.", extensions=public())
    async def begin_passkey_sign_in(self, info: Info, ticket: str) -> PasskeyOptionsPayload:
        try:
            async with info.context.system_session("graphql: begin passkey sign-in") as s:
                user = await tickets.ticket_user(s, ticket, "verify")
                ceremony = await passkeys.begin_authentication(info.context.platform, s, user)
        except DomainError as exc:
            return PasskeyOptionsPayload(errors=user_errors(exc))
        return PasskeyOptionsPayload(challenge_id=strawberry.ID(ceremony.challenge_id),
                                     options=ceremony.options)

    @strawberry.mutation(description="Finish a sign-in with the passkey's answer (WebAuthn "
                         "JSON).", extensions=public(), metadata=CREDENTIAL_CHECK)
    async def finish_passkey_sign_in(self, info: Info, ticket: str,
                                     challenge_id: strawberry.ID, credential: str
                                     ) -> SignInPayload:
        ctx = info.context

        async def check(session: Any, user: User) -> bool:
            await passkeys.finish_authentication(ctx.platform, session, user,
                                                 challenge_id=str(challenge_id),
                                                 credential=credential)
            return True

        return await checked_session(ctx, lambda: tickets.complete(
            ctx.platform, ticket, how="passkey", check=check, client=ctx.client_address))

    @strawberry.mutation(description="Remove every second factor and recovery code of a "
                         "member (a lost phone or key) and end their sessions. Only for a "
                         "member who holds nothing, in any tenant they work in, that you do "
                         "not hold yourself.", extensions=requires("ipgov:member", "delete"))
    async def reset_member_second_factors(self, info: Info, tenant_id: strawberry.ID,
                                          user_id: strawberry.ID) -> ResetSecondFactorsPayload:
        ctx = info.context
        try:
            tenants = await _member_tenants(info, str(tenant_id), str(user_id))
            assert_outranks(ctx.platform, ctx.require_principal().subject, str(user_id),
                            tenants, what="reset this person's second factors",
                            field="userId")
            async with ctx.system_session("graphql: reset second factors") as session:
                removed = await service.reset_member(
                    ctx.platform, session, user_id=str(user_id), actor=ctx.actor,
                    tenant_id=str(tenant_id))
        except DomainError as exc:
            return ResetSecondFactorsPayload(errors=user_errors(exc))
        return ResetSecondFactorsPayload(removed=removed)

    @strawberry.mutation(description="Name the roles and permissions (object:action, e.g. a "
                         "clearance) of a group whose holders must sign in with a second "
                         "factor; empty lists: nobody.",
                         extensions=requires("ipgov:tenant", "update"))
    async def set_second_factor_policy(self, info: Info, tenant_id: strawberry.ID,
                                       roles: list[str], permissions: list[str]
                                       ) -> SecondFactorPolicyPayload:
        ctx = info.context
        try:
            async with ctx.system_session("graphql: set second factor policy") as session:
                found = await policy.set_policy(
                    ctx.platform, session, group_id=str(tenant_id), roles=roles,
                    permissions=permissions, actor=ctx.actor)
        except DomainError as exc:
            return SecondFactorPolicyPayload(errors=user_errors(exc))
        return SecondFactorPolicyPayload(policy=SecondFactorPolicyType(
            roles=list(found.roles), permissions=list(found.permissions)))


