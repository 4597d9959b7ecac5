"""The one written form in which a directory's string names a role in a tenant.

Directories speak in strings: an identity provider's groups claim, a SCIM Group's
``displayName``. Such a string names a role only when written ``ipgov:<tenant slug>:<role>``:
the reserved prefix ``ipgov:``, a tenant slug (a DNS label, so it never holds a colon) and a
role name (letters and ``_``), each part read in either case, blanks around the parts
ignored. Every other string is the directory's own name and confers nothing: a colon inside
it (``Sales:Team``, ``Legal:Viewer``) is never read as a tenant and a role, whatever tenants
exist. A string that has the prefix but not that form is refused (``RoleNameMalformed``),
never guessed at: the prefix is reserved, so it was meant as a role name.

``parse_role_name`` is the only reader (single sign-on's direct role claims and SCIM group
names both use it); whether the tenant is within a
provider's or a token's reach, and whether the role may be held there, is the caller's to
judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ipgov.errors import InvalidInput

__all__ = ["PREFIX", "RoleName", "RoleNameMalformed", "is_role_name", "parse_role_name"]

PREFIX = "ipgov:"
_FORM = re.compile(
    r"^\s*([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)\s*:\s*([A-Za-z_]{1,80})"
    r"\s*$"
)


@dataclass(frozen=True)
class RoleName:
    """A role in a tenant as a directory string names it (slug and role in lower case)."""

    tenant_slug: str
    role: str


class RoleNameMalformed(InvalidInput):
    """A string with the reserved ``ipgov:`` prefix that is not ``ipgov:<slug>:<role>``."""

    def __init__(self, value: str) -> None:
        shown = value[:120]
        super().__init__(
            f"{shown!r} begins with 'ipgov:' but is not written ipgov:<tenant slug>:<role>",
            code="ROLE_NAME_MALFORMED",
            details={"value": shown},
        )


def is_role_name(value: str) -> bool:
    """Whether ``value`` carries the reserved prefix (any case, leading blanks ignored)."""
    return value.lstrip()[: len(PREFIX)].lower() == PREFIX


def parse_role_name(value: str) -> RoleName | None:
    """The role ``value`` names, ``None`` for a directory's own name (see the module);
    ``RoleNameMalformed`` for a prefixed string of another form."""
    if not is_role_name(value):
        return None
    match = _FORM.match(value.lstrip()[len(PREFIX) :])
    if match is None:
        raise RoleNameMalformed(value)
    return RoleName(match.group(1).lower(), match.group(2).lower())
