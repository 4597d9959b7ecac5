"""Serving the plugins' workspace modules: ``/workspace-extensions/<plugin>/<file>``.

Each plugin's ``WorkspaceExtension.module_dir`` is served as it is, read-only. Only regular files
inside that folder answer (no ``..``, no hidden files, no symlink leading out of it); anything
else, an unknown plugin included, is the same 404. A request whose ``?v=`` is the file's current
content hash (the ``moduleUrl`` GraphQL gives) may be cached for good; any other is revalidated
(the ETag is the content hash, so an unchanged file answers 304).

No credentials are asked: a module is code, the same for every tenant and user, and holds no
tenant data (the contract forbids it); the data it shows comes through GraphQL, which
authorizes every field. The page headers (``ipgov.web.pages.page_headers``) apply.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import File, Response

from ipgov.plugins.workspace import ROUTE_PREFIX, file_version, inside

from .pages import page_headers

__all__ = ["extension_file_routes"]

_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
          ".map": "application/json", ".json": "application/json", ".svg": "image/svg+xml",
          ".wasm": "application/wasm"}
_IMMUTABLE = "public, max-age=31536000, immutable"


def _media_type(name: str) -> str:
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


@get(f"{ROUTE_PREFIX}/{{plugin:str}}/{{file_path:path}}", include_in_schema=False,
     sync_to_thread=False)
def workspace_file(request: Request[Any, Any, Any], plugin: str, file_path: str
                   ) -> File | Response[None]:
    """A file of ``plugin``'s workspace module; 404 for anything outside its folder."""
    module = request.app.state.platform.catalog.workspace_module(plugin)
    target = inside(module.root, file_path.lstrip("/")) if module is not None else None
    current = file_version(target) if target is not None else None
    if target is None or current is None:
        raise NotFoundException("no such workspace module file")
    cache = _IMMUTABLE if request.query_params.get("v") == current else "no-cache"
    headers = {**page_headers(), "cache-control": cache, "etag": f'"{current}"'}
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response(None, status_code=304, headers=headers)
    return File(path=target, media_type=_media_type(target.name), headers=headers,
                content_disposition_type="inline", filename=target.name, etag=None)


def extension_file_routes() -> list[Any]:
    """The route serving every plugin's workspace module folder."""
    return [workspace_file]
