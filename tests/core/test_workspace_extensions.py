"""The UI extension contract: plugins' screens for the web workspace.

A plugin declares its module, navigation entries and widgets with
``register_workspace_extensions``; the catalog refuses a broken declaration at start-up but
only marks a module that is not built yet unavailable; ``workspaceExtensions(tenantId)`` lists
the extensions in effect in a tenant with the caller's decision per entry, refusing other
tenants as every tenant field does; ``/workspace-extensions/<plugin>/...`` serves each module's
folder and nothing outside it.
"""

from __future__ import annotations

import logging
import types
from pathlib import Path
from typing import Any

import pytest

from ipgov import startup
from ipgov.api import (
    Permission,
    PluginInfo,
    WorkspaceExtension,
    WorkspaceNavEntry,
    WorkspaceWidget,
    hookimpl,
)
from ipgov.identity.service import add_membership, create_user
from ipgov.plugins.catalog import PluginContractError, build_catalog
from ipgov.plugins.workspace import file_version
from ipgov.startup import build_platform, new_registry
from ipgov.tenancy import enablement
from tests.conftest import make_group

PARTNER = "example_partner"
NOTE = "example_partner:note"
QUERY = """query($t: ID!) { workspaceExtensions(tenantId: $t) {
  plugin moduleUrl contextVersion available unavailableReason
  navigation { key label path section icon allowed requires { resource action } }
  widgets { key label slot allowed requires { resource action } } } }"""


def _plugin(name: str, **hooks: Any) -> types.ModuleType:
    module = types.ModuleType(f"{name}_hooks")
    module.PLUGIN_INFO = PluginInfo(name=name, version="1", api_version=1)
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, hookimpl(specname=hook_name)(fn))
    return module


def _extension(module_dir: Path, **changes: Any) -> WorkspaceExtension:
    fields: dict[str, Any] = {
        "module_dir": module_dir, "entry": "index.js",
        "navigation": (WorkspaceNavEntry("home", {"en": "Home", "zh-CN": "首页"},
                                         "/x/partner/home", ("partner:thing", "read")),),
        "widgets": (WorkspaceWidget("glance", {"en": "Glance"}, "home"),),
    }
    return WorkspaceExtension(**{**fields, **changes})


def _partner(module_dir: Path, name: str = "partner", **changes: Any) -> types.ModuleType:
    extension = _extension(module_dir, **changes)
    return _plugin(name, register_permissions=lambda: [Permission(f"{name}:thing", ("read",))],
                   register_workspace_extensions=lambda: [extension])


def _nav(key: str = "home", path: str = "/x/partner/home", **more: Any) -> WorkspaceNavEntry:
    return WorkspaceNavEntry(key, more.pop("label", {"en": "Home"}), path, **more)


# (what the extension changes, the contribution the error names, what it says)
BROKEN = [
    ({"navigation": (_nav(path="/x/other/home"),)}, "workspace navigation entry 'home'",
     "must start with '/x/partner/'"),
    ({"navigation": (_nav(path="/x/partner/../admin"),)}, "workspace navigation entry 'home'",
     "must start with '/x/partner/'"),
    ({"navigation": (_nav(label={"zh-CN": "首页"}),)}, "workspace navigation entry 'home'",
     "label needs an English text under 'en'"),
    ({"navigation": (_nav(label={"en": "Home", "fr": "Accueil"}),)},
     "workspace navigation entry 'home'", "unknown locales ['fr']"),
    ({"navigation": (_nav(), _nav(path="/x/partner/other"))}, "workspace key 'home'",
     "is used twice"),
    ({"widgets": (WorkspaceWidget("home", {"en": "Home"}),)}, "workspace key 'home'",
     "is used twice"),
    ({"widgets": (WorkspaceWidget("side", {"en": "Side"}, slot="sidebar"),)},
     "workspace widget 'side'", "slot 'sidebar' is not one of ['home']"),
    ({"navigation": (_nav(requires=("partner:thing", "delete")),)},
     "workspace navigation entry 'home'", "which no plugin declares"),
    ({"navigation": (_nav(key="Home Page"),)}, "workspace navigation entry 'Home Page'",
     "key must be lower-case"),
    ({"navigation": (_nav(icon="<svg>"),)}, "workspace navigation entry 'home'",
     "must be an icon name"),
    ({"context_version": 2}, "workspace context_version", "2 is not supported"),
    ({"entry": "../index.js"}, "workspace entry", "inside module_dir"),
    ({"entry": "index.html"}, "workspace entry", "must be a relative .js or .mjs"),
    ({"navigation": ("not an entry",)}, "workspace navigation",
     "is not ipgov.api.WorkspaceNavEntry"),
]


