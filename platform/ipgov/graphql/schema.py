"""Composing the GraphQL schema from the core and the enabled plugins, with abuse limits.

Plugin contributions are sorted by plugin name (entry-point order differs between installs)
and a field defined twice fails start-up, instead of Strawberry's warning-and-first-wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import ASTValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from ipgov.plugins.contracts import GraphQLContribution
from ipgov.plugins.manager import PluginRegistry
from ipgov.settings import Settings

from .assistant_policy import AssistantPolicyMutation, AssistantPolicyQuery
from .audit import AuditMutation, AuditQuery
from .context import ReadOnlyQueries
from .cost import DocumentCost
from .credentials import OneCredentialCheckRule
from .cursors import CursorSigning
from .errors import ErrorShaper
from .governance_mode import GovernanceModeMutation, GovernanceModeQuery
from .identity import IdentityMutation, IdentityQuery
from .identity_providers import IdentityProviderMutation, IdentityProviderQuery
from .jobs import JobMutation, JobQuery
from .live import LiveSubscription, SubscriptionsOverWebSocket
from .locale import LocaleMutation
from .mergers import MergerQuery
from .notifications import NotificationMutation, NotificationQuery
from .plugins import PluginMutation, PluginQuery
from .policies import PolicyMutation, PolicyQuery
from .reviews import ReviewMutation, ReviewQuery
from .saml_providers import SamlProviderMutation, SamlProviderQuery
from .scalars import SCALAR_OVERRIDES
from .scim import ScimMutation, ScimQuery
from .second_factors import SecondFactorMutation, SecondFactorQuery
from .service_accounts import ServiceAccountMutation, ServiceAccountQuery
from .sessions import SessionMutation, SessionQuery
from .strings import StringInputRule
from .supervision import SupervisionQuery
from .tenancy import TenancyMutation, TenancyQuery
from .tracing import OperationTracing
from .workspace import WorkspaceQuery

__all__ = ["SchemaCompositionError", "build_schema", "core_contribution"]


class SchemaCompositionError(RuntimeError):
    """Two contributions define the same root field (or a plugin returned something odd)."""


def core_contribution() -> GraphQLContribution:
    """The core's own root types."""
    return GraphQLContribution(
        query=[TenancyQuery, IdentityQuery, PolicyQuery, AuditQuery, ReviewQuery,
               SupervisionQuery, JobQuery, ServiceAccountQuery, GovernanceModeQuery, MergerQuery,
               PluginQuery, WorkspaceQuery, NotificationQuery, SessionQuery,
               IdentityProviderQuery, SamlProviderQuery, ScimQuery, AssistantPolicyQuery,
               SecondFactorQuery],
        mutation=[TenancyMutation, IdentityMutation, PolicyMutation, AuditMutation,
                  ReviewMutation, JobMutation, LocaleMutation, ServiceAccountMutation,
                  GovernanceModeMutation, PluginMutation, NotificationMutation, SessionMutation,
                  IdentityProviderMutation, SamlProviderMutation, ScimMutation,
                  AssistantPolicyMutation, SecondFactorMutation],
    )


def _field_names(cls: type) -> list[str]:
    """The GraphQL names of a type's fields (what clashes in the schema)."""
    from strawberry.schema.name_converter import NameConverter

    definition = getattr(cls, "__strawberry_definition__", None)
    if definition is None:
        raise SchemaCompositionError(f"{cls!r} is not a Strawberry type")
    converter = NameConverter(auto_camel_case=True)
    return [converter.get_graphql_name(f) for f in definition.fields]


def _merge(name: str, owned: Iterable[tuple[str, type]]) -> type | None:
    seen: dict[str, str] = {}
    types = []
    for owner, cls in owned:
        for field in _field_names(cls):
            if field in seen:
                raise SchemaCompositionError(
                    f"{name}.{field} is defined by both {seen[field]} and {owner}")
            seen[field] = owner
        types.append(cls)
    return merge_types(name, tuple(types)) if types else None


