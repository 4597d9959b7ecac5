"""Demo data of the risk_assets area for the Hanwei group (``ipgov demo``).

Chosen so that a group review shows every check of this area failing somewhere and passing
elsewhere: the group states the risk appetite and tolerances (Semiconductor and Industrial
tighten some, Europe inherits Industrial's centrally, Cloud under a decentralized parent has
none of its own), registers hold assets with deadlines in 20, 60 and 200 days and one overdue,
licences out with and without recent royalties, incidents with and without responses and
recovery plans.

Some assets are real published patents taken from the Google Patents result exports in
``shared/data/patents/csv/google_patents_export`` (public bibliographic data): number, title,
assignee on record, inventors and dates are as published; in the demo they stand for a
portfolio the group acquired, so the assignee of record is the original applicant.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ipgov.api import DemoContext, new_id, utcnow

from .models import (
    IpAsset,
    IpAssetDeadline,
    IpIncident,
    IpIncidentResponse,
    IpLicence,
    IpRecoveryPlan,
    IpRisk,
    IpRoyaltyPayment,
    RiskAppetite,
    RiskTolerance,
)

__all__ = ["demo"]

GROUP_STATEMENT = (
    "Hanwei accepts moderate IP risk to enter new markets quickly, but no risk of losing core "
    "semiconductor and medical-device technology: freedom-to-operate is cleared before launch, "
    "trade secrets of process technology are never exposed, and litigation exposure above "
    "CNY 50 million needs the board's decision.")
GROUP_TOLERANCES = {"infringement": 10, "validity": 12, "ownership": 8, "trade_secret": 6,
                    "freedom_to_operate": 10, "licensing": 12, "portfolio_cost": 15}

# Real published patents (Google Patents export): id, title, assignee of record, inventors,
# priority, filing, publication, grant.
REAL = {
    "US8682812B1": ("US", "8682812", "B1",
                    "Machine learning based botnet detection using real-time extracted traffic "
                    "features", "Narus, Inc.", ["Supranamaya Ranjan"],
                    "2010-12-23", "2010-12-23", "2014-03-25", "2014-03-25"),
    "CN105894088B": ("CN", "105894088", "B",
                     "Learning and distributed based on the depth semantic feature information "
                     "extraction system and method for medical", "苏州赫博特医疗信息科技有限公司",
                     ["吴永辉", "王璟琪"], "2016-03-25", "2016-03-25", "2018-06-29",
                     "2018-06-29"),
    "CN104866727A": ("CN", "104866727", "A", "Deep learning-based method for analyzing medical "
                     "data and intelligent analyzer thereof", "陈宽", ["陈宽"], "2015-06-02",
                     "2015-06-02", "2015-08-26", ""),
    "US8527276B1": ("US", "8527276", "B1", "Speech synthesis using deep neural networks",
                    "Google Inc.", ["Andrew William Senior", "Byungha Chun", "Michael Schuster"],
                    "2012-10-25", "2012-10-25", "2013-09-03", "2013-09-03"),
    "CN101782976A": ("CN", "101782976", "A", "Automatic selection method for machine learning "
                     "in cloud computing environment", "南京邮电大学", ["付雄", "任勋益", "孔强"],
                     "2010-01-15", "2010-01-15", "2010-07-21", ""),
    "US5828812A": ("US", "5828812", "A", "Recurrent neural network-based fuzzy logic system "
                   "and method", "National Semiconductor Corporation",
                   ["Emdadur Rahman Khan", "William Shields Neely"], "1993-03-24", "1995-05-02",
                   "1998-10-27", "1998-10-27"),
    "DE102004047130A1": ("DE", "102004047130", "A1", "Environment and surroundings modeling "
                         "for autonomous mobile systems including industrial robots",
                         "Daimlerchrysler Ag", ["Andreas Stopp", "Volker Viereck"],
                         "2004-09-27", "2004-09-27", "2006-04-13", ""),
}


def _d(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _real(tenant_id: str, key: str, *, owner: str, tier: str | None, cpc: list[str],
          status: str | None = None) -> IpAsset:
    jur, number, kc, title, assignee, inventors, prio, filed, pub, grant = REAL[key]
    return IpAsset(id=new_id(), tenant_id=tenant_id, kind="patent", title=title,
                   jurisdiction=jur, publication_number=number, kind_code=kc,
                   registration_number=number if grant else "",
                   status=status or ("granted" if grant else "published"), assignee=assignee,
                   owner=owner, inventors=inventors, cpc_codes=cpc, value_tier=tier,
                   priority_date=_d(prio), filing_date=_d(filed), publication_date=_d(pub),
                   grant_date=_d(grant), family_id=f"{jur}{number}", source="google_patents")


def _own(tenant_id: str, kind: str, title: str, **fields: Any) -> IpAsset:
    return IpAsset(id=new_id(), tenant_id=tenant_id, kind=kind, title=title, source="manual",
                   **fields)


async def demo(demo: DemoContext) -> None:
    """Add appetite, registers, licences and incidents to the demo group's tenants."""
    t, s, today = demo.tenants, demo.session, date.today()
    if "hanwei-group" not in t:
        return
    rows: list[Any] = [RiskAppetite(tenant_id=t["hanwei-group"], statement=GROUP_STATEMENT,
                                    approved_by="Board of Hanwei Technology Group",
                                    updated_by=demo.actor)]
    rows += [RiskTolerance(tenant_id=t["hanwei-group"], category=c, threshold=v,
                           rationale="Group baseline", updated_by=demo.actor)
             for c, v in GROUP_TOLERANCES.items()]
    rows += [RiskTolerance(tenant_id=t["hanwei-semiconductor"], category="infringement",
                           threshold=8, rationale="US market entry: litigation-heavy peers",
                           updated_by=demo.actor),
             RiskTolerance(tenant_id=t["hanwei-industrial"], category="trade_secret",
                           threshold=4, rationale="Process know-how is the moat",
                           updated_by=demo.actor)]
    rows += _semiconductor(t["hanwei-semiconductor"], today)
    rows += _medical(t["hanwei-medical"], today)
    rows += _software_and_cloud(t["hanwei-software"], t["hanwei-cloud"], today)
    rows += _group_industrial_europe(t["hanwei-group"], t["hanwei-industrial"],
                                     t["hanwei-europe"], today)
    for row in rows:
        s.add(row)
        await s.flush()


