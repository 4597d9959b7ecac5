"""``ipgov evidence verify``: hash every stored evidence file of a tenant again and compare it
with the hash its audit event recorded; exit 1 when any file is tampered, missing or
unrecorded (one line per such file on stderr), 0 when all are intact."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from ipgov.api import PlatformContext, cli_command, cli_progress, tenant_by_ref

from .models import EvidenceFile
from .services import verify

__all__ = ["evidence"]

BATCH = 500


@click.group("evidence")
def evidence() -> None:
    """Evidence files (GB/T 29490 documented information): verify what is stored."""


@evidence.command("verify")
@click.option("--tenant", "tenant_ref", required=True, help="Slug or id of the tenant.")
@click.option("--id", "evidence_id", default=None, help="Only this file.")
def verify_command(tenant_ref: str, evidence_id: str | None) -> None:
    """Verify the tenant's stored evidence files against the audit chain."""
    bad = _verify(tenant_ref=tenant_ref, evidence_id=evidence_id)
    sys.exit(1 if bad else 0)


@cli_command
async def _verify(platform: PlatformContext, tenant_ref: str, evidence_id: str | None) -> int:
    tenant = tenant_by_ref(platform, tenant_ref)
    checked = bad = 0
    after = ""
    while True:
        async with platform.read_session(tenant.id) as session:
            stmt = select(EvidenceFile).where(EvidenceFile.id > after).order_by(
                EvidenceFile.id).limit(BATCH)
            if evidence_id:
                stmt = stmt.where(EvidenceFile.id == evidence_id)
            rows = list((await session.execute(stmt)).scalars())
            for row in rows:
                found = await verify(platform, session, tenant.id, row)
                checked += 1
                if not found.ok:
                    bad += 1
                    click.echo(f"{found.status}: {row.id} {row.filename} expected "
                               f"{found.expected_sha256} stored {found.actual_sha256} recorded "
                               f"{found.recorded_sha256}", err=True)
        if len(rows) < BATCH:
            break
        after = rows[-1].id
        cli_progress(f"checked {checked} files")
    click.echo(f"{checked} evidence files checked, {bad} not intact")
    return bad
