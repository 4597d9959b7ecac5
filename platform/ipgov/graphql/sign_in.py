"""Sign-in in GraphQL: sign in, refresh, sign out, change and reset a password.

Every field that checks a credential is marked ``CREDENTIAL_CHECK`` (one per operation and per
request, each charged to the client address's rate limit; ``ipgov.graphql.credentials``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from ipgov.errors import DomainError
from ipgov.identity import recovery, service, sessions
from ipgov.identity.factors import tickets
from ipgov.identity.factors.tickets import SecondStep
from ipgov.identity.sessions import SignedIn
from ipgov.identity.sso import flow_saml_logout

from .credentials import CREDENTIAL_CHECK, credential_check
from .errors import UserError, user_errors
from .permissions import authenticated, public

__all__ = ["DonePayload", "SignInMutation", "SignInPayload", "checked_session",
           "signed_in_payload"]


@strawberry.type(name="LoginPayload",
                 description="A session (access and refresh token), or why sign-in failed.")
class SignInPayload:
    token: str | None = strawberry.field(default=None, description="The bearer access token.")
    user_id: strawberry.ID | None = None
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the access token expires: refresh before then.")
    refresh_token: str | None = strawberry.field(
        default=None, description="Exchange it with refreshSession for the next pair (once).")
    refresh_expires_at: datetime | None = None
    retry_after: int | None = strawberry.field(
        default=None, description="Seconds to wait before the next attempt, when throttled.")
    second_factor_ticket: str | None = strawberry.field(default=None, description=(
        "The password was right and a second step is needed: finish it with "
        "verifySecondFactor or finishPasskeySignIn (or, enrolSecondFactor true, by enrolling "
        "a first factor) within minutes. No session exists yet."))
    second_factor_methods: list[str] = strawberry.field(default_factory=list, description=(
        "What the second step accepts: totp, passkey, recovery_code."))
    enrol_second_factor: bool = strawberry.field(default=False, description=(
        "Your group requires a second factor and you have none: enrol one with the ticket "
        "(beginTotpEnrolment or beginPasskeyRegistration); nothing else is allowed."))
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Whether the request was accepted, or why not.")
class DonePayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="Signed out, or why not.")
class SignOutPayload:
    ok: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)
    single_logout_url: str | None = strawberry.field(default=None, description=(
        "When the session came from a SAML identity provider that offers single logout: "
        "send the browser here (a signed LogoutRequest) so the person is signed out at the "
        "identity provider too. This session has ended already."))


@strawberry.type(description="A new access token for this session, or why nothing changed.")
class ChangePasswordPayload:
    token: str | None = None
    retry_after: int | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _cookies(ctx: Any) -> Any:
    """The request's session cookies when the client asked for its session in them."""
    cookies = getattr(ctx, "session_cookies", None)
    response = getattr(ctx, "response", None)
    return cookies if cookies is not None and cookies.requested and response is not None \
        else None


def signed_in_payload(signed: SignedIn | SecondStep, ctx: Any = None) -> SignInPayload:
    """The payload of a new or refreshed session: the tokens, or (the workspace asked with
    ``X-IPGOV-Session: cookie``) the session in HttpOnly cookies and no token in the body;
    or the ticket of the second step a sign-in still needs."""
    if isinstance(signed, SecondStep):
        return SignInPayload(second_factor_ticket=signed.ticket,
                             second_factor_methods=list(signed.methods),
                             enrol_second_factor=signed.enrol)
    cookies = _cookies(ctx)
    if cookies is not None:
        cookies.set(ctx.response, ctx.platform, signed)
        return SignInPayload(user_id=strawberry.ID(signed.user.id),
                             expires_at=signed.access_expires_at,
                             refresh_expires_at=signed.refresh_expires_at)
    return SignInPayload(token=signed.access_token, user_id=strawberry.ID(signed.user.id),
                         expires_at=signed.access_expires_at,
                         refresh_token=signed.refresh_token,
                         refresh_expires_at=signed.refresh_expires_at)


def _retry_after(exc: DomainError) -> int | None:
    seconds = exc.details.get("seconds")
    return seconds if isinstance(seconds, int) and seconds > 0 else None


