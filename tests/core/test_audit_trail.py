"""The audit trail is readable (issue 15 item 14): what changed, by whom, found by filters,
exported with its verification.

- every audited change records the before and after values of its object (a core mechanism:
  the call sites of ``directive.updated`` and ``tenant.governance_mode_changed`` pass nothing),
  secrets and long text redacted;
- actors come back as names and roles, batched (the same statements for 3 events or 30);
- ``auditEvents`` and ``supervisionAuditTrail`` filter by actor, action, object and time,
  bounded, with clear errors;
- the filtered trail exports as CSV and JSON with its verification status, authorized like
  the other exports and never across a tenant boundary.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from ipgov.audit.models import AuditEvent
from ipgov.reviews.models import Directive
from tests.conftest import make_group

EVENTS = """query($t: ID!, $f: AuditFilter, $first: Int, $newest: Boolean) {
  auditEvents(tenantId: $t, filter: $f, first: $first, newestFirst: $newest) {
    edges { node { seq actor action objectType objectId change details
      changes { field before after redacted }
      actorInfo { subject kind name roles } } }
    pageInfo { hasNextPage endCursor } } }"""
UPDATE = """mutation($t: ID!, $id: ID!, $owner: ID) { updateDirective(tenantId: $t, id: $id,
  status: "done", ownerUserId: $owner) { errors { code } directive { id } } }"""
MODE = """mutation($t: ID!) { setGovernanceMode(tenantId: $t, mode: CENTRALIZED) {
  errors { code } } }"""


async def _directive(platform, tid: str) -> str:
    async with platform.db.tenant_session(tid) as s:
        d = Directive(check_id="core.x", finding_key="k", action="Appoint someone",
                      owner_role="tenant_admin", severity="high", function="govern",
                      domain="resources", due_at=datetime.now(UTC) + timedelta(days=3),
                      opened_run_id="r", last_seen_run_id="r")
        s.add(d)
        await s.flush()
        return d.id


def _nodes(body) -> list[dict]:
    assert not body.get("errors"), body
    return [e["node"] for e in body["data"]["auditEvents"]["edges"]]


async def test_changes_record_before_and_after_and_actors_have_names(platform, gql):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    did = await _directive(platform, tid)
    # the owner must be a member who can act for the directive's role (tenant_admin)
    body = await gql(UPDATE, {"t": tid, "id": did, "owner": acme.users["a-admin"]},
                     token=acme.token("a-admin"))
    assert not body["data"]["updateDirective"]["errors"], body
    body = await gql(MODE, {"t": acme.ids["acme"]}, token=acme.token("admin"))
    assert not body["data"]["setGovernanceMode"]["errors"], body

    (updated,) = _nodes(await gql(EVENTS, {"t": tid, "f": {"actions": ["directive.updated"]}},
                                  token=acme.token("auditor")))
    assert updated["change"] == "updated" and updated["objectId"] == did
    changes = {c["field"]: c for c in updated["changes"]}
    assert changes["status"]["before"] == "open" and changes["status"]["after"] == "done"
    assert changes["owner_user_id"] == {"field": "owner_user_id", "before": None,
                                        "after": acme.users["a-admin"], "redacted": False}
    assert updated["actorInfo"] == {"subject": acme.users["a-admin"], "kind": "user",
                                    "name": "a-admin", "roles": ["tenant_admin"]}

    (mode,) = _nodes(await gql(EVENTS, {"t": acme.ids["acme"],
                                        "f": {"actions": ["tenant.governance_mode_changed"]}},
                               token=acme.token("auditor")))
    field = next(c for c in mode["changes"] if c["field"] == "governance_mode")
    assert (field["before"], field["after"]) == ("hybrid", "centralized")
    assert "group_admin" in mode["actorInfo"]["roles"]


async def test_creations_are_recorded_and_secrets_redacted(platform):
    from ipgov.identity.service import create_user

    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    async with platform.db.system_session("test: create user") as s:
        user = await create_user(s, email="new@acme.example", display_name="New",
                                 password="correct horse battery staple")
        await platform.audit(s, tenant_id=tid, actor="system", action="test.user_created",
                             object_type="ipgov:user", object_id=user.id)
    async with platform.db.tenant_session(tid) as s:
        recorded = (await s.execute(select(AuditEvent.details).where(
            AuditEvent.action == "test.user_created"))).scalar_one()
    assert recorded["changes"]["change"] == "created"
    fields = {f["field"]: f for f in recorded["changes"]["fields"]}
    assert fields["email"]["after"] == "new@acme.example" and fields["email"]["before"] is None
    assert fields["password_hash"] == {"field": "password_hash", "redacted": True}
    assert "correct horse" not in str(recorded) and "argon2" not in str(recorded)


async def test_actor_names_are_batched(platform, gql, backend):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    counts = []
    await platform.authz.stop()  # its polling in the background would be counted too
    _nodes(await gql(EVENTS, {"t": tid, "first": 1}, token=acme.token("auditor")))  # warm up
    for n in (3, 30):
        async with platform.db.tenant_session(tid) as s:
            for i in range(n):
                actor = acme.users[("admin", "a-admin", "a-viewer")[i % 3]]
                await platform.audit(s, tenant_id=tid, actor=actor, action=f"batch.{n}",
                                     object_type="ipgov:tenant", object_id=tid)
        statements: list[str] = []
        engines = [e.sync_engine for e in platform.db.engines]

        def count(*args) -> None:
            statements.append(args[2])

        for engine in engines:
            event.listen(engine, "before_cursor_execute", count)
        try:
            nodes = _nodes(await gql(EVENTS, {"t": tid, "f": {"actions": [f"batch.{n}"]},
                                              "first": 50}, token=acme.token("auditor")))
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", count)
        assert len(nodes) == n and all(x["actorInfo"]["name"] for x in nodes)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts  # no statement per event


async def test_filters_by_actor_action_object_and_time(platform, gql):
    acme = await make_group(platform, "acme")
    tid, auditor = acme.ids["acme-a"], acme.token("auditor")
    async with platform.db.tenant_session(tid) as s:
        for i in range(6):
            await platform.audit(s, tenant_id=tid, actor=acme.users["a-admin"] if i % 2
                                 else "system", action="test.even" if i % 2 == 0 else "test.odd",
                                 object_type="ipgov:thing", object_id=f"thing-{i % 3}")
    got = _nodes(await gql(EVENTS, {"t": tid, "f": {"actors": [acme.users["a-admin"]],
                                                    "actions": ["test.odd"]}}, token=auditor))
    assert len(got) == 3 and {n["actor"] for n in got} == {acme.users["a-admin"]}
    got = _nodes(await gql(EVENTS, {"t": tid, "f": {"objectType": "ipgov:thing",
                                                    "objectId": "thing-1"}}, token=auditor))
    assert [n["objectId"] for n in got] == ["thing-1", "thing-1"]
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _nodes(await gql(EVENTS, {"t": tid, "f": {"since": future}}, token=auditor)) == []
    newest = _nodes(await gql(EVENTS, {"t": tid, "first": 2, "newest": True}, token=auditor))
    assert newest[0]["seq"] > newest[1]["seq"]
    bad = await gql(EVENTS, {"t": tid, "f": {"actions": ["x"] * 21, "objectId": "thing-1",
                                             "since": future, "until": "2020-01-01T00:00:00Z"}},
                    token=auditor)
    error = bad["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT", bad
    for part in ("at most 20 actions", "objectId needs objectType", "since must not be after"):
        assert part in error["message"], error["message"]


async def test_supervision_trail_filters_too(platform, gql):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-b"]
    body = await gql("""query($t: ID!) { supervisionAuditTrail(tenantId: $t,
      filter: {actions: ["tenant.created"]}) { events { edges { node { action
      actorInfo { kind name } } } } verification { ok witnessedSeq } } }""", {"t": tid},
                     token=acme.token("auditor"))
    trail = body["data"]["supervisionAuditTrail"]
    assert [e["node"]["action"] for e in trail["events"]["edges"]] == ["tenant.created"]
    assert trail["events"]["edges"][0]["node"]["actorInfo"] == {"kind": "unknown",
                                                                "name": None}  # "test"
    assert trail["verification"]["ok"] and trail["verification"]["witnessedSeq"]


async def _get(gql, path: str, token: str | None, **params):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await gql.client.get(path, params=params, headers=headers)


async def test_export_csv_and_json_with_verification(platform, gql):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    did = await _directive(platform, tid)
    await gql(UPDATE, {"t": tid, "id": did}, token=acme.token("a-admin"))
    response = await _get(gql, f"/audit/{tid}/export.json", acme.token("auditor"),
                          action="directive.updated")
    assert response.status_code == 200, response.text
    doc = response.json()
    assert doc["verification"]["status"] == "verified" and doc["verification"]["ok"]
    (exported,) = doc["events"]
    assert exported["actorName"] == "a-admin" and exported["change"] == "updated"
    assert {"field": "status", "before": "open", "after": "done"} in exported["changes"]
    response = await _get(gql, f"/audit/{tid}/export.csv", acme.token("auditor"),
                          action="directive.updated")
    assert response.status_code == 200 and response.headers["x-ipgov-audit-status"] == \
        "verified"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1 and rows[0]["chain_status"] == "verified"
    assert rows[0]["actor_name"] == "a-admin" and '"before": "open"' in rows[0]["changes"]
    async with platform.db.tenant_session(tid) as s:  # the export itself is audited
        assert (await s.execute(select(AuditEvent).where(
            AuditEvent.action == "audit.exported"))).scalars().first() is not None


async def test_export_is_authorized_bounded_and_never_crosses_tenants(platform, gql,
                                                                      two_groups):
    acme, globex = two_groups
    tid = acme.ids["acme-a"]
    assert (await _get(gql, f"/audit/{tid}/export.csv", None)).status_code == 401
    assert (await _get(gql, f"/audit/{tid}/export.csv", globex.token("auditor"))
            ).status_code in (403, 404)
    assert (await _get(gql, f"/audit/{tid}/export.json", acme.token("a-viewer"))
            ).status_code == 403
    bad = await _get(gql, f"/audit/{tid}/export.json", acme.token("auditor"), limit="0")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "limit"
    bad = await _get(gql, f"/audit/{tid}/export.json", acme.token("auditor"), since="nope")
    assert bad.status_code == 400 and "ISO 8601" in bad.json()["errors"][0]["message"]
    page = await _get(gql, f"/audit/{tid}/export.json", acme.token("auditor"), limit="1")
    assert len(page.json()["events"]) == 1 and page.json()["nextAfterSeq"] == 1
    for e in page.json()["events"]:
        assert globex.ids["globex-a"] not in str(e)


def test_csv_cells_never_run_as_formulas():
    from ipgov.audit.export import _cell

    assert _cell("=HYPERLINK(\"http://evil\")").startswith("'=")
    assert _cell("@SUM(A1)") == "'@SUM(A1)" and _cell("plain") == "plain"


async def test_an_event_can_name_the_changed_object_explicitly(platform):
    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    did = await _directive(platform, tid)
    async with platform.db.tenant_session(tid) as s:
        d = await s.get(Directive, did)
        d.severity = "critical"
        await platform.audit(s, tenant_id=tid, actor="system", action="test.escalated",
                             object_type="ipgov:tenant", object_id=tid, changed=d)
        details = (await s.execute(select(AuditEvent.details).where(
            AuditEvent.action == "test.escalated"))).scalar_one()
    assert details["changes"]["fields"] == [{"field": "severity", "before": "high",
                                             "after": "critical"}]


RUNS = """query($t: ID!) { reviewRuns(tenantId: $t, first: 10) { edges { node {
  requestedBy requestedByActor { subject kind name roles } } } } }"""


async def test_records_name_who_acted_in_the_readers_language(platform, gql):
    """Rows keep subjects (``requestedBy`` a user id, ``scheduler``); readers get who that is:
    a person's name and roles in the row's tenant, the platform's own actors in their
    language, never a subject id to decode."""
    from ipgov.reviews.models import ReviewRun

    acme = await make_group(platform, "acme")
    tid = acme.ids["acme-a"]
    async with platform.db.tenant_session(tid) as s:
        s.add_all([ReviewRun(tenant_id=tid, trigger="manual", requested_by=acme.users["a-admin"]),
                   ReviewRun(tenant_id=tid, trigger="schedule", requested_by="scheduler")])
    response = await gql.post(RUNS, {"t": tid}, token=acme.token("auditor"),
                              headers={"accept-language": "zh-CN"})
    body = response.json()
    assert not body.get("errors"), body
    actors = {n["requestedBy"]: n["requestedByActor"]
              for n in (e["node"] for e in body["data"]["reviewRuns"]["edges"])}
    assert actors[acme.users["a-admin"]] == {"subject": acme.users["a-admin"], "kind": "user",
                                             "name": "a-admin", "roles": ["tenant_admin"]}
    assert actors["scheduler"]["kind"] == "platform"
    assert actors["scheduler"]["name"] == "定期审查计划"
