"""Recording management reviews (GB/T 29490-2023 9.3): validated, nothing half-stored."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ipgov.api import InvalidInput

from ..organization.services import _past as happened
from ..organization.services import _text as text
from ..organization.services import aware
from .models import ManagementReview

__all__ = ["record_management_review"]

MAX_ITEMS = 100


def _items(values: Iterable[str], field: str, max_len: int) -> list[str]:
    items = [v.strip() for v in values if v and v.strip()]
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"{field} has more than {MAX_ITEMS} entries", field=field)
    for i, item in enumerate(items):
        if len(item) > max_len:
            raise InvalidInput(f"{field}[{i}] is longer than {max_len} characters", field=field)
    return items


async def record_management_review(
    session: Any, tenant_id: str, *, chair: str, conclusions: str, actor: str,
    held_at: datetime | None = None, participants: Iterable[str] = (), inputs: str = "",
    actions: Iterable[str] = (), next_review_due: datetime | None = None,
) -> ManagementReview:
    """Store a management review held (default now); a review held in the future, or a next
    review due before it was held, is refused with the field at fault."""
    held = happened(held_at, "heldAt")
    due = aware(next_review_due) if next_review_due else None
    if due is not None and due <= held:
        raise InvalidInput("nextReviewDue must come after heldAt", field="nextReviewDue")
    row = ManagementReview(
        tenant_id=tenant_id, held_at=held, chair=text(chair, "chair", max_len=200),
        participants=_items(participants, "participants", 200),
        inputs=text(inputs, "inputs", max_len=20_000, required=False),
        conclusions=text(conclusions, "conclusions", max_len=20_000),
        actions=_items(actions, "actions", 1000), next_review_due=due, recorded_by=actor)
    session.add(row)
    await session.flush()
    return row
