"""The job "refresh from the offices": each configured connector walks the tenant's register
numbers and stores what its office gives, one number per transaction.

A number's documents (through the ingest model and ``store.upsert_records``, so parts merge
into one document), its legal events (``OfficeLegalEvent``, unique by content) and the
cursor's step commit together, the step as a compare-and-set on the cursor: a run stopped
anywhere — a quota, a throttle longer than the bounded wait, a killed worker — resumes at the
first number not finished, never fetching a finished one again and never losing a fetched
one; two runs at once cannot both store the same step (the second stops, "superseded").
A stop records the office's code and message, its quota state and when to come back
(``resume_after``); the scheduled job (every six hours) or ``refreshFromOffices`` resumes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from ipgov.api import InvalidInput, JobContext, PlatformContext, SealedSecretError, utcnow

from ..ingest.limits import Limits, configure
from ..ingest.model import LegalEvent, PatentRecord
from ..settings import settings_of
from ..store import backend, refresh_count, upsert_records
from .cnipa import not_available
from .epo_ops import EpoOpsClient, NumberResult, TokenCache
from .errors import OfficeProblem
from .http import Bounds
from .models import OfficeConnector, OfficeLegalEvent
from .registry import CONNECTORS, connector_info
from .services import connector_row, credentials_of, office_collection, register_numbers
from .throttle import QuotaState
from .uspto_odp import OdpClient, OdpResult

__all__ = ["EVERY", "REFRESH_KIND", "refresh_from_offices", "tenants_with_connectors",
           "token_cache"]

REFRESH_KIND = "patent_search.office_refresh"
EVERY = timedelta(hours=6)
_STATUS_OF = {"OFFICE_QUOTA_HOURLY": "quota_exceeded", "OFFICE_QUOTA_WEEKLY": "quota_exceeded",
              "OFFICE_ROBOT_DETECTED": "throttled", "OFFICE_THROTTLED": "throttled",
              "OFFICE_AUTH_FAILED": "failed", "OFFICE_FORBIDDEN": "failed"}
_NEEDS_NEW_CREDENTIALS = ("OFFICE_AUTH_FAILED", "OFFICE_FORBIDDEN")


class _Superseded(Exception):
    """Another run stored this step first: roll this one's transaction back and stop."""


def token_cache(ctx: JobContext) -> TokenCache:
    """The process's OPS token cache (keyed by tenant and credential)."""
    state = ctx.platform.plugin_state("patent_search")
    cache = state.get("ops_tokens")
    if cache is None:
        cache = state["ops_tokens"] = TokenCache()
    return cache


def _bounds(ctx: JobContext) -> Bounds:
    conf = settings_of(ctx.platform)
    return Bounds(timeout=float(conf.office_timeout_seconds),
                  max_bytes=int(conf.office_max_answer_bytes),
                  max_wait=float(conf.office_max_wait_seconds))


def _fingerprint(office: str, member: str, event: LegalEvent) -> str:
    text = "\x1f".join((office, member, event.code, str(event.date or ""), event.description,
                        event.influence, event.text))
    return hashlib.sha256(text.encode()).hexdigest()


def _event_rows(office: str, number: str, result: NumberResult) -> list[OfficeLegalEvent]:
    rows: dict[str, OfficeLegalEvent] = {}

    def add(event: LegalEvent, member: str, application: str, family: str) -> None:
        key = _fingerprint(office, member or application, event)
        rows[key] = OfficeLegalEvent(
            office=office, register_number=number, publication_number=member,
            application_number=application, family_id=family[:40],
            country=(event.country or member[:2])[:8], code=event.code[:40],
            event_date=event.date, description=event.description[:2000],
            influence=event.influence[:4], text=event.text[:20_000], fingerprint=key)

    for record in result.records:
        for event in record.legal_events:
            add(event, record.publication_number, record.application_number, record.family_id)
    if isinstance(result, OdpResult):
        member = result.records[0].publication_number if result.records else ""
        for event in result.events:
            add(event, member, result.application, "")
    return list(rows.values())


