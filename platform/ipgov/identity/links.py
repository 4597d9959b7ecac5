"""Signed download links: how a browser opens exports and reports without a bearer header.

A link is ``<path>?access=<token>``, the token a short-lived JWT (``IPGOV_DOWNLOAD_LINK_SECONDS``)
signed with the platform key for a separate audience, naming the user, the exact path, the
sign-in session (``sid``) and the user's token generation. It authenticates only a ``GET`` of that
path; what the user may see there is decided when the link is used, by the route's own
authorization, exactly as for a bearer token. Signing out (or changing the password) voids the
links of the session, like its access tokens.

Why links and not a cookie session: a link carries no ambient authority, so there is nothing to
forge across sites (no CSRF surface) and no cookie to scope; it binds one path for minutes, and
the pages keep their bearer token in ``sessionStorage`` as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ipgov.errors import InvalidInput

from .tokens import AuthenticationError

if TYPE_CHECKING:
    from ipgov.runtime import Platform

    from .service import Principal

__all__ = ["DownloadLink", "LINK_PARAMETER", "make_link", "principal_from_link"]

LINK_PARAMETER = "access"
_PATH = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{1,500}$")


@dataclass(frozen=True)
class DownloadLink:
    """A signed link: the path it opens, the URL to open and when it stops working."""

    path: str
    url: str
    expires_at: datetime


def _checked_path(path: str) -> str:
    if not isinstance(path, str) or not _PATH.match(path) or "/../" in f"{path}/" \
            or "//" in path:
        raise InvalidInput("the path must be an absolute path of this server, without a query",
                           code="INVALID_PATH", field="path")
    return path


def make_link(platform: Platform, principal: Principal, path: str) -> DownloadLink:
    """A link for ``principal`` (a signed-in user) to ``GET path``."""
    if principal.kind != "user":
        raise InvalidInput("download links are for people; API keys send their header",
                           code="LINKS_FOR_USERS_ONLY")
    path = _checked_path(path)
    issued = platform.tokens.links.issue(
        principal.id, session_id=principal.session_id,
        generation=principal.token_generation, extra={"path": path})
    return DownloadLink(path, f"{path}?{LINK_PARAMETER}={issued.token}", issued.expires_at)


async def principal_from_link(platform: Platform, token: str, path: str) -> Principal:
    """The user a link authenticates for ``path``; ``AuthenticationError`` otherwise."""
    from .service import user_principal

    claims = platform.tokens.link_verifier.verify(token)
    if claims.raw.get("path") != path:
        raise AuthenticationError("LINK_WRONG_PATH", "The link was made for another address.")
    return await user_principal(platform, claims)
