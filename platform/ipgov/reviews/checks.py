"""What a review check is: the contract plugins implement through ``register_checks``.

A check belongs to one governance domain (seed §4: top-level design, management systems,
resources) and one of the seven functions (Govern, Identify, Protect, Operate, Monitor,
Respond, Recover). It reads the tenant's data through a tenant-scoped session and returns
findings; each finding has a ``key`` that stays the same while the same condition holds, so a
later review can tell that it still holds (the directive stays open) or not (it closes).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ipgov.i18n.text import localized

__all__ = [
    "Check",
    "CheckContext",
    "CheckStatus",
    "FindingDraft",
    "FindingText",
    "Function",
    "GovernanceDomain",
    "NotAssessed",
    "SEVERITY_ORDER",
    "Severity",
    "localized",
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


class CheckStatus(StrEnum):
    """How one check went in a review: it assessed something (passed or findings), had
    nothing to assess, does not apply to this tenant, or failed."""

    PASSED = "passed"
    FINDINGS = "findings"
    NOT_ASSESSED = "not_assessed"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


@dataclass(frozen=True)
class FindingText:
    """How one kind of finding of a check reads, in English and Chinese.

    ``{name}`` placeholders are filled from the finding's ``params`` (then from its
    ``evidence``); ``{name:severity}`` shows the label of a core vocabulary (function, domain,
    severity, governance_mode, ...); a value made with ``localized(en, zh)``, or a list of
    them, reads in the reader's language. Both languages must use the same placeholders.
    """

    title: str
    title_zh: str
    recommendation: str = ""
    recommendation_zh: str = ""


@dataclass(frozen=True)
class FindingDraft:
    """A finding as a check reports it; the review stores it with the run.

    ``text`` names one of the check's ``texts`` (the only one when omitted) and ``params``
    holds the specifics it is about, so the finding reads with the same specifics in every
    language. ``title`` is a literal English title for checks that declare no texts.
    """

    key: str
    title: str = ""
    severity: Severity | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    recommendation: str = ""
    object_type: str = ""
    object_id: str = ""
    title_zh: str = ""
    recommendation_zh: str = ""
    text: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NotAssessed:
    """A check's answer when it could not assess anything: the register it reads is empty,
    nothing of its kind exists yet. Such a check counts as *not assessed* in the coverage of
    its function and domain instead of passing (nothing found is not the same as nothing
    wrong). ``applicable=False`` says the check does not apply to this tenant at all (e.g. a
    hybrid-only rule under a centralized parent): it leaves the coverage out entirely.
    """

    reason: str
    reason_zh: str
    params: dict[str, Any] = field(default_factory=dict)
    applicable: bool = True

    def as_record(self) -> dict[str, Any]:
        """What the check result stores: both reasons and their parameters."""
        return {"reason": self.reason, "reason_zh": self.reason_zh,
                "params": dict(self.params), "applicable": self.applicable}


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
    group imposes on its subsidiaries (risk appetite, target profiles). In a review, both
    sessions are read-only and shared by every check of the run (one snapshot each; the
    runner rolls them back after a check that fails): leaving the ``async with`` block does
    not close a shared session.
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

    def finding(self, key: str, title: str = "", **kwargs: Any) -> FindingDraft:
        """Shorthand for ``FindingDraft(key, title, ...)``; with texts declared on the check,
        pass ``params=`` (and ``text=`` when the check has several) instead of a title."""
        return FindingDraft(key=key, title=title, **kwargs)

    def not_assessed(self, reason: str, reason_zh: str, **params: Any) -> NotAssessed:
        """Nothing to assess (an empty register): the check counts as not assessed."""
        return NotAssessed(reason, reason_zh, params)

    def not_applicable(self, reason: str, reason_zh: str, **params: Any) -> NotAssessed:
        """The check does not apply to this tenant: it leaves the coverage out."""
        return NotAssessed(reason, reason_zh, params, applicable=False)


CheckOutcome = list[FindingDraft] | NotAssessed
CheckFunction = Callable[[CheckContext], Awaitable[CheckOutcome] | CheckOutcome]


@dataclass(frozen=True)
class Check:
    """A review check: identity, classification, default severity and the function to run.

    Everything a person reads comes in English and Chinese: ``title``/``title_zh`` (the
    condition checked), ``recommendation``/``recommendation_zh`` (what to do when a finding
    says it does not hold) and ``texts`` (how each kind of finding reads, with the
    parameters it carries; see ``FindingText``). ``references`` cite what a reader can look
    up: framework outcomes (``IP-CSF GV.RM-01``) and standard clauses
    (``GB/T 29490-2023 6.1``). ``seed_ref`` is kept for checks written before references.
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
    texts: Mapping[str, FindingText] = field(default_factory=dict)
    references: tuple[str, ...] = ()
