"""The example partner plugin, written from the documented API alone, works with no core change.

``examples/ipgov-example-partner`` is a separate distribution: a table with its own Alembic
branch, a paginated connection, a mutation that reports every field error at once, an audited
write, a review check, provisioning when it is enabled for a tenant that exists already, and
rows that move (and clash) when one tenant absorbs another. It is loaded like any installed
plugin; when it is not installed, ``tests/contract/conftest.py`` builds it into a temporary
directory on ``sys.path`` instead of installing it into the environment.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import strawberry
from sqlalchemy import select

from ipgov.api import API_VERSION, GraphQLContribution, PluginInfo, hookimpl, utcnow
from ipgov.graphql.schema import SchemaCompositionError, build_schema
from ipgov.plugins.manager import ENTRY_POINT_GROUP, PluginLoadError, PluginRegistry
from ipgov.settings import Settings
from tests.conftest import make_group
from tests.contract.isolated import EXAMPLE, install_isolated

PLUGIN = "example_partner"
NOTE = "example_partner:note"
CREATE = """mutation($t: ID!, $title: String!, $body: String!, $due: Date) {
  createExamplePartnerNote(tenantId: $t, input: {title: $title, body: $body, dueOn: $due}) {
    note { id title dueOn } errors { code field message } } }"""
NOTES = """query($t: ID!, $first: Int!, $after: String) {
  examplePartnerNotes(tenantId: $t, first: $first, after: $after) {
    edges { node { title } } pageInfo { hasNextPage endCursor } } }"""
ABSORB = """mutation($k: ID!, $g: ID!) { absorbTenant(absorbingId: $k, absorbedId: $g) {
  tenant { slug } errors { code message field } } }"""


@pytest.fixture
def registry() -> PluginRegistry:
    """A fresh registry with every installed plugin, the example partner included."""
    fresh = PluginRegistry()
    fresh.load_entry_points()
    return fresh


def _hooks(platform) -> ModuleType:
    return platform.registry.plugins[PLUGIN].module


async def _note(gql, tenant_id: str, token: str, title: str, body: str = "", due=None):
    data = await gql(CREATE, {"t": tenant_id, "title": title, "body": body, "due": due},
                     token=token)
    return data["data"]["createExamplePartnerNote"]


# --------------------------------------------------------------------------- packaging


def test_isolated_build_ships_the_migrations_and_leaves_the_environment_alone(tmp_path):
    def installed() -> str:
        return subprocess.run([sys.executable, "-m", "pip", "list", "--format=json"],
                              capture_output=True, text=True, check=True).stdout

    before = json.loads(installed())
    target = install_isolated(EXAMPLE, tmp_path / "site")
    assert json.loads(installed()) == before
    assert (target / "ipgov_example_partner" / "migrations" / "versions"
            / "example_partner_0001.py").is_file()
    assert (target / "ipgov_example_partner" / "web" / "notes.js").is_file()  # its screens
    assert not list(EXAMPLE.rglob("*.egg-info")) and not (EXAMPLE / "build").exists()
    probe = ("import importlib.metadata as m; [ep] = [e for e in m.entry_points("
             f"group={ENTRY_POINT_GROUP!r}) if e.name == {PLUGIN!r}]; "
             "print(ep.load().__file__)")
    env = {**os.environ, "PYTHONPATH": str(target)}
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=env, check=True, timeout=120).stdout.strip()
    assert Path(loaded).is_relative_to(target)


def test_entry_point_lists_the_plugin(registry: PluginRegistry) -> None:
    names = {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert PLUGIN in names and PLUGIN in registry.names()
    assert registry.plugins[PLUGIN].info.api_version == API_VERSION


def test_schema_has_the_partner_fields(registry: PluginRegistry) -> None:
    sdl = build_schema(Settings(), registry).as_str()
    assert "examplePartnerGreeting(tenantId: ID!): String!" in sdl
    assert ("examplePartnerNotes(tenantId: ID!, first: Int! = 20, after: String = null): "
            "ExampleNoteConnection!") in sdl
    assert ("createExamplePartnerNote(tenantId: ID!, input: ExampleNoteInput!): "
            "ExampleNotePayload!") in sdl


def test_permission_and_role_grants(registry: PluginRegistry) -> None:
    declared = dict(registry.results_by_plugin("register_permissions"))[PLUGIN]
    assert [(p.object, p.actions) for p in declared] == [(NOTE, ("read", "create"))]
    [mine] = registry.hook_for("register_role_grants", [PLUGIN])()
    for role in ("viewer", "auditor", "reviewer", "contributor"):
        assert sorted(mine[role]) == [(NOTE, "read")]
    for role in ("tenant_admin", "group_admin", "ip_manager"):
        assert sorted(mine[role]) == [(NOTE, "create"), (NOTE, "read")]


def test_autogenerate_finds_nothing_the_migration_lacks(platform, tmp_path):
    import shutil

    from ipgov.db.migrate import alembic_config
    from ipgov.plugins.revisions import write_revision

    [mine] = platform.registry.hook_for("register_migrations", [PLUGIN])()
    copy = tmp_path / "versions"
    shutil.copytree(mine, copy)
    locations = [p for p in platform.registry.hook.register_migrations() if p and p != mine]
    cfg = alembic_config(platform.settings.sqlalchemy_url, [*locations, str(copy)])
    script = write_revision(cfg, platform.registry, PLUGIN, copy, "nothing new")
    text = Path(script.path).read_text()
    assert "op." not in text.split("def upgrade")[1], text
    assert f"down_revision: str | Sequence[str] | None = '{PLUGIN}_0001'" in text


# --------------------------------------------------------------------------- GraphQL


async def test_connection_pages_through_notes(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    sub, token = g.ids["acme-a"], g.token("a-admin")
    for title in ("gamma", "alpha", "beta"):
        assert (await _note(gql, sub, token, title))["errors"] == []
    first = (await gql(NOTES, {"t": sub, "first": 2}, token=token))["data"]["examplePartnerNotes"]
    assert [e["node"]["title"] for e in first["edges"]] == ["alpha", "beta"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await gql(NOTES, {"t": sub, "first": 2, "after": first["pageInfo"]["endCursor"]},
                      token=token))["data"]["examplePartnerNotes"]
    assert [e["node"]["title"] for e in rest["edges"]] == ["gamma"]
    assert rest["pageInfo"]["hasNextPage"] is False
    # another subsidiary sees none of them; an oversized page is a clear error
    other = await gql(NOTES, {"t": g.ids["acme-b"], "first": 5}, token=g.token("admin"))
    assert other["data"]["examplePartnerNotes"]["edges"] == []
    big = await gql(NOTES, {"t": sub, "first": 100_000}, token=token)
    assert big["errors"][0]["extensions"]["code"] == "PAGE_SIZE"


async def test_mutation_reports_every_field_error_at_once(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    sub, token = g.ids["acme-a"], g.token("a-admin")
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    payload = await _note(gql, sub, token, "  ", "x" * 5001, yesterday)
    assert payload["note"] is None
    assert sorted(e["field"] for e in payload["errors"]) == ["body", "dueOn", "title"]
    assert all(e["code"] == "INVALID_INPUT" and e["message"] for e in payload["errors"])
    assert (await gql(NOTES, {"t": sub, "first": 5}, token=token))["data"][
        "examplePartnerNotes"]["edges"] == []
    assert (await _note(gql, sub, token, "once"))["errors"] == []
    again = await _note(gql, sub, token, "once")
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("DUPLICATE_TITLE", "title")]
    # a viewer may read but not write
    refused = await gql.post(CREATE, {"t": sub, "title": "x", "body": ""},
                             token=g.token("a-viewer"))
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_write_is_audited_in_the_tenants_chain(platform, gql):
    from ipgov.audit.models import AuditEvent
    from ipgov.audit.verify import verify_tenant

    g = await make_group(platform, "acme", "hybrid")
    sub = g.ids["acme-a"]
    created = await _note(gql, sub, g.token("a-admin"), "file the response")
    async with platform.db.system_session("test: audit") as s:
        [event] = (await s.execute(select(AuditEvent).where(
            AuditEvent.tenant_id == sub, AuditEvent.action == "example_partner.note.created")
        )).scalars()
        verified = await verify_tenant(s, platform.audit_key, sub)
    assert (event.object_type, event.object_id) == (NOTE, created["note"]["id"])
    assert event.actor == g.users["a-admin"] and event.details["title"] == "file the response"
    assert verified.ok


async def test_record_audit_refuses_a_malformed_event(platform):
    from ipgov.api import record_audit

    g = await make_group(platform, "acme", "hybrid")
    async with platform.db.tenant_session(g.ids["acme-a"]) as s:
        with pytest.raises(ValueError, match="must start with 'example_partner'"):
            await record_audit(platform, s, tenant_id=g.ids["acme-a"], actor="t",
                               action="ipgov.tenant.deleted", object_type=NOTE)


# --------------------------------------------------------------------------- review check


async def test_check_finds_overdue_notes(platform):
    from ipgov.reviews.inline import run_inline
    from ipgov.reviews.models import Finding

    g = await make_group(platform, "acme", "hybrid")
    sub = g.ids["acme-a"]
    models = sys.modules["ipgov_example_partner.models"]
    async with platform.db.tenant_session(sub) as s:
        s.add(models.ExampleNote(title="late", due_on=utcnow().date() - timedelta(days=3),
                                 created_by="test"))
    run = await run_inline(platform, sub, actor="test")
    async with platform.db.tenant_session(sub) as s:
        [finding] = (await s.execute(select(Finding).where(
            Finding.run_id == run.id, Finding.check_id == "example_partner.overdue_notes")
        )).scalars()
    assert finding.evidence == {"overdue": 1, "reminder_days": 30}
    assert finding.seed_ref == "GB/T 29490-2023 9.1"


# --------------------------------------------------------------------------- enablement


async def test_enabled_for_an_existing_demo_tenant(platform, gql, settings):
    from ipgov.cli.demo import load_demo
    from ipgov.startup import build_platform

    if platform.db.dialect != "sqlite":
        pytest.skip("the demo story runs once, on the embedded default")
    first_party = build_platform(settings, plugins=["ip_governance", "patent_search",
                                                    "data_governance"])
    try:
        await first_party.authz.load()
        await load_demo(first_party, "pw-demo-2026")
    finally:
        await first_party.close()
    await platform.authz.load()
    by_slug = {i.slug: i.id for i in platform.authz.directory.values()}
    semi = by_slug["hanwei-semiconductor"]
    assert PLUGIN not in platform.authz.tenant_info(semi).enabled_plugins
    login = await gql('mutation { login(email: "wang.fang@hanwei.example", '
                      'password: "pw-demo-2026") { token } }')
    token = login["data"]["login"]["token"]
    refused = await gql.post(NOTES, {"t": semi, "first": 5}, token=token)
    assert refused.json()["errors"][0]["extensions"]["code"] in {"PLUGIN_DISABLED", "FORBIDDEN"}
    env = {**os.environ, "IPGOV_DATA_DIR": str(settings.data_dir),
           "IPGOV_DATABASE_URL": settings.database_url,
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    # in a thread: the event loop must keep running (the policy watcher's transactions end)
    cli = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "ipgov.cli.main", "plugin", "enable",
                         "hanwei-semiconductor", PLUGIN], capture_output=True, text=True,
        env=env, timeout=300, check=False)
    assert cli.returncode == 0, cli.stderr
    assert "provisioned in: hanwei-semiconductor" in cli.stdout
    await platform.authz.refresh()
    assert (await _note(gql, semi, token, "renew the EP annuity"))["errors"] == []
    models = sys.modules["ipgov_example_partner.models"]
    async with platform.db.tenant_session(semi) as s:
        seeded = (await s.execute(select(models.ExampleSettings))).scalars().all()
    assert [r.reminder_days for r in seeded] == [30]  # on_tenant_created ran on enabling
    # the other demo tenants still do not have it
    medical = by_slug["hanwei-medical"]
    assert PLUGIN not in platform.authz.tenant_info(medical).enabled_plugins


# --------------------------------------------------------------------------- absorption


async def test_absorption_moves_notes_and_resolves_the_settings_clash(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    keep, gone, admin = g.ids["acme-a"], g.ids["acme-b"], g.token("admin")
    await _note(gql, keep, admin, "shared title")
    await _note(gql, gone, admin, "shared title")
    await _note(gql, gone, admin, "only in b")
    done = await gql(ABSORB, {"k": keep, "g": gone}, token=admin)
    assert done["data"]["absorbTenant"]["errors"] == []
    await platform.authz.refresh()
    page = await gql(NOTES, {"t": keep, "first": 10}, token=admin)
    titles = [e["node"]["title"] for e in page["data"]["examplePartnerNotes"]["edges"]]
    assert titles == ["only in b", "shared title", f"shared title (from {gone[:8]})"]
    models = sys.modules["ipgov_example_partner.models"]
    async with platform.db.system_session("test: settings") as s:
        rows = (await s.execute(select(models.ExampleSettings.tenant_id).where(
            models.ExampleSettings.tenant_id.in_([keep, gone])))).scalars().all()
    assert rows == [keep]


def _without_merge_hook(module: ModuleType) -> ModuleType:
    """The example's hooks module minus ``on_tenant_merged``: a plugin that forgot it."""
    copy = ModuleType(module.__name__)
    for name, value in vars(module).items():
        if name != "on_tenant_merged" and not name.startswith("__"):
            setattr(copy, name, value)
    return copy


