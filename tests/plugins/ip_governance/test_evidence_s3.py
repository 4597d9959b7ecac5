"""Evidence files in an S3-compatible object store: the same contract as on local disk,
against a real S3 server process started here (moto's standalone server, spoken to over
HTTP by the minio client; nothing in-process is patched)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_group
from tests.plugins.ip_governance.evidence_support import (
    PDF,
    client_of,
    evidence_url,
    gql,
    platform_with,
    upload,
)

minio = pytest.importorskip("minio", reason="the S3 backend needs pip install 'ipgov[s3]'")

VERIFY = """query($t: ID!, $id: ID!) { verifyEvidence(tenantId: $t, id: $id) { status } }"""


def _server_command() -> list[str]:
    beside = Path(sys.executable).with_name("moto_server")
    found = str(beside) if beside.exists() else shutil.which("moto_server")
    if not found:
        pytest.skip("no S3 server: pip install 'moto[server]' (ipgov[test]) provides moto_server")
    return [found]


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """A real S3-compatible HTTP server in its own process; yields its endpoint URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([*_server_command(), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "AWS_ACCESS_KEY_ID": "test",
                                 "AWS_SECRET_ACCESS_KEY": "test"})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("the S3 server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def _client(endpoint: str):
    return minio.Minio(endpoint.removeprefix("http://"), access_key="test", secret_key="test",
                       secure=False, region="us-east-1")


async def test_s3_backend_stores_by_tenant_and_hash_and_detects_tampering(settings, s3_server):
    # a bucket of its own: the server lives for the module and both backends' runs use it
    bucket = f"ipgov-evidence-{uuid.uuid4().hex[:12]}"
    env = {"IPGOV_EVIDENCE_S3_ENDPOINT": s3_server, "IPGOV_EVIDENCE_S3_BUCKET": bucket,
           "IPGOV_EVIDENCE_S3_ACCESS_KEY": "test", "IPGOV_EVIDENCE_S3_SECRET_KEY": "test"}
    async with platform_with(settings, **env) as platform:
        acme, globex = await make_group(platform, "acme"), await make_group(platform, "globex")
        a, g = acme.ids["acme-a"], globex.ids["globex-a"]
        sha = hashlib.sha256(PDF).hexdigest()
        async with client_of(platform) as client:
            mine = await upload(client, acme.token("a-admin"), a, PDF)
            again = await upload(client, acme.token("a-admin"), a, PDF)
            theirs = await upload(client, globex.token("a-admin"), g, PDF)
            got = await client.get(evidence_url(a, mine.json()["id"]),
                                   headers={"authorization": f"Bearer {acme.token('a-viewer')}"})
            crossing = await client.get(evidence_url(g, mine.json()["id"]), headers={
                "authorization": f"Bearer {globex.token('a-admin')}"})
            intact = await gql(client, acme.token("a-viewer"), VERIFY, t=a, id=mine.json()["id"])
            s3 = _client(s3_server)
            keys = sorted(o.object_name for o in s3.list_objects(bucket, prefix="evidence/",
                                                                 recursive=True))
            forged = PDF.replace(b"Catalog", b"Catalox")
            s3.put_object(bucket, f"evidence/{a}/{sha}", io.BytesIO(forged), len(forged))
            tampered = await gql(client, acme.token("a-viewer"), VERIFY, t=a,
                                 id=mine.json()["id"])
            untouched = await gql(client, globex.token("a-viewer"), VERIFY, t=g,
                                  id=theirs.json()["id"])
            s3.remove_object(bucket, f"evidence/{g}/{sha}")
            missing = await gql(client, globex.token("a-viewer"), VERIFY, t=g,
                                id=theirs.json()["id"])
    assert mine.status_code == 201 and again.json()["deduplicated"] is True
    assert theirs.status_code == 201 and theirs.json()["id"] != mine.json()["id"]
    assert keys == sorted([f"evidence/{a}/{sha}", f"evidence/{g}/{sha}"])
    assert got.status_code == 200 and got.content == PDF
    assert crossing.status_code == 404
    assert intact["data"]["verifyEvidence"]["status"] == "intact"
    assert tampered["data"]["verifyEvidence"]["status"] == "tampered"
    assert untouched["data"]["verifyEvidence"]["status"] == "intact"
    assert missing["data"]["verifyEvidence"]["status"] == "missing"
