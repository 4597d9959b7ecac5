"""The demo exercises every plugin's checks: load ``ipgov demo`` once, run one group review,
and check per plugin that each check fires somewhere (and not everywhere) with the expected
tenants. One load and one review for all plugins keeps the suite fast."""

from __future__ import annotations

from sqlalchemy import select


async def test_demo_group_review_fires_every_plugins_checks_where_expected(platform):
    from data_governance import checks as dg_checks
    from ip_governance.framework import checks as fw_checks
    from ipgov.cli.demo import load_demo
    from ipgov.reviews.inline import run_inline
    from ipgov.reviews.models import Finding
    from ipgov.tenancy.models import Tenant
    from patent_search.checks import CHECKS as PS_CHECKS

    await load_demo(platform, "demo-password")
    async with platform.db.system_session("test") as s:
        ids = dict((await s.execute(select(Tenant.slug, Tenant.id))).all())
    await run_inline(platform, ids["hanwei-group"], group=True, actor="test")
    async with platform.db.system_session("test") as s:
        rows = (await s.execute(select(Finding.check_id, Finding.tenant_id))).all()
    slug_of = {v: k for k, v in ids.items()}
    by_check: dict[str, set[str]] = {}
    for check_id, tenant_id in rows:
        by_check.setdefault(check_id, set()).add(slug_of[tenant_id])
    demo_group = {s for s in ids if s.startswith("hanwei-")}

    def fired(prefix: str) -> dict[str, set[str]]:
        return {c: t for c, t in by_check.items() if c.startswith(prefix)}

    # ip_governance framework
    framework = fired(fw_checks.PREFIX + ".")
    assert set(framework) == {c.id for c in fw_checks.CHECKS}
    assert framework[f"{fw_checks.PREFIX}.current_profile_missing"] == {"hanwei-software"}
    assert framework[f"{fw_checks.PREFIX}.target_below_group"] == {"hanwei-medical"}
    assert "hanwei-europe" in framework[f"{fw_checks.PREFIX}.target_gaps"]
    assert {"hanwei-cloud", "hanwei-industrial"}.isdisjoint(set().union(*framework.values()))

    # data_governance: every check, the medical subsidiary is the clean one
    governance = fired("data_governance.")
    expected = {c.id for c in dg_checks.CHECKS}
    assert expected <= set(governance), expected - set(governance)
    # the medical subsidiary's data is clean; its granted register patent (reported by the
    # asset register through list_ip_objects) protects no product, and that is one finding
    medical = {c for c, t in governance.items() if "hanwei-medical" in t}
    assert medical == {"data_governance.mapping.patents_without_product"}, governance
    async with platform.db.system_session("test") as s:
        refs = (await s.execute(select(Finding.params).where(
            Finding.check_id == "data_governance.mapping.patents_without_product",
            Finding.tenant_id == ids["hanwei-medical"]))).scalars().all()
    assert [p["patent"] for p in refs] == ["CN105894088B"]

    # patent_search
    patents = fired("patent_search.")
    assert set(patents) == {c.id for c in PS_CHECKS}
    assert {"hanwei-medical", "hanwei-group"} <= patents["patent_search.duplicate_procurement"]
    assert "hanwei-semiconductor" in patents["patent_search.watchlist_matches"]
    assert "hanwei-europe" not in set().union(*patents.values())

    # ip_governance docketing: the annuity Hanwei Semiconductor missed is in its grace period
    docket = fired("ip_governance.docketing.")
    assert "hanwei-semiconductor" in docket["ip_governance.docketing.fee_unpaid_in_grace"]

    # ip_governance documents: the semiconductor supplement is past its review; the group's
    # manual (imposed) is unread by the semiconductor engineer and the medical IP manager
    documents = fired("ip_governance.documents.")
    assert documents["ip_governance.documents.past_review"] == {"hanwei-semiconductor"}
    assert {"hanwei-semiconductor", "hanwei-medical"} <= documents[
        "ip_governance.documents.not_acknowledged"]
    assert "ip_governance.documents.unapproved_in_force" not in documents

    # no first-party check fires in every tenant of the group
    first_party = ("ip_governance.", "data_governance.", "patent_search.")
    for check_id, slugs in by_check.items():
        if not check_id.startswith(first_party):
            continue
        assert slugs != demo_group, f"{check_id} fires everywhere"
