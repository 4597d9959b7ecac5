"""patent_search end to end through GraphQL: group-shared and private collections (read by
subsidiaries, written only by owners, never seen by siblings or other groups), ingestion jobs
(counts, per-document errors, re-ingestion updates), watchlists raising Monitor reviews,
procurement duplicates, FTO screening, landscapes, the cross-plugin hooks and the demo."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from ipgov.api import list_ip_objects, screen_text
from ipgov.jobs.service import execute_job
from patent_search.models import PatentDocument
from tests.conftest import make_group
from tests.events_support import assert_emitted

DATA = Path(__file__).parents[3] / "plugins" / "patent_search" / "demo_data"
SHARED = Path(__file__).parents[4] / "shared" / "data" / "patents"

COLL = """mutation($t: ID!, $i: CollectionInput!) {
  createPatentCollection(tenantId: $t, input: $i) {
  collection { id writable sharedWithGroup } errors { code field message } } }"""
INGEST = """mutation($t: ID!, $c: ID!, $s: String!) { ingestPatents(tenantId: $t, collectionId: $c,
  path: $s) { jobId errors { code field message } } }"""
JOB = """query($t: ID!, $id: ID!) { job(tenantId: $t, id: $id) { status result errorCount
  recordErrors { file document field message } } }"""
SEARCH = """query($t: ID!, $q: String!, $c: [ID!], $f: Boolean!, $a: String, $m: String!) {
  patentSearch(tenantId: $t, query: $q, collectionIds: $c, facets: $f, first: 5, after: $a,
  mode: $m) { total nextCursor hits { publicationNumber collectionId title snippets }
  facets { name buckets { symbol title count } } } }"""
COLLS = "query($t: ID!) { patentCollections(tenantId: $t) { id name writable tenantId } }"
DOC = """query($t: ID!, $c: ID!, $p: String!) { patentDocument(tenantId: $t, collectionId: $c,
  publicationNumber: $p) { title claims cpc } }"""


async def _collection(gql, group, user, tenant, name, shared=False, kind="research"):
    out = await gql(COLL, {"t": group.ids[tenant], "i": {"name": name, "kind": kind,
                                                        "sharedWithGroup": shared}},
                    token=group.token(user))
    assert out["data"]["createPatentCollection"]["errors"] == [], out
    return out["data"]["createPatentCollection"]["collection"]["id"]


async def _ingest(platform, gql, group, user, tenant, collection, source):
    out = await gql(INGEST, {"t": group.ids[tenant], "c": collection, "s": str(source)},
                    token=group.token(user))
    payload = out["data"]["ingestPatents"]
    assert payload["errors"] == [], payload
    await execute_job(platform, payload["jobId"], group.ids[tenant])
    job = await gql(JOB, {"t": group.ids[tenant], "id": payload["jobId"]},
                    token=group.token(user))
    return job["data"]["job"]


async def test_group_shared_collection_is_read_by_subsidiaries_and_written_by_none(
        platform, gql, imports):
    acme = await make_group(platform, "acme")
    globex = await make_group(platform, "globex")
    shared = await _collection(gql, acme, "admin", "acme", "Licensed DB", shared=True,
                               kind="licensed")
    private_b = await _collection(gql, acme, "b-admin", "acme-b", "B research")
    job = await _ingest(platform, gql, acme, "admin", "acme", shared,
                        DATA / "group_database" / "patentsview-neural-network-hardware.csv")
    assert job["status"] == "succeeded" and job["result"]["per_format"] == {"patentsview_csv": 120}
    await _ingest(platform, gql, acme, "b-admin", "acme-b", private_b,
                  DATA / "semiconductor_prior_art")
    # a subsidiary reads the group's collection (list, search, document)
    listed = await gql(COLLS, {"t": acme.ids["acme-a"]}, token=acme.token("a-admin"))
    assert [(c["name"], c["writable"]) for c in listed["data"]["patentCollections"]] == [
        ("Licensed DB", False)]
    hits = await gql(SEARCH, {"t": acme.ids["acme-a"], "q": "neural network", "f": True,
                              "m": "bm25"}, token=acme.token("a-viewer"))
    result = hits["data"]["patentSearch"]
    assert result["total"] > 100 and all(h["collectionId"] == shared for h in result["hits"])
    assert "<mark>" in str(result["hits"][0]["snippets"])
    number = result["hits"][0]["publicationNumber"]
    doc = await gql(DOC, {"t": acme.ids["acme-a"], "c": shared, "p": number},
                    token=acme.token("a-viewer"))
    assert doc["data"]["patentDocument"]["title"]
    # ... but cannot write it: ingest, delete
    refused = await gql(INGEST, {"t": acme.ids["acme-a"], "c": shared,
                                 "s": str(DATA / "fixtures" / "cn_old1.xml")},
                        token=acme.token("a-admin"))
    assert refused["data"]["ingestPatents"]["errors"][0]["code"] == "COLLECTION_NOT_FOUND"
    deleted = await gql("""mutation($t: ID!, $c: ID!) { deletePatentCollection(tenantId: $t,
        collectionId: $c) { deleted errors { code } } }""", {"t": acme.ids["acme-a"], "c": shared},
                        token=acme.token("a-admin"))
    assert deleted["data"]["deletePatentCollection"]["errors"][0]["code"] == "COLLECTION_NOT_FOUND"
    # the sibling's private collection is invisible to -a: search, explicit ids, documents
    only_b = "pn:US6982482"  # a grant of B's prior art only
    baseball = await gql(SEARCH, {"t": acme.ids["acme-a"], "q": only_b, "f": False,
                                  "m": "bm25"}, token=acme.token("a-admin"))
    assert baseball["data"]["patentSearch"]["total"] == 0
    explicit = await gql(SEARCH, {"t": acme.ids["acme-a"], "q": only_b, "c": [private_b],
                                  "f": False, "m": "bm25"}, token=acme.token("a-admin"))
    assert explicit["errors"][0]["extensions"]["code"] == "COLLECTION_NOT_FOUND"
    own_b = await gql(SEARCH, {"t": acme.ids["acme-b"], "q": only_b, "f": False,
                               "m": "hybrid"}, token=acme.token("b-admin"))
    assert own_b["data"]["patentSearch"]["total"] > 0
    # another group sees nothing, with its own tenant or with acme's ids
    other = await gql(SEARCH, {"t": globex.ids["globex-a"], "q": "neural", "f": True,
                               "m": "semantic"}, token=globex.token("a-admin"))
    assert other["data"]["patentSearch"]["total"] == 0
    forged = await gql(DOC, {"t": globex.ids["globex-a"], "c": shared, "p": number},
                       token=globex.token("a-admin"))
    assert forged["errors"][0]["extensions"]["code"] == "COLLECTION_NOT_FOUND"
    crossed = await gql(SEARCH, {"t": acme.ids["acme-a"], "q": "neural", "f": False,
                                 "m": "bm25"}, token=globex.token("admin"))
    assert crossed["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_ingestion_counts_updates_errors_and_refuses_foreign_paths(platform, gql,
                                                                         imports, tmp_path):
    acme = await make_group(platform, "acme")
    coll = await _collection(gql, acme, "a-admin", "acme-a", "Mixed")
    first = await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, DATA)
    per_format = first["result"]["per_format"]
    assert per_format["patentsview_csv"] == 120 and per_format["google_patents_csv"] == 81
    assert {"cnipa_new_xml", "cnipa_old_xml"} <= set(per_format) or any(
        "cn" in k for k in per_format)
    again = await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, DATA)
    assert again["result"]["inserted"] == 0
    assert again["result"]["unchanged"] == first["result"]["inserted"] + \
        first["result"]["updated"]
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        stored = (await s.execute(select(func.count()).select_from(PatentDocument))).scalar()
    assert stored == first["result"]["documents_in_collection"]
    outside = await gql(INGEST, {"t": acme.ids["acme-a"], "c": coll, "s": str(tmp_path)},
                        token=acme.token("a-admin"))
    assert outside["data"]["ingestPatents"]["errors"][0]["code"] == "PATH_NOT_ALLOWED"
    broken = SHARED / "us-xml" / "with-broken-variants"
    if broken.exists():
        job = await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, broken)
        assert job["status"] == "succeeded" and job["errorCount"] >= 1
        assert all(e["file"] and e["field"] and e["message"] for e in job["recordErrors"])


async def test_watchlist_matches_raise_a_monitor_review_for_the_watching_tenants(
        platform, gql, imports):
    from ipgov.reviews.models import Finding, ReviewRun

    acme = await make_group(platform, "acme")
    watch = await gql("""mutation($t: ID!, $i: WatchlistInput!) { createPatentWatchlist(
        tenantId: $t, input: $i) { watchlist { id query } errors { code field } } }""",
                      {"t": acme.ids["acme-a"], "i": {"name": "NN", "keywords": ["neural network"],
                                                      "severity": "high"}},
                      token=acme.token("a-admin"))
    assert watch["data"]["createPatentWatchlist"]["watchlist"]["query"] == '("neural network")'
    bad = await gql("""mutation($t: ID!, $i: WatchlistInput!) { createPatentWatchlist(
        tenantId: $t, input: $i) { errors { code field } } }""",
                    {"t": acme.ids["acme-a"], "i": {"name": "x", "cpc": ["not a class"]}},
                    token=acme.token("a-admin"))
    assert bad["data"]["createPatentWatchlist"]["errors"][0]["field"] == "cpc[0]"
    shared = await _collection(gql, acme, "admin", "acme", "Group DB", shared=True)
    queue_sent = []

    class Queue:
        def send(self, kind, row_id, tenant_id, traceparent=None):
            if kind == "review":
                queue_sent.append((row_id, tenant_id))

    from ipgov.work.queue import InlineQueue

    events = InlineQueue(kinds={"event"}, forward=Queue())
    platform.work.attach(events)
    job = await _ingest(platform, gql, acme, "admin", "acme", shared,
                        DATA / "group_database" / "patentsview-neural-network-hardware.csv")
    matches = job["result"]["watchlist_matches"][acme.ids["acme-a"]]
    assert matches > 50
    assert job["result"]["match_events"] == [acme.ids["acme-a"]]
    await assert_emitted(platform, acme.ids["acme-a"], "patent_search.watchlist.matched",
                         matches=matches)
    replay = list(events.pending)
    await events.drain(platform)  # the review trigger consumer asks for the Monitor review
    events.pending.extend(replay)
    await events.drain(platform)  # delivered again: the event id makes it one review
    from ipgov.reviews.runner import execute_run

    assert len(queue_sent) == 1

    run_id = next(r for r, t in queue_sent if t == acme.ids["acme-a"])
    await execute_run(platform, run_id, acme.ids["acme-a"])
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        run = await s.get(ReviewRun, run_id)
        assert run.trigger == "event"
        found = (await s.execute(select(Finding).where(
            Finding.check_id == "patent_search.watchlist_matches"))).scalars().all()
    assert len(found) == 1 and found[0].severity == "high"
    # the sibling has no watchlist and gets nothing; its matches list is its own
    sibling = await gql("""query($t: ID!) { patentWatchlistMatches(tenantId: $t) {
        edges { node { id } } } }""", {"t": acme.ids["acme-b"]}, token=acme.token("b-admin"))
    assert sibling["data"]["patentWatchlistMatches"]["edges"] == []


async def test_procurement_duplicates_across_the_group_and_local_duplicates(platform, gql):
    from ipgov.reviews.inline import run_inline
    from ipgov.reviews.models import Finding

    acme = await make_group(platform, "acme")
    globex = await make_group(platform, "globex")
    add = """mutation($t: ID!, $i: ProcurementInput!) { addProcurementItem(tenantId: $t,
        input: $i) { item { id } errors { code field } } }"""
    for tenant, user, shared, cost in [("acme", "admin", True, "100000"),
                                       ("acme-a", "a-admin", False, "40000"),
                                       ("acme-b", "b-admin", False, "35000")]:
        out = await gql(add, {"t": acme.ids[tenant], "i": {
            "vendor": "EPO", "product": "Global Patent Index" if tenant != "acme-b"
            else "global  patent index", "annualCost": cost, "sharedWithGroup": shared}},
            token=acme.token(user))
        assert out["data"]["addProcurementItem"]["errors"] == []
    await gql(add, {"t": globex.ids["globex-a"], "i": {"vendor": "EPO",
                                                      "product": "Global Patent Index"}},
              token=globex.token("a-admin"))
    bad = await gql(add, {"t": acme.ids["acme-a"], "i": {"vendor": "X", "product": "Y",
                                                        "annualCost": "lots"}},
                    token=acme.token("a-admin"))
    assert bad["data"]["addProcurementItem"]["errors"][0]["field"] == "input.annualCost"
    dups = await gql("""query($t: ID!) { procurementDuplicates(tenantId: $t) { tenantIds
        avoidableCost } }""", {"t": acme.ids["acme"]}, token=acme.token("admin"))
    [dup] = dups["data"]["procurementDuplicates"]
    assert sorted(dup["tenantIds"]) == sorted([acme.ids["acme"], acme.ids["acme-a"],
                                               acme.ids["acme-b"]])
    assert dup["avoidableCost"] == "75000.00"
    await run_inline(platform, acme.ids["acme"], group=True, actor="test")
    async with platform.db.system_session("t") as s:
        rows = (await s.execute(select(Finding.tenant_id, Finding.key).where(
            Finding.check_id == "patent_search.duplicate_procurement"))).all()
    by_tenant = {}
    for tenant_id, key in rows:
        by_tenant.setdefault(tenant_id, []).append(key)
    assert set(by_tenant) == {acme.ids["acme"], acme.ids["acme-a"], acme.ids["acme-b"]}
    assert globex.ids["globex-a"] not in by_tenant


async def test_fto_screening_landscape_and_cross_plugin_hooks(platform, gql, imports):
    acme = await make_group(platform, "acme")
    portfolio = await _collection(gql, acme, "a-admin", "acme-a", "Portfolio", kind="portfolio")
    await _ingest(platform, gql, acme, "a-admin", "acme-a", portfolio,
                  DATA / "fixtures" / "US12207575-20250128.XML")
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        doc = (await s.execute(select(PatentDocument))).scalar_one()
    claim = doc.claims[0]
    out = await gql("""mutation($t: ID!, $x: String!) { screenFto(tenantId: $t, title: "ours",
        text: $x) { screening { id disclaimer hits { publicationNumber claims { number score } } }
        errors { code } } }""", {"t": acme.ids["acme-a"], "x": claim[:1500]},
                    token=acme.token("a-admin"))
    screening = out["data"]["screenFto"]["screening"]
    assert screening["hits"][0]["publicationNumber"] == doc.publication_number
    assert screening["hits"][0]["claims"][0]["number"] == 1
    landscape = await gql("""query($t: ID!) { patentLandscape(tenantId: $t, by: "cpc_subclass") {
        symbol title count } }""", {"t": acme.ids["acme-a"]}, token=acme.token("a-viewer"))
    buckets = landscape["data"]["patentLandscape"]
    assert buckets and all(b["count"] == 1 for b in buckets) and buckets[0]["title"]
    objects = await list_ip_objects(platform, acme.ids["acme-a"], kinds=["patent"])
    assert [o.ref for o in objects] == [doc.publication_number]
    assert await list_ip_objects(platform, acme.ids["acme-b"]) == []
    # the tenant's own portfolio is no third-party text: copying it is no publication risk
    assert await screen_text(platform, acme.ids["acme-a"], claim) == []
    research = await _collection(gql, acme, "a-admin", "acme-a", "Bought research")
    await _ingest(platform, gql, acme, "a-admin", "acme-a", research,
                  DATA / "fixtures" / "US12207575-20250128.XML")
    matches = await screen_text(platform, acme.ids["acme-a"], claim)
    assert matches[0].risk == "third_party_text" and matches[0].ref == doc.publication_number
    assert matches[0].passages[0].where == "claim 1"
    assert await screen_text(platform, acme.ids["acme-b"], claim) == []



async def test_upload_streams_a_file_and_queues_its_ingestion_inside_the_tenant(
        platform, gql, monkeypatch):
    from sqlalchemy import select as sql_select

    from ipgov.jobs import Job

    acme = await make_group(platform, "acme")
    coll = await _collection(gql, acme, "a-admin", "acme-a", "Uploads")
    url = f"/plugins/patent_search/tenants/{acme.ids['acme-a']}/collections/{coll}/upload"
    body = (DATA / "fixtures" / "cn_old1.xml").read_bytes()
    headers = {"authorization": f"Bearer {acme.token('a-admin')}"}
    for name in ("..", "../../etc/cn old1.xml", "a\\b.xml", " . "):
        bad = await gql.client.put(url, params={"filename": name}, content=body, headers=headers)
        assert bad.status_code == 400, (name, bad.text)
        assert "plain file name" in bad.text
    ok = await gql.client.put(url, params={"filename": "cn old1.xml"}, content=body,
                              headers=headers)
    assert ok.status_code == 202, ok.text
    assert ok.json()["file"] == "cn_old1.xml"
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        job = (await s.execute(sql_select(Job))).scalar_one()
    upload = Path(job.params["source"])
    assert upload.read_bytes() == body
    assert str(upload).startswith(
        str(platform.settings.data_dir / "imports" / acme.ids["acme-a"]))
    await execute_job(platform, job.id, acme.ids["acme-a"])
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        done = await s.get(Job, job.id)
        assert done is not None and done.status == "succeeded"
        assert done.result["inserted"] == 1
        stored = (await s.execute(select(PatentDocument.source_file))).scalars().all()
        assert stored == ["cn old1.xml"]  # the name it was sent with, no server path
    assert not upload.exists() and not upload.parent.exists()  # deleted once ingested
    # the sibling cannot ingest -a's upload by path, nor upload into -a's collection
    other = await gql(INGEST, {"t": acme.ids["acme-b"], "c": coll, "s": job.params["source"]},
                      token=acme.token("b-admin"))
    assert other["data"]["ingestPatents"]["errors"][0]["code"] == "PATH_NOT_ALLOWED"
    refused = await gql.client.put(url, content=body,
                                   headers={"authorization": f"Bearer {acme.token('b-admin')}"})
    assert refused.status_code == 403
    platform.plugin_config.replace("patent_search", upload_max_bytes=1000)
    big = await gql.client.put(url, content=body, headers=headers)
    assert big.status_code == 413 and "at most 1000" in big.text
    # the documented default is the enforced one: the platform's body limit, no larger
    platform.plugin_config.replace("patent_search", upload_max_bytes=512 << 20)
    limit = platform.settings.max_upload_bytes
    declared = await gql.client.put(url, content=body, headers={
        **headers, "content-length": str(limit + 1)})
    assert declared.status_code == 413
    folder = platform.settings.data_dir / "imports" / acme.ids["acme-a"]
    assert not list(folder.rglob("*.part"))


async def test_a_folder_walk_never_leaves_the_import_roots_and_names_files_relatively(
        platform, gql, tmp_path):
    acme = await make_group(platform, "acme")
    coll = await _collection(gql, acme, "a-admin", "acme-a", "Walked")
    row = {"lensId": "1", "jurisdiction": "US", "displayKey": "US 7654321 B2", "title": "Good"}
    outside = tmp_path / "outside.jsonl"
    outside.write_text(json.dumps(row | {"displayKey": "US 7000001 B2"}) + "\n")
    feed = platform.settings.data_dir / "imports" / acme.ids["acme-a"] / "feed"
    feed.mkdir(parents=True)
    (feed / "good.jsonl").write_text(json.dumps(row) + "\n")
    (feed / "link.jsonl").symlink_to(outside)
    (feed / "passwd").symlink_to("/etc/passwd")
    (feed / "up").symlink_to("../..")
    job = await _ingest(platform, gql, acme, "a-admin", "acme-a", coll, feed)
    assert job["status"] == "succeeded" and job["result"]["inserted"] == 1
    errors = {e["file"]: e["message"] for e in job["recordErrors"]}
    assert set(errors) == {"feed/link.jsonl", "feed/passwd", "feed/up"}
    assert all("outside the import folders: not read" in m for m in errors.values())
    assert not any(str(platform.settings.data_dir) in str(e) for e in job["recordErrors"])
