"""Evidence files: stored once per tenant by SHA-256 with the hash in the audit chain, typed
by their content, downloadable only through the platform's authorization, verified against
the chain, and never visible from another tenant (by id, by hash or by storage key)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select

from ip_governance.certification.models import ManagementReview
from ip_governance.evidence.models import EvidenceAttachment, EvidenceFile
from ipgov.audit.models import AuditEvent
from tests.conftest import make_group
from tests.plugins.ip_governance.evidence_support import (
    EXE,
    PDF,
    PNG,
    client_of,
    docx,
    evidence_url,
    gql,
    platform_with,
    upload,
)

FILE = """query($t: ID!, $id: ID!) { evidenceFile(tenantId: $t, id: $id) { id sha256 size
  mediaType kind validUntil scanStatus downloadUrl attachments { objectType objectId } } }"""
VERIFY = """query($t: ID!, $id: ID!) { verifyEvidence(tenantId: $t, id: $id) { ok status
  expectedSha256 actualSha256 recordedSha256 } }"""
ATTACH = """mutation($t: ID!, $e: ID!, $ot: String!, $oi: String!) { attachEvidence(tenantId: $t,
  evidenceId: $e, objectType: $ot, objectId: $oi) { attachment { id verified }
  errors { code message } } }"""
LIST = """query($t: ID!, $ot: String, $oi: String) { evidenceFiles(tenantId: $t, objectType: $ot,
  objectId: $oi) { edges { node { id sha256 } } } }"""


def _store_root(platform) -> Path:
    return Path(platform.settings.data_dir) / "evidence-store" / "evidence"


async def _count(platform, tenant_id, model) -> int:
    async with platform.db.tenant_session(tenant_id, readonly=True) as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_upload_is_stored_once_by_hash_and_audited_with_it(platform):
    acme = await make_group(platform, "acme")
    a = acme.ids["acme-a"]
    async with client_of(platform) as client:
        first = await upload(client, acme.token("a-admin"), a, PDF, kind="certificate",
                             title="CNIPA certificate")
        again = await upload(client, acme.token("a-admin"), a, PDF, filename="copy.pdf")
        node = await gql(client, acme.token("a-viewer"), FILE, t=a, id=first.json()["id"])
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest() and body["size"] == len(PDF)
    assert body["mediaType"] == "application/pdf" and body["scanStatus"] == "not_scanned"
    assert again.status_code == 200 and again.json() == {**body, "deduplicated": True}
    got = node["data"]["evidenceFile"]
    assert got["kind"] == "certificate" and got["validUntil"]  # certificates expire (kinds.yaml)
    assert got["scanStatus"] == "not_scanned"
    assert (_store_root(platform) / a / body["sha256"]).read_bytes() == PDF
    assert await _count(platform, a, EvidenceFile) == 1
    async with platform.db.tenant_session(a, readonly=True) as s:
        event = (await s.execute(select(AuditEvent).where(
            AuditEvent.action == "ip_governance.evidence.stored"))).scalar_one()
    assert event.details["sha256"] == body["sha256"] and event.object_id == body["id"]


async def test_the_content_decides_the_type_and_limits_hold(settings):
    async with platform_with(settings, IPGOV_EVIDENCE_MAX_BYTES="4096") as platform:
        acme = await make_group(platform, "acme")
        a, token = acme.ids["acme-a"], acme.token("a-admin")
        async with client_of(platform) as client:
            exe = await upload(client, token, a, EXE, filename="invoice.pdf")
            png_as_pdf = await upload(client, token, a, PNG, filename="scan.pdf")
            bad_name = await upload(client, token, a, PDF, filename="../../etc/x.pdf")
            unknown_ext = await upload(client, token, a, PDF, filename="x.exe")
            large = await upload(client, token, a, PDF + b"0" * 5000, filename="big.pdf")
            zh = await client.put(evidence_url(a), content=EXE, params={"filename": "a.pdf"},
                                  headers={"authorization": f"Bearer {token}",
                                           "accept-language": "zh-CN"})
            word = await upload(client, token, a, docx(), filename="procedure.docx")
        assert (exe.status_code, exe.json()["code"]) == (400, "EVIDENCE_TYPE_NOT_ALLOWED")
        assert png_as_pdf.json()["code"] == "EVIDENCE_TYPE_MISMATCH"
        assert bad_name.json()["code"] == "EVIDENCE_FILENAME_INVALID"
        assert unknown_ext.json()["code"] == "EVIDENCE_TYPE_NOT_ALLOWED"
        assert (large.status_code, large.json()["code"]) == (413, "EVIDENCE_TOO_LARGE")
        assert "不接受" in zh.json()["message"]
        assert word.status_code == 201 and word.json()["mediaType"].endswith(
            "wordprocessingml.document")
        assert await _count(platform, a, EvidenceFile) == 1  # only the docx
        stored = list(_store_root(platform).rglob("*"))
        assert [p.name for p in stored if p.is_file()] == [word.json()["sha256"]]
        incoming = Path(platform.settings.data_dir) / "evidence-incoming"
        assert list(incoming.iterdir()) == []


async def test_another_tenant_reaches_no_file_by_id_hash_or_key(platform):
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    a, b, g = acme.ids["acme-a"], acme.ids["acme-b"], globex.ids["globex-a"]
    async with client_of(platform) as client:
        mine = (await upload(client, acme.token("a-admin"), a, PDF)).json()
        theirs = await upload(client, globex.token("a-admin"), g, PDF)
        sibling = await upload(client, acme.token("b-admin"), b, PDF)
        assert theirs.status_code == 201 and sibling.status_code == 201  # dedup stays inside
        assert len({mine["id"], theirs.json()["id"], sibling.json()["id"]}) == 3
        auth = {"authorization": f"Bearer {globex.token('a-admin')}"}
        under_mine = await client.get(evidence_url(a, mine["id"]), headers=auth)
        under_theirs = await client.get(evidence_url(g, mine["id"]), headers=auth)
        by_graphql = await gql(client, globex.token("a-admin"), FILE, t=g, id=mine["id"])
        verify = await gql(client, globex.token("a-admin"), VERIFY, t=g, id=mine["id"])
        crossing = await gql(client, globex.token("a-admin"), FILE, t=a, id=mine["id"])
        owner = await client.get(evidence_url(a, mine["id"]),
                                 headers={"authorization": f"Bearer {acme.token('a-viewer')}"})
        link = (await gql(client, acme.token("a-viewer"), FILE, t=a, id=mine["id"]))
        url = link["data"]["evidenceFile"]["downloadUrl"]
        by_link = await client.get(url)
        other_path = url.replace(mine["id"], theirs.json()["id"]).replace(a, g)
        link_elsewhere = await client.get(other_path)
    assert under_mine.status_code == 403  # not the caller's tenant: refused before any lookup
    assert under_theirs.status_code == 404 and under_theirs.json()["code"] == \
        "EVIDENCE_NOT_FOUND"
    assert by_graphql["data"]["evidenceFile"] is None
    assert verify["data"]["verifyEvidence"] is None
    assert crossing["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert owner.status_code == 200 and owner.content == PDF
    assert owner.headers["content-disposition"].startswith("attachment")
    assert owner.headers["x-content-type-options"] == "nosniff"
    assert by_link.status_code == 200 and by_link.content == PDF
    assert link_elsewhere.status_code == 401  # a link opens the one path it was made for
    keys = sorted(p.relative_to(_store_root(platform)).parts[0]
                  for p in _store_root(platform).rglob("*") if p.is_file())
    assert keys == sorted([a, b, g])  # one object per tenant, under the tenant's own id
    async with platform.db.tenant_session(g, readonly=True) as s:
        downloads = (await s.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "ip_governance.evidence.downloaded"))).scalar_one()
    assert downloads == 0  # the refused reads served nothing


async def test_a_tampered_stored_file_is_detected_by_graphql_and_the_cli(platform, backend):
    acme = await make_group(platform, "acme")
    a = acme.ids["acme-a"]
    async with client_of(platform) as client:
        stored = (await upload(client, acme.token("a-admin"), a, PDF)).json()
        intact = await gql(client, acme.token("a-viewer"), VERIFY, t=a, id=stored["id"])
        (_store_root(platform) / a / stored["sha256"]).write_bytes(PDF.replace(b"1.4", b"1.7"))
        tampered = await gql(client, acme.token("a-viewer"), VERIFY, t=a, id=stored["id"])
    assert intact["data"]["verifyEvidence"]["status"] == "intact"
    found = tampered["data"]["verifyEvidence"]
    assert found["ok"] is False and found["status"] == "tampered"
    assert found["recordedSha256"] == found["expectedSha256"] != found["actualSha256"]
    if backend != "sqlite":
        return  # the command reads the same rows; run it once
    env = {**os.environ, "IPGOV_DATA_DIR": str(platform.settings.data_dir),
           "IPGOV_DATABASE_URL": platform.settings.database_url,
           "PYTHONPATH": os.pathsep.join(sys.path)}
    done = await asyncio.to_thread(subprocess.run, [
        sys.executable, "-m", "ipgov.cli.main", "evidence", "verify", "--tenant", "acme-a"],
        env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert f"tampered: {stored['id']}" in done.stderr
    assert "1 evidence files checked, 1 not intact" in done.stdout


async def test_attachments_reach_records_of_the_tenant_only(platform):
    acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
    a, g = acme.ids["acme-a"], globex.ids["globex-a"]
    from datetime import UTC, datetime

    async with platform.db.tenant_session(g) as s:
        foreign = ManagementReview(tenant_id=g, held_at=datetime.now(UTC), chair="x",
                                   conclusions="y", recorded_by="test")
        s.add(foreign)
    async with platform.db.tenant_session(a) as s:
        own = ManagementReview(tenant_id=a, held_at=datetime.now(UTC), chair="x",
                               conclusions="y", recorded_by="test")
        s.add(own)
    async with client_of(platform) as client:
        token = acme.token("a-admin")
        file_id = (await upload(client, token, a, PDF)).json()["id"]
        ok = await gql(client, token, ATTACH, t=a, e=file_id,
                       ot="ip_governance:management_review", oi=own.id)
        clause = await gql(client, token, ATTACH, t=a, e=file_id,
                           ot="ip_governance:certification_clause", oi="7.5")
        crossing = await gql(client, token, ATTACH, t=a, e=file_id,
                             ot="ip_governance:management_review", oi=foreign.id)
        unknown = await gql(client, token, ATTACH, t=a, e=file_id, ot="ipgov:user", oi="u")
        step = await gql(client, token, ATTACH, t=a, e=file_id,
                         ot="data_governance:reasonable_step", oi="step-1")
        listed = await gql(client, acme.token("a-viewer"), LIST, t=a,
                           ot="ip_governance:management_review", oi=own.id)
        nothing = await gql(client, acme.token("a-viewer"), LIST, t=a,
                            ot="ip_governance:management_review", oi=foreign.id)
    assert ok["data"]["attachEvidence"]["attachment"]["verified"] is True
    assert clause["data"]["attachEvidence"]["errors"] == []
    assert crossing["data"]["attachEvidence"]["errors"][0]["code"] == \
        "EVIDENCE_TARGET_NOT_FOUND"
    assert unknown["data"]["attachEvidence"]["errors"][0]["code"] == "EVIDENCE_TARGET_UNKNOWN"
    assert step["data"]["attachEvidence"]["attachment"]["verified"] is False
    assert [e["node"]["id"] for e in listed["data"]["evidenceFiles"]["edges"]] == [file_id]
    assert nothing["data"]["evidenceFiles"]["edges"] == []
    assert await _count(platform, a, EvidenceAttachment) == 3


SCANNER = """import sys
data = open(sys.argv[1], 'rb').read()
if b'EICAR' in data:
    print('Eicar-Test-Signature FOUND'); sys.exit(1)
