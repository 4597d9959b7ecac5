"""Why a single sign-on was refused: one error type with a stable code per reason.

Every refusal of the flow (the redirect, the callback, the hand-over) raises
``SignInRefused``; the HTTP routes show its message in the person's language
(``ipgov.i18n.messages``), log it and append ``user.sso_refused`` to the audit trail of the
provider's tenant (or the platform's when no provider is known).
"""

from __future__ import annotations

from typing import Any

from ipgov.errors import Unauthenticated

__all__ = ["SignInRefused"]


class SignInRefused(Unauthenticated):
    """A sign-in through an identity provider was refused; ``code`` says why."""

    def __init__(self, code: str, message: str, *, details: dict[str, Any] | None = None
                 ) -> None:
        super().__init__(message, code=code, details=details)
