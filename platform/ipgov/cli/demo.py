"""The demo: Hanwei Technology Group and its subsidiaries, each in a different situation.

- HQ governs in *hybrid* mode: a mandatory baseline (contributors may not register IP assets
  themselves: the IP department does),
  reserved decisions escalate; subsidiaries add local grants.
- Hanwei Semiconductor and Hanwei Medical Devices sit under HQ (hybrid).
- Hanwei Software is a sub-holding that governs its own subsidiary Hanwei Cloud *decentralized*.
- Hanwei Europe GmbH sits under Hanwei Industrial (a *centralized* sub-holding).
- Northstar Robotics is a separate group, acquired later (parallel reporting candidate).
Every user's password is the one given to ``ipgov demo``.
"""

from __future__ import annotations

import click
from sqlalchemy import select

from ipgov.authz.store import PolicyRule
from ipgov.identity.models import User
from ipgov.identity.service import add_membership, create_user
from ipgov.jobs.service import job_kinds, run_job_inline
from ipgov.plugins.contracts import DemoContext
from ipgov.plugins.manager import call_and_await
from ipgov.runtime import Platform
from ipgov.tenancy import services
from ipgov.tenancy.models import PLATFORM_TENANT_ID, Tenant
from ipgov.tenancy.services import ensure_platform_tenant

from .common import progress

__all__ = ["load_demo", "DEMO_GROUP_SLUG"]

DEMO_GROUP_SLUG = "hanwei-group"

SUBSIDIARIES = [
    # slug, parent slug, name, mode for its own subsidiaries
    ("hanwei-semiconductor", DEMO_GROUP_SLUG, "Hanwei Semiconductor Co., Ltd.", "hybrid"),
    ("hanwei-medical", DEMO_GROUP_SLUG, "Hanwei Medical Devices Co., Ltd.", "hybrid"),
    ("hanwei-software", DEMO_GROUP_SLUG, "Hanwei Software Holding", "decentralized"),
    ("hanwei-cloud", "hanwei-software", "Hanwei Cloud Services", "hybrid"),
    ("hanwei-industrial", DEMO_GROUP_SLUG, "Hanwei Industrial Holding", "centralized"),
    ("hanwei-europe", "hanwei-industrial", "Hanwei Europe GmbH", "hybrid"),
]

USERS = [
    # email, name, tenant slug, role
    ("admin@platform.example", "Platform Administrator", "platform", "platform_admin"),
    ("auditor@platform.example", "Platform Auditor", "platform", "platform_auditor"),
    ("li.wei@hanwei.example", "Li Wei (Group IP Director)", DEMO_GROUP_SLUG, "group_admin"),
    ("chen.jing@hanwei.example", "Chen Jing (Internal Supervision)", DEMO_GROUP_SLUG, "auditor"),
    ("wang.fang@hanwei.example", "Wang Fang (Semiconductor IP Manager)", "hanwei-semiconductor",
     "tenant_admin"),
    ("zhao.lei@hanwei.example", "Zhao Lei (Semiconductor Engineer)", "hanwei-semiconductor",
     "contributor"),
    ("sun.mei@hanwei.example", "Sun Mei (Medical IP Manager)", "hanwei-medical", "ip_manager"),
    ("liu.yang@hanwei.example", "Liu Yang (Software IP Lead)", "hanwei-software", "tenant_admin"),
    ("zhou.qiang@hanwei.example", "Zhou Qiang (Cloud Admin)", "hanwei-cloud", "tenant_admin"),
    ("anna.schmidt@hanwei.example", "Anna Schmidt (Europe Reviewer)", "hanwei-europe",
     "reviewer"),
    ("maria.lopez@northstar.example", "Maria Lopez (Northstar IP Head)", "northstar-robotics",
     "group_admin"),
]


async def _by_slug(platform: Platform) -> dict[str, str]:
    async with platform.db.system_session("demo: slugs") as session:
        return dict((await session.execute(select(Tenant.slug, Tenant.id))).all())


