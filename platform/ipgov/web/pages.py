"""Browser pages served by the platform itself (no build step): the supervision dashboard.

``/supervision/`` serves ``static/supervision`` (index.html, app.js, app.css). The page talks
only to the public GraphQL API; nothing here reads data or needs a session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

__all__ = ["STATIC_DIR", "page_routes"]

STATIC_DIR = Path(__file__).parent / "static"

# The page loads only its own files and talks only to this origin.
_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def _secure(response: Any) -> Any:
    response.headers.update(_HEADERS)
    return response


def page_routes() -> list[Router | Any]:
    """Route handlers for the browser pages (``/supervision`` and ``/supervision/`` alike)."""
    static = create_static_files_router(
        path="/supervision", directories=[STATIC_DIR / "supervision"], html_mode=True,
        name="supervision", cache_control=CacheControlHeader(no_cache=True),
        after_request=_secure)
    return [static]
