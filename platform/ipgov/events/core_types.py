"""The core's event types (docs/events.md lists them with the plugins' own).

Payloads carry ids and the few fields a message needs: titles, dates as ISO strings, counts,
severities and the tenant id; never content a reader would need a permission to see.
"""

from __future__ import annotations

from .catalog import SEVERITIES, EventType
from .schemas import COUNT, DATE, DATETIME, ID, SEVERITY, TEXT, event_payload

__all__ = ["CORE_EVENT_TYPES"]

T = "00000000-0000-4000-8000-000000000001"  # the examples' tenant id
COUNTS = {"type": "object", "properties": {s: dict(COUNT) for s in SEVERITIES},
          "required": list(SEVERITIES), "additionalProperties": False}
DIRECTIVE = {"directive_id": ID, "action": TEXT, "severity": SEVERITY, "due_on": DATE}
DIRECTIVE_EXAMPLE = {"tenant_id": T, "directive_id": "d-1", "severity": "high",
                     "action": "Name an owner for the IP strategy", "due_on": "2026-12-31"}
DIRECTIVE_LINK = "/t/{tenant_slug}/directives/{directive_id}"
MODES = {"enum": ["centralized", "decentralized", "hybrid"]}


def _directive(name: str, summary: str, labels: tuple[str, str], en: str, zh: str,
               extra: dict | None = None, example: dict | None = None) -> EventType:
    return EventType(
        name=f"directive.{name}", version=1, summary=summary,
        payload=event_payload(DIRECTIVE, extra), object_type="ipgov:directive",
        titles={"en": en, "zh-CN": zh}, link=DIRECTIVE_LINK,
        example={**DIRECTIVE_EXAMPLE, **(example or {})},
        labels={"en": labels[0], "zh-CN": labels[1]})


REVIEWS = [
    EventType(
        name="review.finished", version=1,
        summary="A review of the tenant finished (succeeded, or partial when checks failed).",
        payload=event_payload(
            {"review_id": ID, "status": {"enum": ["succeeded", "partial"]},
             "trigger": ID, "findings": COUNT, "counts": COUNTS,
             "worst": {"enum": [*SEVERITIES, None]}}),
        titles={"en": "Review finished: {findings} finding(s), worst {worst}",
                "zh-CN": "评审已完成：{findings} 项发现，最高严重度 {worst}"},
        object_type="ipgov:review", link="/t/{tenant_slug}/reviews/{review_id}",
        labels={"en": "Review finished", "zh-CN": "评审已完成"},
        example={"tenant_id": T, "review_id": "r-1", "status": "succeeded",
                 "trigger": "user", "findings": 3, "worst": "high",
                 "counts": {"info": 1, "low": 0, "medium": 1, "high": 1, "critical": 0}}),
    EventType(
        name="review.finding_above_tolerance", version=1,
        summary="A review found a condition at or above the tenant's risk tolerance.",
        payload=event_payload(
            {"review_id": ID, "finding_id": ID, "check_id": ID, "severity": SEVERITY,
             "tolerance": SEVERITY, "title": TEXT, "function": ID, "domain": ID}),
        titles={"en": "Finding above tolerance ({severity}): {title}",
                "zh-CN": "超出风险容忍度的发现（{severity}）：{title}"},
        object_type="ipgov:review", link="/t/{tenant_slug}/reviews/{review_id}",
        labels={"en": "Finding above risk tolerance", "zh-CN": "超出风险容忍度的发现"},
        example={"tenant_id": T, "review_id": "r-1", "finding_id": "f-1",
                 "check_id": "core.governance_subjects", "severity": "high",
                 "tolerance": "high", "title": "No top decision-maker is named",
                 "function": "govern", "domain": "top_level_design"}),
]

