"""data_governance lifecycle (sweep jobs, destruction only after a second person approves),
the solution <-> IP mapping through ``list_ip_objects``, pre-publication checks through
``screen_text``, every check firing in the demo, and the tenant boundary (other group and
sibling) on every root field the plugin adds."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from data_governance import checks as dg_checks
from data_governance.catalog.models import DataAsset, DataAssetContent
from data_governance.demo import BLOG_DRAFT
from data_governance.mapping.models import IpInventoryItem
from ipgov.api import run_job_inline
from tests.conftest import make_group

CREATE = """mutation($t: ID!, $i: DataAssetInput!) { createDataAsset(tenantId: $t, input: $i) {
  asset { id } errors { code field message } } }"""
DECIDE = """mutation($t: ID!, $id: ID!, $a: Boolean!) { decideDataAssetDestruction(tenantId: $t,
  id: $id, approve: $a) { request { status decisions { by } } errors { code } } }"""
REQUESTS = """query($t: ID!) { dataDestructionRequests(tenantId: $t) { edges { node { id status
  requiredApprovals requestedBy } } } }"""
SWEEP = "data_governance.lifecycle_sweep"


def _secret(code: str, **kw):
    return {"code": code, "kind": "trade_secret", "title": f"Secret {code}", "owner": "IP",
            "steward": "Data", "classification": "confidential", **kw}


async def _asset(platform, tenant_id):
    async with platform.db.tenant_session(tenant_id) as s:
        a = (await s.execute(select(DataAsset))).scalar_one()
        content = (await s.execute(select(DataAssetContent))).scalars().all()
        return a, content


async def test_retention_end_never_deletes_without_two_other_people(platform, gql):
    g = await make_group(platform, "acme")
    t = g.ids["acme-a"]
    start = (date.today() - timedelta(days=500)).isoformat()
    await gql(CREATE, {"t": t, "i": _secret("TS-1", retentionMonths=12, retentionStartsOn=start,
                                            legalBasis="contract end + 1 year",
                                            content="old recipe")}, g.token("a-admin"))
    job = await run_job_inline(platform, tenant_id=t, kind=SWEEP, actor="scheduler")
    assert job.status == "succeeded", job.failure
    assert job.result == {"destroyed": 0, "archived": 0, "flagged": 1}
    again = await run_job_inline(platform, tenant_id=t, kind=SWEEP, actor="scheduler")
    assert again.result["flagged"] == 0  # idempotent: one request only
    asset, content = await _asset(platform, t)
    assert asset.destroyed_at is None and len(content) == 1  # flagged, not deleted
    [req] = [e["node"] for e in (await gql(REQUESTS, {"t": t}, g.token("admin")))
             ["data"]["dataDestructionRequests"]["edges"]]
    assert (req["status"], req["requiredApprovals"]) == ("pending", 2)
    first = await gql(DECIDE, {"t": t, "id": req["id"], "a": True}, g.token("a-admin"))
    assert first["data"]["decideDataAssetDestruction"]["request"]["status"] == "pending"
    twice = await gql(DECIDE, {"t": t, "id": req["id"], "a": True}, g.token("a-admin"))
    assert twice["data"]["decideDataAssetDestruction"]["errors"][0]["code"] == (
        "SECOND_PERSON_REQUIRED")
    await run_job_inline(platform, tenant_id=t, kind=SWEEP, actor="scheduler")
    asset, content = await _asset(platform, t)
    assert asset.destroyed_at is None and len(content) == 1  # one approval is not enough
    second = await gql(DECIDE, {"t": t, "id": req["id"], "a": True}, g.token("admin"))
    assert second["data"]["decideDataAssetDestruction"]["request"]["status"] == "approved"
    done = await run_job_inline(platform, tenant_id=t, kind=SWEEP, actor="scheduler")
    assert done.result["destroyed"] == 1
    asset, content = await _asset(platform, t)
    assert content == [] and asset.lifecycle_stage == "destroy"  # purged, tombstone kept
    assert asset.code == "TS-1"
    assert asset.destroyed_by == f"{g.users['a-admin']}, {g.users['admin']}"
    from ipgov.audit.models import AuditEvent

    async with platform.db.tenant_session(t) as s:
        actions = set((await s.execute(select(AuditEvent.action).where(
            AuditEvent.object_id == asset.id))).scalars())
    assert {"data_governance.asset.flagged_for_destruction",
            "data_governance.asset.destroyed"} <= actions


async def test_person_request_needs_someone_else_and_destroy_is_no_transition(platform, gql):
    g = await make_group(platform, "acme")
    t, admin = g.ids["acme-a"], g.token("a-admin")
    asset_id = (await gql(CREATE, {"t": t, "i": _secret("TS-1")}, admin))[
        "data"]["createDataAsset"]["asset"]["id"]
    direct = await gql("""mutation($t: ID!, $id: ID!) { transitionDataAsset(tenantId: $t,
        id: $id, stage: "destroy") { errors { code } } }""", {"t": t, "id": asset_id}, admin)
    assert direct["data"]["transitionDataAsset"]["errors"][0]["code"] == "APPROVAL_REQUIRED"
    req = await gql("""mutation($t: ID!, $a: ID!) { requestDataAssetDestruction(tenantId: $t,
        assetId: $a, reason: "superseded") { request { id requiredApprovals } } }""",
                    {"t": t, "a": asset_id}, admin)
    request = req["data"]["requestDataAssetDestruction"]["request"]
    assert request["requiredApprovals"] == 1
    own = await gql(DECIDE, {"t": t, "id": request["id"], "a": True}, admin)
    assert own["data"]["decideDataAssetDestruction"]["errors"][0]["code"] == (
        "SECOND_PERSON_REQUIRED")


async def test_links_are_validated_through_list_ip_objects_and_gaps_found(platform, gql):
    g = await make_group(platform, "acme")
    t, admin = g.ids["acme-a"], g.token("a-admin")
    secret_id = (await gql(CREATE, {"t": t, "i": _secret("TS-1")}, admin))[
        "data"]["createDataAsset"]["asset"]["id"]
    sol = await gql("""mutation($t: ID!) { createTechnicalSolution(tenantId: $t, input: {
        code: "SOL-1", title: "Bonding", sourceKind: "product"}) { solution { id } } }""",
                    {"t": t}, admin)
    sol_id = sol["data"]["createTechnicalSolution"]["solution"]["id"]
    link = """mutation($t: ID!, $s: ID!, $o: String!) { linkTechnicalSolution(tenantId: $t,
        solutionId: $s, plugin: "data_governance", objectId: $o) { link { ref objectKind }
        errors { code field } } }"""
    missing = await gql(link, {"t": t, "s": sol_id, "o": "no-such-id"}, admin)
    assert missing["data"]["linkTechnicalSolution"]["errors"][0]["code"] == "IP_OBJECT_NOT_FOUND"
    ok = await gql(link, {"t": t, "s": sol_id, "o": secret_id}, admin)
    assert ok["data"]["linkTechnicalSolution"]["link"] == {"ref": "TS-1",
                                                           "objectKind": "trade_secret"}
    sibling = await gql(link, {"t": g.ids["acme-b"], "s": sol_id, "o": secret_id},
                        g.token("b-admin"))  # the sibling's hook call cannot see acme-a
    assert sibling["data"]["linkTechnicalSolution"]["errors"][0]["code"] == "IP_OBJECT_NOT_FOUND"
    job = await run_job_inline(platform, tenant_id=t, kind="data_governance.ip_inventory_sync",
                               actor="scheduler")
    assert job.result == {"objects": 1, "new": 0, "dropped": 0}
    async with platform.db.system_session("test: a patent reported by another plugin") as s:
        s.add(IpInventoryItem(tenant_id=t, plugin="patent_search", object_id="p1",
                              kind="patent", ref="CN1234567B", title="Bonding patent"))
    from tests.plugins.data_governance.helpers import run_check

    gaps = await run_check(platform, t, dg_checks.patents_without_product)
    assert [f.key for f in gaps] == ["patent_search:p1"]
    assert await run_check(platform, t, dg_checks.unprotected_solutions) == []
    assert await run_check(platform, t, dg_checks.secrets_without_solution) == []


async def test_publication_check_finds_leak_stores_and_withholds_words(platform, gql):
    from data_governance.demo import BONDING_RECIPE

    g = await make_group(platform, "acme")
    t, admin = g.ids["acme-a"], g.token("a-admin")
    await gql(CREATE, {"t": t, "i": _secret("TS-1", content=BONDING_RECIPE)}, admin)
    submit = """mutation($t: ID!, $x: String!) { submitPublicationCheck(tenantId: $t,
        title: "Blog", text: $x) { check { id verdict leakScore matches { ref risk
        passages { matched score } } } errors { code field } } }"""
    body = await gql(submit, {"t": t, "x": BLOG_DRAFT}, admin)
    check = body["data"]["submitPublicationCheck"]["check"]
    assert check["verdict"] in ("review", "block") and check["leakScore"] >= 0.35
    [match] = check["matches"]
    assert (match["ref"], match["risk"]) == ("TS-1", "secret_disclosure")
    assert "180 degrees Celsius" in match["passages"][0]["matched"]
    listed = await gql("""query($t: ID!) { publicationChecks(tenantId: $t) { edges { node {
        id text matches { passages { matched } } risks { risk protectedMatch } } } } }""",
                       {"t": t}, g.token("a-viewer"))
    [node] = [e["node"] for e in listed["data"]["publicationChecks"]["edges"]]
    assert node["id"] == check["id"] and node["matches"] == []
    assert {"risk": "secret_disclosure", "protectedMatch": True} in node["risks"]
    assert "180" not in str(node)  # the viewer is not cleared for confidential
    empty = await gql(submit, {"t": t, "x": " "}, admin)
    assert empty["data"]["submitPublicationCheck"]["errors"][0]["field"] == "text"


async def test_sibling_cannot_read_or_write_through_any_data_governance_field(platform, gql):
    from tests.contract.test_graphql_contract import _operation, _schema, _targets_tenant

    g = await make_group(platform, "acme")
    await gql(CREATE, {"t": g.ids["acme-a"], "i": _secret("TS-A")}, g.token("a-admin"))
    schema = _schema(platform)._schema
    probed = []
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        for name, field in root.fields.items():
            owner = getattr(field.extensions.get("strawberry-definition"), "origin", None)
            if not _targets_tenant(field) or "data_governance" not in str(
                    getattr(owner, "__module__", "")):
                continue
            query, variables = _operation(kind, name, field, g.ids["acme-a"])
            body = (await gql.post(query, variables, token=g.token("b-admin"))).json()
            codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
            assert "FORBIDDEN" in codes, (name, body)
            probed.append(name)
    assert {"dataAssets", "dataAssetContent", "createDataAsset", "submitPublicationCheck",
            "linkTechnicalSolution", "decideDataAssetDestruction"} <= set(probed)
    async with platform.db.tenant_session(g.ids["acme-a"]) as s:
        assert [a.code for a in (await s.execute(select(DataAsset))).scalars()] == ["TS-A"]
    own = await gql("""query($t: ID!) { dataAssets(tenantId: $t) { edges { node { code } } } }""",
                    {"t": g.ids["acme-b"]}, g.token("b-admin"))
    assert own["data"]["dataAssets"]["edges"] == []
