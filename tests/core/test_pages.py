"""The pages the platform serves itself: ``/about`` (and ``/`` without a workspace) leads
somewhere (in the reader's language, with only the links this installation can open), every
page carries the pages' CSP and loads nothing from another host, the docs cannot be walked
out of, and the vendored GraphiQL assets are the registry's files with their licences."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace

import httpx
import pytest

from ipgov.web.app import create_app
from ipgov.web.ide import GRAPHIQL_SCRIPTS, GRAPHIQL_STYLES
from ipgov.web.pages import STATIC_DIR

EXTERNAL = re.compile(r"""(?:src=|<link[^>]*href=)["']?(?:https?:)?//""")  # loaded, not linked


async def _client(platform, settings=None) -> httpx.AsyncClient:
    app = create_app(platform, settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_the_root_leads_to_the_pages_in_the_readers_language(platform):
    async with await _client(platform) as client:
        en = await client.get("/about")
        zh = await client.get("/about", headers={"accept-language": "zh-CN,zh;q=0.9"})
        for path in ("/", "/about", "/graphql", "/schema", "/docs/", "/docs/README.md",
                     "/supervision/", "/schema.graphql"):
            page = await client.get(path, headers={"accept": "text/html"})
            assert page.status_code == 200, path
            assert "script-src 'self'" in page.headers["content-security-policy"], path
            assert not EXTERNAL.search(page.text), (path, EXTERNAL.search(page.text))
        walked = await client.get("/docs/..%2Fpyproject.toml")
    assert en.headers["content-type"] == "text/html; charset=utf-8"
    for href in ('href="/graphql"', 'href="/supervision/"', 'href="/schema"', 'href="/docs/"'):
        assert href in en.text
    assert '<html lang="zh-CN">' in zh.text and "监督" in zh.text
    assert walked.status_code == 404


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_the_served_docs_link_to_documents_that_open(platform):
    """README links CONTRIBUTING.md and docs/architecture.md, which links back with ``../``:
    every link between documents opens on ``/docs/`` (issue 21)."""
    links = re.compile(r'href="(/docs/[\w.-]+\.md)(?:#[\w-]*)?"')
    async with await _client(platform) as client:
        seen: dict[str, int] = {}
        for start in ("/docs/README.md", "/docs/CONTRIBUTING.md", "/docs/architecture.md"):
            page = await client.get(start)
            assert page.status_code == 200, start
            for target in set(links.findall(page.text)):
                seen[target] = (await client.get(target)).status_code
    assert {"/docs/CONTRIBUTING.md", "/docs/architecture.md", "/docs/plugins.md"} <= set(seen)
    assert all(status == 200 for status in seen.values()), seen


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_production_links_neither_graphiql_nor_the_schema(platform):
    production = replace(platform.settings, environment="production",
                         graphql_introspection=False)
    async with await _client(platform, production) as client:
        landing = await client.get("/about")
        sdl = await client.get("/schema.graphql")
        ide = await client.get("/graphql", headers={"accept": "text/html"})
    assert 'href="/graphql"' not in landing.text and 'href="/schema.graphql"' not in landing.text
    assert sdl.status_code == 404 and "GraphiQL" not in ide.text


def _sri(path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def test_vendored_assets_are_the_registry_builds_with_their_licences():
    sources = (STATIC_DIR / "vendor" / "SOURCES.md").read_text(encoding="utf-8")
    for url in (*GRAPHIQL_SCRIPTS, *GRAPHIQL_STYLES):
        path = STATIC_DIR / url.removeprefix("/static/")
        assert path.is_file(), url
        if "/vendor/" in url:
            assert _sri(path) in sources, url  # the hash pinned beside the npm package name
            assert (path.parent / "LICENSE.txt").read_text().startswith("MIT License")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_the_workspace_answers_its_client_routes_with_a_nonce_of_its_own(platform, tmp_path):
    """Every client route answers the same page; each answer carries a new CSP nonce, in the
    header and in the page (Ant Design's generated styles use it), and assets are immutable."""
    from litestar import Litestar

    from ipgov.web.shell import workspace_routes

    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<meta name="csp-nonce" content="__IPGOV_CSP_NONCE__"><script src="/assets/a-1.js">'
        "</script>", encoding="utf-8")
    (tmp_path / "assets" / "a-1.js").write_text("export {};", encoding="utf-8")
    app = Litestar(route_handlers=workspace_routes(tmp_path))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        pages = [await c.get(p) for p in ("/", "/signin", "/t/hanwei-group/reviews/1")]
        asset = await c.get("/assets/a-1.js")
        missing = await c.get("/assets/none.js")
    nonces = [re.search(r"'nonce-([\w-]+)'", p.headers["content-security-policy"]).group(1)
              for p in pages]
    assert all(p.status_code == 200 for p in pages) and len(set(nonces)) == 3
    assert all(f'content="{n}"' in p.text for n, p in zip(nonces, pages, strict=True))
    assert all(p.headers["cache-control"] == "no-cache" for p in pages)
    assert "max-age=31536000" in asset.headers["cache-control"] and missing.status_code == 404
    assert "script-src 'self';" in asset.headers["content-security-policy"]


def test_without_a_built_workspace_the_landing_page_says_how_to_build_it():
    from ipgov.web.home import landing_html

    bare = landing_html("en", graphiql=True, sdl=True, docs=True, workspace=False)
    built = landing_html("zh-CN", graphiql=True, sdl=True, docs=True, workspace=True)
    assert "./scripts/run" in bare and 'href="/"' not in bare
    assert 'href="/"' in built and "工作台" in built
