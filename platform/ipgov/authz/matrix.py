"""The role x permission matrix of the default grants, as docs/authorization.md shows it.

The code (``CORE_ROLE_GRANTS``, ``PLATFORM_GRANTS`` and each plugin's
``register_role_grants``) decides the grants; the document gives, per permission, its duty
and the reason for who holds it. ``tests/contract/test_authorization_matrix.py`` fails when
the two differ or when a role holds a permission of a duty it does not carry.

``python -m ipgov.authz.matrix docs/authorization.md`` rewrites the check marks from the code
(keeping duties and reasons, adding rows for new permissions with an empty reason to fill).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .roles import PLATFORM_GRANTS, PLATFORM_ROLES, TENANT_ROLES

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["DUTIES", "FIRST_PARTY", "ROLE_DUTIES", "Row", "default_matrix", "parse",
           "platform_matrix", "render"]

FIRST_PARTY = ("ip_governance", "patent_search", "data_governance")
"""Plugins whose grants the document covers (a partner documents his own)."""

DUTIES = {
    "read": "see the tenant's records",
    "participate": "an employee's own contributions: disclosures, incident reports, checks "
                   "of a text or a solution, evidence of steps taken",
    "manage": "the IP department's execution within the constraints governance sets",
    "evaluate": "assurance: reviews requested, the audit trail verified",
    "supervise": "internal supervision: the cross-tenant view, who read protected content",
    "govern": "the decision level's acts: evaluate, direct and monitor (GB/T 34960)",
    "administer": "who belongs to the tenant and what each may do; tenant settings",
    "group": "acts on the group as a whole: mergers, decisions escalated to it",
}
"""The duties of seed section 3 and GB/T 29490, one per permission."""

ROLE_DUTIES = {
    "group_admin": frozenset(DUTIES),
    "tenant_admin": frozenset(DUTIES) - {"group"},
    "ip_manager": frozenset({"read", "participate", "manage", "evaluate"}),
    "reviewer": frozenset({"read", "evaluate"}),
    "contributor": frozenset({"read", "participate"}),
    "viewer": frozenset({"read"}),
    "auditor": frozenset({"read", "evaluate", "supervise"}),
    "platform_admin": frozenset({"read", "administer", "evaluate", "group"}),
    "platform_auditor": frozenset({"read", "evaluate", "supervise"}),
}
"""The duties each role carries: a default grant of a duty outside these is a defect."""

_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")


@dataclass(frozen=True)
class Row:
    """One permission of the document: its duty, who holds it, and why."""

    permission: str
    duty: str
    roles: frozenset[str]
    why: str


def _key(obj: str, action: str) -> str:
    return f"{obj}:{action}"


def default_matrix(platform: Platform) -> dict[str, frozenset[str]]:
    """``object:action`` -> tenant roles holding it by default (core and first-party
    plugins), for every declared permission of those."""
    grants = platform.authz.role_grants([p for p in FIRST_PARTY
                                         if p in platform.registry.names()])
    held: dict[str, set[str]] = {}
    for role in TENANT_ROLES:
        for obj, action in grants.get(role, ()):
            held.setdefault(_key(obj, action), set()).add(role)
    ours = ("ipgov:", *(f"{p}:" for p in FIRST_PARTY))
    return {_key(o, a): frozenset(held.get(_key(o, a), ()))
            for o, a in platform.authz.declared if o.startswith(ours)}


def platform_matrix() -> dict[str, frozenset[str]]:
    """``object:action`` -> platform roles holding it in the platform's own domain."""
    held: dict[str, set[str]] = {}
    for role, items in PLATFORM_GRANTS.items():
        for obj, action in items:
            held.setdefault(_key(obj, action), set()).add(role)
    return {k: frozenset(v) for k, v in held.items()}


def parse(text: str, roles: Iterable[str]) -> dict[str, Row]:
    """The rows of every table of ``text`` whose columns are permission, duty, ``roles``
    (a check mark when held) and why."""
    roles = tuple(roles)
    found: dict[str, Row] = {}
    header: tuple[str, ...] = ()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[:2] == ["permission", "duty"]:
            header = tuple(cells[2:-1])
            continue
        match = _ROW.match(line.strip())
        if not match or header != roles:
            continue
        values = [c.strip() for c in match.group(2).split("|")]
        duty, marks, why = values[0], values[1:-1], values[-1]
        held = frozenset(r for r, mark in zip(roles, marks, strict=True) if mark == "✓")
        found[match.group(1)] = Row(match.group(1), duty, held, why)
    return found


def render(rows: Iterable[Row], roles: Iterable[str]) -> list[str]:
    """Markdown table lines for ``rows``."""
    roles = tuple(roles)
    lines = [f"| permission | duty | {' | '.join(roles)} | why |",
             "|" + "---|" * (len(roles) + 3)]
    for row in rows:
        marks = " | ".join("✓" if r in row.roles else "" for r in roles)
        lines.append(f"| `{row.permission}` | {row.duty} | {marks} | {row.why} |")
    return lines


def refresh(path: Path, platform: Platform) -> None:
    """Rewrite the check marks of the document at ``path`` from the code."""
    text = path.read_text(encoding="utf-8")
    for roles, held in ((TENANT_ROLES, default_matrix(platform)),
                        (PLATFORM_ROLES, platform_matrix())):
        known = parse(text, roles)
        rows = [Row(p, known[p].duty if p in known else "", held[p],
                    known[p].why if p in known else "") for p in sorted(held)]
        text = _replace_table(text, roles, render(rows, roles))
    path.write_text(text, encoding="utf-8")


def _replace_table(text: str, roles: tuple[str, ...], table: list[str]) -> str:
    lines, out, skipping = text.splitlines(), [], False
    header = f"| permission | duty | {' | '.join(roles)} | why |"
    for line in lines:
        if line.strip() == header:
            out.extend(table)
            skipping = True
            continue
        if skipping and line.startswith("|"):
            continue
        skipping = False
        out.append(line)
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    from ipgov.settings import get_settings
    from ipgov.startup import build_platform

    refresh(Path(sys.argv[1]), build_platform(get_settings()))
