"""Where evidence bytes live: local disk under the data directory by default, an
S3-compatible object store at scale (``IPGOV_EVIDENCE_S3_ENDPOINT``).

The key of a file is ``evidence/<tenant id>/<sha256>``: both parts come from the platform (the
tenant of the request, the hash it computed), never from what the uploader sent, so no name
can reach another tenant's files or leave the evidence folder. The S3 client is ``minio``
(optional extra ``ipgov[s3]``), sync, run in a worker thread.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from ipgov.api import PlatformContext

from .settings import settings_of

__all__ = ["BlobStore", "LocalStore", "S3Store", "object_key", "store_for"]

CHUNK = 256 * 1024
_TENANT = re.compile(r"^[0-9a-f-]{36}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


def object_key(tenant_id: str, sha256: str) -> str:
    """The storage key of a tenant's file; ``ValueError`` for anything but a tenant id and a
    hex digest (a bug, never user input)."""
    if not _TENANT.match(tenant_id) or not _SHA.match(sha256):
        raise ValueError(f"not a tenant id and a SHA-256: {tenant_id!r}, {sha256!r}")
    return f"evidence/{tenant_id}/{sha256}"


class BlobStore(Protocol):
    """Content-addressed bytes of evidence files."""

    name: str

    async def put(self, key: str, source: Path, media_type: str) -> None:
        """Store the file at ``source`` under ``key`` (complete or not at all)."""

    async def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes in chunks; ``FileNotFoundError`` when missing."""

    async def delete(self, key: str) -> None:
        """Remove ``key`` (nothing when absent)."""


class LocalStore:
    """Files under ``<data dir>/evidence/<tenant>/<sha256>``, written by rename."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """The file of ``key`` (keys are made by ``object_key`` only)."""
        return self.root / key

    async def put(self, key: str, source: Path, media_type: str) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        await asyncio.to_thread(shutil.copyfile, source, partial)
        os.replace(partial, target)

    async def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    async def read(self, key: str) -> AsyncIterator[bytes]:
        with self.path(key).open("rb") as f:
            while chunk := await asyncio.to_thread(f.read, CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)


class S3Store:
    """Objects in one bucket of an S3-compatible store (created on first use)."""

    name = "s3"

    def __init__(self, endpoint: str, bucket: str, access_key: str, secret_key: str,
                 region: str) -> None:
        from minio import Minio  # optional dependency: ipgov[s3]

        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"IPGOV_EVIDENCE_S3_ENDPOINT must be an http(s) URL: {endpoint!r}")
        self.client = Minio(parts.netloc, access_key=access_key, secret_key=secret_key,
                            secure=parts.scheme == "https", region=region)
        self.bucket = bucket
        self._bucket_ready = False

    async def _ensure_bucket(self) -> None:
        if not self._bucket_ready:
            if not await asyncio.to_thread(self.client.bucket_exists, self.bucket):
                await asyncio.to_thread(self.client.make_bucket, self.bucket)
            self._bucket_ready = True

    async def put(self, key: str, source: Path, media_type: str) -> None:
        await self._ensure_bucket()
        await asyncio.to_thread(self.client.fput_object, self.bucket, key, str(source),
                                content_type=media_type)

    async def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            await asyncio.to_thread(self.client.stat_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket", "NoSuchObject"):
                return False
            raise
        return True

    async def read(self, key: str) -> AsyncIterator[bytes]:
        from minio.error import S3Error

        try:
            response: Any = await asyncio.to_thread(self.client.get_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket", "NoSuchObject"):
                raise FileNotFoundError(key) from None
            raise
        try:
            while chunk := await asyncio.to_thread(response.read, CHUNK):
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.remove_object, self.bucket, key)


def store_for(platform: PlatformContext) -> BlobStore:
    """The configured store (one per process, kept in the plugin's state)."""
    state = platform.plugin_state("ip_governance")
    store = state.get("evidence_store")
    if store is None:
        s = settings_of(platform)
        if s.evidence_s3_endpoint:
            store = S3Store(str(s.evidence_s3_endpoint), str(s.evidence_s3_bucket),
                            str(s.evidence_s3_access_key), str(s.evidence_s3_secret_key),
                            str(s.evidence_s3_region))
        else:
            store = LocalStore(Path(platform.settings.data_dir) / "evidence-store")
        state["evidence_store"] = store
    return store
