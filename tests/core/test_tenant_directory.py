"""The tenant directory (walks of the tree, entitlement) and the governance modes' behaviour."""

from __future__ import annotations

import pytest

from ipgov.api import GovernanceMode, TenantInfo
from ipgov.tenancy import services
from ipgov.tenancy.directory import TenantDirectory
from ipgov.tenancy.models import PLATFORM_TENANT_ID
from tests.conftest import make_group


def _info(tid: str, parent: str | None, root: str, mode: str = "hybrid") -> TenantInfo:
    return TenantInfo(tid, f"s-{tid}", parent, root, mode, "active", frozenset())


@pytest.fixture
def tree() -> TenantDirectory:
    """g -> (a -> (a1, a2), b); h alone; ``alice`` may read in a and h."""
    where = {("alice", "x:thing", "read"): {"a", "h", "gone"}}
    infos = [_info("g", None, "g"), _info("a", "g", "g"), _info("b", "g", "g"),
             _info("a1", "a", "g"), _info("a2", "a", "g"), _info("h", None, "h")]
    return TenantDirectory(infos, tenants_where=lambda s, o, a: where.get((s, o, a), set()))


def test_walks_up_and_down(tree: TenantDirectory) -> None:
    assert [t.id for t in tree.lineage("a1")] == ["a1", "a", "g"]
    assert [t.id for t in tree.ancestors("a1")] == ["a", "g"]
    assert tree.root("a2").id == "g" and tree.root("h").id == "h"
    assert tree.parent("g") is None and tree.parent("a").id == "g"
    assert [t.id for t in tree.children("a")] == ["a1", "a2"]
    assert [t.id for t in tree.descendants("g")] == ["a", "a1", "a2", "b"]
    assert tree.subtree(["a", "nobody"]) == {"a", "a1", "a2"}
    assert tree.is_within("a2", "g") and tree.is_within("a", "a") and not tree.is_within("b", "a")
    assert tree.lineage("nobody") == [] and tree.root("nobody") is None


def test_entitlement_and_subtrees(tree: TenantDirectory) -> None:
    assert tree.entitled("alice", "x:thing", "read") == {"a", "h"}  # unknown ids dropped
    assert tree.entitled("alice", "x:thing", "read", subtrees=True) == {"a", "a1", "a2", "h"}
    assert tree.entitled("bob", "x:thing", "read") == frozenset()


def test_changes_drop_the_cached_child_index(tree: TenantDirectory) -> None:
    assert [t.id for t in tree.children("b")] == []
    tree.add([_info("b1", "b", "g")])
    assert [t.id for t in tree.children("b")] == ["b1"]
    tree.replace([_info("g", None, "g")])
    assert tree.children("a") == [] and len(tree) == 1


async def test_the_platform_directory_follows_the_policy_change_log(platform):
    acme = await make_group(platform, "acme", "hybrid")
    directory = platform.authz.directory
    group = acme.ids["acme"]
    assert {t.slug for t in directory.descendants(group)} == {"acme-a", "acme-b", "acme-c"}
    async with platform.db.system_session("test: one more subsidiary") as s:
        deeper = await services.onboard_subsidiary(platform, s, parent_id=acme.ids["acme-a"],
                                                   slug="acme-a1", name="a1", actor="t")
    assert directory.info(deeper.id) is None  # not yet: another process's write
    await platform.authz.refresh()  # what the watcher does on its next poll
    assert [t.id for t in directory.ancestors(deeper.id)] == [acme.ids["acme-a"], group]
    assert deeper.id in {t.id for t in directory.descendants(group)}
    admin = acme.users["admin"]
    assert directory.entitled(admin, "ipgov:tenant", "read", subtrees=True) >= {
        group, acme.ids["acme-a"], deeper.id}
    assert PLATFORM_TENANT_ID not in directory.tenants()


@pytest.mark.parametrize(("mode", "imposes", "local", "tightens", "owns", "group_only"), [
    ("centralized", True, False, False, False, True),
    ("hybrid", True, True, True, False, False),
    ("decentralized", False, True, False, True, False),
])
def test_each_mode_says_what_it_implies(mode, imposes, local, tightens, owns, group_only):
    m = GovernanceMode(mode)
    assert (m.imposes_baseline, m.group_roles_act_below, m.escalates_to_group) == (imposes,) * 3
    assert (m.local_rules_count, m.only_tightens, m.owns_settings, m.group_changes_rules) == (
        local, tightens, owns, group_only)


def test_reserved_decisions_and_roots():
    reserved = ["risk_appetite"]
    assert GovernanceMode.CENTRALIZED.group_decides("anything", reserved)
    assert GovernanceMode.HYBRID.group_decides("risk_appetite", reserved)
    assert not GovernanceMode.HYBRID.group_decides("anything", reserved)
    assert not GovernanceMode.DECENTRALIZED.group_decides("risk_appetite", reserved)
    assert GovernanceMode.governing(None).owns_settings  # a root answers for itself
    assert GovernanceMode.governing("centralized") is GovernanceMode.CENTRALIZED
