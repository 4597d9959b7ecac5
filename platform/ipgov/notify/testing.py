"""The test send: a tenant admin checks a destination from the workspace and sees at once
what it answered; the attempt is logged like any delivery (mode ``test``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipgov.db.base import new_id, utcnow
from ipgov.errors import NotFound

from .models import Delivery, DeliveryStatus, NotificationDestination
from .sending import attempt_delivery

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["TEST_EVENT_TYPE", "send_test"]

TEST_EVENT_TYPE = "notification.test"


async def send_test(platform: Platform, *, tenant_id: str, destination_id: str,
                    actor: str) -> Delivery:
    """Send a test notice to the destination now; the logged delivery says what happened."""
    async with platform.read_session(tenant_id) as session:
        dest = await session.get(NotificationDestination, destination_id)
        if dest is None:
            raise NotFound("no such destination in this tenant", field="destinationId")
    now, event_id = utcnow(), new_id()
    # the id is the message's webhook-id: it must exist before the row is ever flushed
    row = Delivery(id=new_id(), tenant_id=tenant_id, event_id=event_id, event_type=TEST_EVENT_TYPE,
                   event_tenant_id=tenant_id, payload={"requested_by": actor},
                   occurred_at=now, channel=dest.kind, destination_id=dest.id,
                   locale=dest.locale, mode="test", requested_by=actor,
                   idempotency_key=f"test:{event_id}", attempts=1, started_at=now)
    result = await attempt_delivery(platform, row)
    row.status = DeliveryStatus.DELIVERED if result.delivered else DeliveryStatus.DEAD
    row.last_status, row.detail = result.status[:60], result.detail[:2000]
    row.finished_at = utcnow()
    row.delivered_at = row.finished_at if result.delivered else None
    async with platform.tenant_session(tenant_id) as session:
        session.add(row)
        await platform.audit(session, tenant_id=tenant_id, actor=actor,
                             action="ipgov.notification.test_sent",
                             object_type="ipgov:notification", object_id=dest.id,
                             details={"status": row.status, "answer": row.last_status})
    return row
