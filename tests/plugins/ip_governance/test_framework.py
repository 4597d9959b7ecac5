"""The framework area: the IP-CSF catalog and its loader, profiles per governance mode, gap
analysis, review checks, demo data, and the tenant boundary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ip_governance.framework import checks as fw_checks
from ip_governance.framework.catalog import (
    FrameworkFormatError,
    Problem,
    builtin_frameworks,
    parse_framework,
)
from ip_governance.framework.models import LoadedFramework, Profile, ProfileEntry
from ipgov.db.base import utcnow
from tests.conftest import make_group

SET = """mutation($t: ID!, $k: ProfileKind!, $e: [ProfileTierInput!]!) {
  setProfileTiers(tenantId: $t, kind: $k, entries: $e) {
    profile { kind entries { outcomeId tier source ownTier groupTier sourceTenantId } }
    errors { code field message } } }"""
PROFILE = """query($t: ID!, $k: ProfileKind!) { profile(tenantId: $t, kind: $k) {
  assessedAt entries { outcomeId tier source ownTier groupTier sourceTenantId note } } }"""
GAPS = """query($t: ID!, $first: Int!, $after: String) {
  gapAnalysis(tenantId: $t, first: $first, after: $after) {
    edges { cursor node { outcomeId current target gap weight priority } }
    pageInfo { hasNextPage endCursor } } }"""
LOAD = """mutation($t: ID!, $y: String!) { loadFramework(tenantId: $t, yaml: $y) {
  framework { id version builtIn outcomeCount functions { id categories { id outcomes { id } } } }
  errors { code field message } } }"""

EXTENSION = """format: ipgov-framework/1
id: acme-ip-csf
version: "1.1"
extends: ip-csf
functions:
  - id: PR
    categories:
      - id: PR.TS
        outcomes:
          - id: PR.TS-05
            title: {en: "Clean-room procedures protect recipes.", zh: "净室程序保护配方。"}
            domain: resources
            priority: high
            mappings: {gbt-29490-2023: ["8.4"]}
      - id: PR.OS
        title: {en: "Open source", zh: "开源"}
        outcomes:
          - id: PR.OS-01
            title: {en: "Outbound open source is approved.", zh: "对外开源经审批。"}
            domain: management_systems
            priority: low
"""

BROKEN = """format: ipgov-framework/2
id: Bad Id
version: "1"
title: {en: "Broken", zh: ""}
functions:
  - id: GV
    function: governance
    title: {en: "Govern", zh: "治理"}
    categories:
      - id: GV.OC
        title: {en: "Context", zh: "环境"}
        outcomes:
          - id: GV.OC-01
            title: {en: "x", zh: "x"}
            domain: top_level
            priority: urgent
            mappings: {iso-9999: ["1"]}
            colour: red
          - id: GV.OC-01
            title: {en: "y", zh: "y"}
            domain: resources
            priority: low