async def load_demo(platform: Platform, password: str) -> None:
    """Create the demo tenants, baseline policies and users (skips what already exists)."""

    async with platform.db.system_session("demo: platform") as session:
        await ensure_platform_tenant(platform, session)
    slugs = await _by_slug(platform)
    if DEMO_GROUP_SLUG in slugs:
        progress(f"demo group {DEMO_GROUP_SLUG} already loaded; nothing to do")
        return
    progress("demo: creating Hanwei Technology Group (hybrid) ...")
    async with platform.db.system_session("demo: tenants") as session:
        group = await services.create_group(
            platform, session, slug=DEMO_GROUP_SLUG, name="Hanwei Technology Group",
            governance_mode="hybrid", actor="demo", locale="zh-CN")
        ids = {DEMO_GROUP_SLUG: group.id}
        for i, (slug, parent, name, mode) in enumerate(SUBSIDIARIES, 1):
            progress(f"demo: [{i}/{len(SUBSIDIARIES)}] onboarding {slug} under {parent}")
            t = await services.onboard_subsidiary(platform, session, parent_id=ids[parent],
                                                  slug=slug, name=name, governance_mode=mode,
                                                  actor="demo")
            ids[slug] = t.id
        north = await services.create_group(
            platform, session, slug="northstar-robotics", name="Northstar Robotics Inc.",
            governance_mode="centralized", actor="demo")
        ids["northstar-robotics"] = north.id
        await services.onboard_subsidiary(platform, session, parent_id=north.id,
                                          slug="northstar-labs", name="Northstar Labs",
                                          actor="demo")
    ids["platform"] = PLATFORM_TENANT_ID
    users = await _users(platform, ids, password)
    await platform.authz.refresh()  # plugins' demo data may ask about the new tenants
    await _plugin_demo_data(platform, ids, users)
    await _periodic_jobs(platform, ids)
    click.echo(f"demo loaded: {len(ids) - 1} tenants, {len(USERS)} users "
               f"(password: {password!r}); try: li.wei@hanwei.example")


async def _periodic_jobs(platform: Platform, ids: dict[str, str]) -> None:
    """Run each plugin's periodic jobs once for every demo tenant, as the scheduler's first
    day would (inventory syncs, quality scores, sweeps see every plugin's demo data)."""

    periodic = sorted((name, plugin, kind) for name, (plugin, kind) in job_kinds(platform).items()
                      if kind.every)
    for name, plugin, kind in periodic:
        progress(f"demo: job {name}")
        for slug, tenant_id in sorted(ids.items()):
            info = platform.authz.tenant_info(tenant_id)
            if info is None or plugin not in info.enabled_plugins or info.status != "active":
                continue
            job = await run_job_inline(platform, tenant_id=tenant_id, kind=name,
                                       params=kind.params, actor="demo")
            if job.status != "succeeded":
                progress(f"demo: job {name} for {slug}: {job.status} {job.failure or ''}")


async def _plugin_demo_data(platform: Platform, ids: dict[str, str],
                            users: dict[str, str]) -> None:
    """Each plugin adds its demo data (``load_demo_data``), in one transaction."""

    for name in platform.registry.names():
        progress(f"demo: data of plugin {name}")
        async with platform.db.system_session(f"demo: {name} data") as session:
            demo = DemoContext(session=session, tenants=dict(ids), users=dict(users),
                               data_dir=str(platform.settings.data_dir), platform=platform)
            hook = platform.registry.hook_for("load_demo_data", [name])
            await call_and_await(hook(demo=demo))
            for slug, role, obj, action, effect in demo.baselines:
                await services.add_policy(
                    platform, session, tenant_id=ids[slug],
                    rule=PolicyRule(role, obj, action, effect), actor="demo",
                    apply_to_subsidiaries=True)
        if demo.baselines:
            await platform.authz.refresh()


async def _users(platform: Platform, ids: dict[str, str], password: str) -> dict[str, str]:
    """Create the demo users with their roles; returns user ids by email."""
    created: dict[str, str] = {}
    async with platform.db.system_session("demo: users") as session:
        for i, (email, name, slug, role) in enumerate(USERS, 1):
            progress(f"demo: [{i}/{len(USERS)}] user {email} as {role} in {slug}")
            user = (await session.execute(select(User).where(User.email == email))
                    ).scalar_one_or_none()
            if user is None:
                user = await create_user(session, email=email, display_name=name,
                                         password=password)
            await add_membership(platform, session, tenant_id=ids[slug], user_id=user.id,
                                 role=role, actor="demo")
            created[email] = user.id
    return created
