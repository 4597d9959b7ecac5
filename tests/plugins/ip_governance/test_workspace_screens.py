"""The ip_governance plugin's workspace screens, declared through the same hook a partner
uses: a page per navigation entry (work screens and director screens), the deadlines widget on
the home page, each gated by the read permission of the object it shows, and every declared key
mounted by the module's source (plugins/ip_governance/web/src/index.tsx)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ip_governance.hooks as hooks
from ipgov.plugins.catalog import build_catalog
from ipgov.startup import new_registry
from ipgov.tenancy import enablement
from tests.conftest import make_group

PLUGIN = "ip_governance"
SOURCE = Path(hooks.__file__).parent / "web" / "src" / "index.tsx"
QUERY = """query($t: ID!) { workspaceExtensions(tenantId: $t) {
  plugin moduleUrl contextVersion available
  navigation { key label path section allowed requires { resource action } }
  widgets { key label slot allowed requires { resource action } } } }"""
PAGES = {  # key: (section, the object read)
    "assets": ("work", "ip_governance:asset"),
    "deadline-list": ("work", "ip_governance:asset"),
    "risks": ("work", "ip_governance:risk"),
    "licences": ("work", "ip_governance:licence"),
    "incidents": ("work", "ip_governance:incident"),
    "strategy": ("govern", "ip_governance:strategy"),
    "management-systems": ("govern", "ip_governance:management_system"),
    "profile": ("govern", "ip_governance:profile"),
    "certification": ("govern", "ip_governance:certification"),
    "documents": ("govern", "ip_governance:document"),
}


def test_the_hook_declares_the_built_module_with_its_pages_and_widget():
    catalog = build_catalog(new_registry(only=[PLUGIN]))  # refuses a broken declaration
    module = catalog.workspace_module(PLUGIN)
    assert module is not None
    extension = module.extension
    assert (extension.module_dir, extension.entry) == (SOURCE.parent.parent / "dist", "index.js")
    assert {e.key: (e.section, e.requires) for e in extension.navigation} == {
        key: (section, (resource, "read")) for key, (section, resource) in PAGES.items()}
    assert all(e.path == f"/x/{PLUGIN}/{e.key}" and e.label["zh-CN"] for e in extension.navigation)
    [widget] = extension.widgets
    assert (widget.key, widget.slot, widget.requires) == (
        "deadlines", "home", ("ip_governance:asset", "read"))
    assert widget.label == {"en": "Deadlines in 90 days", "zh-CN": "90 天内的期限"}


def test_the_module_mounts_every_declared_key():
    source = SOURCE.read_text(encoding="utf-8")
    pages = re.search(r"pages: \{(.*?)\}", source, re.S)
    widgets = re.search(r"widgets: \{(.*?)\}", source, re.S)
    assert pages and widgets
    keys = lambda text: set(re.findall(r'"?([a-z][a-z0-9_.-]*)"?\s*:', text))  # noqa: E731
    assert keys(pages.group(1)) == set(PAGES)
    assert keys(widgets.group(1)) == {"deadlines"}


async def _listed(gql, tenant_id: str, token: str) -> dict[str, Any] | None:
    body = await gql(QUERY, {"t": tenant_id}, token=token)
    assert "errors" not in body, body
    found = [e for e in body["data"]["workspaceExtensions"] if e["plugin"] == PLUGIN]
    return found[0] if found else None


async def test_every_member_reading_the_register_sees_the_screens_where_the_plugin_is_on(
        platform, gql):
    group = await make_group(platform, "acme", "hybrid")
    tenant = group.ids["acme-a"]
    listed = await _listed(gql, tenant, group.token("a-viewer"))
    assert listed is not None and listed["contextVersion"] == 1
    assert {e["key"]: (e["section"], e["requires"]["resource"], e["allowed"])
            for e in listed["navigation"]} == {
        key: (section, resource, True) for key, (section, resource) in PAGES.items()}
    assert [(w["key"], w["label"], w["allowed"]) for w in listed["widgets"]] == [
        ("deadlines", "Deadlines in 90 days", True)]
    async with platform.db.system_session("test: disable ip_governance") as s:
        await enablement.disable_plugin(platform, s, tenant_id=tenant, plugin=PLUGIN,
                                        actor="test")
    await platform.authz.refresh()
    assert await _listed(gql, tenant, group.token("a-viewer")) is None
