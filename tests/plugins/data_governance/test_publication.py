"""Pre-publication checks (issue 15 items 2 and 8): three risks with their own verdicts
(our secrets, our unfiled solutions, others' wording), matched across Chinese and English; a
reader below a secret's clearance learns only the verdict and that a protected record matched;
checks are bounded in size and rate, and never answer INTERNAL."""

from __future__ import annotations

import time

from sqlalchemy import select

from data_governance.demo import BLOG_DRAFT, BLOG_DRAFT_ZH, BONDING_RECIPE, LOWK_ABSTRACT
from ipgov.api import screen_text
from patent_search.models import PatentDocument
from tests.conftest import make_group
from tests.events_support import assert_emitted
from tests.plugins.patent_search.test_plugin import DATA, _collection, _ingest

CREATE = """mutation($t: ID!, $i: DataAssetInput!) { createDataAsset(tenantId: $t, input: $i) {
  asset { id } errors { code field message } } }"""
SUBMIT = """mutation($t: ID!, $x: String!) { submitPublicationCheck(tenantId: $t, title: "Blog",
  text: $x) { check { id verdict leakScore text textWithheld
  risks { risk verdict reason protectedMatch }
  matches { objectId ref title score risk passages { text matched where score } } }
  errors { code field message } } }"""
LIST = """query($t: ID!) { publicationChecks(tenantId: $t) { edges { node { id verdict leakScore
  text textWithheld risks { risk verdict reason protectedMatch } matches { ref } } } } }"""
SOLUTION = """mutation($t: ID!, $d: String!) { createTechnicalSolution(tenantId: $t, input: {
  code: "SOL-LOWK", title: "Sealing porous low-k", sourceKind: "rd_project", description: $d})
  { solution { id } errors { code } } }"""
LOWK = ("A silicon carbonitride cap of 15 nanometres is deposited at 350 degrees Celsius on the "
        "porous low-k dielectric right after CMP, before any air exposure. The cap seals the "
        "pores so that the dielectric constant stays below 2.4 and copper does not diffuse "
        "into the dielectric.")


def _secret(code: str, content: str, classification: str = "confidential") -> dict:
    return {"code": code, "kind": "trade_secret", "title": f"Secret {code}", "owner": "IP",
            "steward": "Data", "classification": classification, "content": content}


async def _member(platform, group, tenant: str, name: str, role: str) -> str:
    from ipgov.identity.service import add_membership, create_user

    async with platform.db.system_session("test: member") as s:
        user = await create_user(s, email=f"{name}@acme.example", display_name=name)
        await add_membership(platform, s, tenant_id=group.ids[tenant], user_id=user.id,
                             role=role, actor="test")
    await platform.authz.refresh()
    group.users[name] = user.id
    return group.token(name)


async def _check(gql, tenant: str, text: str, token: str) -> dict:
    body = await gql(SUBMIT, {"t": tenant, "x": text}, token)
    assert body.get("errors") is None, body
    payload = body["data"]["submitPublicationCheck"]
    assert payload["errors"] == [], payload
    return payload["check"]


def _risks(check: dict) -> dict[str, str]:
    return {r["risk"]: r["verdict"] for r in check["risks"]}


