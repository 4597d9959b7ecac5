"""The registers' rules: IP risks, IP assets, deadlines, licences and royalties, incidents,
responses and recovery plans. Field-level ``InvalidInput`` for bad input; no GraphQL here.

Every function works in a session scoped to one tenant; rows are stamped with that tenant.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.api import (
    Conflict,
    FieldErrors,
    InvalidInput,
    NotFound,
    clean_text,
    in_range,
    utcnow,
)
from ipgov.api import one_of as _one_of
from ipgov.api import required as _required

from .models import (
    IpAsset,
    IpAssetDeadline,
    IpIncident,
    IpIncidentResponse,
    IpLicence,
    IpRecoveryPlan,
    IpRisk,
    IpRoyaltyPayment,
)
from .vocabulary import (
    ASSET_KINDS,
    ASSET_STATUSES,
    DEADLINE_KINDS,
    DEADLINE_STATUSES,
    INCIDENT_KINDS,
    INCIDENT_STATUSES,
    LICENCE_DIRECTIONS,
    LICENCE_STATUSES,
    RECOVERY_STATUSES,
    RESPONSE_ACTIONS,
    RISK_CATEGORIES,
    RISK_STATUSES,
    TREATMENTS,
    VALUE_TIERS,
)

T = TypeVar("T")

__all__ = [
    "accept_risk", "add_deadline", "close_incident", "create_licence", "get", "one_of",
    "record_payment", "record_response", "report_incident", "save_asset", "save_risk",
    "set_deadline_status", "set_recovery_plan", "delete_asset", "normalize_number", "redocket",
    "required",
]


# ------------------------------------------------------------------------------ validation


def one_of(value: str | None, allowed: tuple[str, ...], field: str, *,
           required: bool = True) -> str | None:
    """``value`` if it is one of ``allowed`` (a field error naming the choices otherwise)."""
    return _one_of(value, allowed, field, required=required)


def required(value: T | None, field: str) -> T:
    """``value``, or a ``REQUIRED`` error on ``field`` when it is missing."""
    return _required(value, field)


def _text(value: str | None, field: str, max_len: int, *, required: bool = False) -> str:
    return clean_text(value, field, max_len=max_len, required=required)


def _scale(value: int | None, field: str) -> int:
    """A likelihood or impact on the 1-5 risk matrix."""
    return int(in_range(value, field, 1, 5))


def normalize_number(value: str | None) -> str:
    """An office number compared loosely: upper case, no spaces, dots, slashes or hyphens."""
    return re.sub(r"[\s./,-]", "", (value or "").upper())


async def get(session: AsyncSession, model: type[T], object_id: str, what: str) -> T:
    """The row of the session's tenant with ``object_id`` (``NotFound`` otherwise)."""
    row = (await session.execute(select(model).where(
        model.id == object_id))).scalar_one_or_none()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"no such {what} in this tenant", code="NOT_FOUND", field="id")
    return row


# ------------------------------------------------------------------------------ risks


async def save_risk(session: AsyncSession, data: dict[str, Any],
                    risk: IpRisk | None = None) -> IpRisk:
    """Create or update a register entry; the score is always likelihood × impact."""
    merged = {**(_risk_fields(risk) if risk else {}),
              **{k: v for k, v in data.items() if v is not None}}
    fields = validate_risk(merged)
    risk = risk or IpRisk(status="open")
    for name, value in fields.items():
        setattr(risk, name, value)
    risk.score = risk.likelihood * risk.impact
    if merged.get("asset_id"):
        await get(session, IpAsset, str(merged["asset_id"]), "asset")
        risk.asset_id = str(merged["asset_id"])
    session.add(risk)
    await session.flush()
    return risk


