"""data_governance catalog, specs, clearance and the access log, quality rules, and the
screening method: field-level rejection that stores nothing, spec changes that report
nonconforming assets, FORBIDDEN below clearance (logged), secret clearance granted through a
core policy, and scores kept over time."""

from __future__ import annotations

from sqlalchemy import func, select

from data_governance.catalog.models import DataAsset
from data_governance.secrets.models import DataAccessLog
from data_governance.textmatch import screen, sentences
from tests.conftest import make_group
from tests.events_support import assert_emitted

CREATE = """mutation($t: ID!, $i: DataAssetInput!) { createDataAsset(tenantId: $t, input: $i) {
  asset { id code classification specVersion metadata } errors { code field message } } }"""
SPEC = """mutation($t: ID!, $k: String!, $s: JSON!) { publishMetadataSpec(tenantId: $t,
  kindKey: $k, jsonSchema: $s) { spec { version } nonconforming { code problems { field } }
  errors { code field message } } }"""
CONTENT = """query($t: ID!, $id: ID!, $p: String!) { dataAssetContent(tenantId: $t, id: $id,
  purpose: $p) { content classification } }"""
LOG = """query($t: ID!, $first: Int!, $after: String) { dataAccessLog(tenantId: $t,
  first: $first, after: $after) { edges { node { actor purpose outcome classification } }
  pageInfo { hasNextPage endCursor } } }"""
SECRET_SPEC = {"type": "object", "required": ["inventors"], "properties": {
    "inventors": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "valueEstimateCny": {"type": "number", "minimum": 0}}}


def _asset(code: str, **kw):
    return {"code": code, "kind": "trade_secret", "title": f"Secret {code}", "owner": "IP",
            "steward": "Data", "classification": "confidential", **kw}


