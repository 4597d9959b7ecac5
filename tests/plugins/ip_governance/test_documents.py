"""Controlled documents: approval in sequence and by quorum with separation of duties,
superseded versions kept read-only, group documents inherited per governance mode,
acknowledgements by role, the three review checks, and tenant isolation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ipgov.reviews.inline import run_inline
from ipgov.reviews.models import Finding
from tests.conftest import Group, make_group
from tests.plugins.ip_governance.evidence_support import PDF, client_of, gql, upload

CREATE = """mutation($t: ID!, $i: ControlledDocumentInput!) { createControlledDocument(
  tenantId: $t, input: $i) { document { id code imposed inherited } errors { code } } }"""
VERSION = """mutation($t: ID!, $i: DocumentVersionInput!) { addDocumentVersion(tenantId: $t,
  input: $i) { version { id number status quorum } errors { code field } } }"""
DECIDE = """mutation($t: ID!, $v: ID!, $a: Boolean!) { decideDocumentVersion(tenantId: $t,
  versionId: $v, approve: $a) { version { id status decisions { approver decision } }
  errors { code } } }"""
ACK = """mutation($t: ID!, $v: ID!) { acknowledgeDocument(tenantId: $t, versionId: $v) {
  versionId errors { code } } }"""
DOCS = """query($t: ID!) { controlledDocuments(tenantId: $t) { edges { node { id code
  inherited } } } }"""
VERSIONS = """query($t: ID!, $d: ID!) { documentVersions(tenantId: $t, documentId: $d) { id
  number status acknowledgements } }"""


async def _add_user(platform, group: Group, name: str, slug: str, role: str) -> None:
    from ipgov.identity.service import add_membership, create_user

    async with platform.db.system_session("test: one more user") as s:
        u = await create_user(s, email=f"{name}@{slug}.example", display_name=name)
        await add_membership(platform, s, tenant_id=group.ids[slug], user_id=u.id, role=role,
                             actor="test")
    group.users[name] = u.id
    await platform.authz.refresh()


def _input(doc_id, evidence_id, approvers, mode="sequence", quorum=None, effective=0,
           review=365, distribution=()):
    today = date.today()
    return {"documentId": doc_id, "evidenceId": evidence_id, "approvers": approvers,
            "approvalMode": mode, "quorum": quorum, "distribution": list(distribution),
            "effectiveOn": (today + timedelta(days=effective)).isoformat(),
            "reviewDueOn": (today + timedelta(days=review)).isoformat()}


class Desk:
    """A client acting as the group's users in one tenant."""

    def __init__(self, client, group: Group, tenant: str) -> None:
        self.client, self.group, self.tenant = client, group, tenant
        self._files = 0

    async def __call__(self, user: str, query: str, **variables):
        return await gql(self.client, self.group.token(user), query, **variables)

    async def document(self, user: str, code: str, **extra) -> dict:
        r = await self(user, CREATE, t=self.tenant, i={"code": code, "title": f"{code} title",
                                                       "kind": "procedure", **extra})
        return r["data"]["createControlledDocument"]

    async def file(self, user: str) -> str:
        self._files += 1
        r = await upload(self.client, self.group.token(user), self.tenant,
                         PDF + f"% {self._files}\n".encode())
        return r.json()["id"]

    async def version(self, user: str, doc_id: str, approvers: list[str], **kw) -> dict:
        r = await self(user, VERSION, t=self.tenant, i=_input(
            doc_id, await self.file(user), [self.group.users[a] for a in approvers], **kw))
        return r["data"]["addDocumentVersion"]

    async def decide(self, user: str, version_id: str, approve: bool = True) -> dict:
        r = await self(user, DECIDE, t=self.tenant, v=version_id, a=approve)
        return r["data"]["decideDocumentVersion"] if r.get("data") else r


def _code(payload: dict) -> str | None:
    if "errors" in payload and isinstance(payload["errors"], list) and payload["errors"] and \
            "extensions" in payload["errors"][0]:
        return payload["errors"][0]["extensions"]["code"]
    return payload["errors"][0]["code"] if payload.get("errors") else None


