"""The core calls the plugin hooks that shape models, routes, commands and mergers."""

from __future__ import annotations

import types

import click
import httpx
from click.testing import CliRunner
from litestar import get

from ipgov.api import PluginInfo, hookimpl
from ipgov.plugins.manager import PluginRegistry
from ipgov.tenancy import mergers
from tests.conftest import make_group


def _plugin(name: str, **hooks) -> types.ModuleType:
    module = types.ModuleType(f"{name}_hooks")
    module.PLUGIN_INFO = PluginInfo(name=name, version="1", api_version=1)
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, hookimpl(fn))
    return module


def test_register_models_and_register_commands_reach_the_core():
    seen = []

    def register_models():
        seen.append("models")
        return []

    def register_commands(cli):
        @cli.command("hello-partner")
        def hello() -> None:
            click.echo("hello from a plugin command")

    registry = PluginRegistry()
    registry.register(_plugin("partner", register_models=register_models,
                              register_commands=register_commands))
    registry.hook.register_models()
    group = click.Group("ipgov")
    registry.hook.register_commands(cli=group)
    result = CliRunner().invoke(group, ["hello-partner"])
    assert seen == ["models"]
    assert result.output.strip() == "hello from a plugin command"


async def test_register_routes_are_mounted_under_plugins(platform):
    from ipgov.web.app import create_app

    @get("/partner/ping", sync_to_thread=False)
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    def register_routes():
        return [ping]

    platform.registry.register(_plugin("partner", register_routes=register_routes))
    app = create_app(platform)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/plugins/partner/ping")).json() == {"pong": "yes"}
        assert (await client.get("/partner/ping")).status_code == 404


async def test_on_tenant_merged_runs_before_rows_move(platform):
    group = await make_group(platform, "acme")
    calls = []

    async def on_tenant_merged(event):
        from sqlalchemy import func, select

        from ipgov.identity.models import Membership

        still_there = (await event.session.execute(
            select(func.count()).select_from(Membership)
            .where(Membership.tenant_id == event.other_tenant_id))).scalar()
        calls.append((event.tenant_id, event.other_tenant_id, still_there))

    platform.registry.register(_plugin("partner", on_tenant_merged=on_tenant_merged))
    async with platform.db.system_session("t") as s:
        from ipgov.tenancy.models import Tenant

        keep = await s.get(Tenant, group.ids["acme-a"])
        keep.enabled_plugins = [*keep.enabled_plugins, "partner"]
    async with platform.db.system_session("t") as s:
        await mergers.absorb(platform, s, absorbing_id=group.ids["acme-a"],
                             absorbed_id=group.ids["acme-b"], actor="t")
    assert calls == [(group.ids["acme-a"], group.ids["acme-b"], 1)]


async def test_load_demo_data_runs_once_per_plugin_with_tenants_and_users(settings):
    from ipgov.cli.demo import DEMO_GROUP_SLUG, load_demo
    from ipgov.startup import build_platform

    platform = build_platform(settings)
    seen = []

    async def load_demo_data(demo):
        seen.append((demo.tenants[DEMO_GROUP_SLUG], sorted(demo.users)[:1]))

    platform.registry.register(_plugin("partner", load_demo_data=load_demo_data))
    try:
        await platform.authz.load()
        await load_demo(platform, "demo-password-1")
    finally:
        await platform.close()
    assert len(seen) == 1
    assert seen[0][0] and seen[0][1] == ["admin@platform.example"]