@pytest.mark.parametrize(("changes", "contribution", "problem"), BROKEN,
                         ids=[f"broken-{i}" for i in range(len(BROKEN))])
def test_a_broken_declaration_fails_start_up_naming_plugin_and_field(
        settings, monkeypatch, tmp_path, changes, contribution, problem):
    def with_partner(only=None):
        registry = new_registry(only)
        registry.register(_partner(tmp_path, **changes))
        return registry

    monkeypatch.setattr(startup, "new_registry", with_partner)
    with pytest.raises(PluginContractError) as caught:
        build_platform(settings)
    assert (caught.value.plugin, caught.value.contribution) == ("partner", contribution)
    assert problem in caught.value.problem


def test_a_plugin_ships_one_module():
    registry = new_registry(only=[])
    extension = _extension(Path("/nonexistent"))
    registry.register(_plugin("partner", register_permissions=lambda: [
        Permission("partner:thing", ("read",))],
        register_workspace_extensions=lambda: [extension, extension]))
    with pytest.raises(PluginContractError, match="returned 2 extensions; a plugin ships one"):
        build_catalog(registry)


def test_a_module_not_built_yet_is_a_warning_not_a_failed_start_up(tmp_path, caplog):
    registry = new_registry(only=[])
    registry.register(_partner(tmp_path / "web" / "dist"))  # the web build has not run
    with caplog.at_level(logging.WARNING, logger="ipgov.plugins"):
        catalog = build_catalog(registry)
    [module] = catalog.workspace_extensions
    assert module.plugin == "partner" and module.version() is None
    assert "plugin partner: workspace module" in caplog.text and "index.js" in caplog.text
    (tmp_path / "web" / "dist").mkdir(parents=True)
    (tmp_path / "web" / "dist" / "index.js").write_text("export function mount() {}\n")
    assert module.version() == file_version(tmp_path / "web" / "dist" / "index.js")


def test_the_example_partner_declares_its_notes_page_through_the_hook():
    catalog = build_catalog(new_registry(only=[PARTNER]))
    module = catalog.workspace_module(PARTNER)
    assert module is not None and module.extension.entry == "notes.js"
    assert [(e.path, e.requires) for e in module.extension.navigation] == [
        ("/x/example_partner/notes", (NOTE, "read"))]
    assert module.version() is not None  # hand-written: nothing to build
    source = (module.root / "notes.js").read_text(encoding="utf-8")
    assert "export function mount(element, context, target)" in source
    assert "import " not in source.replace("imports", "")  # everything comes from context.libs


# --------------------------------------------------------------------------- GraphQL


async def _ip_manager(platform, tenant_id: str) -> str:
    async with platform.db.system_session("test: ip manager") as s:
        user = await create_user(s, email="ipm@acme.example", display_name="IP manager")
        await add_membership(platform, s, tenant_id=tenant_id, user_id=user.id,
                             role="ip_manager", actor="test")
    await platform.authz.refresh()
    return platform.tokens.issuer.issue(user.id).token


async def _extensions(gql, tenant_id: str, token: str) -> list[dict[str, Any]]:
    body = await gql(QUERY, {"t": tenant_id}, token=token)
    assert "errors" not in body, body
    return body["data"]["workspaceExtensions"]


