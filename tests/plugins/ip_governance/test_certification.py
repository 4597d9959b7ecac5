"""The GB/T 29490-2023 certification pack: checklist per clause, management reviews, the
printable report in both languages, the evidence zip, and tenant isolation throughout."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from ip_governance.certification.outline import load_outline
from ip_governance.organization import services as org
from ip_governance.risk_assets.models import IpAsset
from ipgov.audit.models import AuditEvent
from ipgov.identity.models import User
from ipgov.reviews.inline import run_inline
from ipgov.web.app import create_app
from tests.conftest import make_group

CHECKLIST = """query($t: ID!, $l: String) { certificationChecklist(tenantId: $t, locale: $l) {
  standard locale present stale missing
  clauses { clause title status reason evidence { kind label status reason count rows } } } }"""
RECORD = """mutation($t: ID!, $i: ManagementReviewInput!) { recordManagementReview(tenantId: $t,
  input: $i) { review { id chair actions heldAt } errors { code field message } } }"""
STATUSES = {"present", "stale", "missing"}


async def _client(platform) -> httpx.AsyncClient:
    app = create_app(platform)
    await platform.authz.start()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def _clauses(result) -> dict[str, dict]:
    assert "errors" not in result, result
    return {c["clause"]: c for c in result["data"]["certificationChecklist"]["clauses"]}


async def _demo_tokens(platform) -> dict[str, str]:
    async with platform.db.system_session("test: demo users") as s:
        users = dict((await s.execute(select(User.email, User.id))).all())
    return {email.split("@")[0]: platform.tokens.issuer.issue(uid).token
            for email, uid in users.items()}


def _url(tenant_id: str, what: str) -> str:
    return f"/plugins/ip_governance/tenants/{tenant_id}/certification/{what}"


async def test_demo_group_pack_lists_every_clause_exports_and_stays_in_its_tenant(platform):
    from ipgov.cli.demo import load_demo

    await load_demo(platform, "demo-password-1")
    ids = {info.slug: info.id for info in platform.authz.directory.values()}
    group, semi = ids["hanwei-group"], ids["hanwei-semiconductor"]
    await run_inline(platform, group)
    async with platform.db.system_session("test: no language preference") as s:
        chen = (await s.execute(select(User).where(User.email.startswith("chen.jing")))).scalar()
        chen.locale = ""  # no preference stored: the browser's Accept-Language decides
        li = (await s.execute(select(User).where(User.email.startswith("li.wei")))).scalar()
        li.locale = "en"  # a stored preference
    tokens = await _demo_tokens(platform)
    outline_ids = [c.id for c in load_outline().clauses]
    async with await _client(platform) as client:
        async def gql(query, variables, token, **headers):
            r = await client.post("/graphql", json={"query": query, "variables": variables},
                                  headers={"authorization": f"Bearer {token}", **headers})
            return r.json()

        en = await gql(CHECKLIST, {"t": group}, tokens["li.wei"])
        zh = await gql(CHECKLIST, {"t": group, "l": "zh-CN"}, tokens["li.wei"])
        header_zh = await gql(CHECKLIST, {"t": group}, tokens["chen.jing"],
                              **{"accept-language": "zh-CN,zh;q=0.9"})
        prefers_en = await gql(CHECKLIST, {"t": group}, tokens["li.wei"],
                               **{"accept-language": "zh-CN,zh;q=0.9"})
        stranger = await gql(CHECKLIST, {"t": group}, tokens["maria.lopez"])
        sibling = await gql(CHECKLIST, {"t": ids["hanwei-medical"]}, tokens["wang.fang"])
        auth = {"authorization": f"Bearer {tokens['li.wei']}"}
        report_en = await client.get(_url(group, "report"), headers=auth)
        report_zh = await client.get(_url(group, "report?lang=zh-CN"), headers=auth)
        pack = await client.get(_url(group, "evidence.zip"), headers=auth)
        semi_pack = await client.get(_url(semi, "evidence.zip"),
                                     headers={"authorization": f"Bearer {tokens['wang.fang']}"})
        denied = [await client.get(_url(group, what), headers={
            "authorization": f"Bearer {tokens[who]}"}) for what in ("report", "evidence.zip")
            for who in ("maria.lopez", "wang.fang")]
        anonymous = await client.get(_url(group, "evidence.zip"))

    clauses = _clauses(en)
    assert list(clauses) == outline_ids and len(outline_ids) == 25
    assert {c["status"] for c in clauses.values()} <= STATUSES
    assert any(c["status"] == "present" for c in clauses.values())
    assert any(c["status"] in ("missing", "stale") for c in clauses.values())
    assert clauses["9.3"]["status"] == "missing"  # no management review recorded yet
    assert clauses["7.5"]["status"] == "present"  # the review verified the audit trail
    assert clauses["8.2"]["evidence"][0]["count"] >= 1  # the group's asset register
    for clause in clauses.values():
        assert clause["reason"] and all(e["status"] in STATUSES for e in clause["evidence"])
    zh_clauses = _clauses(zh)
    assert zh["data"]["certificationChecklist"]["locale"] == "zh-CN"
    assert zh_clauses["9.3"]["title"] == "管理评审" and zh_clauses["9.3"]["reason"] == (
        "缺失：管理评审记录")
    assert _clauses(header_zh)["7.2"]["title"] == "能力"  # Accept-Language, no preference set
    assert _clauses(prefers_en)["7.2"]["title"] == "Competence"  # stored preference wins
    assert stranger["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert sibling["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert stranger["data"] is None and sibling["data"] is None

    assert report_en.status_code == 200 and report_zh.status_code == 200
    assert "GB/T 29490-2023 internal-audit checklist" in report_en.text
    assert "<html lang='zh-CN'>" in report_zh.text and "内部审核检查表" in report_zh.text
    assert all(f"<td>{c}</td>" in report_en.text for c in outline_ids)

    assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(pack.content))
    names = set(archive.namelist())
    assert {"manifest.json", "checklist.csv", "checklist.json", "report-en.html",
            "report-zh-CN.html", "evidence/asset_register.csv"} <= names
    checklist = list(csv.DictReader(io.StringIO(archive.read("checklist.csv").decode())))
    assert {row["clause"] for row in checklist} == set(outline_ids)
    assert all(row["file"] in names for row in checklist)
    reviews_csv = archive.read("evidence/reviews.csv").decode()
    assert "claim_token" not in reviews_csv and "finished_at" in reviews_csv
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tenant_id"] == group and manifest["standard"] == "gbt-29490-2023"
    for name in names:
        if name.endswith(".csv"):
            rows = list(csv.DictReader(io.StringIO(archive.read(name).decode())))
            kind = name.removeprefix("evidence/").removesuffix(".csv")
            if kind in manifest["counts"]:
                assert len(rows) == manifest["counts"][kind], name
            assert all(row.get("tenant_id") in (None, group) for row in rows), name
    async with platform.db.system_session("test: semiconductor assets") as s:
        semi_assets = set((await s.execute(select(IpAsset.id).where(
            IpAsset.tenant_id == semi))).scalars())
    group_assets = {r["id"] for r in csv.DictReader(io.StringIO(
        archive.read("evidence/asset_register.csv").decode()))}
    assert semi_assets and not semi_assets & group_assets  # a subsidiary's data stays out
    semi_zip = zipfile.ZipFile(io.BytesIO(semi_pack.content))
    assert {r["id"] for r in csv.DictReader(io.StringIO(
        semi_zip.read("evidence/asset_register.csv").decode()))} == semi_assets

    assert [r.status_code for r in denied] == [403, 403, 403, 403]
    assert anonymous.status_code == 401
    async with platform.db.system_session("test: audit") as s:
        actions = set((await s.execute(select(AuditEvent.action).where(
            AuditEvent.tenant_id == group))).scalars())
    assert {"ip_governance.certification.evidence_exported",
            "ip_governance.certification.report_viewed"} <= actions


async def test_management_review_is_validated_audited_and_makes_9_3_present(platform, gql):
    group = await make_group(platform, "acme")
    other = await make_group(platform, "globex")
    tid = group.ids["acme-a"]
    before = _clauses(await gql(CHECKLIST, {"t": tid}, group.token("a-admin")))
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    bad = await gql(RECORD, {"t": tid, "i": {"chair": "CEO", "conclusions": "ok",
                                             "heldAt": future}}, group.token("a-admin"))
    empty = await gql(RECORD, {"t": tid, "i": {"chair": "CEO", "conclusions": "  "}},
                      group.token("a-admin"))
    viewer = await gql(RECORD, {"t": tid, "i": {"chair": "x", "conclusions": "y"}},
                       group.token("a-viewer"))
    stranger = await gql(RECORD, {"t": tid, "i": {"chair": "x", "conclusions": "y"}},
                         other.token("admin"))
    ok = await gql(RECORD, {"t": tid, "i": {
        "chair": "Chief Executive", "conclusions": "System suitable; raise training.",
        "participants": ["CEO", "IP director"], "actions": ["Train R&D on FTO"]}},
        group.token("a-admin"))
    after = _clauses(await gql(CHECKLIST, {"t": tid}, group.token("a-viewer")))
    sibling = _clauses(await gql(CHECKLIST, {"t": group.ids["acme-b"]},
                                 group.token("b-admin")))

    assert before["9.3"]["status"] == "missing"
    payload = bad["data"]["recordManagementReview"]
    assert payload["review"] is None and payload["errors"][0]["field"] == "heldAt"
    assert empty["data"]["recordManagementReview"]["errors"][0]["field"] == "conclusions"
    assert viewer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert stranger["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    review = ok["data"]["recordManagementReview"]["review"]
    assert review["chair"] == "Chief Executive" and review["actions"] == ["Train R&D on FTO"]
    assert after["9.3"]["status"] == "present"
    assert after["9.3"]["evidence"][0]["rows"][0]["id"] == review["id"]
    assert sibling["9.3"]["status"] == "missing"  # the sibling's pack does not see it
    async with platform.db.system_session("test: audit") as s:
        events = list((await s.execute(select(AuditEvent).where(
            AuditEvent.tenant_id == tid,
            AuditEvent.action == "ip_governance.certification.management_review"))).scalars())
    assert [e.object_id for e in events] == [review["id"]]  # refused attempts stored nothing


async def test_old_training_is_stale_and_recent_training_present(platform, gql):
    group = await make_group(platform, "acme")
    tid = group.ids["acme-a"]
    old = datetime.now(UTC) - timedelta(days=400)
    async with platform.db.tenant_session(tid) as s:
        await org.record_training(s, tid, topic="IP awareness", held_at=old, attendees_count=12)
    stale = _clauses(await gql(CHECKLIST, {"t": tid}, group.token("a-admin")))["7.2"]
    async with platform.db.tenant_session(tid) as s:
        await org.record_training(s, tid, topic="FTO basics", attendees_count=8)
    fresh = _clauses(await gql(CHECKLIST, {"t": tid}, group.token("a-admin")))["7.2"]
    assert stale["status"] == "stale" and stale["reason"] == "stale: training records"
    assert "older than 365 days" in stale["evidence"][0]["reason"]
    assert fresh["status"] == "present" and fresh["evidence"][0]["count"] == 2
    assert fresh["evidence"][0]["rows"][0]["topic"] == "FTO basics"  # newest first
