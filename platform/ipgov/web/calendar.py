"""``/calendar/<token>.ics``: a user's calendar feed (``ipgov.notify.feeds``).

The token in the URL is the credential (calendar applications send no header); an unknown or
revoked token is the same 404. The answer is never cached by shared caches.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response

from ipgov.notify.feeds import FEED_PATH, feed_for_token

__all__ = ["calendar_routes"]

MAX_TOKEN = 100


@get(f"{FEED_PATH}/{{name:str}}", include_in_schema=False)
async def calendar_feed(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    """The calendar of the feed whose secret token names the file."""
    token = name.removesuffix(".ics")
    body = (await feed_for_token(request.app.state.platform, token)
            if name.endswith(".ics") and 0 < len(token) <= MAX_TOKEN else None)
    if body is None:
        raise NotFoundException("no such calendar feed")
    return Response(body, media_type="text/calendar",
                    headers={"cache-control": "private, no-store",
                             "content-disposition": 'inline; filename="ipgov.ics"'})


def calendar_routes() -> list[Any]:
    """The calendar feed route."""
    return [calendar_feed]
