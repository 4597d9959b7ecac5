"""Office API answers through an ingestion job: the parts of one publication (OPS biblio,
claims, description, legal status) land on one stored document, in one job or several."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import make_group
from tests.plugins.patent_search.test_plugin import DOC, _collection, _ingest

ANSWERS = Path(__file__).parent / "fixtures" / "office_api"


@pytest.fixture
def answers(monkeypatch, platform, tmp_path):
    """A copy of the recorded answers in an import folder of the test platform."""
    folder = tmp_path / "answers"
    shutil.copytree(ANSWERS, folder)
    monkeypatch.setenv("IPGOV_PATENT_IMPORT_DIRS", str(tmp_path))
    platform.plugin_config.replace("patent_search", import_dirs=str(tmp_path))
    return folder


async def test_parts_of_a_publication_merge_on_its_stored_document(platform, gql, answers):
    acme = await make_group(platform, "acme")
    coll = await _collection(gql, acme, "a-admin", "acme-a", "From OPS")
    (answers / "SOURCES.md").unlink()
    claims = answers / "ops-claims-EP2400812A1.xml"
    later = claims.rename(answers.parent / claims.name)  # comes in a second job
    job = await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, answers)
    assert job["status"] == "succeeded" and job["errorCount"] == 0, job
    assert job["result"]["per_format"] == {
        "epo_ops_xml": 9,
        "uspto_odp_json": 1,
        "uspto_ppubs_json": 2,
    }
    query = {"t": acme.ids["acme-a"], "c": coll, "p": "EP-2400812-A1"}
    doc = (await gql(DOC, query, token=acme.token("a-admin")))["data"]["patentDocument"]
    assert (doc["title"], doc["cpc"], doc["claims"]) == ("BLUETOOTH NETWORKING", ["H04W84/20"], [])
    job = await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, later)
    assert job["result"]["updated"] == 1, job
    doc = (await gql(DOC, query, token=acme.token("a-admin")))["data"]["patentDocument"]
    assert doc["title"] == "BLUETOOTH NETWORKING" and len(doc["claims"]) == 15
    again = await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, later)
    assert again["result"]["unchanged"] == 1
    # another group's tenant cannot read the merged document
    globex = await make_group(platform, "globex")
    forged = await gql(DOC, {**query, "t": globex.ids["globex-a"]}, token=globex.token("a-admin"))
    assert forged["errors"][0]["extensions"]["code"] == "COLLECTION_NOT_FOUND"