async def test_below_clearance_only_the_verdict_and_that_a_protected_record_matched(
        platform, gql):
    g = await make_group(platform, "acme")
    t, admin = g.ids["acme-a"], g.token("a-admin")
    created = await gql(CREATE, {"t": t, "i": _secret("TS-1", BONDING_RECIPE)}, admin)
    secret_id = created["data"]["createDataAsset"]["asset"]["id"]
    cleared = await _check(gql, t, BLOG_DRAFT, admin)  # tenant_admin: cleared to confidential
    [match] = cleared["matches"]
    assert (match["ref"], match["risk"]) == ("TS-1", "secret_disclosure")
    assert "180 degrees Celsius" in match["passages"][0]["matched"] and match["score"] > 0.6
    assert cleared["leakScore"] > 0.6

    engineer = await _member(platform, g, "acme-a", "engineer", "contributor")  # internal
    probe = await _check(gql, t, BLOG_DRAFT, engineer)
    assert probe["verdict"] == "block" and probe["matches"] == []
    assert probe["leakScore"] is None and probe["text"] == BLOG_DRAFT  # his own text
    [secret] = [r for r in probe["risks"] if r["risk"] == "secret_disclosure"]
    assert (secret["verdict"], secret["protectedMatch"]) == ("block", True)
    assert "protected record" in secret["reason"] and "TS-1" not in secret["reason"]
    assert not {secret_id, "TS-1", "Secret TS-1", "0.7", "0.8"} & set(_strings(probe))
    [*_, blocked] = await assert_emitted(platform, t, "data_governance.publication_check.blocked",
                                         check_id=probe["id"], title="Blog")
    assert "secret_disclosure" in blocked.payload["risks"]
    assert "180 degrees" not in str(blocked.payload)

    listed = await gql(LIST, {"t": t}, g.token("a-viewer"))  # a reader, not the submitter
    for node in [e["node"] for e in listed["data"]["publicationChecks"]["edges"]]:
        assert node["matches"] == [] and node["leakScore"] is None
        assert node["textWithheld"] is True and "180 degrees" not in node["text"]


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


async def test_screen_text_withholds_protected_matches_from_any_caller_by_default(platform, gql):
    g = await make_group(platform, "acme")
    t = g.ids["acme-a"]
    await gql(CREATE, {"t": t, "i": _secret("TS-1", BONDING_RECIPE)}, g.token("a-admin"))
    for subject in (None, g.users["a-viewer"]):
        [hidden] = await screen_text(platform, t, BLOG_DRAFT, subject=subject)
        assert hidden.withheld and hidden.risk == "secret_disclosure"
        assert (hidden.object_id, hidden.ref, hidden.title, hidden.score, hidden.passages) == (
            "", "", "", 0.0, ())
    [shown] = await screen_text(platform, t, BLOG_DRAFT, subject=g.users["a-admin"])
    assert shown.ref == "TS-1" and shown.passages and not shown.withheld


async def test_each_risk_has_its_own_verdict_across_chinese_and_english(platform, gql, imports):
    g = await make_group(platform, "acme")
    t, admin = g.ids["acme-a"], g.token("a-admin")
    await gql(CREATE, {"t": t, "i": _secret("TS-1", BONDING_RECIPE)}, admin)
    english = await _check(gql, t, BLOG_DRAFT, admin)
    chinese = await _check(gql, t, BLOG_DRAFT_ZH, admin)
    for check in (english, chinese):  # a near-verbatim disclosure, in either language
        assert check["verdict"] == "block", check
        assert _risks(check) == {"secret_disclosure": "block", "novelty_loss": "clear",
                                 "third_party_text": "clear"}

    research = await _collection(gql, g, "a-admin", "acme-a", "Third-party research")
    await _ingest(platform, gql, g, "a-admin", "acme-a", research,
                  DATA / "group_database" / "patentsview-neural-network-hardware.csv")
    async with platform.db.tenant_session(t) as s:
        doc = (await s.execute(select(PatentDocument).where(
            PatentDocument.abstract.contains("traveling salesman")))).scalars().first()
    first = doc.abstract.split(". ")[0].strip() + "."
    copied = await _check(gql, t, f"Our new optimiser is remarkable. {first} We ship it soon.",
                          admin)
    assert _risks(copied)["third_party_text"] == "review" and copied["verdict"] == "review"
    assert doc.publication_number in str(copied["risks"]) and "copyright" in str(copied)
    paraphrase = ("We built a fast processor based on a neural network that finds short tours "
                  "through many cities, a classic hard routing puzzle.")
    assert (await _check(gql, t, paraphrase, admin))["verdict"] == "clear"

    sol = await gql(SOLUTION, {"t": t, "d": LOWK}, admin)
    sol_id = sol["data"]["createTechnicalSolution"]["solution"]["id"]
    unfiled = await _check(gql, t, LOWK_ABSTRACT, admin)
    assert _risks(unfiled) == {"secret_disclosure": "clear", "novelty_loss": "block",
                               "third_party_text": "clear"}
    assert "SOL-LOWK" in str(unfiled["risks"]) and "file first" in str(unfiled["risks"])
    portfolio = await _collection(gql, g, "a-admin", "acme-a", "Own patents", kind="portfolio")
    await _ingest(platform, gql, g, "a-admin", "acme-a", portfolio,
                  DATA / "fixtures" / "US12207575-20250128.XML")
    async with platform.db.tenant_session(t) as s:
        patent_id = (await s.execute(select(PatentDocument.id).where(
            PatentDocument.collection_id == portfolio))).scalar_one()
    linked = await gql("""mutation($t: ID!, $s: ID!, $o: String!) { linkTechnicalSolution(
        tenantId: $t, solutionId: $s, plugin: "patent_search", objectId: $o) { errors { code }
        } }""", {"t": t, "s": sol_id, "o": patent_id}, admin)
    assert linked["data"]["linkTechnicalSolution"]["errors"] == []
    filed = await _check(gql, t, LOWK_ABSTRACT, admin)  # filed now: publishing is safe
    assert _risks(filed)["novelty_loss"] == "clear"