async def _count(platform, tenant_id, model) -> int:
    async with platform.db.tenant_session(tenant_id) as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_malformed_asset_rejected_with_every_field_error_and_nothing_stored(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    ok = await gql(SPEC, {"t": t, "k": "trade_secret", "s": SECRET_SPEC}, token)
    assert ok["data"]["publishMetadataSpec"]["spec"]["version"] == 1
    bad = _asset("TS 1", classification="top", retentionMonths=5000,
                 metadata={"inventors": [], "valueEstimateCny": -3})
    body = await gql(CREATE, {"t": t, "i": bad}, token)
    payload = body["data"]["createDataAsset"]
    assert payload["asset"] is None
    fields = {e["field"] for e in payload["errors"]}
    assert {"code", "classification", "retentionMonths", "legalBasis",
            "metadata.inventors", "metadata.valueEstimateCny"} <= fields
    assert {e["code"] for e in payload["errors"]} == {"SPEC_VIOLATION"}
    assert await _count(platform, t, DataAsset) == 0
    good = await gql(CREATE, {"t": t, "i": _asset("TS-1", metadata={"inventors": ["Li"]},
                                                 content="the recipe")}, token)
    assert good["data"]["createDataAsset"]["asset"]["specVersion"] == 1
    dup = await gql(CREATE, {"t": t, "i": _asset("TS-1", metadata={"inventors": ["Li"]})}, token)
    assert dup["data"]["createDataAsset"]["errors"][0]["field"] == "code"
    assert await _count(platform, t, DataAsset) == 1


async def test_spec_change_reports_assets_that_no_longer_conform(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    for code, meta in (("TS-1", {"inventors": ["Li"]}), ("TS-2", {})):
        r = await gql(CREATE, {"t": t, "i": _asset(code, metadata=meta)}, token)
        assert r["data"]["createDataAsset"]["errors"] == []
    body = await gql(SPEC, {"t": t, "k": "trade_secret", "s": SECRET_SPEC}, token)
    result = body["data"]["publishMetadataSpec"]
    assert result["nonconforming"] == [{"code": "TS-2",
                                        "problems": [{"field": "metadata.inventors"}]}]
    broken = await gql(SPEC, {"t": t, "k": "trade_secret", "s": {"type": "nonsense"}}, token)
    [err] = broken["data"]["publishMetadataSpec"]["errors"]
    assert (err["code"], err["field"]) == ("INVALID_SCHEMA", "jsonSchema")
    unknown = await gql(SPEC, {"t": t, "k": "nope", "s": SECRET_SPEC}, token)
    assert unknown["data"]["publishMetadataSpec"]["errors"][0]["code"] == "UNKNOWN_KIND"


async def test_clearance_below_classification_is_forbidden_and_logged(platform, gql):
    from ipgov.audit.models import AuditEvent

    g = await make_group(platform, "acme")
    t = g.ids["acme-a"]
    r = await gql(CREATE, {"t": t, "i": _asset("TS-1", content="Bond at 180 C.")},
                  g.token("a-admin"))
    asset_id = r["data"]["createDataAsset"]["asset"]["id"]
    viewer = g.token("a-viewer")  # cleared to internal only
    denied = await gql(CONTENT, {"t": t, "id": asset_id, "p": "checking a patent draft"},
                       viewer)
    assert denied["data"] is None
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    short = await gql(CONTENT, {"t": t, "id": asset_id, "p": "x"}, viewer)
    assert short["errors"][0]["extensions"]["code"] == "PURPOSE_REQUIRED"
    granted = await gql(CONTENT, {"t": t, "id": asset_id, "p": "prepare the NDA annex"},
                        g.token("a-admin"))
    assert granted["data"]["dataAssetContent"]["content"] == "Bond at 180 C."
    log = await gql(LOG, {"t": t, "first": 1}, g.token("a-admin"))
    assert log["data"]["dataAccessLog"]["pageInfo"]["hasNextPage"] is True
    second = await gql(LOG, {"t": t, "first": 5,
                             "after": log["data"]["dataAccessLog"]["pageInfo"]["endCursor"]},
                       g.token("a-admin"))
    entries = [e["node"] for e in log["data"]["dataAccessLog"]["edges"]
               + second["data"]["dataAccessLog"]["edges"]]
    assert [(e["actor"], e["outcome"], e["purpose"]) for e in entries] == [
        (g.users["a-viewer"], "denied", "checking a patent draft"),
        (g.users["a-admin"], "granted", "prepare the NDA annex")]
    async with platform.db.tenant_session(t) as s:
        actions = [a for (a,) in (await s.execute(select(AuditEvent.action).where(
            AuditEvent.action.like("data_governance.content%")).order_by(AuditEvent.seq)))]
    assert actions == ["data_governance.content.read_denied", "data_governance.content.read"]
    [refused] = await assert_emitted(platform, t, "data_governance.trade_secret.refused",
                                     code="TS-1", reader=g.users["a-viewer"])
    [read] = await assert_emitted(platform, t, "data_governance.trade_secret.read",
                                  code="TS-1", reader=g.users["a-admin"], asset_id=asset_id)
    shown = [str(v) for e in (refused, read) for v in e.payload.values()]
    assert not any("Bond at" in v or "180 C" in v for v in shown)  # never the content (a
    # bare "180" may be part of a random id)
    no_log = await gql(LOG, {"t": t, "first": 5}, viewer)
    assert no_log["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_secret_clearance_is_granted_to_a_person_through_a_core_policy(platform, gql):
    g = await make_group(platform, "acme")
    t, admin = g.ids["acme-a"], g.token("a-admin")
    r = await gql(CREATE, {"t": t, "i": _asset("TS-9", classification="secret",
                                               content="crown jewel")}, admin)
    asset_id = r["data"]["createDataAsset"]["asset"]["id"]
    variables = {"t": t, "id": asset_id, "p": "due diligence for licensing"}
    before = await gql(CONTENT, variables, admin)  # even administrators stop at confidential
    assert before["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    grant = """mutation($t: ID!, $s: String!) { addPolicy(tenantId: $t, subject: $s,
        object: "data_governance:content:secret", action: "read") { rule { id }
        errors { code message } } }"""
    self_grant = await gql(grant, {"t": t, "s": g.users["a-admin"]}, admin)
    assert self_grant["data"]["addPolicy"]["errors"][0]["code"] == "PRIVILEGE_CEILING"
    # the group administrator, the clearance authority, grants it to the person
    policy = await gql(grant, {"t": t, "s": g.users["a-admin"]}, g.token("admin"))
    assert policy["data"]["addPolicy"]["errors"] == []
    after = await gql(CONTENT, variables, admin)
    assert after["data"]["dataAssetContent"]["content"] == "crown jewel"
    viewer = await gql(CONTENT, variables, g.token("a-viewer"))  # the policy was personal
    assert viewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with platform.db.tenant_session(t) as s:
        outcomes = list((await s.execute(select(DataAccessLog.outcome).order_by(
            DataAccessLog.at))).scalars())
    assert outcomes == ["denied", "granted", "denied"]


async def test_quality_rules_score_and_keep_history(platform, gql):
    g = await make_group(platform, "acme")
    t, token = g.ids["acme-a"], g.token("a-admin")
    for code, steward in (("TS-1", "Data"), ("TS-2", "")):
        await gql(CREATE, {"t": t, "i": _asset(code, steward=steward)}, token)
    rule = await gql("""mutation($t: ID!, $i: QualityRuleInput!) { createDataQualityRule(
        tenantId: $t, input: $i) { rule { id } errors { field code } } }""",
                     {"t": t, "i": {"kindKey": "trade_secret", "name": "Steward named",
                                    "dimension": "completeness", "field": "steward",
                                    "threshold": 1.0}}, token)
    rule_id = rule["data"]["createDataQualityRule"]["rule"]["id"]
    bad = await gql("""mutation($t: ID!, $i: QualityRuleInput!) { createDataQualityRule(
        tenantId: $t, input: $i) { rule { id } errors { field } } }""",
                    {"t": t, "i": {"kindKey": "trade_secret", "name": "x",
                                   "dimension": "timeliness"}}, token)
    assert [e["field"] for e in bad["data"]["createDataQualityRule"]["errors"]] == [
        "params.maxAgeDays"]
    evaluate = """mutation($t: ID!) { evaluateDataQuality(tenantId: $t) {
        evaluations { score failing } } }"""
    first = await gql(evaluate, {"t": t}, token)
    assert first["data"]["evaluateDataQuality"]["evaluations"] == [{"score": 0.5, "failing": 1}]
    from ipgov.api import run_job_inline

    job = await run_job_inline(platform, tenant_id=t, kind="data_governance.quality_evaluation",
                               actor=g.users["a-admin"])
    assert job.status == "succeeded" and job.result == {"rules": 1, "with_failing_assets": 1}
    scores = await gql("""query($t: ID!, $r: ID) { dataQualityScores(tenantId: $t, ruleId: $r)
        { edges { node { score source } } } }""", {"t": t, "r": rule_id}, token)
    nodes = [e["node"] for e in scores["data"]["dataQualityScores"]["edges"]]
    assert [n["score"] for n in nodes] == [0.5, 0.5]
    assert nodes[0]["source"] == "request" and nodes[1]["source"].startswith("job:")


def test_screening_finds_a_paraphrase_and_verbatim_copy_but_not_unrelated_text():
    secret = ("Copper pads are bonded at 180 degrees Celsius for 90 minutes after nitrogen "
              "plasma activation. The slurry holds the recess between 2 and 4 nanometres.")
    copied = ("Our line bonds copper pads at 180 degrees Celsius for 90 minutes after nitrogen "
              "plasma activation.")
    unrelated = "The company opened a new office in Munich and hired forty sales people."
    [hit] = screen(copied, {"s": secret})
    assert hit.passages[0].score > 0.6 and 0.4 < hit.coverage < 1  # the recess stays secret
    assert copied[hit.passages[0].start:hit.passages[0].end] == hit.passages[0].text
    assert screen(unrelated, {"s": secret}) == []
    assert [s for s, _, _ in sentences("Too short. 这是一个关于铜键合工艺的句子。")] == [
        "这是一个关于铜键合工艺的句子。"]
