"""Demo data of data_governance for the Hanwei group (``ipgov demo``).

Chosen so that a group review fires every check somewhere and passes it elsewhere:
Hanwei Semiconductor keeps a well-protected trade secret on hybrid bonding beside a CMP slurry
recipe classified only internal, without reasonable steps, solution or conforming metadata; a
test report past retention; an R&D solution with no protection. Its pre-publication checks
tell the three risks apart: a blog draft that retells the bonding recipe (secret disclosure,
block), the same article in Chinese for the WeChat account (block too: the check matches across
languages), and a conference abstract on the unfiled low-k capping work (novelty loss, block:
file first). Hanwei Medical has its catalog in order: owners, stewards, domain owner, all four
reasonable steps current, solutions mapped; its press release is clear.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ipgov.api import DemoContext, new_id, utcnow

from .catalog.models import DataAsset, DataAssetContent, MetadataSpec
from .catalog.services import ensure_builtin_kinds
from .lifecycle.models import DestructionRequest
from .mapping.models import IpInventoryItem, SolutionLink, TechnicalSolution
from .organization.models import GovernanceRoleAssignment
from .publication.services import store_check
from .publication.sources import screen_own_records
from .quality.models import QualityRule
from .secrets.models import ReasonableStep

__all__ = ["BLOG_DRAFT", "BLOG_DRAFT_ZH", "BONDING_RECIPE", "LOWK_ABSTRACT", "demo"]

TODAY = date.today()
SPEC_V1 = {"type": "object", "properties": {
    "inventors": {"type": "array", "items": {"type": "string"}},
    "valueEstimateCny": {"type": "number", "minimum": 0}}}
SPEC_V2 = {**SPEC_V1, "required": ["inventors", "valueEstimateCny"]}

BONDING_RECIPE = (
    "Hybrid bonding of copper pads is done at 180 degrees Celsius for 90 minutes after "
    "plasma activation with nitrogen at 300 watts. The copper recess is held between 2 and "
    "4 nanometres by a final CMP step with a benzotriazole-free slurry. Wafers are aligned "
    "within 150 nanometres and bonded at room temperature before the anneal. This process "
    "window gives void-free bonds at 10 micrometre pitch.")
BLOG_DRAFT = (
    "Hanwei engineers are proud of our new 3D stacking line. "
    "We bond copper pads at 180 degrees Celsius for 90 minutes after plasma activation with "
    "nitrogen at 300 watts, which our competitors have not matched. "
    "The result is void-free bonds at 10 micrometre pitch. Visit our booth at SEMICON China.")
BLOG_DRAFT_ZH = (
    "汉威工程师为我们新的三维堆叠产线感到自豪。"
    "我们在300瓦氮气等离子体活化后，于180摄氏度下键合铜焊盘90分钟，竞争对手尚未做到。"
    "结果是在10微米间距下实现无空洞键合。欢迎莅临我们在SEMICON China的展台。")
LOWK_SOLUTION = (
    "A silicon carbonitride cap of 15 nanometres is deposited at 350 degrees Celsius on the "
    "porous low-k dielectric right after CMP, before any air exposure. The cap seals the pores "
    "so that the dielectric constant stays below 2.4 and copper does not diffuse into the "
    "dielectric.")
LOWK_ABSTRACT = (
    "Porous low-k dielectrics degrade when exposed to air after polishing. We deposit a 15 "
    "nanometre silicon carbonitride cap at 350 degrees Celsius directly after CMP, which seals "
    "the pores and keeps the dielectric constant below 2.4 while blocking copper diffusion.")
SLURRY_RECIPE = ("The slurry mixes 5 percent colloidal silica with 0.3 percent hydrogen "
                 "peroxide and a glycine complexing agent at pH 4.")
IMPLANT_RECIPE = ("Titanium implant surfaces are etched in hydrofluoric and nitric acid for "
                  "40 seconds, then anodised at 20 volts to grow a 100 nanometre oxide.")


def _asset(tid: str, code: str, kind: str, title: str, **kw: Any) -> DataAsset:
    fields = {"owner": "IP Department", "steward": "Data Office", "classification": "internal",
              "system_of_record": "Hanwei PLM", "lifecycle_stage": "use", "properties": {},
              "created_by": "demo", "last_used_at": utcnow()}
    fields.update(kw)
    return DataAsset(id=new_id(), tenant_id=tid, code=code, kind_key=kind, title=title, **fields)


def _steps(tid: str, asset_id: str, age_days: dict[str, int]) -> list[ReasonableStep]:
    return [ReasonableStep(tenant_id=tid, asset_id=asset_id, kind=kind, recorded_by="demo",
                           taken_on=TODAY - timedelta(days=days),
                           description=f"{kind.replace('_', ' ')} evidence",
                           evidence_ref=f"DMS/{kind}/{asset_id[:8]}")
            for kind, days in age_days.items()]


def _solution(tid: str, code: str, title: str, kind: str,
              description: str = "") -> TechnicalSolution:
    return TechnicalSolution(id=new_id(), tenant_id=tid, code=code, title=title,
                             source_kind=kind, source_ref=code, owner="R&D",
                             description=description)


def _link(tid: str, solution: TechnicalSolution, asset: DataAsset) -> list[Any]:
    return [SolutionLink(tenant_id=tid, solution_id=solution.id, plugin="data_governance",
                         object_id=asset.id, object_kind="trade_secret", ref=asset.code,
                         title=asset.title, linked_by="demo"),
            IpInventoryItem(tenant_id=tid, plugin="data_governance", object_id=asset.id,
                            kind="trade_secret", ref=asset.code, title=asset.title,
                            status=asset.lifecycle_stage)]


def _semiconductor(tid: str) -> tuple[list[Any], dict[str, DataAsset]]:
    bonding = _asset(tid, "TS-SEMI-001", "trade_secret", "Cu-Cu hybrid bonding process window",
                     classification="confidential", summary="Bonding recipe for 3D stacking",
                     properties={"inventors": ["Zhao Lei"], "valueEstimateCny": 42_000_000})
    slurry = _asset(tid, "TS-SEMI-002", "trade_secret", "CMP slurry recipe for copper recess",
                    steward="", properties={"inventors": "Zhao Lei"})
    report = _asset(tid, "TD-SEMI-017", "technical_document", "2022 reliability test report",
                    retention_months=24, retention_starts_on=TODAY - timedelta(days=800),
                    legal_basis="ISO 9001 record retention, 2 years")
    product = _solution(tid, "SOL-SEMI-3DS", "3D stacking with hybrid bonding", "product")
    rd = _solution(tid, "SOL-SEMI-LOWK", "Low-k dielectric capping (R&D)", "rd_project",
                   LOWK_SOLUTION)
    # a destruction request for the expired report, waiting for approval since October
    waiting = DestructionRequest(tenant_id=tid, asset_id=report.id, requested_by="demo",
                                 reason="Retention ended (ISO 9001, 2 years)",
                                 requested_at=utcnow() - timedelta(days=45), status="pending",
                                 required_approvals=2, approvals=[])
    rows: list[Any] = [
        bonding, slurry, report, product, rd, waiting,
        DataAssetContent(tenant_id=tid, asset_id=bonding.id, body=BONDING_RECIPE),
        DataAssetContent(tenant_id=tid, asset_id=slurry.id, body=SLURRY_RECIPE),
        MetadataSpec(tenant_id=tid, kind_key="trade_secret", version=1, json_schema=SPEC_V1,
                     note="first version", created_by="demo"),
        MetadataSpec(tenant_id=tid, kind_key="trade_secret", version=2, json_schema=SPEC_V2,
                     note="inventors and value are required", created_by="demo"),
        QualityRule(tenant_id=tid, kind_key="trade_secret", name="Every secret has a steward",
                    dimension="completeness", field="steward", threshold=1.0),
        *_steps(tid, bonding.id, {"nda": 200, "access_restriction": 100, "marking": 100,
                                  "training": 500}),
        *_link(tid, product, bonding),
    ]
    return rows, {"bonding": bonding}


def _medical(tid: str) -> list[Any]:
    implant = _asset(tid, "TS-MED-001", "trade_secret", "Implant surface etch and anodising",
                     classification="secret", properties={"inventors": ["Sun Mei"],
                                                          "valueEstimateCny": 8_000_000})
    solution = _solution(tid, "SOL-MED-IMPL", "Osseointegrating implant surface", "product")
    return [
        implant, solution,
        DataAssetContent(tenant_id=tid, asset_id=implant.id, body=IMPLANT_RECIPE),
        MetadataSpec(tenant_id=tid, kind_key="trade_secret", version=1, json_schema=SPEC_V2,
                     created_by="demo"),
        QualityRule(tenant_id=tid, kind_key="trade_secret", name="Owner recorded",
                    dimension="completeness", field="owner", threshold=1.0),
        GovernanceRoleAssignment(tenant_id=tid, scope="domain", domain="trade_secret",
                                 role="owner", person="sun.mei@hanwei.example",
                                 decision_rights=["approve_destruction", "classify",
                                                  "grant_access"], assigned_by="demo"),
        *_steps(tid, implant.id, {"nda": 30, "access_restriction": 30, "marking": 30,
                                  "training": 30}),
        *_link(tid, solution, implant),
    ]


async def demo(ctx: DemoContext) -> None:
    """Add the data governance demo to the Hanwei group."""
    s = ctx.session
    for tid in ctx.tenants.values():
        await ensure_builtin_kinds(s, tid)
    semi, medical = ctx.tenants["hanwei-semiconductor"], ctx.tenants["hanwei-medical"]
    rows, _bonding = _semiconductor(semi)
    for row in [*rows, *_medical(medical)]:
        s.add(row)
        await s.flush()
    for tid, title, channel, body in (
            (semi, "Blog: our 3D stacking line", "company blog", BLOG_DRAFT),
            (semi, "WeChat article: 3D stacking (Chinese)", "WeChat public account",
             BLOG_DRAFT_ZH),
            (semi, "Conference abstract: sealing porous low-k", "IITC 2027", LOWK_ABSTRACT),
            (medical, "Press release: new implant line", "press",
             "Hanwei Medical opens a new implant production line in Suzhou, creating three "
             "hundred jobs.")):
        matches = await screen_own_records(s, body, 20, tenant_id=tid)
        await store_check(s, title=title, channel=channel, body=body, matches=matches,
                          actor="demo", platform=ctx.platform, tenant_id=tid)
