"""The account page: accept an invitation, reset a forgotten password, ask for a reset link.

``/account/`` serves ``static/account``; the one-time secret of a link arrives in the URL
fragment (``#invitation=...`` or ``#reset=...``), which the browser never sends to a server, and
the page drops it from the address bar at once. The page talks only to the GraphQL API.
"""

from __future__ import annotations

from typing import Any

from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from .pages import STATIC_DIR, secure

__all__ = ["account_routes"]


def account_routes() -> list[Any]:
    """Route handlers for ``/account`` and ``/account/``."""
    return [create_static_files_router(
        path="/account", directories=[STATIC_DIR / "account"], html_mode=True, name="account",
        cache_control=CacheControlHeader(no_cache=True), after_request=secure)]
