"""The MCP server: ipgov's tools, resources and prompts for AI assistants.

Every tool call is a GraphQL operation of the public API run as the caller: the same
authorization, tenant scoping, cost and per-tenant rate limits as a request to ``/graphql``,
plus what only an assistant needs:

- a per-caller budget of tool calls (``limit``, given by the transport);
- write tools refused where a tenant (or a tenant above it) switched them off;
- every audit event recorded during a call says ``via: assistant``, and each call leaves an
  ``assistant.tool_called`` event (tool, outcome, the argument names; text values are not
  copied) in the tenant it concerned, or in the caller's own tenant when it was refused;
- answers bounded in size, errors as codes and messages in the caller's language.

Transports: ``ipgov mcp`` (stdio, one caller named by ``IPGOV_TOKEN``) and ``/mcp`` in
``ipgov serve`` (Streamable HTTP, the caller named per request by its bearer token:
``ipgov.assistant.http``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jsonschema
import mcp_types as types
from graphql import GraphQLSchema
from mcp.server.lowlevel import Server
from sqlalchemy import select

from ipgov import __version__
from ipgov.context import acting_through, new_request_id
from ipgov.db import TenantScope
from ipgov.graphql.context import IpgovContext
from ipgov.i18n import negotiate, translate
from ipgov.identity.models import Membership
from ipgov.identity.service import Principal, authenticate
from ipgov.identity.tokens import AuthenticationError
from ipgov.tenancy.assistant import writes_allowed

from .catalog import Tool, build_tools, contributed_tools
from .prompts import PROMPTS, render_prompt
from .resources import RESOURCES, TEMPLATES, resource_for

__all__ = ["MAX_RESULT_CHARS", "AssistantServer", "Caller"]

log = logging.getLogger("ipgov.assistant")
MAX_RESULT_CHARS = 200_000
MAX_ARGUMENT_CHARS = 64_000
VIA = "assistant"

#: What the transport knows of who calls: their credential (``Bearer ...``) and the language
#: their client asked for. Read per request: a revoked key stops working on the next call.
CallerOf = Callable[[Any], "Caller"]
#: The per-caller budget: ``None`` when the call may go ahead, else seconds to wait.
Limit = Callable[[Principal], Awaitable[int | None]]


@dataclass(frozen=True)
class Caller:
    authorization: str | None
    accept_language: str | None = None
    address: str = ""
    #: already authenticated by the transport for this request (``/mcp``); ``None``: the
    #: server authenticates ``authorization`` itself (stdio, on every call)
    principal: Principal | None = None


class ToolRefused(Exception):
    """A call refused before it ran: a stable code and the message's parameters."""

    def __init__(self, code: str, english: str, **params: Any) -> None:
        super().__init__(english)
        self.code, self.english, self.params = code, english, params

    def message(self, locale: str) -> str:
        return translate(self.code, locale, self.params) or self.english


def _text(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, default=str, separators=(",", ":"))


def _payload_errors(data: Any) -> list[dict[str, Any]]:
    """The ``errors`` lists of a mutation's payloads (``{code message field}``)."""
    if not isinstance(data, dict):
        return []
    found: list[dict[str, Any]] = []
    for value in data.values():
        if isinstance(value, dict) and isinstance(value.get("errors"), list):
            found += [e for e in value["errors"] if isinstance(e, dict)]
    return found


