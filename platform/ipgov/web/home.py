"""``/``: where a person starts, in English or Chinese; ``/docs/``: the documentation.

The landing page links to what a browser can open: GraphiQL (development only), the
supervision page, the HTTP API reference, the GraphQL schema (when introspection is on) and
the documentation. ``/docs/`` renders the README and ``docs/*.md`` of a source checkout as
HTML (no raw HTML passes through); an installed wheel has no docs folder and says where the
documentation lives instead of linking nowhere.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from litestar import Request, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.response import Response

from ipgov.i18n import negotiate

from .pages import PAGE_HEADERS, STATIC_DIR

__all__ = ["DOCS_ROOT", "home_routes", "landing_html"]

FAVICON = STATIC_DIR / "home" / "favicon.svg"
DOCS_ROOT = Path(__file__).resolve().parents[3]
"""The source checkout holding README.md and docs/ (absent in an installed wheel)."""

TEXT: dict[str, dict[str, Any]] = {  # per locale: page text, and (name, what) per link
    "en": {
        "title": "ipgov: enterprise IP governance", "lang": "中文", "lang_to": "zh-CN",
        "workspace": ("Workspace", "The web application: reviews, directives, governance, "
                      "members, supervision, audit trail and the plugins' screens."),
        "no_workspace": "The workspace (the web application) is not built in this "
                        "installation: ./scripts/run builds it from web/ with Node.js.",
        "intro": "A multi-tenant platform for the IP governance of corporate groups. "
                 "Everything is reachable through one GraphQL API; these pages are for "
                 "people.",
        "graphiql": ("GraphiQL", "Write and run GraphQL queries in the browser "
                     "(development only)."),
        "supervision": ("Supervision", "Heatmap of the supervised tenants: scores with their "
                        "coverage, findings, directives, audit trail."),
        "schema": ("HTTP API reference", "Pages, exports, reports and probes served over "
                   "plain HTTP."),
        "sdl": ("GraphQL schema", "The whole GraphQL schema as SDL."),
        "docs": ("Documentation", "README, plugin guide, operations, patent search, data "
                 "governance."),
        "no_docs": "The documentation (README.md and docs/) ships with the source "
                   "distribution of ipgov.",
    },
    "zh-CN": {
        "title": "ipgov：企业知识产权治理", "lang": "English", "lang_to": "en",
        "workspace": ("工作台", "Web 应用：评审、整改指令、治理、成员、监督、审计记录"
                      "以及各插件的页面。"),
        "no_workspace": "此安装未构建工作台（Web 应用）：./scripts/run 会用 Node.js "
                        "从 web/ 构建它。",
        "intro": "面向企业集团知识产权治理的多租户平台。所有功能都通过同一个 GraphQL API 提供；"
                 "以下页面供人员使用。",
        "graphiql": ("GraphiQL", "在浏览器中编写并运行 GraphQL 查询（仅限开发环境）。"),
        "supervision": ("监督", "受监督租户的热力图：得分及其覆盖率、发现、指令和审计记录。"),
        "schema": ("HTTP API 参考", "通过 HTTP 提供的页面、导出、报告和探针。"),
        "sdl": ("GraphQL 模式", "以 SDL 形式给出的完整 GraphQL 模式。"),
        "docs": ("文档", "README、插件指南、运维、专利检索、数据治理。"),
        "no_docs": "文档（README.md 和 docs/）随 ipgov 的源码发行包提供。",
    },
}


@cache
def _documents(root: Path = DOCS_ROOT) -> dict[str, Path]:
    """The documents by name: README.md, CONTRIBUTING.md and every docs/*.md in the checkout."""
    found = {name: root / name for name in ("README.md", "CONTRIBUTING.md")
             if (root / name).is_file()}
    found.update({p.name: p for p in sorted((root / "docs").glob("*.md"))})
    return found


def _locale(request: Request[Any, Any, Any]) -> str:
    explicit = request.query_params.get("lang")
    return negotiate(request.headers.get("accept-language"), explicit)


def landing_html(locale: str, *, graphiql: bool, sdl: bool, docs: bool,
                 workspace: bool = False) -> str:
    """The landing page in ``locale`` with the links this installation can open; without a
    built workspace it says how to build one."""
    t = TEXT[locale]
    links = [("/", t["workspace"])] if workspace else []
    links += [("/graphql", t["graphiql"])] if graphiql else []
    links += [("/supervision/", t["supervision"]), ("/schema", t["schema"])]
    links += [("/schema.graphql", t["sdl"])] if sdl else []
    links += [("/docs/", t["docs"])] if docs else []
    items = "".join(f"<li><a href=\"{href}\">{escape(name)}</a> — {escape(what)}</li>"
                    for href, (name, what) in links)
    missing = "" if docs else f"<p>{escape(t['no_docs'])}</p>"
    missing += "" if workspace else f"<p class=\"note\">{escape(t['no_workspace'])}</p>"
    return (f"<!doctype html><html lang=\"{locale}\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(t['title'])}</title>"
            "<link rel=\"stylesheet\" href=\"/static/home/home.css\"></head><body><main>"
            f"<p class=\"lang\"><a href=\"?lang={t['lang_to']}\" hreflang=\"{t['lang_to']}\">"
            f"{t['lang']}</a></p><h1>{escape(t['title'])}</h1><p>{escape(t['intro'])}</p>"
            f"<ul class=\"links\">{items}</ul>{missing}</main></body></html>")


_MD_LINK = re.compile(r'href="(?:\.\.?/)?(?:docs/)?([\w.-]+\.md)(#[\w-]*)?"')


def _render(path: Path) -> str:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(
        path.read_text(encoding="utf-8"))
    return _MD_LINK.sub(lambda m: f'href="/docs/{m.group(1)}{m.group(2) or ""}"', html)


def _page(title: str, body: str, locale: str = "en") -> Response[str]:
    html = (f"<!doctype html><html lang=\"{locale}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><link rel=\"stylesheet\" "
            f"href=\"/static/home/home.css\"></head><body><main>{body}</main></body></html>")
    return Response(html, media_type=MediaType.HTML, headers=PAGE_HEADERS)


def home_routes(settings: Any, *, at_root: bool = True) -> list[Any]:
    """``/about`` (and ``/`` when ``at_root``: no workspace is built), ``/docs/`` and
    ``/docs/{name}`` (and ``/schema.graphql`` with introspection)."""
    production = bool(getattr(settings, "is_production", False))
    introspection = bool(getattr(settings, "graphql_introspection", True)) and not production

    @get(["/", "/about"] if at_root else ["/about"], include_in_schema=False)
    async def landing(request: Request[Any, Any, Any]) -> Response[str]:
        html = landing_html(_locale(request), graphiql=not production, sdl=introspection,
                            docs=bool(_documents()), workspace=not at_root)
        return Response(html, media_type=MediaType.HTML, headers=PAGE_HEADERS)

    @get("/docs/", include_in_schema=False)
    async def docs_index(request: Request[Any, Any, Any]) -> Response[str]:
        names = _documents()
        if not names:
            raise NotFoundException(detail=TEXT["en"]["no_docs"])
        items = "".join(f"<li><a href=\"/docs/{n}\">{escape(n)}</a></li>" for n in names)
        return _page("ipgov · docs", f"<h1>ipgov</h1><ul class=\"links\">{items}</ul>")

    @get("/docs/{name:str}", include_in_schema=False)
    async def document(name: str) -> Response[str]:
        path = _documents().get(name)
        if path is None:
            raise NotFoundException(detail=f"no document {name!r}; see /docs/")
        return _page(f"ipgov · {name}", _render(path))

    @get("/favicon.ico", include_in_schema=False, cache_control=CacheControlHeader(
        max_age=86400))
    async def favicon() -> Response[bytes]:
        return Response(FAVICON.read_bytes(), media_type="image/svg+xml",
                        headers=PAGE_HEADERS)

    routes: list[Any] = [landing, docs_index, document, favicon]
    if introspection:

        @get("/schema.graphql", include_in_schema=False)
        async def sdl(request: Request[Any, Any, Any]) -> Response[str]:
            return Response(str(request.app.state.schema.as_str()),
                            media_type=MediaType.TEXT, headers=PAGE_HEADERS)

        routes.append(sdl)
    return routes