def validate_risk(data: dict[str, Any]) -> dict[str, Any]:
    """Checked risk fields; every bad field is reported at once."""
    errors = FieldErrors()
    out = {
        "title": errors.check(_text, data.get("title"), "title", 300, required=True),
        "description": errors.check(_text, data.get("description"), "description", 10_000),
        "category": errors.check(one_of, data.get("category"), RISK_CATEGORIES, "category"),
        "likelihood": errors.check(_scale, data.get("likelihood"), "likelihood"),
        "impact": errors.check(_scale, data.get("impact"), "impact"),
        "owner": errors.check(_text, data.get("owner"), "owner", 200),
        "treatment": errors.check(one_of, data.get("treatment"), TREATMENTS, "treatment",
                                  required=False),
        "treatment_plan": errors.check(_text, data.get("treatment_plan"), "treatmentPlan",
                                       10_000),
        "status": errors.check(one_of, data.get("status") or "open", RISK_STATUSES, "status"),
    }
    if out["treatment"] and out["treatment"] != "accept" and not out["treatment_plan"] and (
            "treatmentPlan" not in {e.field for e in errors.errors}):
        errors.add(InvalidInput("a treatment other than accept needs a treatment plan",
                                code="REQUIRED", field="treatmentPlan"))
    errors.raise_if_any()
    return out


def _risk_fields(risk: IpRisk) -> dict[str, Any]:
    names = ("title", "description", "category", "likelihood", "impact", "owner", "treatment",
             "treatment_plan", "status", "asset_id")
    return {n: getattr(risk, n) for n in names}


async def accept_risk(session: AsyncSession, risk: IpRisk, *, approver: str,
                      expires_on: date | None, today: date) -> IpRisk:
    """Accept a risk (treatment ``accept``) until ``expires_on``, approved by ``approver``."""
    errors = FieldErrors()
    if not approver.strip():
        errors.add(InvalidInput("an acceptance needs an approver", code="REQUIRED",
                                field="approver"))
    if errors.check(required, expires_on, "expiresOn") and expires_on <= today:  # type: ignore[operator]
        errors.add(InvalidInput("the acceptance must expire in the future", field="expiresOn"))
    errors.raise_if_any()
    risk.treatment, risk.status = "accept", "accepted"
    risk.accepted_by, risk.accepted_at = approver.strip(), utcnow()
    risk.acceptance_expires_on = expires_on
    await session.flush()
    return risk


# ------------------------------------------------------------------------------ assets


ASSET_TEXT = {"title": 500, "jurisdiction": 8, "family_id": 100, "application_number": 60,
              "publication_number": 60, "registration_number": 60, "kind_code": 10,
              "assignee": 300, "owner": 200}
FEE_REDUCTIONS = ("", "cn_reduction_85", "cn_reduction_70")  # ids of the docket rules file
ASSET_DATES = ("priority_date", "filing_date", "publication_date", "grant_date", "expiry_date")


def validate_asset(data: dict[str, Any]) -> dict[str, Any]:
    """Checked and normalised asset fields; every bad field is reported at once."""
    errors = FieldErrors()
    out: dict[str, Any] = {"kind": errors.check(one_of, data.get("kind"), ASSET_KINDS, "kind")}
    for name, size in ASSET_TEXT.items():
        out[name] = errors.check(_text, data.get(name), _camel(name), size,
                                 required=name == "title") or ""
    out["jurisdiction"] = out["jurisdiction"].upper()
    if out["jurisdiction"] and not re.fullmatch(r"[A-Z]{2}|EP|WO|EM|EU|OA|AP|EA|GC",
                                                out["jurisdiction"]):
        errors.add(InvalidInput("jurisdiction must be a two-letter office code (CN, US, EP, "
                                "WO...)", field="jurisdiction"))
    out["status"] = errors.check(one_of, data.get("status") or "pending", ASSET_STATUSES,
                                 "status")
    out["value_tier"] = errors.check(one_of, data.get("value_tier"), VALUE_TIERS, "valueTier",
                                     required=False)
    out["inventors"] = [i.strip() for i in data.get("inventors") or [] if i and i.strip()]
    out["cpc_codes"] = [c.strip().upper() for c in data.get("cpc_codes") or [] if c.strip()]
    bad_codes = [c for c in out["cpc_codes"]
                 if not re.fullmatch(r"[A-HY]\d{2}[A-Z](\s?\d{1,4}/\d{1,6})?", c)]
    if bad_codes:
        errors.add(InvalidInput(f"{', '.join(map(repr, bad_codes))} not CPC symbols (e.g. "
                                "G06N 3/08)", field="cpcCodes"))
    for name in ASSET_DATES:
        out[name] = data.get(name)
    out["fee_reduction"] = data.get("fee_reduction") or ""
    if out["fee_reduction"] not in FEE_REDUCTIONS:
        errors.add(InvalidInput("a fee reduction is cn_reduction_85, cn_reduction_70 or none",
                                code="INVALID_CHOICE", field="feeReduction"))
    out["open_licence"] = bool(data.get("open_licence"))
    if out["filing_date"] and out["grant_date"] and out["grant_date"] < out["filing_date"]:
        errors.add(InvalidInput("the grant date is before the filing date", field="grantDate"))
    if out["kind"] in {"patent", "utility_model", "design", "trademark"} and not (
            out["application_number"] or out["publication_number"]
            or out["registration_number"]):
        errors.add(InvalidInput(f"a {out['kind']} needs an application, publication or "
                                "registration number", code="REQUIRED",
                                field="applicationNumber"))
    errors.raise_if_any()
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