def _redacted(arguments: dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps of a call's arguments: ids, numbers and short words as given,
    longer text by its length only (a trade secret in a query stays out of the trail)."""
    kept: dict[str, Any] = {}
    for name, value in arguments.items():
        if isinstance(value, str) and (len(value) > 80 or name in {"text", "query"}):
            kept[name] = f"<{len(value)} characters>"
        elif isinstance(value, str | int | float | bool) or value is None:
            kept[name] = value
        else:
            kept[name] = f"<{type(value).__name__}>"
    return kept


class AssistantServer:
    """Tools, resources and prompts over one platform and schema (the app's, so the same
    extensions and limits apply)."""

    def __init__(self, platform: Any, schema: Any, *, caller_of: CallerOf, limit: Limit,
                 transport: str) -> None:
        self.platform = platform
        self.schema = schema
        graphql_schema: GraphQLSchema = schema._schema
        from ipgov.graphql.schema import contributions

        self.tools: dict[str, Tool] = build_tools(
            graphql_schema, contributed_tools(contributions(platform.registry)))
        self.resources = [r for r in RESOURCES if r.available(graphql_schema)]
        self.templates = [t for t in TEMPLATES if t.available(graphql_schema)]
        self.caller_of = caller_of
        self.limit = limit
        self.transport = transport
        self.server: Server[Any] = Server(
            "ipgov", version=__version__, title="ipgov",
            instructions=("ipgov holds corporate groups' IP governance: tenants, reviews, "
                          "directives, IP assets, deadlines, risks, patent search. Every call "
                          "acts as you and is recorded in the audit trail as done through an "
                          "assistant. Find tenant ids with list_tenants first."),
            on_list_tools=self._list_tools, on_call_tool=self._call_tool,
            on_list_resources=self._list_resources,
            on_list_resource_templates=self._list_templates,
            on_read_resource=self._read_resource, on_list_prompts=self._list_prompts,
            on_get_prompt=self._get_prompt)

    # --------------------------------------------------------------------------- callers

    async def _principal(self, ctx: Any) -> tuple[Principal, str, Caller]:
        caller = self.caller_of(ctx)
        principal = caller.principal or await authenticate(self.platform, caller.authorization)
        if principal is None:
            raise AuthenticationError("AUTH_REQUIRED", "Sign in first: the assistant needs a "
                                      "token or an API key (IPGOV_TOKEN, or 'Authorization: "
                                      "Bearer ...').")
        return principal, negotiate(caller.accept_language, principal.locale), caller

    def _locale_of(self, ctx: Any) -> str:
        return negotiate(self.caller_of(ctx).accept_language, None)

    # --------------------------------------------------------------------------- tools

    async def _list_tools(self, ctx: Any, _params: Any) -> types.ListToolsResult:
        locale = self._locale_of(ctx)
        with contextlib.suppress(AuthenticationError):  # the caller's language if known
            _principal, locale, _caller = await self._principal(ctx)
        tools = []
        for tool in self.tools.values():
            tools.append(types.Tool(
                name=tool.name, title=tool.name.replace("_", " "),
                description=tool.describe(locale), input_schema=tool.schema_for(locale),
                annotations=types.ToolAnnotations(
                    read_only_hint=not tool.writes, destructive_hint=False,
                    idempotent_hint=not tool.writes, open_world_hint=False)))
        return types.ListToolsResult(tools=tools)

    def _refusal(self, exc: ToolRefused | AuthenticationError, locale: str
                 ) -> types.CallToolResult:
        if isinstance(exc, ToolRefused):
            code, message = exc.code, exc.message(locale)
        else:
            code, message = exc.code, translate(exc.code, locale) or str(exc)
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=f"{code}: {message}")],
            structured_content={"errors": [{"code": code, "message": message}]}, is_error=True)

    async def _call_tool(self, ctx: Any, params: types.CallToolRequestParams
                         ) -> types.CallToolResult:
        locale = self._locale_of(ctx)
        try:
            principal, locale, caller = await self._principal(ctx)
        except AuthenticationError as exc:
            return self._refusal(exc, locale)
        tool = self.tools.get(params.name)
        arguments = dict(params.arguments or {})
        try:
            if tool is None:
                raise ToolRefused("ASSISTANT_UNKNOWN_TOOL", f"There is no tool {params.name!r}; "
                                  "list the tools first.", name=params.name[:80])
            self._check_arguments(tool, arguments)
            wait = await self.limit(principal)
            if wait is not None:
                raise ToolRefused("RATE_LIMITED", f"Too many calls; retry in {wait} seconds.",
                                  retry_after=wait)
            tenant_id = str(arguments.get("tenantId") or "")
            # asked only where the caller may see the tenant: to an outsider the answer
            # would tell which tenants exist (the operation refuses them anyway)
            if (tool.writes and self.platform.allowed(principal.subject, tenant_id,
                                                      "ipgov:tenant", "read")
                    and not await writes_allowed(self.platform, tenant_id)):
                raise ToolRefused("ASSISTANT_WRITES_DISABLED", "Assistants may not change "
                                  "records in this tenant; its administrators switched write "
                                  "tools off.")
        except ToolRefused as exc:
            await self._record(principal, tool, arguments, exc.code, None)
            return self._refusal(exc, locale)
        return await self._run(principal, locale, caller, tool, arguments)

    def _check_arguments(self, tool: Tool, arguments: dict[str, Any]) -> None:
        if len(_text(arguments)) > MAX_ARGUMENT_CHARS:
            raise ToolRefused("ASSISTANT_ARGUMENTS_TOO_LARGE", f"The arguments are longer than "
                              f"{MAX_ARGUMENT_CHARS} characters.", maximum=MAX_ARGUMENT_CHARS)
        validator = jsonschema.Draft202012Validator(tool.input_schema)
        problems = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
        if problems:
            first = problems[0]
            where = ".".join(str(p) for p in first.path) or (
                re.findall(r"'([^']+)'", first.message) or ["arguments"])[0]
            raise ToolRefused("ASSISTANT_BAD_ARGUMENTS", f"Argument {where}: {first.message}",
                              argument=where, problem=first.message)

    async def _run(self, principal: Principal, locale: str, caller: Caller, tool: Tool,
                   arguments: dict[str, Any]) -> types.CallToolResult:
        result = await self._execute(principal, locale, caller, tool.text, arguments,
                                     tool.operation_name)
        errors = [{"code": (e.extensions or {}).get("code", "ERROR"), "message": e.message,
                   **({"path": list(e.path)} if e.path else {})} for e in result.errors or ()]
        errors += _payload_errors(result.data)
        body: dict[str, Any] = {"data": result.data}
        if errors:
            body["errors"] = errors
        text = _text(body)
        if len(text) > MAX_RESULT_CHARS:
            refused = ToolRefused("ASSISTANT_RESULT_TOO_LARGE", "The answer is longer than "
                                  f"{MAX_RESULT_CHARS} characters; ask for fewer rows (first) "
                                  "or a narrower filter.", maximum=MAX_RESULT_CHARS)
            await self._record(principal, tool, arguments, refused.code, None)
            return self._refusal(refused, locale)
        outcome = str(errors[0]["code"]) if errors else "ok"
        await self._record(principal, tool, arguments, outcome,
                           str(arguments.get("tenantId") or "") or None)
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                    structured_content=body, is_error=bool(errors))

    async def _execute(self, principal: Principal, locale: str, caller: Caller,
                       document: str, variables: dict[str, Any],
                       operation_name: str | None = None) -> Any:
        """``document`` run through the app's schema as ``principal``, every audit event it
        records marked as done through an assistant."""
        context = IpgovContext(platform=self.platform, principal=principal,
                               request_id=new_request_id(), locale=locale, loaders={},
                               client_address=caller.address)
        token = acting_through.set(VIA)
        try:
            return await self.schema.execute(document, variable_values=variables,
                                             context_value=context,
                                             operation_name=operation_name)
        finally:
            acting_through.reset(token)

    # --------------------------------------------------------------------------- audit

    async def _home_tenant(self, principal: Principal) -> str | None:
        if principal.tenant_id:
            return principal.tenant_id
        async with self.platform.db.session(TenantScope.system("assistant: caller's tenant"),
                                            readonly=True) as session:
            row = (await session.execute(
                select(Membership.tenant_id).where(Membership.user_id == principal.id)
                .order_by(Membership.created_at, Membership.tenant_id).limit(1))).first()
        return row[0] if row else None

    async def _record(self, principal: Principal, tool: Tool | None, arguments: dict[str, Any],
                      outcome: str, concerned: str | None) -> None:
        """One ``assistant.tool_called`` event: in the tenant the call concerned when it ran
        (it was authorized there), else in the caller's own (never in a tenant the caller
        may not act in)."""
        tenant_id = concerned if outcome == "ok" and concerned else None
        tenant_id = tenant_id or await self._home_tenant(principal)
        if tenant_id is None:
            log.info("assistant call by %s (no tenant): %s %s", principal.subject,
                     tool.name if tool else "?", outcome)
            return
        details = {"tool": tool.name if tool else "", "kind": tool.kind if tool else "",
                   "outcome": outcome, "transport": self.transport,
                   "arguments": _redacted(arguments), "via": VIA}
        await self._append(tenant_id, principal, tool, details)

    async def _append(self, tenant_id: str, principal: Principal, tool: Tool | None,
                      details: dict[str, Any]) -> None:
        async with self.platform.db.tenant_session(tenant_id) as session:
            await self.platform.audit(session, tenant_id=tenant_id, actor=principal.subject,
                                      action="assistant.tool_called",
                                      object_type="assistant:tool",
                                      object_id=tool.name if tool else "", details=details)

    # --------------------------------------------------------------------------- resources

    async def _list_resources(self, ctx: Any, _params: Any) -> types.ListResourcesResult:
        locale = self._locale_of(ctx)
        return types.ListResourcesResult(resources=[
            types.Resource(name=r.name, uri=r.uri, description=r.describe(locale),
                           mime_type="application/json") for r in self.resources])

    async def _list_templates(self, ctx: Any, _params: Any
                              ) -> types.ListResourceTemplatesResult:
        locale = self._locale_of(ctx)
        return types.ListResourceTemplatesResult(resource_templates=[
            types.ResourceTemplate(name=t.name, uri_template=t.uri, description=t.describe(locale),
                                   mime_type="application/json") for t in self.templates])

    async def _read_resource(self, ctx: Any, params: types.ReadResourceRequestParams
                             ) -> types.ReadResourceResult:
        uri = str(params.uri)
        found = resource_for(uri, [*self.resources, *self.templates])
        if found is None:
            raise ValueError(f"no resource at {uri[:200]}; list the resources first")
        resource, variables = found
        principal, locale, caller = await self._principal(ctx)
        result = await self._execute(principal, locale, caller, resource.operation, variables)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [{"code": (e.extensions or {}).get("code", "ERROR"),
                               "message": e.message} for e in result.errors]
        return types.ReadResourceResult(contents=[types.TextResourceContents(
            uri=uri, mime_type="application/json", text=_text(body)[:MAX_RESULT_CHARS])])

    # --------------------------------------------------------------------------- prompts

    async def _list_prompts(self, ctx: Any, _params: Any) -> types.ListPromptsResult:
        locale = self._locale_of(ctx)
        return types.ListPromptsResult(prompts=[
            types.Prompt(name=p.name, description=p.describe(locale), arguments=[
                types.PromptArgument(name=a, description=p.argument_text(a, locale),
                                     required=True) for a in p.arguments])
            for p in PROMPTS])

    async def _get_prompt(self, ctx: Any, params: types.GetPromptRequestParams
                          ) -> types.GetPromptResult:
        locale = self._locale_of(ctx)
        description, text = render_prompt(params.name, dict(params.arguments or {}), locale)
        return types.GetPromptResult(description=description, messages=[
            types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))])
