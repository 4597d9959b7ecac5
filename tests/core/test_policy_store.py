"""The policy store and the engines agree when stored rules repeat each other."""

from __future__ import annotations

from sqlalchemy import select

from ipgov.authz import store
from ipgov.authz.models import AuthzRule
from ipgov.authz.service import AuthzService
from ipgov.authz.store import PolicyRule
from ipgov.tenancy import services
from tests.conftest import make_group


async def test_removing_a_rule_that_repeats_a_default_keeps_the_default(platform):
    """A local allow equal to a default grant is one rule in the engine: removing the local
    row must not take the default away (a cold reload, as in another process, would give it
    back, so two processes would decide differently)."""
    g = await make_group(platform, "acme", "decentralized")
    a, viewer = g.ids["acme-a"], g.users["a-viewer"]
    assert platform.authz.enforce(viewer, a, "ipgov:tenant", "read")
    async with platform.db.system_session("t: twin") as s:
        row = await services.add_policy(platform, s, tenant_id=a, actor="test",
                                        rule=PolicyRule("viewer", "ipgov:tenant", "read"))
    await platform.authz.refresh()
    async with platform.db.system_session("t: remove twin") as s:
        await services.remove_policy(platform, s, tenant_id=a, rule_id=row.id, actor="test")
    await platform.authz.refresh()
    cold = AuthzService(platform)
    await cold.load()
    assert cold.enforce(viewer, a, "ipgov:tenant", "read")
    assert platform.authz.enforce(viewer, a, "ipgov:tenant", "read")
    async with platform.db.system_session("t: rows") as s:
        left = (await s.execute(select(AuthzRule.origin).where(
            AuthzRule.tenant_id == a, AuthzRule.v0 == "viewer", AuthzRule.v1 == "ipgov:tenant",
            AuthzRule.v2 == "read"))).scalars().all()
        held = await store.default_grants_held(s, a)
    assert left == [], "the local row went"
    assert ("viewer", "ipgov:tenant", "read") in held, "the default stays, in its rule set"
