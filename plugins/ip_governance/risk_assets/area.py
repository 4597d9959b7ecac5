"""The risk_assets area of ip_governance: what it contributes to the plugin's hooks.

Risk appetite and tolerance (inherited down the group by governance mode), the IP risk
register, the IP asset register with deadlines, licences and royalties, incidents with
responses and recovery plans, the CSV import of assets, and the review checks on all of them.
"""

from __future__ import annotations

from typing import Any

from ipgov.api import Check, Permission, TenantEvent

from . import models
from .checks import CHECKS as _CHECKS
from .demo import demo
from .graphql import RiskAssetsMutation, RiskAssetsQuery
from .reminders_graphql import DeadlineReminderMutation, DeadlineReminderQuery

__all__ = ["CHECKS", "MODELS", "MUTATIONS", "PERMISSIONS", "QUERIES", "demo", "provision"]

PERMISSIONS: list[Permission] = [
    Permission("ip_governance:risk", ("read", "create", "update", "accept"), "IP risks"),
    Permission("ip_governance:asset", ("read", "create", "update", "delete"), "IP assets"),
    Permission("ip_governance:risk_appetite", ("read", "set"),
               "Risk appetite statement and tolerances"),
    Permission("ip_governance:licence", ("read", "create", "update"),
               "Licences in and out, royalties"),
    Permission("ip_governance:incident", ("read", "create", "update", "close"),
               "IP incidents, responses and recovery plans"),
]
MODELS: list[type] = [
    models.RiskAppetite, models.RiskTolerance, models.IpRisk, models.IpAsset,
    models.IpAssetDeadline, models.IpLicence, models.IpRoyaltyPayment, models.IpIncident,
    models.IpIncidentResponse, models.IpRecoveryPlan, models.DeadlineReminderSettings,
]
CHECKS: list[Check] = _CHECKS
QUERIES: list[type] = [RiskAssetsQuery, DeadlineReminderQuery]
MUTATIONS: list[type] = [RiskAssetsMutation, DeadlineReminderMutation]


async def provision(event: TenantEvent) -> Any:
    """Nothing to seed: a new tenant inherits its group's risk appetite by governance mode."""
    return None