async def checked_session(ctx: Any, start: Callable[[], Awaitable[SignedIn | SecondStep]]
                          ) -> SignInPayload:
    """One credential check (charged to the rate limit), then the session or its errors."""
    try:
        await credential_check(ctx)
        signed = await start()
    except DomainError as exc:
        return SignInPayload(errors=user_errors(exc), retry_after=_retry_after(exc))
    return signed_in_payload(signed, ctx)


@strawberry.type
class SignInMutation:
    @strawberry.mutation(description="Sign in with email and password: a session (access and "
                         "refresh token). Repeated failures from one address are slowed down.",
                         extensions=public(), metadata=CREDENTIAL_CHECK)
    async def login(self, info: Info, email: str, password: str) -> SignInPayload:
        ctx = info.context
        return await checked_session(ctx, lambda: service.login(
            ctx.platform, email=email, password=password, client=ctx.client_address))

    @strawberry.mutation(description="Exchange a refresh token for a new access token and the "
                         "next refresh token; a refresh token works once (reuse ends the "
                         "session). Without refreshToken, the refresh cookie of a workspace "
                         "session is used.", extensions=public(), metadata=CREDENTIAL_CHECK)
    async def refresh_session(self, info: Info, refresh_token: str | None = None
                              ) -> SignInPayload:
        ctx = info.context
        cookies = _cookies(ctx)
        token = refresh_token or (cookies.refresh if cookies is not None else None) or ""
        return await checked_session(ctx, lambda: tickets.refresh_bound(
            ctx.platform, token, client=ctx.client_address))

    @strawberry.mutation(description="Sign out: this session's tokens stop working on every "
                         "API process; everywhere ends all your sessions.",
                         extensions=authenticated())
    async def sign_out(self, info: Info, everywhere: bool = False) -> SignOutPayload:
        ctx = info.context
        principal = ctx.require_principal()
        if principal.kind != "user":
            return SignOutPayload(errors=user_errors(DomainError(
                "service accounts do not sign in; revoke the API key instead",
                code="USERS_ONLY")))
        logout_url = await flow_saml_logout.begin_logout(ctx.platform, principal.session_id)
        await sessions.sign_out(ctx.platform, principal, everywhere=everywhere)
        cookies = _cookies(ctx)
        if cookies is not None:
            cookies.clear(ctx.response)
        return SignOutPayload(ok=True, single_logout_url=logout_url)

    @strawberry.mutation(description="Change your password (every other session ends).",
                         extensions=authenticated(), metadata=CREDENTIAL_CHECK)
    async def change_password(self, info: Info, current_password: str,
                              new_password: str) -> ChangePasswordPayload:
        ctx = info.context
        try:
            await credential_check(ctx)
            token = await recovery.change_password(
                ctx.platform, ctx.require_principal(), current=current_password,
                new=new_password, client=ctx.client_address)
        except DomainError as exc:
            return ChangePasswordPayload(errors=user_errors(exc), retry_after=_retry_after(exc))
        cookies = _cookies(ctx)
        if cookies is not None:
            cookies.set_access(ctx.response, token, ctx.platform.settings.jwt_ttl_seconds)
            return ChangePasswordPayload()
        return ChangePasswordPayload(token=token)

    @strawberry.mutation(description="Ask for a password-reset link by e-mail. The answer is "
                         "the same whether or not the address has an account.",
                         extensions=public(), metadata=CREDENTIAL_CHECK)
    async def request_password_reset(self, info: Info, email: str) -> DonePayload:
        ctx = info.context
        try:
            await credential_check(ctx)
            recovery.request_reset(ctx.platform, email)
        except DomainError as exc:
            return DonePayload(errors=user_errors(exc))
        return DonePayload(ok=True)

    @strawberry.mutation(description="Choose a new password with a reset link (once): every "
                         "session ends and you are signed in.", extensions=public(),
                         metadata=CREDENTIAL_CHECK)
    async def reset_password(self, info: Info, token: str, new_password: str) -> SignInPayload:
        ctx = info.context
        return await checked_session(ctx, lambda: recovery.reset_password(
            ctx.platform, token=token, new=new_password, client=ctx.client_address))
