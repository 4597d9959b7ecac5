"""``setMyLocale``: a signed-in user chooses the language the platform answers them in.

The choice is stored on the user (``users.locale``) and wins over the browser's
``Accept-Language`` from the next request on; ``null`` clears it (the browser decides again).
Service accounts have no language preference: their clients send ``Accept-Language``.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ipgov.errors import DomainError, InvalidInput
from ipgov.i18n.negotiation import LOCALES
from ipgov.identity.models import User
from ipgov.tenancy.models import PLATFORM_TENANT_ID

from .errors import UserError, user_errors
from .permissions import authenticated

__all__ = ["LocaleMutation", "set_user_locale"]


@strawberry.type(description="The language now stored for you, or why nothing changed.")
class LocalePayload:
    locale: str | None = strawberry.field(
        default=None, description="en or zh-CN; empty when the browser decides.")
    errors: list[UserError] = strawberry.field(default_factory=list)


async def set_user_locale(platform, session, *, user_id: str, locale: str | None,
                          actor: str) -> str:
    """Store ``locale`` (``en``, ``zh-CN`` or ``None`` to clear) as the user's preference,
    audited in the platform's chain; ``InvalidInput`` for any other value."""
    if locale is not None and locale not in LOCALES:
        raise InvalidInput(f"unsupported language {locale!r}: use one of {', '.join(LOCALES)}",
                           code="UNSUPPORTED_LOCALE", field="locale",
                           details={"value": repr(locale)})
    user = await session.get(User, user_id)
    if user is None:
        raise InvalidInput("only users have a language preference", code="USER_NOT_FOUND")
    user.locale = locale or ""
    await platform.audit(session, tenant_id=PLATFORM_TENANT_ID, actor=actor,
                         action="user.locale_changed", object_type="ipgov:user",
                         object_id=user.id, details={"locale": user.locale})
    return user.locale


@strawberry.type
class LocaleMutation:
    @strawberry.mutation(description="Choose your language (en or zh-CN); null lets the "
                         "browser's Accept-Language decide.", extensions=authenticated())
    async def set_my_locale(self, info: Info, locale: str | None = None) -> LocalePayload:
        ctx = info.context
        principal = ctx.require_principal()
        try:
            if principal.kind != "user":
                raise InvalidInput("only users have a language preference", field="locale")
            async with ctx.system_session("graphql: set my locale") as session:
                stored = await set_user_locale(ctx.platform, session, user_id=principal.id,
                                               locale=locale, actor=ctx.actor)
        except DomainError as exc:
            return LocalePayload(errors=user_errors(exc))
        return LocalePayload(locale=stored)