async def test_an_unresolved_clash_is_a_clear_error_naming_the_plugin(platform, gql):
    g = await make_group(platform, "acme", "hybrid")
    keep, gone, admin = g.ids["acme-a"], g.ids["acme-b"], g.token("admin")
    await _note(gql, gone, admin, "kept safe")
    original = _hooks(platform)
    platform.registry.pm.unregister(name=PLUGIN)
    del platform.registry.plugins[PLUGIN]
    platform.registry.register(_without_merge_hook(original))
    data = await gql(ABSORB, {"k": keep, "g": gone}, token=admin)
    [error] = data["data"]["absorbTenant"]["errors"]
    assert error["code"] == "ABSORPTION_CLASH" and error["field"] == "absorbedId"
    assert "example_partner" in error["message"]
    assert "example_partner_settings" in error["message"]
    zh = await gql.post(ABSORB, {"k": keep, "g": gone}, token=admin,
                        headers={"accept-language": "zh-CN"})
    [error_zh] = zh.json()["data"]["absorbTenant"]["errors"]
    assert "插件 example_partner" in error_zh["message"]
    assert "example_partner_settings" in error_zh["message"]
    await platform.authz.refresh()
    assert platform.authz.tenant_info(gone).status == "active"  # nothing changed
    page = await gql(NOTES, {"t": gone, "first": 5}, token=admin)
    assert [e["node"]["title"] for e in page["data"]["examplePartnerNotes"]["edges"]] == [
        "kept safe"]