def _records(office: str, number: str, result: NumberResult) -> list[PatentRecord]:
    name = CONNECTORS[office].name
    return [dataclasses.replace(r, source_file=name, source_locator=number, legal_events=[])
            for r in result.records]


async def _store(ctx: JobContext, row_id: str, collection_id: str, office: str, index: int,
                 number: str, result: NumberResult, quota: QuotaState) -> tuple[int, int]:
    """One number's documents and events, and the cursor past it, in one transaction."""
    events = _event_rows(office, number, result)
    async with ctx.session() as session:
        moved = await session.execute(
            update(OfficeConnector).where(OfficeConnector.id == row_id,
                                          OfficeConnector.cursor == index)
            .values(cursor=index + 1, quota=quota.as_dict(),
                    requests_total=OfficeConnector.requests_total + result.requests,
                    documents_total=OfficeConnector.documents_total + len(result.records),
                    events_total=OfficeConnector.events_total + len(events))
            .execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            raise _Superseded
        stats = await upsert_records(ctx.platform, session, ctx.tenant_id, collection_id,
                                     _records(office, number, result))
        held = set((await session.execute(select(OfficeLegalEvent.fingerprint).where(
            OfficeLegalEvent.fingerprint.in_([e.fingerprint for e in events])))).scalars())
        fresh = [e for e in events if e.fingerprint not in held]
        session.add_all(fresh)
    return stats.inserted + stats.updated, len(fresh)


async def _set(ctx: JobContext, row_id: str, **values: Any) -> None:
    async with ctx.session() as session:
        await session.execute(update(OfficeConnector).where(OfficeConnector.id == row_id)
                              .values(**values).execution_options(synchronize_session=False))


async def _stopped(ctx: JobContext, row_id: str, problem: OfficeProblem,
                   quota: QuotaState) -> None:
    await _set(ctx, row_id, status=_STATUS_OF.get(problem.code, "interrupted"),
               resume_after=problem.resume_after, quota=quota.as_dict(),
               last_error_code=problem.code, last_error_message=problem.message[:2000],
               last_error_params=problem.params)


async def _start(ctx: JobContext, office: str) -> dict[str, Any]:
    """Claim the tenant's connector for a run: the run's snapshot, or why there is none."""
    limit = int(settings_of(ctx.platform).office_max_numbers)
    async with ctx.session() as session:
        row = await connector_row(session, office)
        if row is None or not row.sealed_credentials or not row.enabled:
            return {"status": "not_configured"}
        if row.last_error_code in _NEEDS_NEW_CREDENTIALS:
            return {"status": "needs_credentials", "code": row.last_error_code}
        now = utcnow()
        if row.resume_after is not None and row.resume_after > now:
            return {"status": "waiting", "resume_after": row.resume_after.isoformat()}
        if row.cursor >= len(row.run_numbers or []):  # the last run finished: a new one
            row.run_numbers = await register_numbers(ctx.platform, ctx.tenant_id, office,
                                                     limit)
            row.cursor, row.run_started_at = 0, now
        row.status, row.last_run_at, row.resume_after = "running", now, None
        collection_id = await office_collection(session, ctx.tenant_id, row)
        try:
            credentials = credentials_of(ctx.platform, row)
        except (SealedSecretError, ValueError):
            row.status, row.last_error_code = "failed", "OFFICE_AUTH_FAILED"
            row.last_error_message = ("the stored credentials do not open with this "
                                      "platform's key; set them again")
            return {"status": "needs_credentials", "code": "OFFICE_AUTH_FAILED"}
        return {"status": "running", "row_id": row.id, "numbers": list(row.run_numbers),
                "cursor": row.cursor, "collection_id": collection_id,
                "credentials": credentials, "quota": dict(row.quota or {})}


def _client(ctx: JobContext, office: str, http: httpx.AsyncClient, run: dict[str, Any],
            quota: QuotaState) -> EpoOpsClient | OdpClient:
    conf, creds = settings_of(ctx.platform), run["credentials"]
    if office == "epo_ops":
        return EpoOpsClient(http, str(conf.epo_ops_url), creds["consumer_key"],
                            creds["consumer_secret"], tenant_id=ctx.tenant_id,
                            bounds=_bounds(ctx), quota=quota, tokens=token_cache(ctx))
    return OdpClient(http, str(conf.uspto_odp_url), creds["api_key"], bounds=_bounds(ctx))


async def refresh_office(ctx: JobContext, office: str) -> dict[str, Any]:
    """One connector's run (or its resumption); what it did."""
    if not connector_info(office).available:
        problem = not_available()
        return {"status": "not_available", "code": problem.code, "message": problem.message}
    run = await _start(ctx, office)
    if run["status"] != "running":
        return run
    row_id, numbers, start = run["row_id"], run["numbers"], run["cursor"]
    quota = QuotaState(hourly_used=run["quota"].get("hourly_used"),
                       weekly_used=run["quota"].get("weekly_used"))
    documents = events = 0
    async with httpx.AsyncClient(follow_redirects=False) as http:
        client = _client(ctx, office, http, run, quota)
        for index in range(start, len(numbers)):
            number = numbers[index]
            try:
                result: NumberResult = await client.fetch_number(number)
            except OfficeProblem as problem:
                if problem.stop:
                    await _stopped(ctx, row_id, problem, quota)
                    return {"status": "stopped", "code": problem.code, "done": index,
                            "total": len(numbers), "documents": documents, "events": events,
                            "resume_after": problem.resume_after.isoformat()
                            if problem.resume_after else None}
                result = NumberResult(problems=[problem.message], requests=1)
            for text in result.problems:
                await ctx.error(document=number, field=office, message=text)
            try:
                stored = await _store(ctx, row_id, run["collection_id"], office, index,
                                      number, result, quota)
            except _Superseded:
                return {"status": "superseded", "done": index, "total": len(numbers)}
            documents, events = documents + stored[0], events + stored[1]
            await ctx.progress(index + 1, len(numbers), f"{office}: {index + 1} of "
                               f"{len(numbers)} numbers, {events} new legal events")
    await _set(ctx, row_id, status="completed", last_completed_at=utcnow(),
               last_error_code="", last_error_message="", last_error_params={},
               quota=quota.as_dict())
    return {"status": "completed", "done": len(numbers), "total": len(numbers),
            "resumed_at": start, "documents": documents, "events": events}


async def tenants_with_connectors(platform: PlatformContext, tenant_ids: list[str]
                                  ) -> set[str]:
    """Which of ``tenant_ids`` have a connector set up: the 6-hourly refresh is scheduled
    for them only (a tenant without an office account has nothing to ask, and 10,000 such
    tenants would otherwise get 40,000 empty job rows a day)."""
    found: set[str] = set()
    for start in range(0, len(tenant_ids), 1000):
        chunk = tenant_ids[start:start + 1000]
        async with platform.tenants_session(chunk, "patent_search: office refresh schedule",
                                            readonly=True) as session:
            found |= set((await session.execute(select(OfficeConnector.tenant_id).where(
                OfficeConnector.enabled.is_(True), OfficeConnector.sealed_credentials != "")
                .distinct())).scalars())
    return found


async def refresh_from_offices(ctx: JobContext) -> dict[str, Any]:
    """Job handler: param ``office`` (one connector; default every one the tenant set up)."""
    configure(Limits.from_settings(settings_of(ctx.platform)))
    wanted = ctx.params.get("office")
    if wanted is not None and wanted not in CONNECTORS:
        raise InvalidInput(f"no office connector {wanted!r}", code="OFFICE_UNKNOWN",
                           field="office")
    offices = [str(wanted)] if wanted else [k for k, v in CONNECTORS.items() if v.available]
    outcome = {office: await refresh_office(ctx, office) for office in offices}
    if any(o.get("documents") for o in outcome.values()):
        backend(ctx.platform).refresh()
        async with ctx.session() as session:
            for office in offices:
                row = await connector_row(session, office)
                if row is not None and row.collection_id:
                    await refresh_count(session, row.collection_id)
    await ctx.flush()
    return {"offices": outcome}
