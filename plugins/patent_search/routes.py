"""Uploading a file of patent documents into a collection (then ingested by a worker job).

``PUT /plugins/patent_search/tenants/{tenant}/collections/{collection}/upload?filename=x.zip``
with the file as the raw request body: it is streamed to disk (constant memory) under a
temporary name, renamed when complete (a cut-off upload leaves nothing visible), refused past
the ``upload_max_bytes`` setting (``IPGOV_PATENT_UPLOAD_MAX_BYTES``, default 64 MiB, never more
than the platform's ``IPGOV_MAX_UPLOAD_BYTES``) with 413, and answered with the job id. A
filename is a plain file name: one with path parts (``a/b``, ``..``) is refused with 400
``UPLOAD_FILENAME_INVALID``. The file is deleted once its job has run (``jobs.sweep_uploads``
removes those of failed jobs after ``upload_retention_hours``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Request, put
from litestar.exceptions import ClientException, NotFoundException
from litestar.response import Response

from ipgov.api import PlatformContext, authorize_request, negotiate_locale

from .jobs import INGEST_KIND, sweep_uploads, upload_root
from .models import Collection
from .settings import settings_of

__all__ = ["upload_documents"]


class PayloadTooLarge(ClientException):
    status_code = 413


_BAD_NAME = {
    "en": "the filename must be a plain file name (letters, digits, '.', '_', '-'), without "
          "folders or '..': {name!r}",
    "zh-CN": "文件名必须是不含文件夹或“..”的普通文件名（字母、数字、“.”、“_”、“-”）：{name!r}",
}


def _safe_name(request: Request[Any, Any, Any], filename: str) -> str:
    """The stored name of an upload: ``filename`` with unusual characters replaced; a name
    with path parts (``/``, ``\\``, ``..``) or none at all is refused with 400."""
    parts = re.split(r"[/\\]", filename)
    if len(parts) > 1 or filename.strip(" .") == "" or "\x00" in filename:
        locale = "zh-CN" if negotiate_locale(request) == "zh-CN" else "en"
        raise ClientException(status_code=400, detail=_BAD_NAME[locale].format(name=filename),
                              extra={"code": "UPLOAD_FILENAME_INVALID"})
    return re.sub(r"[^A-Za-z0-9._-]", "_", filename)[:120]


@put("/patent_search/tenants/{tenant_id:str}/collections/{collection_id:str}/upload",
     request_max_body_size=None)
async def upload_documents(request: Request[Any, Any, Any], tenant_id: str, collection_id: str,
                           filename: str = "upload.bin") -> Response[dict[str, Any]]:
    """Store the body as a file of the collection and queue its ingestion."""
    principal = await authorize_request(request, tenant_id, "patent_search:document", "ingest")
    platform: PlatformContext = request.app.state.platform
    async with platform.read_session(tenant_id) as session:
        if await session.get(Collection, collection_id) is None:
            raise NotFoundException(detail="no such collection in this tenant (a collection "
                                           "shared by the group is read-only here)")
    safe = _safe_name(request, filename)
    limit = min(int(settings_of(platform).upload_max_bytes),
                int(platform.settings.max_upload_bytes))
    size = 0
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit:
        raise PayloadTooLarge(detail=f"the file is {declared} bytes; at most {limit}")
    sweep_uploads(platform, tenant_id)
    folder = upload_root(platform, tenant_id) / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    partial, final = folder / f".{safe}.part", folder / safe
    try:
        with partial.open("wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(detail=f"the file exceeds {limit} bytes")
                out.write(chunk)
        if size == 0:
            raise ClientException(detail="the upload is empty")
        partial.rename(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        folder.rmdir() if not any(folder.iterdir()) else None
        raise
    job = await platform.enqueue_job(tenant_id=tenant_id, kind=INGEST_KIND,
                                     params={"collection_id": collection_id,
                                             "source": str(final), "upload": True,
                                             "name": filename[:200]},
                                     actor=principal.subject)
    return Response({"jobId": job.id, "bytes": size, "file": safe}, status_code=202)
