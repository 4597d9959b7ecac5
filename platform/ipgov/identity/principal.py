"""Who is calling: the principal a request or a command acts as (``ipgov.identity.service``
authenticates it; service accounts and users alike)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Principal"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user or a service account; ``subject`` is its authorization subject."""

    kind: str
    id: str
    display: str
    locale: str = "en"
    tenant_id: str | None = None
    session_id: str | None = None  # the sign-in session (``sid``) of the token, if any
    token_id: str | None = None  # the token's ``jti``
    token_expires_at: datetime | None = None
    token_generation: int = 0

    @property
    def subject(self) -> str:
        """The subject name in policies (``sa:<id>`` for service accounts)."""
        return self.id if self.kind == "user" else f"sa:{self.id}"