async def test_checks_are_rate_limited_per_person(platform, gql):
    platform.plugin_config.replace("data_governance", checks_per_minute=2)
    g = await make_group(platform, "acme")
    t = g.ids["acme-a"]
    text = "Our engineers present a new packaging line at the trade fair next week."
    for _ in range(2):
        await _check(gql, t, text, g.token("a-admin"))
    body = await gql(SUBMIT, {"t": t, "x": text}, g.token("a-admin"))
    [error] = body["data"]["submitPublicationCheck"]["errors"]
    assert error["code"] == "RATE_LIMITED" and "per minute" in error["message"]
    assert "try again in" in error["message"]
    other = await _member(platform, g, "acme-a", "writer", "contributor")
    await _check(gql, t, text, other)  # another person is not limited by the first


async def test_long_and_odd_texts_are_bounded_typed_errors_never_internal(platform, gql,
                                                                          imports):
    g = await make_group(platform, "acme")
    t, admin = g.ids["acme-a"], g.token("a-admin")
    await gql(CREATE, {"t": t, "i": _secret("TS-1", BONDING_RECIPE)}, admin)
    coll = await _collection(gql, g, "a-admin", "acme-a", "Research")
    await _ingest(platform, gql, g, "a-admin", "acme-a", coll,
                  DATA / "group_database" / "patentsview-neural-network-hardware.csv")
    article = (BLOG_DRAFT + " ") + "Our company reports strong growth in many markets. " * 190
    for text in (article[:10_000], "x" * 10_000, " ".join(f"w{i}q" for i in range(2_000)),
                 "神经网络" * 2_500):
        started = time.perf_counter()
        body = await gql(SUBMIT, {"t": t, "x": text}, admin)
        assert body.get("errors") is None, body  # no INTERNAL
        assert body["data"]["submitPublicationCheck"]["check"] is not None
        assert time.perf_counter() - started < 60  # bounded (generous on a loaded machine)
    assert _risks(body["data"]["submitPublicationCheck"]["check"])  # assessed
    too_long = await gql(SUBMIT, {"t": t, "x": "word " * 12_000}, admin)
    [error] = too_long["data"]["submitPublicationCheck"]["errors"]
    assert (error["code"], error["field"]) == ("TEXT_TOO_LONG", "text")
    fto = await gql("""mutation($t: ID!, $x: String!) { screenFto(tenantId: $t, title: "x",
        text: $x) { screening { id } errors { code } } }""", {"t": t, "x": "x" * 10_000}, admin)
    assert fto.get("errors") is None and fto["data"]["screenFto"]["screening"]
