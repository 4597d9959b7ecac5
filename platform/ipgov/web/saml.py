"""``/auth/saml/<provider id>/...``: SAML 2.0 single sign-on in the browser.

``metadata`` serves the service provider's metadata (its entity id is this URL) for the IdP
to import. ``login`` starts a sign-in (``ipgov.identity.sso.flow_saml.begin``), sets the
browser's binding cookie (HttpOnly, ``SameSite=Lax``, Secure on https, path ``/auth/saml``)
and redirects to the IdP with the AuthnRequest. ``acs`` takes the IdP's HTTP-POST (the form
is bounded), verifies it and redirects to ``finish``, the first request of the sign-in that
carries the browser's cookie back (a cross-site POST does not), which hands the workspace
its one-time code in the URL fragment, as the OpenID Connect callback does. ``slo`` is single
logout (HTTP-Redirect or HTTP-POST): the IdP's LogoutRequest ends the subject's sessions and
goes back with a LogoutResponse, the IdP's LogoutResponse to a sign-out started here goes on
to the sign-in screen; either clears this browser's session cookies. Each refusal is the same
page as OpenID Connect's, logged and audited. Nothing here is cached.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from ipgov.db import TenantScope
from ipgov.identity.sso import flow_saml, flow_saml_logout
from ipgov.identity.sso.flow import BINDING_COOKIE
from ipgov.identity.sso.models import IdentityProvider
from ipgov.identity.sso.refusals import SignInRefused
from ipgov.identity.sso.saml_logout import BINDINGS

from .cookies import SessionCookies
from .sso import client_of, locale_of, refused, secure

__all__ = ["saml_routes"]

COOKIE_PATH = "/auth/saml"
MAX_FORM_FIELD = 700_000
_NO_STORE = {"cache-control": "no-store", "referrer-policy": "no-referrer"}
_FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


@get("/auth/saml/{provider_id:str}/metadata", include_in_schema=False)
async def saml_metadata(request: Request[Any, Any, Any], provider_id: str) -> Response[str]:
    """The service provider's metadata of a SAML provider (public: IdPs read it)."""
    platform = request.app.state.platform
    async with platform.db.session(TenantScope.system("sso: SAML metadata"),
                                   readonly=True) as session:
        provider = (await session.get(IdentityProvider, provider_id)
                    if 0 < len(provider_id) <= 36 else None)
    if provider is None or provider.kind != "saml":
        return Response("no such SAML identity provider\n", status_code=404,
                        media_type="text/plain", headers=_NO_STORE)
    try:
        xml = await flow_saml.sp_metadata(platform, provider)
    except SignInRefused as refusal:
        return Response(f"{refusal.code}\n", status_code=503, media_type="text/plain",
                        headers=_NO_STORE)
    return Response(xml, media_type="application/samlmetadata+xml",
                    headers={"cache-control": "no-cache"})


@get("/auth/saml/{provider_id:str}/login", include_in_schema=False)
async def saml_login(request: Request[Any, Any, Any], provider_id: str,
                     lang: str | None = None) -> Response[Any]:
    """Start a SAML sign-in: to the IdP, with the binding cookie."""
    locale = locale_of(request, lang)
    try:
        started = await flow_saml.begin(request.app.state.platform, provider_id,
                                        locale=locale, client=client_of(request))
    except SignInRefused as refusal:
        return await refused(request, refusal, provider_id, locale, COOKIE_PATH)
    cookie = Cookie(key=BINDING_COOKIE, value=started.binding, max_age=started.max_age,
                    path=COOKIE_PATH, httponly=True, samesite="lax", secure=secure(request))
    return Redirect(started.url, status_code=302, headers=_NO_STORE, cookies=[cookie])


@post("/auth/saml/{provider_id:str}/acs", include_in_schema=False, status_code=303)
async def saml_acs(request: Request[Any, Any, Any], provider_id: str,
                   data: dict[str, str] = _FORM) -> Response[Any]:
    """The IdP's HTTP-POST: verified, then on to ``finish`` in the same browser."""
    fields = {k: v for k, v in data.items() if isinstance(v, str) and len(v) <= MAX_FORM_FIELD}
    try:
        relay = await flow_saml.consume(request.app.state.platform, provider_id,
                                        saml_response=fields.get("SAMLResponse"),
                                        relay_state=fields.get("RelayState"))
    except SignInRefused as refusal:
        return await refused(request, refusal, provider_id, locale_of(request), COOKIE_PATH)
    return Redirect(f"/auth/saml/{provider_id}/finish?relay={relay}", status_code=303,
                    headers=_NO_STORE)


@get("/auth/saml/{provider_id:str}/finish", include_in_schema=False)
async def saml_finish(request: Request[Any, Any, Any], provider_id: str,
                      relay: str | None = None) -> Response[Any]:
    """To the workspace with a one-time code, if this is the browser that started."""
    try:
        finished = await flow_saml.collect(request.app.state.platform, provider_id,
                                           relay=relay,
                                           binding=request.cookies.get(BINDING_COOKIE))
    except SignInRefused as refusal:
        return await refused(request, refusal, provider_id, locale_of(request), COOKIE_PATH)
    response = Redirect(f"/signin#sso={finished.code}", status_code=303, headers=_NO_STORE)
    response.delete_cookie(BINDING_COOKIE, path=COOKIE_PATH)
    return response


async def _single_logout(request: Request[Any, Any, Any], provider_id: str,
                         fields: dict[str, str], binding: str) -> Response[Any]:
    """The IdP's LogoutRequest (its sessions end, the IdP gets its LogoutResponse) or its
    LogoutResponse to this browser's sign-out (on to the sign-in screen)."""
    platform = request.app.state.platform
    try:
        if fields.get("SAMLRequest"):
            url = await flow_saml_logout.idp_logout(platform, provider_id, fields, binding)
        elif fields.get("SAMLResponse"):
            await flow_saml_logout.finish_logout(platform, provider_id, fields, binding)
            url = "/signin"
        else:
            raise SignInRefused("SSO_SAML_LOGOUT_INVALID", "the single logout message is "
                                "missing", details={"detail": "no message"})
    except SignInRefused as refusal:
        return await refused(request, refusal, provider_id, locale_of(request), COOKIE_PATH)
    response = Redirect(url, status_code=303, headers=_NO_STORE)
    SessionCookies.of(request, platform).clear(response)  # this browser's session, if any
    return response


@get("/auth/saml/{provider_id:str}/slo", include_in_schema=False)
async def saml_slo_redirect(request: Request[Any, Any, Any], provider_id: str
                            ) -> Response[Any]:
    """Single logout over HTTP-Redirect (see ``ipgov.identity.sso.flow_saml_logout``)."""
    fields = {k: v for k, v in request.query_params.items()
              if isinstance(v, str) and len(v) <= MAX_FORM_FIELD}
    return await _single_logout(request, provider_id, fields, BINDINGS["redirect"])


@post("/auth/saml/{provider_id:str}/slo", include_in_schema=False, status_code=303)
async def saml_slo_post(request: Request[Any, Any, Any], provider_id: str,
                        data: dict[str, str] = _FORM) -> Response[Any]:
    """Single logout over HTTP-POST."""
    fields = {k: v for k, v in data.items() if isinstance(v, str) and len(v) <= MAX_FORM_FIELD}
    return await _single_logout(request, provider_id, fields, BINDINGS["post"])


def saml_routes() -> list[Any]:
    """The SAML single sign-on and single logout routes."""
    return [saml_metadata, saml_login, saml_acs, saml_finish, saml_slo_redirect, saml_slo_post]
