"""What data_governance protects, and the default grants per core role.

Clearance is a permission per classification level: ``data_governance:content:<level>``
with action ``read``. Viewers and other readers are cleared up to internal, IP managers and
administrators up to confidential, nobody for secret by default: a tenant grants secret
clearance to a person with a core policy (``addPolicy`` with the user as subject).
"""

from __future__ import annotations

from ipgov.api import Permission

from .vocabulary import CLASSIFICATIONS, content_object

__all__ = ["ACCESS_LOG", "ASSET", "GRANTS", "LIFECYCLE", "ORGANIZATION", "PERMISSIONS",
           "PUBLICATION", "QUALITY", "SOLUTION", "SPEC", "TRADE_SECRET"]

ASSET = "data_governance:asset"
SPEC = "data_governance:spec"
QUALITY = "data_governance:quality"
TRADE_SECRET = "data_governance:trade_secret"  # noqa: S105 - a permission name
ACCESS_LOG = "data_governance:access_log"
LIFECYCLE = "data_governance:lifecycle"
SOLUTION = "data_governance:solution"
PUBLICATION = "data_governance:publication_check"
ORGANIZATION = "data_governance:organization"

PERMISSIONS: list[Permission] = [
    Permission(ASSET, ("read", "create", "update"), "The IP data catalog"),
    Permission(SPEC, ("read", "publish"), "Asset kinds and metadata specifications"),
    Permission(QUALITY, ("read", "create", "evaluate"), "Data-quality rules and scores"),
    Permission(TRADE_SECRET, ("read", "record_step"), "Trade-secret reasonable steps"),
    Permission(ACCESS_LOG, ("read",), "Who read protected content, when and why"),
    Permission(LIFECYCLE, ("read", "transition", "request_destruction",
                           "approve_destruction", "run_jobs"),
               "Lifecycle stages, retention and destruction"),
    Permission(SOLUTION, ("read", "create", "link"), "Technical solution <-> IP mapping"),
    Permission(PUBLICATION, ("read", "create"), "Pre-publication checks"),
    Permission(ORGANIZATION, ("read", "assign"), "Data owners, stewards and custodians"),
    *[Permission(content_object(level), ("read",), f"Clearance to read {level} content")
      for level in CLASSIFICATIONS],
]

_READERS = ("viewer", "auditor", "reviewer", "contributor")
_MANAGERS = ("group_admin", "tenant_admin", "ip_manager")
_CONTRIBUTOR = [(ASSET, "create"), (ASSET, "update"), (TRADE_SECRET, "record_step"),
                (SOLUTION, "create"), (SOLUTION, "link"), (PUBLICATION, "create")]
_PLAIN = [p for p in PERMISSIONS if not p.object.startswith(content_object(""))]


def _grants() -> dict[str, list[tuple[str, str]]]:
    grants: dict[str, list[tuple[str, str]]] = {}
    for role in _READERS:
        grants[role] = [(p.object, "read") for p in _PLAIN if p.object != ACCESS_LOG]
        grants[role] += [(content_object(lv), "read") for lv in ("public", "internal")]
    grants["auditor"].append((ACCESS_LOG, "read"))
    grants["contributor"] += _CONTRIBUTOR
    for role in _MANAGERS:
        grants[role] = [(p.object, a) for p in _PLAIN for a in p.actions]
        grants[role] += [(content_object(lv), "read")
                         for lv in ("public", "internal", "confidential")]
    return grants


GRANTS = _grants()