async def find_same_asset(session: AsyncSession, fields: dict[str, Any]) -> IpAsset | None:
    """The stored asset with the same jurisdiction and one of the same office numbers."""
    numbers = {normalize_number(fields.get(n)) for n in
               ("application_number", "publication_number", "registration_number")} - {""}
    if not numbers:
        return None
    stmt = select(IpAsset).where(IpAsset.jurisdiction == fields.get("jurisdiction", ""))
    for asset in (await session.execute(stmt)).scalars():
        if numbers & {normalize_number(n) for n in (asset.application_number,
                      asset.publication_number, asset.registration_number)}:
            return asset
    return None


async def save_asset(session: AsyncSession, data: dict[str, Any],
                     asset: IpAsset | None = None) -> IpAsset:
    """Create (refusing a duplicate office number) or update an asset."""
    names = ("kind", "status", "value_tier", "inventors", "cpc_codes", "fee_reduction",
             "open_licence", *ASSET_TEXT, *ASSET_DATES)
    base = {c: getattr(asset, c) for c in names} if asset else {}
    fields = validate_asset({**base, **{k: v for k, v in data.items() if v is not None}})
    same = await find_same_asset(session, fields)
    if same is not None and same is not asset:
        number = same.publication_number or same.application_number
        raise Conflict(f"{fields['jurisdiction']} {number} is already registered",
                       code="DUPLICATE_ASSET",
                       field="publicationNumber")
    asset = asset or IpAsset()
    for name, value in fields.items():
        setattr(asset, name, value)
    session.add(asset)
    await session.flush()
    await redocket(session, [asset])
    return asset


async def redocket(session: AsyncSession, assets: list[IpAsset]) -> None:
    """Recompute the computed deadlines of ``assets`` (their dates, status or jurisdiction
    may have changed)."""
    from ..docketing import services as docket  # the docket builds on this register

    if assets:
        rules = await docket.effective_rules(session, assets[0].tenant_id)
        await docket.recompute(session, assets, rules, utcnow().date())


async def delete_asset(session: AsyncSession, asset: IpAsset) -> None:
    """Remove an asset and its deadlines (risks keep their text and lose the link)."""
    for deadline in (await session.execute(select(IpAssetDeadline).where(
            IpAssetDeadline.asset_id == asset.id))).scalars():
        await session.delete(deadline)
    for risk in (await session.execute(select(IpRisk).where(IpRisk.asset_id == asset.id))
                 ).scalars():
        risk.asset_id = None
    await session.delete(asset)
    await session.flush()


