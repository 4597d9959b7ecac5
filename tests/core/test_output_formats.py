"""What people and programs read comes out one way (issue 15 item 16): DateTime always ISO 8601
with its offset (SQLite returns naive values), one ``charset`` per Content-Type, the CLI's
tenant tree with each tenant under its own parent, and slugs where slugs exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import select

from ipgov.audit.models import AuditEvent
from ipgov.cli.common import tree_rows
from ipgov.tenancy import services
from ipgov.tenancy.models import Tenant
from tests.conftest import make_group

OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")
MOMENTS = """query($t: ID!) {
  tenants(first: 5) { edges { node { createdAt } } }
  auditEvents(tenantId: $t, first: 5) { edges { node { occurredAt } } }
  requestReview(tenantId: $t) { run { requestedAt } }
}"""


async def test_every_datetime_carries_its_offset_on_both_backends(platform, gql):
    acme = await make_group(platform, "acme")
    token = acme.token("admin")
    body = await gql(MOMENTS.replace("requestReview(tenantId: $t) { run { requestedAt } }", ""),
                     {"t": acme.ids["acme"]}, token=token)
    review = await gql("mutation($t: ID!) { requestReview(tenantId: $t) { run { requestedAt } "
                       "} }", {"t": acme.ids["acme"]}, token=token)
    values = [e["node"]["createdAt"] for e in body["data"]["tenants"]["edges"]]
    values += [e["node"]["occurredAt"] for e in body["data"]["auditEvents"]["edges"]]
    values.append(review["data"]["requestReview"]["run"]["requestedAt"])
    assert len(values) >= 6
    for value in values:
        assert OFFSET.match(value), value


async def test_models_read_back_timezone_aware_datetimes(platform):
    acme = await make_group(platform, "acme")
    async with platform.db.system_session("test: read") as s:
        tenant = (await s.execute(select(Tenant).where(Tenant.id == acme.ids["acme"]))
                  ).scalar_one()
        event = (await s.execute(select(AuditEvent).limit(1))).scalar_one()
    for moment in (tenant.created_at, event.occurred_at):
        assert isinstance(moment, datetime) and moment.utcoffset() is not None, moment
        assert moment.utcoffset().total_seconds() == 0


async def test_text_responses_name_their_charset_once(platform, gql):
    acme = await make_group(platform, "acme")
    auditor = {"authorization": f"Bearer {acme.token('auditor')}"}
    admin = {"authorization": f"Bearer {acme.token('admin')}"}
    checked = 0
    for path, headers in [("/supervision/export.csv", auditor), ("/supervision/report", auditor),
                          (f"/plugins/ip_governance/tenants/{acme.ids['acme']}/report", admin),
                          ("/supervision/", {}), ("/graphql", {"accept": "text/html"})]:
        response = await gql.client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        content_type = response.headers["content-type"]
        assert content_type.lower().count("charset") == 1, (path, content_type)
        checked += 1
    assert checked == 5


def _tenant(slug: str, parent: str | None) -> SimpleNamespace:
    return SimpleNamespace(id=slug, slug=slug, parent_id=parent)


def test_the_tree_draws_each_tenant_under_its_own_parent():
    """The demo's shape: Europe belongs to Industrial, Cloud to Software."""
    rows = tree_rows([_tenant("hanwei-software", "hanwei-group"),
                      _tenant("hanwei-europe", "hanwei-industrial"),
                      _tenant("hanwei-group", None), _tenant("hanwei-cloud", "hanwei-software"),
                      _tenant("hanwei-industrial", "hanwei-group"), _tenant("platform", None)])
    assert [label for label, _t in rows] == [
        "hanwei-group",
        "├─ hanwei-industrial",
        "│  └─ hanwei-europe",
        "└─ hanwei-software",
        "   └─ hanwei-cloud",
        "platform",
    ]


async def test_tenant_list_and_create_group_print_slugs(platform, settings):
    acme = await make_group(platform, "acme")
    async with platform.db.system_session("test: nest") as s:
        await services.onboard_subsidiary(platform, s, parent_id=acme.ids["acme-a"],
                                          slug="acme-a-deep", name="Deep", actor="test")
    await platform.db.dispose()
    env = {**os.environ, "IPGOV_DATA_DIR": str(settings.data_dir),
           "IPGOV_DATABASE_URL": settings.database_url,
           "IPGOV_APP_DATABASE_URL": settings.app_database_url}

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "ipgov.cli.main", *args], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    header, *lines = cli("tenant", "list").splitlines()
    labels = [line[:header.index("kind")].rstrip() for line in lines]
    deep = labels.index("│  └─ acme-a-deep")
    assert labels[deep - 1] == "├─ acme-a"  # right under its parent, not after acme-c
    assert cli("tenant", "create-group", "initech", "--name", "Initech").split()[0] == "initech"
