"""What a review check is: the contract plugins implement through ``register_checks``.

A check belongs to one governance domain (seed §4: top-level design, management systems,
resources) and one of the seven functions (Govern, Identify, Protect, Operate, Monitor,
Respond, Recover). It reads the tenant's data through a tenant-scoped session and returns
findings; each finding has a ``key`` that stays the same while the same condition holds, so a
later review can tell that it still holds (the directive stays open) or not (it closes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "Check",
    "CheckContext",
    "FindingDraft",
    "Function",
    "GovernanceDomain",
    "SEVERITY_ORDER",
    "Severity",
]


class Function(StrEnum):
    """The seven functions of the IP governance framework (NIST CSF 2.0 adapted to IP)."""

    GOVERN = "govern"
    IDENTIFY = "identify"
    PROTECT = "protect"
    OPERATE = "operate"
    MONITOR = "monitor"
    RESPOND = "respond"
    RECOVER = "recover"


class GovernanceDomain(StrEnum):
    """The three governance domains of the seed (§4)."""

    TOP_LEVEL_DESIGN = "top_level_design"
    MANAGEMENT_SYSTEMS = "management_systems"
    RESOURCES = "resources"


class Severity(StrEnum):
    """How serious a finding is; risk tolerance is expressed as one of these."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True)
class FindingDraft:
    """A finding as a check reports it; the review stores it with the run.

    ``title_zh`` and ``recommendation_zh`` are the Chinese texts of this particular finding,
    when the check can say more than its own ``title_zh``/``recommendation_zh``.
    """

    key: str
    title: str
    severity: Severity | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    recommendation: str = ""
    object_type: str = ""
    object_id: str = ""
    title_zh: str = ""
    recommendation_zh: str = ""


@dataclass(frozen=True)
class TenantView:
    """What a check may know of the tenant under review."""

    id: str
    slug: str
    name: str
    parent_id: str | None
    root_id: str
    governance_mode: str
    parent_mode: str | None
    enabled_plugins: frozenset[str]
    lineage: tuple[str, ...] = ()
    lineage_modes: tuple[str, ...] = ()
    """Governance mode of each tenant in ``lineage`` (how it governs its children)."""


@dataclass
class CheckContext:
    """Handed to a check: a session scoped to the tenant, the tenant, and the review's time.

    ``lineage`` is the tenant's chain up to its group root (ids, nearest first);
    ``lineage_session()`` opens a read session over exactly those tenants, for settings a
    group imposes on its subsidiaries (risk appetite, target profiles).
    """

    session: AsyncSession
    tenant: TenantView
    now: datetime
    run_id: str
    lineage: tuple[str, ...] = ()
    open_session: Callable[[frozenset[str]], Any] | None = None

    def lineage_session(self) -> Any:
        """An async context manager: a session scoped to the tenant and its ancestors."""
        if self.open_session is None:
            raise RuntimeError("no lineage session available here")
        return self.open_session(frozenset(self.lineage or (self.tenant.id,)))

    @property
    def tenant_id(self) -> str:
        """The tenant under review."""
        return self.tenant.id

    def finding(self, key: str, title: str, **kwargs: Any) -> FindingDraft:
        """Shorthand for ``FindingDraft(key, title, ...)``."""
        return FindingDraft(key=key, title=title, **kwargs)


CheckFunction = Callable[[CheckContext], Awaitable[list[FindingDraft]] | list[FindingDraft]]


@dataclass(frozen=True)
class Check:
    """A review check: identity, classification, default severity and the function to run.

    Everything a person reads comes in English and Chinese: ``title``/``title_zh`` (the
    condition checked) and ``recommendation``/``recommendation_zh`` (what to do when a finding
    says it does not hold; a finding may carry a more specific English recommendation).
    """

    id: str
    title: str
    domain: GovernanceDomain
    function: Function
    severity: Severity
    run: CheckFunction
    seed_ref: str = ""
    recommendation: str = ""
    owner_role: str = "ip_manager"
    title_zh: str = ""
    recommendation_zh: str = ""