# --------------------------------------------------------------------------- composition


def _fake_plugin(name: str, api_version: int = API_VERSION, **hooks: Any) -> ModuleType:
    module = ModuleType(f"fake_{name}_hooks")
    module.PLUGIN_INFO = PluginInfo(name=name, version="0.0.1", api_version=api_version)
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, hookimpl(fn))
    return module


def test_duplicate_root_field_fails_composition(registry: PluginRegistry) -> None:
    @strawberry.type
    class ClashingQuery:
        @strawberry.field
        def example_partner_greeting(self, tenant_id: strawberry.ID) -> str:
            return "clash"

    def register_graphql_types() -> GraphQLContribution:
        return GraphQLContribution(query=[ClashingQuery])

    registry.register(_fake_plugin("zz_clash", register_graphql_types=register_graphql_types))
    with pytest.raises(SchemaCompositionError, match=r"example_partner.*zz_clash"):
        build_schema(Settings(), registry)


def test_wrong_api_version_fails_to_register() -> None:
    fresh = PluginRegistry()
    with pytest.raises(PluginLoadError, match=rf"needs plugin API 99.*provides API {API_VERSION}"):
        fresh.register(_fake_plugin("from_the_future", api_version=99))
    assert "from_the_future" not in fresh.names()


def test_the_partner_imports_nothing_of_ipgov_but_the_public_module() -> None:
    import ast

    private = []
    for path in sorted((EXAMPLE / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            private += [f"{path.name}: {n}" for n in names
                        if n.startswith("ipgov") and n != "ipgov.api"
                        and not n.startswith("ipgov_example_partner")]
    assert not private, private


# --------------------------------------------------------------------------- typed context


async def test_the_partner_reads_its_declared_setting_through_the_context(platform, gql):
    assert platform.plugin_settings(PLUGIN).max_notes == 10_000  # the declared default
    platform.plugin_config.replace(PLUGIN, max_notes=1)
    g = await make_group(platform, "acme", "hybrid")
    sub, token = g.ids["acme-a"], g.token("a-admin")
    assert (await _note(gql, sub, token, "first"))["errors"] == []
    full = await _note(gql, sub, token, "second")
    assert [(e["code"], e["field"]) for e in full["errors"]] == [("NOTE_LIMIT", "title")]
    assert (await _note(gql, g.ids["acme-b"], g.token("b-admin"), "b's first"))["errors"] == []


def test_a_bad_partner_setting_stops_start_up_naming_it(tmp_path):
    from ipgov.api import PluginSettingError
    from ipgov.startup import build_platform

    bad = Settings(data_dir=tmp_path, extra={"IPGOV_EXAMPLE_PARTNER_MAX_NOTES": "0"})
    with pytest.raises(PluginSettingError, match=r"plugin example_partner, setting max_notes "
                                                 r"\(IPGOV_EXAMPLE_PARTNER_MAX_NOTES\)"):
        build_platform(bad)


async def test_the_partner_lists_its_notes_through_a_hook_typed_with_the_context(platform,
                                                                               gql):
    from ipgov.api import list_ip_objects

    g = await make_group(platform, "acme", "hybrid")
    sub = g.ids["acme-a"]
    created = await _note(gql, sub, g.token("a-admin"), "renew the EP annuity")
    found = [o for o in await list_ip_objects(platform, sub) if o.plugin == PLUGIN]
    assert [(o.id, o.kind, o.title) for o in found] == [
        (created["note"]["id"], "other", "renew the EP annuity")]
    assert not [o for o in await list_ip_objects(platform, g.ids["acme-b"])
                if o.plugin == PLUGIN]


def test_the_partner_annotates_the_platform_with_the_context_type() -> None:
    import ast

    untyped = []
    for path in sorted((EXAMPLE / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.arg) and node.arg == "platform" and (
                    node.annotation is None
                    or ast.unparse(node.annotation) != "PlatformContext"):
                untyped.append(f"{path.name}:{node.lineno}")
    assert not untyped, untyped
    hooks = (EXAMPLE / "src" / "ipgov_example_partner" / "hooks.py").read_text()
    assert "def register_settings" in hooks and "platform: PlatformContext" in hooks