async def test_sequence_approval_separation_of_duties_and_read_only_history(platform):
    acme = await make_group(platform, "acme")
    await _add_user(platform, acme, "a-manager", "acme-a", "ip_manager")
    await _add_user(platform, acme, "a-contrib", "acme-a", "contributor")
    async with client_of(platform) as client:
        desk = Desk(client, acme, acme.ids["acme-a"])
        doc = (await desk.document("a-manager", "IPP-1"))["document"]
        own = await desk.version("a-manager", doc["id"], ["a-manager", "a-admin"])
        v1 = (await desk.version("a-manager", doc["id"], ["a-admin", "a-contrib"]))["version"]
        by_author = await desk.decide("a-manager", v1["id"])
        out_of_turn = await desk.decide("a-contrib", v1["id"])
        not_listed = await desk.decide("admin", v1["id"])
        no_right = await desk.decide("a-viewer", v1["id"])
        first = await desk.decide("a-admin", v1["id"])
        twice = await desk.decide("a-admin", v1["id"])
        second = await desk.decide("a-contrib", v1["id"])
        v2 = (await desk.version("a-manager", doc["id"], ["a-admin"]))["version"]
        await desk.decide("a-admin", v2["id"])
        late = await desk.decide("a-contrib", v1["id"], approve=False)
        history = await desk("a-viewer", VERSIONS, t=desk.tenant, d=doc["id"])
    assert _code(own) == "DOCUMENT_AUTHOR_CANNOT_APPROVE"
    assert v1["status"] == "in_approval" and v1["quorum"] == 2
    assert _code(by_author) == "DOCUMENT_AUTHOR_CANNOT_APPROVE"
    assert _code(out_of_turn) == "DOCUMENT_APPROVAL_OUT_OF_SEQUENCE"
    assert _code(not_listed) == "DOCUMENT_NOT_AN_APPROVER"
    assert _code(no_right) == "FORBIDDEN"
    assert first["version"]["status"] == "in_approval"
    assert _code(twice) == "DOCUMENT_ALREADY_DECIDED"
    assert second["version"]["status"] == "approved"
    assert [d["decision"] for d in second["version"]["decisions"]] == ["approve", "approve"]
    assert _code(late) == "DOCUMENT_VERSION_READ_ONLY"
    assert [(v["number"], v["status"]) for v in history["data"]["documentVersions"]] == [
        (2, "approved"), (1, "superseded")]


async def test_quorum_approval_and_rejection(platform):
    acme = await make_group(platform, "acme")
    await _add_user(platform, acme, "a-manager", "acme-a", "ip_manager")
    await _add_user(platform, acme, "a-contrib", "acme-a", "contributor")
    async with client_of(platform) as client:
        desk = Desk(client, acme, acme.ids["acme-a"])
        doc = (await desk.document("a-manager", "IPP-2"))["document"]
        trio = ["a-admin", "a-contrib", "admin"]
        v = (await desk.version("a-manager", doc["id"], trio, mode="quorum", quorum=2))["version"]
        bad_quorum = await desk.version("a-manager", doc["id"], trio, mode="quorum", quorum=4)
        no_first = await desk.decide("a-contrib", v["id"], approve=False)
        one = await desk.decide("admin", v["id"])
        two = await desk.decide("a-admin", v["id"])
        r = (await desk.version("a-manager", doc["id"], trio, mode="quorum", quorum=2))["version"]
        await desk.decide("a-admin", r["id"], approve=False)
        rejected = await desk.decide("admin", r["id"], approve=False)
    assert v["quorum"] == 2 and _code(bad_quorum) == "INVALID_INPUT"
    assert no_first["version"]["status"] == "in_approval"  # in any order, a no is one vote
    assert one["version"]["status"] == "in_approval"
    assert two["version"]["status"] == "approved"
    assert rejected["version"]["status"] == "rejected"  # one open vote cannot reach two


async def _imposed(desk: Desk, admin: str = "admin") -> tuple[str, str]:
    made = await desk.document(admin, "GRP-1", imposed=True)
    doc = made["document"]
    v = (await desk.version(admin, doc["id"], ["g-manager"]))["version"]
    return doc["id"], v["id"]


