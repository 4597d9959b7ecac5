"""Governance modes (seed 5.3): what a group's mode means for the tenants below it, in one place.

A tenant's ``governance_mode`` is how it governs its *children*; what applies to a tenant is
therefore decided by its parent's mode (``GovernanceMode.governing``: a root, governed by
nobody, answers like a decentralized parent: nothing is imposed, it decides for itself).

=======================  ===========  ============================  ===============
question                 centralized  hybrid                        decentralized
=======================  ===========  ============================  ===============
baseline imposed below   yes          yes (a group deny wins)       no
group roles act below    yes          yes                           no (supervision only)
subsidiary's own rules   off          on (adds, may only tighten)   on (owns them)
who changes its rules    the group    the subsidiary, not baseline  the subsidiary
reserved decisions       the group    the group, if it reserves it  the subsidiary
escalations go to        the group    the group                     the subsidiary
=======================  ===========  ============================  ===============

Every site that behaves by mode (policies, role cascade, plugin baseline, escalations,
directives, risk appetite, framework targets) asks this enum instead of comparing strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = ["GovernanceMode"]


class GovernanceMode(StrEnum):
    """How a tenant governs its subsidiaries (seed 5.3), with what each mode implies."""

    CENTRALIZED = "centralized"
    DECENTRALIZED = "decentralized"
    HYBRID = "hybrid"

    @classmethod
    def governing(cls, parent_mode: str | None) -> GovernanceMode:
        """The mode a tenant is governed with: its parent's ``parent_mode``; a root (``None``)
        is governed by nobody, which behaves as a decentralized parent."""
        return cls.DECENTRALIZED if parent_mode is None else cls(parent_mode)

    @property
    def imposes_baseline(self) -> bool:
        """The group's baseline (policy templates, plugins, targets, risk appetite) is
        mandatory in the tenants below."""
        return self is not GovernanceMode.DECENTRALIZED

    @property
    def group_roles_act_below(self) -> bool:
        """Roles held in the group act in its subsidiaries (the role cascade)."""
        return self.imposes_baseline

    @property
    def local_rules_count(self) -> bool:
        """A subsidiary's own rules and settings are in effect."""
        return self is not GovernanceMode.CENTRALIZED

    @property
    def only_tightens(self) -> bool:
        """A subsidiary's own settings may only be stricter than the group's (hybrid)."""
        return self is GovernanceMode.HYBRID

    @property
    def owns_settings(self) -> bool:
        """A subsidiary decides its own settings alone; nothing from above applies."""
        return not self.imposes_baseline

    @property
    def group_changes_rules(self) -> bool:
        """Only the group may change a subsidiary's rules and plugin choices (centralized)."""
        return self is GovernanceMode.CENTRALIZED

    @property
    def escalates_to_group(self) -> bool:
        """Overdue directives and risks above tolerance escalate to the group."""
        return self.imposes_baseline

    def group_decides(self, decision_type: str, reserved: Iterable[str]) -> bool:
        """Whether the group takes ``decision_type`` for a subsidiary governed in this mode:
        always when centralized, when the group ``reserved`` it when hybrid, never when
        decentralized."""
        if self is GovernanceMode.CENTRALIZED:
            return True
        return self is GovernanceMode.HYBRID and decision_type in set(reserved)
