"""``ipgov plugin``: installed plugins, enabling them per tenant, their migrations."""

from __future__ import annotations

import click

from ipgov.db.migrate import alembic_config
from ipgov.plugins.manager import PluginRegistry
from ipgov.plugins.revisions import write_revision
from ipgov.runtime import Platform
from ipgov.startup import build_platform
from ipgov.tenancy import enablement

from .common import async_command, echo_rows, fail, migrate_platform, settings, tenant_id_of

__all__ = ["plugin"]


@click.group()
def plugin() -> None:
    """Installed plugins."""


def _plugin_change(enable: bool) -> click.Command:
    """``ipgov plugin enable|disable TENANT PLUGIN`` (the same rules as GraphQL)."""
    verb = "enable" if enable else "disable"

    @click.argument("tenant_ref", metavar="TENANT")
    @click.argument("name", metavar="PLUGIN")
    @click.option("--subsidiaries", is_flag=True,
                  help="Also the tenant's baseline: in effect in every centrally or hybrid "
                  "governed tenant below it.")
    @async_command
    async def change(platform: Platform, tenant_ref: str, name: str, subsidiaries: bool) -> None:


        tid = await tenant_id_of(platform, tenant_ref)
        action = enablement.enable_plugin if enable else enablement.disable_plugin
        async with platform.db.system_session(f"cli: plugin {verb}") as session:
            result = await action(platform, session, tenant_id=tid, plugin=name, actor="cli",
                                  apply_to_subsidiaries=subsidiaries, acting_from_group=True)
        click.echo(f"{name} {verb}d for {tenant_ref}")
        for label, per_tenant in (("enabled in", result.enabled),
                                  ("disabled in", result.disabled),
                                  ("provisioned in", result.provisioned)):
            if per_tenant:
                click.echo(f"  {label}: {', '.join(sorted(per_tenant))}")

    change.__doc__ = (f"{verb.capitalize()} PLUGIN for TENANT (slug or id): "
                      + ("grants its default roles and seeds it the first time; audited."
                         if enable else "its data and policies are kept; audited."))
    return plugin.command(verb)(change)


_plugin_change(True)
_plugin_change(False)


@plugin.command("revision")
@click.argument("name", metavar="PLUGIN")
@click.option("-m", "--message", required=True, help="What the revision changes.")
def plugin_revision(name: str, message: str) -> None:
    """Autogenerate PLUGIN's next Alembic revision from its models (into its versions/).

    The database in IPGOV_DATABASE_URL is upgraded to every head first; only the plugin's own
    tables are compared. Review the file before committing it.
    """
    from pathlib import Path


    platform = build_platform(settings())
    if name not in platform.registry.plugins:
        fail(f"no plugin named {name!r} is loaded (see `ipgov plugin list`)")
    versions = [p for p in platform.registry.hook_for("register_migrations", [name])() if p]
    if not versions:
        fail(f"plugin {name} has no register_migrations hook: return its versions directory")
    migrate_platform(platform)
    locations = [str(p) for p in platform.registry.hook.register_migrations() if p]
    cfg = alembic_config(platform.settings.sqlalchemy_url, locations)
    script = write_revision(cfg, platform.registry, name, Path(versions[0]), message)
    click.echo(script.path if script is not None else "no revision written")


@plugin.command("list")
def plugin_list() -> None:
    """List installed plugins with their versions and plugin API."""

    registry = PluginRegistry()
    registry.load_entry_points()
    echo_rows([(p.info.name, p.info.version, p.info.api_version, p.info.description)
               for _n, p in sorted(registry.plugins.items())],
              ("name", "version", "api", "description"))
