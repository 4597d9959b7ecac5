"""Scopes: the permissions a service account is limited to, written ``object:action``.

The action is what follows the last colon (``data_governance:content:secret:read`` is the
``read`` action on ``data_governance:content:secret``), so every declared permission has one
spelling, the one ``myPermissions`` and ``docs/authorization.md`` use.
"""

from __future__ import annotations

__all__ = ["format_scope", "parse_scope"]


def parse_scope(text: str) -> tuple[str, str]:
    """``"ipgov:review:request"`` -> ``("ipgov:review", "request")``; ValueError otherwise."""
    obj, sep, action = str(text).strip().rpartition(":")
    if not sep or not obj or not action or ":" not in obj:
        raise ValueError(f"{text!r} is not object:action (e.g. ipgov:review:read)")
    return obj, action


def format_scope(obj: str, action: str) -> str:
    """``("ipgov:review", "request")`` -> ``"ipgov:review:request"``."""
    return f"{obj}:{action}"
