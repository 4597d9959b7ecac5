"""docs/authorization.md shows the default grants of the code, with a duty and a reason for
every permission, and no role holds a permission of a duty it does not carry."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipgov.authz.matrix import (
    DUTIES,
    ROLE_DUTIES,
    default_matrix,
    parse,
    platform_matrix,
)
from ipgov.authz.roles import PLATFORM_ROLES, TENANT_ROLES
from tests.conftest import make_group

DOC = Path(__file__).parents[2] / "docs" / "authorization.md"
ONE_BACKEND = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _documented(roles):
    return parse(DOC.read_text(encoding="utf-8"), roles)


@ONE_BACKEND
def test_the_document_shows_the_code_grants(platform):
    for roles, held in ((TENANT_ROLES, default_matrix(platform)),
                        (PLATFORM_ROLES, platform_matrix())):
        rows = _documented(roles)
        assert sorted(rows) == sorted(held), (
            "docs/authorization.md and the declared permissions differ; run "
            "`python -m ipgov.authz.matrix docs/authorization.md` and give each new row a "
            f"duty and a reason: {sorted(set(rows) ^ set(held))}")
        wrong = {p: (sorted(rows[p].roles), sorted(held[p])) for p in held
                 if rows[p].roles != held[p]}
        assert not wrong, f"check marks that differ from the code (doc, code): {wrong}"
        assert not [p for p, r in rows.items() if r.duty not in DUTIES], "unknown duties"
        assert not [p for p, r in rows.items() if len(r.why) < 20], "rows without a reason"


def test_no_role_holds_a_duty_it_does_not_carry():
    outside = {}
    for roles in (TENANT_ROLES, PLATFORM_ROLES):
        for permission, row in _documented(roles).items():
            for role in row.roles:
                if row.duty not in ROLE_DUTIES[role]:
                    outside.setdefault(role, []).append(f"{permission} ({row.duty})")
    assert not outside, outside


@ONE_BACKEND
async def test_an_onboarded_tenant_decides_as_the_document_says(platform):
    """The grants materialised at onboarding give each role exactly its documented row."""
    g = await make_group(platform, "acme")
    rows = _documented(TENANT_ROLES)
    for tenant in (g.ids["acme"], g.ids["acme-a"]):
        for role in TENANT_ROLES:
            held = {f"{o}:{a}" for o, a in platform.authz.permissions_of(role, tenant)}
            documented = {p for p, r in rows.items() if role in r.roles}
            assert held & set(rows) == documented, (tenant, role,
                                                    sorted(held ^ documented))
