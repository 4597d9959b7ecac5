"""Browser pages served by the platform itself (no build step, no other host).

``/`` is a landing page (``ipgov.web.home``), ``/supervision/`` serves ``static/supervision``
(index.html, app.js, app.css), ``/graphql`` opens GraphiQL in development and ``/schema`` the
HTTP API reference (``ipgov.web.ide``); ``/static/`` serves every page's assets, including the
vendored GraphiQL, React and ReactDOM builds (``static/vendor/SOURCES.md``). Every page loads
only its own files and talks only to this origin, so an air-gapped install works completely.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

__all__ = ["PAGE_HEADERS", "STATIC_DIR", "page_headers", "page_routes", "secure"]

STATIC_DIR = Path(__file__).parent / "static"


def page_headers(*, fonts: bool = False) -> dict[str, str]:
    """The headers of every page: its own scripts and styles only, this origin only.
    ``fonts`` also allows ``data:`` fonts (GraphiQL embeds its fonts in its stylesheet)."""
    font = "font-src 'self' data:; " if fonts else ""
    return {
        "content-security-policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"{font}connect-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"),
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
    }


PAGE_HEADERS = page_headers()


def secure(response: Any) -> Any:
    """``after_request`` hook: the page headers on a response."""
    response.headers.update(PAGE_HEADERS)
    return response


def _secure_assets(response: Any) -> Any:
    response.headers.update(page_headers(fonts=True))
    return response


def page_routes(settings: Any = None) -> list[Router | Any]:
    """Route handlers for the browser pages (``/supervision`` and ``/supervision/`` alike);
    the landing and documentation pages are ``ipgov.web.home``'s."""
    supervision = create_static_files_router(
        path="/supervision", directories=[STATIC_DIR / "supervision"], html_mode=True,
        name="supervision", cache_control=CacheControlHeader(no_cache=True),
        after_request=secure)
    assets = create_static_files_router(
        path="/static", directories=[STATIC_DIR], name="static",
        cache_control=CacheControlHeader(no_cache=True), after_request=_secure_assets,
        include_in_schema=False)
    return [supervision, assets]
