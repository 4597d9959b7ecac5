"""What an office answered that is not data: one exception with a stable code, the message
in English (the catalog translates it), and whether the run must stop and until when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = ["OfficeProblem"]


class OfficeProblem(Exception):
    """An office's refusal or failure, named by a stable ``code`` (``OFFICE_QUOTA_WEEKLY``...).

    ``stop``: the run stops here and keeps its cursor (a quota, a throttle longer than the
    bounded wait, the office down, bad credentials); otherwise only this number failed and
    the run goes on. ``resume_after``: the earliest time the office may be asked again.
    """

    def __init__(self, code: str, message: str, *, stop: bool = True,
                 resume_after: datetime | None = None, status: int | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.stop = stop
        self.resume_after = resume_after
        self.status = status
        self.params = dict(params or {})

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
