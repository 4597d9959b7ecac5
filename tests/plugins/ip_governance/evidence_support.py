"""Helpers of the evidence and document tests: a platform with evidence settings, uploads
over the real app, small real files of each type."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import httpx

from ipgov.runtime import Platform
from ipgov.settings import Settings
from ipgov.startup import build_platform
from ipgov.tenancy.services import ensure_platform_tenant

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
       b"%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def docx() -> bytes:
    """A minimal Office Open XML word-processing file (its parts, zipped)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return buf.getvalue()


@contextlib.asynccontextmanager
async def platform_with(settings: Settings, **extra: str) -> AsyncIterator[Platform]:
    """A platform like the ``platform`` fixture's, with plugin settings in ``extra``."""
    p = build_platform(dataclasses.replace(settings, extra={**settings.extra, **extra}))
    async with p.db.system_session("test: platform tenant") as session:
        await ensure_platform_tenant(p, session)
    await p.authz.load()
    try:
        yield p
    finally:
        await p.close()


@contextlib.asynccontextmanager
async def client_of(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """The real app in-process (ASGI)."""
    from ipgov.web.app import create_app

    app = create_app(platform)
    await platform.authz.start()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://ipgov.test") as client:
        yield client


def evidence_url(tenant_id: str, evidence_id: str | None = None) -> str:
    """The upload route, or one file's download route."""
    base = f"/plugins/ip_governance/tenants/{tenant_id}/evidence"
    return f"{base}/{evidence_id}/content" if evidence_id else base


async def upload(client: httpx.AsyncClient, token: str, tenant_id: str, content: bytes,
                 filename: str = "minutes.pdf", **params: Any) -> httpx.Response:
    """PUT a file as the raw body."""
    return await client.put(evidence_url(tenant_id), content=content,
                            params={"filename": filename, **params},
                            headers={"authorization": f"Bearer {token}"})


async def gql(client: httpx.AsyncClient, token: str, query: str, **variables: Any
              ) -> dict[str, Any]:
    """A GraphQL operation's JSON answer."""
    r = await client.post("/graphql", json={"query": query, "variables": variables},
                          headers={"authorization": f"Bearer {token}"})
    return r.json()