async def test_group_documents_apply_per_governance_mode(platform):
    acme = await make_group(platform, "acme", "hybrid")
    globex = await make_group(platform, "globex", "centralized")
    initech = await make_group(platform, "initech", "decentralized")
    for grp in (acme, globex):
        await _add_user(platform, grp, "g-manager", next(iter(grp.ids)), "ip_manager")
    await _add_user(platform, acme, "a-contrib", "acme-a", "contributor")
    await _add_user(platform, globex, "a-contrib", "globex-a", "contributor")
    async with client_of(platform) as client:
        a, g, i = (Desk(client, grp, grp.ids[f"{p}-a"])
                   for grp, p in ((acme, "acme"), (globex, "globex"), (initech, "initech")))
        acme_doc, acme_v = await _imposed(Desk(client, acme, acme.ids["acme"]))
        globex_doc, _ = await _imposed(Desk(client, globex, globex.ids["globex"]))
        refused = await Desk(client, initech, initech.ids["initech"]).document(
            "admin", "GRP-1", imposed=True)
        sub_imposes = await a.document("a-admin", "SUB-1", imposed=True)
        replace_hybrid = await a.document("a-admin", "GRP-1")
        supplement = await a.document("a-admin", "GRP-1-S", supplementsId=acme_doc)
        replace_central = await g.document("a-admin", "GRP-1")
        supplement_central = await g.document("a-admin", "GRP-1-S", supplementsId=globex_doc)
        own_decentral = await i.document("a-admin", "GRP-1")
        seen_a = await a("a-viewer", DOCS, t=a.tenant)
        seen_g = await g("a-viewer", DOCS, t=g.tenant)
        seen_i = await i("a-viewer", DOCS, t=i.tenant)
        not_yet = await a("a-contrib", ACK, t=a.tenant, v=acme_v)
        # the group approves its manual: now in force in the hybrid subsidiary
        await Desk(client, acme, acme.ids["acme"]).decide("g-manager", acme_v)
        ack = await a("a-contrib", ACK, t=a.tenant, v=acme_v)
        again = await a("a-contrib", ACK, t=a.tenant, v=acme_v)
        foreign = await g("a-contrib", ACK, t=g.tenant, v=acme_v)
        foreign_versions = await g("a-viewer", VERSIONS, t=g.tenant, d=acme_doc)
        group_versions = await a("a-viewer", VERSIONS, t=a.tenant, d=acme_doc)
    assert _code(refused) == "DOCUMENT_IMPOSE_NOT_ALLOWED"
    assert _code(sub_imposes) == "DOCUMENT_IMPOSE_NOT_ALLOWED"  # acme-a governs nobody
    assert _code(replace_hybrid) == "DOCUMENT_IMPOSED_BY_GROUP"
    assert supplement["errors"] == []
    assert _code(replace_central) == "DOCUMENT_IMPOSED_BY_GROUP"
    assert _code(supplement_central) == "DOCUMENT_SUPPLEMENT_NOT_ALLOWED"
    assert own_decentral["errors"] == []
    def codes(r):
        return sorted((e["node"]["code"], e["node"]["inherited"])
                      for e in r["data"]["controlledDocuments"]["edges"])
    assert codes(seen_a) == [("GRP-1", True), ("GRP-1-S", False)]
    assert codes(seen_g) == [("GRP-1", True)]
    assert codes(seen_i) == [("GRP-1", False)]  # its own; the group's impose nothing here
    assert _code(not_yet["data"]["acknowledgeDocument"]) == "DOCUMENT_NOT_IN_FORCE"
    assert ack["data"]["acknowledgeDocument"]["versionId"] == acme_v, ack
    assert _code(again["data"]["acknowledgeDocument"]) == "DOCUMENT_ALREADY_ACKNOWLEDGED"
    assert _code(foreign["data"]["acknowledgeDocument"]) == "DOCUMENT_NOT_FOUND"
    assert foreign_versions["data"]["documentVersions"] == []
    assert group_versions["data"]["documentVersions"][0]["acknowledgements"] == 1


async def _findings(platform, tenant_id: str) -> dict[str, list[Finding]]:
    await run_inline(platform, tenant_id)
    async with platform.db.tenant_session(tenant_id, readonly=True) as s:
        rows = (await s.execute(select(Finding).where(
            Finding.check_id.like("ip_governance.documents.%")))).scalars()
        found: dict[str, list[Finding]] = {}
        for f in rows:
            found.setdefault(f.check_id.rsplit(".", 1)[1], []).append(f)
        return found


