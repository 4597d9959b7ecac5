"""The first-party plugins' workspace screens go through the same extension contract as a
partner's: patent_search and data_governance each declare one module (built by the web build
from ``web/src`` into ``web/dist/index.js``), navigation entries in the ``work`` section that
require one of the plugin's own read permissions, and ``workspaceExtensions`` lists them for a
tenant in the caller's language with the caller's own decisions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ipgov.plugins.catalog import build_catalog
from ipgov.startup import new_registry
from tests.conftest import make_group

ROOT = Path(__file__).parents[2]
QUERY = """query($t: ID!) { workspaceExtensions(tenantId: $t) {
  plugin moduleUrl contextVersion available
  navigation { key label path section icon allowed requires { resource action } }
  widgets { key label slot allowed requires { resource action } } } }"""

# plugin -> (navigation key -> permission object read), widget keys
EXPECTED: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "patent_search": ({
        "search": "patent_search:document", "fto": "patent_search:document",
        "landscape": "patent_search:document", "watchlists": "patent_search:watchlist",
        "collections": "patent_search:collection", "procurement": "patent_search:procurement",
    }, {"watchlist_matches": "patent_search:watchlist"}),
    "data_governance": ({
        "catalog": "data_governance:asset", "trade_secrets": "data_governance:trade_secret",
        "lifecycle": "data_governance:lifecycle", "mapping": "data_governance:solution",
        "publication": "data_governance:publication_check",
    }, {}),
}


def _screens(source: str, group: str) -> set[str]:
    """The keys of ``pages: {...}`` or ``widgets: {...}`` in the module's defineExtension."""
    found = re.search(group + r":\s*\{([^}]*)\}", source)
    return set(re.findall(r"([a-z][a-z0-9_]*)\s*:", found.group(1))) if found else set()


@pytest.mark.parametrize("plugin", sorted(EXPECTED))
def test_the_hook_declares_one_module_built_from_the_plugins_web_sources(plugin):
    catalog = build_catalog(new_registry(only=[plugin]))
    module = catalog.workspace_module(plugin)
    assert module is not None
    extension = module.extension
    assert extension.entry == "index.js"
    assert module.root == ROOT / "plugins" / plugin / "web" / "dist"
    pages, widgets = EXPECTED[plugin]
    assert {n.key: n.requires for n in extension.navigation} == {
        key: (obj, "read") for key, obj in pages.items()}
    assert {n.path for n in extension.navigation} == {f"/x/{plugin}/{k}" for k in pages}
    assert {n.section for n in extension.navigation} == {"work"}
    assert all(n.label["en"] and n.label["zh-CN"] and n.icon for n in extension.navigation)
    assert {w.key: w.requires for w in extension.widgets} == {
        key: (obj, "read") for key, obj in widgets.items()}
    assert all(w.slot == "home" and w.label["zh-CN"] for w in extension.widgets)
    # every declared entry has its screen in the module's sources, and nothing else is there
    source = (ROOT / "plugins" / plugin / "web" / "src" / "index.tsx").read_text("utf-8")
    assert "defineExtension" in source
    assert _screens(source, "pages") == set(pages)
    assert _screens(source, "widgets") == set(widgets)


async def _listed(gql, tenant: str, token: str, language: str = "en") -> dict[str, Any]:
    response = await gql.post(QUERY, {"t": tenant}, token=token,
                              headers={"accept-language": language})
    body = response.json()
    assert "errors" not in body, body
    return {e["plugin"]: e for e in body["data"]["workspaceExtensions"]}


@pytest.mark.parametrize("plugin", sorted(EXPECTED))
async def test_workspace_extensions_lists_the_plugins_screens_for_a_tenant(platform, gql,
                                                                           plugin):
    group = await make_group(platform, "acme", "hybrid")
    tenant = group.ids["acme-a"]
    listed = await _listed(gql, tenant, group.token("a-viewer"))
    assert plugin in listed, sorted(listed)
    extension = listed[plugin]
    pages, widgets = EXPECTED[plugin]
    built = (ROOT / "plugins" / plugin / "web" / "dist" / "index.js").is_file()
    assert extension["available"] is built and extension["contextVersion"] == 1
    if built:
        assert extension["moduleUrl"].startswith(f"/workspace-extensions/{plugin}/index.js?v=")
    assert [(n["key"], n["path"], n["section"], n["requires"]) for n in extension["navigation"]
            ] == [(k, f"/x/{plugin}/{k}", "work", {"resource": obj, "action": "read"})
                  for k, obj in pages.items()]
    # a viewer reads every one of these (writes are gated inside the screens and the API)
    assert all(n["allowed"] for n in extension["navigation"] + extension["widgets"])
    assert [w["key"] for w in extension["widgets"]] == list(widgets)
    chinese = (await _listed(gql, tenant, group.token("a-viewer"), "zh-CN"))[plugin]
    labels = [n["label"] for n in chinese["navigation"] + chinese["widgets"]]
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels
