"""The workspace's session in cookies (issue 19 item 4); APIs keep bearer tokens.

A sign-in sent with ``X-IPGOV-Session: cookie`` (the workspace and the account pages) answers
with the session in cookies instead of the body: the access token and the refresh token in
``HttpOnly`` cookies no script can read (``SameSite=Strict``, ``Secure`` over HTTPS, where
they also take the ``__Host-`` prefix so no subdomain can plant them), and a CSRF token in a
cookie the page reads and sends back as the ``X-IPGOV-CSRF`` header. The CSRF token is an HMAC
of the session id (a signed double-submit token, OWASP): a request authenticated by the access
cookie is refused (``CSRF_FAILED``) unless it is a GET/HEAD or carries the token of its own
session, and its ``Origin``, when sent, names this host. A WebSocket may sign in with the
cookie only when its ``Origin`` is this host (no cross-site socket hijacking).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from ipgov.identity.principal import Principal
from ipgov.identity.sessions import SignedIn
from ipgov.identity.tokens import AuthenticationError

__all__ = ["COOKIE_MODE_HEADER", "CSRF_HEADER", "SessionCookies", "access_in_cookie_header",
           "cookie_names", "csrf_token"]

COOKIE_MODE_HEADER = "x-ipgov-session"
CSRF_HEADER = "x-ipgov-csrf"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def cookie_names(secure: bool) -> tuple[str, str, str]:
    """The access, refresh and CSRF cookie names (``__Host-`` prefixed over HTTPS)."""
    prefix = "__Host-" if secure else ""
    return f"{prefix}ipgov_access", f"{prefix}ipgov_refresh", f"{prefix}ipgov_csrf"


def csrf_token(platform: Any, session_id: str) -> str:
    """The CSRF token of a sign-in session (an HMAC of its id under a platform key)."""
    key = hmac.new(platform.audit_key.secret, b"ipgov csrf v1", hashlib.sha256).digest()
    return hmac.new(key, session_id.encode(), hashlib.sha256).hexdigest()


def _same_origin(origin: str | None, host: str | None) -> bool:
    if not origin:
        return True  # same-origin requests of some browsers, and every non-browser client
    return bool(host) and urlsplit(origin).netloc.lower() == (host or "").lower()


def access_in_cookie_header(raw: str) -> str | None:
    """The access cookie's value in a raw ``Cookie`` header (the rate limiter, before the
    application parses the request)."""
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return None
    for secure in (True, False):
        found = jar.get(cookie_names(secure)[0])
        if found is not None and found.value:
            return found.value
    return None


class SessionCookies:
    """The cookies of one HTTP request or WebSocket upgrade."""

    def __init__(self, headers: Mapping[str, str], cookies: Mapping[str, str],
                 secure: bool) -> None:
        self.headers, self.cookies, self.secure = headers, cookies, secure
        self.access_name, self.refresh_name, self.csrf_name = cookie_names(secure)

    @classmethod
    def of(cls, connection: Any, platform: Any) -> SessionCookies:
        """The cookies of a Litestar request or socket."""
        secure = connection.url.scheme in ("https", "wss") or platform.settings.is_production
        return cls(connection.headers, connection.cookies, secure)

    @property
    def requested(self) -> bool:
        """The client asked for its session in cookies."""
        return self.headers.get(COOKIE_MODE_HEADER, "").lower() == "cookie"

    @property
    def access(self) -> str | None:
        return self.cookies.get(self.access_name) or None

    @property
    def refresh(self) -> str | None:
        return self.cookies.get(self.refresh_name) or None

    def credential(self) -> str | None:
        """``Bearer <access cookie>`` when there is one (the caller checks CSRF after
        authenticating, when it knows the session)."""
        return f"Bearer {self.access}" if self.access else None

    def check_csrf(self, platform: Any, principal: Principal | None, method: str) -> None:
        """Refuse a cookie-authenticated state-changing request without its session's CSRF
        token, or from another origin."""
        if method.upper() in _SAFE:
            return
        if not _same_origin(self.headers.get("origin"), self.headers.get("host")):
            raise AuthenticationError("CSRF_FAILED", "This request comes from another site.")
        sent = self.headers.get(CSRF_HEADER, "")
        expected = csrf_token(platform, principal.session_id or "") if principal else ""
        if not expected or not hmac.compare_digest(sent, expected):
            raise AuthenticationError("CSRF_FAILED", "The request lacks its session's CSRF "
                                      "token (the X-IPGOV-CSRF header): reload the page.")

    def socket_allowed(self) -> bool:
        """A socket may use the cookie only when it comes from this host's pages."""
        origin = self.headers.get("origin")
        return bool(origin) and _same_origin(origin, self.headers.get("host"))

    def set(self, response: Any, platform: Any, signed: SignedIn) -> None:
        """Put a new or refreshed session into the response's cookies."""
        now = datetime.now(UTC)
        access_age = max(1, int((signed.access_expires_at - now).total_seconds()))
        refresh_age = max(1, int((signed.refresh_expires_at - now).total_seconds()))
        common = {"path": "/", "secure": self.secure, "samesite": "strict"}
        response.set_cookie(self.access_name, signed.access_token, max_age=access_age,
                            httponly=True, **common)
        response.set_cookie(self.refresh_name, signed.refresh_token, max_age=refresh_age,
                            httponly=True, **common)
        response.set_cookie(self.csrf_name, csrf_token(platform, signed.session_id),
                            max_age=refresh_age, httponly=False, **common)

    def set_access(self, response: Any, token: str, seconds: int) -> None:
        """Replace the access cookie (a password change issues a new access token)."""
        response.set_cookie(self.access_name, token, max_age=seconds, httponly=True,
                            path="/", secure=self.secure, samesite="strict")

    def clear(self, response: Any) -> None:
        """End the session's cookies (sign-out)."""
        for name in (self.access_name, self.refresh_name, self.csrf_name):
            response.set_cookie(name, "", max_age=0, path="/", secure=self.secure,
                                httponly=name != self.csrf_name, samesite="strict")