def _semiconductor(tid: str, today: date) -> list[Any]:
    granted = _real(tid, "US8682812B1", owner="Wang Fang", tier="A", cpc=["H04L 63/1425"])
    pending = _own(tid, "patent", "Wafer-level warpage compensation for 3D stacked DRAM",
                   jurisdiction="CN", application_number="202310456789.1", status="pending",
                   assignee="Hanwei Semiconductor Co., Ltd.", owner="Wang Fang", value_tier="A",
                   inventors=["Zhao Lei"], cpc_codes=["H01L 21/67"],
                   filing_date=today - timedelta(days=400))
    lic = IpLicence(id=new_id(), tenant_id=tid, direction="out",
                    counterparty="Pacific Foundry Services Ltd.", asset_ids=[granted.id],
                    scope="Non-exclusive use in network security appliances",
                    territory="Worldwide", royalty_terms="2% of net sales, paid quarterly",
                    starts_on=today - timedelta(days=900))
    incident = IpIncident(id=new_id(), tenant_id=tid, kind="infringement_detected",
                          title="Clone of botnet-detection module in a competitor's firewall",
                          detected_on=today - timedelta(days=40), severity="high",
                          status="responding", asset_ids=[granted.id])
    return [
        granted, pending, lic, incident,
        IpAssetDeadline(tenant_id=tid, asset_id=granted.id, kind="annuity",
                        due_on=today + timedelta(days=20), description="US maintenance fee"),
        IpAssetDeadline(tenant_id=tid, asset_id=pending.id, kind="office_action",
                        due_on=today + timedelta(days=60),
                        description="Response to first CNIPA office action"),
        IpRoyaltyPayment(tenant_id=tid, licence_id=lic.id, paid_on=today - timedelta(days=500),
                         amount=Decimal("18250.00"), currency="USD", reference="Q2 royalty"),
        IpIncidentResponse(tenant_id=tid, incident_id=incident.id, action="cease_and_desist",
                           description="Warning letter sent by outside counsel",
                           responder="Wang Fang", taken_on=today - timedelta(days=30)),
        IpRisk(tenant_id=tid, title="Assertion by NPE against 3D-stacking process in the US",
               category="infringement", likelihood=4, impact=4, score=16, owner="Wang Fang",
               status="open"),
        IpRisk(tenant_id=tid, title="Invalidity challenge to the botnet-detection patent",
               category="validity", likelihood=3, impact=4, score=12, owner="Wang Fang",
               treatment="mitigate", treatment_plan="Prior-art search; prepare auxiliary claims",
               status="treating", asset_id=granted.id),
    ]


def _medical(tid: str, today: date) -> list[Any]:
    granted = _real(tid, "CN105894088B", owner="Sun Mei", tier="B", cpc=["G06F 40/30"])
    pending = _real(tid, "CN104866727A", owner="Sun Mei", tier="B", cpc=["G16H 50/20"])
    return [
        granted, pending,
        IpAssetDeadline(tenant_id=tid, asset_id=granted.id, kind="annuity",
                        due_on=today - timedelta(days=5), description="CNIPA annual fee"),
        IpIncident(tenant_id=tid, kind="infringement_detected",
                   title="Diagnostic analyzer offered on an e-commerce platform using our method",
                   detected_on=today - timedelta(days=10), severity="high", status="open",
                   asset_ids=[pending.id]),
        IpRisk(tenant_id=tid, title="Employee-inventor remuneration dispute", category="ownership",
               likelihood=2, impact=3, score=6, owner="Sun Mei", status="open"),
        IpRisk(tenant_id=tid, title="FTO gap for the new infusion pump controller",
               category="freedom_to_operate", likelihood=3, impact=4, score=12, owner="Sun Mei",
               treatment="accept", status="accepted", accepted_by="Medical general manager",
               accepted_at=utcnow() - timedelta(days=240),
               acceptance_expires_on=today - timedelta(days=60)),
    ]