def contributions(registry: PluginRegistry) -> list[tuple[str, GraphQLContribution]]:
    """The core's contribution then each plugin's, sorted by plugin name."""
    found = [("core", core_contribution())]
    for plugin, contribution in registry.results_by_plugin("register_graphql_types"):
        if not isinstance(contribution, GraphQLContribution):
            raise SchemaCompositionError(
                f"plugin {plugin}: register_graphql_types must return GraphQLContribution")
        found.append((plugin, contribution))
    return found


class IpgovSchema(strawberry.Schema):
    """A schema whose errors are logged once, by ``ErrorShaper`` (internal ones only)."""

    def process_errors(self, errors: list[Any], execution_context: Any = None) -> None:
        return None


def build_schema(settings: Settings, registry: PluginRegistry, *,
                 operation_limits: Iterable[Any] = ()) -> strawberry.Schema:
    """The root schema with cost (depth, aliases, fields), token and introspection limits.

    ``operation_limits`` are extension factories that run after validation and before
    execution (the web application passes its per-tenant rate limit; the schema itself knows
    nothing of HTTP).
    """
    parts = contributions(registry)
    query = _merge("Query", [(o, c) for o, part in parts for c in part.query])
    if query is None:  # the core's contribution always has one
        raise SchemaCompositionError("no contribution defines a Query type")
    mutation = _merge("Mutation", [(o, c) for o, part in parts for c in part.mutation])
    subscription = _merge("Subscription", [("core", LiveSubscription)])
    extra = [t for _o, part in parts for t in part.types]
    extensions: list[Any] = [
        OperationTracing,
        ReadOnlyQueries,  # a query's sessions are read-only (graphql/context.py)
        SubscriptionsOverWebSocket,  # never over HTTP (graphql/live.py, web/live.py)
        ErrorShaper,
        CursorSigning,  # one signed cursor codec per platform (graphql/cursors.py)
        StringInputRule,  # no NUL or lone surrogate in any string (graphql/strings.py)
        # depth, aliases and expanded fields in one linear pass, then the validation rules
        # under a deadline (graphql/cost.py; replaces Strawberry's exponential limiters)
        lambda: DocumentCost(settings),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        *operation_limits,  # e.g. the per-tenant rate limit (web/ratelimit.py)
        lambda: AddValidationRules([OneCredentialCheckRule]),  # one sign-in per operation
    ]
    if not settings.graphql_introspection or settings.is_production:
        rules: list[type[ASTValidationRule]] = [NoSchemaIntrospectionCustomRule]
        extensions.append(lambda: AddValidationRules(rules))
    schema = IpgovSchema(
        query=query, mutation=mutation, subscription=subscription, types=extra,
        extensions=extensions,
        scalar_overrides=SCALAR_OVERRIDES,  # Date/DateTime: offsets out, reasons in
        config=StrawberryConfig(disable_field_suggestions=True,
                                batching_config={"max_operations": settings.graphql_max_batch}),
    )
    _read_plain_fields_directly(schema)
    return schema


def _read_plain_fields_directly(schema: strawberry.Schema) -> int:
    """A field without resolver, extension or permission (Strawberry marks its resolver
    ``_is_default``) reads the attribute directly instead of going through Strawberry's
    per-field machinery: 1.09x -> ~1.0x plain graphql-core on a 1,000 x 5 result
    (bench/graphql_overhead.py). Schema extensions (tracing, errors) still see every field."""
    from graphql import GraphQLObjectType

    changed = 0
    for gql_type in schema._schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        for gql_field in gql_type.fields.values():
            definition = (gql_field.extensions or {}).get("strawberry-definition")
            if definition is not None and getattr(gql_field.resolve, "_is_default", False):
                gql_field.resolve = _attribute_reader(definition.python_name)
                changed += 1
    return changed


def _attribute_reader(name: str) -> Any:
    def read(source: Any, _info: Any) -> Any:
        return getattr(source, name)

    return read
