"""Findings read with the same specifics in every language: every check of the core and of
every plugin declares its texts with parameters, the Chinese text carries every parameter the
English one does, every enum value a person reads has a Chinese label, stored findings (with
or without parameters) keep rendering, and errors that state a limit state it in Chinese."""

from __future__ import annotations

import re
import types

import pytest
from sqlalchemy import select

from ipgov.api import Check, FindingText, PluginInfo, hookimpl
from ipgov.i18n.findings import localized_action, localized_finding
from ipgov.i18n.labels import label, labels
from ipgov.i18n.text import placeholders, render, value_text
from ipgov.i18n.vocabularies import ENUMS
from ipgov.plugins.catalog import PluginContractError, build_catalog, text_problems
from ipgov.plugins.manager import PluginRegistry
from ipgov.reviews.checks import Function, GovernanceDomain, Severity
from ipgov.reviews.models import Directive, Finding
from ipgov.reviews.references import references_for
from ipgov.startup import new_registry
from tests.conftest import make_group

CJK = re.compile(r"[\u4e00-\u9fff]")
FINDINGS = """query($t: ID!) { findings(tenantId: $t, first: 100) { edges { node {
  checkId key title recommendation params references seedRef severityLabel functionLabel
  domainLabel } } } }"""
DIRECTIVES = """query($t: ID!) { directives(tenantId: $t, first: 100) { edges { node {
  checkId action statusLabel severityLabel } } } }"""


def _every_check() -> list[tuple[str, Check]]:
    return list(build_catalog(new_registry()).checks)


def test_every_check_of_the_core_and_every_plugin_declares_texts_with_parameters():
    checks = _every_check()
    assert {p for p, _c in checks} >= {"core", "ip_governance", "patent_search",
                                       "data_governance"}
    without = [c.id for _p, c in checks if not c.texts]
    assert not without, f"checks whose findings carry no parameters: {without}"
    for _plugin, check in checks:
        assert text_problems(check) == [], check.id
        for text in check.texts.values():
            for part in ("title", "recommendation"):
                zh = getattr(text, f"{part}_zh")
                assert not zh or CJK.search(zh), (check.id, part)
        assert check.references, f"{check.id} cites nothing a reader can look up"
        assert not any(r[0].isdigit() for r in check.references), check.id


def test_a_chinese_text_that_drops_an_english_parameter_is_refused():
    broken = Check(id="probe.broken", title="t", title_zh="检查", domain=GovernanceDomain.RESOURCES,
                   function=Function.PROTECT, severity=Severity.LOW, run=lambda ctx: [],
                   texts={"": FindingText("Overdue {kind}: {asset}", "已逾期：{asset}",
                                          "Renew {asset}", "")})
    problems = text_problems(broken)
    assert problems == ["check probe.broken, text '': the zh-CN title lacks {kind}",
                        "check probe.broken, text '': the zh-CN recommendation is missing"]
    registry = PluginRegistry()
    probe = types.ModuleType("probe_hooks")
    probe.PLUGIN_INFO = PluginInfo(name="probe", version="1", api_version=1)
    probe.register_checks = hookimpl(lambda: [broken])
    registry.register(probe)
    with pytest.raises(PluginContractError, match="lacks {kind}"):
        build_catalog(registry)
    assert registry  # the real registry is untouched


def test_every_enum_value_shown_to_people_has_a_chinese_label():
    missing = []
    for vocabulary, enum in ENUMS().items():
        for member in enum:
            texts = labels().get(vocabulary, {}).get(member.value)
            if texts is None or not CJK.search(texts["zh-CN"]):
                missing.append(f"{vocabulary}.{member.value}")
    assert not missing, f"values without a Chinese label in labels.yaml: {missing}"
    assert label("governance_mode", "hybrid", "zh-CN").startswith("混合式")
    assert label("domain", "top_level_design", "zh-CN") == "顶层设计"
    assert label("function", "a-plugin-value", "zh-CN") == "a-plugin-value"  # shown, not lost


