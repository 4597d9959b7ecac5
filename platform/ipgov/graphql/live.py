"""GraphQL subscriptions (graphql-transport-ws over WebSocket at the GraphQL path): a review
run's progress and a user's notifications, so frontends stop polling.

Each subscription answers at once with the state now, then with every change the process's
watcher (``ipgov.live.hub``) sees, within ``IPGOV_LIVE_POLL_SECONDS``. Every answer is read
again through the subscriber's own tenant-bound, read-only session after checking the
permission again, and the credential is checked on every wake-up (expiry and revocation) and
verified again every ``IPGOV_LIVE_RECHECK_SECONDS``: a member removed, a token revoked or
expired, ends the subscription with the error a query would get.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import func, select
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import Info
from strawberry.types.graphql import OperationType

from ipgov.errors import InvalidInput, NotFound, Unauthenticated
from ipgov.i18n.negotiation import DEFAULT_LOCALE, normalize
from ipgov.identity.service import authenticate
from ipgov.identity.tokens import AuthenticationError
from ipgov.live.hub import LiveHub, LiveLimitReached, Watch
from ipgov.notify.models import Delivery
from ipgov.reviews.models import TERMINAL, ReviewRun

from .notifications import InboxItem, inbox_item, my_tenants_scope
from .permissions import authenticated, check_permission, requires
from .reviews import ReviewRunType, run_node

__all__ = ["LiveSubscription", "SubscriptionsOverWebSocket"]

ADDED_AT_MOST = 20  # inbox items one update carries (the inbox query pages the rest)


@strawberry.type(description="Your inbox as it changes: the unread count, and what arrived "
                 "since the previous update (newest first; the first update carries none).")
class NotificationFeedUpdate:
    unread: int
    added: list[InboxItem]


class _Credential:
    """The subscriber's credential, checked again while the subscription lives."""

    def __init__(self, info: Info) -> None:
        self.info = info
        self.verified_at = time.monotonic()

    async def check(self) -> None:
        """Raise ``Unauthenticated`` when the token expired or was revoked (in memory, every
        time), or no longer verifies (the user disabled, signed out everywhere: every
        ``IPGOV_LIVE_RECHECK_SECONDS``)."""
        ctx = self.info.context
        principal = ctx.require_principal()
        expires = principal.token_expires_at
        if expires is not None and expires <= datetime.now(UTC):
            raise Unauthenticated("your sign-in expired: sign in again and subscribe again",
                                  code="LIVE_SIGN_IN_EXPIRED")
        revoked = ctx.platform.tokens.revoked
        if {principal.token_id, principal.session_id} & revoked:
            raise Unauthenticated("your sign-in was revoked: sign in again",
                                  code="LIVE_SIGN_IN_EXPIRED")
        if time.monotonic() - self.verified_at < ctx.platform.settings.live_recheck_seconds:
            return
        try:
            ctx.principal = await authenticate(ctx.platform, ctx.credential or None)
        except AuthenticationError as exc:
            raise Unauthenticated(exc.message, code="LIVE_SIGN_IN_EXPIRED") from None
        self.verified_at = time.monotonic()
        ctx.require_principal()


@asynccontextmanager
async def _following(info: Info, kind: str, key: str) -> AsyncIterator[tuple[Watch, _Credential]]:
    ctx = info.context
    try:
        async with LiveHub.of(ctx.platform).watching(
                kind, key, ctx.require_principal().subject) as watch:
            yield watch, _Credential(info)
    except LiveLimitReached:
        raise InvalidInput(
            "you follow too many things live at once: close some subscriptions",
            code="LIVE_LIMIT") from None


class SubscriptionsOverWebSocket(SchemaExtension):
    """Refuses a subscription sent over HTTP before it is validated (HTTP would run it once,
    as a query, and fail on its stream): ``OPERATION_NOT_ALLOWED``."""

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if (ctx.pre_execution_errors is None and getattr(ctx.context, "websocket", None) is None
                and _operation_type(ctx) is OperationType.SUBSCRIPTION):
            refused = InvalidOperationTypeError(OperationType.SUBSCRIPTION)
            ctx.pre_execution_errors = [GraphQLError(str(refused), original_error=refused)]
        yield


