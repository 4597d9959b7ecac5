"""What the sign-in, session and invitation tests share: clients at chosen client addresses
over the real app (ASGI), a user with a password, the operations, and a real SMTP server."""

from __future__ import annotations

import asyncio
import dataclasses
import email
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.conftest import GraphQLClient

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase 2026"
SESSION = "token userId expiresAt refreshToken refreshExpiresAt retryAfter errors { code message }"
LOGIN = f"""mutation($e: String!, $p: String!) {{ login(email: $e, password: $p) {{
  {SESSION} }} }}"""
REFRESH = f"""mutation($r: String!) {{ refreshSession(refreshToken: $r) {{ {SESSION} }} }}"""
SIGN_OUT = """mutation($all: Boolean!) { signOut(everywhere: $all) { ok errors { code } } }"""
ME = "{ me { id } }"


def error_codes(payload: dict) -> list[str]:
    """The codes of a mutation payload's ``errors``."""
    return [e["code"] for e in payload.get("errors") or []]


@asynccontextmanager
async def client_at(app: Any, address: str) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client whose requests come from ``address``."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as client:
        yield GraphQLClient(client)


async def user_with_password(platform: Any, email_address: str = "pat@acme.example",
                             tenant_id: str | None = None, role: str = "viewer") -> str:
    """A user with ``PASSWORD`` (and a role in ``tenant_id`` when given); returns its id."""
    from ipgov.identity.service import add_membership, create_user

    async with platform.db.system_session("test: user") as s:
        user = await create_user(s, email=email_address, display_name="Pat", password=PASSWORD)
        if tenant_id:
            await add_membership(platform, s, tenant_id=tenant_id, user_id=user.id, role=role,
                                 actor="test")
    await platform.authz.refresh()
    return user.id


async def sign_in(client: GraphQLClient, email_address: str = "pat@acme.example",
                  password: str = PASSWORD) -> dict:
    """The ``login`` payload (asserting success)."""
    body = await client(LOGIN, {"e": email_address, "p": password})
    payload = body["data"]["login"]
    assert payload["token"], body
    return payload


async def audit_actions(platform: Any, tenant_id: str) -> list[tuple[str, dict]]:
    """``(action, details)`` of a tenant's audit events, oldest first."""
    from sqlalchemy import select

    from ipgov.audit.models import AuditEvent

    async with platform.db.system_session("test: audit") as s:
        rows = (await s.execute(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
                                .order_by(AuditEvent.seq))).scalars()
        return [(r.action, dict(r.details or {})) for r in rows]


@dataclasses.dataclass
class Mailbox:
    """Messages a real SMTP server (aiosmtpd) received, and its URL for ``IPGOV_SMTP_URL``."""

    url: str
    messages: list[email.message.Message]

    async def wait(self, count: int = 1, timeout: float = 20.0) -> list[email.message.Message]:
        """Wait until ``count`` messages arrived (bounded)."""
        for _ in range(int(timeout / 0.05)):
            if len(self.messages) >= count:
                return self.messages
            await asyncio.sleep(0.05)
        raise AssertionError(f"{len(self.messages)} of {count} messages arrived")


class _Collect:
    def __init__(self, box: list) -> None:
        self.box = box

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's API
        self.box.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


@asynccontextmanager
async def smtp_server() -> AsyncIterator[Mailbox]:
    """A real SMTP server on a free local port for the duration of the block."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    messages: list[email.message.Message] = []
    controller = Controller(_Collect(messages), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Mailbox(f"smtp://127.0.0.1:{port}", messages)
    finally:
        controller.stop()


def body_text(message: email.message.Message) -> str:
    """The plain-text body of a message."""
    payload = message.get_payload(decode=True)
    return payload.decode(message.get_content_charset() or "utf-8")