def test_templates_render_labels_lists_and_vocabularies_per_language():
    params = {"kind": {"en": "annuity", "zh-CN": "年费"}, "asset": "CN 1001 Bonding",
              "missing": [{"en": "owner", "zh-CN": "负责人"}, {"en": "value tier",
                                                              "zh-CN": "价值等级"}],
              "sev": "high", "ratio": 0.5}
    assert render("{kind} of {asset}: {missing}; {sev:severity} {ratio:.0%}", params, "en") \
        == "annuity of CN 1001 Bonding: owner, value tier; high 50%"
    assert render("{asset} 的{kind}：{missing}；{sev:severity}", params, "zh-CN") == \
        "CN 1001 Bonding 的年费：负责人、价值等级；高"
    assert render("{nope}", params, "en") is None  # missing: the caller shows what it has
    assert placeholders("{a} {b:severity} {c:.0%}") == {"a", "b", "c"}
    assert value_text(3.0, "en") == "3"


async def test_findings_and_directives_read_in_chinese_with_their_specifics(platform, gql):
    from ipgov.cli.demo import load_demo
    from ipgov.reviews.inline import run_inline
    from ipgov.tenancy.models import Tenant

    await load_demo(platform, "demo-password")
    async with platform.db.system_session("test") as s:
        ids = dict((await s.execute(select(Tenant.slug, Tenant.id))).all())
    await run_inline(platform, ids["hanwei-group"], group=True, actor="test")
    async with platform.db.system_session("test") as s:
        rows = list((await s.execute(select(Finding))).scalars())
        directives = list((await s.execute(select(Directive))).scalars())
    assert len(rows) > 50
    generic = []
    for f in rows:
        zh, advice = localized_finding(platform, f.check_id, title=f.title,
                                       recommendation=f.recommendation, locale="zh-CN",
                                       text_key=f.text_key, params=f.params)
        if f.text_key is None or zh.startswith("未通过检查") or not CJK.search(zh):
            generic.append((f.check_id, zh))
            continue
        text = platform.catalog.checks_by_id[f.check_id].texts[f.text_key]
        for name in placeholders(text.title):  # every specific of the English title ...
            assert value_text(f.params[name], "zh-CN") in zh, (f.check_id, name, zh)
        assert "seed" not in f.title.lower() and "seed" not in f.recommendation.lower()
        assert CJK.search(advice), (f.check_id, advice)
    assert not generic, f"findings that read generically in Chinese: {generic[:5]}"
    for d in directives:
        action = localized_action(platform, d.check_id, d.action, "zh-CN", d.text_key,
                                  d.params)
        assert CJK.search(action) and d.text_key is not None, (d.check_id, action)

    # the same through GraphQL, for the Semiconductor IP manager reading Chinese
    from ipgov.identity.models import User

    async with platform.db.system_session("test") as s:
        manager = (await s.execute(select(User.id).where(
            User.email == "wang.fang@hanwei.example"))).scalar_one()
    token = platform.tokens.issuer.issue(manager).token
    semi = ids["hanwei-semiconductor"]
    body = await gql.post(FINDINGS, {"t": semi}, token=token,
                          headers={"accept-language": "zh-CN"})
    nodes = [e["node"] for e in body.json()["data"]["findings"]["edges"]]
    gaps = [n for n in nodes if n["checkId"] == "ip_governance.framework.target_gaps"]
    assert gaps and all(n["params"]["outcome_id"] in n["title"] for n in gaps)
    assert all("现状层级" in n["title"] for n in gaps)
    assert gaps[0]["references"][0] == "IP-CSF GV.OV-01"
    assert gaps[0]["severityLabel"] in ("高", "低") and gaps[0]["domainLabel"] == "顶层设计"
    body = await gql.post(DIRECTIVES, {"t": semi}, token=token,
                          headers={"accept-language": "zh-CN"})
    actions = [e["node"] for e in body.json()["data"]["directives"]["edges"]]
    assert actions and all(CJK.search(a["action"]) for a in actions)
    assert {a["statusLabel"] for a in actions} == {"未完成"}