async def test_checks_find_overdue_reviews_unapproved_versions_and_missing_readers(platform):
    acme = await make_group(platform, "acme")
    await _add_user(platform, acme, "a-contrib", "acme-a", "contributor")
    await _add_user(platform, acme, "a-contrib2", "acme-a", "contributor")
    async with client_of(platform) as client:
        desk = Desk(client, acme, acme.ids["acme-a"])
        before = await _findings(platform, desk.tenant)
        stale = (await desk.document("a-admin", "OLD-1"))["document"]
        v = (await desk.version("a-admin", stale["id"], ["admin"], effective=-400,
                                review=-10, distribution=["contributor"]))["version"]
        await desk.decide("admin", v["id"])
        pending = (await desk.document("a-admin", "NEW-1"))["document"]
        await desk.version("a-admin", pending["id"], ["admin"], effective=-1)
        future = (await desk.document("a-admin", "NEXT-1"))["document"]
        await desk.version("a-admin", future["id"], ["admin"], effective=30)
        await desk("a-contrib", ACK, t=desk.tenant, v=v["id"])
        found = await _findings(platform, desk.tenant)
    assert before == {}  # nothing recorded: not assessed, no finding
    assert [f.object_id for f in found["past_review"]] == [stale["id"]]
    assert [f.object_id for f in found["unapproved_in_force"]] == [pending["id"]]
    missing = found["not_acknowledged"]
    assert len(missing) == 1 and missing[0].evidence["users_missing"] == [
        acme.users["a-contrib2"]]
    assert "contributor" in missing[0].title


async def test_demo_group_has_a_manual_and_two_procedures_whose_files_verify(platform, backend):
    if backend != "sqlite":
        pytest.skip("the demo is loaded once, on SQLite (it reads the same rows on PostgreSQL)")
    from ipgov.cli.demo import load_demo
    from ipgov.identity.models import User

    await load_demo(platform, "demo-password-1")
    ids = {info.slug: info.id for info in platform.authz.directory.values()}
    async with platform.db.system_session("test: demo users") as s:
        users = dict((await s.execute(select(User.email, User.id))).all())
    token = platform.tokens.issuer.issue(users["wang.fang@hanwei.example"]).token
    semi = ids["hanwei-semiconductor"]
    verify = "query($t: ID!, $id: ID!) { verifyEvidence(tenantId: $t, id: $id) { status } }"
    async with client_of(platform) as client:
        docs = await gql(client, token, DOCS, t=semi)
        by_code = {e["node"]["code"]: e["node"] for e in docs["data"][
            "controlledDocuments"]["edges"]}
        manual = await gql(client, token, VERSIONS, t=semi, d=by_code["HW-IPM-001"]["id"])
        local = await gql(client, token, VERSIONS, t=semi,
                          d=by_code["HW-SEMI-IPP-002-S"]["id"])
        local_file = local["data"]["documentVersions"][0]
        evidence = await gql(client, token, """query($t: ID!) { evidenceFiles(tenantId: $t) {
          edges { node { id } } } }""", t=semi)
        checks = [await gql(client, token, verify, t=semi, id=e["node"]["id"])
                  for e in evidence["data"]["evidenceFiles"]["edges"]]
    assert sorted(by_code) == ["HW-IPM-001", "HW-IPP-002", "HW-SEMI-IPP-002-S"]
    assert by_code["HW-IPM-001"]["inherited"] and not by_code["HW-SEMI-IPP-002-S"]["inherited"]
    assert [(v["number"], v["status"], v["acknowledgements"])
            for v in manual["data"]["documentVersions"]] == [(3, "in_approval", 0),
                                                              (2, "approved", 1),
                                                              (1, "superseded", 0)]
    assert local_file["status"] == "approved"
    assert checks and all(c["data"]["verifyEvidence"]["status"] == "intact" for c in checks)
    found = await _findings(platform, semi)
    assert [f.object_id for f in found["past_review"]] == [by_code["HW-SEMI-IPP-002-S"]["id"]]
    assert any("contributor" in f.title for f in found["not_acknowledged"])
