"""Every table of data_governance (importing this registers them with the core's metadata)."""

from __future__ import annotations

from .catalog.models import DataAsset, DataAssetContent, DataAssetKind, MetadataSpec
from .lifecycle.models import DestructionRequest, LifecycleEvent
from .mapping.models import IpInventoryItem, SolutionLink, TechnicalSolution
from .organization.models import GovernanceRoleAssignment
from .publication.models import PublicationCheck
from .quality.models import QualityEvaluation, QualityRule
from .secrets.models import DataAccessLog, ReasonableStep

__all__ = ["MODELS"]

MODELS: list[type] = [
    DataAssetKind, MetadataSpec, DataAsset, DataAssetContent, ReasonableStep, DataAccessLog,
    LifecycleEvent, DestructionRequest, QualityRule, QualityEvaluation, TechnicalSolution,
    SolutionLink, IpInventoryItem, PublicationCheck, GovernanceRoleAssignment,
]