async def test_the_partner_screen_is_listed_where_the_plugin_is_in_effect(platform, gql):
    group = await make_group(platform, "acme", "decentralized")
    tenant = group.ids["acme-a"]
    [partner] = [e for e in await _extensions(gql, tenant, group.token("a-admin"))
                 if e["plugin"] == PARTNER]
    version = platform.catalog.workspace_module(PARTNER).version()
    assert partner == {
        "plugin": PARTNER, "moduleUrl": f"/workspace-extensions/{PARTNER}/notes.js?v={version}",
        "contextVersion": 1, "available": True, "unavailableReason": None,
        "navigation": [{"key": "notes", "label": "Notes", "path": "/x/example_partner/notes",
                        "section": "plugins", "icon": "FileTextOutlined", "allowed": True,
                        "requires": {"resource": NOTE, "action": "read"}}],
        "widgets": [{"key": "quick_note", "label": "Add a note", "slot": "home",
                     "allowed": True, "requires": {"resource": NOTE, "action": "create"}}],
    }
    async with platform.db.system_session("test: disable the partner") as s:
        await enablement.disable_plugin(platform, s, tenant_id=tenant, plugin=PARTNER,
                                        actor="test")
    await platform.authz.refresh()
    listed = await _extensions(gql, tenant, group.token("a-admin"))
    assert PARTNER not in [e["plugin"] for e in listed]


async def test_allowed_is_the_callers_own_decision_in_the_tenant(platform, gql):
    group = await make_group(platform, "acme", "hybrid")
    tenant = group.ids["acme-a"]

    async def decisions(token: str) -> dict[str, bool]:
        [partner] = [e for e in await _extensions(gql, tenant, token) if e["plugin"] == PARTNER]
        return {e["key"]: e["allowed"] for e in partner["navigation"] + partner["widgets"]}

    assert await decisions(await _ip_manager(platform, tenant)) == {
        "notes": True, "quick_note": True}
    assert await decisions(group.token("a-viewer")) == {"notes": True, "quick_note": False}


async def test_labels_follow_the_callers_language(platform, gql):
    group = await make_group(platform, "acme", "hybrid")
    response = await gql.post(QUERY, {"t": group.ids["acme-a"]}, token=group.token("a-viewer"),
                              headers={"accept-language": "zh-CN"})
    [partner] = [e for e in response.json()["data"]["workspaceExtensions"]
                 if e["plugin"] == PARTNER]
    assert partner["navigation"][0]["label"] == "备注"
    assert partner["widgets"][0]["label"] == "添加备注"


async def test_another_groups_tenant_is_refused_like_every_tenant_field(platform, gql,
                                                                       two_groups):
    acme, globex = two_groups
    token = acme.token("admin")
    foreign = globex.ids["globex-a"]
    body = await gql(QUERY, {"t": foreign}, token=token)
    plugins = await gql("query($t: ID!) { tenantPlugins(tenantId: $t) { name } }",
                        {"t": foreign}, token=token)
    unknown = await gql(QUERY, {"t": "00000000-0000-4000-8000-000000000000"}, token=token)
    assert body["data"] is None
    codes = [e["extensions"]["code"] for e in body["errors"]]
    assert codes == [e["extensions"]["code"] for e in plugins["errors"]] == ["FORBIDDEN"]
    assert [e["extensions"]["code"] for e in unknown["errors"]] == codes  # no existence oracle
    assert "globex" not in str(body)


