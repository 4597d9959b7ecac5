"""Many existing tenants, fast: one subsidiary onboarded for real, then cloned in bulk with SQL.

``onboard_subsidiary`` costs ~80 ms and writes ~390 rows per tenant (375 authorization rules with
the default plugins, plugin defaults, a review schedule, audit events); calling it 10,000 times
would take the whole time budget. Instead ``clone_subsidiaries`` onboards ONE template
subsidiary through the real service and copies, for every new tenant, its tenants row (new id
and slug) and every row of every tenant-scoped table except the audit trail (``audit_*``: a
copied hash chain would not verify), with one ``INSERT ... SELECT`` per table (ids in key
order, see ``_clone_id``). The clones are therefore the same rows the service would have
written (same policies, plugin defaults and schedule, same parent and governance mode), minus
their audit events and ``policy_changes`` history; the engine learns them through a full
``authz.load()``.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from sqlalchemy import String, insert, select, text

CHUNK = 1_000


ID_EXPR = "substr(t.id, 1, 8) || substr(r.id, 9)"
"""A copied row's id: the clone's serial prefix and the template row's random rest (36 chars)."""
_serial = itertools.count(1)


def _clone_id() -> str:
    """A UUID-shaped id whose first 8 hex digits count up: the copies then go in key order,
    appended to the indexes instead of scattered over them (much faster at millions of rows)."""
    return f"{next(_serial):08x}{str(uuid.uuid4())[8:]}"


def _copy_statement(table: Any, template_id: str, prefix: str) -> str:
    """``INSERT ... SELECT`` copying ``table``'s template rows to every tenant slugged prefix*."""
    cols, exprs = [], []
    for column in table.c:
        if column.name == "tenant_id":
            cols.append(column.name)
            exprs.append("t.id")
        elif column.name == "id" and column.primary_key:
            if isinstance(column.type, String):
                cols.append("id")
                exprs.append(ID_EXPR)
            # integer keys are left to the database
        else:
            cols.append(column.name)
            exprs.append(f"r.{column.name}")
    order = ", ".join(f"r.{c.name}" for c in table.primary_key.columns) or "r.rowid"
    return (f"INSERT INTO {table.name} ({', '.join(cols)}) SELECT {', '.join(exprs)} "
            f"FROM {table.name} r CROSS JOIN tenants t WHERE r.tenant_id = '{template_id}' "
            f"AND t.slug LIKE '{prefix}%' ORDER BY t.id, {order}")


def tenant_tables() -> list[Any]:
    """Every tenant-scoped table a subsidiary gets rows in at onboarding, audit trail excluded."""
    from ipgov.db.base import Base

    return [t for t in Base.metadata.sorted_tables
            if "tenant_id" in t.c and t.name != "tenants" and not t.name.startswith("audit")]


async def clone_subsidiaries(platform: Any, parent_id: str, count: int,
                             prefix: str = "clone-") -> list[str]:
    """Create ``count`` subsidiaries of ``parent_id`` as copies of one really onboarded one.

    Returns the new tenant ids (the template's first). Slugs are ``<prefix><n>``.
    """
    from ipgov.tenancy import services
    from ipgov.tenancy.models import Tenant

    async with platform.db.system_session("bench: template subsidiary") as s:
        template = await services.onboard_subsidiary(
            platform, s, parent_id=parent_id, slug=f"{prefix}template", name="Template",
            actor="bench")
        template_id = template.id
    async with platform.db.system_session("bench: clone tenants") as s:
        if platform.db.dialect == "sqlite":  # index pages of millions of rows: 256 MiB cache
            await s.execute(text("PRAGMA cache_size = -262144"))
        row = (await s.execute(select(Tenant.__table__).where(Tenant.id == template_id))).one()
        base = dict(row._mapping)
        ids = [template_id]
        tables = tenant_tables()
        for start in range(0, count - 1, CHUNK):
            batch = range(start, min(count - 1, start + CHUNK))
            rows = [{**base, "id": _clone_id(), "slug": f"{prefix}{n:06d}", "name": f"Clone {n}"}
                    for n in batch]
            ids += [r["id"] for r in rows]
            await s.execute(insert(Tenant.__table__), rows)
            # copy to this chunk only: its slugs share the chunk prefix
            chunk_prefix = f"{prefix}{start // CHUNK:03d}"
            for table in tables:
                await s.execute(text(_copy_statement(table, template_id, chunk_prefix)))
    return ids
