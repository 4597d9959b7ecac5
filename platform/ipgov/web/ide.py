"""GraphiQL (development) and the HTTP API reference (``/schema``), from the package alone.

strawberry's GraphiQL page and Litestar's Redoc page load their scripts from CDNs, so neither
opens on an air-gapped install. Here GraphiQL runs on the vendored React, ReactDOM and
GraphiQL builds (``static/vendor``) with a script file of our own, and ``/schema`` is plain
HTML rendered on the server from the OpenAPI document; both carry the pages' CSP.
"""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request, Router
from litestar.enums import MediaType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin, YamlRenderPlugin
from litestar.response import Response

from .pages import page_headers, secure

__all__ = ["GRAPHIQL_SCRIPTS", "graphiql_html", "ide_controller", "openapi_config"]

VENDOR = "/static/vendor"
GRAPHIQL_SCRIPTS = (f"{VENDOR}/react-18.2.0/react.production.min.js",
                    f"{VENDOR}/react-dom-18.2.0/react-dom.production.min.js",
                    f"{VENDOR}/graphiql-3.8.3/graphiql.min.js", "/static/graphiql/graphiql.js")
GRAPHIQL_STYLES = (f"{VENDOR}/graphiql-3.8.3/graphiql.min.css", "/static/graphiql/graphiql.css")
EXAMPLE = """# ipgov GraphQL (development). Sign in, then put the token in the headers
# editor below: {"Authorization": "Bearer <token>"}
mutation SignIn {
  login(email: "li.wei@hanwei.example", password: "ipgov-demo-2026") {
    token errors { code message }
  }
}
"""


def graphiql_html(endpoint: str) -> str:
    """The GraphiQL page for ``endpoint``: vendored scripts and styles, no inline code."""
    styles = "".join(f'<link rel="stylesheet" href="{s}">' for s in GRAPHIQL_STYLES)
    scripts = "".join(f'<script src="{s}" defer></script>' for s in GRAPHIQL_SCRIPTS)
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>ipgov · GraphiQL</title>"
            f"{styles}{scripts}</head><body><div id=\"graphiql\" "
            f"data-endpoint=\"{escape(endpoint)}\" data-example=\"{escape(EXAMPLE)}\">"
            "Loading GraphiQL…</div></body></html>")


class _OfflineGraphiQL:
    """Put before strawberry's controller: browsers get the offline GraphiQL page."""

    async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[str]:
        return Response(graphiql_html(request.url.path), media_type=MediaType.HTML,
                        headers=page_headers(fonts=True))


def ide_controller(base: type) -> type:
    """``base`` (strawberry's controller) answering browsers with the offline GraphiQL page."""
    # made with type(): a class statement cannot name a base that is only known at run time
    return type("IpgovGraphQLController", (_OfflineGraphiQL, base), {"__module__": __name__})


class ReferenceRenderPlugin(OpenAPIRenderPlugin):
    """``/schema``: the HTTP routes of the OpenAPI document as plain HTML (no script)."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        info = openapi_schema.get("info", {})
        rows = []
        for path, item in sorted((openapi_schema.get("paths") or {}).items()):
            for method, op in item.items():
                if not isinstance(op, dict):
                    continue
                params = ", ".join(p.get("name", "") for p in op.get("parameters") or [])
                summary = op.get("description") or op.get("summary") or ""
                rows.append(f"<tr><td><code>{escape(method.upper())}</code></td>"
                            f"<td><code>{escape(path)}</code></td><td>{escape(params)}</td>"
                            f"<td>{escape(summary)}</td></tr>")
        body = (f"<h1>{escape(info.get('title', 'API'))} {escape(info.get('version', ''))}</h1>"
                "<p>The platform's API is GraphQL (<a href=\"/graphql\">/graphql</a>); these "
                "HTTP routes serve pages, exports, reports and probes. Machine-readable: "
                "<a href=\"/schema/openapi.json\">openapi.json</a>, "
                "<a href=\"/schema/openapi.yaml\">openapi.yaml</a>.</p>"
                "<table><thead><tr><th>Method</th><th>Path</th><th>Parameters</th>"
                f"<th>What it does</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
        return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>ipgov · HTTP API</title>"
                "<link rel=\"stylesheet\" href=\"/static/home/home.css\"></head>"
                f"<body><main>{body}</main></body></html>").encode()


def openapi_config(version: str) -> OpenAPIConfig:
    """``/schema`` (HTML), ``/schema/openapi.json`` and ``.yaml``, all served offline."""
    return OpenAPIConfig(
        title="ipgov HTTP API", version=version, use_handler_docstrings=True,
        render_plugins=[ReferenceRenderPlugin(), JsonRenderPlugin(), YamlRenderPlugin()],
        openapi_router=Router(path="/schema", route_handlers=[], after_request=secure))
