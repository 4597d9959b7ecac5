"""GraphQL over WebSocket at the GraphQL path: the graphql-transport-ws protocol only, for
subscriptions only, signed in once per connection.

A browser cannot set headers on a WebSocket, so the credential travels in the
``connection_init`` payload (``{"authorization": "Bearer <token>"}``, what the ``graphql-ws``
client's ``connectionParams`` sends; ``language`` there chooses the messages' language), or in
the upgrade request's ``Authorization`` header for other clients, or the workspace's session
cookie when the upgrade's ``Origin`` is this host (web/cookies.py). A connection without a valid
credential is closed with 4403 before any operation runs. Queries and mutations are refused
over the socket (``OPERATION_NOT_ALLOWED``): they go over HTTP, where the rate limits, body
limits and sign-in throttles apply. The legacy ``graphql-ws`` (subscriptions-transport-ws)
protocol is not offered.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.graphql import OperationType

from ipgov.i18n import negotiate
from ipgov.identity.service import authenticate
from ipgov.identity.tokens import AuthenticationError
from ipgov.settings import Settings

__all__ = ["MAX_CREDENTIAL", "live_controller", "live_options"]

MAX_CREDENTIAL = 8192  # characters of a credential in connection_init
SUBSCRIPTIONS = (OperationType.SUBSCRIPTION,)


class _SubscriptionsOnly:
    """The schema as the socket sees it: ``stream`` runs subscriptions and refuses the rest."""

    def __init__(self, schema: Any) -> None:
        self._schema = schema

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["allowed_operation_types"] = SUBSCRIPTIONS
        return self._schema.stream(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._schema, name)


class SubscriptionsOnlyTransport(BaseGraphQLTransportWSHandler[Any, Any]):
    """graphql-transport-ws whose operations can only be subscriptions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["schema"] = _SubscriptionsOnly(kwargs["schema"])
        super().__init__(*args, **kwargs)


def _credential(params: Any, headers: Any) -> str | None:
    """The ``Authorization`` value from the connection_init payload, else the upgrade
    request's header; None when neither has one (or it is absurdly long)."""
    value = None
    if isinstance(params, dict):
        value = params.get("authorization") or params.get("Authorization")
    if not isinstance(value, str) or not value.strip():
        value = headers.get("authorization") if headers is not None else None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_CREDENTIAL:
        return None
    return value


def _language(params: Any, socket: Any) -> str | None:
    """The client's language: ``language`` in the connection_init payload (a browser cannot
    set the socket's headers), else the upgrade request's ``Accept-Language``."""
    chosen = params.get("language") if isinstance(params, dict) else None
    if isinstance(chosen, str) and 0 < len(chosen) <= 64:
        return chosen
    return socket.headers.get("accept-language") if socket is not None else None


class _SignedInConnections:
    """Mixed into the GraphQL controller: who a socket belongs to, decided at connection_init."""

    graphql_transport_ws_handler_class = SubscriptionsOnlyTransport

    async def on_ws_connect(self, context: Any) -> None:
        socket = context.websocket
        credential = _credential(context.connection_params,
                                 socket.headers if socket is not None else None)
        cookies = context.session_cookies
        if credential is None and cookies is not None and cookies.socket_allowed():
            credential = cookies.credential()  # the workspace's session, from its own pages
        if credential is None:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": (
                "send 'authorization: Bearer <token>' in the connection_init payload")})
        try:
            principal = await authenticate(context.platform, credential)
        except AuthenticationError as exc:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "reason": exc.code,
                                            "message": exc.message}) from None
        if principal is None:  # pragma: no cover - a non-empty credential names someone
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        context.principal, context.credential = principal, credential
        context.locale = negotiate(_language(context.connection_params, socket),
                                   principal.locale)


def live_controller(base: type) -> type:
    """``base`` (the GraphQL controller) with signed-in, subscription-only sockets."""
    return type("IpgovLiveGraphQLController", (_SignedInConnections, base),
                {"__module__": __name__})


def live_options(settings: Settings) -> dict[str, Any]:
    """``make_graphql_controller`` options for the socket."""
    protocols: Iterable[str] = (GRAPHQL_TRANSPORT_WS_PROTOCOL,)
    return {"subscription_protocols": tuple(protocols),
            "connection_init_wait_timeout": timedelta(seconds=10),
            "max_subscriptions_per_connection": settings.live_max_per_connection}
