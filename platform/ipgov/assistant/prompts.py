"""The assistant's prompts: the work IP teams ask an assistant for, written as instructions
that name the tools to use, in the caller's language."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROMPTS", "AssistantPrompt", "UnknownPrompt", "render_prompt"]

MAX_PROMPT_ARGUMENT = 200


class UnknownPrompt(ValueError):
    """No prompt of that name, or a required argument is missing."""


@dataclass(frozen=True)
class AssistantPrompt:
    name: str
    description: dict[str, str]
    arguments: tuple[str, ...]
    text: dict[str, str]

    def describe(self, locale: str) -> str:
        return self.description.get(locale) or self.description["en"]

    def argument_text(self, name: str, locale: str) -> str:
        return _ARGUMENTS[name].get(locale) or _ARGUMENTS[name]["en"]


_ARGUMENTS = {
    "tenantId": {"en": "The tenant's id (list_tenants gives it).",
                 "zh-CN": "租户 id（可由 list_tenants 获得）。"},
    "findingId": {"en": "The finding's id (list_findings gives it).",
                  "zh-CN": "问题 id（可由 list_findings 获得）。"},
}

PROMPTS = [
    AssistantPrompt(
        "prepare_certification_audit",
        {"en": "Prepare a tenant for its GB/T 29490 certification audit.",
         "zh-CN": "为租户的 GB/T 29490 认证审核做准备。"},
        ("tenantId",),
        {"en": "Prepare tenant {tenantId} for its GB/T 29490-2023 certification audit. Read the "
               "resource ipgov://tenants/{tenantId}/certification and the latest review "
               "(ipgov://tenants/{tenantId}/reviews/latest). List, clause by clause, the "
               "evidence that is missing or stale and who should supply it; then the open "
               "directives (list_directives) that an auditor will ask about. Say plainly where "
               "the platform does not know. Do not change any record.",
         "zh-CN": "为租户 {tenantId} 准备 GB/T 29490-2023 认证审核。阅读资源 "
                  "ipgov://tenants/{tenantId}/certification 及最近一次审查"
                  "（ipgov://tenants/{tenantId}/reviews/latest）。逐条列出缺失或过期的证据及应由"
                  "谁提供；再列出审核员会询问的未关闭整改指令（list_directives）。平台不掌握的"
                  "情况请明确说明。不要修改任何记录。"}),
    AssistantPrompt(
        "triage_watchlist_matches",
        {"en": "Triage a tenant's new patent watchlist matches.",
         "zh-CN": "分拣租户专利监视清单的新命中。"},
        ("tenantId",),
        {"en": "Triage the unacknowledged patent watchlist matches of tenant {tenantId} "
               "(list_watchlist_matches with acknowledged false). For each, open the document "
               "(get_patent_document), say in one line why it matters or not for the tenant's "
               "assets (list_ip_assets), and rank them: freedom-to-operate concern, "
               "competitor to watch, irrelevant. A ranking is advice for a patent attorney, "
               "not a legal opinion: say so.",
         "zh-CN": "分拣租户 {tenantId} 未确认的专利监视命中（list_watchlist_matches，"
                  "acknowledged 为 false）。逐一打开文献（get_patent_document），用一句话说明它"
                  "对租户资产（list_ip_assets）是否重要，并排序：自由实施风险、需关注的竞争对手、"
                  "无关。该排序是给专利代理人的参考，不是法律意见，请注明。"}),
    AssistantPrompt(
        "explain_finding",
        {"en": "Explain a review finding and what to do about it.",
         "zh-CN": "解释一项审查问题及应对措施。"},
        ("tenantId", "findingId"),
        {"en": "Explain finding {findingId} of tenant {tenantId} (list_findings) to the person "
               "who must act on it: what the check found, which framework outcome and standard "
               "clause it concerns (references), why it matters, and the directive it opened "
               "(list_directives). Quote the platform's own recommendation; do not invent "
               "requirements.",
         "zh-CN": "向需要处理的人解释租户 {tenantId} 的问题 {findingId}（list_findings）：检查发现"
                  "了什么，涉及哪个框架成果与标准条款（references），为何重要，以及由此产生的整改"
                  "指令（list_directives）。引用平台自己的建议，不要编造要求。"}),
]


def render_prompt(name: str, arguments: dict[str, str], locale: str) -> tuple[str, str]:
    """The prompt's description and text with its arguments filled in."""
    prompt = next((p for p in PROMPTS if p.name == name), None)
    if prompt is None:
        raise UnknownPrompt(f"there is no prompt {name[:80]!r}")
    missing = [a for a in prompt.arguments if not str(arguments.get(a) or "").strip()]
    if missing:
        raise UnknownPrompt(f"prompt {name}: argument {missing[0]} is required")
    values = {a: str(arguments[a])[:MAX_PROMPT_ARGUMENT] for a in prompt.arguments}
    text = prompt.text.get(locale) or prompt.text["en"]
    return prompt.describe(locale), text.format(**values)
