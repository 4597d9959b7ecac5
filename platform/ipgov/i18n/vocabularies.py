"""The core enums a person reads, by vocabulary name: every value needs a label in labels.yaml.

Kept apart from ``labels`` (which only reads the file), so the modules that define these enums
can render labels without an import circle; tests/core/test_finding_texts.py checks that
every value of every enum here has both labels.
"""

from __future__ import annotations

from enum import Enum

from ipgov.jobs.models import JobStatus
from ipgov.reviews.checks import CheckStatus, Function, GovernanceDomain, Severity
from ipgov.reviews.models import DirectiveStatus, RunStatus
from ipgov.reviews.scoring import Assessment
from ipgov.tenancy.models import EscalationStatus, TenantKind, TenantStatus
from ipgov.tenancy.modes import GovernanceMode

__all__ = ["ENUMS"]


def ENUMS() -> dict[str, type[Enum]]:  # noqa: N802 - kept as the name tests know
    """The enums whose every value must have a label, by vocabulary."""
    return {"function": Function, "domain": GovernanceDomain, "severity": Severity,
            "governance_mode": GovernanceMode, "tenant_kind": TenantKind,
            "tenant_status": TenantStatus, "run_status": RunStatus,
            "check_status": CheckStatus, "directive_status": DirectiveStatus,
            "escalation_status": EscalationStatus, "job_status": JobStatus,
            "assessment": Assessment}
