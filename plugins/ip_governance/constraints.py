"""What the plugin's database constraints mean to a person, so that a refusal (two requests
racing for the same row) reads like the validator's answer instead of an internal error."""

from __future__ import annotations

from ipgov.api import declare_constraint

__all__: list[str] = []

_RETRY = "CONCURRENT_WRITE"

for _name, _code, _message, _field in [
    ("uq_ipg_frameworks_tenant_id_framework_key", "DUPLICATE_FRAMEWORK",
     "this framework is loaded in the tenant already", "frameworkKey"),
    ("uq_ipg_management_systems_tenant_id_kind", "DUPLICATE_MANAGEMENT_SYSTEM",
     "the tenant has a management system of this kind already", "kind"),
    ("uq_ipg_profiles_tenant_id_kind_framework_key", _RETRY,
     "this profile was created at the same moment by another request; try again", "kind"),
    ("uq_ipg_risk_appetites_tenant_id", _RETRY,
     "the risk appetite was set at the same moment by another request; try again", None),
    ("uq_ipg_risk_tolerances_tenant_id_category", _RETRY,
     "this tolerance was set at the same moment by another request; try again", "category"),
    ("uq_ipg_profile_entries_profile_id_outcome_id", "DUPLICATE_OUTCOME",
     "an outcome appears twice in the profile", "outcomeId"),
    ("uq_ipg_raci_assignments_tenant_id_process_member_id_role", "DUPLICATE_ASSIGNMENT",
     "the member holds this role for the process already", "role"),
    ("uq_ipg_recovery_plans_tenant_id_incident_id", _RETRY,
     "the incident's recovery plan was saved at the same moment by another request; "
     "try again", "incidentId"),
    ("uq_ipg_pdca_phases_cycle_id_phase", "DUPLICATE_PHASE",
     "this phase of the cycle is recorded already", "phase"),
]:
    declare_constraint(_name, code=_code, message=_message, field=_field)
