"""The assistant's tools: named GraphQL operations checked against the running schema, each
with a JSON Schema of its arguments derived from the operation's variables.

Not a second API: a tool is a document of the public GraphQL API (the core's ``tools.yaml``,
a plugin's ``GraphQLContribution.tools``) and its input schema comes from the schema's own
types and argument descriptions, so the list stays in step with ``schema.graphql``: a tool
that no longer validates fails start-up (``ToolCatalogError`` naming the tool and its file) and
``tests/contract/test_assistant_tools.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    parse,
    print_ast,
    type_from_ast,
    validate,
    value_from_ast,
)
from graphql.error import GraphQLSyntaxError

from ipgov.plugins.contracts import AssistantTool
from ipgov.plugins.tools import load_assistant_tools

__all__ = ["CORE_TOOLS", "Tool", "ToolCatalogError", "build_tools", "contributed_tools"]

CORE_TOOLS = Path(__file__).with_name("tools.yaml")
MAX_LIST_ITEMS = 100
MAX_INPUT_DEPTH = 4
_SCALARS: dict[str, dict[str, Any]] = {
    "String": {"type": "string"}, "ID": {"type": "string"}, "Int": {"type": "integer"},
    "Float": {"type": "number"}, "Boolean": {"type": "boolean"},
    "DateTime": {"type": "string", "format": "date-time"},
    "Date": {"type": "string", "format": "date"}, "JSON": {},
}


#: What the common arguments mean, for those the schema leaves undescribed.
COMMON_ARGUMENTS: dict[str, dict[str, str]] = {
    "tenantId": {"en": "The tenant's id (list_tenants gives it).",
                 "zh-CN": "租户 id（可由 list_tenants 获得）。"},
    "first": {"en": "How many rows to return (at most the platform's page size).",
              "zh-CN": "返回的行数（不超过平台的分页上限）。"},
    "after": {"en": "To read the next page: the endCursor of the previous answer.",
              "zh-CN": "读取下一页时填写上一次结果中的 endCursor。"},
    "id": {"en": "The record's id.", "zh-CN": "记录的 id。"},
    "purpose": {"en": "Why you read it: recorded in the access log with your name.",
                "zh-CN": "读取用途：连同您的姓名记入访问日志。"},
}


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    """An optional GraphQL variable also takes null (assistants send it for "no filter")."""
    kind = prop.get("type")
    if isinstance(kind, str):
        prop["type"] = [kind, "null"]
        if "enum" in prop:
            prop["enum"] = [*prop["enum"], None]
    return prop


class ToolCatalogError(ValueError):
    """A tool does not fit the schema (or clashes with another): names the tool and file."""


@dataclass(frozen=True)
class Tool:
    """One tool as the assistant server offers it."""

    name: str
    kind: str
    plugin: str
    description: dict[str, str]
    document: DocumentNode
    operation_name: str
    input_schema: dict[str, Any]
    text: str = ""  # the operation as sent to the schema (printed once, at start-up)

    @property
    def writes(self) -> bool:
        return self.kind == "write"

    def describe(self, locale: str) -> str:
        return self.description.get(locale) or self.description["en"]

    def schema_for(self, locale: str) -> dict[str, Any]:
        """The input schema with the common arguments described in ``locale``."""
        properties = {}
        for name, prop in self.input_schema["properties"].items():
            common = COMMON_ARGUMENTS.get(name)
            if common and "description" not in prop:
                prop = {**prop, "description": common.get(locale) or common["en"]}
            properties[name] = prop
        return {**self.input_schema, "properties": properties}


def contributed_tools(graphql_contributions: Iterable[tuple[str, Any]]
                      ) -> list[tuple[str, AssistantTool]]:
    """The core's tools, then each plugin's (from its GraphQL contribution)."""
    found = [("core", tool) for tool in load_assistant_tools(CORE_TOOLS)]
    for plugin, contribution in graphql_contributions:
        found += [(plugin, tool) for tool in getattr(contribution, "tools", None) or []]
    return found


def _schema_of(gtype: GraphQLInputType, depth: int = 0) -> dict[str, Any]:
    if isinstance(gtype, GraphQLNonNull):
        return _schema_of(gtype.of_type, depth)
    if isinstance(gtype, GraphQLList):
        return {"type": "array", "items": _schema_of(gtype.of_type, depth),
                "maxItems": MAX_LIST_ITEMS}
    if isinstance(gtype, GraphQLEnumType):
        return {"type": "string", "enum": list(gtype.values)}
    if isinstance(gtype, GraphQLInputObjectType):
        if depth >= MAX_INPUT_DEPTH:
            return {"type": "object"}
        properties, required = {}, []
        for name, input_field in gtype.fields.items():
            prop = _schema_of(input_field.type, depth + 1)
            if not isinstance(input_field.type, GraphQLNonNull):
                prop = _nullable(prop)
            if input_field.description:
                prop["description"] = input_field.description
            properties[name] = prop
            if isinstance(input_field.type, GraphQLNonNull) and input_field.default_value is None:
                required.append(name)
        schema: dict[str, Any] = {"type": "object", "properties": properties,
                                  "additionalProperties": False}
        if required:
            schema["required"] = required
        return schema
    if isinstance(gtype, GraphQLScalarType):
        return dict(_SCALARS.get(gtype.name, {"type": "string"}))
    return {}


def _argument_descriptions(schema: GraphQLSchema, operation: OperationDefinitionNode
                           ) -> dict[str, str]:
    """Variable name → the description of the root field argument it is passed to."""
    root = (schema.mutation_type if operation.operation == OperationType.MUTATION
            else schema.query_type)
    found: dict[str, str] = {}
    if root is None:
        return found
    for selection in operation.selection_set.selections:
        gfield = root.fields.get(getattr(getattr(selection, "name", None), "value", ""))
        if gfield is None:
            continue
        for argument in getattr(selection, "arguments", None) or ():
            garg = gfield.args.get(argument.name.value)
            if isinstance(argument.value, VariableNode) and garg is not None and garg.description:
                found.setdefault(argument.value.name.value, garg.description)
    return found


def _build(schema: GraphQLSchema, plugin: str, spec: AssistantTool) -> Tool:
    where = f"tool {spec.name} ({spec.source or plugin})"
    try:
        document = parse(spec.operation, no_location=True)
    except GraphQLSyntaxError as exc:
        raise ToolCatalogError(f"{where}: the operation does not parse: {exc.message}") from None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None:
        raise ToolCatalogError(f"{where}: expected exactly one named operation")
    (operation,) = operations
    operation_name = operation.name.value if operation.name else ""
    expected = OperationType.MUTATION if spec.kind == "write" else OperationType.QUERY
    if operation.operation != expected:
        raise ToolCatalogError(f"{where}: a {spec.kind} tool must be a "
                               f"{expected.value}, not a {operation.operation.value}")
    errors = validate(schema, document)
    if errors:
        raise ToolCatalogError(f"{where}: the operation no longer matches the schema: "
                               + "; ".join(e.message for e in errors[:5]))
    described = _argument_descriptions(schema, operation)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        gtype = type_from_ast(schema, definition.type)
        prop = _schema_of(gtype)  # type: ignore[arg-type]  # validated: an input type
        if name in described:
            prop["description"] = described[name]
        if definition.default_value is not None:
            prop["default"] = value_from_ast(definition.default_value, gtype)  # type: ignore[arg-type]
        elif isinstance(gtype, GraphQLNonNull):
            required.append(name)
        if not isinstance(gtype, GraphQLNonNull):
            prop = _nullable(prop)
        properties[name] = prop
    if spec.kind == "write" and "tenantId" not in properties:
        raise ToolCatalogError(f"{where}: a write tool needs a $tenantId variable (writes can "
                               "be disabled per tenant)")
    input_schema: dict[str, Any] = {"type": "object", "properties": properties,
                                    "additionalProperties": False}
    if required:
        input_schema["required"] = required
    return Tool(name=spec.name, kind=spec.kind, plugin=plugin, description=spec.description,
                document=document, operation_name=operation_name,
                input_schema=input_schema, text=print_ast(document))


def build_tools(schema: GraphQLSchema, specs: Iterable[tuple[str, AssistantTool]]
                ) -> dict[str, Tool]:
    """Every tool by name, validated against ``schema`` (``ToolCatalogError`` otherwise)."""
    tools: dict[str, Tool] = {}
    for plugin, spec in specs:
        name = spec.name
        if name in tools:
            raise ToolCatalogError(f"tool {name} ({spec.source or plugin}) is also defined by "
                                   f"{tools[name].plugin}")
        tools[name] = _build(schema, plugin, spec)
    return tools
