"""FTO screening never calls a passage a claim that is not one: documents without claims text
say what was compared instead and rank below claim matches; screenings stored before the part
was recorded are relabelled by migration ps_0002 (issue 15 item 6)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from ipgov.api import screen_text
from patent_search.models import FtoScreening, PatentDocument
from tests.conftest import make_group
from tests.events_support import assert_emitted
from tests.plugins.patent_search.test_plugin import DATA, _collection, _ingest

SCREEN = """mutation($t: ID!, $x: String!) { screenFto(tenantId: $t, title: "ours", text: $x) {
  screening { hits { publicationNumber comparedWith claimsAvailable note claims { number part
  label text claim } } } errors { code } } }"""
SCREENINGS = """query($t: ID!) { ftoScreenings(tenantId: $t) { edges { node { hits {
  publicationNumber comparedWith note claims { number part label } } } } } }"""


async def _two_documents(platform, gql, acme):
    """A grant with claims and PatentsView rows (abstracts, no claims) in one collection."""
    coll = await _collection(gql, acme, "a-admin", "acme-a", "Mixed")
    await _ingest(platform, gql, acme, "a-admin", "acme-a", coll,
                  DATA / "fixtures" / "US12207575-20250128.XML")
    await _ingest(platform, gql, acme, "a-admin", "acme-a", coll,
                  DATA / "group_database" / "patentsview-neural-network-hardware.csv")
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        docs = (await s.execute(select(PatentDocument))).scalars().all()
    grant = next(d for d in docs if d.claims)
    abstract_only = next(d for d in docs if not d.claims and "salesman" in d.abstract)
    return coll, grant, abstract_only


async def test_an_abstract_is_never_called_a_claim_and_ranks_below_claims(platform, gql, imports):
    acme = await make_group(platform, "acme")
    _, grant, abstract_only = await _two_documents(platform, gql, acme)
    text = f"{abstract_only.abstract} {grant.claims[0][:300]}"
    out = await gql(SCREEN, {"t": acme.ids["acme-a"], "x": text}, acme.token("a-admin"))
    hits = out["data"]["screenFto"]["screening"]["hits"]
    by_number = {h["publicationNumber"]: h for h in hits}
    plain = by_number[abstract_only.publication_number]
    assert (plain["comparedWith"], plain["claimsAvailable"]) == ("abstract", False)
    assert "No claims text" in plain["note"]
    assert [(c["number"], c["part"], c["label"], c["claim"]) for c in plain["claims"]] == [
        (None, "abstract", "abstract", "")]
    assert plain["claims"][0]["text"] == abstract_only.abstract
    claimed = by_number[grant.publication_number]
    assert claimed["comparedWith"] == "claims" and claimed["claims"][0]["label"].startswith(
        "claim ")
    ranks = [h["comparedWith"] for h in hits]
    assert ranks == sorted(ranks, key=lambda c: c != "claims")  # every claim match first
    await assert_emitted(platform, acme.ids["acme-a"], "patent_search.fto.stored",
                         title="ours", hits=len(hits), collections=1)
    matches = await screen_text(platform, acme.ids["acme-a"], abstract_only.abstract)
    wheres = {p.where for m in matches if m.ref == abstract_only.publication_number
              for p in m.passages}
    assert wheres and not any(w.startswith("claim") for w in wheres)


async def test_older_screenings_are_relabelled_from_the_stored_documents(platform, gql, imports):
    from ipgov.db.migrate import _in_thread, alembic_config
    from tests.conftest import _plugin_locations, upgrade_heads

    acme = await make_group(platform, "acme")
    coll, grant, abstract_only = await _two_documents(platform, gql, acme)

    def old_hit(doc, number_text):  # what ps_0001-era code stored: every part "claim 1"
        return {"collection_id": coll, "publication_number": doc.publication_number,
                "title": doc.title, "score": 0.5, "claims": [
                    {"number": 1, "claim": number_text, "passage": "p", "start": 0, "end": 1,
                     "score": 0.5, "shared_terms": []}]}

    gone = {**old_hit(grant, "x"), "publication_number": "US-1-B1"}
    async with platform.db.tenant_session(acme.ids["acme-a"]) as s:
        s.add(FtoScreening(title="old", text="t", created_by="test", results=[
            old_hit(grant, grant.claims[0]), old_hit(abstract_only, abstract_only.abstract),
            gone]))
    from alembic import command

    cfg = alembic_config(platform.settings.database_url, _plugin_locations(platform))
    await asyncio.to_thread(_in_thread, lambda: command.downgrade(cfg, "ps_0001"))
    await asyncio.to_thread(upgrade_heads, platform)
    body = await gql(SCREENINGS, {"t": acme.ids["acme-a"]}, acme.token("a-admin"))
    [node] = [e["node"] for e in body["data"]["ftoScreenings"]["edges"]]
    labels = [(h["comparedWith"], [(c["number"], c["part"]) for c in h["claims"]])
              for h in node["hits"]]
    assert labels == [("claims", [(1, "claim")]), ("abstract", [(None, "abstract")]),
                      ("unknown", [(None, "unknown")])]
    assert "no longer stored" in node["hits"][2]["note"]