async def add_deadline(session: AsyncSession, *, asset_id: str, kind: str,
                       due_on: date | None, description: str = "",
                       received_on: date | None = None) -> IpAssetDeadline:
    """A dated obligation on one of the tenant's assets; an office action given with the
    day it was received and no due date gets its response period from the docket rules."""
    errors = FieldErrors()
    if due_on is None and not (kind == "office_action" and received_on):
        errors.check(required, due_on, "dueOn")
    checked_kind = errors.check(one_of, kind, DEADLINE_KINDS, "kind")
    description = errors.check(_text, description, "description", 2000)  # type: ignore[assignment]
    errors.raise_if_any()
    asset = await get(session, IpAsset, asset_id, "asset")
    explanation: dict[str, str] = {}
    rule_id = None
    if due_on is None and received_on is not None:
        from ..docketing import compute  # the docket builds on this register
        from ..docketing import services as docket

        entry = compute.office_action_entry(docket.facts(asset),
                                            await docket.effective_rules(session),
                                            received_on)
        if entry is None:
            raise InvalidInput("no response period is known for this jurisdiction: give the "
                               "due date", code="REQUIRED", field="dueOn")
        due_on, explanation, rule_id = entry.due_on, dict(entry.explanation), entry.rule_id
        description = description or entry.explanation["en"][:2000]
    row = IpAssetDeadline(asset_id=asset_id, kind=checked_kind, due_on=due_on,
                          description=description, status="open", rule_id=rule_id,
                          explanation=explanation)
    session.add(row)
    await session.flush()
    return row


async def set_deadline_status(session: AsyncSession, deadline: IpAssetDeadline,
                              status: str) -> IpAssetDeadline:
    """Mark a deadline done, waived or missed (or open again)."""
    deadline.status = one_of(status, DEADLINE_STATUSES, "status")  # type: ignore[assignment]
    deadline.completed_at = utcnow() if status != "open" else None
    await session.flush()
    return deadline


# ------------------------------------------------------------------------------ licences


async def create_licence(session: AsyncSession, data: dict[str, Any]) -> IpLicence:
    """A licence in or out on some of the tenant's assets."""
    asset_ids = [str(a) for a in data.get("asset_ids") or []]
    starts, ends = data.get("starts_on"), data.get("ends_on")
    errors = FieldErrors()
    errors.check(required, starts, "startsOn")
    if starts is not None and ends is not None and ends < starts:
        errors.add(InvalidInput("the licence ends before it starts", field="endsOn"))
    fields = {
        "direction": errors.check(one_of, data.get("direction"), LICENCE_DIRECTIONS,
                                  "direction"),
        "counterparty": errors.check(_text, data.get("counterparty"), "counterparty", 300,
                                     required=True),
        "scope": errors.check(_text, data.get("scope"), "scope", 5000),
        "territory": errors.check(_text, data.get("territory"), "territory", 200),
        "royalty_terms": errors.check(_text, data.get("royalty_terms"), "royaltyTerms", 5000),
        "status": errors.check(one_of, data.get("status") or "active", LICENCE_STATUSES,
                               "status"),
    }
    errors.raise_if_any()
    for asset_id in asset_ids:
        await get(session, IpAsset, asset_id, "asset")
    row = IpLicence(
        asset_ids=asset_ids, exclusive=bool(data.get("exclusive")),
        royalty_bearing=data.get("royalty_bearing", True) is not False,
        starts_on=starts, ends_on=ends, **fields)
    session.add(row)
    await session.flush()
    return row


async def record_payment(session: AsyncSession, *, licence_id: str, paid_on: date | None,
                         amount: Decimal | None, currency: str, reference: str = "",
                         ) -> IpRoyaltyPayment:
    """A royalty payment under one of the tenant's licences."""
    errors = FieldErrors()
    errors.check(required, paid_on, "paidOn")
    if errors.check(required, amount, "amount") is not None and amount <= 0:  # type: ignore[operator]
        errors.add(InvalidInput("the amount must be positive", field="amount"))
    if not re.fullmatch(r"[A-Z]{3}", currency or ""):
        errors.add(InvalidInput("currency must be an ISO 4217 code such as CNY, USD, EUR",
                                field="currency"))
    reference = errors.check(_text, reference, "reference", 200)  # type: ignore[assignment]
    errors.raise_if_any()
    await get(session, IpLicence, licence_id, "licence")
    row = IpRoyaltyPayment(licence_id=licence_id, paid_on=paid_on, amount=amount,
                           currency=currency, reference=reference)
    session.add(row)
    await session.flush()
    return row


