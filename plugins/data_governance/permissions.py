"""What data_governance protects, and the default grants per core role.

Clearance is a permission per classification level: ``data_governance:content:<level>``
with action ``read``. Viewers and other readers are cleared up to internal, IP managers and
administrators up to confidential; secret only the group administrator, the clearance
authority: since nobody may grant what he does not hold (the core's privilege ceiling), he
grants secret clearance to a person with a core policy (``addPolicy`` with the user as
subject), every read of it logged.
"""

from __future__ import annotations

from ipgov.api import Permission

from .vocabulary import CLASSIFICATIONS, content_object

__all__ = ["ACCESS_LOG", "ASSET", "GRANTS", "LIFECYCLE", "ORGANIZATION", "PERMISSIONS",
           "PUBLICATION", "QUALITY", "READ_GRANTS", "SOLUTION", "SPEC", "TRADE_SECRET",
           "WRITE_GRANTS"]

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

_READERS = ("viewer", "auditor", "reviewer", "contributor", "group_admin", "tenant_admin",
            "ip_manager")
_GOVERN = ("group_admin", "tenant_admin")  # the data governance organization's decisions
_MANAGE = (*_GOVERN, "ip_manager")  # day-to-day data management
_PARTICIPATE = (*_MANAGE, "contributor")  # what every employee records or checks himself
WRITE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    ASSET: {"create": _PARTICIPATE, "update": _PARTICIPATE},
    SPEC: {"publish": _MANAGE},
    QUALITY: {"create": _MANAGE, "evaluate": _MANAGE},
    TRADE_SECRET: {"record_step": _PARTICIPATE},
    LIFECYCLE: {"transition": _MANAGE, "request_destruction": _MANAGE,
                "approve_destruction": _GOVERN, "run_jobs": _MANAGE},
    SOLUTION: {"create": _PARTICIPATE, "link": _PARTICIPATE},
    PUBLICATION: {"create": _PARTICIPATE},
    ORGANIZATION: {"assign": _GOVERN},
}
"""Who may do what besides reading; the reasons are in docs/authorization.md."""
READ_GRANTS: dict[str, tuple[str, ...]] = {
    ACCESS_LOG: (*_GOVERN, "auditor"),
    content_object("public"): _READERS,
    content_object("internal"): _READERS,
    content_object("confidential"): _MANAGE,
    content_object("secret"): ("group_admin",),
}
"""Reads narrower than every role: who read protected content, and clearance per level."""


def _grants() -> dict[str, list[tuple[str, str]]]:
    grants: dict[str, list[tuple[str, str]]] = {}
    for perm in PERMISSIONS:
        for role in READ_GRANTS.get(perm.object, _READERS):
            grants.setdefault(role, []).append((perm.object, "read"))
        for action, roles in WRITE_GRANTS.get(perm.object, {}).items():
            for role in roles:
                grants.setdefault(role, []).append((perm.object, action))
    return grants


GRANTS = _grants()