async def test_unauthenticated_callers_are_told_to_sign_in(platform, gql):
    group = await make_group(platform, "acme", "hybrid")
    body = await gql(QUERY, {"t": group.ids["acme-a"]})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_a_module_not_built_is_unavailable_until_it_exists(platform, gql, tmp_path):
    dist = tmp_path / "web" / "dist"
    platform.registry.register(_partner(dist, name="pending", navigation=(
        WorkspaceNavEntry("home", {"en": "Home"}, "/x/pending/home"),), widgets=()))
    group = await make_group(platform, "acme", "decentralized")  # onboarding enables it
    tenant, token = group.ids["acme-a"], group.token("a-admin")
    [pending] = [e for e in await _extensions(gql, tenant, token) if e["plugin"] == "pending"]
    assert (pending["available"], pending["moduleUrl"]) == (False, None)
    assert "index.js is missing" in pending["unavailableReason"]
    assert str(tmp_path) not in pending["unavailableReason"]  # no server paths
    assert pending["navigation"][0]["allowed"] is True  # nothing required
    dist.mkdir(parents=True)
    (dist / "index.js").write_text("export function mount() { return () => {}; }\n")
    [built] = [e for e in await _extensions(gql, tenant, token) if e["plugin"] == "pending"]
    assert built["available"] is True and built["moduleUrl"].startswith(
        "/workspace-extensions/pending/index.js?v=")


# --------------------------------------------------------------------------- the file route