# ------------------------------------------------------------------------------ incidents


async def report_incident(session: AsyncSession, data: dict[str, Any]) -> IpIncident:
    """Record a detected incident (Monitor) against some of the tenant's assets."""
    asset_ids = [str(a) for a in data.get("asset_ids") or []]
    errors = FieldErrors()
    errors.check(required, data.get("detected_on"), "detectedOn")
    fields = {
        "kind": errors.check(one_of, data.get("kind"), INCIDENT_KINDS, "kind"),
        "title": errors.check(_text, data.get("title"), "title", 300, required=True),
        "description": errors.check(_text, data.get("description"), "description", 10_000),
        "severity": errors.check(one_of, data.get("severity") or "medium",
                                 ("low", "medium", "high", "critical"), "severity"),
    }
    errors.raise_if_any()
    for asset_id in asset_ids:
        await get(session, IpAsset, asset_id, "asset")
    row = IpIncident(detected_on=data["detected_on"], asset_ids=asset_ids, status="open",
                     **fields)
    session.add(row)
    await session.flush()
    return row


async def record_response(session: AsyncSession, *, incident_id: str, action: str,
                          description: str, responder: str, taken_on: date,
                          ) -> IpIncidentResponse:
    """An action taken on an incident (Respond); an open incident moves to ``responding``."""
    errors = FieldErrors()
    fields = {"action": errors.check(one_of, action, RESPONSE_ACTIONS, "action"),
              "description": errors.check(_text, description, "description", 10_000),
              "responder": errors.check(_text, responder, "responder", 200)}
    errors.raise_if_any()
    incident = await get(session, IpIncident, incident_id, "incident")
    row = IpIncidentResponse(incident_id=incident_id, taken_on=taken_on, **fields)
    session.add(row)
    if incident.status == "open":
        incident.status = "responding"
    await session.flush()
    return row


async def set_recovery_plan(session: AsyncSession, *, incident_id: str, summary: str,
                            steps: list[dict[str, Any]], status: str) -> IpRecoveryPlan:
    """Create or replace the incident's recovery plan (Recover)."""
    errors = FieldErrors()
    clean = []
    for i, step in enumerate(steps):
        title = errors.check(_text, step.get("title"), f"steps[{i}].title", 300, required=True)
        step_status = errors.check(one_of, step.get("status") or "open",
                                   ("open", "in_progress", "done"), f"steps[{i}].status")
        due = step.get("due_on")
        clean.append({"title": title, "status": step_status,
                      "due_on": due.isoformat() if isinstance(due, date) else None})
    summary = errors.check(_text, summary, "summary", 10_000, required=True)  # type: ignore[assignment]
    checked_status = errors.check(one_of, status, RECOVERY_STATUSES, "status")
    errors.raise_if_any()
    if checked_status is None:  # a required one_of returns a status or records an error
        raise AssertionError("recovery plan status unchecked")
    await get(session, IpIncident, incident_id, "incident")
    plan = (await session.execute(select(IpRecoveryPlan).where(
        IpRecoveryPlan.incident_id == incident_id))).scalar_one_or_none()
    if plan is None:
        plan = IpRecoveryPlan(incident_id=incident_id, summary="")
        session.add(plan)
    plan.summary = summary
    plan.steps = clean
    plan.status = checked_status
    await session.flush()
    return plan


async def close_incident(session: AsyncSession, incident: IpIncident) -> IpIncident:
    """Close an incident (``INCIDENT_STATUSES``); a review flags closures lacking recovery."""
    if incident.status == "closed":
        raise Conflict("the incident is already closed", field="id")
    incident.status = INCIDENT_STATUSES[-1]
    incident.closed_at = utcnow()
    await session.flush()
    return incident
