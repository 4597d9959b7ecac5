"""Authorization for ipgov: RBAC with tenant domains, deny overrides, cascading group roles.

``Authorizer`` is the compiled decision engine used on the hot path; ``DomainTree`` describes
which tenants inherit role assignments from their group; ``reference`` builds the equivalent
plain pycasbin enforcer from ``model.conf`` (tests and benchmarks only).
"""

from ipgov.authz.engine import ALLOW, DENY, MAX_ROLE_DEPTH, Authorizer, Rule, obj_matches
from ipgov.authz.tree import DomainTree

__all__ = ["ALLOW", "DENY", "MAX_ROLE_DEPTH", "Authorizer", "DomainTree", "Rule", "obj_matches"]
