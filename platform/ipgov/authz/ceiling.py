"""Privilege ceilings: nobody grants a role or a permission he does not hold himself.

Every grant the API makes passes here: memberships, invitations, service accounts (their role
and scopes, and every new key of one), and policy rules (adding or removing an allow or a
deny). The comparison is between *effective permissions* (what the decision engine allows),
never role names:

- granting role R in tenant T is allowed only when, in T and in every tenant where a role
  held in T takes effect (the subsidiaries of centralized and hybrid groups), every
  permission R confers there is one the granter holds there;
- group roles (those whose default grants act on the group: mergers, escalated decisions)
  are granted only in a group's own tenant, so they are granted by whoever is entitled at the
  group level under its governance mode;
- an allow rule (or the removal of a deny) needs every permission it covers, in every tenant
  it reaches (with ``applyToSubsidiaries``, every subsidiary that copies the baseline);
- a deny rule (or the removal of an allow) may only restrict a subject that does not outrank
  the granter there: a subsidiary cannot weaken the group.

Operators working through the CLI or the demo loader are not API subjects: the services are
called without a granter and no ceiling applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ipgov.errors import Forbidden, InvalidInput

from .roles import GROUP_ROLES
from .scopes import format_scope
from .store import ALLOW, PolicyRule

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = [
    "assert_may_change_policy",
    "assert_outranks",
    "assert_may_grant",
    "assert_may_grant_permissions",
    "policy_domains",
]

Perm = tuple[str, str]
_SHOWN = 5  # missing permissions named in a message


def _describe(missing: Iterable[Perm]) -> str:
    names = sorted(format_scope(o, a) for o, a in missing)
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def _refuse(what: str, missing: set[Perm], field: str) -> Forbidden:
    return Forbidden(
        f"you may not grant {what}: it confers permissions you do not hold yourself "
        f"({_describe(missing)})", code="PRIVILEGE_CEILING", field=field,
        details={"what": what, "missing": _describe(missing)})


def assert_may_grant(platform: Platform, granter_subject: str, tenant_id: str,
                     role: str) -> None:
    """Raise ``Forbidden`` (``GROUP_ROLE_OUTSIDE_GROUP`` or ``PRIVILEGE_CEILING``) unless
    ``granter_subject`` may give ``role`` in ``tenant_id``.

    The same question decides taking a role away: whoever could not grant it may not revoke
    it either (a subsidiary administrator cannot demote the group's)."""
    authz = platform.authz
    info = authz.tenant_info(tenant_id)
    if role in GROUP_ROLES and (info is None or info.parent_id is not None
                                or info.id != info.root_id):
        raise Forbidden(f"{role} is a group role: it is granted only in the group's own "
                        "tenant, by those entitled there", code="GROUP_ROLE_OUTSIDE_GROUP",
                        field="role", details={"role": role})
    for domain in authz.grant_domains(tenant_id):
        missing = _lacking(authz, granter_subject, domain, authz.permissions_of(role, domain))
        if missing:
            raise _refuse(f"the role {role}", missing, "role")


def _lacking(authz: Any, subject: str, domain: str, wanted: Iterable[Perm]) -> set[Perm]:
    """The permissions of ``wanted`` that ``subject`` does not hold in ``domain``."""
    return {p for p in wanted if not authz.enforce(subject, domain, *p)}


def assert_may_grant_permissions(platform: Platform, granter_subject: str, tenant_id: str,
                                 permissions: Iterable[Perm], *, field: str = "scopes",
                                 domains: Iterable[str] | None = None) -> None:
    """Raise ``Forbidden`` (``PRIVILEGE_CEILING``) unless the granter holds every one of
    ``permissions`` in ``tenant_id`` (or in each of ``domains``)."""
    authz = platform.authz
    wanted = set(permissions)
    for domain in domains if domains is not None else authz.grant_domains(tenant_id):
        missing = _lacking(authz, granter_subject, domain, wanted)
        if missing:
            raise _refuse("these permissions", missing, field)


def policy_domains(platform: Platform, tenant_id: str, to_subsidiaries: bool) -> list[str]:
    """The tenants a rule written in ``tenant_id`` acts in: the tenant, and with
    ``to_subsidiaries`` every descendant reached through parents that copy their baseline
    (centralized and hybrid), as ``recompute_effective_policies`` copies it."""
    if not to_subsidiaries:
        return [tenant_id]
    below = platform.authz.directory.subtree(
        [tenant_id], follow=lambda info: info.mode.imposes_baseline)
    return [tenant_id, *sorted(below - {tenant_id})]


def assert_may_change_policy(platform: Platform, granter_subject: str, tenant_id: str,
                             rule: PolicyRule, *, removing: bool = False,
                             to_subsidiaries: bool = False) -> None:
    """Raise unless ``granter_subject`` may add (or, ``removing``, remove) ``rule``.

    Widening (an allow added, a deny removed) needs every permission the rule covers, in
    every tenant it reaches. Restricting (a deny added, an allow removed) needs a subject
    that holds nothing the granter lacks there."""
    authz = platform.authz
    covered = authz.matching(rule.obj, rule.action)
    if not covered:
        raise InvalidInput(f"{rule.obj}:{rule.action} covers no declared permission",
                           field="object")
    domains = policy_domains(platform, tenant_id, to_subsidiaries)
    if (rule.effect == ALLOW) != removing:
        assert_may_grant_permissions(platform, granter_subject, tenant_id, covered,
                                     field="object", domains=domains)
        return
    for domain in domains:
        above = _lacking(authz, granter_subject, domain,
                         authz.permissions_of(rule.subject, domain))
        if above:
            raise Forbidden(
                f"you may not restrict {rule.subject}: it holds permissions you do not "
                f"hold yourself ({_describe(above)})", code="PRIVILEGE_CEILING",
                field="subject", details={"what": rule.subject, "missing": _describe(above)})


def assert_outranks(platform: Platform, granter_subject: str, subject: str,
                    domains: Iterable[str], *, what: str, field: str) -> None:
    """Raise ``Forbidden`` (``PRIVILEGE_CEILING``) unless, in each of ``domains``, the granter
    holds every permission ``subject`` holds there (e.g. ending someone's sessions, which acts
    in every tenant they work in: a subsidiary cannot sign its group's director out)."""
    authz = platform.authz
    for domain in sorted(set(domains)):
        above = _lacking(authz, granter_subject, domain, authz.permissions_of(subject, domain))
        if above:
            raise Forbidden(
                f"you may not {what}: they hold permissions you do not hold yourself "
                f"({_describe(above)})", code="PRIVILEGE_CEILING", field=field,
                details={"what": subject, "missing": _describe(above)})
