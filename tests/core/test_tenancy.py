"""Tenant scoping in the core: the ORM filter, stamping, onboarding in one transaction."""

from __future__ import annotations

import types

import pytest
from sqlalchemy import func, select, update

from ipgov.api import PluginInfo, hookimpl
from ipgov.audit.models import AuditEvent
from ipgov.authz.models import AuthzRule
from ipgov.db import TenantScopeError
from ipgov.errors import Conflict, InvalidInput, NotFound
from ipgov.identity.models import Membership
from ipgov.tenancy import services
from ipgov.tenancy.models import Tenant
from tests.conftest import make_group


async def test_session_without_scope_refuses_queries(platform):
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from ipgov.db.session import ScopedSession

    factory = async_sessionmaker(platform.db.engine, sync_session_class=ScopedSession)
    async with factory() as session:
        with pytest.raises(TenantScopeError):
            await session.execute(select(Membership))


async def test_tenant_session_sees_only_its_rows(platform):
    group = await make_group(platform, "acme")
    a, b = group.ids["acme-a"], group.ids["acme-b"]
    async with platform.db.tenant_session(a) as s:
        rows = (await s.execute(select(Membership))).scalars().all()
        assert rows and {m.tenant_id for m in rows} == {a}
        b_member = (await s.execute(select(func.count()).select_from(Membership)
                                    .where(Membership.tenant_id == b))).scalar()
        assert b_member == 0
        rules = (await s.execute(select(AuthzRule.tenant_id).distinct())).scalars().all()
        assert rules == [a]
    async with platform.db.system_session("test: find b member") as s:
        b_id = (await s.execute(select(Membership.id).where(Membership.tenant_id == b))
                ).scalars().first()
    async with platform.db.tenant_session(a) as s:
        assert await s.get(Membership, b_id) is None
        result = await s.execute(update(Membership).where(Membership.id == b_id)
                                 .values(role="viewer").execution_options(
                                     synchronize_session=False))
        assert result.rowcount == 0


async def test_insert_is_stamped_and_other_tenant_refused(platform):
    group = await make_group(platform, "acme")
    a, b = group.ids["acme-a"], group.ids["acme-b"]
    async with platform.db.tenant_session(a) as s:
        row = AuthzRule(ptype="p", v0="viewer", v1="ipgov:tenant", v2="read", v3="allow")
        s.add(row)
        await s.flush()
        assert row.tenant_id == a
    with pytest.raises(TenantScopeError):
        async with platform.db.tenant_session(a) as s:
            s.add(AuthzRule(tenant_id=b, ptype="p", v0="x", v1="ipgov:tenant", v2="read",
                            v3="allow"))
            await s.flush()
    async with platform.db.system_session("test") as s:
        assert (await s.execute(select(func.count()).select_from(AuthzRule)
                                .where(AuthzRule.v0 == "x"))).scalar() == 0


async def test_onboarding_creates_everything_in_one_transaction(platform):
    group = await make_group(platform, "acme")
    async with platform.db.system_session("test") as s:
        t = await services.onboard_subsidiary(platform, s, parent_id=group.ids["acme"],
                                              slug="acme-new", name="New", actor="tester")
    async with platform.db.tenant_session(t.id) as s:
        rules = (await s.execute(select(AuthzRule))).scalars().all()
        events = (await s.execute(select(AuditEvent))).scalars().all()
    refs = [r for r in rules if r.ptype == "s"]
    assert [r.origin for r in refs] == ["default"], "the defaults, by one reference"
    held = await platform.authz.rule_set(refs[0].v0)
    assert any(rule[0] == "tenant_admin" for rule in held)
    assert any(r.origin.startswith("group:") for r in rules) is False  # no template yet
    assert [e.action for e in events] == ["tenant.created"]
    assert events[0].actor == "tester"
    assert t.enabled_plugins == sorted(platform.registry.default_enabled())


async def test_failing_plugin_hook_rolls_back_onboarding(platform):
    group = await make_group(platform, "acme")
    broken = types.ModuleType("broken_plugin")
    broken.PLUGIN_INFO = PluginInfo(name="broken", version="1", api_version=1)

    @hookimpl
    def on_tenant_created(event):
        raise RuntimeError("seed failed")

    broken.on_tenant_created = on_tenant_created
    platform.registry.register(broken)
    with pytest.raises(RuntimeError, match="seed failed"):
        async with platform.db.system_session("test") as s:
            await services.onboard_subsidiary(platform, s, parent_id=group.ids["acme"],
                                              slug="acme-broken", name="Broken", actor="t",
                                              plugins=["broken"])
    async with platform.db.system_session("test") as s:
        assert (await s.execute(select(Tenant).where(Tenant.slug == "acme-broken"))
                ).scalar_one_or_none() is None
        orphan_rules = (await s.execute(select(func.count()).select_from(AuthzRule).where(
            AuthzRule.tenant_id.not_in(select(Tenant.id))))).scalar()
        assert orphan_rules == 0


@pytest.mark.parametrize("slug, error, code", [
    ("acme-a", Conflict, "DUPLICATE_SLUG"),
    ("Not Valid!", InvalidInput, "INVALID_INPUT"),
    ("-x", InvalidInput, "INVALID_INPUT"),
])
async def test_bad_onboarding_input_changes_nothing(platform, slug, error, code):
    group = await make_group(platform, "acme")
    async with platform.db.system_session("t") as s:
        before = (await s.execute(select(func.count()).select_from(Tenant))).scalar()
    with pytest.raises(error) as info:
        async with platform.db.system_session("t") as s:
            await services.onboard_subsidiary(platform, s, parent_id=group.ids["acme"],
                                              slug=slug, name="X", actor="t")
    assert info.value.code == code
    async with platform.db.system_session("t") as s:
        assert (await s.execute(select(func.count()).select_from(Tenant))).scalar() == before


async def test_unknown_parent_is_not_found(platform):
    with pytest.raises(NotFound) as info:
        async with platform.db.system_session("t") as s:
            await services.onboard_subsidiary(platform, s, parent_id="nope", slug="x",
                                              name="X", actor="t")
    assert info.value.code == "TENANT_NOT_FOUND"


async def test_suspend_and_archive_keep_data_and_block_writes(platform, gql):
    group = await make_group(platform, "acme")
    a = group.ids["acme-a"]
    async with platform.db.tenant_session(a) as s:
        members_before = (await s.execute(select(func.count()).select_from(Membership))).scalar()
    for status in ("suspended", "archived"):
        async with platform.db.system_session("t") as s:
            await services.set_status(platform, s, tenant_id=a, status=status, actor="t")
        await platform.authz.refresh()
        async with platform.db.tenant_session(a) as s:
            assert (await s.execute(select(func.count()).select_from(Membership))
                    ).scalar() == members_before
        read = await gql("query($t: ID!) { members(tenantId: $t) { edges { node { role } } } }",
                         {"t": a}, token=group.token("a-admin"))
        assert len(read["data"]["members"]["edges"]) == members_before
        write = await gql('mutation($t: ID!) { addMember(tenantId: $t, email: "n@x.example", '
                          'role: "viewer") { errors { code } } }', {"t": a},
                          token=group.token("a-admin"))
        assert write["data"] is None
        assert write["errors"][0]["extensions"]["code"] == "TENANT_INACTIVE"