def _software_and_cloud(soft: str, cloud: str, today: date) -> list[Any]:
    granted = _real(soft, "US8527276B1", owner="Liu Yang", tier=None, cpc=["G10L 13/00"])
    cloud_app = _real(cloud, "CN101782976A", owner="Zhou Qiang", tier="C", cpc=["G06N 20/00"])
    secret = _own(cloud, "trade_secret", "Workload-placement model and training data",
                  status="registered", owner="Zhou Qiang", value_tier="A")
    domain = _own(cloud, "domain_name", "hanwei-cloud.example", status="registered",
                  registration_number="hanwei-cloud.example", owner="Zhou Qiang", value_tier="C",
                  expiry_date=today + timedelta(days=300))
    leak = IpIncident(id=new_id(), tenant_id=cloud, kind="leakage",
                      title="Model files copied to a personal repository by a departing engineer",
                      detected_on=today - timedelta(days=120), severity="critical",
                      status="closed", asset_ids=[secret.id], closed_at=utcnow())
    return [
        granted, cloud_app, secret, domain, leak,
        _own(soft, "trademark", "HANWEI SOFT", jurisdiction="CN", registration_number="45678901",
             status="registered", owner="Liu Yang", value_tier="B"),
        IpIncidentResponse(tenant_id=cloud, incident_id=leak.id, action="internal_investigation",
                           description="Access revoked; repository taken down",
                           responder="Zhou Qiang", taken_on=today - timedelta(days=118)),
    ]


def _group_industrial_europe(group: str, industrial: str, europe: str,
                             today: date) -> list[Any]:
    mark = _own(group, "trademark", "汉威 HANWEI", jurisdiction="CN",
                registration_number="12345678", status="registered", owner="Li Wei", value_tier="A",
                expiry_date=today + timedelta(days=200))
    expired = _real(group, "US5828812A", owner="Li Wei", tier="C", cpc=["G06N 3/044"],
                    status="expired")
    lic = IpLicence(id=new_id(), tenant_id=group, direction="out",
                    counterparty="Meridian Consumer Electronics", asset_ids=[mark.id],
                    scope="Co-branding on smart-home sensors", territory="CN, HK",
                    royalty_terms="CNY 400,000 per year", starts_on=today - timedelta(days=800))
    squat = IpIncident(id=new_id(), tenant_id=group, kind="domain_squatting",
                       title="hanwei-group.example registered by a squatter",
                       detected_on=today - timedelta(days=200), status="closed",
                       asset_ids=[mark.id], closed_at=utcnow() - timedelta(days=100))
    eu = _real(industrial, "DE102004047130A1", owner="Anna Schmidt", tier="B",
               cpc=["G05D 1/02"])
    return [
        mark, expired, lic, squat, eu,
        IpAssetDeadline(tenant_id=group, asset_id=mark.id, kind="renewal",
                        due_on=today + timedelta(days=200), description="Ten-year renewal"),
        IpAssetDeadline(tenant_id=group, asset_id=expired.id, kind="annuity",
                        due_on=today - timedelta(days=3000), status="waived",
                        description="Let lapse at end of term"),
        IpRoyaltyPayment(tenant_id=group, licence_id=lic.id, paid_on=today - timedelta(days=90),
                         amount=Decimal("400000.00"), currency="CNY", reference="Annual fee"),
        IpIncidentResponse(tenant_id=group, incident_id=squat.id, action="takedown",
                           description="UDRP complaint filed", responder="Li Wei",
                           taken_on=today - timedelta(days=190)),
        IpRecoveryPlan(tenant_id=group, incident_id=squat.id, status="completed",
                       summary="Domain transferred back; brand-monitoring service extended",
                       steps=[{"title": "Transfer domain", "status": "done", "due_on": None},
                              {"title": "Extend monitoring", "status": "done", "due_on": None}]),
        IpRisk(tenant_id=group, title="Counterfeit sensors using the HANWEI mark in export markets",
               category="infringement", likelihood=2, impact=4, score=8, owner="Li Wei",
               treatment="accept", status="accepted", accepted_by="Group IP committee",
               accepted_at=utcnow(), acceptance_expires_on=today + timedelta(days=365)),
        IpRisk(tenant_id=europe, title="Know-how of the Stuttgart line shared with an integrator",
               category="trade_secret", likelihood=2, impact=3, score=6, owner="Anna Schmidt",
               status="open"),
        IpRisk(tenant_id=industrial, title="Annuity budget for the robotics portfolio",
               category="portfolio_cost", likelihood=2, impact=2, score=4, owner="Li Wei",
               status="open"),
    ]
