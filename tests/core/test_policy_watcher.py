"""Two processes on one database: a policy change made by one is enforced by the other."""

from __future__ import annotations

import asyncio

from ipgov.identity.service import add_membership
from ipgov.runtime import build_platform
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
