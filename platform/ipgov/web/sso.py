"""``/auth/oidc/<provider id>/login`` and ``/callback``: single sign-on in the browser.

The login route starts a sign-in (``ipgov.identity.sso.flow.begin``), sets the browser's
binding cookie (HttpOnly, ``SameSite=Lax`` so the provider's redirect back carries it, Secure
on https, path ``/auth/oidc``, as long as the sign-in may last) and redirects to the provider.
The callback finishes it and redirects to the workspace's sign-in with the one-time code in
the URL fragment (``/signin#sso=...``: browsers never send a fragment to a server, and the
workspace drops it at once). Every refusal is logged and audited, and says why: a browser's
own navigation (``Sec-Fetch-Mode: navigate``, sent by every current browser) goes back to the
workspace's sign-in with the refusal's code (``/signin#sso-refused=<CODE>``; only the code
travels, the screen owns the words, so a crafted link cannot put text on it), any other
client gets a small page in the person's language with a way back. Nothing here is cached.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request, get
from litestar.datastructures import Cookie
from litestar.response import Redirect, Response

from ipgov.i18n import negotiate, translate
from ipgov.identity.sso import flow
from ipgov.identity.sso.refusals import SignInRefused

from .pages import PAGE_HEADERS

__all__ = ["client_of", "locale_of", "refused", "secure", "sso_routes"]

COOKIE_PATH = "/auth/oidc"
_NO_STORE = {"cache-control": "no-store", "referrer-policy": "no-referrer"}


def client_of(request: Request[Any, Any, Any]) -> str:
    """The caller's address, as sign-ins record it."""
    return request.client.host if request.client else ""


def locale_of(request: Request[Any, Any, Any], preferred: str | None = None) -> str:
    """The language of the person's browser (or the one they asked for)."""
    return negotiate(request.headers.get("accept-language"), preferred)


def secure(request: Request[Any, Any, Any]) -> bool:
    """Whether cookies must be Secure (served, or published, over https)."""
    public = request.app.state.platform.settings.public_url
    return request.url.scheme == "https" or public.startswith("https://")


def _cookie(request: Request[Any, Any, Any], value: str, max_age: int) -> Cookie:
    return Cookie(key=flow.BINDING_COOKIE, value=value, max_age=max_age, path=COOKIE_PATH,
                  httponly=True, samesite="lax", secure=secure(request))


def refusal_page(refusal: SignInRefused, locale: str) -> str:
    """The page that says, in ``locale``, why a sign-in was refused."""
    title = translate("SSO_PAGE_TITLE", locale) or "Sign-in refused"
    back = translate("SSO_PAGE_BACK", locale) or "Back to sign-in"
    message = translate(refusal.code, locale, refusal.details) or refusal.message
    return (f'<!doctype html><html lang="{escape(locale)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title></head><body><main>"
            f"<h1>{escape(title)}</h1><p id=\"reason\">{escape(message)}</p>"
            f'<p><code id="code">{escape(refusal.code)}</code></p>'
            f'<p><a href="/">{escape(back)}</a></p></main></body></html>')


async def refused(request: Request[Any, Any, Any], refusal: SignInRefused, provider_id: str,
                  locale: str, cookie_path: str = COOKIE_PATH) -> Response[Any]:
    """After logging and auditing the refusal: a browser's own navigation goes back to the
    sign-in screen, which says why (only the code travels), other clients get the refusal
    page; the binding cookie goes."""
    platform = request.app.state.platform
    await flow.record_refusal(platform, refusal, provider_id=provider_id,
                              client=client_of(request))
    response: Response[Any]
    if request.headers.get("sec-fetch-mode") == "navigate":
        response = Redirect(f"/signin#sso-refused={refusal.code}", status_code=303,
                            headers=_NO_STORE)
    else:
        status = 502 if refusal.code == "SSO_PROVIDER_UNREACHABLE" else 403
        response = Response(refusal_page(refusal, locale), status_code=status,
                            media_type="text/html", headers={**PAGE_HEADERS, **_NO_STORE})
    response.delete_cookie(flow.BINDING_COOKIE, path=cookie_path)
    return response


@get("/auth/oidc/{provider_id:str}/login", include_in_schema=False)
async def sso_login(request: Request[Any, Any, Any], provider_id: str,
                    lang: str | None = None) -> Response[Any]:
    """Start a single sign-on with a provider: to the provider, with the binding cookie."""
    locale = locale_of(request, lang)
    try:
        started = await flow.begin(request.app.state.platform, provider_id, locale=locale,
                                   client=client_of(request))
    except SignInRefused as refusal:
        return await refused(request, refusal, provider_id, locale)
    return Redirect(started.url, status_code=302, headers=_NO_STORE,
                    cookies=[_cookie(request, started.binding, started.max_age)])


@get("/auth/oidc/{provider_id:str}/callback", include_in_schema=False)
async def sso_callback(request: Request[Any, Any, Any], provider_id: str) -> Response[Any]:
    """The provider's redirect back: to the workspace with a one-time code, or a refusal."""
    query = request.query_params
    try:
        finished = await flow.finish(
            request.app.state.platform, provider_id, state=query.get("state"),
            code=query.get("code"), error=query.get("error"),
            error_description=query.get("error_description"),
            binding=request.cookies.get(flow.BINDING_COOKIE))
    except SignInRefused as refusal:
        return await refused(request, refusal, provider_id, locale_of(request))

    response = Redirect(f"/signin#sso={finished.code}", status_code=303, headers=_NO_STORE)
    response.delete_cookie(flow.BINDING_COOKIE, path=COOKIE_PATH)
    return response


def sso_routes() -> list[Any]:
    """The single sign-on routes."""
    return [sso_login, sso_callback]