async def test_findings_stored_before_parameters_keep_rendering_and_citing(platform, gql):
    from ipgov.reviews.inline import run_inline

    acme = await make_group(platform, "acme", "decentralized")
    tid = acme.ids["acme-a"]
    run = await run_inline(platform, tid, actor="test")
    async with platform.db.system_session("test: a finding of the old engine") as s:
        s.add(Finding(tenant_id=tid, run_id=run.id, check_id="ip_governance.framework.target_gaps",
                      key="GV.OC-01", domain="top_level_design", function="govern",
                      severity="high", title="GV.OC-01 IP priorities ...: tier 1 of target 3 "
                      "(seed 5.1.2 b: evaluate IP plans and keep improving)",
                      recommendation="Plan the steps", seed_ref="5.1.2 b", evidence={}))
        s.add(Finding(tenant_id=tid, run_id=run.id, check_id="gone_plugin.check", key="k",
                      domain="resources", function="protect", severity="low",
                      title="A finding of an uninstalled plugin", recommendation="",
                      seed_ref="7.4 d", evidence={}))
    body = await gql.post(FINDINGS, {"t": tid}, token=acme.token("a-admin"),
                          headers={"accept-language": "zh-CN"})
    nodes = {n["key"]: n for n in (e["node"] for e in body.json()["data"]["findings"]["edges"])}
    old = nodes["GV.OC-01"]
    assert old["title"].startswith("未通过检查：目标画像差距（GV.OC-01")  # specifics kept
    assert "tier 1 of target 3" in old["title"]
    assert old["references"] == ["IP-CSF GV.OV-01", "GB/T 29490-2023 9.3",
                                 "GB/T 29490-2023 10.2"]
    assert nodes["k"]["title"] == "A finding of an uninstalled plugin"
    assert nodes["k"]["references"] == ["IP-CSF PR.TS-02", "GB/T 29490-2023 8.4"]
    assert references_for(None, "9.9 z") == ["design note §9.9 z"]


async def test_errors_that_state_a_limit_state_it_in_chinese(platform, gql):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    token = acme.token("a-admin")
    body = await gql.post("""query($t: ID!) { findings(tenantId: $t, first: 5000) {
        edges { node { id } } } }""", {"t": tid}, token=token,
                          headers={"accept-language": "zh-CN"})
    error = body.json()["errors"][0]
    assert error["extensions"]["code"] == "PAGE_SIZE"
    maximum = platform.settings.max_page_size
    assert error["message"] == f"每页数量（first）必须在 1 到 {maximum} 之间，当前为 5000。"
    body = await gql.post("""mutation($t: ID!) { setProfileTiers(tenantId: $t, kind: TARGET,
        entries: [{outcomeId: "GV.OC-01", tier: 9}]) { errors { code field message } } }""",
                          {"t": tid}, token=acme.token("admin"),
                          headers={"accept-language": "zh-CN"})
    errors = body.json()["data"]["setProfileTiers"]["errors"]
    assert errors[0]["code"] == "TIER_OUT_OF_RANGE"  # the stable code is kept
    assert errors[0]["message"] == "entries[0].tier 必须介于 1 与 4 之间，当前为 9。"


def test_what_users_read_cites_outcomes_and_clauses_not_design_note_sections():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    seed_section = re.compile(r"\bseed\s*(§\s*)?\d", re.IGNORECASE)
    pages = [root / "README.md", root / "schema.graphql", *sorted((root / "docs").glob("*.md"))]
    cited = {p.name: m.group(0) for p in pages
             if (m := seed_section.search(p.read_text(encoding="utf-8")))}
    assert not cited, f"pages citing a design-note section instead of a reference: {cited}"
