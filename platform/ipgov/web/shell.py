"""The workspace: the web application built from ``web/`` (``scripts/_node.sh``) into
``static/workspace`` and served at ``/``.

Its client-side routes (``/``, ``/signin``, ``/t/<tenant>/…``) all answer the same page; the
page gets a fresh nonce in its Content-Security-Policy, which the workspace hands to Ant
Design so its generated stylesheets may load while every other inline style and script stays
refused. An installation without the built bundle answers ``/`` with the landing page
(``ipgov.web.home``) and says how to build the workspace.
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Router, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.response import Response
from litestar.static_files import create_static_files_router

from .pages import STATIC_DIR

__all__ = ["WORKSPACE_DIR", "workspace_built", "workspace_headers", "workspace_routes"]

WORKSPACE_DIR = STATIC_DIR / "workspace"
NONCE_PLACEHOLDER = "__IPGOV_CSP_NONCE__"
CLIENT_ROUTES = ["/", "/signin", "/t/{path:path}"]


def workspace_built(directory: Path = WORKSPACE_DIR) -> bool:
    """Whether the bundle is here (a wheel built without Node.js or a fresh checkout has none)."""
    return (directory / "index.html").is_file()


def workspace_headers(nonce: str) -> dict[str, str]:
    """The page's own scripts only; styles from this origin or carrying this response's nonce."""
    return {
        "content-security-policy": (
            "default-src 'none'; script-src 'self'; "
            f"style-src 'self' 'nonce-{nonce}'; img-src 'self' data: blob:; font-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
    }


@cache
def _read(path: Path, _mtime_ns: int) -> str:
    return path.read_text(encoding="utf-8")


def _template(directory: Path) -> str:
    """``index.html``, read again when a new build replaced it (its asset names changed)."""
    path = directory / "index.html"
    return _read(path, path.stat().st_mtime_ns)


def workspace_page(directory: Path = WORKSPACE_DIR) -> Response[str]:
    """``index.html`` with a nonce of its own (never cached: each answer has a new nonce)."""
    nonce = secrets.token_urlsafe(18)
    html = _template(directory).replace(NONCE_PLACEHOLDER, nonce)
    return Response(html, media_type=MediaType.HTML,
                    headers={**workspace_headers(nonce), "cache-control": "no-cache"})


def _immutable(response: Any) -> Any:
    response.headers.update(workspace_headers("none"))
    return response


def workspace_routes(directory: Path = WORKSPACE_DIR) -> list[Router | Any]:
    """The client routes and ``/assets`` (content-hashed file names: cached for a year)."""

    @get(CLIENT_ROUTES, include_in_schema=False, name="workspace")
    async def page() -> Response[str]:
        return workspace_page(directory)

    assets = create_static_files_router(
        path="/assets", directories=[directory / "assets"], name="workspace-assets",
        cache_control=CacheControlHeader(max_age=31536000, public=True),
        after_request=_immutable, include_in_schema=False)
    return [page, assets]