"""


def _entries(body: dict, field: str = "profile") -> dict[str, dict]:
    root = body["data"][field]
    root = root["profile"] if field == "setProfileTiers" else root
    return {e["outcomeId"]: e for e in root["entries"]}


async def _count(platform, model, tenant_id: str) -> int:
    async with platform.db.system_session("test: count") as s:
        return (await s.execute(select(func.count()).select_from(model).where(
            model.tenant_id == tenant_id))).scalar_one()


async def _set(gql, group, user, slug, kind, entries):
    return await gql(SET, {"t": group.ids[slug], "k": kind, "e": entries},
                     token=group.token(user))


def _tiers(**tiers: int) -> list[dict]:
    return [{"outcomeId": k.replace("_", ".", 1).replace("_", "-"), "tier": v}
            for k, v in tiers.items()]


# ------------------------------------------------------------------------------ catalog


def test_builtin_catalog_has_seven_functions_and_bilingual_outcomes():
    fw = builtin_frameworks()["ip-csf"]
    functions = [f["function"] for f in fw.doc["functions"]]
    assert functions == ["govern", "identify", "protect", "operate", "monitor", "respond",
                         "recover"]
    categories = [c for f in fw.doc["functions"] for c in f["categories"]]
    assert len(categories) >= 40
    assert all(2 <= len(c["outcomes"]) <= 4 for c in categories)
    for wanted in ("GV.SC", "ID.AM", "PR.TS", "OP.LC", "MO.CI", "RS.IN", "RC.RP"):
        assert wanted in {c["id"] for c in categories}
    for _, _, outcome in fw.outcomes.values():
        assert outcome["title"]["en"] and outcome["title"]["zh"]
        assert outcome["domain"] in {"top_level_design", "management_systems", "resources"}
        for ref, keys in outcome["mappings"].items():
            assert all(fw.outline(ref, k) for k in keys)
    assert {o[2]["domain"] for o in fw.outcomes.values()} == {
        "top_level_design", "management_systems", "resources"}


def test_malformed_file_lists_every_problem_with_line_and_field():
    with pytest.raises(FrameworkFormatError) as caught:
        parse_framework(BROKEN, "broken.yaml")
    problems = {(p.line, p.field) for p in caught.value.problems}
    assert (1, "format") in problems
    assert (2, "id") in problems
    assert (4, "title.zh") in problems
    assert (7, "functions[0].function") in problems
    base = "functions[0].categories[0].outcomes"
    assert (15, f"{base}[0].domain") in problems
    assert (16, f"{base}[0].priority") in problems
    assert (17, f"{base}[0].mappings.iso-9999") in problems
    assert (18, f"{base}[0].colour") in problems
    assert (19, f"{base}[1].id") in problems  # GV.OC-01 used twice
    message = str(caught.value)
    assert "broken.yaml:15: functions[0].categories[0].outcomes[0].domain" in message


def test_yaml_syntax_error_reports_its_line():
    with pytest.raises(FrameworkFormatError) as caught:
        parse_framework("format: ipgov-framework/1\nid: [unclosed\nversion: 1\n", "s.yaml")
    assert caught.value.problems[0].line in (2, 3, 4)
    assert caught.value.problems[0].field == "(syntax)"


def test_extension_without_base_is_a_problem():
    with pytest.raises(FrameworkFormatError) as caught:
        parse_framework(EXTENSION, "ext.yaml", base_lookup=lambda _k: None)
    assert caught.value.problems[0] == Problem(4, "extends", "no framework 'ip-csf' to extend")


# ------------------------------------------------------------------------------ GraphQL: catalogs


async def test_frameworks_and_framework_tree(platform, gql):
    acme = await make_group(platform, "acme")
    body = await gql("""query($t: ID!) { frameworks(tenantId: $t) { id builtIn outcomeCount }
        framework(tenantId: $t, id: "ip-csf") { title { en zh } functions { id function
          categories { id title { zh } outcomes { id domain weight
            mappings { reference key outline { en } } } } } } }""",
                     {"t": acme.ids["acme-a"]}, token=acme.token("a-viewer"))
    assert body["data"]["frameworks"] == [{"id": "ip-csf", "builtIn": True,
                                           "outcomeCount": 103}]
    functions = body["data"]["framework"]["functions"]
    assert [f["id"] for f in functions] == ["GV", "ID", "PR", "OP", "MO", "RS", "RC"]
    sc = next(c for c in functions[0]["categories"] if c["id"] == "GV.SC")
    assert sc["title"]["zh"] == "供应链知识产权风险管理"
    assert sc["outcomes"][0]["mappings"][0] == {"reference": "gbt-29490-2023", "key": "8.3",
                                                "outline": {"en": "IP in business activities: "
                                                            "R&D, procurement, production, "
                                                            "sales"}}


async def test_load_framework_extends_builtin_and_is_tenant_scoped(platform, gql):
    acme = await make_group(platform, "acme")
    body = await gql(LOAD, {"t": acme.ids["acme"], "y": EXTENSION}, token=acme.token("admin"))
    fw = body["data"]["loadFramework"]["framework"]
    assert body["data"]["loadFramework"]["errors"] == []
    assert (fw["id"], fw["version"], fw["builtIn"], fw["outcomeCount"]) == (
        "acme-ip-csf", "1.1", False, 105)
    pr = next(f for f in fw["functions"] if f["id"] == "PR")
    assert "PR.OS" in [c["id"] for c in pr["categories"]]
    # visible in the group and (through the lineage) its subsidiaries, not in another group
    listed = await gql("query($t: ID!) { frameworks(tenantId: $t) { id } }",
                       {"t": acme.ids["acme-a"]}, token=acme.token("a-admin"))
    assert [f["id"] for f in listed["data"]["frameworks"]] == ["acme-ip-csf", "ip-csf"]
    globex = await make_group(platform, "globex")
    other = await gql("query($t: ID!) { frameworks(tenantId: $t) { id } }",
                      {"t": globex.ids["globex"]}, token=globex.token("admin"))
    assert [f["id"] for f in other["data"]["frameworks"]] == ["ip-csf"]
    # a subsidiary can assess against the group's framework
    done = await gql("""mutation($t: ID!) { setProfileTiers(tenantId: $t, kind: CURRENT,
        frameworkId: "acme-ip-csf", entries: [{outcomeId: "PR.OS-01", tier: 2}]) {
        errors { code } profile { frameworkId entries { outcomeId } } } }""",
                     {"t": acme.ids["acme-a"]}, token=acme.token("a-admin"))
    assert done["data"]["setProfileTiers"]["profile"]["entries"] == [{"outcomeId": "PR.OS-01"}]


async def test_malformed_framework_loads_nothing(platform, gql):
    acme = await make_group(platform, "acme")
    body = await gql(LOAD, {"t": acme.ids["acme"], "y": BROKEN}, token=acme.token("admin"))
    payload = body["data"]["loadFramework"]
    assert payload["framework"] is None
    assert len(payload["errors"]) >= 9
    assert {e["code"] for e in payload["errors"]} == {"FRAMEWORK_FORMAT"}
    assert any(e["field"] == "functions[0].categories[0].outcomes[0].priority"
               and ":16:" in e["message"] for e in payload["errors"])
    reserved = await gql(LOAD, {"t": acme.ids["acme"],
                                "y": EXTENSION.replace("id: acme-ip-csf", "id: ip-csf")
                                .replace("extends: ip-csf\n", "")},
                         token=acme.token("admin"))
    assert reserved["data"]["loadFramework"]["errors"][0]["field"] in ("title", "id")
    assert await _count(platform, LoadedFramework, acme.ids["acme"]) == 0


# ------------------------------------------------------------------------------ profiles


async def test_set_current_profile_and_validation_errors(platform, gql):
    acme = await make_group(platform, "acme")
    ok = await _set(gql, acme, "a-admin", "acme-a", "CURRENT",
                    [{"outcomeId": "GV.RM-01", "tier": 2, "note": "board minutes 2026"},
                     {"outcomeId": "PR.TS-02", "tier": 1}])
    assert ok["data"]["setProfileTiers"]["errors"] == []
    read = await gql(PROFILE, {"t": acme.ids["acme-a"], "k": "CURRENT"},
                     token=acme.token("a-viewer"))
    entries = _entries(read)
    assert entries["GV.RM-01"]["tier"] == 2 and entries["GV.RM-01"]["source"] == "OWN"
    assert entries["GV.RM-01"]["note"] == "board minutes 2026"
    assert read["data"]["profile"]["assessedAt"]

    bad = await _set(gql, acme, "a-admin", "acme-a", "CURRENT",
                     [{"outcomeId": "GV.RM-01", "tier": 5},
                      {"outcomeId": "ZZ.XX-99", "tier": 2},
                      {"outcomeId": "PR.TS-02", "tier": 0}])
    errors = bad["data"]["setProfileTiers"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("entries[0].tier", "TIER_OUT_OF_RANGE"), ("entries[1].outcomeId", "UNKNOWN_OUTCOME"),
        ("entries[2].tier", "TIER_OUT_OF_RANGE")}
    assert bad["data"]["setProfileTiers"]["profile"] is None
    again = _entries(await gql(PROFILE, {"t": acme.ids["acme-a"], "k": "CURRENT"},
                               token=acme.token("a-viewer")))
    assert {k: v["tier"] for k, v in again.items()} == {"GV.RM-01": 2, "PR.TS-02": 1}


async def test_hybrid_subsidiary_may_raise_not_lower_group_target(platform, gql):
    acme = await make_group(platform, "acme", "hybrid")
    group = await _set(gql, acme, "admin", "acme", "TARGET",
                       _tiers(GV_RM_01=3, PR_TS_02=2))
    assert group["data"]["setProfileTiers"]["errors"] == []
    raised = await _set(gql, acme, "a-admin", "acme-a", "TARGET", _tiers(PR_TS_02=4, ID_AM_01=2))
    assert raised["data"]["setProfileTiers"]["errors"] == []
    eff = _entries(raised, "setProfileTiers")
    assert (eff["GV.RM-01"]["tier"], eff["GV.RM-01"]["source"]) == (3, "GROUP")
    assert eff["GV.RM-01"]["sourceTenantId"] == acme.ids["acme"]
    assert (eff["PR.TS-02"]["tier"], eff["PR.TS-02"]["source"],
            eff["PR.TS-02"]["groupTier"]) == (4, "OWN", 2)
    assert eff["ID.AM-01"]["source"] == "OWN"
    lowered = await _set(gql, acme, "a-admin", "acme-a", "TARGET",
                         _tiers(ID_AM_01=3, GV_RM_01=1))
    errors = lowered["data"]["setProfileTiers"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("GOVERNANCE_MODE_FORBIDS", "entries[1].tier")]
    after = _entries(await gql(PROFILE, {"t": acme.ids["acme-a"], "k": "TARGET"},
                               token=acme.token("a-admin")))
    assert after["ID.AM-01"]["tier"] == 2  # nothing of the refused call was stored


async def test_centralized_subsidiary_cannot_set_its_target(platform, gql):
    globex = await make_group(platform, "globex", "centralized")
    await _set(gql, globex, "admin", "globex", "TARGET", _tiers(GV_RM_01=4))
    refused = await _set(gql, globex, "a-admin", "globex-a", "TARGET", _tiers(GV_RM_01=4))
    errors = refused["data"]["setProfileTiers"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("GOVERNANCE_MODE_FORBIDS", "kind")]
    also_admin = await _set(gql, globex, "admin", "globex-a", "TARGET", _tiers(PR_TS_01=2))
    assert also_admin["data"]["setProfileTiers"]["errors"][0]["code"] == \
        "GOVERNANCE_MODE_FORBIDS"
    eff = _entries(await gql(PROFILE, {"t": globex.ids["globex-a"], "k": "TARGET"},
                             token=globex.token("a-admin")))
    assert {k: (v["tier"], v["source"]) for k, v in eff.items()} == {"GV.RM-01": (4, "GROUP")}
    current = await _set(gql, globex, "a-admin", "globex-a", "CURRENT", _tiers(GV_RM_01=1))
    assert current["data"]["setProfileTiers"]["errors"] == []  # assessing stays local


async def test_decentralized_subsidiary_uses_its_own_target(platform, gql):
    initech = await make_group(platform, "initech", "decentralized")
    await _set(gql, initech, "admin", "initech", "TARGET", _tiers(GV_RM_01=4))
    own = await _set(gql, initech, "a-admin", "initech-a", "TARGET", _tiers(GV_RM_01=1))
    assert own["data"]["setProfileTiers"]["errors"] == []
    eff = _entries(own, "setProfileTiers")
    assert {k: (v["tier"], v["source"], v["groupTier"]) for k, v in eff.items()} == {
        "GV.RM-01": (1, "OWN", None)}


async def test_gap_analysis_orders_by_gap_times_weight_and_pages(platform, gql):
    acme = await make_group(platform, "acme")
    # GV.RM-01 high (w3), GV.OC-02 medium (w2), ID.IM-02 low (w1), PR.TS-02 high (w3)
    await _set(gql, acme, "admin", "acme", "TARGET",
               _tiers(GV_RM_01=4, GV_OC_02=4, ID_IM_02=4, PR_TS_02=2))
    await _set(gql, acme, "a-admin", "acme-a", "CURRENT",
               _tiers(GV_RM_01=3, GV_OC_02=1, ID_IM_02=1, PR_TS_02=3))
    first = await gql(GAPS, {"t": acme.ids["acme-a"], "first": 2}, token=acme.token("a-viewer"))
    page = first["data"]["gapAnalysis"]
    nodes = [e["node"] for e in page["edges"]]
    assert [(n["outcomeId"], n["gap"], n["priority"]) for n in nodes] == [
        ("GV.OC-02", 3, 6), ("ID.IM-02", 3, 3)]  # equal priority: the larger gap first
    assert page["pageInfo"]["hasNextPage"]
    rest = await gql(GAPS, {"t": acme.ids["acme-a"], "first": 2,
                            "after": page["pageInfo"]["endCursor"]},
                     token=acme.token("a-viewer"))
    rest_nodes = [e["node"] for e in rest["data"]["gapAnalysis"]["edges"]]
    assert [(n["outcomeId"], n["priority"]) for n in rest_nodes] == [("GV.RM-01", 3)]
    assert not rest["data"]["gapAnalysis"]["pageInfo"]["hasNextPage"]
    too_many = await gql(GAPS, {"t": acme.ids["acme-a"], "first": 1000},
                         token=acme.token("a-viewer"))
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE"
    bad = await gql(GAPS, {"t": acme.ids["acme-a"], "first": 5, "after": "nope"},
                    token=acme.token("a-viewer"))
    assert bad["errors"][0]["extensions"]["code"] == "BAD_CURSOR"


# ------------------------------------------------------------------------------ tenant boundary


async def test_other_tenants_profiles_are_out_of_reach(platform, gql):
    acme = await make_group(platform, "acme")
    globex = await make_group(platform, "globex", "centralized")
    await _set(gql, acme, "b-admin", "acme-b", "CURRENT", _tiers(GV_RM_01=2))
    read = await gql(PROFILE, {"t": acme.ids["acme-b"], "k": "CURRENT"},
                     token=acme.token("a-admin"))
    assert read["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert read["data"] is None
    write = await _set(gql, globex, "admin", "globex", "CURRENT", _tiers(GV_RM_01=1))
    assert write["data"]["setProfileTiers"]["errors"] == []
    cross = await gql(SET, {"t": globex.ids["globex"], "k": "CURRENT", "e": _tiers(GV_RM_01=4)},
                      token=acme.token("admin"))
    assert cross["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    load = await gql(LOAD, {"t": globex.ids["globex-a"], "y": EXTENSION},
                     token=acme.token("admin"))
    assert load["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await _count(platform, LoadedFramework, globex.ids["globex-a"]) == 0
    async with platform.db.system_session("test") as s:
        tier = (await s.execute(select(ProfileEntry.tier).where(
            ProfileEntry.tenant_id == globex.ids["globex"]))).scalar_one()
    assert tier == 1
    viewer = await _set(gql, acme, "a-viewer", "acme-a", "CURRENT", _tiers(GV_RM_01=4))
    assert viewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# ------------------------------------------------------------------------------ checks


async def _findings(platform, tenant_id: str) -> dict[str, list]:
    from ipgov.reviews.inline import run_inline
    from ipgov.reviews.models import Finding

    run = await run_inline(platform, tenant_id, actor="test")
    async with platform.db.system_session("test: findings") as s:
        rows = (await s.execute(select(Finding).where(Finding.run_id == run.id))).scalars()
        found: dict[str, list] = {}
        for f in rows:
            if f.check_id.startswith(fw_checks.PREFIX):
                found.setdefault(f.check_id.rsplit(".", 1)[1], []).append(f)
    return found


async def test_checks_missing_profile_then_gaps(platform, gql):
    acme = await make_group(platform, "acme")
    missing = await _findings(platform, acme.ids["acme-a"])
    assert [f.key for f in missing["current_profile_missing"]] == ["current-profile"]
    assert missing["current_profile_missing"][0].seed_ref == "IP-CSF GV.OV-02"
    assert "target_gaps" not in missing and "current_profile_stale" not in missing

    await _set(gql, acme, "admin", "acme", "TARGET", _tiers(GV_RM_01=4, PR_TS_02=3, ID_AM_01=2))
    await _set(gql, acme, "a-admin", "acme-a", "CURRENT", _tiers(GV_RM_01=2, PR_TS_02=2,
                                                                 ID_AM_01=2))
    found = await _findings(platform, acme.ids["acme-a"])
    assert "current_profile_missing" not in found
    gaps = {f.key: f.severity for f in found["target_gaps"]}
    assert gaps == {"GV.RM-01": "high", "PR.TS-02": "low"}

    await _set(gql, acme, "a-admin", "acme-a", "CURRENT", _tiers(GV_RM_01=4, PR_TS_02=3))
    assert "target_gaps" not in await _findings(platform, acme.ids["acme-a"])


async def test_check_stale_current_profile(platform, gql):
    acme = await make_group(platform, "acme")
    await _set(gql, acme, "a-admin", "acme-a", "CURRENT", _tiers(GV_RM_01=2))
    assert "current_profile_stale" not in await _findings(platform, acme.ids["acme-a"])
    async with platform.db.system_session("test: age") as s:
        await s.execute(update(Profile).where(Profile.tenant_id == acme.ids["acme-a"])
                        .values(assessed_at=utcnow() - timedelta(days=400)))
    found = await _findings(platform, acme.ids["acme-a"])
    assert [f.key for f in found["current_profile_stale"]] == ["current-profile:ip-csf"]


async def _legacy_target(platform, tenant_id: str, outcome: str, tier: int) -> None:
    async with platform.db.system_session("test: legacy data") as s:
        profile = Profile(tenant_id=tenant_id, kind="target", framework_key="ip-csf",
                          assessed_by="legacy")
        s.add(profile)
        await s.flush()
        s.add(ProfileEntry(tenant_id=tenant_id, profile_id=profile.id, outcome_id=outcome,
                           tier=tier, updated_by="legacy"))


@pytest.mark.parametrize("mode, expected", [("hybrid", ["GV.RM-01"]), ("centralized", []),
                                            ("decentralized", [])])
async def test_check_target_below_group_only_in_hybrid(platform, gql, mode, expected):
    group = await make_group(platform, "acme", mode)
    await _set(gql, group, "admin", "acme", "TARGET", _tiers(GV_RM_01=4, PR_TS_02=2))
    await _legacy_target(platform, group.ids["acme-a"], "GV.RM-01", 2)
    await _legacy_target(platform, group.ids["acme-b"], "PR.TS-02", 3)
    found = await _findings(platform, group.ids["acme-a"])
    assert [f.key for f in found.get("target_below_group", [])] == expected
    assert "target_below_group" not in await _findings(platform, group.ids["acme-b"])
