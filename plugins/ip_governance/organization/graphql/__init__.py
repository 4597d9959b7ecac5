"""GraphQL of the organization area: governance subjects and EDM, strategy, organization,
management systems; one module per element, combined here."""

from __future__ import annotations

from .governance import GovernanceMutation, GovernanceQuery
from .organization import OrganizationMutation, OrganizationQuery
from .strategy import StrategyMutation, StrategyQuery
from .systems import SystemsMutation, SystemsQuery

QUERIES: list[type] = [GovernanceQuery, StrategyQuery, OrganizationQuery, SystemsQuery]
MUTATIONS: list[type] = [GovernanceMutation, StrategyMutation, OrganizationMutation,
                         SystemsMutation]

__all__ = ["MUTATIONS", "QUERIES"]
