"""Rule sets through the platform: whatever tenants, modes, plugins and removed defaults a
group has, the decisions of the running process (following the change log) and of a cold
start equal those of the same rules materialised (every set rule copied into each tenant that
references it), for every subject, tenant and declared permission."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from ipgov.authz import store
from ipgov.authz.engine import Authorizer
from ipgov.authz.models import AuthzRule, AuthzRuleSet, PolicyChange
from ipgov.authz.roles import ROLES, TENANT_ROLES
from ipgov.authz.service import AuthzService
from ipgov.identity.service import add_membership, create_user
from ipgov.tenancy import enablement, services

MODES = ["centralized", "hybrid", "decentralized"]


async def _materialised(platform) -> list[tuple[str, ...]]:
    """Every active rule, each referenced set copied into its tenants."""
    async with platform.db.system_session("test: materialise") as s:
        rows = (await s.execute(select(
            AuthzRule.ptype, AuthzRule.v0, AuthzRule.v1, AuthzRule.v2, AuthzRule.v3,
            AuthzRule.tenant_id).where(AuthzRule.active.is_(True)))).all()
        sets = await store.read_rule_sets(s, {r[1] for r in rows if r[0] == "s"})
    out: list[tuple[str, ...]] = []
    for ptype, v0, v1, v2, v3, dom in rows:
        if ptype == "p":
            out.append(("p", v0, dom, v1, v2, v3))
        elif ptype == "g":
            out.append(("g", v0, v1, dom))
        else:
            out += [("p", sub, dom, obj, act, eft) for sub, obj, act, eft in sets[v0]]
    return out


async def _scenario(platform, rng: random.Random, prefix: str) -> list[str]:
    """A group in a random mode, subsidiaries with random plugins, members, local rules,
    removed defaults, plugins enabled later and a mode switch; returns the user ids."""
    plugins = platform.registry.default_enabled()
    users: list[str] = []
    async with platform.db.system_session("test: scenario") as s:
        group = await services.create_group(platform, s, slug=prefix, name=prefix,
                                            governance_mode=rng.choice(MODES), actor="t")
        tenants = [group.id]
        for n in range(3):
            chosen = sorted(rng.sample(plugins, rng.randint(0, len(plugins))))
            t = await services.onboard_subsidiary(platform, s, parent_id=group.id,
                                                  slug=f"{prefix}-{n}", name=f"{n}",
                                                  actor="t", plugins=chosen,
                                                  governance_mode=rng.choice(MODES))
            tenants.append(t.id)
        for n, tenant in enumerate(tenants):
            user = await create_user(s, email=f"u{n}@{prefix}.example", display_name=f"u{n}")
            users.append(user.id)
            await add_membership(platform, s, tenant_id=tenant, user_id=user.id,
                                 role=rng.choice(TENANT_ROLES), actor="t")
    await platform.authz.refresh()
    for tenant in rng.sample(tenants, 2):  # removed defaults: copy-on-write of their set
        rules = await _set_rules_of(platform, tenant)
        for rule_id in rng.sample(rules, min(3, len(rules))):
            async with platform.db.system_session("test: remove a default") as s:
                await services.remove_policy(platform, s, tenant_id=tenant, rule_id=rule_id,
                                             actor="t", acting_from_group=True)
    perms = sorted(platform.authz.declared)
    async with platform.db.system_session("test: local rules and a baseline") as s:
        for tenant in tenants:
            obj, act = rng.choice(perms)
            await services.add_policy(
                platform, s, tenant_id=tenant, actor="t", acting_from_group=True,
                apply_to_subsidiaries=tenant == group.id and rng.random() < 0.5,
                rule=store.PolicyRule(rng.choice(TENANT_ROLES), obj, act,
                                      rng.choice(["allow", "deny"])))
    async with platform.db.system_session("test: a plugin later") as s:
        await enablement.enable_plugin(platform, s, tenant_id=rng.choice(tenants[1:]),
                                       plugin=rng.choice(plugins), actor="t",
                                       acting_from_group=True)
    async with platform.db.system_session("test: mode switch") as s:
        await services.change_governance_mode(platform, s, tenant_id=group.id,
                                              mode=rng.choice(MODES), actor="t")
    await platform.authz.refresh()
    return users


async def _set_rules_of(platform, tenant_id: str) -> list[str]:
    """The ids (``<reference>:<key>``) of the rules a tenant holds through rule sets."""
    async with platform.db.system_session("test: refs") as s:
        refs = (await s.execute(select(AuthzRule).where(
            AuthzRule.tenant_id == tenant_id, AuthzRule.ptype == "s"))).scalars().all()
        sets = await store.read_rule_sets(s, [r.v0 for r in refs])
    return [f"{r.id}:{store.rule_key(rule)}" for r in refs for rule in sets[r.v0]]


@pytest.mark.parametrize("seed", [1, 2])
async def test_decisions_equal_the_materialised_rules(platform, seed):
    rng = random.Random(seed)
    users = await _scenario(platform, rng, f"g{seed}")
    cold = AuthzService(platform)
    await cold.load()
    reference = Authorizer()
    reference.load(await _materialised(platform), cold.engine.tree)
    tenants = sorted(cold.directory)
    subjects = [*users, *ROLES]
    checked = 0
    for dom in tenants:
        for sub in subjects:
            for obj, act in platform.authz.declared:
                want = reference.enforce(sub, dom, obj, act)
                assert platform.authz.engine.enforce(sub, dom, obj, act) == want, \
                    ("following the log", sub, dom, obj, act)
                assert cold.engine.enforce(sub, dom, obj, act) == want, \
                    ("cold start", sub, dom, obj, act)
                checked += 1
    assert checked > 1000


async def test_tenants_with_the_same_defaults_share_one_set(platform):
    async with platform.db.system_session("test: group") as s:
        group = await services.create_group(platform, s, slug="acme", name="Acme",
                                            governance_mode="hybrid", actor="t")
        for n in range(5):
            await services.onboard_subsidiary(platform, s, parent_id=group.id,
                                              slug=f"acme-{n}", name=f"{n}", actor="t")
    async with platform.db.system_session("test: count") as s:
        refs = (await s.execute(select(func.count()).select_from(AuthzRule).where(
            AuthzRule.ptype == "s", AuthzRule.origin == "default"))).scalar_one()
        rows = (await s.execute(select(func.count()).select_from(AuthzRule).where(
            AuthzRule.ptype == "p", AuthzRule.origin == "default"))).scalar_one()
        sets = (await s.execute(select(func.count()).select_from(AuthzRuleSet))).scalar_one()
        logged = (await s.execute(select(PolicyChange.op, func.count()).group_by(
            PolicyChange.op))).all()
    assert rows == 0, "no default grant is copied into a tenant"
    assert refs == 7, "platform, group and 5 subsidiaries hold one reference each"
    assert sets == 2, "the platform's grants and the tenants' defaults, each stored once"
    assert dict(logged)["attach"] == 7


async def _stored(platform) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    """Every active p/g rule, sets materialised, and every (tenant, set id) reference."""
    async with platform.db.system_session("test: references") as s:
        refs = sorted((await s.execute(select(AuthzRule.tenant_id, AuthzRule.v0).where(
            AuthzRule.ptype == "s"))).all())
    return sorted(await _materialised(platform)), [tuple(r) for r in refs]


async def test_the_migration_turns_default_rows_into_references_and_back(platform):
    """0019_rule_sets down (references copied back into rows, as before rule sets) and up
    (those rows become references again): the same rules and the same sets."""
    if platform.db.dialect != "sqlite":
        pytest.skip("the round trip runs on the SQLite file; PostgreSQL runs it in migrate")
    import asyncio

    from alembic import command

    from ipgov.db.migrate import alembic_config

    rng = random.Random(7)
    await _scenario(platform, rng, "mig")
    rules, refs = await _stored(platform)
    locations = [str(p) for p in platform.registry.hook.register_migrations() if p]
    cfg = alembic_config(platform.settings.sqlalchemy_url, locations)
    await platform.db.dispose()
    await asyncio.to_thread(command.downgrade, cfg, "0018_slo_step_up")
    async with platform.db.system_session("test: rows") as s:
        kinds = dict((await s.execute(select(AuthzRule.ptype, func.count()).group_by(
            AuthzRule.ptype))).all())
    assert "s" not in kinds, "no reference is left"
    assert sorted(await _materialised(platform)) == rules, "the same rules, as rows"
    await platform.db.dispose()
    await asyncio.to_thread(command.upgrade, cfg, "heads")
    again_rules, again_refs = await _stored(platform)
    assert again_rules == rules
    assert {t for t, _ in again_refs} == {t for t, _ in refs}
    assert len(again_refs) == len({t for t, _ in again_refs}), "one reference per tenant"
