"""``ipgov``: serve the API, migrate, manage tenants and users, load the demo, verify audit."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import select

from ipgov.audit.rewitness import rewitness
from ipgov.audit.verify import verify_snapshot
from ipgov.db import TenantScope
from ipgov.identity.models import User
from ipgov.identity.service import add_membership, create_user
from ipgov.plugins.manager import PluginLoadError, PluginRegistry, installed_by
from ipgov.reviews.reading import score_lines
from ipgov.reviews.service import request_review
from ipgov.runtime import Platform
from ipgov.startup import build_platform, new_registry
from ipgov.tenancy import services
from ipgov.tenancy.models import Tenant
from ipgov.tenancy.modes import GovernanceMode

from .common import (
    async_command,
    echo_rows,
    fail,
    migrate_platform,
    progress,
    run_with_platform,
    settings,
    tenant_id_of,
    tree_rows,
)
from .demo import load_demo
from .plugins import plugin
from .service_accounts import service_account

MODES = [m.value for m in GovernanceMode]

__all__ = ["main"]

# Imports inside the commands below are the heavy ones a command alone needs (the GraphQL
# schema, the web application, the broker and worker machinery: ~1.4 s together here), so that
# ``ipgov --help`` and the other commands do not pay for them. They close no import circle (the
# command line is the top layer; pyproject.toml's import-linter contracts check it).


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """ipgov: multi-tenant intellectual-property governance.

    Configuration comes from IPGOV_* environment variables (see docs/operations.md); with
    none set, data lives in ./.ipgov-data (SQLite).
    """


@main.command()
@click.option("--app-role", default=None,
              help="PostgreSQL: create (needs CREATEROLE) and grant the non-owner role that "
                   "requests and workers connect as, under row-level security.")
@click.option("--system-role", default=None,
              help="PostgreSQL: create (needs CREATEROLE) and grant the role of system "
                   "sessions (IPGOV_SYSTEM_DATABASE_URL): every tenant, no schema rights.")
def migrate(app_role: str | None, system_role: str | None) -> None:
    """Upgrade the database schema (core and every plugin branch) to the newest revision.

    On PostgreSQL also roles, privileges and row-level security, one table at a time under a
    lock timeout (IPGOV_MIGRATE_LOCK_TIMEOUT_SECONDS) with retries; see docs/operations.md.
    """

    platform = build_platform(settings())
    progress(f"migrating {platform.db.dialect} database ...")
    migrate_platform(platform, app_role=app_role, system_role=system_role)
    progress("schema is up to date")


@main.command()
@click.option("--host", default=None, help="Interface to listen on (IPGOV_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (IPGOV_PORT).")
@click.option("--no-migrate", is_flag=True, help="Do not upgrade the schema first.")
@click.option("--processes", default=None, type=click.IntRange(1, 64),
              help="Server processes sharing the port (IPGOV_WEB_PROCESSES; default 1).")
def serve(host: str | None, port: int | None, no_migrate: bool, processes: int | None) -> None:
    """Run the API server (GraphQL at /graphql, probes at /healthz and /readyz)."""
    import uvicorn

    from ipgov.web.app import create_app


    cfg = settings()
    platform = build_platform(cfg)
    if not no_migrate:
        migrate_platform(platform)
    host, port = host or cfg.host, port or cfg.port
    processes = processes or cfg.web_processes
    options: dict[str, Any] = {
        "host": host, "port": port, "log_level": cfg.log_level.lower(),
        "timeout_graceful_shutdown": 20,
        # a WebSocket message (a subscription document) is bounded like a request body
        "ws_max_size": cfg.max_request_bytes, "ws_ping_interval": 20.0}
    progress(f"ipgov listening on http://{host}:{port}{cfg.graphql_path}"
             + (f" ({processes} processes)" if processes > 1 else ""))
    if processes > 1:  # each process builds its own platform (ipgov.web.factory)
        import asyncio

        asyncio.run(platform.close())
        uvicorn.run("ipgov.web.factory:app_from_environment", factory=True,
                    workers=processes, **options)
        return
    uvicorn.run(create_app(platform), **options)


@main.group()
def tenant() -> None:
    """Create, list and change tenants (groups and subsidiaries)."""


@tenant.command("list")
@async_command
async def tenant_list(platform: Platform) -> None:
    """List every tenant as a tree."""

    async with platform.db.system_session("cli: tenant list") as session:
        rows = list((await session.execute(select(Tenant))).scalars())
    echo_rows([(label, t.kind, t.governance_mode, t.status, t.id)
               for label, t in tree_rows(rows)], ("slug", "kind", "mode", "status", "id"))


@tenant.command("create-group")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--mode", type=click.Choice(MODES),
              default="hybrid", show_default=True)
@async_command
async def tenant_create_group(platform: Platform, slug: str, name: str, mode: str) -> None:
    """Create a corporate group (a root tenant)."""

    async with platform.db.system_session("cli: create group") as session:
        t = await services.create_group(platform, session, slug=slug, name=name,
                                        governance_mode=mode, actor="cli")
    click.echo(f"{t.slug}  {t.id}")


@tenant.command("onboard")
@click.argument("parent")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--mode", type=click.Choice(MODES),
              default=None, help="How the new tenant governs its own subsidiaries.")
@click.option("--plugins", default=None, metavar="NAMES",
              help="Comma-separated plugins to enable ('' for none); default: the parent's.")
@async_command
async def tenant_onboard(platform: Platform, parent: str, slug: str, name: str,
                         mode: str | None, plugins: str | None) -> None:
    """Onboard subsidiary SLUG under PARENT (slug or id) in one transaction."""

    parent_id = await tenant_id_of(platform, parent)
    chosen = None if plugins is None else [p.strip() for p in plugins.split(",") if p.strip()]
    async with platform.db.system_session("cli: onboard") as session:
        t = await services.onboard_subsidiary(platform, session, parent_id=parent_id, slug=slug,
                                              name=name, governance_mode=mode, actor="cli",
                                              plugins=chosen)
    click.echo(t.id)


@tenant.command("set-mode")
@click.argument("ref")
@click.argument("mode", type=click.Choice(MODES))
@click.option("--preview", is_flag=True, help="Show who would gain and lose what; change "
              "nothing.")
@async_command
async def tenant_set_mode(platform: Platform, ref: str, mode: str, preview: bool) -> None:
    """Change how tenant REF governs its subsidiaries; prints who gains and loses what."""

    tid = await tenant_id_of(platform, ref)
    if preview:
        effect = await services.preview_governance_mode(platform, tenant_id=tid, mode=mode)
    else:
        async with platform.db.system_session("cli: set mode") as session:
            effect = await services.change_governance_mode(platform, session, tenant_id=tid,
                                                           mode=mode, actor="cli")
    for line in effect.lines():
        click.echo(line)
    if preview:
        click.echo("(preview: nothing was changed)")


@tenant.command("set-status")
@click.argument("ref")
@click.argument("status", type=click.Choice(["active", "suspended", "archived"]))
@async_command
async def tenant_set_status(platform: Platform, ref: str, status: str) -> None:
    """Suspend, archive or reactivate tenant REF; its data is kept."""

    tid = await tenant_id_of(platform, ref)
    async with platform.db.system_session("cli: set status") as session:
        await services.set_status(platform, session, tenant_id=tid, status=status, actor="cli")
    click.echo(f"{ref}: {status}")


@main.group()
def user() -> None:
    """Create users, give them roles, issue tokens."""


@user.command("create")
@click.argument("email")
@click.option("--name", default=None)
@click.option("--password", default=None, help="Omit for users who sign in through OIDC.")
@async_command
async def user_create(platform: Platform, email: str, name: str | None,
                      password: str | None) -> None:
    """Create a user."""

    async with platform.db.system_session("cli: create user") as session:
        u = await create_user(session, email=email, display_name=name or email,
                              password=password)
    click.echo(f"{u.email}  {u.id}")


@user.command("grant")
@click.argument("email")
@click.argument("tenant_ref")
@click.argument("role")
@async_command
async def user_grant(platform: Platform, email: str, tenant_ref: str, role: str) -> None:
    """Give user EMAIL the ROLE in tenant TENANT_REF ("platform" for platform roles)."""

    tid = await tenant_id_of(platform, tenant_ref)
    async with platform.db.system_session("cli: grant") as session:
        u = (await session.execute(select(User).where(User.email == email.lower()))
             ).scalar_one_or_none()
        if u is None:
            fail(f"no user with email {email}")
        await add_membership(platform, session, tenant_id=tid, user_id=u.id, role=role,
                             actor="cli")
    click.echo(f"{email} is {role} in {tenant_ref}")


@user.command("token")
@click.argument("email")
@async_command
async def user_token(platform: Platform, email: str) -> None:
    """Print a bearer token for user EMAIL (for scripts and API exploration)."""

    async with platform.db.system_session("cli: token") as session:
        u = (await session.execute(select(User).where(User.email == email.lower()))
             ).scalar_one_or_none()
    if u is None:
        fail(f"no user with email {email}")
    click.echo(platform.tokens.issuer.issue(u.id).token)


main.add_command(plugin)


@main.group()
def audit() -> None:
    """The hash-chained audit trail."""


@audit.command("verify")
@click.option("--tenant", "tenant_ref", default=None,
              help="One tenant (slug or id); all if omitted.")
@async_command
async def audit_verify(platform: Platform, tenant_ref: str | None) -> None:
    """Verify audit chains in one snapshot, against the witness kept outside the database;
    exit 1 and name the first bad event when tampering is found."""

    if tenant_ref:
        ids = [await tenant_id_of(platform, tenant_ref)]
    else:
        async with platform.db.system_session("cli: audit verify (tenants)") as session:
            ids = list((await session.execute(select(Tenant.id).order_by(Tenant.slug))).scalars())
    results = await verify_snapshot(platform, ids, TenantScope.system("cli: audit verify"))
    bad = 0
    for tid in ids:
        r = results[tid]
        if r.ok:
            witnessed = (f"witnessed up to seq {r.witnessed_seq}" if r.witnessed_seq
                         else "not witnessed yet: a rolled-back tail cannot be excluded")
            click.echo(f"ok       {tid}  {r.events} events, {witnessed}")
        else:
            bad += 1
            click.echo(f"TAMPERED {tid}  first bad event seq={r.first_bad_seq} "
                       f"id={r.first_bad_id}: {r.problem}")
    if bad:
        fail(f"{bad} of {len(ids)} audit chains failed verification")


@audit.command("rewitness")
@click.argument("tenant_ref")
@click.option("--yes", is_flag=True, help="Accept the loss the witness reports.")
@click.option("--reason", required=True, help="Why (e.g. 'restored the 2026-11-25 backup').")
@async_command
async def audit_rewitness(platform: Platform, tenant_ref: str, yes: bool, reason: str) -> None:
    """After restoring a backup, accept that TENANT_REF's chain ends before its witness.

    Restoring a backup rolls the tail back, which the witness rightly reports. This records
    the accepted loss as an event of the chain (who, why, which sequence numbers) and moves
    the witness back to the chain's new head.
    """

    tid = await tenant_id_of(platform, tenant_ref)
    outcome = await rewitness(platform, tid, reason=reason, apply=yes)
    click.echo(outcome.message)
    if not outcome.done and outcome.needed:
        fail("nothing changed: run again with --yes to accept this")


@main.command()
@click.option("--password", default="ipgov-demo-2026", show_default=True,
              help="Password given to every demo user.")
def demo(password: str) -> None:
    """Load the demo: a corporate group with subsidiaries in different governance situations."""

    run_with_platform(lambda p: load_demo(p, password), migrate=True)




@main.command()
@click.option("--token-env", default="IPGOV_TOKEN", show_default=True,
              help="The environment variable holding the caller's API key or access token.")
def mcp(token_env: str) -> None:
    """Serve the AI-assistant tools over stdio (Model Context Protocol), as one caller.

    The caller is the API key (``ipgov_...``, of a service account or a person) or access
    token in $IPGOV_TOKEN; every tool call is authorized, tenant-scoped, rate-limited and
    audited as that caller, marked as done through an assistant. See docs/assistant.md.
    """
    import os

    from ipgov.assistant.stdio import serve_stdio
    from ipgov.graphql.schema import build_schema
    from ipgov.web.ratelimit import TenantRateLimit, assistant_limit

    credential = os.environ.get(token_env, "").strip()
    if not credential:
        fail(f"set {token_env} to an API key or access token (ipgov service-account key "
             "create, or ipgov user token)")
    cfg = settings()

    async def body(platform: Platform) -> None:
        schema = build_schema(cfg, platform.registry,
                              operation_limits=[lambda: TenantRateLimit(cfg)])
        await platform.authz.start()  # follows policy changes while the assistant runs
        try:
            await serve_stdio(platform, schema, credential, assistant_limit(platform, cfg))
        finally:
            await platform.authz.stop()

    run_with_platform(body, load_authz=False)


@main.command("graphql-schema")
@click.option("--plugins", default=None,
              help="Comma-separated plugins to include ('' for all installed; default: the "
                   "plugins the ipgov distribution ships).")
def graphql_schema(plugins: str | None) -> None:
    """Print the GraphQL SDL (the committed schema.graphql is this with the default plugins)."""
    from ipgov.graphql.schema import build_schema


    chosen = installed_by("ipgov") if plugins is None else [p for p in plugins.split(",") if p]
    click.echo(build_schema(settings(), new_registry(only=chosen or None)).as_str())


@main.command()
@click.option("--processes", default=2, show_default=True, help="Worker processes.")
@click.option("--threads", default=4, show_default=True, help="Threads per process.")
@click.option("--shutdown-timeout", default=60, show_default=True,
              help="Seconds running reviews and jobs may take to finish after SIGTERM.")
@click.option("--prefetch", default=0, show_default=True,
              help="Messages each process fetches ahead (0: Dramatiq's 2 x threads); raise it "
                   "for many short messages (docs/performance.md, broker throughput).")
def worker(processes: int, threads: int, shutdown_timeout: int, prefetch: int) -> None:
    """Run review workers (Dramatiq) on the broker in IPGOV_BROKER_URL (Redis or RabbitMQ).

    Without a broker URL the API server runs its workers itself and this is not needed.
    The platform and its plugins are imported once here, before Dramatiq forks the worker
    processes, so each starts with them in memory (a worker is ready in about a second).
    """
    import sys

    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    from ipgov.work.kinds import core_kinds
    from ipgov.work.worker import preload

    cfg = settings()
    if not cfg.broker_url:
        fail("IPGOV_BROKER_URL is not set: the embedded default runs workers inside "
             "`ipgov serve`; set a redis:// or amqp:// URL for separate workers")
    preload(cfg)
    if prefetch > 0:  # read by each forked process's Worker (dramatiq reads its env at import)
        import dramatiq.worker

        dramatiq.worker.QUEUE_PREFETCH = prefetch
    queues = [kind.queue_name for kind in core_kinds()]  # every kind of work
    args = ["ipgov.work.entry", "--processes", str(processes), "--threads", str(threads),
            "--queues", *queues, "--worker-shutdown-timeout",
            str(shutdown_timeout * 1000)]
    progress(f"starting {processes}x{threads} workers (reviews and plugin jobs)")
    sys.exit(dramatiq_main(make_argument_parser().parse_args(args)))


@main.command()
@click.option("--every", default=30.0, show_default=True, help="Seconds between passes.")
@click.option("--once", is_flag=True, help="One pass, then exit (cron, tests).")
def scheduler(every: float, once: bool) -> None:
    """Enqueue scheduled reviews and periodic jobs once per period, record time-driven
    events (directives due soon, overdue) and resend work whose worker died."""

    async def body(platform: Platform) -> None:
        from ipgov.reviews.scheduler import scheduler_loop, scheduler_pass
        from ipgov.work.worker import attach_broker

        attach_broker(platform)
        if once:
            created = await scheduler_pass(platform)
            click.echo(f"scheduled {created} review(s)")
            return
        await scheduler_loop(platform, every)

    run_with_platform(body)


@main.group()
def review() -> None:
    """Governance reviews."""


@review.command("run")
@click.argument("tenant_ref")
@click.option("--group", "as_group", is_flag=True, help="The tenant and every one below it.")
@async_command
async def review_run(platform: Platform, tenant_ref: str, as_group: bool) -> None:
    """Review TENANT_REF now, in this process, and print the scores."""
    from ipgov.reviews.inline import run_inline


    tid = await tenant_id_of(platform, tenant_ref)
    run = await run_inline(platform, tid, group=as_group, progress=progress)
    click.echo(f"{run.status}: overall {run.scores.get('overall')}")

    for line in score_lines(run.scores):  # each score with what it rests on
        click.echo(f"  {line}")


@review.command("request")
@click.argument("tenant_ref")
@click.option("--group", "as_group", is_flag=True, help="The tenant and every one below it.")
@async_command
async def review_request(platform: Platform, tenant_ref: str, as_group: bool) -> None:
    """Queue a review of TENANT_REF for the workers; prints the run id."""
    from ipgov.work.worker import attach_broker

    attach_broker(platform)
    tid = await tenant_id_of(platform, tenant_ref)
    run = await request_review(platform, tenant_id=tid, actor="cli",
                               kind="group" if as_group else "tenant")
    click.echo(run.id)


def _core_command_groups() -> None:
    """Command groups that live in their own modules."""

    main.add_command(service_account)


_core_command_groups()


def _plugin_commands() -> None:
    """Let installed plugins add their commands (``register_commands``)."""

    registry = PluginRegistry()
    try:
        registry.load_entry_points()
    except PluginLoadError as exc:
        click.echo(f"warning: {exc}", err=True)
        return
    registry.hook.register_commands(cli=main)


_plugin_commands()

if __name__ == "__main__":
    main()
