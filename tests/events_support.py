"""Asserting that an event was recorded: its row exists in the tenant and its payload validates
against the catalog's schema. ``tests/contract/test_event_docs.py`` checks that every catalog
type is named in some ``assert_emitted`` call, so every type is emitted by some test."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ipgov.events.models import Event


async def assert_emitted(platform: Any, tenant_id: str, type: str, **expected: Any
                         ) -> list[Event]:
    """The tenant's events of ``type`` (at least one), each valid, the last one holding
    ``expected`` in its payload."""
    async with platform.db.tenant_session(tenant_id) as session:
        rows = list((await session.execute(select(Event).where(
            Event.type == type).order_by(Event.requested_at))).scalars())
    assert rows, f"no {type} event in tenant {tenant_id}"
    declared = platform.catalog.event_types[type][1]
    for row in rows:
        errors = [e.message for e in declared.validator().iter_errors(row.payload)]
        assert not errors, f"{type} payload does not validate: {errors}"
        assert row.payload["tenant_id"] == row.tenant_id == tenant_id
    last = rows[-1].payload
    assert {k: last.get(k) for k in expected} == expected, last
    return rows
