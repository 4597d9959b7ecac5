"""The assistant's resources: documents an assistant reads whole (the framework catalog, a
tenant's latest review report, the certification outline), each a GraphQL operation of the
public API run as the caller like a tool. A resource whose root field the running schema lacks
(its plugin is not installed) is not offered."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate

__all__ = ["RESOURCES", "TEMPLATES", "AssistantResource", "resource_for"]

_VARIABLE = re.compile(r"\{([a-zA-Z]+)\}")
_ID = r"[A-Za-z0-9_-]{1,64}"


@dataclass(frozen=True)
class AssistantResource:
    name: str
    uri: str  # a URI, or a URI template (RFC 6570 level 1: {name})
    description: dict[str, str]
    operation: str

    def describe(self, locale: str) -> str:
        return self.description.get(locale) or self.description["en"]

    def root_fields(self) -> list[str]:
        document = parse(self.operation)
        (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        return [s.name.value for s in operation.selection_set.selections
                if hasattr(s, "name")]

    def available(self, schema: GraphQLSchema) -> bool:
        """Offered when the schema has its root fields; then it must validate (a resource
        that no longer matches the API is a bug, raised at start-up)."""
        query = schema.query_type
        if query is None or any(f not in query.fields for f in self.root_fields()):
            return False
        errors = validate(schema, parse(self.operation))
        if errors:
            raise ValueError(f"assistant resource {self.name}: " + errors[0].message)
        return True

    def match(self, uri: str) -> dict[str, str] | None:
        pattern = "^" + _VARIABLE.sub(lambda m: f"(?P<{m.group(1)}>{_ID})",
                                      re.escape(self.uri).replace(r"\{", "{").replace(r"\}", "}")
                                      ) + "$"
        found = re.match(pattern, uri)
        return found.groupdict() if found else None


def resource_for(uri: str, resources: list[AssistantResource]
                 ) -> tuple[AssistantResource, dict[str, str]] | None:
    for resource in resources:
        variables = resource.match(uri)
        if variables is not None:
            return resource, variables
    return None


RESOURCES = [
    AssistantResource(
        "tenants", "ipgov://tenants",
        {"en": "The tenants you may see (first 100), with ids for the other resources.",
         "zh-CN": "您可见的租户（前 100 个），含用于其他资源的 id。"},
        "query { tenants(first: 100) { edges { node { id slug name governanceMode "
        "parent { slug } } } } }"),
]

TEMPLATES = [
    AssistantResource(
        "framework", "ipgov://tenants/{tenantId}/framework",
        {"en": "The IP-CSF framework catalog as the tenant uses it: functions, categories, "
               "outcomes with their weights and the standard clauses they map to.",
         "zh-CN": "租户所用的 IP-CSF 框架目录：职能、类别、成果及其权重与对应的标准条款。"},
        "query($tenantId: ID!) { framework(tenantId: $tenantId) { id version title { en zh } "
        "functions { id function title { en zh } categories { id title { en zh } outcomes { "
        "id title { en zh } domain priority weight mappings { reference key } } } } } }"),
    AssistantResource(
        "latest_review", "ipgov://tenants/{tenantId}/reviews/latest",
        {"en": "The tenant's latest review: scores by function and domain with coverage, and "
               "its high-severity findings.",
         "zh-CN": "租户最近一次审查：按职能与领域的得分及覆盖率，以及其高严重度问题。"},
        "query($tenantId: ID!) { reviewRuns(tenantId: $tenantId, first: 1) { edges { node { "
        "id status finishedAt overallScore { score coverage assessment summary } "
        "functionScores { key label score coverage summary } } } } "
        "findings(tenantId: $tenantId, first: 50) { edges { node { id severity title "
        "recommendation functionLabel domainLabel references } } } }"),
    AssistantResource(
        "certification_outline", "ipgov://tenants/{tenantId}/certification",
        {"en": "The tenant's GB/T 29490-2023 certification checklist: each clause with the "
               "evidence present, stale or missing.",
         "zh-CN": "租户的 GB/T 29490-2023 认证检查表：各条款的证据（齐备、过期或缺失）。"},
        "query($tenantId: ID!) { certificationChecklist(tenantId: $tenantId) { standard "
        "present stale missing clauses { clause title status reason evidence { kind label "
        "status reason count newestAt } } } }"),
]