async def test_the_module_is_served_as_javascript_with_the_page_headers(platform, gql):
    version = platform.catalog.workspace_module(PARTNER).version()
    plain = await gql.client.get(f"/workspace-extensions/{PARTNER}/notes.js")
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert plain.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in plain.headers["content-security-policy"]
    assert plain.headers["cache-control"] == "no-cache"
    assert "export function mount(" in plain.text
    pinned = await gql.client.get(f"/workspace-extensions/{PARTNER}/notes.js?v={version}")
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = await gql.client.get(f"/workspace-extensions/{PARTNER}/notes.js?v=0000")
    assert stale.headers["cache-control"] == "no-cache"
    assert plain.headers["etag"] == f'"{version}"'
    unchanged = await gql.client.get(f"/workspace-extensions/{PARTNER}/notes.js",
                                     headers={"if-none-match": plain.headers["etag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""


@pytest.mark.parametrize("path", [
    f"{PARTNER}/%2e%2e/hooks.py",
    f"{PARTNER}/..%2fhooks.py",
    f"{PARTNER}/%2e%2e/%2e%2e/ipgov_example_partner/hooks.py",
    f"{PARTNER}/missing.js",
    f"{PARTNER}/.hidden.js",
    "nobody/notes.js",
    "core/index.js",
])
async def test_nothing_outside_a_module_folder_is_served(platform, gql, path):
    response = await gql.client.get(f"/workspace-extensions/{path}")
    assert response.status_code == 404
    assert "import" not in response.text


async def test_a_symlink_leading_out_of_the_module_folder_is_not_followed(platform, gql,
                                                                         tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the browser")
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.js").write_text("export function mount() {}\n")
    (web / "leak.js").symlink_to(secret)
    (web / "inner.js").symlink_to(web / "index.js")  # inside: fine
    platform.registry.register(_partner(web))
    leak = await gql.client.get("/workspace-extensions/partner/leak.js")
    inner = await gql.client.get("/workspace-extensions/partner/inner.js")
    assert leak.status_code == 404 and "not for the browser" not in leak.text
    assert inner.status_code == 200


# --------------------------------------------------------------------------- the modules run

HARNESS = r"""
// Mounts a workspace module with a context v1 whose React renders to a list of texts.
import { pathToFileURL } from "node:url";
const [, , modulePath, argsJson] = process.argv;
const args = JSON.parse(argsJson);
const texts = [], calls = [], effects = [];
let unmounted = 0;
const React = {
  createElement: (type, props, ...children) => ({ type, props: props || {}, children }),
  useState: (init) => [typeof init === "function" ? init() : init, () => {}],
  useEffect: (fn) => { effects.push(fn); }, useCallback: (fn) => fn,
};
const host = (name) => new Proxy({ name }, { get(target, key) {
  if (key in target) return target[key];
  if (key === "useForm") return () => [{ resetFields() {} }];
  if (key === "success" || key === "error") return () => {};
  return host(`${name}.${String(key)}`);
} });
function render(node) {
  if (node === null || node === undefined || typeof node === "boolean") return;
  if (Array.isArray(node)) return node.forEach(render);
  if (typeof node !== "object") return void texts.push(String(node));
  if (typeof node.type === "function") return render(node.type({ ...node.props }));
  for (const key of ["title", "message", "label"]) {
    if (typeof node.props[key] === "string") texts.push(node.props[key]);
  }
  (node.props.columns || []).forEach((c) => texts.push(c.title));
  render(node.children);
}
const context = {
  version: 1, tenant: { id: "t-1", slug: "acme-a", name: "Acme A" },
  user: { email: "a@acme.example", displayName: "A" }, language: args.language,
  permissions: args.permissions,
  can: (r, a) => args.permissions.some((p) => p.resource === r && p.action === a),
  graphql: async (query, variables) => {
    calls.push({ query, variables });
    return { data: { examplePartnerNotes: { edges: [{ node: { id: "n1", title: "First" } }],
                                            pageInfo: { hasNextPage: false } } } };
  },
  navigate: () => {},
  render: (node) => { if (node === null) unmounted += 1; else render(node); },
  libs: { React, antd: host("antd"), ReactDOMClient: { createRoot: () => ({
    render, unmount: () => { unmounted += 1; } }) } },
};
const module = await import(pathToFileURL(modulePath).href);
const unmount = module.mount({}, context, args.target);
for (const effect of effects) await effect();
unmount();
console.log(JSON.stringify({ texts, calls, unmounted }));
"""


def _mount(tmp_path: Path, module: Path, language: str = "en", *,
           permissions: tuple[tuple[str, str], ...] = ((NOTE, "read"),),
           target: dict[str, str] | None = None) -> dict[str, Any]:
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    harness = tmp_path / "harness.mjs"
    harness.write_text(HARNESS, encoding="utf-8")
    args = {"language": language, "target": target,
            "permissions": [{"resource": r, "action": a} for r, a in permissions]}
    result = subprocess.run([node, str(harness), str(module), json.dumps(args)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    mounted: dict[str, Any] = json.loads(result.stdout)
    return mounted


def test_the_partner_notes_page_mounts_with_context_v1(tmp_path):
    notes = build_catalog(new_registry(only=[PARTNER])).workspace_module(PARTNER)
    assert notes is not None
    module = notes.root / notes.extension.entry
    reader = _mount(tmp_path, module, target={"kind": "page", "key": "notes",
                                              "path": "/x/example_partner/notes"})
    assert [c["variables"]["t"] for c in reader["calls"]] == ["t-1"]
    assert "examplePartnerNotes(tenantId: $t" in reader["calls"][0]["query"]
    assert "Notes" in reader["texts"] and "Title" in reader["texts"]
    assert "You may read notes here but not add them." in reader["texts"]
    assert "Save" not in reader["texts"] and reader["unmounted"] == 1
    writer = _mount(tmp_path, module, "zh-CN", permissions=((NOTE, "read"), (NOTE, "create")))
    assert "备注" in writer["texts"] and "保存" in writer["texts"]
    widget = _mount(tmp_path, module, permissions=((NOTE, "create"),),
                    target={"kind": "widget", "key": "quick_note", "slot": "home"})
    assert "Save" in widget["texts"] and widget["calls"] == []


def test_the_guides_module_example_mounts(tmp_path):
    import re

    guide = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text(encoding="utf-8")
    [block] = re.findall(r"^```javascript\n// acme_docket/web/index.js\n(.*?)^```", guide,
                         re.MULTILINE | re.DOTALL)
    module = tmp_path / "index.js"
    module.write_text(block, encoding="utf-8")
    page = _mount(tmp_path, module, target={"kind": "page", "key": "deadlines",
                                            "path": "/x/acme_docket/deadlines"})
    widget = _mount(tmp_path, module, "zh-CN", target={"kind": "widget", "key": "due_soon",
                                                       "slot": "home"})
    assert page["texts"] == ["Deadlines", "Acme A"] and widget["texts"] == ["即将到期", "Acme A"]