print('OK'); sys.exit(0)
"""


async def test_the_scan_command_refuses_infected_files_and_marks_clean_ones(settings,
                                                                         tmp_path):
    scanner = tmp_path / "scanner.py"
    scanner.write_text(SCANNER)
    async with platform_with(settings, IPGOV_EVIDENCE_SCAN_COMMAND=f"{sys.executable} "
                             f"{scanner}") as platform:
        acme = await make_group(platform, "acme")
        a, token = acme.ids["acme-a"], acme.token("a-admin")
        async with client_of(platform) as client:
            infected = await upload(client, token, a, b"EICAR test line\n", filename="x.txt")
            clean = await upload(client, token, a, b"minutes of the review\n",
                                 filename="y.txt")
        assert infected.json()["code"] == "EVIDENCE_INFECTED"
        assert clean.status_code == 201 and clean.json()["scanStatus"] == "clean"
        assert await _count(platform, a, EvidenceFile) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_an_upload_cut_off_half_way_leaves_no_row_and_no_blob(platform):
    from ipgov.web.app import create_app

    acme = await make_group(platform, "acme")
    a = acme.ids["acme-a"]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(platform), host="127.0.0.1", port=port,
                                           lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        total = 2 * 1024 * 1024
        writer.write((f"PUT {evidence_url(a)}?filename=big.pdf HTTP/1.1\r\n"
                      f"Host: 127.0.0.1\r\nAuthorization: Bearer {acme.token('a-admin')}\r\n"
                      f"Content-Length: {total}\r\nContent-Type: application/pdf\r\n\r\n"
                      ).encode() + PDF + b"0" * (total // 2))
        await writer.drain()
        incoming = Path(platform.settings.data_dir) / "evidence-incoming"
        for _ in range(200):  # the server is spooling the first half
            if incoming.exists() and any(incoming.iterdir()):
                break
            await asyncio.sleep(0.02)
        assert any(incoming.iterdir())
        writer.close()  # the client goes away half-way
        await writer.wait_closed()
        for _ in range(200):
            if not any(incoming.iterdir()):
                break
            await asyncio.sleep(0.05)
    finally:
        server.should_exit = True
        await task
    assert list(incoming.iterdir()) == []
    assert not any(p.is_file() for p in _store_root(platform).rglob("*"))
    assert await _count(platform, a, EvidenceFile) == 0


@pytest.mark.parametrize("name", ["a/b.pdf", "..", "x\x00.pdf", ""])
def test_plain_names_only(name):
    from ip_governance.evidence.services import _filename
    from ipgov.api import InvalidInput

    with pytest.raises(InvalidInput):
        _filename(name)


async def test_expired_evidence_still_attached_is_a_finding(platform):
    from ipgov.reviews.inline import run_inline
    from ipgov.reviews.models import Finding

    acme = await make_group(platform, "acme")
    a = acme.ids["acme-a"]
    async with client_of(platform) as client:
        token = acme.token("a-admin")
        old = (await upload(client, token, a, PDF, kind="certificate",
                            valid_from="2020-01-01")).json()
        fresh = (await upload(client, token, a, PDF + b"% new\n", kind="certificate")).json()
        loose = (await upload(client, token, a, PDF + b"% loose\n", kind="search_report",
                              valid_from="2021-01-01")).json()
        for file in (old, fresh):
            await gql(client, token, ATTACH, t=a, e=file["id"],
                      ot="ip_governance:certification_clause", oi="7.5")
    await run_inline(platform, a)
    async with platform.db.tenant_session(a, readonly=True) as s:
        found = (await s.execute(select(Finding).where(
            Finding.check_id == "ip_governance.evidence.expired"))).scalars().all()
    assert [f.object_id for f in found] == [old["id"]]  # not the valid one, nor the unattached
    assert loose["id"] not in {f.object_id for f in found}
    assert "2022-12-31" in found[0].title  # 2020-01-01 + the certificate's 1,095 days (a leap year)


async def test_a_file_whose_content_vanished_is_404_and_verify_says_missing(platform):
    acme = await make_group(platform, "acme")
    a = acme.ids["acme-a"]
    async with client_of(platform) as client:
        stored = (await upload(client, acme.token("a-admin"), a, PDF)).json()
        (_store_root(platform) / a / stored["sha256"]).unlink()
        got = await client.get(evidence_url(a, stored["id"]),
                               headers={"authorization": f"Bearer {acme.token('a-viewer')}"})
        verify = await gql(client, acme.token("a-viewer"), VERIFY, t=a, id=stored["id"])
    assert (got.status_code, got.json()["code"]) == (404, "EVIDENCE_CONTENT_MISSING")
    assert verify["data"]["verifyEvidence"]["status"] == "missing"
