"""The controlled vocabularies of the risk and asset registers, in one place.

``ASSET_KINDS`` is the registry list an asset's ``kind`` is validated against (kept as strings
so that other plugins, e.g. data_governance's trade-secret catalog, can refer to kinds by name).
"""

from __future__ import annotations

RISK_CATEGORIES = (
    "infringement", "validity", "ownership", "trade_secret", "freedom_to_operate",
    "licensing", "portfolio_cost",
)
TREATMENTS = ("avoid", "mitigate", "transfer", "accept")
RISK_STATUSES = ("open", "treating", "accepted", "closed")
MATRIX_MIN, MATRIX_MAX = 1, 25
DEFAULT_THRESHOLD = 12
"""Used when no tenant in the lineage set a tolerance for a category: the usual amber/red line
of a 5×5 matrix, so the register stays assessable until the group decides."""

ASSET_KINDS = (
    "patent", "utility_model", "design", "trademark", "copyright", "software", "trade_secret",
    "domain_name",
)
ASSET_STATUSES = ("draft", "pending", "published", "granted", "registered", "lapsed",
                  "abandoned", "expired", "revoked")
VALUE_TIERS = ("A", "B", "C")
DEADLINE_KINDS = ("renewal", "annuity", "office_action", "opposition", "priority",
                  "national_phase", "validation", "other")
DEADLINE_STATUSES = ("open", "done", "waived", "missed")
LICENCE_DIRECTIONS = ("in", "out")
LICENCE_STATUSES = ("active", "expired", "terminated")
INCIDENT_KINDS = (
    "infringement_detected", "opposition_filed", "invalidation_request", "leakage",
    "counterfeit", "domain_squatting", "ownership_dispute", "other",
)
INCIDENT_STATUSES = ("open", "responding", "contained", "closed")
RESPONSE_ACTIONS = ("monitor", "cease_and_desist", "takedown", "litigation", "opposition_defence",
                    "internal_investigation", "negotiation", "other")
RECOVERY_STATUSES = ("draft", "in_progress", "completed")
