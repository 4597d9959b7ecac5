"""Uploading a file of patent documents into a collection (then ingested by a worker job).

``PUT /plugins/patent_search/tenants/{tenant}/collections/{collection}/upload?filename=x.zip``
with the file as the raw request body: it is streamed to disk (constant memory) under a
temporary name, renamed when complete (a cut-off upload leaves nothing visible), refused past
the ``upload_max_bytes`` setting (``IPGOV_PATENT_UPLOAD_MAX_BYTES``, default 512 MiB) with 413,
                                  and answered with the job id.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from litestar import Request, put
from litestar.exceptions import ClientException, NotFoundException
from litestar.response import Response

from ipgov.api import PlatformContext, authorize_request

from .jobs import INGEST_KIND
from .models import Collection
from .settings import settings_of

__all__ = ["upload_documents"]


class PayloadTooLarge(ClientException):
    status_code = 413


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
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename).name)[:120] or "upload.bin"
    folder = Path(platform.settings.data_dir) / "imports" / tenant_id / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    partial, final = folder / f".{safe}.part", folder / safe
    limit, size = int(settings_of(platform).upload_max_bytes), 0
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit:
        raise PayloadTooLarge(detail=f"the file is {declared} bytes; at most {limit}")
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
                                             "source": str(final)},
                                     actor=principal.subject)
    return Response({"jobId": job.id, "bytes": size, "file": safe}, status_code=202)
