"""Two processes on one database: a policy change made by one is enforced by the other."""

from __future__ import annotations

import asyncio

from ipgov.identity.service import add_membership
from ipgov.startup import build_platform
from tests.conftest import make_group


async def test_change_in_one_process_reaches_another_within_a_second(platform, settings):
    group = await make_group(platform, "acme")
    other = build_platform(settings)
    await other.authz.start()
    try:
        a, user = group.ids["acme-b"], group.users["a-viewer"]
        assert not other.authz.enforce(user, a, "ipgov:member", "read")
        async with platform.db.system_session("t") as s:
            await add_membership(platform, s, tenant_id=a, user_id=user, role="tenant_admin",
                                 actor="t")
        for _ in range(40):
            if other.authz.enforce(user, a, "ipgov:member", "read"):
                break
            await asyncio.sleep(0.025)
        assert other.authz.enforce(user, a, "ipgov:member", "read")
        cold = build_platform(settings)
        await cold.authz.load()
        assert cold.authz.enforce(user, a, "ipgov:member", "read")
        assert cold.authz.version == other.authz.version
        await cold.close()
    finally:
        await other.close()


async def test_onboarding_extends_the_tree_incrementally_with_the_same_decisions(platform):
    """A process following changes adds a new subsidiary as a leaf (no full tree rebuild) and
    then decides exactly as a cold process that loads everything."""
    from ipgov.authz.service import AuthzService
    from ipgov.tenancy import services
    from tests.conftest import make_group

    acme = await make_group(platform, "acme", "hybrid")
    globex = await make_group(platform, "globex", "centralized")
    calls = []
    original = platform.authz._tree

    async def counting_tree(session):
        calls.append(1)
        return await original(session)

    platform.authz._tree = counting_tree
    async with platform.db.system_session("test: onboard") as s:
        new_a = await services.onboard_subsidiary(platform, s, parent_id=acme.ids["acme-a"],
                                                  slug="acme-a1", name="A1", actor="test")
        new_g = await services.onboard_subsidiary(platform, s, parent_id=globex.ids["globex"],
                                                  slug="globex-d", name="D", actor="test")
    assert await platform.authz.refresh() > 0
    assert calls == []  # leaves only: no full re-read of the tenants
    assert platform.authz.tenant_info(new_a.id).parent_id == acme.ids["acme-a"]
    cold = AuthzService(platform)
    await cold.load()
    users = list(acme.users.values()) + list(globex.users.values())
    tenants = [*acme.ids.values(), *globex.ids.values(), new_a.id, new_g.id]
    checks = [("ipgov:tenant", "read"), ("ipgov:policy", "update"), ("ipgov:review", "request"),
              ("ipgov:tenant", "merge")]
    for user in users:
        for tenant in tenants:
            for obj, act in checks:
                assert platform.authz.enforce(user, tenant, obj, act) == \
                    cold.enforce(user, tenant, obj, act), (user, tenant, obj, act)
    assert platform.authz.engine.tree.cascade_chain(new_g.id) == \
        cold.engine.tree.cascade_chain(new_g.id)
