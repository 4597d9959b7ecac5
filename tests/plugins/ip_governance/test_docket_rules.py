"""The docketing rules file and the computed docket, by worked examples per jurisdiction.

Each expected date is worked out by hand from the rule the shipped file cites (CN
Implementing Regulations Rule 5 and Rules 115-116 with the CNIPA surcharge table, EPC Rule 51
and Euro-PCT Guide 5.11.1, 37 CFR 1.362, JP Patent Act Art. 108 and 112, PCT Art. 22/39)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ip_governance.docketing.compute import AssetFacts, compute_docket, expiry, surcharge
from ip_governance.docketing.rules import DocketFormatError, parse_rule, parse_rules, shipped_rules
from ip_governance.docketing.timelimits import add_months

RULES = shipped_rules()
WIDE = {"start": date(2000, 1, 1), "end": date(2060, 1, 1)}


def by_key(asset: AssetFacts, **window: date) -> dict[str, object]:
    return {e.key: e for e in compute_docket(asset, RULES, **(window or WIDE))}


def test_every_rule_cites_a_source_and_the_file_loads() -> None:
    assert len(RULES.rules) >= 30
    assert all(r.source in RULES.sources and r.cite for r in RULES.rules.values())
    places = {r.jurisdiction for r in RULES.rules.values()}
    assert {"CN", "EP", "US", "JP", "KR", "WO", "EU"} <= places


def test_errors_name_file_rule_and_field() -> None:
    bad = ("format: ipgov-docket/1\nid: x\nversion: '1'\nsources: {s: {title: t, url: u}}\n"
           "rules:\n  - {id: cn.invention.annuity, jurisdiction: CN, kinds: [patent],"
           " event: annuity, due: filing_anniversary, first: grant_year, source: nope,"
           " cite: c, colour: red, grace: {months: 6, surcharge: {steps: [0, 5]}}}\n")
    with pytest.raises(DocketFormatError) as caught:
        parse_rules(bad, "acme.yaml")
    message = str(caught.value)
    assert "acme.yaml: rule cn.invention.annuity: source:" in message
    assert "rule cn.invention.annuity: colour: unknown field" in message
    assert "grace.surcharge.steps: one percent per grace month (6)" in message
    assert caught.value.code == "INVALID_DOCKET_RULES"
    with pytest.raises(DocketFormatError, match="rule rules\\[0\\]: id"):
        parse_rules(bad.replace("cn.invention.annuity", "Bad Id"), "acme.yaml")
    with pytest.raises(DocketFormatError, match="fees\\[0\\].currency"):
        parse_rule({"id": "cn.invention.extra", "jurisdiction": "CN", "kinds": ["patent"],
                    "event": "priority", "months": 12, "source": "s", "cite": "c",
                    "fees": [{"effective_from": date(2026, 1, 1), "currency": "yuan",
                              "amount": 1}]}, {"s": {}})


def test_leap_day_filing_ends_on_the_last_day_of_february() -> None:
    # CN Rule 5: a month without the same day ends the period on its last day
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)
    cn = AssetFacts("a", "patent", "CN", "granted", date(2024, 2, 29), grant_date=date(2025, 1, 6))
    docket = by_key(cn)
    # grant in year 1: year 2 falls due on the first anniversary, 2025-02-28 (a Friday)
    assert docket["cn.invention.annuity:2"].due_on == date(2025, 2, 28)
    assert docket["cn.invention.annuity:3"].due_on == date(2026, 3, 2)  # 2026-02-28 is a Saturday
    assert expiry(cn, RULES) == date(2044, 2, 29)


def test_cn_year_seven_annuity_worked_example() -> None:
    cn = AssetFacts("a", "patent", "CN", "granted", date(2021, 3, 14),
                    grant_date=date(2023, 5, 1))
    entry = by_key(cn)["cn.invention.annuity:7"]
    # 2027-03-14 is a Sunday: Rule 5 moves the last day to Monday 2027-03-15
    assert (entry.nominal_due, entry.due_on) == (date(2027, 3, 14), date(2027, 3, 15))
    assert entry.grace_until == date(2027, 9, 14)
    assert entry.fee == Decimal("2000.00") and entry.currency == "CNY"
    assert entry.explanation["en"].startswith("CN invention, year 7 annuity, due by 2027-03-15")
    assert "grace until 2027-09-14 with surcharge" in entry.explanation["en"]
    zh = entry.explanation["zh-CN"]
    assert "第7年年费" in zh and "宽限期至 2027-09-14" in zh
    # the shipped amounts were not checked against the office's current list: it says so
    assert not entry.fee_checked
    assert "not yet checked against the office's list" in entry.explanation["en"]
    assert "尚未与官方现行收费表核对" in zh
    # years before the grant year are paid with the grant formalities, not docketed
    assert "cn.invention.annuity:3" not in by_key(cn)


def test_cn_grace_surcharge_month_by_month() -> None:
    rule = RULES.rules["cn.invention.annuity"]
    due, fee = date(2026, 3, 16), Decimal(2000)
    paid = [date(2026, 3, 16), date(2026, 4, 16), date(2026, 4, 17), date(2026, 5, 17),
            date(2026, 6, 17), date(2026, 7, 17), date(2026, 8, 17), date(2026, 9, 16),
            date(2026, 9, 17)]
    assert [surcharge(rule, fee, due, d) for d in paid] == [
        0, 0, 100, 200, 300, 400, 500, 500, None]


def test_cn_fee_reduction_and_open_licence() -> None:
    cn = AssetFacts("a", "patent", "CN", "granted", date(2021, 3, 14),
                    grant_date=date(2023, 5, 1), fee_reduction="cn_reduction_85")
    # 85% off for the ten years from the grant year (year 3): years 3-12
    assert by_key(cn)["cn.invention.annuity:7"].fee == Decimal("300.00")
    assert by_key(cn)["cn.invention.annuity:13"].fee == Decimal("6000.00")
    both = AssetFacts("a", "patent", "CN", "granted", date(2021, 3, 14),
                      grant_date=date(2023, 5, 1), fee_reduction="cn_reduction_70",
                      open_licence=True)
    assert by_key(both)["cn.invention.annuity:7"].fee == Decimal("510.00")  # 2000 × .3 × .85


def test_us_maintenance_window_grace_and_surcharge() -> None:
    us = AssetFacts("b", "patent", "US", "granted", date(2019, 3, 14),
                    grant_date=date(2022, 1, 4))
    first = by_key(us)["us.patent.maintenance:3.5"]
    # 37 CFR 1.362(d)-(e): without surcharge until 3.5 years after grant, then 6 months
    assert first.due_on == date(2025, 7, 7)  # 2025-07-04 is a federal holiday, then a weekend
    assert first.grace_until == date(2026, 1, 5)  # 2026-01-04 is a Sunday
    assert first.fee == Decimal(2150)
    rule = RULES.rules["us.patent.maintenance"]
    assert surcharge(rule, first.fee, first.nominal_due, date(2025, 9, 1)) == Decimal(540)
    assert surcharge(rule, first.fee, first.nominal_due, date(2026, 1, 5)) is None
    assert [k for k in by_key(us) if k.startswith("us.patent.maintenance")] == [
        "us.patent.maintenance:3.5", "us.patent.maintenance:7.5", "us.patent.maintenance:11.5"]


def test_ep_renewals_at_the_epo_until_grant_then_national() -> None:
    ep = AssetFacts("c", "patent", "EP", "granted", date(2024, 2, 29),
                    grant_date=date(2028, 6, 1))
    docket = by_key(ep)
    third = docket["ep.patent.renewal_epo:3"]
    # Rule 51(1): last day of the month of the 2nd anniversary; 2026-02-28 is a Saturday
    assert (third.nominal_due, third.due_on, third.fee) == (
        date(2026, 2, 28), date(2026, 3, 2), Decimal(690))
    assert third.grace_until == date(2026, 8, 31)  # ends with the sixth month
    assert "ep.patent.renewal_epo:5" in docket and "ep.patent.renewal_epo:6" not in docket
    assert "ep.patent.national_renewal:6" in docket
    assert docket["ep.patent.validation"].due_on == date(2028, 9, 1)


def test_jp_annuity_from_registration_and_holiday_roll_forward() -> None:
    jp = AssetFacts("d", "patent", "JP", "granted", date(2020, 5, 6),
                    grant_date=date(2023, 5, 3))
    fourth = by_key(jp)["jp.patent.annuity:4"]
    # Art. 108(2): year 4 by the 3rd registration anniversary, 2026-05-03 (Sunday); 4, 5 and
    # 6 May 2026 are holidays (Greenery Day, Children's Day, substitute holiday)
    assert fourth.due_on == date(2026, 5, 7)
    assert surcharge(RULES.rules["jp.patent.annuity"], fourth.fee, fourth.nominal_due,
                     date(2026, 8, 1)) == fourth.fee  # Art. 112(2): surcharge equal to the fee


def test_pct_national_phase_30_and_31_months() -> None:
    wo = AssetFacts("e", "patent", "WO", "published", date(2025, 3, 31),
                    priority_date=date(2024, 3, 31))
    docket = by_key(wo)
    assert docket["wo.patent.national_phase:CN"].due_on == date(2026, 9, 30)
    assert docket["wo.patent.national_phase:EP"].due_on == date(2026, 10, 31)
    assert docket["wo.patent.national_phase:KR"].due_on == date(2026, 10, 31)


def test_trademark_renewals_and_design_priority() -> None:
    tm = AssetFacts("f", "trademark", "CN", "registered", date(2015, 1, 1),
                    grant_date=date(2016, 10, 1))
    entry = by_key(tm)["cn.trademark.renewal:1"]
    # National Day 1-3 October 2026 (statutory), then a Sunday: the next working day is the 5th
    assert entry.due_on == date(2026, 10, 5) and entry.fee == Decimal(500)
    design = AssetFacts("g", "design", "CN", "pending", date(2026, 1, 5))
    assert by_key(design)["cn.design.priority"].due_on == date(2026, 7, 6)  # 07-05 is a Sunday
    assert by_key(AssetFacts("h", "trademark", "CN", "lapsed", None)) == {}


def test_forecast_lines_roll_up_and_csv_is_not_a_formula() -> None:
    from ip_governance.docketing.forecast import fee_lines, roll_up, to_csv

    cn = AssetFacts("a", "patent", "CN", "granted", date(2021, 3, 14), grant_date=date(2023, 5, 1))
    us = AssetFacts("b", "patent", "US", "granted", date(2019, 3, 14), grant_date=date(2022, 1, 4))
    lines = fee_lines([("t1", "F1", cn), ("t1", "F1", us)], {"t1": RULES}, date(2027, 1, 1), 3,
                      "CNY", {"USD": Decimal("7")})
    # 2027-2029: CN years 7, 8 and 9 (2,000 each); US 7.5-year fee falls in 2029 (4,040 USD)
    assert [(x.year, x.currency, x.amount) for x in lines if x.asset_id == "a"] == [
        (2027, "CNY", 2000), (2028, "CNY", 2000), (2029, "CNY", 2000)]
    [usd] = [x for x in lines if x.asset_id == "b"]
    assert (usd.year, usd.reporting_amount) == (2029, Decimal("28280.00"))
    totals = {(t.year, t.currency): t for t in roll_up(lines, "family")}
    assert totals[(2029, "USD")].reporting_amount == Decimal("28280.00")
    assert totals[(2029, "USD")].unchecked == Decimal("4040")  # no schedule checked yet
    text = to_csv(roll_up(lines, "tenant"), {"t1": "=HYPERLINK(1)"}, "CNY")
    assert text.splitlines()[0].endswith(",amount_not_checked_with_office")
    assert text.splitlines()[1].startswith("'=HYPERLINK(1),2027,CNY,2000")
    assert text.splitlines()[1].endswith(",2000.00")


def test_a_schedule_checked_with_the_office_drops_the_warning() -> None:
    import dataclasses

    from ip_governance.docketing.forecast import fee_lines, roll_up

    rule = next(r for r in RULES.rules.values() if r.id == "cn.invention.annuity")
    checked = dataclasses.replace(rule, fees=tuple(
        dataclasses.replace(f, checked_on=date(2026, 11, 30)) for f in rule.fees))
    rules = dataclasses.replace(RULES, rules={**RULES.rules, rule.id: checked})
    cn = AssetFacts("a", "patent", "CN", "granted", date(2021, 3, 14), grant_date=date(2023, 5, 1))
    entry = {e.key: e for e in compute_docket(cn, rules, start=date(2027, 1, 1),
                                              end=date(2027, 12, 31))}["cn.invention.annuity:7"]
    assert entry.fee_checked and "not yet checked" not in entry.explanation["en"]
    [total] = roll_up(fee_lines([("t1", "F1", cn)], {"t1": rules}, date(2027, 1, 1), 1, "CNY",
                                {}), "tenant")
    assert total.unchecked == 0 and total.amount == Decimal("2000")
