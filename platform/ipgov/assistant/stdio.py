"""``ipgov mcp``: the assistant server over stdio, for one caller (a desktop assistant
started with an API key or a token in its environment). Logs go to stderr; stdout carries
only the protocol."""

from __future__ import annotations

import os
from typing import Any

from mcp.server.stdio import stdio_server

from .server import AssistantServer, Caller, Limit

__all__ = ["serve_stdio"]


async def serve_stdio(platform: Any, schema: Any, credential: str, limit: Limit) -> None:
    """Serve until the client closes stdin; the credential is checked on every call (a key
    revoked meanwhile stops working at once)."""
    authorization = credential if " " in credential else f"Bearer {credential}"
    caller = Caller(authorization=authorization, accept_language=os.environ.get("LANG", "")
                    .split(".")[0].replace("_", "-") or None, address="stdio")
    assistant = AssistantServer(platform, schema, caller_of=lambda _ctx: caller, limit=limit,
                                transport="stdio")
    server = assistant.server
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