DIRECTIVES = [
    _directive("assigned", "A directive was given an owner.", ("Directive assigned", "指令已分配"),
               "Directive assigned to you: {action}", "指令已分配给您：{action}",
               {"owner_user_id": ID}, {"owner_user_id": "u-1"}),
    _directive("due_soon", "An open directive falls due within the next days (scheduler).",
               ("Directive due soon", "指令即将到期"),
               "Directive due in {days} day(s): {action}", "指令将在 {days} 天内到期：{action}",
               {"days": COUNT}, {"days": 7}),
    _directive("overdue", "An open directive passed its due date (scheduler).",
               ("Directive overdue", "指令已逾期"),
               "Directive overdue: {action}", "指令已逾期：{action}"),
    _directive("escalated", "A directive escalated (overdue or at or above the risk "
               "tolerance): to the group, or flagged for supervision.",
               ("Directive escalated", "指令已上报"),
               "Directive escalated to the {to}: {action}", "指令已上报（{to}）：{action}",
               {"reason": {"enum": ["overdue_directive", "risk_above_tolerance"]},
                "to": {"enum": ["group", "supervision"]}},
               {"reason": "risk_above_tolerance", "to": "group"}),
    _directive("closed", "A directive was marked done, or closed by a review that no longer "
               "finds its condition.", ("Directive closed", "指令已关闭"),
               "Directive {status}: {action}", "指令已{status}：{action}",
               {"status": {"enum": ["done", "closed"]}}, {"status": "closed"}),
]

ESCALATIONS = [
    EventType(
        name="escalation.decided", version=1,
        summary="The group approved or rejected a decision escalated to it.",
        payload=event_payload({"escalation_id": ID, "decision_type": ID,
                               "status": {"enum": ["approved", "rejected"]},
                               "from_tenant_id": ID}),
        titles={"en": "Escalation {status}: {decision_type}",
                "zh-CN": "上报事项已{status}：{decision_type}"},
        object_type="ipgov:escalation", link="/t/{tenant_slug}/governance",
        labels={"en": "Escalation decided", "zh-CN": "上报事项已决定"},
        example={"tenant_id": T, "escalation_id": "e-1", "decision_type": "risk_appetite",
                 "status": "approved", "from_tenant_id": "t-2"}),
]

TENANCY = [
    EventType(
        name="tenant.onboarded", version=1,
        summary="A tenant was created: a group, or a subsidiary under its parent.",
        payload=event_payload({"slug": ID, "name": TEXT, "parent_id": {"type": ["string", "null"]},
                               "governance_mode": MODES}),
        titles={"en": "Tenant onboarded: {name}", "zh-CN": "租户已开通：{name}"},
        object_type="ipgov:tenant", link="/t/{tenant_slug}/governance",
        labels={"en": "Tenant onboarded", "zh-CN": "租户已开通"},
        example={"tenant_id": T, "slug": "acme-a", "name": "Acme A", "parent_id": "t-0",
                 "governance_mode": "hybrid"}),
    EventType(
        name="tenant.governance_mode_changed", version=1,
        summary="A group changed its governance mode; effective policies were recomputed.",
        payload=event_payload({"previous": MODES, "mode": MODES}),
        titles={"en": "Governance mode changed from {previous} to {mode}",
                "zh-CN": "治理模式已由 {previous} 变更为 {mode}"},
        object_type="ipgov:tenant", link="/t/{tenant_slug}/governance",
        labels={"en": "Governance mode changed", "zh-CN": "治理模式已变更"},
        example={"tenant_id": T, "previous": "hybrid", "mode": "centralized"}),
    EventType(
        name="tenant.merged", version=1,
        summary="A merger: the tenant absorbed another, or an acquired entity joined the "
                "group and reports in parallel.",
        payload=event_payload({"kind": {"enum": ["absorption", "parallel_reporting"]},
                               "other_tenant_id": ID, "other_slug": ID}),
        titles={"en": "Merger ({kind}): {other_slug}", "zh-CN": "合并（{kind}）：{other_slug}"},
        object_type="ipgov:tenant", link="/t/{tenant_slug}/governance",
        labels={"en": "Merger", "zh-CN": "合并"},
        example={"tenant_id": T, "kind": "absorption", "other_tenant_id": "t-9",
                 "other_slug": "initech"}),
    EventType(
        name="member.invited", version=1,
        summary="Someone was invited to join the tenant with a role.",
        payload=event_payload({"invitation_id": ID, "role": ID, "expires_at": DATETIME}),
        titles={"en": "Invitation sent for the role {role}",
                "zh-CN": "已发出邀请，角色：{role}"},
        object_type="ipgov:member", link="/t/{tenant_slug}/members",
        labels={"en": "Member invited", "zh-CN": "已邀请成员"},
        example={"tenant_id": T, "invitation_id": "i-1", "role": "viewer",
                 "expires_at": "2026-12-08T10:00:00+00:00"}),
]

CORE_EVENT_TYPES: tuple[EventType, ...] = (*REVIEWS, *DIRECTIVES, *ESCALATIONS, *TENANCY)
"""Every event type the core records."""
