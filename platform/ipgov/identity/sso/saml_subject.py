"""Who a SAML assertion signed in, kept with the session it opened so that single logout
(``saml_logout``) can name them to the IdP again, and find the sessions an IdP's
LogoutRequest ends."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from saml2.saml import NameID
from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.db.base import utcnow

from ..onetime import hash_secret
from .models import SamlSession

__all__ = ["SamlSubject", "remember_session", "subject_hash", "subject_of"]

SESSION_DAYS = 31  # longer than any absolute session timeout; purged after


@dataclass(frozen=True)
class SamlSubject:
    """Who an assertion signed in, as single logout names them again."""

    name_id: str
    format: str = ""
    name_qualifier: str = ""
    sp_name_qualifier: str = ""
    session_index: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SamlSubject | None:
        """The subject ``to_json`` wrote, or None for an empty or broken text."""
        try:
            data = json.loads(text) if text else None
            return cls(**{k: str(v)[:500] for k, v in data.items()}) if data else None
        except (ValueError, TypeError):
            return None

    def name(self) -> NameID:
        return NameID(text=self.name_id, format=self.format or None,
                      name_qualifier=self.name_qualifier or None,
                      sp_name_qualifier=self.sp_name_qualifier or None)


def subject_of(response: Any) -> SamlSubject:
    """The subject of a verified authentication response."""
    name_id = response.name_id
    statements = response.assertion.authn_statement or []
    index = next((s.session_index for s in statements if s.session_index), "")
    return SamlSubject((name_id.text or "").strip()[:255], name_id.format or "",
                       name_id.name_qualifier or "", name_id.sp_name_qualifier or "",
                       str(index)[:200])


def subject_hash(provider_id: str, name_id: str) -> str:
    """How a provider's subject is looked up (its NameID is not stored in an index)."""
    return hash_secret(f"{provider_id}|{name_id}")


def remember_session(session: AsyncSession, *, family_id: str, provider_id: str,
                     user_id: str, subject_json: str) -> None:
    """Link the session an assertion opened to its subject (nothing for an empty one)."""
    subject = SamlSubject.from_json(subject_json)
    if subject is None or not subject.name_id:
        return
    now = utcnow()
    session.add(SamlSession(family_id=family_id, provider_id=provider_id, user_id=user_id,
                            subject_hash=subject_hash(provider_id, subject.name_id),
                            subject=subject.to_json(), session_index=subject.session_index,
                            expires_at=now + timedelta(days=SESSION_DAYS)))