def _operation_type(ctx: Any) -> OperationType | None:
    try:
        return ctx.operation_type
    except RuntimeError:  # several operations and no name: strawberry refuses it itself
        return None


def _wait(info: Info) -> float:
    return max(1.0, info.context.platform.settings.live_recheck_seconds)


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="A review run as it progresses: its state now, then each change (status, "
                    "checks done, subsidiaries done) until it ends; the same answer as "
                    "reviewRun, without polling.",
        extensions=requires("ipgov:review", "read"))
    async def review_progress(self, info: Info, tenant_id: strawberry.ID,
                              id: strawberry.ID  # noqa: A002
                              ) -> AsyncGenerator[ReviewRunType, None]:
        tid, rid = str(tenant_id), str(id)
        hub = LiveHub.of(info.context.platform)
        async with _following(info, "review", rid) as (watch, credential):
            shown = None
            while True:
                await credential.check()
                check_permission(info, tid, "ipgov:review", "read")
                run = await hub.shared("review", rid, tid, lambda: _review_run(info, tid, rid))
                if run is None:
                    raise NotFound("no such review in this tenant", code="REVIEW_NOT_FOUND",
                                   field="id")
                state = (run.status, run.checks_done, run.checks_total, run.children_done,
                         run.attempts)
                if state != shown:
                    shown = state
                    info.context.loaders.clear()  # nested fields read afresh
                    yield run_node(run)
                if run.status in TERMINAL:
                    return
                await watch.changed(_wait(info))

    @strawberry.subscription(
        description="Your notifications as they arrive, across your tenants: the unread count "
                    "now, then an update whenever an item arrives or is read.",
        extensions=authenticated())
    async def my_notification_feed(self, info: Info
                                   ) -> AsyncGenerator[NotificationFeedUpdate, None]:
        ctx = info.context
        user_id = str(ctx.require_principal().id)
        if ctx.require_principal().kind != "user":
            raise Unauthenticated("only users have an inbox", code="NOTIFY_USERS_ONLY")
        async with _following(info, "inbox", user_id) as (watch, credential):
            shown: tuple[int, datetime | None] | None = None
            while True:
                await credential.check()
                unread, newest, added = await _inbox_now(info, user_id, shown)
                if shown is None or (unread, newest) != shown:
                    yield NotificationFeedUpdate(unread=unread, added=added)
                    shown = (unread, newest)
                await watch.changed(_wait(info))


async def _review_run(info: Info, tenant_id: str, run_id: str) -> ReviewRun | None:
    """The run as stored now, read in its tenant (the caller may read reviews there)."""
    async with info.context.platform.db.tenant_session(tenant_id, readonly=True) as session:
        return await session.get(ReviewRun, run_id)


async def _inbox_now(info: Info, user_id: str, shown: tuple[int, datetime | None] | None
                     ) -> tuple[int, datetime | None, list[InboxItem]]:
    """The unread count, the newest item's time and the items newer than the newest one
    ``shown`` (none in the first update), through a session over the tenants the user acts
    in now."""
    ctx = info.context
    locale = normalize(ctx.require_principal().locale) or DEFAULT_LOCALE
    mine = (Delivery.user_id == user_id, Delivery.channel == "inbox")
    async with ctx.platform.db.session(my_tenants_scope(ctx, user_id, "live: my inbox"),
                                       readonly=True) as session:
        unread = int((await session.execute(select(func.count()).select_from(Delivery).where(
            *mine, Delivery.read_at.is_(None)))).scalar_one())
        newest = (await session.execute(select(func.max(Delivery.requested_at))
                                        .where(*mine))).scalar_one_or_none()
        added: list[InboxItem] = []
        since = shown[1] if shown else None
        if shown is not None and newest is not None and (since is None or newest > since):
            newer = (Delivery.requested_at > since,) if since is not None else ()
            rows = (await session.execute(
                select(Delivery).where(*mine, *newer)
                .order_by(Delivery.requested_at.desc(), Delivery.id.desc())
                .limit(ADDED_AT_MOST))).scalars().all()
            added = [inbox_item(ctx.platform, r, locale) for r in rows]
    return unread, newest, added
